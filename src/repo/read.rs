//! Reading what [`super::list`] listed: each file's bytes checked (size, UTF-8, what it
//! is), parsed into a located YAML tree, checked against its schema and made into the
//! typed model, on every core; then assembled into a [`Workspace`] in listing order.
//! Bad content becomes findings, never an error.

use std::path::Path;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use super::list::{Content, Entry, Job, classify};
use super::source::FileId;
use super::yaml::{self, Node};
use super::{
    AssessmentDoc, CatalogDoc, Doc, GroupDir, MAX_FILE_SIZE, Values, Workspace, hostile, modeline,
    stream,
};
use crate::diag::{Code, Diagnostic};
use crate::model::{Assessment, Certification, Config, Group, Mapping, ServicesFile, Template};
use crate::schema::{self, Kind};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Typed {
    Config(Config),
    Group(Group),
    Assessment(Assessment),
    Services(ServicesFile),
    Certification(Certification),
    Template(Template),
    Mapping(Mapping),
}

#[derive(Clone)]
pub(super) struct Loaded {
    text: String,
    parsed: Option<(Node, Typed)>,
    diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// A file that was not parsed: the text to show its findings in, and the findings.
    fn unread(text: String, diagnostics: Vec<Diagnostic>) -> Loaded {
        Loaded {
            text,
            parsed: None,
            diagnostics,
        }
    }
}

/// Reads and parses `jobs` on every core; the first gets file id `first`.
pub(super) fn read_jobs(jobs: &[Job], first: u32, values: Values) -> Vec<Loaded> {
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
pub(super) fn assemble(ws: &mut Workspace, jobs: Vec<Job>, loaded: Vec<Loaded>) {
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
        Content::TooLarge(size) => {
            diagnostics.push(too_large(file, *size));
            return Loaded::unread(String::new(), diagnostics);
        }
        Content::NotAFile(what) => {
            diagnostics.push(hostile::not_a_file(file, what));
            return Loaded::unread(String::new(), diagnostics);
        }
        Content::Blob(bytes) if bytes.len() as u64 > MAX_FILE_SIZE => {
            diagnostics.push(too_large(file, bytes.len() as u64));
            return Loaded::unread(String::new(), diagnostics);
        }
        Content::Blob(bytes) => match decode(file, bytes.to_vec(), &mut diagnostics) {
            Some(text) => text,
            None => {
                let text = String::from_utf8_lossy(bytes).into_owned();
                return Loaded::unread(text, diagnostics);
            }
        },
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
        Content::Blob(bytes) if bytes.len() > 4 * builtin.len() + 4096 => Some(String::new()),
        Content::Blob(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Content::TooLarge(_) => Some(String::new()),
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
        out.push(too_large(file, meta.len()));
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            out.push(unreadable(e));
            return None;
        }
    };
    decode(file, bytes, out)
}

/// The finding for a file larger than [`MAX_FILE_SIZE`], which is not read.
fn too_large(file: FileId, size: u64) -> Diagnostic {
    Diagnostic::new(
        Code::FileTooLarge,
        format!(
            "the file is {} MiB; YAML files may be at most {} MiB",
            size / (1024 * 1024),
            MAX_FILE_SIZE / (1024 * 1024)
        ),
    )
    .at(file, 0..0, "not read")
    .help("split the file or remove data that does not belong in it")
}

/// A file's bytes as text, or `None` with a `not-utf8` finding.
fn decode(file: FileId, bytes: Vec<u8>, out: &mut Vec<Diagnostic>) -> Option<String> {
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
        let node = Node::new(0..0, yaml::Value::Null);
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
    // (Only `assure.yaml`'s values are read from its tree: the gate finds a person's
    // entry by email. An edit rewrites a file from its text, parsed again with its
    // layout.)
    let value = match values {
        Values::Keep if kind == Kind::Config => node.to_json(),
        _ => node.take_json(),
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
pub(super) fn fast_typed(kind: Kind, text: &str) -> Option<Typed> {
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
pub(super) fn checked(
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
