//! Commits and their graph: a commit's author, time and parents ([`CommitInfo`]), the
//! commits between two revisions, merge bases, the base of the current branch, where a
//! shallow clone stops, and a commit's signature block.

use super::{CommitId, Git, GitError};

/// A commit as history shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommitInfo {
    pub id: CommitId,
    /// The first seven hex digits of `id` (kept as a field: the JSON output has it).
    pub short: String,
    pub author_name: String,
    pub author_email: String,
    pub time: chrono::DateTime<chrono::Utc>,
    pub summary: String,
    #[serde(skip)]
    pub parents: Vec<CommitId>,
}

impl Git {
    pub fn commit_info(&self, id: CommitId) -> Result<CommitInfo, GitError> {
        let c = self.repo.find_commit(id.0)?;
        let author = c.author();
        let time = chrono::DateTime::from_timestamp(author.when().seconds(), 0).unwrap_or_default();
        Ok(CommitInfo {
            id,
            short: id.short(),
            author_name: author.name().unwrap_or("").to_owned(),
            author_email: author.email().unwrap_or("").to_owned(),
            time,
            summary: c.summary().unwrap_or("").to_owned(),
            parents: c.parent_ids().map(CommitId).collect(),
        })
    }

    /// Commits reachable from `head` but not from `base`, oldest first (parents before
    /// children).
    pub fn range(&self, base: Option<CommitId>, head: CommitId) -> Result<Vec<CommitId>, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        walk.push(head.0)?;
        if let Some(b) = base {
            walk.hide(b.0)?;
        }
        Ok(walk
            .map(|id| id.map(CommitId))
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// The root of `head`'s first-parent history: the commit it ends at (with unrelated
    /// histories merged in, the one the first parents lead to), or in a shallow clone the
    /// commit where the clone stops.
    pub fn first_root(&self, head: CommitId) -> Result<CommitId, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.simplify_first_parent()?;
        walk.push(head.0)?;
        let mut last = head;
        for id in walk {
            last = CommitId(id?);
        }
        Ok(last)
    }

    /// Whether a commit's parents are missing (where a shallow clone's history stops).
    pub fn is_boundary(&self, id: CommitId) -> bool {
        self.repo
            .find_commit(id.0)
            .map(|c| c.parent_ids().any(|p| self.repo.find_commit(p).is_err()))
            .unwrap_or(false)
    }

    /// A commit's signature block (`gpgsig`) and the bytes it signs, or `None` when the
    /// commit is not signed.
    pub fn commit_signature(&self, id: CommitId) -> Result<Option<(String, Vec<u8>)>, GitError> {
        match self.repo.extract_signature(&id.0, None) {
            Ok((sig, data)) => Ok(Some((
                String::from_utf8_lossy(&sig).into_owned(),
                data.to_vec(),
            ))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The best common ancestor of two commits, if they have one.
    pub fn merge_base(&self, a: CommitId, b: CommitId) -> Result<Option<CommitId>, GitError> {
        match self.repo.merge_base(a.0, b.0) {
            Ok(id) => Ok(Some(CommitId(id))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every best common ancestor of two commits (several after criss-cross merges).
    pub fn merge_bases(&self, a: CommitId, b: CommitId) -> Result<Vec<CommitId>, GitError> {
        match self.repo.merge_bases(a.0, b.0) {
            Ok(ids) => Ok(ids.iter().copied().map(CommitId).collect()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// The merge base of HEAD with the default branch (`origin/HEAD`, then `origin/main`,
    /// `main`, `origin/master`, `master`), for reviewing the current branch, and the
    /// branch's name. On the default branch itself that is HEAD: the change under review
    /// is what the work tree adds. No default branch is an error that asks for a base.
    pub fn default_base(&self) -> Result<(CommitId, &'static str), GitError> {
        let head = self.resolve("HEAD")?;
        for name in [
            "origin/HEAD",
            "origin/main",
            "main",
            "origin/master",
            "master",
        ] {
            if let Ok(branch) = self.resolve(name) {
                return Ok((CommitId(self.repo.merge_base(head.0, branch.0)?), name));
            }
        }
        Err(GitError::UnknownRevision {
            rev: "main".into(),
            message: "no default branch (origin/HEAD, main or master) to compare with; name a base, e.g. `assure diff trunk`".into(),
        })
    }
}

impl Git {
    /// The values of the trailers named `key` (case ignored, as git compares trailer keys)
    /// in commit `id`'s message: the `Key: value` lines of its last paragraph, as git's
    /// `interpret-trailers` reads them (libgit2's parser), each value trimmed. A message
    /// that git cannot hand to the parser (a NUL byte) has none.
    pub fn trailers(&self, id: CommitId, key: &str) -> Result<Vec<String>, GitError> {
        let c = self.repo.find_commit(id.0)?;
        let message = String::from_utf8_lossy(c.message_bytes());
        let Ok(trailers) = git2::message_trailers_strs(&message) else {
            return Ok(Vec::new());
        };
        Ok(trailers
            .iter()
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim().to_owned())
            .collect())
    }
}
