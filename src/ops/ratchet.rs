//! The ratchet (issue 21, `ratchet: true` in assure.yaml): a change may lower an
//! assessment's compliance score, or turn a passed control into a failed one, only when
//! it says why.
//!
//! Judged by the review gate (`validate --base`) with the setting as it stands at the
//! base, so a change cannot switch it off for itself. The change is judged as a whole:
//! each assessment's score ([`super::score`]) and each control's test result where the
//! change starts (the base, or for a branch that does not contain it, where the branch
//! left it) against where it ends (the work tree, or the head). A regression split over
//! several commits, or brought in by a merge, is the same regression; one repaired within
//! the change is none. An assessment deleted (or left unreadable) while it had a score is
//! a regression; one archived at the start is not judged (the gate keeps archived
//! assessments byte for byte). When the change touches the catalog (a score value, a
//! template, a category), every assessment is judged, each side with its own catalog.
//!
//! A regression is stated by a commit in `base..head` (reachable from the head and not
//! from the base) whose message ends in a git trailer `Compliance-Regression: <reason>`
//! with a non-blank reason, read by git's own trailer parser; a commit before the base,
//! or on a branch the head does not merge, states nothing, and the uncommitted changes
//! have no message to state it in.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::gate::{By, GateFinding, Problem};
use super::history::{Side, Versions};
use super::score::{ControlView, controls, earns, score};
use crate::catalog::Catalog;
use crate::git::{CommitId, Git, GitError};
use crate::model::{Assessment, TestResult};
use crate::repo::{RepoError, Scope, Snapshot, SnapshotEntry, Source};

/// The trailer that states a regression, as git writes it (`git commit --trailer`).
pub const TRAILER: &str = "Compliance-Regression";

#[derive(Debug, thiserror::Error)]
pub enum RatchetError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// One control's part in a regression: what it was and what it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlRegression {
    pub control: String,
    /// "passed", "implemented", "score value 10"…
    pub before: String,
    /// "failed-high-risk", "planned", "not in the assessment"…
    pub after: String,
}

/// An assessment whose score falls, or whose passed control fails, in a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regression {
    /// `group/service--certification`.
    pub assessment: String,
    /// Its file, relative to the compliance root.
    #[serde(skip)]
    pub path: String,
    pub score_before: u32,
    /// `None`: the assessment is gone (deleted, or no longer loads).
    pub score_after: Option<u32>,
    /// The controls that failed or stopped earning their score value, in catalog order.
    pub controls: Vec<ControlRegression>,
}

impl Regression {
    /// "score of default-group/office-365--gdpr falls 412 → 397 (control 6.2.1.1: passed
    /// → failed-high-risk)".
    pub fn describe(&self) -> String {
        let (a, before) = (&self.assessment, self.score_before);
        let controls: Vec<String> = self
            .controls
            .iter()
            .map(|c| format!("control {}: {} → {}", c.control, c.before, c.after))
            .collect();
        let controls = controls.join("; ");
        match self.score_after {
            None => format!("score of {a} falls {before} → none: the assessment is gone"),
            Some(after) if after < before && controls.is_empty() => {
                format!("score of {a} falls {before} → {after}")
            }
            Some(after) if after < before => {
                format!("score of {a} falls {before} → {after} ({controls})")
            }
            Some(after) => {
                format!("a passed control of {a} fails ({controls}); score {before} → {after}")
            }
        }
    }
}

/// A reason a commit of the change states for a regression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The commit's short id.
    pub commit: String,
    pub reason: String,
}

/// The reason commit `id` states in its `Compliance-Regression:` trailers (several are
/// joined with "; "), or `None` when it states none (a blank value, or one of invisible
/// characters only, states nothing).
pub fn reason_of(git: &Git, id: CommitId) -> Result<Option<String>, GitError> {
    let stated: Vec<String> = git
        .trailers(id, TRAILER)?
        .into_iter()
        // Blank, or made only of invisible characters: nothing a reader can see.
        .filter(|r| !crate::text::is_blank(r))
        .collect();
    Ok((!stated.is_empty()).then(|| stated.join("; ")))
}

/// The reasons the commits of `base..head` state, oldest first: only commits reachable
/// from `head` and not from `base` count.
pub fn reasons(git: &Git, base: CommitId, head: CommitId) -> Result<Vec<Reason>, GitError> {
    let mut out = Vec::new();
    for id in git.range(Some(base), head)? {
        if let Some(reason) = reason_of(git, id)? {
            out.push(Reason {
                commit: id.short(),
                reason,
            });
        }
    }
    Ok(out)
}

/// Where a change judged from `base` to `head` starts: `base`, or for a branch that does
/// not contain it, the point where the branch left it (what a merge would bring).
pub fn start(git: &Git, base: CommitId, head: CommitId) -> Result<CommitId, GitError> {
    Ok(git.merge_base(base, head)?.unwrap_or(base))
}

/// Every regression from commit `from` to `to` (a commit or the work tree), by
/// assessment path.
pub fn regressions(
    versions: &Versions,
    from: CommitId,
    to: Side,
) -> Result<Vec<Regression>, RatchetError> {
    let changed = versions.changed_files(Side::Commit(from), to)?;
    let catalog_changed = changed.iter().any(|p| p.starts_with("catalog/"));
    let before_catalog = catalog_at(versions, Side::Commit(from))?;
    let after_catalog = if catalog_changed {
        Some(catalog_at(versions, to)?)
    } else {
        None
    };
    let after_catalog = after_catalog.as_ref().unwrap_or(&before_catalog);
    let paths: Vec<String> = if catalog_changed {
        let mut all = assessment_paths(versions, Side::Commit(from))?;
        all.extend(assessment_paths(versions, to)?);
        all.sort();
        all.dedup();
        all
    } else {
        changed.into_iter().filter(|p| is_assessment(p)).collect()
    };
    let mut out = Vec::new();
    for path in paths {
        let before = typed(versions.json(Side::Commit(from), &path)?.1);
        let after = typed(versions.json(to, &path)?.1);
        let sides = (
            before.as_ref().map(|a| (a, &*before_catalog)),
            after.as_ref().map(|a| (a, &**after_catalog)),
        );
        out.extend(judge_file(&path, sides));
    }
    Ok(out)
}

fn typed(json: Option<serde_json::Value>) -> Option<Assessment> {
    json.and_then(|j| serde_json::from_value(j).ok())
}

/// `groups/<group>/<file>.yaml`, but not a `group.yaml`.
fn is_assessment(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(parts.as_slice(), ["groups", _, file] if file.ends_with(".yaml") && *file != "group.yaml")
}

/// Every assessment file at `side` (a diff from the empty tree lists them).
fn assessment_paths(versions: &Versions, side: Side) -> Result<Vec<String>, GitError> {
    let mut all = versions.changed_files(Side::Empty, side)?;
    all.retain(|p| is_assessment(p));
    Ok(all)
}

/// The catalog (built-in, and the repository's own) at `side`, reading nothing else.
pub(super) fn catalog_at(versions: &Versions, side: Side) -> Result<Arc<Catalog>, RatchetError> {
    Ok(project_at(versions, side, Scope::Catalog)?.catalog)
}

/// The project at `side` in `scope` (the catalog, or some groups), reading from a commit
/// only the folders the scope needs: for groups, theirs alone (other groups are unknown
/// to it, which is all a question within these groups needs).
pub(super) fn project_at(
    versions: &Versions,
    side: Side,
    scope: Scope,
) -> Result<super::Project, RatchetError> {
    let source = match side {
        Side::WorkTree => Source::WorkTree,
        Side::Empty => Source::Revision(Arc::new(Snapshot::default())),
        Side::Commit(c) => {
            let mut tops = vec![crate::repo::CONFIG_FILE.to_owned(), "catalog".to_owned()];
            if let Scope::Groups(groups) = &scope {
                tops.extend(groups.iter().map(|g| format!("groups/{g}")));
            }
            let tops: Vec<&str> = tops.iter().map(String::as_str).collect();
            let files = versions
                .git
                .tree_files(c, &tops, crate::repo::MAX_FILE_SIZE)?
                .into_iter()
                .map(|(path, file)| {
                    let entry = match file {
                        crate::git::TreeFile::File(bytes) => SnapshotEntry::File(bytes),
                        crate::git::TreeFile::TooLarge(size) => SnapshotEntry::TooLarge(size),
                        crate::git::TreeFile::Other(crate::git::EntryKind::Link) => {
                            SnapshotEntry::Link
                        }
                        crate::git::TreeFile::Other(kind) => {
                            SnapshotEntry::NotAFile(kind.describe())
                        }
                    };
                    (path, entry)
                })
                .collect();
            Source::Revision(Arc::new(Snapshot { files }))
        }
    };
    Ok(super::Project::load(versions.root(), source, scope)?)
}

/// What a control was, for comparing: its status and result names, and its score value.
struct Was {
    status: &'static str,
    result: Option<TestResult>,
    earns: bool,
    value: u32,
}

fn was(view: &ControlView) -> Was {
    let (status, result) = (view.managed.status(), view.managed.test_result());
    Was {
        status: status.map_or("not started", |s| s.as_str()),
        result,
        earns: earns(status, result),
        value: view.control.score,
    }
}

fn result_name(r: Option<TestResult>) -> &'static str {
    r.map_or("no result", TestResult::as_str)
}

/// An assessment as one side holds it, with that side's catalog (`None`: absent or
/// unreadable there).
pub(super) type Version<'a> = Option<(&'a Assessment, &'a Catalog)>;

/// The regression of the assessment file at `path`, given its assessment and catalog at
/// each side (`None`: absent or unreadable there): what [`regressions`] finds for it.
pub(super) fn judge_one(path: &str, sides: (Version, Version)) -> Option<Regression> {
    judge_file(path, sides)
}

/// The regression of one assessment file, given its assessment and catalog at each side
/// (`None`: absent or unreadable there).
fn judge_file(path: &str, (before, after): (Version, Version)) -> Option<Regression> {
    let (old, old_catalog) = before?;
    if old.archived.is_some() {
        return None;
    }
    let score_before = score(old, old_catalog)?.total.score;
    let old_views = controls(old, old_catalog)?;
    let new_views = after.and_then(|(a, c)| controls(a, c));
    let score_after = after.and_then(|(a, c)| score(a, c)).map(|s| s.total.score);
    let assessment = path
        .trim_start_matches("groups/")
        .trim_end_matches(".yaml")
        .to_owned();
    let Some(new_views) = new_views else {
        return (score_before > 0).then(|| Regression {
            assessment,
            path: path.to_owned(),
            score_before,
            score_after: None,
            controls: Vec::new(),
        });
    };
    let now: BTreeMap<&str, Was> = new_views
        .iter()
        .map(|v| (v.control.id.as_str(), was(v)))
        .collect();
    let mut failed = false;
    let mut list = Vec::new();
    for view in &old_views {
        let then = was(view);
        let id = view.control.id.as_str();
        let change = |before: String, after: String| ControlRegression {
            control: id.to_owned(),
            before,
            after,
        };
        let Some(now) = now.get(id) else {
            if then.earns {
                list.push(change(
                    result_name(then.result).to_owned(),
                    "not in the assessment".to_owned(),
                ));
            }
            continue;
        };
        let fails = then.result == Some(TestResult::Passed)
            && now.result.is_some_and(|r| r != TestResult::Passed);
        failed |= fails;
        if fails || (then.earns && now.result != then.result) {
            list.push(change(
                result_name(then.result).to_owned(),
                result_name(now.result).to_owned(),
            ));
        } else if then.earns && !now.earns {
            list.push(change(then.status.to_owned(), now.status.to_owned()));
        } else if then.earns && now.value < then.value {
            list.push(change(
                format!("score value {}", then.value),
                format!("score value {}", now.value),
            ));
        }
    }
    let falls = score_after.is_some_and(|s| s < score_before);
    (falls || failed).then(|| Regression {
        assessment,
        path: path.to_owned(),
        score_before,
        score_after: Some(score_after.unwrap_or(0)),
        controls: list,
    })
}

/// The gate's findings of the ratchet for the change `base..head` ending at `last` (the
/// head, or the work tree): each regression of the net change when no commit of the
/// range states a reason; when one does, the regressions the uncommitted changes make
/// themselves (they have no message to state theirs in), by `acting`.
pub(super) fn judge(
    versions: &Versions,
    (base, head, last): (CommitId, CommitId, Side),
    acting: String,
) -> Result<Vec<GateFinding>, RatchetError> {
    let git = versions.git;
    let net = regressions(versions, start(git, base, head)?, last)?;
    if net.is_empty() {
        return Ok(Vec::new());
    }
    let finding = |by: By, r: Regression| GateFinding {
        by,
        path: r.path.clone(),
        change: None,
        problem: Problem::Regression(r),
    };
    if reasons(git, base, head)?.is_empty() {
        return Ok(net.into_iter().map(|r| finding(By::Net, r)).collect());
    }
    if last != Side::WorkTree {
        return Ok(Vec::new());
    }
    Ok(regressions(versions, head, Side::WorkTree)?
        .into_iter()
        .map(|r| finding(By::WorkTree(acting.clone()), r))
        .collect())
}
