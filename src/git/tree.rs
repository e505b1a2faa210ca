//! What a commit's tree holds: the kind and id of the entry at a path, a blob's text
//! (refused unread past a size limit: history is input too), the files of a folder, and
//! the links and submodules among the data files, and every file under some folders as
//! data (for loading a revision as a checkout of it would load). Never reads the work
//! tree.

use super::{BlobId, CommitId, Git, GitError};

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

impl Git {
    /// The text of `path` (relative to the compliance root) at `commit`; `None` when the
    /// file did not exist then or is not UTF-8 text.
    pub fn read_at(&self, commit: CommitId, path: &str) -> Result<Option<String>, GitError> {
        let tree = self.repo.find_commit(commit.0)?.tree()?;
        let entry = match tree.get_path(&self.tree_path(path)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Ok(blob) = entry.to_object(&self.repo).and_then(|o| o.peel_to_blob()) else {
            return Ok(None);
        };
        Ok(std::str::from_utf8(blob.content()).ok().map(str::to_owned))
    }

    /// The blob id of `path` (relative to the compliance root) at `commit`; `None` when
    /// it is absent or not a blob (a folder, a submodule).
    pub fn blob_id(&self, commit: CommitId, path: &str) -> Result<Option<BlobId>, GitError> {
        let tree = self.repo.find_commit(commit.0)?.tree()?;
        match tree.get_path(&self.tree_path(path)) {
            Ok(e) if e.kind() == Some(git2::ObjectType::Blob) => Ok(Some(BlobId(e.id()))),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A blob's text, if it is UTF-8 and at most [`DEFAULT_MAX_BLOB`] bytes.
    pub fn blob_text(&self, blob: BlobId) -> Option<String> {
        self.blob_text_within(blob, DEFAULT_MAX_BLOB)
            .unwrap_or_default()
    }

    /// A blob's text if it is UTF-8 (`Ok(None)` when it is not), or, when it is larger
    /// than `max` bytes, `Err(size)` without reading it: git keeps a blob's size in its
    /// header, so a huge blob in history costs nothing to refuse.
    pub fn blob_text_within(&self, blob: BlobId, max: u64) -> Result<Option<String>, u64> {
        let size = self
            .repo
            .odb()
            .and_then(|odb| odb.read_header(blob.0))
            .map_or(0, |(size, _)| size as u64);
        if size > max {
            return Err(size);
        }
        let Ok(blob) = self.repo.find_blob(blob.0) else {
            return Ok(None);
        };
        Ok(std::str::from_utf8(blob.content()).ok().map(str::to_owned))
    }

    /// The object id of `path`'s tree entry at `commit` (a blob, a link's blob, a
    /// submodule's commit), if it exists.
    pub fn entry_id(&self, commit: CommitId, path: &str) -> Result<Option<BlobId>, GitError> {
        let tree = self.repo.find_commit(commit.0)?.tree()?;
        match tree.get_path(&self.tree_path(path)) {
            Ok(e) => Ok(Some(BlobId(e.id()))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// What `path` (relative to the compliance root) is in `commit`'s tree.
    pub fn entry_kind(&self, commit: CommitId, path: &str) -> Result<EntryKind, GitError> {
        let tree = self.repo.find_commit(commit.0)?.tree()?;
        let entry = match tree.get_path(&self.tree_path(path)) {
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
        commit: CommitId,
        dirs: &[&str],
    ) -> Result<Vec<(String, EntryKind)>, GitError> {
        let tree = self.repo.find_commit(commit.0)?.tree()?;
        let mut out = Vec::new();
        for dir in dirs {
            let entry = match tree.get_path(&self.tree_path(dir)) {
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

    /// The files directly in folder `dir` (relative to the compliance root) at `commit`.
    pub fn list_files(&self, commit: CommitId, dir: &str) -> Result<Vec<String>, GitError> {
        let tree = self.repo.find_commit(commit.0)?.tree()?;
        let sub = match tree.get_path(&self.tree_path(dir)) {
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

    /// The id git would give `bytes` as a blob (to compare a work-tree file with one).
    pub fn hash_blob(bytes: &[u8]) -> Result<BlobId, GitError> {
        Ok(BlobId(git2::Oid::hash_object(
            git2::ObjectType::Blob,
            bytes,
        )?))
    }
}

/// One path of a revision's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeFile {
    /// A regular file's bytes.
    File(Vec<u8>),
    /// A regular file larger than the limit: its size (not read).
    TooLarge(u64),
    /// A symbolic link or a submodule (never followed).
    Other(EntryKind),
}

impl Git {
    /// The files under `tops` (paths relative to the compliance root: a file or a
    /// folder, walked whole) in `commit`'s tree, sorted by path; a blob larger than `max`
    /// bytes is not read (git keeps its size in its header).
    pub fn tree_files(
        &self,
        commit: CommitId,
        tops: &[&str],
        max: u64,
    ) -> Result<Vec<(String, TreeFile)>, GitError> {
        let tree = self.repo.find_commit(commit.0)?.tree()?;
        let mut entries: Vec<(String, i32, git2::Oid)> = Vec::new();
        for top in tops {
            let entry = match tree.get_path(std::path::Path::new(&format!("{}{top}", self.prefix)))
            {
                Ok(e) => e,
                Err(e) if e.code() == git2::ErrorCode::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            match entry.to_object(&self.repo).and_then(|o| o.peel_to_tree()) {
                Ok(sub) if entry.filemode() == 0o040000 => {
                    sub.walk(git2::TreeWalkMode::PreOrder, |parent, e| {
                        if e.filemode() != 0o040000 {
                            let name = e.name().unwrap_or("");
                            entries.push((format!("{top}/{parent}{name}"), e.filemode(), e.id()));
                        }
                        git2::TreeWalkResult::Ok
                    })?;
                }
                _ => entries.push(((*top).to_owned(), entry.filemode(), entry.id())),
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let odb = self.repo.odb()?;
        let mut out = Vec::with_capacity(entries.len());
        for (path, mode, id) in entries {
            // git's modes: 100644 and 100755 files, 120000 links, 160000 submodules.
            let file = match mode {
                0o120000 => TreeFile::Other(EntryKind::Link),
                0o160000 => TreeFile::Other(EntryKind::Submodule),
                _ => {
                    let (size, _) = odb.read_header(id)?;
                    if size as u64 > max {
                        TreeFile::TooLarge(size as u64)
                    } else {
                        TreeFile::File(self.repo.find_blob(id)?.content().to_vec())
                    }
                }
            };
            out.push((path, file));
        }
        Ok(out)
    }
}
