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
pub mod review;
pub mod score;
pub mod status;
pub mod sync;

use std::path::Path;

use chrono::NaiveDate;

use crate::catalog::Catalog;
use crate::diag::{self, Diagnostic};
use crate::repo::{self, AssessmentDoc, RepoError, Workspace};
use crate::rules;

/// A loaded repository with its catalog, and the findings made while loading.
pub struct Project {
    pub ws: Workspace,
    pub catalog: Catalog,
    /// Load and catalog findings (not yet the semantic rules).
    pub diagnostics: Vec<Diagnostic>,
}

impl Project {
    /// Loads the repository whose root is `root` (the folder holding `assure.yaml`).
    pub fn open(root: &Path) -> Result<Project, RepoError> {
        Project::open_with(root, &repo::Overlay::default())
    }

    /// Loads the repository as it would be with `overlay` applied.
    pub fn open_with(root: &Path, overlay: &repo::Overlay) -> Result<Project, RepoError> {
        Project::from_workspace(repo::load_with(root, overlay)?)
    }

    /// Loads what checking the groups in `groups` needs (see [`repo::load_groups`]).
    pub fn open_groups(
        root: &Path,
        groups: &std::collections::BTreeSet<String>,
    ) -> Result<Project, RepoError> {
        Project::from_workspace(repo::load_groups(root, groups)?)
    }

    fn from_workspace(mut ws: Workspace) -> Result<Project, RepoError> {
        let (catalog, mut diagnostics) = Catalog::build(&ws.catalog, &ws.sources);
        diagnostics.append(&mut ws.diagnostics);
        Ok(Project {
            ws,
            catalog,
            diagnostics,
        })
    }

    /// Finds an assessment by `group/service--certification`.
    pub fn assessment(&self, key: &str) -> Result<&AssessmentDoc, String> {
        self.ws.assessments.iter().find(|a| a.key() == key || format!("{}/{}", a.group, a.stem) == key).ok_or_else(|| {
            let keys: Vec<String> = self.ws.assessments.iter().map(AssessmentDoc::key).collect();
            let hint = crate::catalog::did_you_mean(key, keys.iter().map(String::as_str));
            format!("no assessment `{key}` (assessments are named group/service--certification); {hint}")
        })
    }
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
