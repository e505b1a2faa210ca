//! `assure log`'s walk of history. Two passes: first, oldest commit last, the commits the
//! query admits, each with the side its changes are read against — for a log of one
//! assessment only those whose tree entry for the file (or its group's `group.yaml`)
//! changed, found by comparing tree ids down the path, never by diffing whole trees;
//! then those commits' changes, read on every core in contiguous runs (each run parses
//! each version once), results in history order. With `-n` the second pass goes a window
//! at a time and stops once it has enough entries.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::changes::{Change, file_changes};
use super::history::{Log, LogChange, LogEntry, LogQuery, Side, Versions, log_change};
use crate::git::{CommitInfo, Git, GitError};

/// The audit trail: newest first.
pub fn log(git: &Git, root: &Path, query: &LogQuery) -> Result<Log, GitError> {
    log_with_progress(git, root, query, &|_, _| {})
}

/// [`log`], telling `progress(done, total)` as it reads the commits that may hold changes.
pub fn log_with_progress(
    git: &Git,
    root: &Path,
    query: &LogQuery,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Log, GitError> {
    if git.is_unborn() {
        return Ok(Log {
            entries: Vec::new(),
            shallow_boundary: None,
        });
    }
    let head = query.until.map_or_else(|| git.resolve("HEAD"), Ok)?;
    let target = Target::of(query);
    let (candidates, shallow_boundary) = candidates(git, head, query, &target)?;
    let entries = entries(root, head, query, &target, &candidates, progress)?;
    Ok(Log {
        entries,
        shallow_boundary,
    })
}

/// What the log is about.
struct Target {
    /// The asked-about assessment's file, and its group's `group.yaml`.
    path: Option<String>,
    group_file: Option<String>,
}

impl Target {
    fn of(query: &LogQuery) -> Target {
        Target {
            path: query
                .assessment
                .as_ref()
                .map(|a| format!("groups/{}.yaml", a.trim_end_matches(".yaml"))),
            group_file: query
                .assessment
                .as_ref()
                .and_then(|a| a.split_once('/'))
                .map(|(g, _)| format!("groups/{g}/group.yaml")),
        }
    }

    /// The file and its group file, when the log is about one assessment in a group.
    fn files(&self) -> Option<[&str; 2]> {
        Some([self.path.as_deref()?, self.group_file.as_deref()?])
    }
}

/// A commit that may hold changes: the side its changes are read against, and for a log
/// of one assessment, which of its two files changed.
struct Candidate {
    info: CommitInfo,
    parent: Side,
    paths: Option<Vec<String>>,
}

/// The commits the query admits, newest first, that may hold changes; and in a shallow
/// clone, the oldest admitted commit whose parent is missing.
fn candidates(
    git: &Git,
    head: crate::git::CommitId,
    query: &LogQuery,
    target: &Target,
) -> Result<(Vec<Candidate>, Option<CommitInfo>), GitError> {
    let mut out = Vec::new();
    let mut boundary = None;
    for id in git.range(None, head)?.into_iter().rev() {
        let info = git.commit_info(id)?;
        if !query.admits(&info) {
            continue;
        }
        let Some(parent) = first_parent(git, &info) else {
            // A shallow clone: the parent is not here, so this commit's changes cannot be
            // told apart from what came before.
            boundary = Some(info);
            continue;
        };
        let paths = match target.files() {
            Some(files) => {
                let old = match parent {
                    Side::Commit(c) => Some(c),
                    _ => None,
                };
                let differs = git.changed_entries(old, id, &files)?;
                // Changed as a blob: a folder or submodule in its place has none.
                let changed: Vec<String> = files
                    .iter()
                    .zip(differs)
                    .filter(|(_, d)| {
                        d.is_some_and(|(o, n)| o.and_then(|e| e.blob()) != n.and_then(|e| e.blob()))
                    })
                    .map(|(f, _)| (*f).to_owned())
                    .collect();
                if changed.is_empty() {
                    continue;
                }
                Some(changed)
            }
            None => None,
        };
        out.push(Candidate {
            info,
            parent,
            paths,
        });
    }
    Ok((out, boundary))
}

/// The entries of `candidates`, in their order: contiguous runs on every core, each with
/// its own git handle and version cache; with `-n`, a window at a time until enough.
fn entries(
    root: &Path,
    head: crate::git::CommitId,
    query: &LogQuery,
    target: &Target,
    candidates: &[Candidate],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<LogEntry>, GitError> {
    let threads = rayon::current_num_threads().max(1);
    let window = query
        .max_count
        .map_or(candidates.len(), |n| (n * 2).max(32 * threads))
        .max(1);
    let done = AtomicUsize::new(0);
    let mut out = Vec::new();
    for window in candidates.chunks(window) {
        let run = window.len().div_ceil(threads).max(1);
        let parts = window
            .par_chunks(run)
            .map(|run| {
                let git = Git::require(root)?;
                let walk = LogWalk::new(&git, root, head, query, target)?;
                let mut out = Vec::new();
                for c in run {
                    out.extend(walk.entry(c)?);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, candidates.len());
                }
                Ok(out)
            })
            .collect::<Result<Vec<Vec<LogEntry>>, GitError>>()?;
        out.extend(parts.into_iter().flatten());
        if let Some(n) = query.max_count
            && out.len() >= n
        {
            out.truncate(n);
            break;
        }
    }
    Ok(out)
}

/// The side a commit's changes are read against: its first parent, or the empty tree for
/// a root commit; `None` at a shallow clone's boundary, where the parent is missing (or
/// the git layer shows none).
fn first_parent(git: &Git, info: &CommitInfo) -> Option<Side> {
    match info.parents.first() {
        Some(&p) if git.commit_info(p).is_ok() => Some(Side::Commit(p)),
        Some(_) => None,
        None if git.is_shallow() => None,
        None => Some(Side::Empty),
    }
}

/// One run of `assure log`'s walk: the history reader and what is asked about.
struct LogWalk<'a, 'g> {
    versions: Versions<'g>,
    query: &'a LogQuery,
    target: &'a Target,
}

/// YAML behind the versions a run keeps parsed: it reads each version right after the
/// one before, so a few are enough.
const RUN_CACHE_BYTES: usize = 4 << 20;

impl<'a, 'g> LogWalk<'a, 'g> {
    fn new(
        git: &'g Git,
        root: &Path,
        head: crate::git::CommitId,
        query: &'a LogQuery,
        target: &'a Target,
    ) -> Result<Self, GitError> {
        let mut versions = Versions::new(git, root);
        versions.limit_from(Side::Commit(head))?;
        versions.set_cache_bytes(RUN_CACHE_BYTES);
        if let (Some(path), Some(control)) = (&target.path, &query.control) {
            versions.only_control(path, control);
        }
        Ok(LogWalk {
            versions,
            query,
            target,
        })
    }

    /// The entry of commit `c`, if it has one: changes the query keeps, or (for a log of
    /// the whole repository) a stated regression.
    fn entry(&self, c: &Candidate) -> Result<Option<LogEntry>, GitError> {
        let me = Side::Commit(c.info.id);
        let paths = match &c.paths {
            Some(paths) => paths.clone(),
            None => self.paths(c.parent, me)?,
        };
        // A commit that states a regression is shown even if it changes no data itself
        // (the reason may follow the change in a commit of its own), unless the log is
        // about one assessment.
        let reason = super::ratchet::reason_of(self.versions.git, c.info.id)?;
        let stated = reason.is_some() && self.target.path.is_none();
        if paths.is_empty() && !stated {
            return Ok(None);
        }
        let changes = self.changes(c.parent, me, &paths)?;
        if changes.is_empty() && !stated {
            return Ok(None);
        }
        let (signature, keys_listed) = self.signature(&c.info, c.parent, me)?;
        Ok(Some(LogEntry {
            commit: c.info.clone(),
            changes,
            signature: Some(signature),
            keys_listed,
            regression_reason: reason,
        }))
    }

    /// The data files that differ between `parent` and `me` (a log of one assessment
    /// has its files from the first pass).
    fn paths(&self, parent: Side, me: Side) -> Result<Vec<String>, GitError> {
        let versions = &self.versions;
        // The data's tree entries first: a commit that changed neither is not diffed.
        if let (Side::Commit(new), old) = (me, parent) {
            let old = match old {
                Side::Commit(c) => Some(c),
                _ => None,
            };
            let data = versions
                .git
                .changed_entries(old, new, &["assure.yaml", "groups"])?;
            if data.iter().all(Option::is_none) {
                return Ok(Vec::new());
            }
        }
        Ok(versions
            .changed_files(parent, me)?
            .into_iter()
            .filter(|p| p == "assure.yaml" || p.starts_with("groups/"))
            .collect())
    }

    /// The changes to `paths` from `parent` to `me` that the query's control filter keeps.
    fn changes(
        &self,
        parent: Side,
        me: Side,
        paths: &[String],
    ) -> Result<Vec<LogChange>, GitError> {
        let files = self.versions.file_versions(parent, me, paths)?;
        Ok(file_changes(&files)
            .iter()
            .filter(|fc| match (&self.query.control, &fc.change) {
                (Some(c), Change::ControlField { control, .. }) => control == c,
                (
                    Some(_),
                    Change::GroupRenamed { .. }
                    | Change::GroupCreated { .. }
                    | Change::GroupDescription { .. },
                ) => true,
                (Some(_), other) => other.assessment().is_some(),
                (None, _) => true,
            })
            .map(|fc| log_change(&fc.path, &fc.change))
            .collect())
    }

    /// The commit's signature checked against its author's keys as they stood before the
    /// commit (a commit cannot vouch for itself by adding its own key), and whether anyone
    /// had signing keys before or after it.
    fn signature(
        &self,
        info: &CommitInfo,
        parent: Side,
        me: Side,
    ) -> Result<(super::signatures::Signature, bool), GitError> {
        let versions = &self.versions;
        let keys_at = if parent == Side::Empty { me } else { parent };
        let config: Option<crate::model::Config> = versions
            .json(keys_at, "assure.yaml")?
            .1
            .and_then(|j| serde_json::from_value(j).ok());
        let keys = config.as_ref().map_or_else(Vec::new, |c| {
            super::signatures::keys_of(c, &info.author_email)
        });
        let lists_keys = |c: Option<&crate::model::Config>| {
            c.is_some_and(|c| c.people.iter().any(|p| !p.signing_keys.is_empty()))
        };
        let keys_listed = lists_keys(config.as_ref())
            || lists_keys(
                versions
                    .json(me, "assure.yaml")?
                    .1
                    .and_then(|j| serde_json::from_value(j).ok())
                    .as_ref(),
            );
        let signature = super::signatures::verify(versions.git, info.id, &keys)?;
        Ok((signature, keys_listed))
    }
}
