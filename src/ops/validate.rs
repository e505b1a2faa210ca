//! `assure validate`: the findings of a repository, and with a base revision the review
//! gate's too. [`run`] is what the command does; [`check`] validates a loaded
//! [`Project`]. Both load through the one loader ([`Project::load`], or its group-by-group
//! form for the whole work tree).

use std::path::Path;
use std::sync::Mutex;

use chrono::NaiveDate;

use super::Project;
use super::gate::GateError;
use crate::catalog::Catalog;
use crate::diag::{self, Diagnostic};
use crate::git::{Git, GitError};
use crate::repo::source::{FileId, SourceMap};
use crate::repo::{self, RepoError, Scope, Source};
use crate::rules;

/// What to validate.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `--base REV`: also check the change since REV (the review gate).
    pub base: Option<&'a str>,
    /// `--actor`: the person the whole change is attributed to.
    pub actor: Option<&'a str>,
    /// Who makes the uncommitted changes (`--as`, else git's `user.email`).
    pub acting: Option<&'a str>,
    pub today: NaiveDate,
}

/// The findings, with the files they are about.
pub struct Validated {
    pub sources: SourceMap,
    pub findings: Vec<Diagnostic>,
    /// With a base: which groups were checked, for the person reading the output.
    pub note: Option<String>,
}

impl Validated {
    /// Whether any finding is an error (the command's exit status 1).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Diagnostic::is_error)
    }
}

/// Why validation could not run.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Gate(#[from] GateError),
}

/// `assure validate [--base REV]` on the repository at `root`.
pub fn run(root: &Path, request: &Request) -> Result<Validated, ValidateError> {
    run_with_progress(root, request, &|_, _| {})
}

/// [`run`], calling `progress(done, total)` as the groups of the whole work tree are
/// checked (without a base; with one, the change's groups are read at once).
pub fn run_with_progress(
    root: &Path,
    request: &Request,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Validated, ValidateError> {
    let Some(base) = request.base else {
        let (sources, findings) = whole_work_tree(root, request.today, progress)?;
        return Ok(Validated {
            sources,
            findings,
            note: None,
        });
    };
    let git = Git::require(root)?;
    super::gate::require_settled(&git)?;
    let gate_request = super::gate::Request {
        base,
        head: None,
        actor: request.actor,
        acting: request.acting,
    };
    let gated = super::gate::gate(
        &mut super::history::Versions::new(&git, root),
        &gate_request,
    )?;
    // Only what the change can affect: the groups it touches (or everything).
    let (scope, note) = match super::gate::affected_groups(&git, base)? {
        Some(groups) => {
            let note = match groups.len() {
                0 => "the change touches no assure file".to_owned(),
                1 => "checked the one group the change touches".to_owned(),
                n => format!("checked the {n} groups the change touches"),
            };
            let note = format!("{note}; `assure validate` without --base checks every group");
            (Scope::Groups(groups), Some(note))
        }
        None => (Scope::All, None),
    };
    let mut project = Project::load(root, Source::WorkTree, scope)?;
    let mut findings = check(&project, request.today);
    let ws = &mut project.ws;
    let (assessments, groups, config) = (&ws.assessments, &ws.groups, &ws.config);
    let nodes = |id| {
        assessments
            .iter()
            .find(|a| a.doc.file == id)
            .map(|a| a.doc.node.clone())
            .or_else(|| {
                groups
                    .iter()
                    .filter_map(|g| g.doc.as_ref())
                    .find(|d| d.file == id)
                    .map(|d| d.node.clone())
            })
            .or_else(|| {
                config
                    .as_ref()
                    .filter(|c| c.file == id)
                    .map(|c| c.node.clone())
            })
    };
    findings.extend(super::gate::diagnostics(&gated, &mut ws.sources, &nodes));
    diag::sort(&project.ws.sources, &mut findings);
    Ok(Validated {
        sources: project.ws.sources,
        findings,
        note,
    })
}

/// Every finding of `assure validate` without `--base` for the work tree at `root`,
/// sorted, with the files they are about. The same findings as [`check`] of the whole
/// work tree's [`Project`], but read one group at a time on every core, keeping only the
/// files that have findings: memory stays that of a few groups, whatever the size of
/// the repository.
fn whole_work_tree(
    root: &Path,
    today: NaiveDate,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(SourceMap, Vec<Diagnostic>), RepoError> {
    use rayon::prelude::*;
    // The first groups are read (first pass) while the rest is.
    let (by_group, early) = repo::ByGroup::open(
        root,
        &Source::WorkTree,
        rayon::current_num_threads(),
        repo::Values::Skip,
    )?;
    let early: Vec<Mutex<Option<repo::GroupFiles>>> =
        early.into_iter().map(|g| Mutex::new(Some(g))).collect();
    let (catalog, mut all) = Catalog::build(&by_group.rest.catalog, &by_group.rest.sources);
    all.extend(by_group.rest.diagnostics.iter().cloned());
    let ctx = rules::Context {
        ws: &by_group.rest,
        catalog: &catalog,
        today,
    };
    all.extend(rules::check_repository(&ctx));
    let groups = Groups {
        by_group: &by_group,
        early: &early,
        catalog: &catalog,
        today,
        shared: by_group.rest.sources.len(),
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = by_group.len();
    let per_group: Vec<(Vec<Diagnostic>, Vec<Kept>)> = (0..total)
        .into_par_iter()
        .map(|i| {
            let out = groups.check(i);
            progress(
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
                total,
            );
            out
        })
        .collect();
    let mut sources = by_group.rest.sources;
    for (mut found, files) in per_group {
        renumber(&mut sources, &mut found, files);
        all.append(&mut found);
    }
    diag::sort(&sources, &mut all);
    Ok((sources, all))
}

/// A file a finding points at: its id in the group's workspace, path and text.
type Kept = (FileId, String, String);

/// What checking one group of [`whole_work_tree`] needs.
struct Groups<'a> {
    by_group: &'a repo::ByGroup,
    /// The groups read ahead (first pass), taken by the first check of each.
    early: &'a [Mutex<Option<repo::GroupFiles>>],
    catalog: &'a Catalog,
    today: NaiveDate,
    /// Files below this id are `by_group.rest`'s, shared by every group.
    shared: usize,
}

impl Groups<'_> {
    /// Group `i`'s findings, and the files of its own that they point at.
    fn check(&self, i: usize) -> (Vec<Diagnostic>, Vec<Kept>) {
        // First without the spanned trees (most groups have no finding), then, if there
        // is any, again with them to locate the findings.
        let (mut ws, mut found) = self.findings(i, repo::Values::Skip);
        if !found.is_empty() {
            (ws, found) = self.findings(i, repo::Values::Move);
        }
        let mut files: Vec<FileId> = found
            .iter()
            .flat_map(|d| d.primary.iter().chain(&d.secondary))
            .map(|l| l.file)
            .filter(|f| f.0 as usize >= self.shared)
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
    }

    /// Reads group `i` (`values`: with or without the spanned trees) and checks it.
    fn findings(&self, i: usize, values: repo::Values) -> (repo::Workspace, Vec<Diagnostic>) {
        let read_ahead = match values {
            repo::Values::Skip => self
                .early
                .get(i)
                .and_then(|g| g.lock().expect("not poisoned").take()),
            _ => None,
        };
        let files = read_ahead.unwrap_or_else(|| self.by_group.read_files(i, values));
        let mut ws = self.by_group.workspace(i, files);
        let ctx = rules::Context {
            ws: &ws,
            catalog: self.catalog,
            today: self.today,
        };
        let mut found = rules::check_assessments(&ctx);
        found.append(&mut ws.diagnostics);
        (ws, found)
    }
}

/// Adds a group's kept `files` to `sources`, pointing its findings at their new ids.
fn renumber(sources: &mut SourceMap, found: &mut [Diagnostic], files: Vec<Kept>) {
    let ids: std::collections::HashMap<FileId, FileId> = files
        .into_iter()
        .map(|(old, path, text)| (old, sources.add(path, text)))
        .collect();
    for d in found {
        for label in d.primary.iter_mut().chain(&mut d.secondary) {
            if let Some(&new) = ids.get(&label.file) {
                label.file = new;
            }
        }
    }
}

/// Every finding of `assure validate` without `--base` in a loaded project, sorted: the
/// one validation over a [`Project`] (the editing commands check an edit with it).
pub fn check(project: &Project, today: NaiveDate) -> Vec<Diagnostic> {
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
