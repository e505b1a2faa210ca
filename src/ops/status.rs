//! The dashboard (`assure status`): one tile per assessment, grouped by group.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::ops::Project;
use crate::ops::freshness::{self, Counts};
use crate::ops::score::{Progress, score};

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
/// building it a group at a time from one read for the whole repository.
pub fn dashboard_with(
    project: &Project,
    show_archived: bool,
    today: NaiveDate,
    committed: &std::collections::HashMap<String, chrono::DateTime<chrono::Utc>>,
) -> Dashboard {
    let warn_days = freshness::warn_days(project);
    let mut groups: Vec<GroupTiles> = project
        .ws
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
    for a in &project.ws.assessments {
        let v = &a.doc.value;
        let tile = Tile {
            assessment: a.key(),
            name: project
                .catalog
                .assessment_name(&v.service, &v.certification),
            service: v.service.clone(),
            certification: v.certification.clone(),
            created: v.created,
            modified: modified(committed, a),
            archived: v.archived,
            progress: score(v, &project.catalog)
                .map(|s| s.total)
                .unwrap_or_default(),
            evidence: freshness::counts(a, today, warn_days),
        };
        if a.is_archived() {
            archived_count += 1;
            if show_archived {
                archived.push(tile);
            }
        } else if let Some(g) = groups.iter_mut().find(|g| g.id == a.group) {
            g.tiles.push(tile);
        }
    }
    groups.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Dashboard {
        organization: project
            .ws
            .config
            .as_ref()
            .map_or_else(String::new, |c| c.value.organization.clone()),
        groups,
        archived,
        archived_count,
    }
}

/// When an assessment last changed, as every view shows it: the time of the last commit
/// that changed its file (`committed`, from [`crate::ops::history::last_commit_times`]),
/// or, for a file with uncommitted changes or outside git, its modification time.
pub fn modified(
    committed: &std::collections::HashMap<String, DateTime<Utc>>,
    a: &crate::repo::AssessmentDoc,
) -> Option<DateTime<Utc>> {
    committed.get(&a.path()).copied().or(a.modified)
}
