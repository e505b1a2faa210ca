//! The review gate (DESIGN.md §3, §6.3): `assure validate --base REV [--actor EMAIL]`.
//!
//! Every commit in `REV..HEAD` is checked against its author's roles **as they stood at
//! REV** — nobody can grant themselves a right in the same change that uses it — or the
//! whole change is attributed to `--actor`. A merge commit is judged by what it changes
//! against its first parent, less what it takes unchanged from its other parents (those
//! commits are checked on their own). Some changes nobody may make: editing an archived
//! assessment, un-archiving one, moving one to another group.

use std::path::Path;

use serde::Serialize;

use super::changes::{Change, FileChange, file_changes};
use super::history::{Side, Versions};
use super::permissions::{Actor, Permission};
use crate::catalog::key_span;
use crate::diag::{Code, Diagnostic};
use crate::git::{CommitInfo, Git, GitError};
use crate::model::Config;
use crate::repo::source::SourceMap;
use crate::repo::yaml::Node;

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(
        "assure.yaml at {0} is missing or does not load, so nobody's role at the base is known; choose a base where it is valid"
    )]
    NoBaseConfig(String),
    #[error("a {0} is in progress; finish or abort it first, then run the check again")]
    InProgress(String),
}

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Problem {
    /// The actor's role at the base does not carry the permission.
    NotAllowed(#[serde(serialize_with = "ser_permission")] Permission),
    /// Nobody may make this change.
    Forbidden(&'static str),
}

fn ser_permission<S: serde::Serializer>(p: &Permission, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.needs())
}

#[derive(Debug, Clone)]
pub struct GateFinding {
    /// The commit, or `None` when the whole change was attributed to `--actor`.
    pub commit: Option<CommitInfo>,
    /// The actor as the base knew them.
    pub actor: String,
    pub file: FileChange,
    pub problem: Problem,
}

impl GateFinding {
    pub fn code(&self) -> Code {
        match (&self.problem, &self.file.change) {
            (Problem::NotAllowed(_), _) => Code::PermissionDenied,
            (_, Change::AssessmentMoved { .. }) => Code::AssessmentMoved,
            (_, Change::AssessmentUnarchived { .. }) => Code::Unarchived,
            _ => Code::ArchivedModified,
        }
    }

    pub fn message(&self) -> String {
        let who = match &self.commit {
            Some(c) => format!("commit {} by {}", c.short, self.actor),
            None => self.actor.clone(),
        };
        match &self.problem {
            Problem::NotAllowed(p) => format!(
                "{who}: {}: {p} needs {}",
                self.file.change.describe(),
                p.needs()
            ),
            Problem::Forbidden(rule) => format!("{who}: {}: {rule}", self.file.change.describe()),
        }
    }
}

/// What checking a change against `base` must load: `None` when it may affect the whole
/// repository (it touches `assure.yaml`, the catalog, or a file that assessments may cite
/// as evidence), else the groups whose files it touches, work tree included. Every rule
/// but the change checks looks within one group (sync classes too, DESIGN.md §4.4), so
/// the groups the change leaves alone keep the findings they had at the base, and the
/// check costs what the change costs.
pub fn affected_groups(
    git: &Git,
    base: &str,
) -> Result<Option<std::collections::BTreeSet<String>>, GateError> {
    let base = git.resolve(base)?;
    let mut groups = std::collections::BTreeSet::new();
    for path in git.changed_files(Some(base), None)? {
        match path.strip_prefix("groups/").and_then(|r| r.split_once('/')) {
            Some((group, file)) if !file.contains('/') => {
                groups.insert(group.to_owned());
            }
            _ => return Ok(None),
        }
    }
    Ok(Some(groups))
}

/// Checks `base..HEAD`.
pub fn gate(
    git: &Git,
    root: &Path,
    base: &str,
    actor: Option<&str>,
) -> Result<Vec<GateFinding>, GateError> {
    if let Some(op) = git.operation_in_progress() {
        return Err(GateError::InProgress(op));
    }
    gate_range(git, root, base, "HEAD", actor)
}

/// Checks `base..head`.
pub fn gate_range(
    git: &Git,
    root: &Path,
    base: &str,
    head: &str,
    actor: Option<&str>,
) -> Result<Vec<GateFinding>, GateError> {
    gate_with(&Versions::new(git, root), base, head, actor)
}

/// Checks `base..head`, reading files through `versions` (whose cache a caller that has
/// read some of them already, like `assure diff`, shares).
pub fn gate_with(
    versions: &Versions,
    base: &str,
    head: &str,
    actor: Option<&str>,
) -> Result<Vec<GateFinding>, GateError> {
    let git = versions.git;
    let base_id = git.resolve(base)?;
    let head = git.resolve(head)?;
    let config: Config = versions
        .json(Side::Commit(base_id), "assure.yaml")?
        .1
        .and_then(|j| serde_json::from_value(j).ok())
        .ok_or_else(|| GateError::NoBaseConfig(base.to_owned()))?;
    let mut findings = Vec::new();
    let mut check = |commit: Option<CommitInfo>, who: &Actor, changes: Vec<FileChange>| {
        for fc in changes {
            let problem = match fc.change.forbidden() {
                Some(rule) => Problem::Forbidden(rule),
                None if !who.may(fc.change.permission()) => {
                    Problem::NotAllowed(fc.change.permission())
                }
                None => continue,
            };
            findings.push(GateFinding {
                commit: commit.clone(),
                actor: who.describe(),
                file: fc,
                problem,
            });
        }
    };
    match actor {
        Some(email) => {
            let paths = versions.changed_files(Side::Commit(base_id), Side::Commit(head))?;
            let files =
                versions.file_versions(Side::Commit(base_id), Side::Commit(head), &paths)?;
            check(None, &Actor::new(&config, email), file_changes(&files));
        }
        None => {
            for id in git.range(Some(base_id), head)? {
                let info = git.commit_info(id)?;
                let changes = own_changes(versions, &info)?;
                let who = Actor::new(&config, &info.author_email);
                check(Some(info), &who, changes);
            }
        }
    }
    Ok(findings)
}

/// What a commit changes itself. For a merge, a change is the merger's own only when the
/// merged value differs from every parent's: what the merge takes unchanged from a parent
/// (a whole file or one field of it) is that parent's work, checked in its own commits.
fn own_changes(versions: &Versions, info: &CommitInfo) -> Result<Vec<FileChange>, GitError> {
    let me = Side::Commit(info.id);
    let parents: Vec<Side> = match info.parents.as_slice() {
        [] => vec![Side::Empty],
        ps => ps.iter().map(|&p| Side::Commit(p)).collect(),
    };
    // Only a file that differs from every parent can hold the merger's own work.
    let mut paths = versions.changed_files(parents[0], me)?;
    for &p in &parents[1..] {
        let other: std::collections::HashSet<String> =
            versions.changed_files(p, me)?.into_iter().collect();
        paths.retain(|f| other.contains(f));
    }
    let per_parent = parents
        .iter()
        .map(|&p| Ok(file_changes(&versions.file_versions(p, me, &paths)?)))
        .collect::<Result<Vec<_>, GitError>>()?;
    let mut own: Vec<FileChange> = Vec::new();
    for (i, changes) in per_parent.iter().enumerate() {
        for c in changes {
            let from_every_parent = per_parent
                .iter()
                .enumerate()
                .all(|(j, theirs)| j == i || differs_from(theirs, c));
            if from_every_parent && !own.iter().any(|o| same_change(o, c)) {
                own.push(c.clone());
            }
        }
    }
    Ok(own)
}

/// Whether `theirs` (one parent's changes to the merge) shows that the merge's value of
/// what `c` changed differs from that parent's.
fn differs_from(theirs: &[FileChange], c: &FileChange) -> bool {
    theirs.iter().any(|t| {
        t.path == c.path
            && (same_change(t, c)
                // The parent had no such file, or an archived one: every field differs.
                || matches!(
                    (&t.change, &c.change),
                    (
                        Change::AssessmentCreated { .. } | Change::ArchivedModified { .. },
                        Change::ControlField { .. },
                    )
                ))
    })
}

/// The same change to the same value (whatever the old value was).
fn same_change(a: &FileChange, b: &FileChange) -> bool {
    a.path == b.path
        && match (&a.change, &b.change) {
            (Change::ControlField { new: n1, .. }, Change::ControlField { new: n2, .. }) => {
                n1 == n2 && a.change.describe() == b.change.describe()
            }
            (x, y) => x.describe() == y.describe(),
        }
}

/// Findings as diagnostics, located in the work tree's files (a file that no longer
/// exists gets a bare location).
pub fn diagnostics(
    findings: &[GateFinding],
    sources: &mut SourceMap,
    nodes: &dyn Fn(crate::repo::source::FileId) -> Option<Node>,
) -> Vec<Diagnostic> {
    findings
        .iter()
        .map(|f| {
            let file = sources.find(&f.file.path).unwrap_or_else(|| sources.add(f.file.path.clone(), String::new()));
            let span = nodes(file).map_or(0..0, |node| match &f.file.change {
                Change::ControlField { control, field, .. } => {
                    let (n, _, found) = node.walk(&["controls", control, field]);
                    if found { n.span.clone() } else { key_span(&node, &["controls", control]) }
                }
                Change::GroupRenamed { .. } => key_span(&node, &["name"]),
                Change::AssessmentArchived { .. } | Change::AssessmentUnarchived { .. } | Change::ArchivedModified { .. } => {
                    // `archived` is gone after an un-archiving: point at the file's header.
                    first_key(&node, &["archived", "service"])
                }
                Change::AssessmentMoved { .. } | Change::AssessmentCreated { .. } | Change::AssessmentDeleted { .. } => first_key(&node, &["service"]),
                Change::GroupCreated { .. } => first_key(&node, &["name"]),
                Change::PersonRemoved { .. } => first_key(&node, &["people"]),
                Change::AssessmentHeader { field, .. } => key_span(&node, &[field.as_str()]),
                Change::PersonAdded { email } | Change::PersonChanged { email } | Change::PortalAdminChanged { email } => {
                    person_span(&node, email).unwrap_or(0..0)
                }
                Change::GlobalAdminsChanged => key_span(&node, &["global_admins"]),
                Change::SettingsChanged { field } => key_span(&node, &[field.as_str()]),
                _ => 0..0,
            });
            let help = match &f.problem {
                Problem::NotAllowed(p) => format!(
                    "roles are read from the base revision, so a role granted in this change does not count yet; ask someone with {} to make this change, or merge the role change first",
                    p.needs()
                ),
                Problem::Forbidden(_) => "revert this part of the change".to_owned(),
            };
            Diagnostic::new(f.code(), f.message()).at(file, span, "changed here").help(help)
        })
        .collect()
}

/// The key span of the first of `keys` the mapping has (an empty span at the start if none).
fn first_key(node: &Node, keys: &[&str]) -> std::ops::Range<usize> {
    keys.iter()
        .find_map(|k| node.entry(k))
        .map_or(0..0, |e| e.key_span.clone())
}

fn person_span(node: &Node, email: &str) -> Option<std::ops::Range<usize>> {
    let crate::repo::yaml::Value::Seq(people) = &node.get("people")?.value else {
        return None;
    };
    people
        .iter()
        .find(|p| {
            p.get("email")
                .and_then(Node::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .map(|p| p.span.start..p.span.start)
}
