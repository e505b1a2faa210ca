//! git notes: text attached to a commit under a notes ref, without changing the commit
//! (`notify` records there which emails it sent).

use super::{CommitId, Git, GitError};

impl Git {
    /// The note on `commit` under `notes_ref`, if any.
    pub fn note(&self, notes_ref: &str, commit: CommitId) -> Option<String> {
        self.repo
            .find_note(Some(notes_ref), commit.0)
            .ok()
            .and_then(|n| n.message().map(str::to_owned))
    }

    /// Sets the note on `commit` under `notes_ref` (replacing an existing one).
    pub fn set_note(
        &self,
        notes_ref: &str,
        commit: CommitId,
        message: &str,
    ) -> Result<(), GitError> {
        let sig = self
            .repo
            .signature()
            .or_else(|_| git2::Signature::now("assure", "assure@localhost"))?;
        self.repo
            .note(&sig, &sig, Some(notes_ref), commit.0, message, true)?;
        Ok(())
    }
}
