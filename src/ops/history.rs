//! Git history as the audit trail (DESIGN.md §6.1): `assure log`.
//!
//! For each commit that changed what is asked about, the field-level changes against
//! its first parent. Each blob version is parsed once (cached by blob id), and a commit
//! whose tree entry for the asked-about file did not change is skipped without reading
//! anything.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value as J;

use super::changes::Change;
pub use super::versions::{Read, Side, Versions};
use crate::git::{CommitId, CommitInfo, EntryKind, Git, GitError};

mod files;
pub use files::*;

/// What to show.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// `group/service--certification`
    pub assessment: Option<String>,
    pub control: Option<String>,
    pub since: Option<NaiveDate>,
    /// Part of the author's email or name.
    pub author: Option<String>,
    /// The newest commit read (`None`: HEAD): the history of a view as of that commit.
    pub until: Option<CommitId>,
    /// Only the newest this many entries (`log -n`): the walk stops once it has them.
    pub max_count: Option<usize>,
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
    /// `assure log` only: the commit's SSH signature checked against its author's
    /// `signing_keys` as listed before the commit (at its first parent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<super::signatures::Signature>,
    /// Whether anyone had signing keys then (the human log shows signatures only then, or
    /// when the commit is signed).
    #[serde(skip)]
    pub keys_listed: bool,
    /// `assure log` only: the reason the commit states for a compliance regression (its
    /// `Compliance-Regression:` trailer, see `ops::ratchet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regression_reason: Option<String>,
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

pub use super::log_walk::{log, log_with_progress};

/// The distinct authors (email, name) of the commits of HEAD's history, sorted by email.
pub fn authors(git: &Git) -> Result<Vec<(String, String)>, GitError> {
    if git.is_unborn() {
        return Ok(Vec::new());
    }
    let mut authors = std::collections::BTreeSet::new();
    for id in git.range(None, git.resolve("HEAD")?)? {
        let info = git.commit_info(id)?;
        authors.insert((info.author_email, info.author_name));
    }
    Ok(authors.into_iter().collect())
}

impl LogQuery {
    /// Whether the query's date and author filters let commit `info` through.
    pub(super) fn admits(&self, info: &CommitInfo) -> bool {
        if self.since.is_some_and(|d| info.time.date_naive() < d) {
            return false;
        }
        if let Some(a) = &self.author {
            let a = a.to_lowercase();
            if !info.author_email.to_lowercase().contains(&a)
                && !info.author_name.to_lowercase().contains(&a)
            {
                return false;
            }
        }
        true
    }
}

/// When each file last changed: the time of the last commit that changed it, or, for a
/// file with uncommitted changes (or outside git), `None` (callers fall back to the
/// file's modification time). Walks history from HEAD (or from `at`, a view as of that
/// commit, which has no uncommitted changes) only until every path is found.
pub fn last_commit_times(
    root: &Path,
    paths: &[String],
    at: Option<CommitId>,
) -> HashMap<String, chrono::DateTime<chrono::Utc>> {
    let mut out = HashMap::new();
    let Ok(Some(git)) = Git::open(root) else {
        return out;
    };
    let Ok(head) = at.map_or_else(|| git.resolve("HEAD"), Ok) else {
        return out;
    };
    let dirty: std::collections::HashSet<String> = match at {
        Some(_) => Default::default(),
        None => git
            .changed_files(Some(head), None)
            .unwrap_or_default()
            .into_iter()
            .collect(),
    };
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
        // Tree ids compared down each wanted path: folders the commit did not touch are
        // never opened. A path that is a folder on both sides is not a file that changed.
        let asked: Vec<&String> = wanted.iter().copied().collect();
        let paths: Vec<&str> = asked.iter().map(|p| p.as_str()).collect();
        let Ok(differs) = git.changed_entries(parent, id, &paths) else {
            break;
        };
        for (p, d) in asked.into_iter().zip(differs) {
            let folder =
                |e: Option<crate::git::Entry>| e.is_some_and(|e| e.kind == EntryKind::Folder);
            if d.is_some_and(|(o, n)| !(folder(o) && folder(n))) {
                wanted.remove(p);
                out.insert(p.clone(), info.time);
            }
        }
    }
    out
}
