//! The use cases, returning data for the CLI to render: open a repository, validate it,
//! score assessments, filter controls, list action items, build the status dashboard.

pub mod actions;
pub mod changes;
pub mod commands;
pub mod demo;
pub mod edit;
pub mod filter;
pub mod gate;
pub mod generate;
pub mod history;
pub mod import_oscal;
pub mod init;
pub mod notify;
pub mod permissions;
pub mod report;
pub mod review;
pub mod schemas;
pub mod score;
pub mod signatures;
pub mod status;
pub mod sync;

use std::path::Path;

use chrono::NaiveDate;

use crate::catalog::Catalog;
use crate::diag::{self, Diagnostic};
use crate::repo::source::{FileId, SourceMap};
use crate::repo::{self, AssessmentDoc, RepoError, Workspace};
use crate::rules;

/// A loaded repository with its catalog, and the findings made while loading.
pub struct Project {
    pub ws: Workspace,
    pub catalog: Catalog,
    /// Load and catalog findings (not yet the semantic rules).
    pub diagnostics: Vec<Diagnostic>,
    /// The groups whose assessments are loaded; `None`: all of them.
    scope: Option<std::collections::BTreeSet<String>>,
}

impl Project {
    /// Loads the repository whose root is `root` (the folder holding `assure.yaml`).
    pub fn open(root: &Path) -> Result<Project, RepoError> {
        Project::open_with(root, &repo::Overlay::default())
    }

    /// Loads the repository as it would be with `overlay` applied.
    pub fn open_with(root: &Path, overlay: &repo::Overlay) -> Result<Project, RepoError> {
        Project::from_workspace(repo::load_with(root, overlay)?, None)
    }

    /// Loads what checking the groups in `groups` needs (see [`repo::load_groups`]):
    /// every rule but those about other groups' assessments sees what it would see in
    /// the whole repository.
    pub fn open_groups(
        root: &Path,
        groups: &std::collections::BTreeSet<String>,
    ) -> Result<Project, RepoError> {
        let ws = repo::load_groups(root, groups, &repo::Overlay::default())?;
        Project::from_workspace(ws, Some(groups.clone()))
    }

    /// This project as it would be with `overlay` applied, loaded as far as this one is
    /// (the same groups, or all).
    pub fn reopen_with(&self, overlay: &repo::Overlay) -> Result<Project, RepoError> {
        match &self.scope {
            None => Project::open_with(&self.ws.root, overlay),
            Some(groups) => {
                let ws = repo::load_groups(&self.ws.root, groups, overlay)?;
                Project::from_workspace(ws, Some(groups.clone()))
            }
        }
    }

    fn from_workspace(
        mut ws: Workspace,
        scope: Option<std::collections::BTreeSet<String>>,
    ) -> Result<Project, RepoError> {
        let (catalog, mut diagnostics) = Catalog::build(&ws.catalog, &ws.sources);
        diagnostics.append(&mut ws.diagnostics);
        Ok(Project {
            ws,
            catalog,
            diagnostics,
            scope,
        })
    }

    /// Finds an assessment by `group/service--certification`.
    pub fn assessment(&self, key: &str) -> Result<&AssessmentDoc, String> {
        self.ws.assessments.iter().find(|a| a.key() == key || format!("{}/{}", a.group, a.stem) == key).ok_or_else(|| {
            let keys: Vec<String> = self.ws.assessments.iter().map(AssessmentDoc::key).collect();
            let hint = crate::suggest::did_you_mean(key, keys.iter().map(String::as_str));
            format!("no assessment `{key}` (assessments are named group/service--certification); {hint}")
        })
    }
}

/// Every finding of `assure validate` without `--base` for the repository at `root`,
/// sorted, with the files they are about. The same findings as [`validate`] of the
/// whole [`Project`], but read one group at a time on every core, keeping only the
/// files that have findings: memory stays that of a few groups, whatever the size of
/// the repository.
pub fn validate_repository(
    root: &Path,
    today: NaiveDate,
) -> Result<(SourceMap, Vec<Diagnostic>), RepoError> {
    use rayon::prelude::*;
    // The first groups are read (first pass) while the rest is.
    let (by_group, early) =
        repo::ByGroup::open_reading_ahead(root, rayon::current_num_threads(), repo::Values::Skip)?;
    let early: Vec<std::sync::Mutex<Option<repo::GroupFiles>>> = early
        .into_iter()
        .map(|g| std::sync::Mutex::new(Some(g)))
        .collect();
    let (catalog, mut all) = Catalog::build(&by_group.rest.catalog, &by_group.rest.sources);
    all.extend(by_group.rest.diagnostics.iter().cloned());
    let ctx = rules::Context {
        ws: &by_group.rest,
        catalog: &catalog,
        today,
    };
    all.extend(rules::check_repository(&ctx));
    // Per group: its findings, and the files they point at (which are the group's own
    // or, below `shared`, those of `by_group.rest`).
    let shared = by_group.rest.sources.len();
    /// A file a finding points at: its id in the group's workspace, path and text.
    type Kept = (FileId, String, String);
    let per_group: Vec<(Vec<Diagnostic>, Vec<Kept>)> = (0..by_group.len())
        .into_par_iter()
        .map(|i| {
            // First without the spanned trees (most groups have no finding), then,
            // if there is any, again with them to locate the findings.
            let check = |values| {
                let read_ahead = match values {
                    repo::Values::Skip => early
                        .get(i)
                        .and_then(|g| g.lock().expect("not poisoned").take()),
                    _ => None,
                };
                let files = read_ahead.unwrap_or_else(|| by_group.read_files(i, values));
                let mut ws = by_group.workspace(i, files);
                let ctx = rules::Context {
                    ws: &ws,
                    catalog: &catalog,
                    today,
                };
                let mut found = rules::check_assessments(&ctx);
                found.append(&mut ws.diagnostics);
                (ws, found)
            };
            let (mut ws, mut found) = check(repo::Values::Skip);
            if !found.is_empty() {
                (ws, found) = check(repo::Values::Move);
            }
            let mut files: Vec<FileId> = found
                .iter()
                .flat_map(|d| d.primary.iter().chain(&d.secondary))
                .map(|l| l.file)
                .filter(|f| f.0 as usize >= shared)
                .collect();
            files.sort();
            files.dedup();
            let files = files
                .into_iter()
                .map(|f| {
                    let file = ws.sources.get(f);
                    (f, file.path.clone(), file.text.clone())
                })
                .collect();
            (found, files)
        })
        .collect();
    let mut sources = by_group.rest.sources;
    for (mut found, files) in per_group {
        let ids: std::collections::HashMap<FileId, FileId> = files
            .into_iter()
            .map(|(old, path, text)| (old, sources.add(path, text)))
            .collect();
        for d in &mut found {
            for label in d.primary.iter_mut().chain(&mut d.secondary) {
                if let Some(&new) = ids.get(&label.file) {
                    label.file = new;
                }
            }
        }
        all.append(&mut found);
    }
    diag::sort(&sources, &mut all);
    Ok((sources, all))
}

/// Every finding of `assure validate` without `--base`, sorted.
pub fn validate(project: &Project, today: NaiveDate) -> Vec<Diagnostic> {
    let ctx = rules::Context {
        ws: &project.ws,
        catalog: &project.catalog,
        today,
    };
    let mut all = project.diagnostics.clone();
    all.extend(rules::check(&ctx));
    diag::sort(&project.ws.sources, &mut all);
    all
}
