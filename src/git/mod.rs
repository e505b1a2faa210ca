//! The only module that knows git2: finding the enclosing repository, resolving
//! revisions, reading a file as it was at a revision, and the person's configured
//! identity. The compliance repository's root may be a sub-folder of the git work tree;
//! paths given here are relative to the compliance root.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{} is not inside a git repository; this command needs git history (run `git init` and commit first)", .0.display())]
    NotARepository(PathBuf),
    #[error(
        "revision `{rev}` does not exist in this repository ({message}); give a branch, tag or commit that exists, e.g. `main` or `HEAD~1`"
    )]
    UnknownRevision { rev: String, message: String },
    #[error(
        "the repository has no commits yet (unborn branch), so there is no `{0}` to compare with"
    )]
    Unborn(String),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// An open git repository, seen from a compliance root inside it.
pub struct Git {
    repo: Repository,
    /// The compliance root relative to the work tree, with a trailing `/` (or empty).
    prefix: String,
}

impl Git {
    /// The repository enclosing `root`, or `None` when there is none.
    pub fn open(root: &Path) -> Result<Option<Git>, GitError> {
        let repo = match Repository::discover(root) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(workdir) = repo.workdir() else {
            return Ok(None);
        };
        let (workdir, root) = (
            workdir
                .canonicalize()
                .unwrap_or_else(|_| workdir.to_path_buf()),
            root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
        );
        let rel = root.strip_prefix(&workdir).unwrap_or(Path::new(""));
        let mut prefix = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Ok(Some(Git { repo, prefix }))
    }

    /// The repository enclosing `root`, or an error saying git is needed.
    pub fn require(root: &Path) -> Result<Git, GitError> {
        Git::open(root)?.ok_or_else(|| GitError::NotARepository(root.to_owned()))
    }

    /// The commit a revision names.
    pub fn resolve(&self, rev: &str) -> Result<Oid, GitError> {
        if rev == "HEAD" && self.repo.head().is_err() && self.repo.is_empty().unwrap_or(false) {
            return Err(GitError::Unborn(rev.to_owned()));
        }
        let object = self
            .repo
            .revparse_single(rev)
            .map_err(|e| GitError::UnknownRevision {
                rev: rev.to_owned(),
                message: e.message().to_owned(),
            })?;
        Ok(object
            .peel_to_commit()
            .map_err(|e| GitError::UnknownRevision {
                rev: rev.to_owned(),
                message: e.message().to_owned(),
            })?
            .id())
    }

    /// Whether HEAD points at no commit yet.
    pub fn is_unborn(&self) -> bool {
        self.repo.head().is_err()
    }

    /// The text of `path` (relative to the compliance root) at `commit`; `None` when the
    /// file did not exist then or is not UTF-8 text.
    pub fn read_at(&self, commit: Oid, path: &str) -> Result<Option<String>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let entry = match tree.get_path(Path::new(&format!("{}{path}", self.prefix))) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Ok(blob) = entry.to_object(&self.repo).and_then(|o| o.peel_to_blob()) else {
            return Ok(None);
        };
        Ok(std::str::from_utf8(blob.content()).ok().map(str::to_owned))
    }

    /// The configured `user.email` of this repository (falling back to the global one).
    pub fn user_email(&self) -> Option<String> {
        self.repo.config().ok()?.get_string("user.email").ok()
    }

    pub fn user_name(&self) -> Option<String> {
        self.repo.config().ok()?.get_string("user.name").ok()
    }
}

/// `user.email` from the repository enclosing `root`, or from the global git config.
pub fn user_email(root: &Path) -> Option<String> {
    match Git::open(root) {
        Ok(Some(g)) => g.user_email(),
        _ => git2::Config::open_default()
            .ok()?
            .get_string("user.email")
            .ok(),
    }
}

/// `user.name` likewise.
pub fn user_name(root: &Path) -> Option<String> {
    match Git::open(root) {
        Ok(Some(g)) => g.user_name(),
        _ => git2::Config::open_default()
            .ok()?
            .get_string("user.name")
            .ok(),
    }
}
