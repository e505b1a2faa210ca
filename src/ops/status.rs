//! The dashboard (`assure status`): one tile per assessment, grouped by group.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use std::collections::{BTreeSet, HashMap};

use crate::ops::Project;
use crate::ops::freshness::{self, Counts};
use crate::ops::group_wise::GroupWise;
use crate::ops::score::{Progress, score};
use crate::repo::{Values, Workspace};

#[derive(Debug, Clone, Serialize)]
pub struct Tile {
    pub assessment: String,
    pub name: String,
    pub service: String,
    pub certification: String,
    pub created: DateTime<Utc>,
    pub modified: Option<DateTime<Utc>>,
    pub archived: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub progress: Progress,
    /// Its expired and expiring documents on the day the dashboard is made for (none
    /// counted in an archived assessment).
    pub evidence: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupTiles {
    pub id: String,
    pub name: String,
    pub tiles: Vec<Tile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub organization: String,
    pub groups: Vec<GroupTiles>,
    /// Archived assessments (only when asked for).
    pub archived: Vec<Tile>,
    /// How many archived assessments exist (shown or not).
    pub archived_count: usize,
}

/// Builds the dashboard; archived assessments are listed only when `show_archived`.
/// `modified` is the time of the last commit that changed each assessment file (DESIGN.md
/// §1.3); a file without one shows its modification time. Evidence freshness is judged
/// on `today` (the caller's date).
pub fn dashboard(project: &Project, show_archived: bool, today: NaiveDate) -> Dashboard {
    let paths: Vec<String> = project.ws.assessments.iter().map(|a| a.path()).collect();
    let committed =
        crate::ops::history::last_commit_times(&project.ws.root, &paths, project.revision());
    dashboard_with(project, show_archived, today, &committed)
}

/// [`dashboard`] with the last commit times already read (`committed`: assessment file
/// path → time, as [`crate::ops::history::last_commit_times`] gives them), for a caller
/// building it a group at a time from one read for the whole repository (the site).
pub fn dashboard_with(
    project: &Project,
    show_archived: bool,
    today: NaiveDate,
    committed: &HashMap<String, DateTime<Utc>>,
) -> Dashboard {
    assemble(
        &project.ws,
        entries(project, today),
        show_archived,
        committed,
    )
}

/// The dashboard of the whole repository read group by group ([`GroupWise`]), equal to
/// [`dashboard`] of the whole project; also the assessment files that do not load
/// ([`left_out`]). `progress(done, total)` as groups are read.
pub fn dashboard_wise(
    wise: &GroupWise,
    show_archived: bool,
    today: NaiveDate,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> (Dashboard, BTreeSet<String>) {
    let parts = wise.map(Values::Skip, progress, |project| {
        (entries(&project, today), left_out(&project))
    });
    let mut entries = Vec::new();
    let mut broken = BTreeSet::new();
    for (e, b) in parts {
        entries.extend(e);
        broken.extend(b);
    }
    let paths: Vec<String> = entries.iter().map(|e| e.path.clone()).collect();
    let committed =
        crate::ops::history::last_commit_times(&wise.rest().root, &paths, wise.revision());
    let board = assemble(wise.rest(), entries, show_archived, &committed);
    (board, broken)
}

/// One assessment's tile, with its file's path and group (`modified`: the file's
/// modification time, until [`assemble`] reads the commit times).
struct Entry {
    path: String,
    group: String,
    archived: bool,
    tile: Tile,
}

fn entries(project: &Project, today: NaiveDate) -> Vec<Entry> {
    let warn_days = freshness::warn_days(project);
    project
        .ws
        .assessments
        .iter()
        .map(|a| {
            let v = &a.doc.value;
            let tile = Tile {
                assessment: a.key(),
                name: project
                    .catalog
                    .assessment_name(&v.service, &v.certification),
                service: v.service.clone(),
                certification: v.certification.clone(),
                created: v.created,
                modified: a.modified,
                archived: v.archived,
                progress: score(v, &project.catalog)
                    .map(|s| s.total)
                    .unwrap_or_default(),
                evidence: freshness::counts(a, today, warn_days),
            };
            Entry {
                path: a.path(),
                group: a.group.clone(),
                archived: a.is_archived(),
                tile,
            }
        })
        .collect()
}

/// The dashboard of `entries` (in the order of a whole load's assessments) over the
/// groups of `ws`, each tile's `modified` the time of its file's last commit
/// (`committed`), else its modification time.
fn assemble(
    ws: &Workspace,
    entries: Vec<Entry>,
    show_archived: bool,
    committed: &HashMap<String, DateTime<Utc>>,
) -> Dashboard {
    let mut groups: Vec<GroupTiles> = ws
        .groups
        .iter()
        .map(|g| GroupTiles {
            id: g.id.clone(),
            name: g
                .doc
                .as_ref()
                .map_or_else(|| g.id.clone(), |d| d.value.name.clone()),
            tiles: Vec::new(),
        })
        .collect();
    let mut archived = Vec::new();
    let mut archived_count = 0;
    for mut e in entries {
        e.tile.modified = committed.get(&e.path).copied().or(e.tile.modified);
        if e.archived {
            archived_count += 1;
            if show_archived {
                archived.push(e.tile);
            }
        } else if let Some(g) = groups.iter_mut().find(|g| g.id == e.group) {
            g.tiles.push(e.tile);
        }
    }
    groups.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Dashboard {
        organization: ws
            .config
            .as_ref()
            .map_or_else(String::new, |c| c.value.organization.clone()),
        groups,
        archived,
        archived_count,
    }
}

/// The assessment files of `project` that do not load (a syntax error, a merge conflict
/// left in them, a folder in their place), which the dashboard cannot show.
pub fn left_out(project: &Project) -> BTreeSet<String> {
    let loaded: BTreeSet<String> = project.ws.assessments.iter().map(|a| a.path()).collect();
    project
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.primary.as_ref())
        .map(|l| project.ws.sources.path(l.file))
        .filter(|p| {
            p.starts_with("groups/")
                && p.ends_with(".yaml")
                && !p.ends_with("/group.yaml")
                && !loaded.contains(*p)
        })
        .map(str::to_owned)
        .collect()
}

/// When an assessment last changed, as every view shows it: the time of the last commit
/// that changed its file (`committed`, from [`crate::ops::history::last_commit_times`]),
/// or, for a file with uncommitted changes or outside git, its modification time.
pub fn modified(
    committed: &HashMap<String, DateTime<Utc>>,
    a: &crate::repo::AssessmentDoc,
) -> Option<DateTime<Utc>> {
    committed.get(&a.path()).copied().or(a.modified)
}
