//! `assure report excel | site` as a use case: read from git what a report says about
//! where it comes from (commit, commit time, uncommitted changes) and, for the site, the
//! score and field histories; hand them to [`crate::report`] as plain data; write the
//! output.
//!
//! Invariants:
//! - This is where reports meet git: `src/report/` renders data and never opens the
//!   repository's history, so a report is a function of the project, the
//!   [`ReportContext`] and the [`History`] passed in.
//! - The history is walked once for all assessment files
//!   ([`history::assessment_histories`]), never per control, and not at all for the
//!   public site, which is built from the catalog alone.
//! - Output goes through [`crate::edit::output`]: a folder that may not be replaced is
//!   refused before anything is rendered, and files are written atomically.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::Project;
use super::group_wise::GroupWise;
use super::history::{self, Histories};
use crate::edit::output::{self, OutputError, Staged};
use crate::git::{CommitId, Git, GitError};
use crate::repo::{AssessmentDoc, Values, Workspace};
use crate::report::site::{self, History, SiteOptions};
use crate::report::{self as render, ReportContext, ReportError, excel};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Render(#[from] ReportError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Load(#[from] super::project::LoadError),
    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),
    /// No such assessment (the message has a "did you mean").
    #[error(transparent)]
    NotFound(#[from] super::NotFound),
}

/// What the report says about where it comes from: the HEAD commit of the repository
/// holding `project` (the commit it was read from, for a view as of a commit), its time
/// and whether the compliance data differs from it; outside git (or before the first
/// commit), `now`.
pub fn context(project: &Project, now: DateTime<Utc>) -> ReportContext {
    context_of(&project.ws, project.revision(), now)
}

/// [`context`] of the workspace `ws` (its `assure.yaml` and root are read) read from
/// `revision` (`None`: the work tree).
fn context_of(ws: &Workspace, revision: Option<CommitId>, now: DateTime<Utc>) -> ReportContext {
    let config = ws.config.as_ref().map(|c| &c.value);
    let mut ctx = ReportContext {
        organization: config.map_or_else(String::new, |c| c.organization.clone()),
        commit: None,
        generated_at: now,
        dirty: false,
        // The caller's day, until the CLI sets its own (`--today`).
        today: now.date_naive(),
        has_git: false,
        link_base: config.and_then(|c| c.report.link_base.clone()),
        last_changed: Default::default(),
        as_of: None,
    };
    if let Ok(Some(git)) = Git::open(&ws.root) {
        ctx.has_git = true;
        // A view as of a commit is that commit's report: its id and time, no uncommitted
        // changes, and a banner saying it is a past view.
        if let Some(commit) = revision {
            ctx.commit = Some(commit.to_string());
            ctx.as_of = super::asof::describe(&git, commit).ok();
            if let Ok(info) = git.commit_info(commit) {
                ctx.generated_at = info.time;
            }
        } else if let Ok(head) = git.resolve("HEAD") {
            ctx.commit = Some(head.to_string());
            if let Ok(info) = git.commit_info(head) {
                ctx.generated_at = info.time;
            }
            // Only the compliance data counts (not, say, a rendered site lying around).
            let data = |p: &String| {
                p == "assure.yaml"
                    || ["groups/", "catalog/", "evidence/"]
                        .iter()
                        .any(|d| p.starts_with(d))
            };
            ctx.dirty = git
                .changed_files(Some(head), None)
                .map(|f| f.iter().any(data))
                .unwrap_or(false);
        }
    }
    ctx
}

/// The context of workbooks: [`context`], and when each assessment file last changed
/// (one walk of history from HEAD, until every file is found).
pub fn workbook_context(project: &Project, now: DateTime<Utc>) -> ReportContext {
    let mut ctx = context(project, now);
    let paths: Vec<String> = project.ws.assessments.iter().map(|a| a.path()).collect();
    ctx.last_changed = history::last_commit_times(&project.ws.root, &paths, project.revision());
    ctx
}

/// The history the organization's site shows: every assessment file's field changes and
/// scores, from one walk of git's history; or, outside git or before the first commit,
/// none and why.
pub fn site_history(project: &Project, ctx: &ReportContext) -> Result<History, GitError> {
    let ws = &project.ws;
    let none = |why: &str| History {
        histories: Histories::default(),
        missing: Some(why.to_owned()),
        last_commits: None,
    };
    if !ctx.has_git {
        return Ok(none("no history (not in git)"));
    }
    Ok(match Git::open(&ws.root)? {
        None => none("no history (not in git)"),
        Some(git) if git.is_unborn() => none("no history (no commits yet)"),
        Some(_) => {
            let paths: Vec<String> = ws.assessments.iter().map(site::assessment_path).collect();
            History {
                histories: history::assessment_histories(
                    &ws.root,
                    &project.catalog,
                    &paths,
                    project.revision(),
                )?,
                missing: None,
                last_commits: None,
            }
        }
    })
}

/// Every file of the report site (relative path → bytes), with the history read from
/// git for the organization's site and none for the public one.
pub fn site_files(
    project: &Project,
    ctx: &ReportContext,
    opts: &SiteOptions,
    progress: &dyn Fn(usize, usize),
) -> Result<std::collections::BTreeMap<String, Vec<u8>>, Error> {
    let history = if opts.public {
        History::default()
    } else {
        site_history(project, ctx)?
    };
    Ok(site::render(project, ctx, opts, &history, progress)?)
}

/// `assure report site`: renders the site into `dir`, replacing it whole (see
/// [`output::SITE`]); returns how many files it holds. The organization's site of the
/// repository at `root` (its work tree, or `rev`) is read and written a group at a time
/// ([`GroupWise`]): each page goes to the staged folder as it is rendered, and only the
/// dashboard's and the action items' summaries are kept, so memory stays that of a few
/// groups. The public site, built from the catalog alone, is rendered whole.
pub fn write_site(
    project: &Project,
    now: DateTime<Utc>,
    today: NaiveDate,
    dir: &Path,
    opts: &SiteOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<usize, Error> {
    let ctx = ReportContext {
        today,
        ..context(project, now)
    };
    // Checked before the long render: a folder that may not be replaced is refused at
    // once, untouched.
    let staged = Staged::begin(dir, &output::SITE, Some(&project.ws.root))?;
    let files = if opts.public {
        let files = site_files(project, &ctx, opts, progress)?;
        for (rel, bytes) in &files {
            staged.write(rel, bytes)?;
        }
        files.len()
    } else {
        stream_site(project, &ctx, &staged, progress)?
    };
    staged.finish()?;
    Ok(files)
}

/// The organization's site of `project`'s repository written into `staged` group by
/// group; how many files.
fn stream_site(
    project: &Project,
    ctx: &ReportContext,
    staged: &Staged,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<usize, Error> {
    let root = &project.ws.root;
    let wise = match project.revision() {
        Some(rev) => GroupWise::at_revision(root, &rev.to_string())?,
        None => GroupWise::work_tree(root)?,
    };
    let (index, missing) = history_index(root, ctx, project.revision())?;
    // What every group's part shares: the groups' renames, why there is no history, and
    // when each file last changed (read once here, not once per group).
    let history = History {
        histories: index.as_ref().map(|i| i.groups()).unwrap_or_default(),
        missing,
        last_commits: Some(match &index {
            Some(index) => history::last_commit_times(root, &index.paths(), project.revision()),
            None => Default::default(),
        }),
    };
    // The action rows wait in scratch files inside the staged folder (unnamed: they
    // go with the last row, whether the site is finished or not).
    let renderer = site::Renderer::new()?.spooling(staged.path());
    for (rel, bytes) in site::assets() {
        staged.write(rel, bytes)?;
    }
    let total = 2 + wise.assessments();
    let done = AtomicUsize::new(0);
    let page_done = || progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
    // Every file written: the pages, the groups' data scripts, the assets.
    let written = AtomicUsize::new(site::assets().len());
    let gits = std::sync::Mutex::new(Vec::new());
    let summaries = wise.map(Values::Move, &|_, _| {}, |group: Project| {
        // Each file's history is read just before its page and dropped with it.
        let read = |path: &str| match &index {
            Some(index) => read_file_history(&gits, root, index, &group, path),
            None => Ok(None),
        };
        renderer.pages::<Error>(&group, ctx, &history, Some(&read), &mut |rel, bytes| {
            staged.write(&rel, &bytes)?;
            written.fetch_add(1, Ordering::Relaxed);
            if rel.ends_with(".html") {
                page_done();
            }
            Ok(())
        })
    });
    let summaries = summaries.into_iter().collect::<Result<Vec<_>, Error>>()?;
    for (rel, page) in renderer.index(wise.rest(), ctx, &history, summaries)? {
        staged.write_with(&rel, |out| page.write_to(out))?;
        written.fetch_add(1, Ordering::Relaxed);
        page_done();
    }
    Ok(written.into_inner())
}

/// One assessment file's history from `index`, read with a git handle from `gits` (a
/// handle serves one thread at a time; one is opened when none is free).
fn read_file_history(
    gits: &std::sync::Mutex<Vec<Git>>,
    root: &Path,
    index: &history::HistoryIndex,
    group: &Project,
    path: &str,
) -> Result<Option<history::FileHistory>, ReportError> {
    let taken = gits
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .pop();
    let git = match taken {
        Some(git) => git,
        None => Git::require(root)
            .map_err(|e| ReportError::Template(format!("the history of {path}: {e}")))?,
    };
    // The version the page shows is loaded already: its history does not parse it again.
    let known = group
        .ws
        .assessments
        .iter()
        .find(|a| a.path() == path)
        .and_then(|a| {
            let text = &group.ws.sources.get(a.doc.file).text;
            Some((Git::hash_blob(text.as_bytes()).ok()?, &a.doc.value))
        });
    let history = index.file_history_from(&git, &group.catalog, path, known);
    gits.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(git);
    Ok(history)
}

/// The walk of history behind the organization's site, or why there is none (as
/// [`site_history`] says it).
fn history_index(
    root: &Path,
    ctx: &ReportContext,
    at: Option<crate::git::CommitId>,
) -> Result<(Option<history::HistoryIndex>, Option<String>), GitError> {
    if !ctx.has_git {
        return Ok((None, Some("no history (not in git)".into())));
    }
    Ok(match Git::open(root)? {
        None => (None, Some("no history (not in git)".into())),
        Some(git) if git.is_unborn() => (None, Some("no history (no commits yet)".into())),
        Some(_) => (
            Some(history::HistoryIndex::every_assessment(root, at)?),
            None,
        ),
    })
}

/// The file name of an assessment's workbook: `<group>--<file>.xlsx`.
pub fn workbook_name(a: &AssessmentDoc) -> String {
    format!("{}--{}.xlsx", a.group, a.stem)
}

/// `assure report excel ASSESSMENT`: writes one assessment's workbook (`group/service--certification`)
/// into `output`, or into `<group>--<file>.xlsx` in `start` when `None`; returns the path
/// written.
pub fn write_workbook(
    project: &Project,
    now: DateTime<Utc>,
    today: NaiveDate,
    start: &Path,
    assessment: &str,
    output: Option<&Path>,
) -> Result<PathBuf, Error> {
    let ctx = ReportContext {
        today,
        ..workbook_context(project, now)
    };
    let root = Some(project.ws.root.as_path());
    let a = project.assessment(assessment)?;
    let path = start.join(output.map_or_else(|| workbook_name(a).into(), Path::to_path_buf));
    let target = output::check_file(&path, root)?;
    // Document links are relative to the folder the workbook is written in.
    let dir = target.parent().unwrap_or(Path::new("."));
    render::write_file(&target, &excel::workbook(project, a, &ctx, dir)?)?;
    Ok(path)
}

/// `assure report excel --all`: every assessment's workbook (archived ones included) into
/// the folder `dir`, replaced whole (see [`output::WORKBOOKS`]); returns the paths
/// written, in the repository's order.
///
/// The repository is read group by group ([`GroupWise`]): each core renders one
/// workbook at a time and writes it straight into the staged folder, so memory holds a
/// few groups and a few workbooks whatever the repository's size. The first workbook
/// that cannot be rendered stops the rest, and the old folder stays as it was.
/// `progress(done, total)` counts workbooks.
pub fn write_all_workbooks(
    wise: &GroupWise,
    now: DateTime<Utc>,
    today: NaiveDate,
    dir: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<PathBuf>, Error> {
    let rest = wise.rest();
    // Checked before the long render: a folder that may not be replaced is refused at
    // once, untouched.
    let staged = Staged::begin(dir, &output::WORKBOOKS, Some(&rest.root))?;
    let paths = wise.assessment_paths();
    let ctx = ReportContext {
        today,
        last_changed: history::last_commit_times(&rest.root, &paths, wise.revision()),
        ..context_of(rest, wise.revision(), now)
    };
    let (done, total) = (AtomicUsize::new(0), paths.len());
    let failed = AtomicBool::new(false);
    let write = |project: &Project, a: &AssessmentDoc| -> Result<String, Error> {
        let name = workbook_name(a);
        let bytes = excel::workbook(project, a, &ctx, dir)?;
        staged.write(&name, &bytes)?;
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        Ok(name)
    };
    let groups = wise.map(Values::Skip, &|_, _| {}, |project| {
        let assessments = &project.ws.assessments;
        let names: Result<Vec<String>, Error> = assessments
            .par_iter()
            .map(|a| match failed.load(Ordering::Relaxed) {
                // Another workbook failed: nothing more is rendered.
                true => Ok(String::new()),
                false => write(&project, a).inspect_err(|_| failed.store(true, Ordering::Relaxed)),
            })
            .collect();
        names
    });
    let mut written = Vec::with_capacity(total);
    for names in groups {
        written.extend(names?.into_iter().map(|name| dir.join(name)));
    }
    staged.finish()?;
    Ok(written)
}
