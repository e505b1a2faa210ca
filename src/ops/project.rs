//! The one way `ops` loads a repository: [`Project::load`] over a [`Source`] (the work
//! tree, or a git revision read through `git/`) and a [`Scope`], with the catalog built.
//! Every command that reads the repository goes through it, so any read works at any
//! revision.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::git::{CommitId, EntryKind, Git, GitError, TreeFile};
use crate::repo::{
    self, AssessmentDoc, MAX_FILE_SIZE, Overlay, RepoError, Scope, Snapshot, SnapshotEntry, Source,
    Workspace,
};

/// A loaded repository with its catalog, and the findings made while loading.
pub struct Project {
    pub ws: Workspace,
    /// Shared by the groups of a [`super::group_wise::GroupWise`].
    pub catalog: Arc<Catalog>,
    /// Load and catalog findings (not yet the semantic rules).
    pub diagnostics: Vec<Diagnostic>,
    /// Where it was read from and how much of it, for [`Project::with_overlay`].
    source: Source,
    scope: Scope,
    /// The commit it was read from ([`Project::at_revision`]); `None`: the work tree.
    revision: Option<CommitId>,
}

/// Why a revision could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Git(#[from] GitError),
}

impl Project {
    /// Loads the repository whose root is `root` (the folder holding `assure.yaml`): the
    /// files of `source` that `scope` names, and the built-in catalog.
    pub fn load(root: &Path, source: Source, scope: Scope) -> Result<Project, RepoError> {
        let ws = repo::load(root, &source, &scope, &Overlay::default())?;
        Ok(Project::new(ws, source, scope))
    }

    /// Loads the whole work tree: what most commands read.
    pub fn work_tree(root: &Path) -> Result<Project, RepoError> {
        Project::load(root, Source::WorkTree, Scope::All)
    }

    /// Loads the repository as revision `rev` holds it, in `scope`: the same project a
    /// checkout of `rev` would give.
    pub fn at_revision(root: &Path, rev: &str, scope: Scope) -> Result<Project, LoadError> {
        let git = Git::require(root)?;
        let commit = git.resolve(rev)?;
        let snapshot = snapshot(&git, &commit.to_string())?;
        let mut project = Project::load(root, Source::Revision(Arc::new(snapshot)), scope)?;
        project.revision = Some(commit);
        Ok(project)
    }

    /// The commit this project was read from (`None`: the work tree), where a view of it
    /// reads history from instead of HEAD.
    pub fn revision(&self) -> Option<CommitId> {
        self.revision
    }

    /// This project as it would be with `overlay` laid over it: the same source, and
    /// loaded as far as this one is.
    pub fn with_overlay(&self, overlay: &Overlay) -> Result<Project, RepoError> {
        let ws = repo::load(&self.ws.root, &self.source, &self.scope, overlay)?;
        let mut project = Project::new(ws, self.source.clone(), self.scope.clone());
        project.revision = self.revision;
        Ok(project)
    }

    /// The groups whose assessments are loaded; `None`: all of them.
    pub fn groups_in_scope(&self) -> Option<&BTreeSet<String>> {
        match &self.scope {
            Scope::Groups(groups) => Some(groups),
            _ => None,
        }
    }

    fn new(mut ws: Workspace, source: Source, scope: Scope) -> Project {
        let (catalog, mut diagnostics) = Catalog::build(&ws.catalog, &ws.sources);
        diagnostics.append(&mut ws.diagnostics);
        Project::from_parts(ws, Arc::new(catalog), diagnostics, source, scope, None)
    }

    /// A project from what has been read and built already ([`super::group_wise`]).
    pub(super) fn from_parts(
        ws: Workspace,
        catalog: Arc<Catalog>,
        diagnostics: Vec<Diagnostic>,
        source: Source,
        scope: Scope,
        revision: Option<CommitId>,
    ) -> Project {
        Project {
            ws,
            catalog,
            diagnostics,
            source,
            scope,
            revision,
        }
    }

    /// Finds an assessment by `group/service--certification`.
    pub fn assessment(&self, key: &str) -> Result<&AssessmentDoc, super::NotFound> {
        self.ws.assessments.iter().find(|a| a.key() == key || format!("{}/{}", a.group, a.stem) == key).ok_or_else(|| {
            let keys: Vec<String> = self.ws.assessments.iter().map(AssessmentDoc::key).collect();
            let hint = crate::suggest::did_you_mean(key, keys.iter().map(String::as_str));
            super::NotFound(format!("no assessment `{key}` (assessments are named group/service--certification); {hint}"))
        })
    }
}

impl Project {
    /// The person of `assure.yaml` with this email (case ignored), or an error naming the
    /// closest known emails.
    pub fn person(&self, email: &str) -> Result<&crate::model::Person, super::NotFound> {
        let people = self.ws.config.as_ref().map_or(&[][..], |c| &c.value.people);
        person_in(people, email)
    }

    /// The certification with this id, from the built-in or the repository's catalog,
    /// or an error naming the closest ids.
    pub fn certification(&self, id: &str) -> Result<&crate::catalog::CertInfo, super::NotFound> {
        let certs = &self.catalog.certifications;
        certs.get(id.trim()).ok_or_else(|| {
            let hint = crate::suggest::did_you_mean(id, certs.keys().map(String::as_str));
            super::NotFound(format!(
                "no certification `{id}`; {hint} (`assure catalog list` lists them)"
            ))
        })
    }
}

/// The person of `people` with this email (case ignored), or the one error of every
/// command that takes a person: naming the closest known emails.
pub fn person_in<'a>(
    people: &'a [crate::model::Person],
    email: &str,
) -> Result<&'a crate::model::Person, super::NotFound> {
    people
        .iter()
        .find(|p| p.email.eq_ignore_ascii_case(email.trim()))
        .ok_or_else(|| {
            let hint = crate::suggest::did_you_mean(email, people.iter().map(|p| p.email.as_str()));
            super::NotFound(format!(
                "`{email}` is not a person of assure.yaml; {hint} (`assure people` lists them)"
            ))
        })
}

/// What a command about one assessment (`group/service--certification`) needs to load:
/// everything but the other groups' assessments, which no rule about this one reads
/// (sync stays within a group), so an edit of one control of a large repository reads
/// one group. An assessment that does not exist loads everything, for the "did you
/// mean" among all of them.
pub fn scope_of(root: &Path, assessment: &str) -> Scope {
    let plain =
        |name: &str| !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\']);
    match assessment.split_once('/') {
        Some((group, stem))
            if plain(group)
                && plain(stem)
                && root
                    .join("groups")
                    .join(group)
                    .join(format!("{stem}.yaml"))
                    .is_file() =>
        {
            Scope::Groups(std::iter::once(group.to_owned()).collect())
        }
        _ => Scope::All,
    }
}

/// The files of revision `rev` that a load reads, as data.
pub fn snapshot(git: &Git, rev: &str) -> Result<Snapshot, GitError> {
    let commit = git.resolve(rev)?;
    let tops = [
        repo::CONFIG_FILE,
        "catalog",
        "groups",
        repo::modeline::FOLDER,
    ];
    let files = git
        .tree_files(commit, &tops, MAX_FILE_SIZE)?
        .into_iter()
        .map(|(path, file)| {
            let entry = match file {
                TreeFile::File(bytes) => SnapshotEntry::File(bytes),
                TreeFile::TooLarge(size) => SnapshotEntry::TooLarge(size),
                TreeFile::Other(EntryKind::Link) => SnapshotEntry::Link,
                TreeFile::Other(kind) => SnapshotEntry::NotAFile(kind.describe()),
            };
            (path, entry)
        })
        .collect();
    Ok(Snapshot { files })
}
