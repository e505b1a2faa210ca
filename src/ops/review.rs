//! The review summary of a change (DESIGN.md §6.2): `assure diff`.
//!
//! Per assessment the change touches: compliance score and progress before and after,
//! and the controls whose status, test result, assignment or documents changed; new,
//! archived and deleted assessments; new and renamed groups; sync classes the change
//! leaves out of sync; and permission findings. Only the files whose blobs differ are
//! read (plus the other assessments of a touched group, for its sync classes), so the
//! cost grows with the change, not with the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value as J;

mod pass;

use super::changes::{Change, FileVersions};
use super::history::{Side, Versions};
use super::score::{Progress, score};
use crate::git::{CommitId, Git, GitError};
use crate::model::SyncField;
use crate::repo::{Scope, Source};

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),
    #[error(transparent)]
    Gate(#[from] super::gate::GateError),
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: J,
    pub new: J,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlReview {
    pub control: String,
    pub title: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssessmentReview {
    pub assessment: String,
    pub name: String,
    /// new, changed, archived, deleted, moved
    pub state: String,
    pub before: Option<Progress>,
    pub after: Option<Progress>,
    pub controls: Vec<ControlReview>,
    /// Controls whose other fields (implementation text, test plan…) changed.
    pub text_edits: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupReview {
    pub group: String,
    /// created or renamed
    pub state: String,
    pub name: String,
    pub previous_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub base: String,
    /// What `base` is: the revision given, or "merge base with main".
    pub base_from: String,
    pub head: String,
    pub assessments: Vec<AssessmentReview>,
    pub groups: Vec<GroupReview>,
    pub out_of_sync: Vec<String>,
    pub permission_findings: Vec<String>,
    /// How many file versions were read (the cost of the review).
    pub files_read: usize,
    /// Every compliance regression of the change (`ops::ratchet`), with the reasons the
    /// commits of the range state (none: no reason given).
    pub regressions: Vec<RegressionReview>,
}

/// A compliance regression and the reasons the change states for it.
#[derive(Debug, Clone, Serialize)]
pub struct RegressionReview {
    #[serde(flatten)]
    pub regression: super::ratchet::Regression,
    /// Every reason a commit of the range states (they cover the whole change); empty:
    /// no reason given.
    pub reasons: Vec<super::ratchet::Reason>,
}

impl Review {
    pub fn is_empty(&self) -> bool {
        self.assessments.is_empty()
            && self.groups.is_empty()
            && self.out_of_sync.is_empty()
            && self.permission_findings.is_empty()
            && self.regressions.is_empty()
    }
}

/// The fields a reviewer sees per control.
const SHOWN: &[&str] = &[
    "status",
    "test_result",
    "test_date",
    "assigned_to",
    "documents",
];

/// `v` read as a `T` (without copying the tree first).
fn typed<T: serde::de::DeserializeOwned>(v: &Option<J>) -> Option<T> {
    v.as_ref().and_then(|v| T::deserialize(v).ok())
}

/// Reviews `base..head`; `head = None` is the work tree. `base = None` is the merge base
/// with the default branch. `progress(done, total)` is called as touched groups finish.
///
/// The changed files are read group by group on every core: each file's two versions are
/// compared and dropped, keeping only the review rows (and, when the ratchet's start is
/// the base and the catalog is unchanged, the file's regression), and each touched
/// group's sync classes are checked from the same reads.
pub fn review(
    root: &Path,
    base: Option<&str>,
    head: Option<&str>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Review, ReviewError> {
    review_with(root, base, head, progress, true)
}

/// [`review`], reading each changed file's version at the head commit as its version at
/// the base with the touched controls' entries re-read (`incremental`, as `review`
/// does), or parsing every version whole: the same review, for tests to compare.
pub fn review_with(
    root: &Path,
    base: Option<&str>,
    head: Option<&str>,
    progress: &(dyn Fn(usize, usize) + Sync),
    incremental: bool,
) -> Result<Review, ReviewError> {
    let git = Git::require(root)?;
    let (base_id, base_from) = match base {
        Some(b) => (git.resolve(b)?, b.to_owned()),
        None => {
            let (id, branch) = git.default_base()?;
            (id, format!("merge base with {branch}"))
        }
    };
    let head_side = match head {
        Some(h) => Side::Commit(git.resolve(h)?),
        None => Side::WorkTree,
    };
    let mut versions = Versions::new(&git, root);
    versions.set_incremental(incremental);
    versions.limit_from(Side::Commit(base_id))?;
    let changed = versions.changed_files(Side::Commit(base_id), head_side)?;
    let paths: Vec<String> = changed
        .iter()
        .filter(|p| p.starts_with("groups/") && p.ends_with(".yaml"))
        .cloned()
        .collect();
    let project = super::Project::load(root, Source::WorkTree, Scope::Catalog)?;
    let fields = project
        .ws
        .config
        .as_ref()
        .map_or_else(SyncField::all, |c| c.value.sync.fields.clone());
    let ratchet = fused_ratchet(&versions, base_id, head_side, &changed)?;
    let pass = pass::Pass {
        root,
        base: Side::Commit(base_id),
        head: head_side,
        max_blob: versions.max_blob(),
        catalog: &project.catalog,
        fields: &fields,
        ratchet: ratchet.as_deref(),
        incremental,
    };
    let done = pass.run(&paths, progress)?;
    let files_read = versions.parsed.get() + done.parsed;
    let prepared = super::gate::Prepared::new(
        (Side::Commit(base_id), head_side),
        versions.max_blob(),
        done.prepared,
    );
    let permission_findings = permission_findings(&mut versions, base_id, head_side, &prepared)?;
    let regressions = match ratchet {
        Some(_) => with_reasons(&git, base_id, head_side, done.regressions)?,
        None => regression_reviews(&versions, base_id, head_side)?,
    };
    Ok(Review {
        base: base_id.short(),
        base_from,
        head: match head_side {
            Side::Commit(c) => c.short(),
            _ => "work tree".to_owned(),
        },
        assessments: done.assessments,
        groups: done.groups,
        out_of_sync: done.out_of_sync,
        permission_findings,
        files_read,
        regressions,
    })
}

/// The catalog the ratchet judges by, when the review's own reads can judge it: the
/// change starts at the base (the head contains it) and leaves the catalog alone.
/// `None`: the regressions are read apart ([`regression_reviews`]).
fn fused_ratchet(
    versions: &Versions,
    base_id: CommitId,
    head_side: Side,
    changed: &[String],
) -> Result<Option<std::sync::Arc<crate::catalog::Catalog>>, ReviewError> {
    let git = versions.git;
    if git.is_unborn() || changed.iter().any(|p| p.starts_with("catalog/")) {
        return Ok(None);
    }
    let head_id = match head_side {
        Side::Commit(c) => c,
        _ => git.resolve("HEAD")?,
    };
    if super::ratchet::start(git, base_id, head_id)? != base_id {
        return Ok(None);
    }
    let catalog = super::ratchet::catalog_at(versions, Side::Commit(base_id))
        .map_err(super::gate::GateError::from)?;
    Ok(Some(catalog))
}

/// The regressions found, each with the reasons the range states.
fn with_reasons(
    git: &Git,
    base_id: CommitId,
    head_side: Side,
    found: Vec<super::ratchet::Regression>,
) -> Result<Vec<RegressionReview>, ReviewError> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let head_id = match head_side {
        Side::Commit(c) => c,
        _ => git.resolve("HEAD")?,
    };
    let reasons = super::ratchet::reasons(git, base_id, head_id)?;
    Ok(found
        .into_iter()
        .map(|regression| RegressionReview {
            regression,
            reasons: reasons.clone(),
        })
        .collect())
}

/// The compliance regressions of `base..head` (whether the ratchet is on or not: a
/// reviewer sees them either way), each with the reasons the range states.
fn regression_reviews(
    versions: &Versions,
    base_id: CommitId,
    head_side: Side,
) -> Result<Vec<RegressionReview>, ReviewError> {
    use super::ratchet;
    let git = versions.git;
    if git.is_unborn() {
        return Ok(Vec::new());
    }
    let head_id = match head_side {
        Side::Commit(c) => c,
        _ => git.resolve("HEAD")?,
    };
    let found = ratchet::regressions(versions, ratchet::start(git, base_id, head_id)?, head_side)
        .map_err(super::gate::GateError::from)?;
    with_reasons(git, base_id, head_side, found)
}

/// What a change of a `group.yaml` did: the group created or renamed.
fn group_reviews(f: &FileVersions, mine: &[&Change]) -> Vec<GroupReview> {
    mine.iter()
        .filter_map(|c| match c {
            Change::GroupCreated { group } => Some(GroupReview {
                group: group.clone(),
                state: "created".into(),
                name: typed::<crate::model::Group>(&f.new)
                    .map(|g| g.name)
                    .unwrap_or_default(),
                previous_name: None,
            }),
            Change::GroupRenamed { group, from, to } => Some(GroupReview {
                group: group.clone(),
                state: "renamed".into(),
                name: to.clone(),
                previous_name: Some(from.clone()),
            }),
            _ => None,
        })
        .collect()
}

/// What a change of an assessment file did: its state, the score before and after, and
/// the shown fields of each control it changed (in catalog order).
fn assessment_review(
    f: &FileVersions,
    group: &str,
    file: &str,
    mine: &[&Change],
    catalog: &crate::catalog::Catalog,
    (old, new): super::changes::Typed,
) -> Option<AssessmentReview> {
    let any = new.or(old)?;
    let state = if mine
        .iter()
        .any(|c| matches!(c, Change::AssessmentMoved { .. }))
    {
        "moved"
    } else if !f.old_exists {
        "new"
    } else if !f.new_exists {
        "deleted"
    } else if old.is_some_and(|o| o.archived.is_none()) && new.is_some_and(|n| n.archived.is_some())
    {
        "archived"
    } else {
        "changed"
    };
    let cert = catalog.certifications.get(&any.certification);
    let (controls, text_edits) = control_reviews(mine, cert);
    Some(AssessmentReview {
        assessment: format!("{group}/{}", file.trim_end_matches(".yaml")),
        name: catalog.assessment_name(&any.service, &any.certification),
        state: state.into(),
        before: old.and_then(|a| score(a, catalog)).map(|s| s.total),
        after: new.and_then(|a| score(a, catalog)).map(|s| s.total),
        controls,
        text_edits,
    })
}

/// The controls whose shown fields changed, with those changes, in catalog order; and
/// how many controls changed only in their texts.
fn control_reviews(
    mine: &[&Change],
    cert: Option<&crate::catalog::CertInfo>,
) -> (Vec<ControlReview>, usize) {
    let mut controls: BTreeMap<String, ControlReview> = BTreeMap::new();
    let mut text_edits = BTreeSet::new();
    for c in mine {
        let Change::ControlField {
            control,
            field,
            old,
            new,
            ..
        } = c
        else {
            continue;
        };
        if !SHOWN.contains(&field.as_str()) {
            text_edits.insert(control.clone());
            continue;
        }
        let title = cert
            .and_then(|c| c.control(control))
            .map(|(_, c)| c.title.clone())
            .unwrap_or_default();
        controls
            .entry(control.clone())
            .or_insert_with(|| ControlReview {
                control: control.clone(),
                title,
                changes: Vec::new(),
            })
            .changes
            .push(FieldChange {
                field: field.clone(),
                old: old.clone(),
                new: new.clone(),
            });
    }
    let mut controls: Vec<ControlReview> = controls.into_values().collect();
    if let Some(cert) = cert {
        let order: BTreeMap<&str, usize> = cert
            .control_ids()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        controls.sort_by_key(|c| order.get(c.control.as_str()).copied().unwrap_or(usize::MAX));
    }
    (controls, text_edits.len())
}

/// What the review gate would refuse in the change (the acting person is git's
/// `user.email` for uncommitted changes).
fn permission_findings(
    versions: &mut Versions,
    base_id: CommitId,
    head_side: Side,
    prepared: &super::gate::Prepared,
) -> Result<Vec<String>, ReviewError> {
    let git = versions.git;
    if git.is_unborn() {
        return Ok(Vec::new());
    }
    let head_rev = match head_side {
        Side::Commit(c) => c.to_string(),
        _ => "HEAD".to_owned(),
    };
    let base = base_id.to_string();
    let acting = git.user_email();
    let request = super::gate::Request {
        base: &base,
        head: match head_side {
            Side::Commit(_) => Some(head_rev.as_str()),
            _ => None,
        },
        actor: None,
        acting: acting.as_deref(),
    };
    // Regressions have a section of their own, with their reasons.
    Ok(
        super::gate::gate_prepared(versions, &request, Some(prepared))?
            .iter()
            .filter(|f| !matches!(f.problem, super::gate::Problem::Regression(_)))
            .map(|f| format!("[{}] {}", f.code().name(), f.message()))
            .collect(),
    )
}
