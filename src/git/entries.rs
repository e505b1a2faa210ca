//! Which paths changed between two commits, found by comparing tree ids down each path
//! (root tree → folder → … → entry) instead of diffing whole trees: a folder whose tree
//! id is the same on both sides is not opened. This is how `log` of one assessment skips
//! the commits that did not touch its file, and how "when did this file last change"
//! stops reading a long history early.

use std::collections::BTreeMap;

use super::{BlobId, CommitId, EntryKind, Git, GitError};

/// A path's tree entry: the object it points at, what it is, and its git mode (two
/// entries are equal when all three are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub id: BlobId,
    pub kind: EntryKind,
    mode: i32,
}

impl Entry {
    /// The blob id as [`Git::blob_id`] gives it: files and links only.
    pub fn blob(&self) -> Option<BlobId> {
        matches!(self.kind, EntryKind::File | EntryKind::Link).then_some(self.id)
    }

    fn of(e: &git2::TreeEntry<'_>) -> Entry {
        let mode = e.filemode();
        // git's modes: 100644 and 100755 files, 120000 links, 160000 submodules.
        let kind = match mode {
            0o100644 | 0o100755 | 0o100664 => EntryKind::File,
            0o120000 => EntryKind::Link,
            0o160000 => EntryKind::Submodule,
            _ => EntryKind::Folder,
        };
        Entry {
            id: BlobId(e.id()),
            kind,
            mode,
        }
    }
}

/// One path's entries on both sides, when they differ (`None`: absent on that side).
pub type Differs = Option<(Option<Entry>, Option<Entry>)>;

impl Git {
    /// For each of `paths` (relative to the compliance root; a file or a folder), its
    /// entries at `old` (`None`: the empty tree) and at `new` when they differ, `None`
    /// when they are the same. Only the trees on the way to the paths are read, and a
    /// folder with the same tree id on both sides is not opened.
    pub fn changed_entries(
        &self,
        old: Option<CommitId>,
        new: CommitId,
        paths: &[&str],
    ) -> Result<Vec<Differs>, GitError> {
        let mut out = vec![None; paths.len()];
        let new_tree = self.repo.find_commit(new.0)?.tree()?;
        let old_tree = match old {
            Some(c) => Some(self.repo.find_commit(c.0)?.tree()?),
            None => None,
        };
        let full: Vec<String> = paths
            .iter()
            .map(|p| format!("{}{p}", self.prefix))
            .collect();
        let wanted: Vec<(usize, &str)> = full.iter().map(String::as_str).enumerate().collect();
        self.descend(old_tree.as_ref(), Some(&new_tree), &wanted, &mut out)?;
        Ok(out)
    }

    /// [`Self::changed_entries`] below one tree on each side: `wanted` are the paths
    /// (with their index in `out`) relative to these trees.
    fn descend(
        &self,
        old: Option<&git2::Tree<'_>>,
        new: Option<&git2::Tree<'_>>,
        wanted: &[(usize, &str)],
        out: &mut [Differs],
    ) -> Result<(), GitError> {
        if let (Some(o), Some(n)) = (old, new)
            && o.id() == n.id()
        {
            return Ok(());
        }
        // The paths by their first component, each with the rest of its path.
        let mut by_name: BTreeMap<&str, Vec<(usize, Option<&str>)>> = BTreeMap::new();
        for &(i, path) in wanted {
            let (name, rest) = match path.split_once('/') {
                Some((n, r)) => (n, Some(r)),
                None => (path, None),
            };
            by_name.entry(name).or_default().push((i, rest));
        }
        for (name, rests) in by_name {
            let get =
                |t: Option<&git2::Tree<'_>>| t.and_then(|t| t.get_name(name).map(|e| e.to_owned()));
            let (o, n) = (get(old), get(new));
            let (oe, ne) = (o.as_ref().map(Entry::of), n.as_ref().map(Entry::of));
            if oe == ne {
                continue;
            }
            let leaves = rests.iter().filter(|(_, r)| r.is_none());
            for (i, _) in leaves {
                out[*i] = Some((oe, ne));
            }
            let deeper: Vec<(usize, &str)> =
                rests.iter().filter_map(|&(i, r)| Some((i, r?))).collect();
            if deeper.is_empty() {
                continue;
            }
            let subtree = |e: &Option<git2::TreeEntry<'_>>| -> Option<git2::Tree<'_>> {
                let e = e.as_ref().filter(|e| e.filemode() == 0o040000)?;
                self.repo.find_tree(e.id()).ok()
            };
            let (ot, nt) = (subtree(&o), subtree(&n));
            self.descend(ot.as_ref(), nt.as_ref(), &deeper, out)?;
        }
        Ok(())
    }
}
