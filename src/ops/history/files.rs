//! Each assessment file's field-level history and score over time, as the reports show
//! them: one walk of history records which commits changed which file
//! ([`HistoryIndex`]), and each file's versions are parsed and compared when asked.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::*;
use crate::git::{BlobId, CommitId, CommitInfo, Git, GitError};

/// The compliance score of an assessment after one commit that changed its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScorePoint {
    pub time: chrono::DateTime<chrono::Utc>,
    pub commit: String,
    pub score: u32,
    pub max: u32,
    /// Customer-managed controls with a test result, of `total` (the progress).
    pub assessed: usize,
    pub total: usize,
}

/// The history of one assessment file, for the report site.
#[derive(Debug, Clone, Default)]
pub struct FileHistory {
    /// Newest first: each commit that changed the file, with its field-level changes.
    pub entries: Vec<LogEntry>,
    /// Oldest first: the score after each commit that changed the file (the chart).
    pub scores: Vec<ScorePoint>,
}

/// The histories of many assessment files from one walk of the history.
#[derive(Debug, Clone, Default)]
pub struct Histories {
    /// Assessment file path (relative to the compliance root) → its history.
    pub files: HashMap<String, FileHistory>,
    /// Group id → changes of its `group.yaml` (renames), newest first.
    pub groups: HashMap<String, Vec<LogEntry>>,
    /// In a shallow clone, where history stops.
    pub shallow_boundary: Option<CommitInfo>,
}

/// One commit's change of one file: the blob before (at the first parent) and after.
struct Step {
    commit: usize,
    old: Option<BlobId>,
    new: Option<BlobId>,
    /// At a shallow boundary the commit's own changes cannot be told apart from what
    /// came before; its content still gives a score.
    boundary: bool,
}

fn parse_blob<T: serde::de::DeserializeOwned>(git: &Git, blob: Option<BlobId>) -> Option<T> {
    let text = git.blob_text(blob?)?;
    let json = crate::repo::yaml::parse_to_json(&text).ok()?;
    serde_json::from_value(json).ok()
}

/// The file's versions in order: each is parsed once (the old side of a step is the new
/// side of the one before, except after a merge), and only the controls that differ are
/// compared field by field.
fn file_history(
    git: &Git,
    catalog: &crate::catalog::Catalog,
    path: &str,
    steps: &[Step],
    commits: &[CommitInfo],
    known: Option<(BlobId, &crate::model::Assessment)>,
) -> FileHistory {
    use crate::model::Assessment;
    use std::borrow::Cow;
    // A version already parsed (the one a page is rendered from) is not parsed again.
    let parse = |blob: Option<BlobId>| -> Option<Cow<'_, Assessment>> {
        match known {
            Some((id, parsed)) if blob == Some(id) => Some(Cow::Borrowed(parsed)),
            _ => parse_blob::<Assessment>(git, blob).map(Cow::Owned),
        }
    };
    let key = path
        .strip_prefix("groups/")
        .and_then(|p| p.strip_suffix(".yaml"))
        .unwrap_or(path);
    let mut out = FileHistory::default();
    let mut last: Option<(Option<BlobId>, Option<Cow<'_, Assessment>>)> = None;
    for step in steps {
        let info = &commits[step.commit];
        let old = match last.take() {
            Some((blob, parsed)) if blob == step.old => parsed,
            _ => parse(step.old),
        };
        let new = parse(step.new);
        if let Some(s) = new
            .as_deref()
            .and_then(|n| crate::ops::score::score(n, catalog))
        {
            out.scores.push(ScorePoint {
                time: info.time,
                commit: info.short.clone(),
                score: s.total.score,
                max: s.total.max,
                assessed: s.total.assessed,
                total: s.total.total,
            });
        }
        if !step.boundary {
            // Only differing controls go through the field-by-field comparison.
            let (o, n) = (
                old.as_deref().map(|o| differing(o, new.as_deref())),
                new.as_deref().map(|n| differing(n, old.as_deref())),
            );
            let changes: Vec<LogChange> =
                crate::ops::changes::assessment_changes(key, o.as_ref(), n.as_ref())
                    .iter()
                    .map(|c| log_change(path, c))
                    .collect();
            if !changes.is_empty() {
                out.entries.push(LogEntry {
                    commit: info.clone(),
                    changes,
                    signature: None,
                    keys_listed: false,
                    regression_reason: None,
                });
            }
        }
        last = Some((step.new, new));
    }
    out.entries.reverse();
    out
}

/// `a` with only the controls whose records differ from `other`'s: only those go
/// through the field-by-field comparison.
fn differing(
    a: &crate::model::Assessment,
    other: Option<&crate::model::Assessment>,
) -> crate::model::Assessment {
    crate::model::Assessment {
        service: a.service.clone(),
        certification: a.certification.clone(),
        created: a.created,
        created_by: a.created_by.clone(),
        archived: a.archived,
        categories: a.categories.clone(),
        controls: a
            .controls
            .iter()
            .filter(|(id, r)| other.and_then(|o| o.controls.get(*id)) != Some(*r))
            .map(|(id, r)| (id.clone(), r.clone()))
            .collect(),
    }
}

/// The field-level history and score over time of every assessment file in `paths`
/// (`groups/<group>/<file>.yaml`, relative to the compliance root at `root`), and the
/// renames of their groups. History is walked ONCE from HEAD (or from `at`, a view as of
/// that commit), comparing trees (cheap); then each file's versions are parsed and
/// compared, files in parallel.
pub fn assessment_histories(
    root: &Path,
    catalog: &crate::catalog::Catalog,
    paths: &[String],
    at: Option<CommitId>,
) -> Result<Histories, GitError> {
    let wanted = Wanted::Paths(paths.iter().cloned().collect());
    let index = HistoryIndex::walk(root, wanted, at)?;
    index.histories(root, catalog, paths)
}

/// Which files a walk of history records.
enum Wanted {
    /// These assessment files (and their groups' `group.yaml`).
    Paths(std::collections::HashSet<String>),
    /// Every `groups/<group>/<file>.yaml` (and every `group.yaml`).
    Every,
}

impl Wanted {
    fn assessment(&self, path: &str) -> bool {
        match self {
            Wanted::Paths(p) => p.contains(path),
            Wanted::Every => {
                let mut parts = path.split('/');
                matches!(
                    (parts.next(), parts.next(), parts.next(), parts.next()),
                    (Some("groups"), Some(_), Some(f), None)
                        if f.ends_with(".yaml") && f != "group.yaml"
                )
            }
        }
    }

    fn group_file(&self, path: &str) -> bool {
        let mut parts = path.split('/');
        let (Some("groups"), Some(group), Some("group.yaml"), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        match self {
            Wanted::Paths(p) => p
                .iter()
                .any(|a| a.split('/').nth(1) == Some(group) && a.starts_with("groups/")),
            Wanted::Every => true,
        }
    }
}

/// One walk of history, kept small: which commits changed which assessment file (blob
/// ids, nothing parsed) and the groups' renames. Each file's history is computed from it
/// when asked ([`HistoryIndex::histories`]), so a caller going group by group never
/// holds every file's field changes at once.
pub struct HistoryIndex {
    commits: Vec<CommitInfo>,
    steps: HashMap<String, Vec<Step>>,
    groups: HashMap<String, Vec<LogEntry>>,
    shallow_boundary: Option<CommitInfo>,
}

impl HistoryIndex {
    /// Walks from HEAD (or `at`) once, recording every assessment file's changes.
    pub fn every_assessment(root: &Path, at: Option<CommitId>) -> Result<HistoryIndex, GitError> {
        HistoryIndex::walk(root, Wanted::Every, at)
    }

    fn walk(root: &Path, wanted: Wanted, at: Option<CommitId>) -> Result<HistoryIndex, GitError> {
        let mut out = Histories::default();
        let git = Git::require(root)?;
        let mut walk = HistoryWalk {
            git: &git,
            wanted,
            commits: Vec::new(),
            steps: HashMap::new(),
            last_group: HashMap::new(),
            at,
        };
        if !git.is_unborn() {
            walk.walk(&mut out)?;
        }
        Ok(HistoryIndex {
            commits: walk.commits,
            steps: walk.steps,
            groups: out.groups,
            shallow_boundary: out.shallow_boundary,
        })
    }

    /// Where a shallow clone's history stops.
    pub fn shallow_boundary(&self) -> Option<&CommitInfo> {
        self.shallow_boundary.as_ref()
    }

    /// One assessment file's history (see [`assessment_histories`]), its versions read
    /// with `git`; `None` when no commit changed it.
    pub fn file_history(
        &self,
        git: &Git,
        catalog: &crate::catalog::Catalog,
        path: &str,
    ) -> Option<FileHistory> {
        self.file_history_from(git, catalog, path, None)
    }

    /// [`HistoryIndex::file_history`], with `known`: a version of the file already
    /// parsed (its blob id and value), used instead of parsing that version again.
    pub fn file_history_from(
        &self,
        git: &Git,
        catalog: &crate::catalog::Catalog,
        path: &str,
        known: Option<(BlobId, &crate::model::Assessment)>,
    ) -> Option<FileHistory> {
        let steps = self.steps.get(path)?;
        Some(file_history(
            git,
            catalog,
            path,
            steps,
            &self.commits,
            known,
        ))
    }

    /// Every assessment file some commit changed, in path order.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.steps.keys().cloned().collect();
        paths.sort();
        paths
    }

    /// Every group's renames and the shallow boundary, without any file's history.
    pub fn groups(&self) -> Histories {
        Histories {
            files: HashMap::new(),
            groups: self.groups.clone(),
            shallow_boundary: self.shallow_boundary.clone(),
        }
    }

    /// The histories of the assessment files `paths` (see [`assessment_histories`]),
    /// with every group's renames and the shallow boundary.
    pub fn histories(
        &self,
        root: &Path,
        catalog: &crate::catalog::Catalog,
        paths: &[String],
    ) -> Result<Histories, GitError> {
        let jobs: Vec<(&str, &[Step])> = paths
            .iter()
            .filter_map(|p| self.steps.get_key_value(p))
            .map(|(p, s)| (p.as_str(), &s[..]))
            .collect();
        Ok(Histories {
            files: file_histories(root, catalog, jobs, &self.commits)?,
            groups: self.groups.clone(),
            shallow_boundary: self.shallow_boundary.clone(),
        })
    }
}

/// The one walk of history behind [`HistoryIndex`]: the commits that changed a wanted
/// file, each wanted assessment's steps, and the group files' last versions.
struct HistoryWalk<'a> {
    git: &'a Git,
    wanted: Wanted,
    commits: Vec<CommitInfo>,
    steps: HashMap<String, Vec<Step>>,
    last_group: HashMap<String, (Option<BlobId>, Option<crate::model::Group>)>,
    /// Where the walk starts (`None`: HEAD).
    at: Option<CommitId>,
}

impl HistoryWalk<'_> {
    /// Walks from HEAD (or `at`), recording each wanted assessment's steps, and each
    /// group file's changes (and the shallow boundary) in `out`.
    fn walk(&mut self, out: &mut Histories) -> Result<(), GitError> {
        let git = self.git;
        let head = self.at.map_or_else(|| git.resolve("HEAD"), Ok)?;
        for id in git.range(None, head)? {
            let info = git.commit_info(id)?;
            // In a shallow clone the boundary's parent is missing (or the git layer shows none).
            let parent = info
                .parents
                .first()
                .copied()
                .filter(|&p| git.commit_info(p).is_ok());
            let boundary = parent.is_none() && (!info.parents.is_empty() || git.is_shallow());
            if boundary {
                out.shallow_boundary = Some(info.clone());
            }
            let mut index = None;
            for path in git.changed_files(parent, Some(id))? {
                let is_assessment = self.wanted.assessment(&path);
                if !is_assessment && !self.wanted.group_file(&path) {
                    continue;
                }
                let old = match parent {
                    Some(p) => git.blob_id(p, &path)?,
                    None => None,
                };
                let new = git.blob_id(id, &path)?;
                let commit = *index.get_or_insert_with(|| {
                    self.commits.push(info.clone());
                    self.commits.len() - 1
                });
                if is_assessment {
                    self.steps.entry(path).or_default().push(Step {
                        commit,
                        old,
                        new,
                        boundary,
                    });
                    continue;
                }
                self.group_step(out, &info, path, (old, new), boundary);
            }
        }
        Ok(())
    }

    /// Compares a group file's versions as the walk goes (group files are small and
    /// few), recording its changes in `out`, newest first.
    fn group_step(
        &mut self,
        out: &mut Histories,
        info: &CommitInfo,
        path: String,
        (old, new): (Option<BlobId>, Option<BlobId>),
        boundary: bool,
    ) {
        use crate::model::Group;
        let group = path.split('/').nth(1).unwrap_or_default().to_owned();
        let old_group = match self.last_group.remove(&path) {
            Some((blob, parsed)) if blob == old => parsed,
            _ => parse_blob::<Group>(self.git, old),
        };
        let new_group = parse_blob::<Group>(self.git, new);
        if !boundary {
            let changes: Vec<LogChange> =
                crate::ops::changes::group_changes(&group, old_group.as_ref(), new_group.as_ref())
                    .iter()
                    .map(|c| log_change(&path, c))
                    .collect();
            if !changes.is_empty() {
                out.groups.entry(group).or_default().insert(
                    0,
                    LogEntry {
                        commit: info.clone(),
                        changes,
                        signature: None,
                        keys_listed: false,
                        regression_reason: None,
                    },
                );
            }
        }
        self.last_group.insert(path, (new, new_group));
    }
}

/// Each file's history from its steps, files in parallel, in path order.
fn file_histories(
    root: &Path,
    catalog: &crate::catalog::Catalog,
    mut jobs: Vec<(&str, &[Step])>,
    commits: &[CommitInfo],
) -> Result<HashMap<String, FileHistory>, GitError> {
    use rayon::prelude::*;
    jobs.sort_by(|a, b| a.0.cmp(b.0));
    // A git handle is not shared between threads: each worker opens its own (and, should
    // that fail, each of its jobs reports the same failure).
    let files: Vec<(String, FileHistory)> = jobs
        .par_iter()
        .map_init(
            || Git::require(root).map_err(Arc::new),
            |g, (path, steps)| {
                let g = g.as_ref().map_err(|e| GitError::Worker(Arc::clone(e)))?;
                Ok((
                    (*path).to_owned(),
                    file_history(g, catalog, path, steps, commits, None),
                ))
            },
        )
        .collect::<Result<_, GitError>>()?;
    Ok(files.into_iter().collect())
}
