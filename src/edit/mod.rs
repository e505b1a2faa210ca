//! Writing files: every write goes to a temporary file in the same folder and is renamed
//! into place, so a reader (or a crash) never sees half a file; a [`Transaction`] writes
//! several files all together or not at all, even across a crash; the [`lock`] keeps two
//! editing processes from interleaving.

pub mod lock;
pub mod output;
pub mod rewrite;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use lock::{LockError, RepoLock};

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

/// [`write_atomic`] for a file of the repository at `root`: refused when `path` is a
/// symbolic link or lies in a linked folder, which would send the write wherever the
/// link points (a path outside `root` is written as given).
pub fn write_atomic_in(root: &Path, path: &Path, contents: &[u8]) -> std::io::Result<()> {
    no_link_under(root, path)?;
    write_atomic(path, contents)
}

/// `contents` in a new temporary file in `dir`, flushed to disk, ready to be renamed.
fn staged(dir: &Path, contents: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".assure-").suffix(".tmp");
    // A temporary file is private (0600) by default; the file it becomes should get the
    // permissions any new file gets (0666 less the umask), like a file an editor saves.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// A set of file writes and deletions that happen all together or not at all.
///
/// Committing goes in steps, each of which can fail without changing any file:
///
/// 1. every target is looked at: one that is a folder, a named pipe or anything but a
///    file is refused, and so is one in the repository that is a symbolic link or lies
///    in a linked folder;
/// 2. the journal (if the transaction has one) is written: every target, its temporary
///    file and its backup;
/// 3. every new content is written to a temporary file beside its target and flushed;
/// 4. every existing target gets a backup beside it: a hard link (no disk space needed),
///    or a copy where the file system has no hard links;
/// 5. the temporary files are renamed over their targets, and deleted files are removed.
///
/// If a step fails, the backups are renamed back (renaming needs no disk space, so a full
/// disk cannot stop the rollback), new files are removed, and the temporary files go.
/// Once every rename is done, the journal is marked committed (by a rename) and the
/// backups are removed. If the process dies in between, the journal stays behind, and
/// [`recover`] — which every editing command runs once it holds the lock — rolls the
/// interrupted change back (or, if it was marked committed, only cleans up). The journal
/// records a hash of each new content, so that the rollback restores only files that
/// still hold what the interrupted change wrote, never a file edited since.
#[derive(Debug, Default)]
pub struct Transaction {
    ops: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// Where to keep the journal; `None`: no crash recovery (e.g. `assure init`).
    journal: Option<PathBuf>,
    /// The repository root, to name files in errors relative to it.
    root: Option<PathBuf>,
    /// Test hook: fail (or crash) after this many renames (to prove the rollback).
    #[cfg(any(test, feature = "fault-injection"))]
    fault: Option<(usize, Fault)>,
}

/// A fault injected by tests (the `fault-injection` feature).
#[cfg(any(test, feature = "fault-injection"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The next rename fails with an error.
    Fail,
    /// The process aborts, as a crash or a power cut would stop it.
    Crash,
}

/// One target of a commit, with the names (in the target's folder) of its temporary file
/// and backup.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Entry {
    target: PathBuf,
    /// The temporary file holding the new content; `None` deletes the target.
    tmp: Option<String>,
    /// The backup of the existing target; `None` when the target does not exist yet.
    backup: Option<String>,
    /// The SHA-256 (hex) of the new content, to tell whether the target still holds what
    /// this commit wrote; `None` for a deletion (and in journals of older versions).
    #[serde(default)]
    after: Option<String>,
    /// The index of the operation in the transaction (not journaled).
    #[serde(skip)]
    op: usize,
}

impl Entry {
    fn dir(&self) -> &Path {
        folder(&self.target)
    }

    fn tmp_path(&self) -> Option<PathBuf> {
        self.tmp.as_ref().map(|t| self.dir().join(t))
    }

    fn backup_path(&self) -> Option<PathBuf> {
        self.backup.as_ref().map(|b| self.dir().join(b))
    }
}

/// What the journal records.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Journal {
    entries: Vec<Entry>,
    /// Folders the commit creates, deepest last.
    dirs: Vec<PathBuf>,
}

fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The journal once the commit is done: only clean-up is left.
fn committed_path(journal: &Path) -> PathBuf {
    journal.with_extension("committed.json")
}

impl Transaction {
    pub fn new() -> Self {
        Transaction::default()
    }

    /// A transaction on the repository at `root`: it keeps a journal while it commits
    /// ([`lock::journal_path`]), so that a crash half-way can be rolled back by
    /// [`recover`], and names files in errors relative to `root`.
    pub fn in_repository(root: &Path) -> Self {
        Transaction {
            journal: Some(lock::journal_path(root)),
            root: Some(root.to_owned()),
            ..Transaction::default()
        }
    }

    /// An error that names the file it is about.
    fn at(&self, e: std::io::Error, path: &Path) -> std::io::Error {
        let shown = self
            .root
            .as_deref()
            .and_then(|r| path.strip_prefix(r).ok())
            .unwrap_or(path);
        with_path(e, shown)
    }

    /// Writes `contents` to `path` (creating folders as needed).
    pub fn write(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.ops.push((path.into(), Some(contents.into())));
    }

    /// Deletes `path`.
    pub fn remove(&mut self, path: impl Into<PathBuf>) {
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
    #[cfg(any(test, feature = "fault-injection"))]
    pub fn fail_after(&mut self, n: usize) {
        self.fault = Some((n, Fault::Fail));
    }

    /// Makes the commit fail or crash after `n` files have been replaced (for tests).
    #[cfg(any(test, feature = "fault-injection"))]
    pub fn fault_after(&mut self, n: usize, fault: Fault) {
        self.fault = Some((n, fault));
    }

    pub fn commit(self) -> std::io::Result<()> {
        // 1. Look at every target before touching anything.
        let journal = self.plan()?;
        // 2. The journal, so that a crash from here on can be rolled back.
        let journal_path = self.write_journal(&journal)?;
        // 3–5, undone on any failure.
        let mut done = 0;
        if let Err(e) = self.apply(&journal, &mut done) {
            return Err(roll_back(&journal, done, journal_path, e));
        }
        // Done: mark the journal committed (the commit point), then clean up.
        sync_dirs(&journal);
        match journal_path {
            Some(path) => mark_committed(&journal, path),
            None => {
                cleanup(&journal);
                Ok(())
            }
        }
    }

    /// Step 1: every target looked at (no link on its way, a regular file if it exists),
    /// and the journal of what is to be done: each file's temporary and backup names,
    /// and the folders to create.
    fn plan(&self) -> std::io::Result<Journal> {
        let id = unique_id();
        let mut entries = Vec::with_capacity(self.ops.len());
        for (i, (path, contents)) in self.ops.iter().enumerate() {
            if let Some(root) = &self.root {
                no_link_under(root, path).map_err(|e| self.at(e, path))?;
            }
            let exists = match std::fs::symlink_metadata(path) {
                Ok(_) => {
                    regular_file(path).map_err(|e| self.at(e, path))?;
                    true
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(e) => return Err(self.at(e, path)),
            };
            if !exists && contents.is_none() {
                continue;
            }
            entries.push(Entry {
                target: path.clone(),
                tmp: contents.as_ref().map(|_| format!(".assure-{id}-{i}.tmp")),
                backup: exists.then(|| format!(".assure-{id}-{i}.bak")),
                after: contents.as_deref().map(sha256),
                op: i,
            });
        }
        let mut dirs: Vec<PathBuf> = Vec::new();
        for e in entries.iter().filter(|e| e.tmp.is_some()) {
            let mut missing = e.dir();
            while !missing.exists() && !dirs.iter().any(|d| d == missing) {
                dirs.push(missing.to_owned());
                match missing.parent() {
                    Some(p) if !p.as_os_str().is_empty() => missing = p,
                    _ => break,
                }
            }
        }
        dirs.sort_by_key(|d| d.components().count());
        Ok(Journal { entries, dirs })
    }

    /// Step 2: the journal written, when the transaction keeps one and every target's
    /// path can be written in it; its path.
    fn write_journal(&self, journal: &Journal) -> std::io::Result<Option<&Path>> {
        match &self.journal {
            Some(path) if journal.entries.iter().all(|e| e.target.to_str().is_some()) => {
                let json = serde_json::to_vec_pretty(journal).map_err(std::io::Error::other)?;
                write_atomic(path, &json).map_err(|e| with_path(e, path))?;
                Ok(Some(path.as_path()))
            }
            _ => Ok(None),
        }
    }

    /// Steps 3 to 5; `done` counts the targets replaced so far.
    fn apply(&self, journal: &Journal, done: &mut usize) -> std::io::Result<()> {
        for dir in &journal.dirs {
            match std::fs::create_dir(dir) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                    return Err(self.at(e, dir));
                }
                _ => {}
            }
        }
        // 3. Stage every new content.
        for e in &journal.entries {
            if let (Some(tmp), Some(bytes)) = (e.tmp_path(), self.ops[e.op].1.as_deref()) {
                stage(
                    &tmp,
                    bytes,
                    e.backup.is_some().then_some(e.target.as_path()),
                )
                .map_err(|err| self.at(err, &e.target))?;
            }
        }
        // 4. Back up every existing target.
        for e in &journal.entries {
            if let Some(backup) = e.backup_path() {
                back_up(&e.target, &backup).map_err(|err| self.at(err, &e.target))?;
            }
        }
        // 5. Replace, one by one.
        for (i, e) in journal.entries.iter().enumerate() {
            #[cfg(any(test, feature = "fault-injection"))]
            match self.fault {
                Some((n, Fault::Fail)) if n == i => {
                    return Err(std::io::Error::other("injected failure (test)"));
                }
                // A crash, as a test hook: nothing runs after it, no clean-up, no unwinding.
                Some((n, Fault::Crash)) if n == i => std::process::abort(),
                _ => {}
            }
            match e.tmp_path() {
                Some(tmp) => std::fs::rename(&tmp, &e.target),
                None => std::fs::remove_file(&e.target),
            }
            .map_err(|err| self.at(err, &e.target))?;
            *done = i + 1;
        }
        Ok(())
    }
}

/// Refuses a target in the repository at `root` that is a symbolic link, or lies in a
/// linked folder: the write would land wherever the link points (say outside the
/// repository), or replace a link that validation never followed.
fn no_link_under(root: &Path, path: &Path) -> std::io::Result<()> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let what = if at == path {
                    "it is a symbolic link".to_owned()
                } else {
                    format!(
                        "{} is a symbolic link",
                        at.strip_prefix(root).unwrap_or(&at).display()
                    )
                };
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!(
                        "{what}, and assure never writes through a link; replace the link with the file or folder itself"
                    ),
                ));
            }
            Ok(_) => {}
            // Nothing further down exists yet: it will be created as real folders.
            Err(_) => break,
        }
    }
    Ok(())
}

/// Refuses a target that is not a regular file (or a link to one): a folder, a named
/// pipe, a socket or a device is never silently replaced.
fn regular_file(path: &Path) -> std::io::Result<()> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        // A dangling link: it can be replaced, and backed up as a link.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_file() {
        return Ok(());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "it is {}, where a file should be written; move it out of the way and run the command again",
            crate::repo::hostile::kind(&meta.file_type())
        ),
    ))
}

/// Writes `bytes` to the new file `tmp` and flushes it to disk; it gets the permissions
/// of `like` (the file it replaces), else those of any new file.
fn stage(tmp: &Path, bytes: &[u8], like: Option<&Path>) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(tmp)?;
    if let Some(perm) = like
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.permissions())
    {
        file.set_permissions(perm)?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// A second name for `target`: a hard link, or a copy where hard links are not possible.
fn back_up(target: &Path, backup: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(target, backup) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            std::fs::copy(target, backup)?;
            Ok(())
        }
    }
}

/// Undoes the first `done` replacements and removes what the commit created; the first
/// error is returned, but every step is tried. A backup that could not be put back stays
/// (the journal names it, and [`recover`] tries again); every other backup and temporary
/// file goes.
fn undo(journal: &Journal, done: usize) -> std::io::Result<()> {
    let mut first = Ok(());
    let mut failed = Vec::new();
    for e in journal.entries[..done].iter().rev() {
        let r = match e.backup_path() {
            Some(backup) => std::fs::rename(&backup, &e.target),
            None => remove_if_exists(&e.target),
        };
        if let Err(err) = r {
            failed.push(e.backup_path());
            if first.is_ok() {
                first = Err(err);
            }
        }
    }
    for e in &journal.entries {
        let _ = e.tmp_path().map(|t| remove_if_exists(&t));
        if let Some(b) = e
            .backup_path()
            .filter(|b| !failed.contains(&Some(b.clone())))
        {
            let _ = remove_if_exists(&b);
        }
    }
    for dir in journal.dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
    first
}

/// The files replaced so far (`done`) put back after `e`, and the journal removed once
/// they are; the error to report (saying so when restoring failed too, which the next
/// editing command finishes from the journal).
fn roll_back(
    journal: &Journal,
    done: usize,
    journal_path: Option<&Path>,
    e: std::io::Error,
) -> std::io::Error {
    let restored = undo(journal, done);
    if restored.is_ok()
        && let Some(path) = journal_path
    {
        let _ = std::fs::remove_file(path);
    }
    match restored {
        Ok(()) => e,
        Err(r) => std::io::Error::new(
            e.kind(),
            format!(
                "{e}; and restoring the files failed too ({r}){}",
                journal_path.map_or(String::new(), |p| format!(
                    ": the next assure editing command finishes restoring them from {}",
                    p.display()
                ))
            ),
        ),
    }
}

/// The commit point: the journal at `path` renamed to say "committed", then the backups
/// and the journal removed. If the rename fails the change must not stay: it is undone.
fn mark_committed(journal: &Journal, path: &Path) -> std::io::Result<()> {
    let committed = committed_path(path);
    if let Err(e) = std::fs::rename(path, &committed) {
        // The journal still says "not committed", so the change must not stay.
        return match undo(journal, journal.entries.len()) {
            Ok(()) => {
                let _ = std::fs::remove_file(path);
                Err(e)
            }
            Err(r) => Err(std::io::Error::new(
                e.kind(),
                format!(
                    "{e}; and restoring the files failed too ({r}): the next assure editing command finishes restoring them from {}",
                    path.display()
                ),
            )),
        };
    }
    cleanup(journal);
    let _ = std::fs::remove_file(committed);
    Ok(())
}

/// Removes the temporary files and backups that are left.
fn cleanup(journal: &Journal) {
    for e in &journal.entries {
        for p in [e.tmp_path(), e.backup_path()].into_iter().flatten() {
            let _ = remove_if_exists(&p);
        }
    }
}

/// The SHA-256 of `bytes`, in hex.
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Whether the file at `path` (not followed if it is a link) holds exactly the bytes whose
/// hash is `hash`.
fn holds(path: &Path, hash: Option<&str>) -> bool {
    let Some(hash) = hash else { return false };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => std::fs::read(path).is_ok_and(|b| sha256(&b) == hash),
        _ => false,
    }
}

/// Whether anything (a file, a folder, a link, even a dangling one) is at `path`.
fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn remove_if_exists(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Flushes the folders whose entries changed, so the renames reach the disk before the
/// journal says the commit is done. Best effort: not every platform can open a folder.
fn sync_dirs(journal: &Journal) {
    let mut dirs: Vec<&Path> = journal.entries.iter().map(Entry::dir).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// What [`recover`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Recovered {
    /// An interrupted change was rolled back: these files have their content from before it.
    RolledBack(Vec<PathBuf>),
    /// A change that was complete had not been cleaned up; now it is.
    CleanedUp,
}

/// Why [`recover`] could not finish.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Files the interrupted change wrote were changed since: nothing was touched.
    #[error("{} changed since the interrupted edit", .0.files.iter().map(|(f, _)| f.display().to_string()).collect::<Vec<_>>().join(", "))]
    Changed(Changed),
}

/// An interrupted change that [`recover`] left as it is, because rolling it back would
/// destroy changes made since (by hand, say).
#[derive(Debug, PartialEq, Eq)]
pub struct Changed {
    /// The files that no longer hold what the interrupted change wrote (or that it
    /// deleted and that are back), each with the copy of its content from before the
    /// change, where there was one.
    pub files: Vec<(PathBuf, Option<PathBuf>)>,
    /// Every temporary file and backup the interrupted change left, to remove once the
    /// files are sorted out.
    pub left: Vec<PathBuf>,
    /// The journal, to remove once the files are sorted out.
    pub journal: PathBuf,
}

/// Where one target of an interrupted commit stands.
#[derive(Debug, PartialEq, Eq)]
enum State {
    /// The commit did not get to it: whatever is there is not the commit's to undo.
    Before,
    /// It holds what the commit wrote (or is gone, if the commit deleted it): roll back.
    After,
    /// It was replaced by the commit, then changed by someone else.
    Changed,
}

/// Where `e` stands. A temporary file is consumed by the rename that puts it in place,
/// and backups are made only once every temporary file is written, so "the temporary
/// file is gone and the backup is there" means the target was replaced; then the
/// recorded hash says whether it still holds what was written.
fn state(e: &Entry) -> State {
    let target = &e.target;
    match (e.tmp_path(), e.backup_path()) {
        (Some(tmp), _) if present(&tmp) => State::Before,
        (Some(_), Some(backup)) if !present(&backup) => State::Before,
        (Some(_), None) if !present(target) => State::Before,
        (Some(_), _) if holds(target, e.after.as_deref()) => State::After,
        (Some(_), _) => State::Changed,
        (None, Some(backup)) if !present(&backup) => State::Before,
        (None, Some(_)) if !present(target) => State::After,
        (None, Some(backup)) if same_file(&backup, target) => State::Before,
        (None, Some(_)) => State::Changed,
        (None, None) => State::Before,
    }
}

/// Finishes what an interrupted [`Transaction`] left behind, from its journal at `journal`:
/// a change not yet committed is rolled back (every target gets its content from before
/// the change), a committed one only loses its temporary files and backups. Call it only
/// while holding the lock ([`RepoLock`]), so that no commit is running. `None`: there was
/// nothing to do.
///
/// A file is restored only while it still holds what the interrupted change wrote (or,
/// if the change deleted it, while it is still gone). If any file was changed since — by
/// hand, by another program — nothing at all is touched and [`RecoverError::Changed`]
/// names the files: the journal, the backups and the temporary files stay until a person
/// has looked.
pub fn recover(journal: &Path) -> Result<Option<Recovered>, RecoverError> {
    let committed = committed_path(journal);
    if let Some(j) = read_journal(&committed)? {
        cleanup(&j);
        std::fs::remove_file(&committed)?;
        return Ok(Some(Recovered::CleanedUp));
    }
    let Some(j) = read_journal(journal)? else {
        return Ok(None);
    };
    let states: Vec<State> = j.entries.iter().map(state).collect();
    if states.contains(&State::Changed) {
        let files = j
            .entries
            .iter()
            .zip(&states)
            .filter(|(_, s)| **s == State::Changed)
            .map(|(e, _)| (e.target.clone(), e.backup_path().filter(|b| present(b))))
            .collect();
        let left = j
            .entries
            .iter()
            .flat_map(|e| [e.tmp_path(), e.backup_path()])
            .flatten()
            .filter(|p| present(p))
            .collect();
        return Err(RecoverError::Changed(Changed {
            files,
            left,
            journal: journal.to_owned(),
        }));
    }
    let mut restored = Vec::new();
    for (e, _) in j
        .entries
        .iter()
        .zip(&states)
        .rev()
        .filter(|(_, s)| **s == State::After)
    {
        match e.backup_path() {
            Some(backup) => std::fs::rename(&backup, &e.target)?,
            None => std::fs::remove_file(&e.target)?,
        }
        restored.push(e.target.clone());
    }
    cleanup(&j);
    for dir in j.dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
    std::fs::remove_file(journal)?;
    restored.reverse();
    Ok(Some(Recovered::RolledBack(restored)))
}

/// Whether `a` and `b` are names of one file (a hard link), or both hold the same bytes
/// (a backup made by copying).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if ma.dev() == mb.dev() && ma.ino() == mb.ino() {
            return true;
        }
    }
    ma.len() == mb.len() && std::fs::read(a).ok() == std::fs::read(b).ok()
}

fn read_journal(path: &Path) -> std::io::Result<Option<Journal>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the journal {} is damaged ({e}); check the files it names by hand (`git status`), then remove it",
                    path.display()
                ),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(with_path(e, path)),
    }
}

/// An error that names the file it is about.
fn with_path(e: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// A random id for the names of one commit's temporary files and backups (the standard
/// library's randomly seeded hasher is random enough; the lock keeps commits apart).
fn unique_id() -> String {
    use std::hash::BuildHasher;
    let n = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
    format!("{:08x}", n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `dir` with its bytes.
    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read_dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    out.push((p.display().to_string(), Vec::new()));
                    stack.push(p);
                } else {
                    out.push((p.display().to_string(), std::fs::read(&p).expect("read")));
                }
            }
        }
        out.sort();
        out
    }

    /// A folder with `a` and `b`, and a transaction that changes `a`, creates `new/c`
    /// and deletes `b`.
    fn setup() -> (tempfile::TempDir, Transaction) {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("a"), "a1").expect("write");
        std::fs::write(dir.path().join("b"), "b1").expect("write");
        let mut tx = Transaction::in_repository(dir.path());
        tx.write(dir.path().join("a"), "a2");
        tx.write(dir.path().join("new/deeper/c"), "c2");
        tx.remove(dir.path().join("b"));
        (dir, tx)
    }

    #[test]
    fn commits_everything() {
        let (dir, tx) = setup();
        tx.commit().expect("commit");
        let d = dir.path();
        assert_eq!(std::fs::read_to_string(d.join("a")).expect("a"), "a2");
        assert_eq!(
            std::fs::read_to_string(d.join("new/deeper/c")).expect("c"),
            "c2"
        );
        assert!(!d.join("b").exists());
        let names: Vec<String> = std::fs::read_dir(d)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".assure")), "{names:?}");
    }

    #[test]
    fn a_failure_at_any_step_changes_nothing() {
        for n in 0..3 {
            let (dir, mut tx) = setup();
            let before = files(dir.path());
            tx.fail_after(n);
            let err = tx.commit().expect_err("injected");
            assert!(err.to_string().contains("injected failure"), "{err}");
            assert_eq!(files(dir.path()), before, "after {n}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_target_that_is_not_a_file_is_refused_untouched() {
        let (dir, mut tx) = setup();
        std::fs::create_dir(dir.path().join("x")).expect("mkdir");
        tx.write(dir.path().join("x"), "x");
        let before = files(dir.path());
        let err = tx.commit().expect_err("a folder");
        assert_eq!(
            err.to_string(),
            "x: it is a folder, where a file should be written; move it out of the way and run the command again"
        );
        assert_eq!(files(dir.path()), before);
    }

    /// Commits up to the `n`-th rename and stops there, as a crash would (journal, backups
    /// and temporary files left as they are).
    fn crash_after(tx: &Transaction, n: usize) {
        let id = "crash";
        let entries: Vec<Entry> = tx
            .ops
            .iter()
            .enumerate()
            .map(|(i, (p, c))| Entry {
                target: p.clone(),
                tmp: c.as_ref().map(|_| format!(".assure-{id}-{i}.tmp")),
                backup: p.exists().then(|| format!(".assure-{id}-{i}.bak")),
                after: c.as_deref().map(sha256),
                op: i,
            })
            .collect();
        let dirs: Vec<PathBuf> = entries
            .iter()
            .filter(|e| e.tmp.is_some() && !e.dir().exists())
            .flat_map(|e| {
                let mut v: Vec<PathBuf> = e
                    .dir()
                    .ancestors()
                    .take_while(|d| !d.exists())
                    .map(Path::to_path_buf)
                    .collect();
                v.reverse();
                v
            })
            .collect();
        let journal = Journal { entries, dirs };
        write_atomic(
            tx.journal.as_ref().expect("journaled"),
            &serde_json::to_vec(&journal).expect("json"),
        )
        .expect("journal");
        let crashing = Transaction {
            ops: tx.ops.clone(),
            journal: tx.journal.clone(),
            root: None,
            fault: Some((n, Fault::Fail)),
        };
        let mut done = 0;
        let _ = crashing.apply(&journal, &mut done);
    }

    #[test]
    fn recover_rolls_back_a_crash_at_any_point() {
        for n in 0..=3 {
            let (dir, tx) = setup();
            let before = files(dir.path());
            crash_after(&tx, n);
            let journal = lock::journal_path(dir.path());
            assert!(journal.exists());
            let recovered = recover(&journal).expect("recover");
            let Some(Recovered::RolledBack(restored)) = recovered else {
                panic!("{recovered:?}")
            };
            assert_eq!(restored.len(), n, "after {n} renames: {restored:?}");
            assert_eq!(files(dir.path()), before, "after {n} renames");
            assert_eq!(recover(&journal).expect("again"), None);
        }
    }

    /// Replaces the file at `path` the way many editors save: a new file renamed over it.
    fn save_by_rename(path: &Path, text: &str) {
        let tmp = path.with_extension("editor-swap");
        std::fs::write(&tmp, text).expect("write");
        std::fs::rename(&tmp, path).expect("rename");
    }

    #[test]
    fn recover_leaves_everything_when_a_replaced_file_was_edited_since() {
        // (renames done, what is edited, how): every case where a file the crash left
        // holds something the commit did not write.
        type Edit = fn(&Path);
        let cases: [(usize, &str, Edit); 5] = [
            (1, "a", |d| {
                std::fs::write(d.join("a"), "a by hand").expect("w")
            }),
            (1, "a", |d| save_by_rename(&d.join("a"), "a by hand")),
            (2, "new/deeper/c", |d| {
                std::fs::write(d.join("new/deeper/c"), "c by hand").expect("w")
            }),
            (3, "b", |d| {
                std::fs::write(d.join("b"), "b again").expect("w")
            }),
            (1, "a", |d| std::fs::remove_file(d.join("a")).expect("rm")),
        ];
        for (n, name, edit) in cases {
            let (dir, tx) = setup();
            crash_after(&tx, n);
            edit(dir.path());
            let before = files(dir.path());
            let journal = lock::journal_path(dir.path());
            let err = recover(&journal).expect_err("changed since");
            let RecoverError::Changed(changed) = err else {
                panic!("{err}")
            };
            let names: Vec<PathBuf> = changed.files.iter().map(|(f, _)| f.clone()).collect();
            assert_eq!(names, vec![dir.path().join(name)], "{n} {name}");
            assert_eq!(files(dir.path()), before, "nothing touched: {n} {name}");
            assert!(journal.exists());
            assert!(changed.left.iter().all(|p| p.exists()) && !changed.left.is_empty());
            // The copy of the content from before the change is named (for "a", "a1").
            if name == "a" {
                let kept = changed.files[0].1.as_ref().expect("a backup");
                assert_eq!(std::fs::read_to_string(kept).expect("bak"), "a1");
            }
        }
    }

    #[test]
    fn recover_keeps_an_edit_of_a_file_the_crash_had_not_reached() {
        // The crash came before `a` was replaced; `a` was then saved by an editor (a new
        // file, so its backup no longer is a second name of it). It is the user's: kept,
        // and the rest is rolled back.
        let (dir, tx) = setup();
        crash_after(&tx, 0);
        save_by_rename(&dir.path().join("a"), "a by hand");
        let recovered = recover(&lock::journal_path(dir.path())).expect("recover");
        assert_eq!(recovered, Some(Recovered::RolledBack(Vec::new())));
        let d = dir.path();
        assert_eq!(
            std::fs::read_to_string(d.join("a")).expect("a"),
            "a by hand"
        );
        assert_eq!(std::fs::read_to_string(d.join("b")).expect("b"), "b1");
        assert!(!d.join("new").exists());
        let left: Vec<(String, Vec<u8>)> = files(d)
            .into_iter()
            .filter(|(p, _)| p.contains(".assure"))
            .collect();
        assert_eq!(left, Vec::new());
    }

    #[test]
    fn recover_after_the_commit_point_only_cleans_up() {
        let (dir, tx) = setup();
        crash_after(&tx, 3);
        let journal = lock::journal_path(dir.path());
        std::fs::rename(&journal, committed_path(&journal)).expect("commit point");
        assert_eq!(
            recover(&journal).expect("recover"),
            Some(Recovered::CleanedUp)
        );
        let d = dir.path();
        assert_eq!(std::fs::read_to_string(d.join("a")).expect("a"), "a2");
        assert!(!d.join("b").exists());
        assert_eq!(recover(&journal).expect("again"), None);
        let left: Vec<(String, Vec<u8>)> = files(d)
            .into_iter()
            .filter(|(p, _)| p.contains(".assure"))
            .collect();
        assert_eq!(left, Vec::new());
    }
}
