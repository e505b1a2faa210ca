//! The only module that knows git2: finding the enclosing repository, resolving
//! revisions, reading a file as it was at a revision, and the person's configured
//! identity. The compliance repository's root may be a sub-folder of the git work tree;
//! paths given here are relative to the compliance root.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

mod tree;
pub use tree::TreeFile;

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
        Ok(object.peel_to_commit().map_err(unknown)?.id())
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

/// What a path is in a commit's tree (or in the work tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Absent,
    /// A regular file (git modes 100644 and 100755).
    File,
    /// A symbolic link (git mode 120000).
    Link,
    /// A submodule (git mode 160000).
    Submodule,
    /// A folder, or anything else that is not a file.
    Folder,
}

impl EntryKind {
    /// "a symbolic link", for messages.
    pub fn describe(self) -> &'static str {
        match self {
            EntryKind::Absent => "absent",
            EntryKind::File => "a regular file",
            EntryKind::Link => "a symbolic link",
            EntryKind::Submodule => "a submodule",
            EntryKind::Folder => "a folder or special file",
        }
    }
}

/// Blobs larger than this are not read from git unless `assure.yaml` says otherwise
/// (`limits.max_blob_bytes`): history is input too, and a hostile commit can hold a
/// blob of any size.
pub const DEFAULT_MAX_BLOB: u64 = 64 * 1024 * 1024;

/// A commit as history shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommitInfo {
    #[serde(serialize_with = "ser_oid")]
    pub id: Oid,
    pub short: String,
    pub author_name: String,
    pub author_email: String,
    pub time: chrono::DateTime<chrono::Utc>,
    pub summary: String,
    #[serde(skip)]
    pub parents: Vec<Oid>,
}

fn ser_oid<S: serde::Serializer>(id: &Oid, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&id.to_string())
}

impl Git {
    pub fn commit_info(&self, id: Oid) -> Result<CommitInfo, GitError> {
        let c = self.repo.find_commit(id)?;
        let author = c.author();
        let time = chrono::DateTime::from_timestamp(author.when().seconds(), 0).unwrap_or_default();
        Ok(CommitInfo {
            id,
            short: id.to_string()[..7].to_owned(),
            author_name: author.name().unwrap_or("").to_owned(),
            author_email: author.email().unwrap_or("").to_owned(),
            time,
            summary: c.summary().unwrap_or("").to_owned(),
            parents: c.parent_ids().collect(),
        })
    }

    /// Commits reachable from `head` but not from `base`, oldest first (parents before
    /// children).
    pub fn range(&self, base: Option<Oid>, head: Oid) -> Result<Vec<Oid>, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        walk.push(head)?;
        if let Some(b) = base {
            walk.hide(b)?;
        }
        Ok(walk.collect::<Result<Vec<_>, _>>()?)
    }

    /// Whether the repository is a shallow clone (history is cut off).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// Whether a commit's parents are missing (where a shallow clone's history stops).
    pub fn is_boundary(&self, id: Oid) -> bool {
        self.repo
            .find_commit(id)
            .map(|c| c.parent_ids().any(|p| self.repo.find_commit(p).is_err()))
            .unwrap_or(false)
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

    /// The blob id of `path` (relative to the compliance root) at `commit`.
    pub fn blob_id(&self, commit: Oid, path: &str) -> Result<Option<Oid>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        match tree.get_path(Path::new(&format!("{}{path}", self.prefix))) {
            Ok(e) if e.kind() == Some(git2::ObjectType::Blob) => Ok(Some(e.id())),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A blob's text, if it is UTF-8 and at most [`DEFAULT_MAX_BLOB`] bytes.
    pub fn blob_text(&self, blob: Oid) -> Option<String> {
        self.blob_text_within(blob, DEFAULT_MAX_BLOB)
            .unwrap_or_default()
    }

    /// A blob's text if it is UTF-8 (`Ok(None)` when it is not), or, when it is larger
    /// than `max` bytes, `Err(size)` without reading it: git keeps a blob's size in its
    /// header, so a huge blob in history costs nothing to refuse.
    pub fn blob_text_within(&self, blob: Oid, max: u64) -> Result<Option<String>, u64> {
        let size = self
            .repo
            .odb()
            .and_then(|odb| odb.read_header(blob))
            .map_or(0, |(size, _)| size as u64);
        if size > max {
            return Err(size);
        }
        let Ok(blob) = self.repo.find_blob(blob) else {
            return Ok(None);
        };
        Ok(std::str::from_utf8(blob.content()).ok().map(str::to_owned))
    }

    /// The object id of `path`'s tree entry at `commit` (a blob, a link's blob, a
    /// submodule's commit), if it exists.
    pub fn entry_id(&self, commit: Oid, path: &str) -> Result<Option<Oid>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        match tree.get_path(Path::new(&format!("{}{path}", self.prefix))) {
            Ok(e) => Ok(Some(e.id())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// What `path` (relative to the compliance root) is in `commit`'s tree.
    pub fn entry_kind(&self, commit: Oid, path: &str) -> Result<EntryKind, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let entry = match tree.get_path(Path::new(&format!("{}{path}", self.prefix))) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(EntryKind::Absent),
            Err(e) => return Err(e.into()),
        };
        // git's modes: 100644 and 100755 files, 120000 links, 160000 submodules, 040000 trees.
        Ok(match entry.filemode() {
            0o100644 | 0o100755 | 0o100664 => EntryKind::File,
            0o120000 => EntryKind::Link,
            0o160000 => EntryKind::Submodule,
            _ => EntryKind::Folder,
        })
    }

    /// The paths under `dirs` (relative to the compliance root; a file or a folder) in
    /// `commit`'s tree that are not regular files or folders: symbolic links and
    /// submodules, with what they are. Reads tree entries only, never a blob.
    pub fn non_files(
        &self,
        commit: Oid,
        dirs: &[&str],
    ) -> Result<Vec<(String, EntryKind)>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut out = Vec::new();
        for dir in dirs {
            let entry = match tree.get_path(Path::new(&format!("{}{dir}", self.prefix))) {
                Ok(e) => e,
                Err(e) if e.code() == git2::ErrorCode::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            let kind = |mode: i32| match mode {
                0o120000 => Some(EntryKind::Link),
                0o160000 => Some(EntryKind::Submodule),
                _ => None,
            };
            if let Some(k) = kind(entry.filemode()) {
                out.push(((*dir).to_owned(), k));
                continue;
            }
            let Ok(sub) = entry.to_object(&self.repo).and_then(|o| o.peel_to_tree()) else {
                continue;
            };
            sub.walk(git2::TreeWalkMode::PreOrder, |parent, e| {
                if let Some(k) = kind(e.filemode()) {
                    out.push((format!("{dir}/{parent}{}", e.name().unwrap_or("")), k));
                }
                git2::TreeWalkResult::Ok
            })?;
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// A commit's signature block (`gpgsig`) and the bytes it signs, or `None` when the
    /// commit is not signed.
    pub fn commit_signature(&self, id: Oid) -> Result<Option<(String, Vec<u8>)>, GitError> {
        match self.repo.extract_signature(&id, None) {
            Ok((sig, data)) => Ok(Some((
                String::from_utf8_lossy(&sig).into_owned(),
                data.to_vec(),
            ))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The best common ancestor of two commits, if they have one.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Option<Oid>, GitError> {
        match self.repo.merge_base(a, b) {
            Ok(id) => Ok(Some(id)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every best common ancestor of two commits (several after criss-cross merges).
    pub fn merge_bases(&self, a: Oid, b: Oid) -> Result<Vec<Oid>, GitError> {
        match self.repo.merge_bases(a, b) {
            Ok(ids) => Ok(ids.iter().copied().collect()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// The id git would give `bytes` as a blob (to compare a work-tree file with one).
    pub fn hash_blob(bytes: &[u8]) -> Result<Oid, GitError> {
        Ok(Oid::hash_object(git2::ObjectType::Blob, bytes)?)
    }

    /// The files under the compliance root that differ between two commits (`None`: the
    /// empty tree), or between a commit and the work tree (`new = None`, `workdir`),
    /// relative to the compliance root, sorted.
    pub fn changed_files(
        &self,
        old: Option<Oid>,
        new: Option<Oid>,
    ) -> Result<Vec<String>, GitError> {
        let tree = |c: Option<Oid>| -> Result<Option<git2::Tree<'_>>, GitError> {
            Ok(match c {
                Some(c) => Some(self.repo.find_commit(c)?.tree()?),
                None => None,
            })
        };
        let (old_tree, new_tree) = (tree(old)?, tree(new)?);
        let mut opts = git2::DiffOptions::new();
        if !self.prefix.is_empty() {
            opts.pathspec(&self.prefix);
        }
        let diff = match new {
            Some(_) => self.repo.diff_tree_to_tree(
                old_tree.as_ref(),
                new_tree.as_ref(),
                Some(&mut opts),
            )?,
            None => {
                opts.include_untracked(true).recurse_untracked_dirs(true);
                self.repo
                    .diff_tree_to_workdir_with_index(old_tree.as_ref(), Some(&mut opts))?
            }
        };
        let mut out = self.delta_paths(&diff);
        if new.is_none() {
            // The loader reads every file under the data folders, ignored by git or not,
            // so the change judged must see them too (only there: an ignored build folder
            // elsewhere may be huge).
            let mut opts = git2::DiffOptions::new();
            for data in ["assure.yaml", "catalog", "groups"] {
                opts.pathspec(format!("{}{data}", self.prefix));
            }
            opts.include_untracked(true)
                .recurse_untracked_dirs(true)
                .include_ignored(true)
                .recurse_ignored_dirs(true);
            let diff = self
                .repo
                .diff_tree_to_workdir_with_index(old_tree.as_ref(), Some(&mut opts))?;
            out.extend(self.delta_paths(&diff));
            out.extend(self.hidden_from_diff()?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The data files (assure.yaml, catalog/, groups/) that git is told not to look at in
    /// the work tree (`git update-index --assume-unchanged` or `--skip-worktree`) and that
    /// differ there from the index: a diff does not see them, but the loader reads them.
    fn hidden_from_diff(&self) -> Result<Vec<String>, GitError> {
        const ASSUME_VALID: u16 = 0x8000;
        const SKIP_WORKTREE: u16 = 1 << 14;
        let Some(workdir) = self.repo.workdir() else {
            return Ok(Vec::new());
        };
        let index = self.repo.index()?;
        let mut out = Vec::new();
        for entry in index.iter() {
            if entry.flags & ASSUME_VALID == 0 && entry.flags_extended & SKIP_WORKTREE == 0 {
                continue;
            }
            let Some(rel) = std::str::from_utf8(&entry.path)
                .ok()
                .and_then(|p| p.strip_prefix(&self.prefix))
            else {
                continue;
            };
            if !(rel == "assure.yaml" || rel.starts_with("catalog/") || rel.starts_with("groups/"))
            {
                continue;
            }
            let same = std::fs::read(workdir.join(std::str::from_utf8(&entry.path).unwrap_or("")))
                .ok()
                .and_then(|bytes| Git::hash_blob(&bytes).ok())
                == Some(entry.id);
            if !same {
                out.push(rel.to_owned());
            }
        }
        Ok(out)
    }

    /// The paths (relative to the compliance root) a diff's deltas name, old and new.
    fn delta_paths(&self, diff: &git2::Diff<'_>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(rel) = file
                    .path()
                    .and_then(|p| p.to_str())
                    .and_then(|p| p.strip_prefix(&self.prefix))
                {
                    out.push(rel.to_owned());
                }
            }
        }
        out
    }

    /// The merge base of HEAD with the default branch (`origin/HEAD`, then `origin/main`,
    /// `main`, `origin/master`, `master`), for reviewing the current branch.
    pub fn default_base(&self) -> Result<Oid, GitError> {
        let head = self.resolve("HEAD")?;
        for name in [
            "origin/HEAD",
            "origin/main",
            "main",
            "origin/master",
            "master",
        ] {
            if let Ok(branch) = self.resolve(name)
                && branch != head
            {
                return Ok(self.repo.merge_base(head, branch)?);
            }
        }
        // On the default branch itself: review the last commit.
        let c = self.repo.find_commit(head)?;
        c.parent_id(0).map_err(|_| {
            if self.repo.is_shallow() {
                GitError::NotInShallowClone {
                    rev: "HEAD~1".into(),
                    stops: self.shallow_boundaries(),
                }
            } else {
                GitError::UnknownRevision {
                    rev: "HEAD~1".into(),
                    message: "HEAD is the first commit; name a base explicitly".into(),
                }
            }
        })
    }

    /// The note on `commit` under `notes_ref`, if any.
    pub fn note(&self, notes_ref: &str, commit: Oid) -> Option<String> {
        self.repo
            .find_note(Some(notes_ref), commit)
            .ok()
            .and_then(|n| n.message().map(str::to_owned))
    }

    /// Sets the note on `commit` under `notes_ref` (replacing an existing one).
    pub fn set_note(&self, notes_ref: &str, commit: Oid, message: &str) -> Result<(), GitError> {
        let sig = self
            .repo
            .signature()
            .or_else(|_| git2::Signature::now("assure", "assure@localhost"))?;
        self.repo
            .note(&sig, &sig, Some(notes_ref), commit, message, true)?;
        Ok(())
    }
}

/// Writing history (for `assure demo`): a new repository, commits of the whole work tree
/// with given authors and times, branches.
impl Git {
    /// Creates a repository in `dir` whose default branch is `main`.
    pub fn init(dir: &Path) -> Result<Git, GitError> {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(dir, &opts)?;
        Ok(Git {
            repo,
            prefix: String::new(),
        })
    }

    /// Commits the whole work tree (new, changed and deleted files) on HEAD.
    pub fn commit_all(
        &self,
        name: &str,
        email: &str,
        time: chrono::DateTime<chrono::Utc>,
        message: &str,
    ) -> Result<Oid, GitError> {
        let mut index = self.repo.index()?;
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
        index.update_all(["*"], None)?;
        index.write()?;
        let tree = self.repo.find_tree(index.write_tree()?)?;
        let sig = git2::Signature::new(name, email, &git2::Time::new(time.timestamp(), 0))?;
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        Ok(self
            .repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)?)
    }

    /// Creates branch `name` at `at` and checks it out (work tree included).
    pub fn switch_new(&self, name: &str, at: Oid) -> Result<(), GitError> {
        self.repo.branch(name, &self.repo.find_commit(at)?, true)?;
        self.switch(name)
    }

    /// Checks out branch `name`, replacing the work tree.
    pub fn switch(&self, name: &str) -> Result<(), GitError> {
        let refname = format!("refs/heads/{name}");
        let tree = self.repo.find_reference(&refname)?.peel_to_tree()?;
        self.repo.checkout_tree(
            tree.as_object(),
            Some(
                git2::build::CheckoutBuilder::new()
                    .force()
                    .remove_untracked(true),
            ),
        )?;
        self.repo.set_head(&refname)?;
        Ok(())
    }
}

impl Git {
    /// The files directly in folder `dir` (relative to the compliance root) at `commit`.
    pub fn list_files(&self, commit: Oid, dir: &str) -> Result<Vec<String>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let sub = match tree.get_path(Path::new(&format!("{}{dir}", self.prefix))) {
            Ok(e) => e.to_object(&self.repo)?.peel_to_tree()?,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        Ok(sub
            .iter()
            .filter(|e| e.kind() == Some(git2::ObjectType::Blob))
            .filter_map(|e| e.name().map(|n| format!("{dir}/{n}")))
            .collect())
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
