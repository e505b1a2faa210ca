//! The review gate (DESIGN.md §3, §6.3): `assure validate --base REV [--actor EMAIL]`.
//!
//! Every commit in `REV..HEAD` is checked against its author's roles **as they stood at
//! REV** — nobody can grant themselves a right in the same change that uses it — or the
//! whole change is attributed to `--actor`. A merge commit is judged by what it changes
//! against its first parent, less what it takes unchanged from its other parents (those
//! commits are checked on their own). Some changes nobody may make: editing an archived
//! assessment, un-archiving one, moving one to another group.

use std::path::Path;

use git2::Oid;
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
    let base_id = git.resolve(base)?;
    let head = git.resolve(head)?;
    let versions = Versions::new(git, root);
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
                let first = info
                    .parents
                    .first()
                    .map_or(Side::Empty, |&p| Side::Commit(p));
                let mut paths = versions.changed_files(first, Side::Commit(id))?;
                // What a merge takes unchanged from another parent is that parent's work.
                let others: Vec<Oid> = info.parents.iter().skip(1).copied().collect();
                if !others.is_empty() {
                    let mut kept = Vec::new();
                    for p in paths {
                        let mine = versions.blob(Side::Commit(id), &p)?;
                        let mut taken = false;
                        for &o in &others {
                            taken |= versions.blob(Side::Commit(o), &p)? == mine;
                        }
                        if !taken {
                            kept.push(p);
                        }
                    }
                    paths = kept;
                }
                let files = versions.file_versions(first, Side::Commit(id), &paths)?;
                let who = Actor::new(&config, &info.author_email);
                check(Some(info), &who, file_changes(&files));
            }
        }
    }
    Ok(findings)
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
                Change::AssessmentArchived { .. } | Change::AssessmentUnarchived { .. } => key_span(&node, &["archived"]),
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
