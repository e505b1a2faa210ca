//! Git history as the audit trail (DESIGN.md §6.1): `assure log`.
//!
//! For each commit that changed what is asked about, the field-level changes against
//! its first parent. Each blob version is parsed once (cached by blob id), and a commit
//! whose tree entry for the asked-about file did not change is skipped without reading
//! anything.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use git2::Oid;
use serde::Serialize;
use serde_json::Value as J;

use super::changes::{Change, FileVersions, file_changes};
use crate::git::{CommitInfo, Git, GitError};

/// One side of a comparison: a commit, or the work tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Empty,
    Commit(Oid),
    WorkTree,
}

/// Reads files at revisions, parsing each distinct blob once.
pub struct Versions<'g> {
    pub git: &'g Git,
    root: PathBuf,
    cache: RefCell<HashMap<Oid, Option<J>>>,
    /// How many file versions were read and parsed (for tests of cost).
    pub parsed: Cell<usize>,
}

impl<'g> Versions<'g> {
    pub fn new(git: &'g Git, root: &Path) -> Self {
        Versions {
            git,
            root: root.to_owned(),
            cache: RefCell::new(HashMap::new()),
            parsed: Cell::new(0),
        }
    }

    /// Whether `path` exists at `side`, and its content as JSON (`None` when absent or
    /// not readable as YAML).
    pub fn json(&self, side: Side, path: &str) -> Result<(bool, Option<J>), GitError> {
        match side {
            Side::Empty => Ok((false, None)),
            Side::WorkTree => {
                let Ok(text) = std::fs::read_to_string(self.root.join(path)) else {
                    return Ok((self.root.join(path).exists(), None));
                };
                self.parsed.set(self.parsed.get() + 1);
                Ok((true, crate::repo::yaml::parse_to_json(&text).ok()))
            }
            Side::Commit(c) => {
                let Some(blob) = self.git.blob_id(c, path)? else {
                    return Ok((false, None));
                };
                if let Some(v) = self.cache.borrow().get(&blob) {
                    return Ok((true, v.clone()));
                }
                self.parsed.set(self.parsed.get() + 1);
                let v = if path.ends_with(".yaml") {
                    self.git
                        .blob_text(blob)
                        .and_then(|t| crate::repo::yaml::parse_to_json(&t).ok())
                } else {
                    None
                };
                self.cache.borrow_mut().insert(blob, v.clone());
                Ok((true, v))
            }
        }
    }

    /// The blob id of `path` at `side` (the work tree has none).
    pub fn blob(&self, side: Side, path: &str) -> Result<Option<Oid>, GitError> {
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
                let (old_exists, old_json) = self.json(old, p)?;
                let (new_exists, new_json) = self.json(new, p)?;
                Ok(FileVersions {
                    path: p.clone(),
                    old: old_json,
                    new: new_json,
                    old_exists,
                    new_exists,
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

/// What to show.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// `group/service--certification`
    pub assessment: Option<String>,
    pub control: Option<String>,
    pub since: Option<NaiveDate>,
    /// Part of the author's email or name.
    pub author: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogChange {
    pub path: String,
    pub change: String,
    /// The assessment (`group/service--certification`) or group it is about.
    pub subject: Option<String>,
    pub control: Option<String>,
    pub field: Option<String>,
    pub old: Option<J>,
    pub new: Option<J>,
    /// A unified diff, for long text.
    pub diff: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub commit: CommitInfo,
    pub changes: Vec<LogChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Log {
    /// Newest first.
    pub entries: Vec<LogEntry>,
    /// In a shallow clone, the oldest commit whose parents are missing: history stops.
    pub shallow_boundary: Option<CommitInfo>,
}

/// A long or multi-line text change as a unified diff.
fn text_diff(old: &J, new: &J) -> Option<String> {
    let (o, n) = (old.as_str().unwrap_or(""), new.as_str().unwrap_or(""));
    if !(o.contains('\n') || n.contains('\n') || o.len() > 60 || n.len() > 60) {
        return None;
    }
    let with_newline = |s: &str| {
        if s.is_empty() || s.ends_with('\n') {
            s.to_owned()
        } else {
            format!("{s}\n")
        }
    };
    let (o, n) = (with_newline(o), with_newline(n));
    let diff = similar::TextDiff::from_lines(&o, &n);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        out.push(sign);
        out.push_str(change.value());
    }
    Some(out)
}

pub fn log_change(path: &str, change: &Change) -> LogChange {
    let mut c = LogChange {
        path: path.to_owned(),
        change: change.describe(),
        subject: change.assessment().map(str::to_owned),
        control: None,
        field: None,
        old: None,
        new: None,
        diff: None,
    };
    match change {
        Change::ControlField {
            control,
            field,
            old,
            new,
            ..
        } => {
            c.control = Some(control.clone());
            c.field = Some(field.clone());
            c.diff = text_diff(old, new);
            c.old = Some(old.clone());
            c.new = Some(new.clone());
        }
        Change::GroupRenamed { group, from, to } => {
            c.subject = Some(group.clone());
            c.old = Some(J::String(from.clone()));
            c.new = Some(J::String(to.clone()));
        }
        Change::GroupCreated { group } | Change::GroupDescription { group } => {
            c.subject = Some(group.clone())
        }
        _ => {}
    }
    c
}

/// The audit trail: newest first.
pub fn log(git: &Git, root: &Path, query: &LogQuery) -> Result<Log, GitError> {
    let versions = Versions::new(git, root);
    if git.is_unborn() {
        return Ok(Log {
            entries: Vec::new(),
            shallow_boundary: None,
        });
    }
    let head = git.resolve("HEAD")?;
    let path = query
        .assessment
        .as_ref()
        .map(|a| format!("groups/{}.yaml", a.trim_end_matches(".yaml")));
    let group_file = query
        .assessment
        .as_ref()
        .and_then(|a| a.split_once('/'))
        .map(|(g, _)| format!("groups/{g}/group.yaml"));
    let mut entries = Vec::new();
    let mut shallow_boundary = None;
    for id in git.range(None, head)?.into_iter().rev() {
        let info = git.commit_info(id)?;
        if query.since.is_some_and(|d| info.time.date_naive() < d) {
            continue;
        }
        if let Some(a) = &query.author {
            let a = a.to_lowercase();
            if !info.author_email.to_lowercase().contains(&a)
                && !info.author_name.to_lowercase().contains(&a)
            {
                continue;
            }
        }
        let parent = match info.parents.first() {
            Some(&p) if git.commit_info(p).is_ok() => Side::Commit(p),
            Some(_) => {
                // A shallow clone: the parent is not here, so this commit's changes
                // cannot be told apart from what came before.
                shallow_boundary = Some(info);
                continue;
            }
            None => Side::Empty,
        };
        let me = Side::Commit(id);
        let paths: Vec<String> = match (&path, &group_file) {
            (Some(p), Some(g)) => {
                let mut changed = Vec::new();
                for f in [p, g] {
                    if versions.blob(parent, f)? != versions.blob(me, f)? {
                        changed.push(f.clone());
                    }
                }
                changed
            }
            _ => versions
                .changed_files(parent, me)?
                .into_iter()
                .filter(|p| p == "assure.yaml" || p.starts_with("groups/"))
                .collect(),
        };
        if paths.is_empty() {
            continue;
        }
        let files = versions.file_versions(parent, me, &paths)?;
        let changes: Vec<LogChange> = file_changes(&files)
            .iter()
            .filter(|fc| match (&query.control, &fc.change) {
                (Some(c), Change::ControlField { control, .. }) => control == c,
                (
                    Some(_),
                    Change::GroupRenamed { .. }
                    | Change::GroupCreated { .. }
                    | Change::GroupDescription { .. },
                ) => true,
                (Some(_), other) => other.assessment().is_some(),
                (None, _) => true,
            })
            .map(|fc| log_change(&fc.path, &fc.change))
            .collect();
        if !changes.is_empty() {
            entries.push(LogEntry {
                commit: info,
                changes,
            });
        }
    }
    Ok(Log {
        entries,
        shallow_boundary,
    })
}

/// When each file last changed: the time of the last commit that changed it, or, for a
/// file with uncommitted changes (or outside git), `None` (callers fall back to the
/// file's modification time). Walks history from HEAD only until every path is found.
pub fn last_commit_times(
    root: &Path,
    paths: &[String],
) -> HashMap<String, chrono::DateTime<chrono::Utc>> {
    let mut out = HashMap::new();
    let Ok(Some(git)) = Git::open(root) else {
        return out;
    };
    let Ok(head) = git.resolve("HEAD") else {
        return out;
    };
    let dirty: std::collections::HashSet<String> = git
        .changed_files(Some(head), None)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mut wanted: std::collections::HashSet<&String> =
        paths.iter().filter(|p| !dirty.contains(*p)).collect();
    let Ok(ids) = git.range(None, head) else {
        return out;
    };
    for id in ids.into_iter().rev() {
        if wanted.is_empty() {
            break;
        }
        let Ok(info) = git.commit_info(id) else { break };
        let parent = info.parents.first().copied();
        let Ok(changed) = git.changed_files(parent, Some(id)) else {
            break;
        };
        for p in changed {
            if wanted.remove(&p) {
                out.insert(p, info.time);
            }
        }
    }
    out
}
