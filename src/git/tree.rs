//! A revision's files as data: every path under some folders of the compliance root with
//! what it is and its bytes, for loading a revision as a checkout of it would load.

use std::path::Path;

use git2::Oid;

use super::{EntryKind, Git, GitError};

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
        commit: Oid,
        tops: &[&str],
        max: u64,
    ) -> Result<Vec<(String, TreeFile)>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut entries: Vec<(String, i32, Oid)> = Vec::new();
        for top in tops {
            let entry = match tree.get_path(Path::new(&format!("{}{top}", self.prefix))) {
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
