//! `assure export oscal` as a use case: read from git where the export comes from
//! ([`origin`]) and the history-backed facts of an assessment ([`subject`]), hand them to
//! the pure builders of [`crate::oscal::export`], and write the document.
//!
//! Invariants:
//! - An export states a commit, so it needs one: outside git, before the first commit or
//!   in a shallow clone (where the repository's identity, its root commit, and the
//!   history-backed facts are missing) it refuses with what to do, rather than make up
//!   ids that a full clone would not reproduce.
//! - The export reads what every command reads (the work tree); when the compliance data
//!   differs from HEAD, the document says so in its metadata. Exported as of a commit
//!   (`--as-of`), it is that commit's data and history, uncommitted changes left out.
//! - The output file goes through [`crate::edit::output::check_file`] (never into the
//!   repository's data or .git) and is written atomically; nothing else is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Project;
use super::history::{self, LogQuery};
use crate::edit::output::{self, OutputError};
use crate::git::{Git, GitError};
use crate::oscal::export::{self as build, Origin, Subject, Tester};

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The repository cannot give what an export states (the message says why and what to
    /// do).
    #[error("{0}")]
    History(String),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    NotFound(#[from] super::NotFound),
    /// The data cannot be expressed as asked (the message says why).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What<'a> {
    /// An assessment (`group/service--certification`) as one OSCAL model.
    Assessment { key: &'a str, model: Model },
    /// A certification, by id, as an OSCAL catalog.
    Catalog { certification: &'a str },
}

/// The OSCAL model an assessment is exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Model {
    #[default]
    AssessmentResults,
    Poam,
    Ssp,
}

/// Where an export of `project` comes from: the organization, the repository's root
/// commit, HEAD and its time, whether the work tree's compliance data differs from it.
pub fn origin(project: &Project) -> Result<Origin, ExportError> {
    let refuse = |why: &str| {
        ExportError::History(format!(
            "{why}: an OSCAL export states the commit it comes from, and its ids derive from the repository's first commit; {}",
            if why.contains("shallow") {
                "fetch the whole history (`git fetch --unshallow`; in GitHub Actions, `fetch-depth: 0` in actions/checkout)"
            } else {
                "commit the compliance data first (`git init`, `git add`, `git commit`)"
            }
        ))
    };
    let git = Git::open(&project.ws.root)?.ok_or_else(|| {
        refuse(&format!(
            "{} is not in a git repository",
            project.ws.root.display()
        ))
    })?;
    if git.is_unborn() {
        return Err(refuse("the repository has no commits yet"));
    }
    if git.is_shallow() {
        return Err(refuse("this is a shallow clone"));
    }
    // A view as of a commit exports that commit, uncommitted changes left out.
    let head = project.revision().map_or_else(|| git.resolve("HEAD"), Ok)?;
    // The report's own reading of HEAD, its time and the uncommitted changes: a workbook
    // and an export of the same commit state the same facts.
    let ctx = super::report::context(project, DateTime::<Utc>::UNIX_EPOCH);
    Ok(Origin {
        organization: ctx.organization,
        repository: git.first_root(head)?.to_string(),
        commit: head.to_string(),
        time: ctx.generated_at,
        dirty: ctx.dirty,
        generator: Origin::generator(),
    })
}

/// The document `what` of `project`, as it stands in the work tree, stated as coming from
/// `origin`.
pub fn export(project: &Project, origin: &Origin, what: What) -> Result<Value, ExportError> {
    match what {
        What::Catalog { certification } => {
            let cert = project.certification(certification)?;
            build::catalog::build(&cert.cert, origin).map_err(ExportError::Invalid)
        }
        What::Assessment { key, model } => {
            let a = project.assessment(key)?;
            check_documents(&a.path(), &a.doc.value)?;
            let page = super::assessment_view::show(project, &a.key())?;
            let v = &a.doc.value;
            let cert = project.certification(&v.certification)?;
            let views = super::score::controls(v, &project.catalog).ok_or_else(|| {
                super::NotFound(format!(
                    "{} has no certification or template in the catalog; `assure validate` says what is wrong",
                    a.path()
                ))
            })?;
            let testers = testers(project, &a.key())?;
            // "Open" action items are what `assure actions` lists, by the same function.
            let actions: Vec<_> =
                super::actions::action_items(project, None, Some(&v.certification))
                    .into_iter()
                    .filter(|i| i.assessment == a.key())
                    .collect();
            let people = project
                .ws
                .config
                .as_ref()
                .map_or(&[][..], |c| &c.value.people);
            let subject = Subject {
                page: &page,
                assessment: v,
                certification: &cert.cert,
                views: &views,
                people,
                testers: &testers,
                service: project.catalog.services.get(&v.service).map(|(s, _)| s),
                actions: &actions,
            };
            Ok(match model {
                Model::AssessmentResults => build::assessment_results::build(&subject, origin),
                Model::Poam => {
                    build::poam::build(&subject, origin).map_err(ExportError::Invalid)?
                }
                Model::Ssp => build::ssp::build(&subject, origin),
            })
        }
    }
}

/// Refuses an assessment (file `path`) that names an evidence document by a path that is
/// not a plain repository-relative one (`..`, an absolute or a drive path): the export
/// links every document by its path, and a link that leaves the package is one an
/// assessor's tool must not be handed.
fn check_documents(path: &str, a: &crate::model::Assessment) -> Result<(), ExportError> {
    for (id, record) in &a.controls {
        for d in &record.documents {
            if crate::rules::evidence::check_path(&d.path).is_err() {
                return Err(ExportError::Invalid(format!(
                    "{path}: control {id} names the evidence document `{}`, which is not a path inside the repository; the export links each document by its path, so correct it first (`assure validate` says how)",
                    crate::text::escape_line(&d.path)
                )));
            }
        }
    }
    Ok(())
}

/// Who recorded each control's current test in the assessment `key`, from git history
/// (the audit trail of `assure log`): the author of the newest commit that changed the
/// control's `test_result` or `test_date`, or, when no commit did since, of the commit
/// that created the file with it. A control whose test in the work tree is not the one
/// HEAD holds (uncommitted) has no tester: no commit says who made it.
pub fn testers(project: &Project, key: &str) -> Result<BTreeMap<String, Tester>, ExportError> {
    let git = Git::require(&project.ws.root)?;
    let a = project.assessment(key)?;
    let query = LogQuery {
        assessment: Some(key.to_owned()),
        until: project.revision(),
        ..LogQuery::default()
    };
    let log = history::log(&git, &project.ws.root, &query)?;
    let created = format!("create assessment {key}");
    // Newest first: the first commit seen for a control is the one that made its test
    // what it is; `None` marks a test removed then (nobody made the one there now).
    let mut found: BTreeMap<String, Option<Tester>> = BTreeMap::new();
    for entry in &log.entries {
        // A merge brings tests made on the merged branch: their commits, further down
        // the log, say who made them, not the merge's author.
        let merged = merged_tests(&git, &a.path(), &entry.commit);
        let tester = || Tester {
            email: entry.commit.author_email.clone(),
            name: entry.commit.author_name.clone(),
            time: entry.commit.time,
            commit: entry.commit.id.to_string(),
        };
        for change in &entry.changes {
            if change.change == created {
                for id in a.doc.value.controls.keys() {
                    if merged.contains(id) {
                        continue;
                    }
                    found.entry(id.clone()).or_insert_with(|| Some(tester()));
                }
                continue;
            }
            let (Some(control), Some("test_result" | "test_date")) =
                (&change.control, change.field.as_deref())
            else {
                continue;
            };
            if merged.contains(control) {
                continue;
            }
            let removed = change.field.as_deref() == Some("test_result")
                && matches!(change.new, None | Some(serde_json::Value::Null));
            found
                .entry(control.clone())
                .or_insert_with(|| (!removed).then(tester));
        }
    }
    let uncommitted = match project.revision() {
        Some(_) => Default::default(),
        None => uncommitted_tests(&git, &a.path(), &a.doc.value),
    };
    Ok(found
        .into_iter()
        .filter(|(id, _)| !uncommitted.contains(id))
        .filter_map(|(id, t)| Some((id, t?)))
        .collect())
}

/// The controls whose test (result and date) at the merge `commit` is the one a merged
/// parent (not the first) already had: the merge brought it, it did not make it. None
/// for a commit with one parent.
fn merged_tests(
    git: &Git,
    path: &str,
    commit: &crate::git::CommitInfo,
) -> std::collections::BTreeSet<String> {
    let merge = match commit.parents.len() {
        0 | 1 => None,
        _ => read_at(git, commit.id, path),
    };
    let Some(merge) = merge else {
        return std::collections::BTreeSet::new();
    };
    let others: Vec<_> = commit.parents[1..]
        .iter()
        .filter_map(|p| read_at(git, *p, path))
        .collect();
    merge
        .controls
        .keys()
        .filter(|id| {
            let test = |a: &crate::model::Assessment| {
                a.controls.get(*id).map(|r| (r.test_result, r.test_date))
            };
            others.iter().any(|o| test(o) == test(&merge))
        })
        .cloned()
        .collect()
}

/// The assessment at `path` in `commit`, when it can be read as one.
fn read_at(
    git: &Git,
    commit: crate::git::CommitId,
    path: &str,
) -> Option<crate::model::Assessment> {
    let text = git.read_at(commit, path).ok().flatten()?;
    let json = crate::repo::yaml::parse_to_json(&text).ok()?;
    serde_json::from_value(json).ok()
}

/// The controls whose test (result and date) in `current`, the work tree's assessment at
/// `path`, differs from HEAD's; every control when HEAD's file cannot be read as one.
fn uncommitted_tests(
    git: &Git,
    path: &str,
    current: &crate::model::Assessment,
) -> std::collections::BTreeSet<String> {
    let committed = git
        .resolve("HEAD")
        .ok()
        .and_then(|head| read_at(git, head, path));
    let test = |a: Option<&crate::model::Assessment>, id: &str| {
        a.and_then(|a| a.controls.get(id))
            .map(|r| (r.test_result, r.test_date))
    };
    current
        .controls
        .keys()
        .filter(|id| test(committed.as_ref(), id) != test(Some(current), id))
        .cloned()
        .collect()
}

/// Where `path` (the `-o` the user gave) may be written: checked as every single-file
/// output is ([`output::check_file`]), before anything is built.
pub fn check_output(path: &Path, root: Option<&Path>) -> Result<PathBuf, ExportError> {
    Ok(output::check_file(path, root)?)
}

/// Writes `text` (a rendered document) to `target` (from [`check_output`]) atomically.
pub fn write(target: &Path, text: &str) -> Result<(), ExportError> {
    crate::edit::write_atomic(target, text.as_bytes())
        .map_err(|e| ExportError::Write(target.display().to_string(), e))
}
