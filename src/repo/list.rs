//! Listing what a load reads: the repository's files at a [`Source`] (the work tree, or
//! a revision's [`Snapshot`]), with an [`Overlay`] laid over them, sorted by path, each
//! classified by what it is (`assure.yaml`, a group, an assessment, a catalog file…).
//! Nothing here parses; `read.rs` does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{CONFIG_FILE, Overlay, RepoError, Scope, Snapshot, SnapshotEntry, Source, modeline};
use crate::schema::Kind;

#[derive(Clone)]
pub(super) struct Job {
    pub(super) path: String,
    pub(super) entry: Entry,
    pub(super) content: Content,
    /// The files in `schemas/` (repository-relative), for checking modelines.
    pub(super) schemas: Arc<BTreeSet<String>>,
}

/// What a listed path is, before reading it.
#[derive(Debug, Clone)]
pub(super) enum Entry {
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

/// A file's content: read from disk, built in, a revision's blob, or given (an edit not
/// yet written).
#[derive(Clone)]
pub(super) enum Content {
    Disk(PathBuf),
    Builtin(&'static str),
    Text(String),
    /// A revision's file: its bytes, checked as a file on disk is (size, UTF-8).
    Blob(Arc<[u8]>),
    /// A revision's file larger than [`super::MAX_FILE_SIZE`]: its size.
    TooLarge(u64),
    /// A revision's entry that is not a file (a submodule): what it is.
    NotAFile(&'static str),
    Empty,
    /// A symbolic link: not read.
    Link,
}

/// What to read: the built-in catalog, then the files of `source` (with `overlay` laid
/// over them) that `scope` keeps.
pub(super) fn jobs(
    root: &Path,
    source: &Source,
    overlay: &Overlay,
    scope: &Scope,
) -> Result<Vec<Job>, RepoError> {
    let mut jobs = Vec::new();
    let (files, schemas) = match source {
        Source::WorkTree => (list(root)?, schema_folder(root)),
        Source::Revision(snapshot) => list_snapshot(snapshot),
    };
    let files = lay_over(files, overlay);
    let schemas = Arc::new(schemas);
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
    for (path, content) in files {
        let mut entry = classify(&path);
        if !scope.keeps(&entry) {
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

/// Lists the work tree's files that assure looks at, sorted by path (so ids and output
/// never depend on the order the file system returns entries in, and a group folder
/// comes right before its files).
fn list(root: &Path) -> Result<BTreeMap<String, Content>, RepoError> {
    let mut files: BTreeMap<String, Content> = BTreeMap::new();
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
    Ok(files)
}

/// `files` with `overlay` laid over them: its texts replace (or add) files, its `None`s
/// remove them; a file added in a new group brings the group's folder.
fn lay_over(mut files: BTreeMap<String, Content>, overlay: &Overlay) -> Vec<(String, Content)> {
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
    files.into_iter().collect()
}

/// Lists a revision's files as [`list`] lists the work tree's: the same paths, folders
/// and kinds, so that a revision loads as a checkout of it would. Also returns the
/// files of its `schemas/` folder (for the modeline checks).
fn list_snapshot(snapshot: &Snapshot) -> (BTreeMap<String, Content>, BTreeSet<String>) {
    let mut files = BTreeMap::new();
    let mut schemas = BTreeSet::new();
    for (path, entry) in &snapshot.files {
        // Hidden files and folders are not listed, as on disk.
        if path.split('/').any(|c| c.starts_with('.')) {
            continue;
        }
        let content = || match entry {
            SnapshotEntry::File(bytes) => Content::Blob(bytes.as_slice().into()),
            SnapshotEntry::TooLarge(size) => Content::TooLarge(*size),
            SnapshotEntry::Link => Content::Link,
            SnapshotEntry::NotAFile(what) => Content::NotAFile(what),
        };
        let is_file = matches!(entry, SnapshotEntry::File(_) | SnapshotEntry::TooLarge(_));
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            [CONFIG_FILE] => {
                files.insert(path.clone(), content());
            }
            ["catalog" | "groups"] => {
                files.insert(path.clone(), Content::Link);
            }
            ["catalog", rest @ ..] => {
                let folder = matches!(rest, ["certifications" | "templates" | "mappings"]);
                let yaml = path.ends_with(".yaml") || path.ends_with(".yml");
                if rest.len() <= 2 && ((folder && !is_file) || yaml) {
                    files.insert(path.clone(), content());
                }
            }
            ["schemas", _] if is_file => {
                schemas.insert(path.clone());
                if Kind::ALL.iter().any(|k| modeline::schema_path(*k) == *path) {
                    files.insert(path.clone(), content());
                }
            }
            ["groups", _] => {
                // A file, link or submodule directly under `groups/`.
                let content = match entry {
                    SnapshotEntry::Link => Content::Link,
                    _ => Content::Empty,
                };
                files.insert(path.clone(), content);
            }
            ["groups", group, rest @ ..] => {
                files.insert(format!("groups/{group}/"), Content::Empty);
                match rest {
                    [_] => {
                        files.insert(path.clone(), content());
                    }
                    // A folder inside a group: named like a YAML file it stands where a
                    // file belongs (reported as not being one), else it is unexpected.
                    [sub, ..] if is_yaml(sub) => {
                        files.insert(
                            format!("groups/{group}/{sub}"),
                            Content::NotAFile("a folder"),
                        );
                    }
                    [sub, ..] => {
                        files.insert(format!("groups/{group}/{sub}/"), Content::Empty);
                    }
                    [] => {}
                }
            }
            _ => {}
        }
    }
    (files, schemas)
}

/// What a repository-relative path is.
pub(super) fn classify(path: &str) -> Entry {
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
pub(super) fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml")
}

/// The kind of a catalog file from its path relative to the catalog's parent.
pub(super) fn catalog_kind(path: &str) -> Option<Kind> {
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
pub(super) fn is_link(path: &Path) -> bool {
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
