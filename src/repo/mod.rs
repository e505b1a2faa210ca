//! The only code that reads the repository's files: finding the root, and the one
//! loader, [`load`], which lists the files of a [`Source`] (the work tree, or a git
//! revision's [`Snapshot`] that `ops` reads through `git/`) in a [`Scope`] (`list.rs`),
//! and loads each one into a located, schema-checked, typed document (`read.rs`).
//! [`ByGroup`] is the same loader, one group at a time, for validating a large
//! repository in the memory of a few groups.
//!
//! Loading never fails on bad content: a file that cannot be read, parsed or checked
//! becomes findings, and the rest of the repository is still loaded. Only a missing
//! repository is an error. Files are read and parsed in parallel, each exactly once.

pub mod hostile;
mod list;
pub mod modeline;
mod read;
pub mod source;
pub mod yaml;

pub use read::yaml_finding;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::model::{Assessment, Certification, Config, Group, Mapping, ServicesFile, Template};
use source::{FileId, SourceMap};
use yaml::{Node, stream};

/// Files larger than this are refused unread (`file-too-large`).
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The name of the file that marks a repository root.
pub const CONFIG_FILE: &str = "assure.yaml";

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("no {CONFIG_FILE} found in {} or any folder above it; run `assure init` to start a repository, or pass -C DIR", .0.display())]
    NotFound(PathBuf),
    #[error("{} is {what}, not a file; {CONFIG_FILE} must be the repository's YAML configuration file", .path.display())]
    NotAFile { path: PathBuf, what: &'static str },
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Finds the repository root: the nearest folder at or above `start` holding `assure.yaml`.
pub fn discover(start: &Path) -> Result<PathBuf, RepoError> {
    let start = std::path::absolute(start).map_err(|source| RepoError::Io {
        path: start.to_owned(),
        source,
    })?;
    let root = start
        .ancestors()
        .find(|dir| std::fs::symlink_metadata(dir.join(CONFIG_FILE)).is_ok())
        .ok_or_else(|| RepoError::NotFound(start.clone()))?;
    let config = root.join(CONFIG_FILE);
    match std::fs::metadata(&config) {
        Ok(m) if !m.is_file() => Err(RepoError::NotAFile {
            path: config,
            what: hostile::kind(&m.file_type()),
        }),
        // A dangling link is reported when the file is read.
        _ => Ok(root.to_path_buf()),
    }
}

/// A file's parsed YAML and its typed value.
#[derive(Debug, Clone)]
pub struct Doc<T> {
    pub file: FileId,
    pub node: Node,
    pub value: T,
}

/// One folder under `groups/`.
#[derive(Debug, Clone)]
pub struct GroupDir {
    /// The folder name, which is the group's id.
    pub id: String,
    /// A pseudo-file standing for the folder, so findings about it have a location.
    pub folder: FileId,
    /// `group.yaml`, if present and valid.
    pub doc: Option<Doc<Group>>,
    /// Whether `group.yaml` exists at all (valid or not).
    pub has_file: bool,
}

/// One assessment file.
#[derive(Debug)]
pub struct AssessmentDoc {
    pub group: String,
    /// The file name without `.yaml`, normally `<service>--<certification>`.
    pub stem: String,
    pub doc: Doc<Assessment>,
    /// When the file last changed (its modification time; git history refines this).
    pub modified: Option<chrono::DateTime<chrono::Utc>>,
}

impl AssessmentDoc {
    /// `group/service--certification`, the way commands name an assessment.
    pub fn key(&self) -> String {
        format!(
            "{}/{}--{}",
            self.group, self.doc.value.service, self.doc.value.certification
        )
    }

    /// The file's repository-relative path, `groups/<group>/<stem>.yaml`.
    pub fn path(&self) -> String {
        format!("groups/{}/{}.yaml", self.group, self.stem)
    }

    pub fn is_archived(&self) -> bool {
        self.doc.value.archived.is_some()
    }
}

/// A catalog file, built-in or the repository's own.
#[derive(Debug)]
pub enum CatalogDoc {
    Services(Doc<ServicesFile>),
    Certification(Doc<Certification>),
    Template(Doc<Template>),
    Mapping(Doc<Mapping>),
}

/// Everything read from one repository (plus the built-in catalog).
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub sources: SourceMap,
    pub config: Option<Doc<Config>>,
    pub groups: Vec<GroupDir>,
    /// Every valid assessment, ordered by (group, file name).
    pub assessments: Vec<AssessmentDoc>,
    /// Built-in catalog files first, then the repository's.
    pub catalog: Vec<CatalogDoc>,
    /// Findings made while loading: unreadable, malformed and schema-invalid files.
    pub diagnostics: Vec<Diagnostic>,
    /// Evidence an edit is about to add (path → SHA-256), not yet on disk.
    pub pending_evidence: std::collections::HashMap<String, String>,
}

impl Workspace {
    /// A workspace with `sources` and nothing read into it yet.
    fn empty(root: &Path, sources: SourceMap) -> Workspace {
        Workspace {
            root: root.to_owned(),
            sources,
            config: None,
            groups: Vec::new(),
            assessments: Vec::new(),
            catalog: Vec::new(),
            diagnostics: Vec::new(),
            pending_evidence: Default::default(),
        }
    }
}

/// Content that replaces what is on disk, for checking an edit before it is written:
/// repository-relative path → new text, or `None` for a file being deleted.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    pub files: std::collections::BTreeMap<String, Option<String>>,
    /// Evidence documents about to be added: path → SHA-256.
    pub evidence: std::collections::HashMap<String, String>,
}

/// Where a load reads the repository's files from.
#[derive(Debug, Clone, Default)]
pub enum Source {
    /// The files on disk under the root.
    #[default]
    WorkTree,
    /// The files of a git revision, read by the caller (`ops` asks `git/`): this module
    /// never opens git.
    Revision(Arc<Snapshot>),
}

/// A repository's files as a git revision holds them: repository-relative path → entry,
/// for the paths under `assure.yaml`, `catalog/`, `groups/` and `schemas/`.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub files: std::collections::BTreeMap<String, SnapshotEntry>,
}

/// One path of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotEntry {
    /// A regular file's bytes.
    File(Vec<u8>),
    /// A regular file larger than [`MAX_FILE_SIZE`], not read: its size.
    TooLarge(u64),
    /// A symbolic link (never followed).
    Link,
    /// Something else where a file belongs (a submodule): what it is.
    NotAFile(&'static str),
}

/// Which of the repository's files a load reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    #[default]
    All,
    /// `assure.yaml`, the catalog, every group's `group.yaml`, and the assessments of
    /// these groups only: all that the rules need to check those groups (shared and
    /// related controls sync within a group, DESIGN.md §4.4), whatever the other groups
    /// hold.
    Groups(BTreeSet<String>),
    /// `assure.yaml` and the catalog (built-in and the repository's own): what a review
    /// of a change needs without reading every assessment.
    Catalog,
}

impl Scope {
    /// Whether a listed path is read.
    fn keeps(&self, entry: &list::Entry) -> bool {
        use list::Entry;
        match self {
            Scope::All => true,
            Scope::Groups(groups) => match entry {
                Entry::Assessment { group, .. } => groups.contains(group),
                _ => true,
            },
            Scope::Catalog => matches!(entry, Entry::Config | Entry::Catalog(_)),
        }
    }
}

/// The one way to load a repository: the files of `source` that `scope` names, with
/// `overlay` laid over them (an edit not yet written), and the built-in catalog.
/// Whatever the source, the same files give the same workspace, findings included.
pub fn load(
    root: &Path,
    source: &Source,
    scope: &Scope,
    overlay: &Overlay,
) -> Result<Workspace, RepoError> {
    let jobs = list::jobs(root, source, overlay, scope)?;
    let loaded = read::read_jobs(&jobs, 0, Values::Keep);
    let mut ws = Workspace::empty(root, SourceMap::default());
    ws.pending_evidence = overlay.evidence.clone();
    read::assemble(&mut ws, jobs, loaded);
    Ok(ws)
}

/// The files of a repository, grouped for reading one group at a time: everything but
/// the assessments first, then each group's assessments.
pub struct ByGroup {
    /// `assure.yaml`, the catalog, every group folder and `group.yaml`.
    pub rest: Workspace,
    /// Per group (in order), the jobs that read its assessments.
    groups: Vec<Vec<list::Job>>,
}

/// One group's assessments read ([`ByGroup::read_files`]), not yet in a workspace.
pub struct GroupFiles {
    loaded: Vec<read::Loaded>,
}

impl ByGroup {
    /// Lists the whole repository at `source` (as [`load`] does), reads all but the
    /// assessments, and reads the assessments of the first `ahead` groups (as
    /// [`ByGroup::read_files`] does) on the cores the rest leaves idle: reading the rest
    /// is mostly a few large catalog files, one core each.
    pub fn open(
        root: &Path,
        source: &Source,
        ahead: usize,
        values: Values,
    ) -> Result<(ByGroup, Vec<GroupFiles>), RepoError> {
        let mut rest = Vec::new();
        let mut groups: Vec<Vec<list::Job>> = Vec::new();
        let mut last_group: Option<String> = None;
        for job in list::jobs(root, source, &Overlay::default(), &Scope::All)? {
            match &job.entry {
                list::Entry::Assessment { group, .. } => {
                    if last_group.as_ref() != Some(group) {
                        last_group = Some(group.clone());
                        groups.push(Vec::new());
                    }
                    groups.last_mut().expect("pushed above").push(job);
                }
                _ => rest.push(job),
            }
        }
        let first = u32::try_from(rest.len()).expect("fewer than 2^32 files");
        let (loaded, early) = rayon::join(
            || read::read_jobs(&rest, 0, Values::Keep),
            || {
                groups
                    .par_iter()
                    .take(ahead)
                    .map(|jobs| GroupFiles {
                        loaded: read::read_jobs(jobs, first, values),
                    })
                    .collect()
            },
        );
        let mut ws = Workspace::empty(root, SourceMap::default());
        read::assemble(&mut ws, rest, loaded);
        Ok((ByGroup { rest: ws, groups }, early))
    }

    /// How many groups have assessments.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// How many assessment files there are, in all groups.
    pub fn assessment_count(&self) -> usize {
        self.groups.iter().map(Vec::len).sum()
    }

    /// The id of the `i`-th group.
    pub fn group_id(&self, i: usize) -> Option<&str> {
        self.groups.get(i)?.iter().find_map(|job| match &job.entry {
            list::Entry::Assessment { group, .. } => Some(group.as_str()),
            _ => None,
        })
    }

    /// The path of every assessment file listed (read or not yet), in group order.
    pub fn assessment_paths(&self) -> Vec<String> {
        let path = |job: &list::Job| match &job.entry {
            list::Entry::Assessment { group, stem } => Some(format!("groups/{group}/{stem}.yaml")),
            _ => None,
        };
        self.groups.iter().flatten().filter_map(path).collect()
    }

    /// Reads the assessments of the `i`-th group into a workspace of their own, which
    /// has `assure.yaml` (and the same file ids as [`ByGroup::rest`] for every file of it)
    /// but no groups and no catalog: what the rules about assessments read.
    pub fn read(&self, i: usize, values: Values) -> Workspace {
        self.workspace(i, self.read_files(i, values))
    }

    /// Reads the assessments of the `i`-th group, for [`ByGroup::workspace`].
    pub fn read_files(&self, i: usize, values: Values) -> GroupFiles {
        let first = u32::try_from(self.rest.sources.len()).expect("fewer than 2^32 files");
        GroupFiles {
            loaded: read::read_jobs(&self.groups[i], first, values),
        }
    }

    /// The workspace of the `i`-th group (see [`ByGroup::read`]) from its files.
    pub fn workspace(&self, i: usize, files: GroupFiles) -> Workspace {
        let rest = &self.rest;
        let mut sources = SourceMap::default();
        for id in 0..rest.sources.len() {
            let id = FileId(u32::try_from(id).expect("fewer than 2^32 files"));
            sources.add(rest.sources.path(id).to_owned(), String::new());
        }
        let mut ws = Workspace::empty(&rest.root, sources);
        ws.config = rest.config.clone();
        read::assemble(&mut ws, self.groups[i].clone(), files.loaded);
        ws
    }
}

/// Whether a file's YAML tree keeps its values once the typed model is made from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Values {
    /// Keep them where they are read from the tree: `assure.yaml`'s (the gate finds a
    /// person's entry by email); the other files' move as with [`Values::Move`].
    Keep,
    /// Move them into the typed model: the tree keeps keys and spans, which is all that
    /// locating a finding needs, and no string is copied twice.
    Move,
    /// Build no tree (an empty one stands in) and keep no text: for a first pass that
    /// only asks whether there is any finding, and reads the files again with
    /// [`Values::Move`] if so.
    Skip,
}
