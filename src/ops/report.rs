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
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, Utc};

use super::Project;
use super::group_wise::GroupWise;
use super::history::{self, Histories};
use crate::edit::output::{self, OutputError, Staged};
use crate::git::{Git, GitError};
use crate::repo::AssessmentDoc;
use crate::repo::Values;
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

/// Which workbooks `report excel` writes, and where.
#[derive(Debug, Clone)]
pub enum Workbooks {
    /// One assessment (`group/service--certification`) into `output`, or into
    /// `<group>--<file>.xlsx` in `start` when `None`.
    One {
        assessment: String,
        output: Option<PathBuf>,
    },
    /// Every assessment (archived ones included) into the folder `dir`, replaced whole.
    All { dir: PathBuf },
}

/// What the report says about where it comes from: the HEAD commit of the repository
/// holding `project` (the commit it was read from, for a view as of a commit), its time
/// and whether the compliance data differs from it; outside git (or before the first
/// commit), `now`.
pub fn context(project: &Project, now: DateTime<Utc>) -> ReportContext {
    let config = project.ws.config.as_ref().map(|c| &c.value);
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
    if let Ok(Some(git)) = Git::open(&project.ws.root) {
        ctx.has_git = true;
        // A view as of a commit is that commit's report: its id and time, no uncommitted
        // changes, and a banner saying it is a past view.
        if let Some(commit) = project.revision() {
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
    let renderer = site::Renderer::new()?;
    for (rel, bytes) in site::assets() {
        staged.write(rel, bytes)?;
    }
    let total = 2 + wise.assessments();
    let done = AtomicUsize::new(0);
    let page_done = || progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
    let gits = std::sync::Mutex::new(Vec::new());
    let summaries = wise.map(Values::Move, &|_, _| {}, |group: Project| {
        // Each file's history is read just before its page and dropped with it.
        let read = |path: &str| match &index {
            Some(index) => read_file_history(&gits, root, index, &group.catalog, path),
            None => Ok(None),
        };
        renderer.pages::<Error>(&group, ctx, &history, Some(&read), &mut |rel, bytes| {
            staged.write(&rel, &bytes)?;
            page_done();
            Ok(())
        })
    });
    let summaries = summaries.into_iter().collect::<Result<Vec<_>, Error>>()?;
    for (rel, bytes) in renderer.index(wise.rest(), ctx, &history, summaries)? {
        staged.write(&rel, &bytes)?;
        page_done();
    }
    Ok(total + 2)
}

/// One assessment file's history from `index`, read with a git handle from `gits` (a
/// handle serves one thread at a time; one is opened when none is free).
fn read_file_history(
    gits: &std::sync::Mutex<Vec<Git>>,
    root: &Path,
    index: &history::HistoryIndex,
    catalog: &crate::catalog::Catalog,
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
    let history = index.file_history(&git, catalog, path);
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

/// `assure report excel`: writes the workbooks `which` asks for, relative paths taken
/// from `start`; returns the paths written, in order.
pub fn write_workbooks(
    project: &Project,
    now: DateTime<Utc>,
    today: NaiveDate,
    start: &Path,
    which: &Workbooks,
) -> Result<Vec<PathBuf>, Error> {
    let ctx = ReportContext {
        today,
        ..workbook_context(project, now)
    };
    let root = Some(project.ws.root.as_path());
    // Each workbook's document links are relative to the folder it is written in.
    let render = |a: &AssessmentDoc, dir: &Path| excel::workbook(project, a, &ctx, dir);
    match which {
        Workbooks::All { dir } => {
            let dir = start.join(dir);
            let targets = &project.ws.assessments;
            let staged = Staged::begin(&dir, &output::WORKBOOKS, root)?;
            for a in targets {
                staged.write(&workbook_name(a), &render(a, &dir)?)?;
            }
            staged.finish()?;
            Ok(targets.iter().map(|a| dir.join(workbook_name(a))).collect())
        }
        Workbooks::One { assessment, output } => {
            let a = project.assessment(assessment)?;
            let path = start.join(output.clone().unwrap_or_else(|| workbook_name(a).into()));
            let target = output::check_file(&path, root)?;
            let dir = target.parent().unwrap_or(Path::new("."));
            render::write_file(&target, &render(a, dir)?)?;
            Ok(vec![path])
        }
    }
}
