//! `assure schema --write` and `assure init`: the repository's copies of the JSON
//! Schemas, `schemas/<kind>.schema.json`, which the `# yaml-language-server` first line
//! of every file names (see [`crate::repo::modeline`]).
//!
//! Invariants: a copy is byte for byte the built-in schema; the copies are written all
//! together or not at all; a file that is already current is not touched (not even its
//! modification time); nothing is written through a symbolic link, nor over anything but
//! a regular file.

use std::path::Path;

use super::edit::EditError;
use crate::edit::Transaction;
use crate::repo::modeline;
use crate::schema::Kind;

/// One copy that a write changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refreshed {
    /// Repository-relative path.
    pub path: String,
    /// Whether the file is new (else it held other bytes).
    pub created: bool,
}

/// Every schema copy (repository-relative path, bytes), in the order of `assure schema`.
pub fn copies() -> impl Iterator<Item = (String, &'static str)> {
    Kind::ALL
        .into_iter()
        .map(|kind| (modeline::schema_path(kind), kind.schema()))
}

/// The copies of the repository at `root` that differ from the built-in schemas, with
/// their content; refuses (`EditError::Invalid`) a `schemas/` or a copy that is a
/// symbolic link or not a regular folder or file.
pub fn stale(root: &Path) -> Result<Vec<(Refreshed, &'static str)>, EditError> {
    let refuse = |rel: &str, what: &str| {
        EditError::Invalid(format!(
            "{rel} is {what}; assure writes the schema copies as regular files in a regular `schemas/` folder and never through a link: replace it with a folder (or remove it), then run `assure schema --write` again"
        ))
    };
    match std::fs::symlink_metadata(root.join(modeline::FOLDER)) {
        Ok(m) if m.file_type().is_dir() => {}
        Ok(m) => {
            return Err(refuse(
                &format!("{}/", modeline::FOLDER),
                crate::repo::hostile::kind(&m.file_type()),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(EditError::Io(e)),
    }
    let mut out = Vec::new();
    for (rel, text) in copies() {
        let path = root.join(&rel);
        let created = match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => {
                if std::fs::read(&path)? == text.as_bytes() {
                    continue;
                }
                false
            }
            Ok(m) => return Err(refuse(&rel, crate::repo::hostile::kind(&m.file_type()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(EditError::Io(e)),
        };
        out.push((Refreshed { path: rel, created }, text));
    }
    Ok(out)
}

/// Writes every schema copy of the repository at `root` that is missing or differs from
/// the built-in schema, all together or none; returns what it wrote (nothing when every
/// copy is current).
pub fn write(root: &Path) -> Result<Vec<Refreshed>, EditError> {
    let stale = stale(root)?;
    if stale.is_empty() {
        return Ok(Vec::new());
    }
    // In the repository: the journal makes a crash half-way roll back, and the commit
    // re-checks every target for links just before it writes.
    let mut tx = Transaction::in_repository(root);
    for (r, text) in &stale {
        tx.write(root.join(&r.path), text.as_bytes());
    }
    tx.commit()?;
    Ok(stale.into_iter().map(|(r, _)| r).collect())
}
