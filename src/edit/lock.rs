//! The edit lock: one assure process at a time edits a repository.
//!
//! An editing command reads the repository, computes its change from what it read, and
//! writes it; two at once would each compute from the files before the other's change,
//! and the second write would silently undo the first (a lost update). So every editing
//! command takes this lock *before* it reads anything, and keeps it until its files are
//! written. The lock is an advisory file lock (`flock` on Unix), which the operating
//! system drops when the process ends however it ends, so a crash never leaves the
//! repository locked.
//!
//! The lock file is `assure.lock` in the git folder (`.git/`), out of the work tree, so it
//! never shows up as a file to commit; outside git it is `.assure.lock` at the root, and it
//! is removed when the lock is released. It holds the process id of its holder, so a
//! waiting process can say whom it waits for. An interrupted edit's journal (see
//! [`super::Transaction`]) lives beside it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a waiting process sleeps between attempts.
const POLL: Duration = Duration::from_millis(20);

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another assure process{} is editing this repository and was still at it after {}; nothing was read or written — run the command again when it has finished (the lock is held on {})",
        .pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
        wait_text(*.waited),
        .path.display()
    )]
    Busy {
        pid: Option<u32>,
        waited: Duration,
        path: PathBuf,
    },
    #[error("cannot take the edit lock {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn wait_text(d: Duration) -> String {
    match d.as_millis() {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms % 1000 == 0 => format!("{} s", ms / 1000),
        ms => format!("{:.1} s", ms as f64 / 1000.0),
    }
}

/// Where assure keeps its lock and journal for the repository at `root`: the git folder
/// when there is one (`true`), else the root itself (`false`).
fn state_dir(root: &Path) -> (PathBuf, bool) {
    match crate::git::git_dir(root) {
        Some(dir) => (dir, true),
        None => (root.to_owned(), false),
    }
}

/// The lock file of the repository at `root`.
pub fn lock_path(root: &Path) -> PathBuf {
    match state_dir(root) {
        (dir, true) => dir.join("assure.lock"),
        (dir, false) => dir.join(".assure.lock"),
    }
}

/// The journal of an edit of the repository at `root` that is being written (see
/// [`super::Transaction`]).
pub fn journal_path(root: &Path) -> PathBuf {
    match state_dir(root) {
        (dir, true) => dir.join("assure-journal.json"),
        (dir, false) => dir.join(".assure-journal.json"),
    }
}

/// The held edit lock of one repository; dropping it releases the lock.
#[derive(Debug)]
pub struct RepoLock {
    file: File,
    path: PathBuf,
    /// Outside git the lock file sits in the user's folder: remove it on release.
    remove: bool,
}

impl RepoLock {
    /// Takes the edit lock of the repository at `root`, waiting up to `timeout` for
    /// another process to release it. `on_wait` is called once, with the holder's process
    /// id if known, when the lock is busy.
    pub fn acquire(
        root: &Path,
        timeout: Duration,
        on_wait: &mut dyn FnMut(Option<u32>),
    ) -> Result<RepoLock, LockError> {
        let (_, in_git) = state_dir(root);
        let path = lock_path(root);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        // Waiting is counted in attempts, not read from a clock.
        let attempts = timeout.as_millis().div_ceil(POLL.as_millis()).max(1);
        let mut told = false;
        let mut attempt = 0;
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            match file.try_lock() {
                Ok(()) if same_file(&file, &path) => {
                    let mut lock = RepoLock {
                        file,
                        path: path.clone(),
                        remove: !in_git,
                    };
                    // Best effort: the id is only for the message of a waiting process.
                    let _ = lock.write_pid();
                    return Ok(lock);
                }
                // The previous holder removed the file as we opened it: open it afresh.
                Ok(()) if attempt < attempts => {
                    attempt += 1;
                    continue;
                }
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            attempt += 1;
            if attempt >= attempts {
                return Err(LockError::Busy {
                    pid: holder(&path),
                    waited: timeout,
                    path,
                });
            }
            if !told {
                told = true;
                on_wait(holder(&path));
            }
            std::thread::sleep(POLL);
        }
    }

    fn write_pid(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        writeln!(self.file, "{}", std::process::id())?;
        self.file.flush()
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        // Remove the file while still holding the lock; a process that opened it meanwhile
        // sees that it is gone once it gets the lock, and opens a new one.
        if self.remove {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Whether `file` is still the file at `path` (it may have been removed and created anew
/// while we waited for it).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

/// The process id written in the lock file by its holder.
fn holder(path: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}
