//! A whole repository read one group at a time, for the commands that go over every
//! assessment (`status`, `sync --check`, the reports): memory stays that of a few groups
//! whatever the size of the repository, as `validate`'s does.
//!
//! Invariants:
//! - Each group is handed over as a [`Project`] of [`Scope::Groups`] with that one group:
//!   the same project `Project::load(root, source, Scope::Groups({group}))` gives, so code
//!   written for a loaded project (an assessment's view, a workbook, a page) runs on it
//!   unchanged. `assure.yaml`, the catalog and every `group.yaml` are read once and
//!   shared; the catalog is built once.
//! - Groups are read and handed over on every core, and the results come back in group
//!   order (the order of [`Workspace::assessments`] in a whole load), so output does not
//!   depend on the number of cores.
//! - A group's assessments are dropped when its callback returns.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::Project;
use super::project::{LoadError, snapshot};
use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::git::{CommitId, Git};
use crate::repo::{self, RepoError, Scope, Source, Values, Workspace};

/// A repository listed and partly read: `assure.yaml`, the catalog (built) and every
/// group folder; each group's assessments are read when [`GroupWise::map`] asks.
pub struct GroupWise {
    by_group: repo::ByGroup,
    catalog: Arc<Catalog>,
    /// Findings of loading `assure.yaml`, the catalog and the group files, and of
    /// building the catalog. Each group's project has them too, then its own load
    /// findings: gather the groups' findings past the first `diagnostics.len()`.
    pub diagnostics: Vec<Diagnostic>,
    source: Source,
    revision: Option<CommitId>,
}

impl GroupWise {
    /// Lists the repository at `root` from `source` and reads all but the assessments.
    pub fn open(root: &Path, source: Source) -> Result<GroupWise, RepoError> {
        let (by_group, _) = repo::ByGroup::open(root, &source, 0, Values::Move)?;
        let (catalog, mut diagnostics) =
            Catalog::build(&by_group.rest.catalog, &by_group.rest.sources);
        diagnostics.extend(by_group.rest.diagnostics.iter().cloned());
        Ok(GroupWise {
            by_group,
            catalog: Arc::new(catalog),
            diagnostics,
            source,
            revision: None,
        })
    }

    /// The work tree at `root`.
    pub fn work_tree(root: &Path) -> Result<GroupWise, RepoError> {
        GroupWise::open(root, Source::WorkTree)
    }

    /// The repository as revision `rev` holds it (see [`Project::at_revision`]).
    pub fn at_revision(root: &Path, rev: &str) -> Result<GroupWise, LoadError> {
        let git = Git::require(root)?;
        let commit = git.resolve(rev)?;
        let snapshot = snapshot(&git, &commit.to_string())?;
        let mut wise = GroupWise::open(root, Source::Revision(Arc::new(snapshot)))?;
        wise.revision = Some(commit);
        Ok(wise)
    }

    /// `assure.yaml`, the catalog files and every group folder, without assessments.
    pub fn rest(&self) -> &Workspace {
        &self.by_group.rest
    }

    /// The catalog, built once for every group.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The commit read from (`None`: the work tree).
    pub fn revision(&self) -> Option<CommitId> {
        self.revision
    }

    /// The path of every assessment file (`groups/<group>/<file>.yaml`), in group order:
    /// what a walk of history for all of them needs before any is read.
    pub fn assessment_paths(&self) -> Vec<String> {
        self.by_group.assessment_paths()
    }

    /// How many groups have assessments.
    pub fn len(&self) -> usize {
        self.by_group.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_group.is_empty()
    }

    /// How many assessment files there are, in all groups.
    pub fn assessments(&self) -> usize {
        self.by_group.assessment_count()
    }

    /// Calls `f` with each group's project (`values`: whether its YAML trees are kept, see
    /// [`Values`]) on every core; the results in group order. `progress(done, total)` is
    /// called as groups finish, from the thread that finished one.
    pub fn map<T, F>(
        &self,
        values: Values,
        progress: &(dyn Fn(usize, usize) + Sync),
        f: F,
    ) -> Vec<T>
    where
        T: Send,
        F: Fn(Project) -> T + Sync + Send,
    {
        let done = std::sync::atomic::AtomicUsize::new(0);
        let total = self.len();
        (0..total)
            .into_par_iter()
            .map(|i| {
                let out = f(self.project(i, values));
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(n, total);
                out
            })
            .collect()
    }

    /// The `i`-th group's project.
    fn project(&self, i: usize, values: Values) -> Project {
        let mut ws = self.by_group.read(i, values);
        let rest = &self.by_group.rest;
        ws.groups = rest.groups.clone();
        let group: BTreeSet<String> = self
            .by_group
            .group_id(i)
            .map(str::to_owned)
            .into_iter()
            .collect();
        // As a scoped load's: the shared files' findings, then the group's own.
        let mut diagnostics = self.diagnostics.clone();
        diagnostics.append(&mut ws.diagnostics);
        Project::from_parts(
            ws,
            Arc::clone(&self.catalog),
            diagnostics,
            self.source.clone(),
            Scope::Groups(group),
            self.revision,
        )
    }
}
