//! What an as-of view needs from git (`--as-of REV|DATE`): whether a name is a ref, the
//! commit of a first-parent history at a time, a commit's committer time and the tags
//! pointing at it.

use super::{CommitId, Git, GitError};

/// Where [`Git::first_parent_at`] found no commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoneAt {
    /// Every commit of the first-parent history is later: the time is before the first
    /// commit (its committer time).
    BeforeFirst(chrono::DateTime<chrono::Utc>),
    /// A shallow clone whose history stops, after the time, at this commit (short id).
    Shallow(String),
}

impl Git {
    /// Whether `name` is a ref (a branch, tag, remote branch or `HEAD`) as git's short
    /// names find them: a tag named `2024-01-01` makes that text a revision, not a date.
    pub fn is_ref(&self, name: &str) -> bool {
        self.repo.resolve_reference_from_short_name(name).is_ok()
    }

    /// The commit's committer time (when it entered the branch), which `git log --until`
    /// and an as-of date go by; [`super::CommitInfo::time`] is the author's.
    pub fn commit_time(&self, id: CommitId) -> Result<chrono::DateTime<chrono::Utc>, GitError> {
        let c = self.repo.find_commit(id.0)?;
        Ok(chrono::DateTime::from_timestamp(c.committer().when().seconds(), 0).unwrap_or_default())
    }

    /// The newest commit of `head`'s first-parent history (the branch's own line, not the
    /// commits merged into it) whose committer time is at or before `time`.
    pub fn first_parent_at(
        &self,
        head: CommitId,
        time: chrono::DateTime<chrono::Utc>,
    ) -> Result<Result<CommitId, NoneAt>, GitError> {
        let mut id = head;
        loop {
            let c = self.repo.find_commit(id.0)?;
            if c.committer().when().seconds() <= time.timestamp() {
                return Ok(Ok(id));
            }
            match c.parent_ids().next() {
                Some(p) if self.repo.find_commit(p).is_ok() => id = CommitId(p),
                Some(_) => return Ok(Err(NoneAt::Shallow(id.short()))),
                None if self.repo.is_shallow() && self.is_boundary_id(id) => {
                    return Ok(Err(NoneAt::Shallow(id.short())));
                }
                None => return Ok(Err(NoneAt::BeforeFirst(self.commit_time(id)?))),
            }
        }
    }

    /// Whether `id` is where a shallow clone's history stops (listed in `.git/shallow`:
    /// git2 shows such a commit without parents).
    fn is_boundary_id(&self, id: CommitId) -> bool {
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .is_ok_and(|s| s.lines().any(|l| l.trim() == id.to_string()))
    }

    /// The tags pointing at `id` (lightweight or annotated), sorted by name.
    pub fn tags_at(&self, id: CommitId) -> Vec<String> {
        let Ok(names) = self.repo.tag_names(None) else {
            return Vec::new();
        };
        let mut tags: Vec<String> = names
            .iter()
            .flatten()
            .filter(|name| {
                self.repo
                    .revparse_single(&format!("refs/tags/{name}"))
                    .and_then(|o| o.peel_to_commit())
                    .is_ok_and(|c| c.id() == id.0)
            })
            .map(str::to_owned)
            .collect();
        tags.sort();
        tags
    }
}
