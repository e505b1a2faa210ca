//! Writing files: every write goes to a temporary file in the same folder and is renamed
//! into place, so a reader (or a crash) never sees half a file.

pub mod rewrite;

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` atomically, creating the parent folder if needed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    staged(dir, contents)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `contents` in a new temporary file in `dir`, flushed to disk, ready to be renamed.
fn staged(dir: &Path, contents: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".assure-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// A set of file writes and deletions that happen all together or not at all.
///
/// Every new content is first written to a temporary file beside its target; only when
/// all of them are written are they renamed into place. If a rename fails, the files
/// already replaced get their original content back, so a failure leaves every file as
/// it was.
#[derive(Debug, Default)]
pub struct Transaction {
    ops: Vec<(std::path::PathBuf, Option<Vec<u8>>)>,
    /// Test hook: fail after this many renames (to prove the rollback).
    fail_after: Option<usize>,
}

impl Transaction {
    pub fn new() -> Self {
        Transaction::default()
    }

    /// Writes `contents` to `path` (creating folders as needed).
    pub fn write(&mut self, path: impl Into<std::path::PathBuf>, contents: impl Into<Vec<u8>>) {
        self.ops.push((path.into(), Some(contents.into())));
    }

    /// Deletes `path`.
    pub fn remove(&mut self, path: impl Into<std::path::PathBuf>) {
        self.ops.push((path.into(), None));
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The paths this transaction writes or deletes, in order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.ops.iter().map(|(p, _)| p.as_path())
    }

    /// Makes the commit fail after `n` files have been replaced (for tests).
    pub fn fail_after(&mut self, n: usize) {
        self.fail_after = Some(n);
    }

    pub fn commit(self) -> std::io::Result<()> {
        // 1. Stage every new content in a temporary file. A failure here changes nothing.
        let mut staged = Vec::new();
        let mut created_dirs = Vec::new();
        for (path, contents) in &self.ops {
            let Some(contents) = contents else {
                staged.push(None);
                continue;
            };
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !dir.exists() {
                let mut missing = dir;
                while !missing.exists() {
                    created_dirs.push(missing.to_path_buf());
                    match missing.parent() {
                        Some(p) => missing = p,
                        None => break,
                    }
                }
                std::fs::create_dir_all(dir)?;
            }
            staged.push(Some(self::staged(dir, contents)?));
        }
        // 2. Keep the originals, to restore them if a later step fails.
        let originals: Vec<Option<Vec<u8>>> = self
            .ops
            .iter()
            .map(|(p, _)| std::fs::read(p).ok())
            .collect();
        // 3. Replace, one by one; on failure, put back what was replaced.
        for (i, ((path, _), tmp)) in self.ops.iter().zip(staged).enumerate() {
            let result = if self.fail_after == Some(i) {
                Err(std::io::Error::other("injected failure (test)"))
            } else {
                match tmp {
                    Some(tmp) => tmp.persist(path).map(|_| ()).map_err(|e| e.error),
                    None => match std::fs::remove_file(path) {
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                        other => other,
                    },
                }
            };
            if let Err(e) = result {
                for ((path, _), original) in self.ops[..i].iter().zip(&originals).rev() {
                    let _ = match original {
                        Some(bytes) => write_atomic(path, bytes),
                        None => std::fs::remove_file(path),
                    };
                }
                for dir in created_dirs.iter() {
                    let _ = std::fs::remove_dir(dir);
                }
                return Err(e);
            }
        }
        Ok(())
    }
}
