//! Reading files at revisions for comparisons (`diff`, `log`, the gate, notifications):
//! [`Versions`], which parses each distinct blob once, and reads a file's version at one
//! commit as its version at the other side of the comparison with the touched controls'
//! entries re-read (see [`super::cut`]).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value as J;

use super::changes::FileVersions;
use super::cut::{Cut, Keep};
use crate::git::{BlobId, CommitId, EntryKind, Git, GitError};

/// One side of a comparison: a commit, or the work tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Empty,
    Commit(CommitId),
    WorkTree,
}

/// Reads files at revisions, parsing each distinct blob once.
pub struct Versions<'g> {
    pub git: &'g Git,
    root: PathBuf,
    /// By blob id (but the versions read through [`Versions::file_versions`] at two
    /// commits, and the [`Versions::only_control`] file's versions).
    cache: RefCell<HashMap<BlobId, Option<J>>>,
    /// Bytes of YAML behind the cached versions; past [`CACHE_BYTES`] the cache starts
    /// over, so a walk through a long history holds a few versions, not all of them.
    cached_bytes: Cell<usize>,
    /// The versions of the file [`Versions::only_control`] is about, by blob id: each
    /// read, when it can be, as the version on the other side of its comparison with one
    /// control's entry replaced (see [`super::cut`]).
    cuts: RefCell<HashMap<BlobId, Rc<Cut>>>,
    /// The versions of YAML files [`Versions::file_versions`] reads at two commits, whole,
    /// by blob id: each new version read, when it can be, as the old one with the touched
    /// controls' entries replaced.
    wholes: RefCell<HashMap<BlobId, Rc<Cut>>>,
    /// How many file versions were read and parsed (for tests of cost).
    pub parsed: Cell<usize>,
    /// How many of those were read as another version with one entry replaced.
    pub incremental: Cell<usize>,
    /// Whether versions may be read so (a test compares with reading them whole).
    incremental_on: bool,
    max_blob: u64,
    cache_bytes: usize,
    /// An assessment file's path and the one control to keep of its versions.
    only: Option<(String, String)>,
}

/// A path as one side has it.
#[derive(Debug, Clone)]
pub struct Read {
    pub kind: EntryKind,
    /// The content as JSON, when it is a regular YAML file that parses.
    pub json: Option<J>,
    /// Its size, when it is over the limit and was not read.
    pub too_large: Option<u64>,
    /// Its git blob id (in the work tree, the id its bytes would have; a link's is its
    /// target's text), when it exists and is within the limit.
    pub blob: Option<BlobId>,
}

impl Read {
    /// A path that is not there.
    fn absent() -> Self {
        Read {
            kind: EntryKind::Absent,
            json: None,
            too_large: None,
            blob: None,
        }
    }
}

/// How much YAML (parsed, it takes about ten times as much memory) the cache keeps.
const CACHE_BYTES: usize = 16 << 20;

/// A version's JSON: given away when nothing else holds the version, else copied.
fn json_of(cut: Option<Rc<Cut>>) -> Option<J> {
    match Rc::try_unwrap(cut?) {
        Ok(cut) => cut.json,
        Err(shared) => shared.json.clone(),
    }
}

impl<'g> Versions<'g> {
    pub fn new(git: &'g Git, root: &Path) -> Self {
        Versions {
            git,
            root: root.to_owned(),
            cache: RefCell::new(HashMap::new()),
            cached_bytes: Cell::new(0),
            cuts: RefCell::new(HashMap::new()),
            wholes: RefCell::new(HashMap::new()),
            parsed: Cell::new(0),
            incremental: Cell::new(0),
            incremental_on: true,
            max_blob: crate::git::DEFAULT_MAX_BLOB,
            cache_bytes: CACHE_BYTES,
            only: None,
        }
    }

    /// Keeps at most `bytes` of YAML behind the cached versions (a walk that reads each
    /// version right after the one before needs only a few); 0: none, so each version
    /// read is handed over, not copied (for a caller that reads each version once).
    pub fn set_cache_bytes(&mut self, bytes: usize) {
        self.cache_bytes = bytes;
    }

    /// Reads the assessment file at `path` (at commits) with only `control` among its
    /// controls: what `log A C` compares. A version that does not read as an assessment
    /// is kept whole, so every comparison of the file comes out as with the whole
    /// versions, restricted to that control.
    pub fn only_control(&mut self, path: &str, control: &str) {
        self.only = Some((path.to_owned(), control.to_owned()));
    }

    /// Reads every version whole (`false`), not as the other side of its comparison
    /// with a few controls' entries replaced: the same result, for tests to compare.
    pub fn set_incremental(&mut self, on: bool) {
        self.incremental_on = on;
    }

    /// How `path`'s versions at commits are read next to each other (when `pair`, both
    /// sides of the comparison are commits): cut down to the [`Self::only_control`]
    /// control, or whole; `None` when each is parsed on its own.
    fn keep(&self, path: &str, pair: bool) -> Option<Keep<'_>> {
        match &self.only {
            Some((p, control)) if p == path => Some(Keep::Control(control)),
            _ if pair && self.incremental_on && path.ends_with(".yaml") => Some(Keep::Whole),
            _ => None,
        }
    }

    /// The versions kept as `keep` says, by blob id.
    fn cuts(&self, keep: Keep) -> &RefCell<HashMap<BlobId, Rc<Cut>>> {
        match keep {
            Keep::Control(_) => &self.cuts,
            Keep::Whole => &self.wholes,
        }
    }

    /// Blobs (and work-tree files) larger than this are not read (see
    /// [`crate::git::DEFAULT_MAX_BLOB`]); each one met is a [`Read::too_large`], which the
    /// change checks report.
    pub fn set_max_blob(&mut self, max: u64) {
        self.max_blob = max;
    }

    /// The size limit over which blobs are not read.
    pub fn max_blob(&self) -> u64 {
        self.max_blob
    }

    /// Takes the size limit from `assure.yaml` at `side` (`limits.max_blob_bytes`); the
    /// default stays when it does not load.
    pub fn limit_from(&mut self, side: Side) -> Result<(), GitError> {
        if let Some(config) = self
            .json(side, "assure.yaml")?
            .1
            .and_then(|j| serde_json::from_value::<crate::model::Config>(j).ok())
        {
            self.max_blob = config.limits.max_blob_bytes;
        }
        Ok(())
    }

    /// Whether `path` exists at `side`, and its content as JSON (`None` when absent, not
    /// a regular file, too large, or not readable as YAML).
    pub fn json(&self, side: Side, path: &str) -> Result<(bool, Option<J>), GitError> {
        let read = self.read(side, path)?;
        Ok((read.kind != EntryKind::Absent, read.json))
    }

    /// What `path` is at `side`, and its content as JSON when it is a regular YAML file
    /// within the size limit. A symbolic link, a submodule or a folder is never read.
    pub fn read(&self, side: Side, path: &str) -> Result<Read, GitError> {
        let Side::Commit(c) = side else {
            return Ok(self.read_other(side, path));
        };
        let Some(keep) = self.keep(path, false) else {
            return self.read_commit(c, path);
        };
        let mut read = self.commit_entry(c, path)?;
        let cut = self.cut(&mut read, None, keep)?;
        read.json = json_of(cut);
        Ok(read)
    }

    /// [`Self::read`] of the empty side or the work tree.
    fn read_other(&self, side: Side, path: &str) -> Read {
        match side {
            Side::WorkTree => self.read_work_tree(path),
            _ => Read::absent(),
        }
    }

    /// `path` at both sides. At two commits (and the [`Self::only_control`] file at any),
    /// the version already read first (if either is), the other read next to it.
    fn read_pair(&self, old: Side, new: Side, path: &str) -> Result<(Read, Read), GitError> {
        let pair = matches!((old, new), (Side::Commit(_), Side::Commit(_)));
        let Some(keep) = self.keep(path, pair) else {
            return Ok((self.read(old, path)?, self.read(new, path)?));
        };
        let new_known = match new {
            Side::Commit(c) => self
                .git
                .entry_id(c, path)?
                .is_some_and(|b| self.cuts(keep).borrow().contains_key(&b)),
            _ => false,
        };
        let (first, second) = if new_known { (new, old) } else { (old, new) };
        let (mut a, cut_a) = self.read_kept(first, path, None, keep)?;
        let (mut b, cut_b) = self.read_kept(second, path, cut_a.as_deref(), keep)?;
        // Neither is needed any more as a base: a version the cache does not keep gives
        // its JSON away rather than a copy of it.
        a.json = json_of(cut_a).or(a.json);
        b.json = json_of(cut_b).or(b.json);
        Ok(if new_known { (b, a) } else { (a, b) })
    }

    /// `path` at `side`, kept as `keep` says at a commit, read when it can be as `base`
    /// with a few controls' entries replaced: the entry (its JSON left out at a
    /// commit) and the version kept.
    fn read_kept(
        &self,
        side: Side,
        path: &str,
        base: Option<&Cut>,
        keep: Keep,
    ) -> Result<(Read, Option<Rc<Cut>>), GitError> {
        let Side::Commit(c) = side else {
            return Ok((self.read_other(side, path), None));
        };
        let mut read = self.commit_entry(c, path)?;
        let cut = self.cut(&mut read, base, keep)?;
        Ok((read, cut))
    }

    /// [`Self::read`] in the work tree: links are hashed by their target, never followed.
    fn read_work_tree(&self, path: &str) -> Read {
        let mut read = Read::absent();
        let full = self.root.join(path);
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            return read;
        };
        read.kind = if meta.file_type().is_symlink() {
            EntryKind::Link
        } else if meta.is_file() {
            EntryKind::File
        } else {
            // Never open a named pipe (it would block until written) or a folder.
            EntryKind::Folder
        };
        if read.kind == EntryKind::Link {
            read.blob = std::fs::read_link(&full)
                .ok()
                .and_then(|t| Git::hash_blob(t.to_string_lossy().as_bytes()).ok());
        }
        if read.kind != EntryKind::File {
            return read;
        }
        if meta.len() > self.max_blob {
            read.too_large = Some(meta.len());
            return read;
        }
        let Ok(bytes) = std::fs::read(&full) else {
            return read;
        };
        read.blob = Git::hash_blob(&bytes).ok();
        let Ok(text) = String::from_utf8(bytes) else {
            return read;
        };
        if !path.ends_with(".yaml") {
            return read;
        }
        self.parsed.set(self.parsed.get() + 1);
        read.json = crate::repo::yaml::parse_to_json(&text).ok();
        read
    }

    /// What `path` is at commit `c`, and its blob id, its content not read.
    fn commit_entry(&self, c: CommitId, path: &str) -> Result<Read, GitError> {
        let mut read = Read::absent();
        read.kind = self.git.entry_kind(c, path)?;
        read.blob = self.git.entry_id(c, path)?;
        Ok(read)
    }

    /// [`Self::read`] at commit `c`: each blob parsed once, through the cache.
    fn read_commit(&self, c: CommitId, path: &str) -> Result<Read, GitError> {
        let mut read = self.commit_entry(c, path)?;
        if read.kind != EntryKind::File {
            return Ok(read);
        }
        let Some(blob) = read.blob else {
            return Ok(read);
        };
        if let Some(v) = self.cache.borrow().get(&blob) {
            read.json = v.clone();
            return Ok(read);
        }
        if !path.ends_with(".yaml") {
            return Ok(read);
        }
        let text = match self.blob_text(blob) {
            Ok(text) => text,
            Err(size) => {
                read.too_large = Some(size);
                return Ok(read);
            }
        };
        let v = text
            .as_deref()
            .and_then(|t| crate::repo::yaml::parse_to_json(t).ok());
        let size = text.map_or(0, |t| t.len());
        if self.keeps() {
            self.remember(blob, v.clone(), size);
        }
        read.json = v;
        Ok(read)
    }

    /// The text of blob `blob` (`None`: not UTF-8), counted as a version parsed; its size
    /// when over the limit.
    fn blob_text(&self, blob: BlobId) -> Result<Option<String>, u64> {
        let text = self.git.blob_text_within(blob, self.max_blob)?;
        self.parsed.set(self.parsed.get() + 1);
        Ok(text)
    }

    /// The version of `read` (a regular file at a commit), kept as `keep` says: from the
    /// cache, or read as `base` with a few controls' entries replaced when it is that,
    /// else parsed whole; `None` when it is not a regular file, or too large (then
    /// `read.too_large` says so).
    fn cut(
        &self,
        read: &mut Read,
        base: Option<&Cut>,
        keep: Keep,
    ) -> Result<Option<Rc<Cut>>, GitError> {
        let Some(blob) = read.blob.filter(|_| read.kind == EntryKind::File) else {
            return Ok(None);
        };
        if let Some(cut) = self.cuts(keep).borrow().get(&blob) {
            return Ok(Some(Rc::clone(cut)));
        }
        let text = match self.blob_text(blob) {
            Ok(text) => text,
            Err(size) => {
                read.too_large = Some(size);
                return Ok(None);
            }
        };
        let next = match (&text, base) {
            (Some(t), Some(base)) if self.incremental_on => Cut::next(base, t, keep),
            _ => None,
        };
        if next.is_some() {
            self.incremental.set(self.incremental.get() + 1);
        }
        let cut = Rc::new(next.unwrap_or_else(|| Cut::full(text, keep)));
        if self.keeps() {
            self.make_room(cut.size());
            self.cuts(keep).borrow_mut().insert(blob, Rc::clone(&cut));
        }
        Ok(Some(cut))
    }

    /// Whether the cache keeps versions: not when its limit is 0 (else one version over
    /// the limit is kept alone).
    fn keeps(&self) -> bool {
        self.cache_bytes > 0
    }

    /// Caches a blob's parsed version (`size` bytes of YAML), starting the cache over
    /// past the limit.
    fn remember(&self, key: BlobId, v: Option<J>, size: usize) {
        self.make_room(size);
        self.cache.borrow_mut().insert(key, v);
    }

    /// Starts the caches over if `size` more bytes would take them past the limit.
    fn make_room(&self, size: usize) {
        if self.cached_bytes.get() + size > self.cache_bytes {
            self.cache.borrow_mut().clear();
            self.cuts.borrow_mut().clear();
            self.wholes.borrow_mut().clear();
            self.cached_bytes.set(0);
        }
        self.cached_bytes.set(self.cached_bytes.get() + size);
    }

    /// The compliance root in the work tree.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The blob id of `path` at `side` (the work tree has none).
    pub fn blob(&self, side: Side, path: &str) -> Result<Option<BlobId>, GitError> {
        match side {
            Side::Commit(c) => self.git.blob_id(c, path),
            _ => Ok(None),
        }
    }

    /// Both versions of each path.
    pub fn file_versions(
        &self,
        old: Side,
        new: Side,
        paths: &[String],
    ) -> Result<Vec<FileVersions>, GitError> {
        paths
            .iter()
            .map(|p| {
                let (o, n) = self.read_pair(old, new, p)?;
                Ok(FileVersions {
                    path: p.clone(),
                    old_exists: o.kind != EntryKind::Absent,
                    new_exists: n.kind != EntryKind::Absent,
                    old: o.json,
                    new: n.json,
                    old_kind: o.kind,
                    new_kind: n.kind,
                    new_too_large: n.too_large,
                    old_blob: o.blob,
                    new_blob: n.blob,
                })
            })
            .collect()
    }

    /// The files that differ between two sides, relative to the compliance root.
    pub fn changed_files(&self, old: Side, new: Side) -> Result<Vec<String>, GitError> {
        let commit = |s: Side| match s {
            Side::Commit(c) => Some(c),
            _ => None,
        };
        match new {
            Side::WorkTree => self.git.changed_files(commit(old), None),
            _ => self.git.changed_files(commit(old), commit(new)),
        }
    }
}
