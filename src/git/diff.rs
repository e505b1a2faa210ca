//! Which files differ: between two commits, or between a commit and the work tree (with
//! what a plain `git diff` would not show: untracked and ignored files under the data
//! folders, and data files git is told not to look at). Paths only; reading the versions
//! is `tree.rs`'s (and, for the work tree, the loader's) job.

use super::{BlobId, CommitId, Git, GitError};

impl Git {
    /// The files under the compliance root that differ between two commits (`None`: the
    /// empty tree), or between a commit and the work tree (`new = None`, `workdir`),
    /// relative to the compliance root, sorted.
    pub fn changed_files(
        &self,
        old: Option<CommitId>,
        new: Option<CommitId>,
    ) -> Result<Vec<String>, GitError> {
        let tree = |c: Option<CommitId>| -> Result<Option<git2::Tree<'_>>, GitError> {
            Ok(match c {
                Some(c) => Some(self.repo.find_commit(c.0)?.tree()?),
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
                == Some(BlobId(entry.id));
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
}
