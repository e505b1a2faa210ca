//! The only module that knows git2. Everything git gives the rest of assure comes out of
//! here as assure's own types: [`CommitId`] and [`BlobId`] for object ids, [`CommitInfo`]
//! for a commit, [`EntryKind`] for what a path is in a tree, text for a file's content,
//! paths for a diff, and [`GitError`] for what went wrong. No git2 type crosses this
//! module's boundary, so a reader of `ops` or `cli` never needs git2's API, and the git
//! library stays a choice made in one folder.
//!
//! The compliance repository's root may be a sub-folder of the git work tree; every path
//! given to or returned by [`Git`] is relative to the compliance root, with `/`.
//!
//! One file per concern, each adding methods to [`Git`]:
//! - this file: finding and opening the repository, resolving revisions, its state;
//! - `ids.rs`: the id newtypes;
//! - `tree.rs`: what a commit's tree holds (entries, blobs, file text);
//! - `commits.rs`: commits and their graph (info, ranges, merge bases, signatures);
//! - `diff.rs`: which files differ between two commits, or a commit and the work tree;
//! - `entries.rs`: which of some paths changed between two commits, by tree ids;
//! - `notes.rs`: git notes (where `notify` records what it sent);
//! - `identity.rs`: the person's configured name and email;
//! - `write.rs`: writing history (`assure demo` and `assure generate` only).

mod asof;
mod commits;
mod diff;
mod entries;
mod identity;
mod ids;
mod notes;
mod tree;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::Repository;

pub use asof::NoneAt;
pub use commits::CommitInfo;
pub use entries::{Differs, Entry};
pub use identity::{user_email, user_name};
pub use ids::{BlobId, CommitId};
pub use tree::{DEFAULT_MAX_BLOB, EntryKind, TreeFile};

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
    #[error(
        "revision `{rev}` is not in this repository, which is a shallow clone whose history stops at {stops}; if `{rev}` is older, fetch more history (`git fetch --deepen=50`, or `git fetch --unshallow` for all of it; in GitHub Actions, check out with `fetch-depth: 0`)"
    )]
    NotInShallowClone { rev: String, stops: String },
    #[error(
        "revision `{rev}` names a {kind}, not a commit; give a branch, tag or commit, e.g. `main`, `v1.0` or `HEAD~1`"
    )]
    NotACommit { rev: String, kind: String },
    /// A worker thread could not open its own handle on the repository (a git handle is
    /// not shared between threads). Every worker that met the failure reports the same
    /// one, hence the `Arc`; the message is the failure's own.
    #[error(transparent)]
    Worker(Arc<GitError>),
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
        // Reading an object does not hash it again to check its name (git itself does
        // not either): a walk of a long history reads tens of thousands of objects, and
        // rehashing each was a tenth of `log`'s time. `git fsck` is the integrity check.
        git2::opts::strict_hash_verification(false);
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
    pub fn resolve(&self, rev: &str) -> Result<CommitId, GitError> {
        if rev == "HEAD" && self.repo.head().is_err() && self.repo.is_empty().unwrap_or(false) {
            return Err(GitError::Unborn(rev.to_owned()));
        }
        let unknown = |e: git2::Error| {
            if self.repo.is_shallow() {
                GitError::NotInShallowClone {
                    rev: rev.to_owned(),
                    stops: self.shallow_boundaries(),
                }
            } else {
                GitError::UnknownRevision {
                    rev: rev.to_owned(),
                    message: e.message().to_owned(),
                }
            }
        };
        let object = self.repo.revparse_single(rev).map_err(unknown)?;
        let commit = object.peel_to_commit().map_err(|_| GitError::NotACommit {
            rev: rev.to_owned(),
            kind: object.kind().map_or("object", |k| k.str()).to_owned(),
        })?;
        Ok(CommitId(commit.id()))
    }

    /// The short ids of the commits where a shallow clone's history stops (from
    /// `.git/shallow`), for messages.
    fn shallow_boundaries(&self) -> String {
        let ids = std::fs::read_to_string(self.repo.path().join("shallow")).unwrap_or_default();
        let ids: Vec<&str> = ids.lines().map(|l| l.get(..7).unwrap_or(l)).collect();
        if ids.is_empty() {
            "an unknown commit".to_owned()
        } else {
            ids.join(", ")
        }
    }

    /// Whether HEAD points at no commit yet.
    pub fn is_unborn(&self) -> bool {
        self.repo.head().is_err()
    }

    /// Whether the repository is a shallow clone (history is cut off).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The git operation in progress (a merge, rebase, cherry-pick, revert, `git am` or
    /// bisect), named for a message: `Some("merge")`.
    pub fn operation_in_progress(&self) -> Option<String> {
        use git2::RepositoryState as S;
        let name = match self.repo.state() {
            S::Clean => return None,
            S::Merge => "merge",
            S::Revert | S::RevertSequence => "revert",
            S::CherryPick | S::CherryPickSequence => "cherry-pick",
            S::Bisect => "bisect",
            S::Rebase | S::RebaseInteractive | S::RebaseMerge => "rebase",
            S::ApplyMailbox | S::ApplyMailboxOrRebase => "`git am`",
        };
        Some(name.to_owned())
    }

    /// `path` (relative to the compliance root) as a path in the git tree.
    fn tree_path(&self, path: &str) -> PathBuf {
        PathBuf::from(format!("{}{path}", self.prefix))
    }
}

/// The git folder (`.git`, or a linked work tree's own folder under it) of the repository
/// enclosing `dir`, if any: where assure keeps its edit lock, out of the work tree.
pub fn git_dir(dir: &Path) -> Option<PathBuf> {
    let repo = Repository::discover(dir).ok()?;
    repo.workdir()?;
    Some(repo.path().to_path_buf())
}

/// The git operation in progress (see [`Git::operation_in_progress`]) in the repository
/// enclosing `dir`, if any.
pub fn operation_in_progress(dir: &Path) -> Option<String> {
    Git::open(dir).ok().flatten()?.operation_in_progress()
}

/// The root of the git work tree enclosing `dir`, if any.
pub fn work_tree_root(dir: &Path) -> Option<PathBuf> {
    Repository::discover(dir)
        .ok()?
        .workdir()
        .map(Path::to_path_buf)
}
