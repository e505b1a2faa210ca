//! The only code that reads the work tree: finding the repository root, listing its
//! files, and loading each one into a located, schema-checked, typed document.
//!
//! Loading never fails on bad content: a file that cannot be read, parsed or checked
//! becomes findings, and the rest of the repository is still loaded. Only a missing
//! repository is an error. Files are read and parsed in parallel, each exactly once.

pub mod hostile;
pub mod modeline;
pub mod source;
pub mod yaml;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::diag::{Code, Diagnostic};
use crate::model::{Assessment, Certification, Config, Group, Mapping, ServicesFile, Template};
use crate::schema::{self, Kind};
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
#[derive(Debug)]
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

/// What a listed path is, before reading it.
#[derive(Debug, Clone)]
enum Entry {
    Config,
    Group {
        id: String,
    },
    Assessment {
        group: String,
        stem: String,
    },
    Catalog(Kind),
    /// A file where none belongs (reported, not read).
    Unexpected,
    /// A group folder (a pseudo-file with no text).
    Folder {
        id: String,
    },
    /// A symbolic link where data belongs (reported, never followed).
    Link,
    /// The repository's copy of a JSON Schema (`schemas/<kind>.schema.json`), compared
    /// with the built-in one.
    Schema(Kind),
}

/// A file's content: read from disk, built in, or given (an edit not yet written).
#[derive(Clone)]
enum Content {
    Disk(PathBuf),
    Builtin(&'static str),
    Text(String),
    Empty,
    /// A symbolic link on disk: not read.
    Link,
}

/// Content that replaces what is on disk, for checking an edit before it is written:
/// repository-relative path → new text, or `None` for a file being deleted.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    pub files: std::collections::BTreeMap<String, Option<String>>,
    /// Evidence documents about to be added: path → SHA-256.
    pub evidence: std::collections::HashMap<String, String>,
}

#[derive(Clone)]
struct Job {
    path: String,
    entry: Entry,
    content: Content,
    /// The files in `schemas/` (repository-relative), for checking modelines.
    schemas: Arc<BTreeSet<String>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Typed {
    Config(Config),
    Group(Group),
    Assessment(Assessment),
    Services(ServicesFile),
    Certification(Certification),
    Template(Template),
    Mapping(Mapping),
}

#[derive(Clone)]
struct Loaded {
    text: String,
    parsed: Option<(Node, Typed)>,
    diagnostics: Vec<Diagnostic>,
}

/// Loads the repository at `root` and the built-in catalog.
pub fn load(root: &Path) -> Result<Workspace, RepoError> {
    load_with(root, &Overlay::default())
}

/// Loads only `assure.yaml` and the catalog (built-in and the repository's own): what
/// a review of a change needs without reading every assessment.
pub fn load_catalog(root: &Path) -> Result<Workspace, RepoError> {
    load_filtered(root, &Overlay::default(), &|e| {
        matches!(e, Entry::Config | Entry::Catalog(_))
    })
}

/// Loads the repository as it would be with `overlay` applied.
pub fn load_with(root: &Path, overlay: &Overlay) -> Result<Workspace, RepoError> {
    load_filtered(root, overlay, &|_| true)
}

/// Loads `assure.yaml`, the catalog, every group's `group.yaml`, and the assessments of
/// the groups in `groups` only: all that the rules need to check those groups (shared and
/// related controls sync within a group, DESIGN.md §4.4), whatever the other groups hold.
pub fn load_groups(
    root: &Path,
    groups: &std::collections::BTreeSet<String>,
    overlay: &Overlay,
) -> Result<Workspace, RepoError> {
    load_filtered(root, overlay, &|e| match e {
        Entry::Assessment { group, .. } => groups.contains(group),
        _ => true,
    })
}

fn load_filtered(
    root: &Path,
    overlay: &Overlay,
    keep: &(dyn Fn(&Entry) -> bool + Sync),
) -> Result<Workspace, RepoError> {
    let jobs = jobs(root, overlay, keep)?;
    let loaded = read_jobs(&jobs, 0, Values::Keep);
    let mut ws = Workspace::empty(root, SourceMap::default());
    ws.pending_evidence = overlay.evidence.clone();
    assemble(&mut ws, jobs, loaded);
    Ok(ws)
}

/// The files of a repository, grouped for reading one group at a time: everything but
/// the assessments first, then each group's assessments.
pub struct ByGroup {
    /// `assure.yaml`, the catalog, every group folder and `group.yaml`.
    pub rest: Workspace,
    /// Per group (in order), the jobs that read its assessments.
    groups: Vec<Vec<Job>>,
}

/// One group's assessments read ([`ByGroup::read_files`]), not yet in a workspace.
pub struct GroupFiles {
    loaded: Vec<Loaded>,
}

impl ByGroup {
    /// Lists the repository and reads all but the assessments.
    pub fn open(root: &Path) -> Result<ByGroup, RepoError> {
        Ok(Self::open_reading_ahead(root, 0, Values::Keep)?.0)
    }

    /// Like [`ByGroup::open`], and reads the assessments of the first `ahead` groups (as
    /// [`ByGroup::read_files`] does) on the cores the rest leaves idle: reading the rest
    /// is mostly a few large catalog files, one core each.
    pub fn open_reading_ahead(
        root: &Path,
        ahead: usize,
        values: Values,
    ) -> Result<(ByGroup, Vec<GroupFiles>), RepoError> {
        let mut rest = Vec::new();
        let mut groups: Vec<Vec<Job>> = Vec::new();
        let mut last_group: Option<String> = None;
        for job in jobs(root, &Overlay::default(), &|_| true)? {
            match &job.entry {
                Entry::Assessment { group, .. } => {
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
            || read_jobs(&rest, 0, Values::Keep),
            || {
                groups
                    .par_iter()
                    .take(ahead)
                    .map(|jobs| GroupFiles {
                        loaded: read_jobs(jobs, first, values),
                    })
                    .collect()
            },
        );
        let mut ws = Workspace::empty(root, SourceMap::default());
        assemble(&mut ws, rest, loaded);
        Ok((ByGroup { rest: ws, groups }, early))
    }

    /// How many groups have assessments.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
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
            loaded: read_jobs(&self.groups[i], first, values),
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
        assemble(&mut ws, self.groups[i].clone(), files.loaded);
        ws
    }
}

/// What to read: the built-in catalog, then the repository's files that `keep` accepts.
fn jobs(
    root: &Path,
    overlay: &Overlay,
    keep: &(dyn Fn(&Entry) -> bool + Sync),
) -> Result<Vec<Job>, RepoError> {
    let mut jobs = Vec::new();
    let schemas = Arc::new(schema_folder(root));
    for (path, text) in crate::assets::CATALOG_FILES {
        if let Some(kind) = catalog_kind(path) {
            jobs.push(Job {
                path: format!("<builtin>/{path}"),
                entry: Entry::Catalog(kind),
                content: Content::Builtin(text),
                schemas: schemas.clone(),
            });
        }
    }
    for (path, content) in list(root, overlay)? {
        let mut entry = classify(&path);
        if !keep(&entry) {
            continue;
        }
        if let Content::Link = content {
            entry = Entry::Link;
        }
        let content = if matches!(
            entry,
            Entry::Unexpected | Entry::Folder { .. } | Entry::Link
        ) {
            Content::Empty
        } else {
            content
        };
        jobs.push(Job {
            path,
            entry,
            content,
            schemas: schemas.clone(),
        });
    }
    Ok(jobs)
}

/// The files in the repository's `schemas/` folder, as repository-relative paths: what
/// a modeline may name there. Looked at as an editor would (through links), reading
/// nothing: a modeline check only asks whether its file is there.
fn schema_folder(root: &Path) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(root.join(modeline::FOLDER)) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| format!("{}/{}", modeline::FOLDER, e.file_name().to_string_lossy()))
        .collect()
}

/// Whether a file's YAML tree keeps its values once the typed model is made from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Values {
    /// Keep them (edits compare and rewrite values in the tree).
    Keep,
    /// Move them into the typed model: the tree keeps keys and spans, which is all that
    /// locating a finding needs, and no string is copied twice.
    Move,
    /// Build no tree (an empty one stands in) and keep no text: for a first pass that
    /// only asks whether there is any finding, and reads the files again with
    /// [`Values::Move`] if so.
    Skip,
}

/// Reads and parses `jobs` on every core; the first gets file id `first`.
fn read_jobs(jobs: &[Job], first: u32, values: Values) -> Vec<Loaded> {
    jobs.par_iter()
        .enumerate()
        .map(|(i, job)| {
            let i = u32::try_from(i).expect("fewer than 2^32 files");
            load_one(FileId(first + i), job, values)
        })
        .collect()
}

/// Adds what was read to `ws`, in the order of `jobs` (so file ids follow on from the
/// files `ws` has).
fn assemble(ws: &mut Workspace, jobs: Vec<Job>, loaded: Vec<Loaded>) {
    for (job, loaded) in jobs.into_iter().zip(loaded) {
        let file = ws.sources.add(job.path.clone(), loaded.text);
        ws.diagnostics.extend(loaded.diagnostics);
        match (job.entry, loaded.parsed) {
            (Entry::Folder { id }, _) => ws.groups.push(GroupDir {
                id,
                folder: file,
                doc: None,
                has_file: false,
            }),
            (Entry::Group { id }, parsed) => {
                let group = ws
                    .groups
                    .iter_mut()
                    .find(|g| g.id == id)
                    .expect("folders are listed before their files");
                group.has_file = true;
                if let Some((node, Typed::Group(value))) = parsed {
                    group.doc = Some(Doc { file, node, value });
                }
            }
            (Entry::Assessment { group, stem }, Some((node, Typed::Assessment(value)))) => {
                let modified = match &job.content {
                    Content::Disk(path) => std::fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .map(chrono::DateTime::<chrono::Utc>::from),
                    _ => None,
                };
                ws.assessments.push(AssessmentDoc {
                    group,
                    stem,
                    doc: Doc { file, node, value },
                    modified,
                });
            }
            (Entry::Config, Some((node, Typed::Config(value)))) => {
                ws.config = Some(Doc { file, node, value })
            }
            (Entry::Catalog(_), Some((node, typed))) => ws.catalog.push(match typed {
                Typed::Services(value) => CatalogDoc::Services(Doc { file, node, value }),
                Typed::Certification(value) => CatalogDoc::Certification(Doc { file, node, value }),
                Typed::Template(value) => CatalogDoc::Template(Doc { file, node, value }),
                Typed::Mapping(value) => CatalogDoc::Mapping(Doc { file, node, value }),
                _ => unreachable!("catalog entries parse to catalog kinds"),
            }),
            (Entry::Link, _) => {
                ws.diagnostics.push(hostile::symbolic_link(file));
                // A linked `group.yaml` is there, just not read: the finding says why,
                // and "missing" would not.
                if let Entry::Group { id } = classify(ws.sources.path(file))
                    && let Some(group) = ws.groups.iter_mut().find(|g| g.id == id)
                {
                    group.has_file = true;
                }
            }
            (Entry::Unexpected, _) => {
                let path = ws.sources.path(file).to_owned();
                ws.diagnostics.push(
                    Diagnostic::new(
                        Code::UnexpectedFile,
                        format!("`{path}` is not an assure file and is ignored"),
                    )
                    .at(file, 0..0, "ignored")
                    .help("assure reads `.yaml` files (rename a `.yml` file); evidence belongs under `evidence/`"),
                );
            }
            _ => {}
        }
    }
}

/// Lists the repository's files that assure looks at, with the overlay applied, sorted
/// by path (so ids and output never depend on the order the file system returns entries
/// in, and a group folder comes right before its files).
fn list(root: &Path, overlay: &Overlay) -> Result<Vec<(String, Content)>, RepoError> {
    let mut files: std::collections::BTreeMap<String, Content> = std::collections::BTreeMap::new();
    let config = root.join(CONFIG_FILE);
    files.insert(
        CONFIG_FILE.into(),
        if is_link(&config) {
            Content::Link
        } else {
            Content::Disk(config)
        },
    );
    // A linked `catalog/` or `groups/` is reported, and nothing under it is read.
    for top in ["catalog", "groups"] {
        if is_link(&root.join(top)) {
            files.insert(top.into(), Content::Link);
        }
    }
    for (path, disk, link) in sorted_files(root, "catalog", 2)? {
        // A linked folder (`catalog/certifications`) is reported like a linked file.
        let folder = matches!(
            path.as_str(),
            "catalog/certifications" | "catalog/templates" | "catalog/mappings"
        );
        if link && (folder || is_yaml(&path) || path.ends_with(".yml")) {
            files.insert(path, Content::Link);
        } else if is_yaml(&path) || path.ends_with(".yml") {
            files.insert(path, Content::Disk(disk));
        }
    }
    // The schema copies that are regular files in a real folder: assure reads nothing
    // through a link, and `schema --write` refuses to write through one.
    let folder = root.join(modeline::FOLDER);
    if !is_link(&folder) {
        for kind in Kind::ALL {
            let rel = modeline::schema_path(kind);
            let disk = root.join(&rel);
            if std::fs::symlink_metadata(&disk).is_ok_and(|m| m.file_type().is_file()) {
                files.insert(rel, Content::Disk(disk));
            }
        }
    }
    let groups = root.join("groups");
    if groups.is_dir() && !is_link(&groups) {
        for (name, path, kind) in read_dir(&groups)? {
            match kind {
                Listed::Link => {
                    files.insert(format!("groups/{name}"), Content::Link);
                    continue;
                }
                Listed::Other => {
                    files.insert(format!("groups/{name}"), Content::Empty);
                    continue;
                }
                Listed::Folder => {}
            }
            files.insert(format!("groups/{name}/"), Content::Empty);
            for (file, disk, kind) in read_dir(&path)? {
                let rel = format!("groups/{name}/{file}");
                // A folder named like a YAML file stands where a file belongs: it is
                // reported as not being a file.
                let (rel, content) = match kind {
                    Listed::Link => (rel, Content::Link),
                    Listed::Folder if !is_yaml(&file) => (format!("{rel}/"), Content::Disk(disk)),
                    _ => (rel, Content::Disk(disk)),
                };
                files.insert(rel, content);
            }
        }
    }
    for (path, text) in &overlay.files {
        match text {
            Some(text) => {
                if let Some(group) = path
                    .strip_prefix("groups/")
                    .and_then(|r| r.split_once('/'))
                    .map(|(g, _)| g)
                {
                    files
                        .entry(format!("groups/{group}/"))
                        .or_insert(Content::Empty);
                }
                files.insert(path.clone(), Content::Text(text.clone()));
            }
            None => {
                files.remove(path);
            }
        }
    }
    Ok(files.into_iter().collect())
}

/// What a repository-relative path is.
fn classify(path: &str) -> Entry {
    if path == CONFIG_FILE {
        return Entry::Config;
    }
    if path.starts_with("catalog/") {
        return catalog_kind(path).map_or(Entry::Unexpected, Entry::Catalog);
    }
    if let Some(kind) = path
        .strip_prefix("schemas/")
        .and_then(|f| f.strip_suffix(".schema.json"))
        .and_then(Kind::from_name)
    {
        return Entry::Schema(kind);
    }
    let Some(rest) = path.strip_prefix("groups/") else {
        return Entry::Unexpected;
    };
    match rest.split_once('/') {
        Some((group, "")) => Entry::Folder {
            id: group.to_owned(),
        },
        Some((group, "group.yaml")) => Entry::Group {
            id: group.to_owned(),
        },
        Some((group, file)) if is_yaml(file) && !file.contains('/') => Entry::Assessment {
            group: group.to_owned(),
            stem: file.trim_end_matches(".yaml").to_owned(),
        },
        _ => Entry::Unexpected,
    }
}

/// assure reads `.yaml` files only; a `.yml` file is reported as unexpected, so a file
/// named the other common way is never silently skipped.
fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml")
}

/// The kind of a catalog file from its path relative to the catalog's parent.
fn catalog_kind(path: &str) -> Option<Kind> {
    let rest = path.strip_prefix("catalog/")?;
    if !rest.ends_with(".yaml") {
        return None;
    }
    match rest.split_once('/') {
        None if rest == "services.yaml" => Some(Kind::Services),
        Some(("certifications", f)) if !f.contains('/') => Some(Kind::Certification),
        Some(("templates", f)) if !f.contains('/') => Some(Kind::Template),
        Some(("mappings", f)) if !f.contains('/') => Some(Kind::Mapping),
        _ => None,
    }
}

/// Whether `path` is a symbolic link (not followed).
fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// What a listed folder entry is, looked at without following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listed {
    Folder,
    Link,
    /// A file, a pipe…: reading it checks what it is.
    Other,
}

/// Non-hidden entries of a folder: (name, path, what it is). Symbolic links are not
/// followed.
fn read_dir(dir: &Path) -> Result<Vec<(String, PathBuf, Listed)>, RepoError> {
    let io = |source| RepoError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(io)?;
        let kind = if kind.is_symlink() {
            Listed::Link
        } else if kind.is_dir() {
            Listed::Folder
        } else {
            Listed::Other
        };
        out.push((name, entry.path(), kind));
    }
    Ok(out)
}

/// Files under `root/sub` up to `depth` levels, as sorted (relative path, disk path, is a
/// symbolic link); links are listed, not followed (nor is a linked `sub`, which lists
/// nothing).
fn sorted_files(
    root: &Path,
    sub: &str,
    depth: usize,
) -> Result<Vec<(String, PathBuf, bool)>, RepoError> {
    let dir = root.join(sub);
    if !dir.is_dir() || is_link(&dir) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&dir)
        .max_depth(depth)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| RepoError::Io {
            path: dir.clone(),
            source: e.into(),
        })?;
        if entry.file_type().is_dir() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = entry.path().strip_prefix(root).expect("walked under root");
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.push((rel, entry.path().to_owned(), entry.path_is_symlink()));
    }
    Ok(out)
}

fn load_one(file: FileId, job: &Job, values: Values) -> Loaded {
    // The built-in catalog is the same text every time (and comes first, so has the same
    // file ids): a process that loads the repository more than once (an edit, which
    // loads it again with the change; tests; the fuzzer) parses it once.
    if let Content::Builtin(_) = job.content {
        type Cache = std::collections::HashMap<(String, FileId, Values), Loaded>;
        static BUILTIN: std::sync::OnceLock<std::sync::Mutex<Cache>> = std::sync::OnceLock::new();
        let cache = BUILTIN.get_or_init(Default::default);
        let key = (job.path.clone(), file, values);
        if let Some(loaded) = cache.lock().expect("not poisoned").get(&key) {
            return loaded.clone();
        }
        let loaded = load_uncached(file, job, values);
        cache
            .lock()
            .expect("not poisoned")
            .insert(key, loaded.clone());
        return loaded;
    }
    load_uncached(file, job, values)
}

fn load_uncached(file: FileId, job: &Job, values: Values) -> Loaded {
    let mut diagnostics = Vec::new();
    let kind = match &job.entry {
        Entry::Config => Kind::Config,
        Entry::Group { .. } => Kind::Group,
        Entry::Assessment { .. } => Kind::Assessment,
        Entry::Catalog(kind) => *kind,
        Entry::Schema(kind) => return schema_copy(file, *kind, job),
        Entry::Unexpected | Entry::Folder { .. } | Entry::Link => {
            return Loaded {
                text: String::new(),
                parsed: None,
                diagnostics,
            };
        }
    };
    let text = match &job.content {
        Content::Builtin(text) => (*text).to_owned(),
        Content::Text(text) => text.clone(),
        Content::Empty | Content::Link => String::new(),
        Content::Disk(path) => match read_text(file, path, &job.path, &mut diagnostics) {
            Some(text) => text,
            None => {
                // Keep what can be shown (lossy) so the finding can show the line; only
                // a file that is not UTF-8 has one (a link out of the repository, a pipe,
                // a folder, a file too large are never read).
                let text = std::fs::metadata(path)
                    .ok()
                    .filter(|_| diagnostics.iter().any(|d| d.code == Code::NotUtf8))
                    .filter(|m| m.len() <= MAX_FILE_SIZE)
                    .and_then(|_| std::fs::read(path).ok())
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                return Loaded {
                    text,
                    parsed: None,
                    diagnostics,
                };
            }
        },
    };
    let parsed = parse_typed(file, kind, &text, values, &mut diagnostics);
    if !matches!(job.content, Content::Builtin(_))
        && let Some(d) = modeline::check(file, &job.path, kind, &text, &job.schemas)
    {
        diagnostics.push(d);
    }
    // A first pass keeps no text: a file with any finding is read again, with positions
    // (and the memory is reused at once, for the next file).
    let text = match values {
        Values::Skip if diagnostics.is_empty() => String::new(),
        _ => text,
    };
    Loaded {
        text,
        parsed,
        diagnostics,
    }
}

/// Compares the repository's copy of `kind`'s schema with the built-in one: a copy that
/// differs is a warning (`schema-outdated`), and keeps its text for the finding's line.
fn schema_copy(file: FileId, kind: Kind, job: &Job) -> Loaded {
    let mut diagnostics = Vec::new();
    let builtin = crate::assets::schema(kind.name()).unwrap_or_default();
    let text = match &job.content {
        Content::Disk(path) => match hostile::stat(path, &job.path) {
            // Larger than any schema: not read, and certainly not the same.
            hostile::Stat::File(m) if m.len() > 4 * builtin.len() as u64 + 4096 => {
                Some(String::new())
            }
            hostile::Stat::File(_) => std::fs::read(path)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            // Listed as a regular file a moment ago: gone or replaced since.
            _ => None,
        },
        _ => None,
    };
    let text = match text {
        Some(text) if text != builtin => {
            diagnostics.push(
                Diagnostic::new(
                    Code::SchemaOutdated,
                    format!(
                        "this copy of the {} schema differs from the one of assure {}, so editors check the files against other rules than `assure validate`",
                        kind.name(),
                        env!("CARGO_PKG_VERSION")
                    ),
                )
                .at(file, 0..0, "outdated copy")
                .help("run `assure schema --write` to refresh the copies in schemas/, then commit them"),
            );
            text
        }
        _ => String::new(),
    };
    Loaded {
        text,
        parsed: None,
        diagnostics,
    }
}

fn read_text(file: FileId, path: &Path, rel: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    let unreadable = |e: std::io::Error| {
        Diagnostic::new(Code::FileUnreadable, format!("cannot read this file: {e}")).at(
            file,
            0..0,
            "unreadable",
        )
    };
    // Never open a named pipe (it would block), a folder, or a link out of the repository.
    let meta = match hostile::stat(path, rel) {
        hostile::Stat::File(m) => m,
        hostile::Stat::Io(e) => {
            out.push(unreadable(e));
            return None;
        }
        hostile::Stat::NotAFile(what) => {
            out.push(hostile::not_a_file(file, what));
            return None;
        }
        hostile::Stat::Link => {
            out.push(hostile::symbolic_link(file));
            return None;
        }
    };
    if meta.len() > MAX_FILE_SIZE {
        out.push(
            Diagnostic::new(
                Code::FileTooLarge,
                format!(
                    "the file is {} MiB; YAML files may be at most {} MiB",
                    meta.len() / (1024 * 1024),
                    MAX_FILE_SIZE / (1024 * 1024)
                ),
            )
            .at(file, 0..0, "not read")
            .help("split the file or remove data that does not belong in it"),
        );
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            out.push(unreadable(e));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            // The lossy text has the same bytes up to `at`, so the span is valid in it.
            out.push(
                Diagnostic::new(
                    Code::NotUtf8,
                    format!(
                        "the file is not UTF-8: byte {at} (0x{:02x}) is not valid UTF-8",
                        e.as_bytes()[at]
                    ),
                )
                // The file is shown lossily: the bad byte became U+FFFD there.
                .at(
                    file,
                    at..at + char::REPLACEMENT_CHARACTER.len_utf8(),
                    "invalid byte here",
                )
                .help("re-save the file with UTF-8 encoding"),
            );
            None
        }
    }
}

/// Parses `text` as YAML, checks it against the schema of `kind` and converts it to the
/// typed model. Pushes findings; returns `None` when the file cannot be used further.
fn parse_typed(
    file: FileId,
    kind: Kind,
    text: &str,
    values: Values,
    out: &mut Vec<Diagnostic>,
) -> Option<(Node, Typed)> {
    // When no position is wanted: straight to the typed model if the file is plainly
    // valid, else straight to JSON; a file that does not parse is read again below, for
    // the located error.
    if let Values::Skip = values {
        let node = Node {
            span: 0..0,
            value: yaml::Value::Null,
        };
        if let Some(typed) = fast_typed(kind, text) {
            return Some((node, typed));
        }
        if let Ok(value) = yaml::parse_to_json(text) {
            return checked(kind, file, node, value, out);
        }
    }
    let mut node = match yaml::parse(text) {
        Ok(node) => node,
        Err(e) => {
            if let Some(d) = hostile::merge_conflict(file, text) {
                out.push(d);
                return None;
            }
            out.push(yaml_finding(file, e));
            return None;
        }
    };
    let value = match values {
        Values::Keep => node.to_json(),
        Values::Move | Values::Skip => node.take_json(),
    };
    checked(kind, file, node, value, out)
}

/// The finding for a file that is not YAML assure can read, with the way out.
pub fn yaml_finding(file: FileId, e: yaml::Error) -> Diagnostic {
    let code = match &e.kind {
        yaml::ErrorKind::Syntax | yaml::ErrorKind::Unprintable => Code::YamlSyntax,
        yaml::ErrorKind::TooDeep => Code::YamlTooDeep,
        yaml::ErrorKind::AliasBudget => Code::YamlAliasBomb,
        yaml::ErrorKind::DuplicateKey { .. } => Code::YamlDuplicateKey,
        yaml::ErrorKind::Unsupported => Code::YamlUnsupported,
        yaml::ErrorKind::MultipleDocuments => Code::YamlMultipleDocuments,
    };
    let mut d = Diagnostic::new(code, e.message).at(file, e.span, "here");
    match e.kind {
        yaml::ErrorKind::Syntax => d = d.help(
            "fix the YAML at this point or just before it: close every bracket and quote, check the indentation, and quote a value that holds `: ` or ` #` or starts with one of [ ] { } & * ! | > ' % @",
        ),
        yaml::ErrorKind::Unprintable => d = d.help(
            "remove it; in a double-quoted value, write it as an escape instead (`\\u0002`)",
        ),
        yaml::ErrorKind::TooDeep => d = d.help(
            "this is not an assure file, or it is damaged: restore it from git (`git restore FILE`) or write it in the shape `assure schema` shows",
        ),
        _ => {}
    }
    if let yaml::ErrorKind::DuplicateKey { first } = e.kind {
        d = d.also(file, first, "first defined here");
    }
    d
}

/// The typed model of `text` by the fast route ([`stream`]): `None` unless the file is
/// plainly valid, in which case the model is the one [`checked`] makes.
fn fast_typed(kind: Kind, text: &str) -> Option<Typed> {
    let plan = schema::plan(kind)?;
    Some(match kind {
        Kind::Config => Typed::Config(stream::read(text, plan)?),
        Kind::Group => Typed::Group(stream::read(text, plan)?),
        Kind::Assessment => Typed::Assessment(stream::read(text, plan)?),
        Kind::Services => Typed::Services(stream::read(text, plan)?),
        Kind::Certification => Typed::Certification(stream::read(text, plan)?),
        Kind::Template => Typed::Template(stream::read(text, plan)?),
        Kind::Mapping => Typed::Mapping(stream::read(text, plan)?),
    })
}

/// Checks a file's JSON against the schema of `kind` and converts it to the typed model.
fn checked(
    kind: Kind,
    file: FileId,
    node: Node,
    value: serde_json::Value,
    out: &mut Vec<Diagnostic>,
) -> Option<(Node, Typed)> {
    if !schema::check(kind, file, &node, &value, out) {
        return None;
    }
    fn typed<T: DeserializeOwned>(
        value: serde_json::Value,
        file: FileId,
        node: &Node,
        out: &mut Vec<Diagnostic>,
    ) -> Option<T> {
        match serde_json::from_value(value) {
            Ok(v) => Some(v),
            Err(e) => {
                out.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("the file's content is not valid: {e}"),
                    )
                    .at(file, node.span.start..node.span.start, "in this file"),
                );
                None
            }
        }
    }
    let typed = match kind {
        Kind::Config => Typed::Config(typed(value, file, &node, out)?),
        Kind::Group => Typed::Group(typed(value, file, &node, out)?),
        Kind::Assessment => Typed::Assessment(typed(value, file, &node, out)?),
        Kind::Services => Typed::Services(typed(value, file, &node, out)?),
        Kind::Certification => Typed::Certification(typed(value, file, &node, out)?),
        Kind::Template => Typed::Template(typed(value, file, &node, out)?),
        Kind::Mapping => Typed::Mapping(typed(value, file, &node, out)?),
    };
    Some((node, typed))
}
