//! The review's reading of a change: touched groups on every core, each changed file's
//! two versions compared and dropped once its rows (and regression) are made, and each
//! touched group's sync classes checked from the same reads.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::{AssessmentReview, GroupReview, ReviewError, assessment_review, group_reviews, typed};
use crate::catalog::Catalog;
use crate::git::{Git, GitError};
use crate::model::{Assessment, SyncField};
use crate::ops::changes::{Change, FileVersions, Typed, file_changes, one_assessment_file};
use crate::ops::gate::{Prepared, PreparedFile};
use crate::ops::history::{Side, Versions};
use crate::ops::ratchet::{self, Regression};
use crate::rules::sync::{Item, classes, differing_fields};

/// What the review reads, and with what it judges.
pub(super) struct Pass<'a> {
    pub root: &'a Path,
    pub base: Side,
    pub head: Side,
    pub max_blob: u64,
    /// The work tree's catalog (names, scores, sync classes).
    pub catalog: &'a Catalog,
    pub fields: &'a [SyncField],
    /// The base's catalog, when the ratchet is judged from these reads.
    pub ratchet: Option<&'a Catalog>,
    /// Whether a file's head version is read as its base version with the touched
    /// controls' entries re-read (see [`Versions::set_incremental`]).
    pub incremental: bool,
}

/// What the pass found, in the order of the changed paths (sync findings in group order).
pub(super) struct Done {
    pub assessments: Vec<AssessmentReview>,
    pub groups: Vec<GroupReview>,
    pub out_of_sync: Vec<String>,
    pub regressions: Vec<Regression>,
    /// The gate's part of each file compared (so the gate does not read them again).
    pub prepared: Vec<PreparedFile>,
    /// File versions parsed.
    pub parsed: usize,
}

/// One changed file's part of the review.
enum FileOut {
    Assessment(AssessmentReview),
    Groups(Vec<GroupReview>),
    /// A file created or deleted: kept whole, for pairing deletions with creations into
    /// moves across groups (few files).
    Kept(FileVersions),
    Nothing,
}

/// One touched group's part.
#[derive(Default)]
struct GroupOut {
    files: Vec<(usize, FileOut)>,
    regressions: Vec<(usize, Regression)>,
    out_of_sync: Vec<String>,
    prepared: Vec<PreparedFile>,
    parsed: usize,
}

impl Pass<'_> {
    /// Reviews the changed `paths` (relative to the compliance root).
    pub fn run(
        &self,
        paths: &[String],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Done, ReviewError> {
        let mut by_group: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
        for (i, p) in paths.iter().enumerate() {
            if let ["groups", group, _] = p.split('/').collect::<Vec<_>>().as_slice() {
                by_group.entry(group).or_default().push((i, p.as_str()));
            }
        }
        let jobs: Vec<(&str, Vec<(usize, &str)>)> = by_group.into_iter().collect();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let total = jobs.len();
        // A git handle is not shared between threads: each worker opens its own.
        let outs: Vec<GroupOut> = jobs
            .par_iter()
            .map_init(
                || Git::require(self.root).map_err(Arc::new),
                |g, (group, files)| {
                    let g = g.as_ref().map_err(|e| GitError::Worker(Arc::clone(e)))?;
                    let out = self.group(g, group, files)?;
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress(n, total);
                    Ok(out)
                },
            )
            .collect::<Result<_, ReviewError>>()?;
        Ok(self.assemble(paths.len(), outs))
    }

    /// The rows in path order; the created and deleted files judged together (moves).
    fn assemble(&self, n: usize, outs: Vec<GroupOut>) -> Done {
        let mut slots: Vec<FileOut> = (0..n).map(|_| FileOut::Nothing).collect();
        let mut regressions = Vec::new();
        let (mut out_of_sync, mut parsed, mut prepared) = (Vec::new(), 0, Vec::new());
        for o in outs {
            prepared.extend(o.prepared);
            for (i, f) in o.files {
                slots[i] = f;
            }
            regressions.extend(o.regressions);
            out_of_sync.extend(o.out_of_sync);
            parsed += o.parsed;
        }
        regressions.sort_by_key(|(i, _)| *i);
        let kept: Vec<FileVersions> = slots
            .iter()
            .filter_map(|s| match s {
                FileOut::Kept(f) => Some(f.clone()),
                _ => None,
            })
            .collect();
        let changes = file_changes(&kept);
        let (mut assessments, mut groups) = (Vec::new(), Vec::new());
        for slot in slots {
            let f = match slot {
                FileOut::Assessment(a) => {
                    assessments.push(a);
                    continue;
                }
                FileOut::Groups(g) => {
                    groups.extend(g);
                    continue;
                }
                FileOut::Nothing => continue,
                FileOut::Kept(f) => f,
            };
            let mine: Vec<&Change> = changes
                .iter()
                .filter(|c| c.path == f.path)
                .map(|c| &c.change)
                .collect();
            match self.file_out(&f, &mine, None) {
                FileOut::Assessment(a) => assessments.push(a),
                FileOut::Groups(g) => groups.extend(g),
                _ => {}
            }
        }
        Done {
            assessments,
            groups,
            out_of_sync,
            regressions: regressions.into_iter().map(|(_, r)| r).collect(),
            prepared,
            parsed,
        }
    }

    /// A changed file's rows, given its changes (and its versions as assessments, when
    /// read already).
    fn file_out(&self, f: &FileVersions, mine: &[&Change], read: Option<Typed>) -> FileOut {
        let parts: Vec<&str> = f.path.split('/').collect();
        let ["groups", group, file] = parts.as_slice() else {
            return FileOut::Nothing;
        };
        if *file == "group.yaml" {
            return FileOut::Groups(group_reviews(f, mine));
        }
        let owned;
        let read = match read {
            Some(read) => read,
            None => {
                owned = (typed::<Assessment>(&f.old), typed::<Assessment>(&f.new));
                (owned.0.as_ref(), owned.1.as_ref())
            }
        };
        match assessment_review(f, group, file, mine, self.catalog, read) {
            Some(a) => FileOut::Assessment(a),
            None => FileOut::Nothing,
        }
    }

    /// One touched group: its changed files, then its sync classes after the change.
    fn group(
        &self,
        git: &Git,
        group: &str,
        files: &[(usize, &str)],
    ) -> Result<GroupOut, ReviewError> {
        let mut versions = Versions::new(git, self.root);
        versions.set_max_blob(self.max_blob);
        versions.set_incremental(self.incremental);
        // Each version is read once (changed files at both sides, the others' new
        // versions): keeping none spares copying each one into the cache.
        versions.set_cache_bytes(0);
        let mut out = GroupOut::default();
        let mut after: HashMap<&str, Option<Assessment>> = HashMap::new();
        for &(i, path) in files {
            let path_owned = [path.to_owned()];
            let Some(f) = versions
                .file_versions(self.base, self.head, &path_owned)?
                .pop()
            else {
                continue;
            };
            let is_group_file = path.ends_with("/group.yaml");
            let (old, new) = if is_group_file {
                (None, None)
            } else {
                (typed::<Assessment>(&f.old), typed::<Assessment>(&f.new))
            };
            if let Some(catalog) = self.ratchet.filter(|_| !is_group_file) {
                let sides = (
                    old.as_ref().map(|a| (a, catalog)),
                    new.as_ref().map(|a| (a, catalog)),
                );
                if let Some(r) = ratchet::judge_one(path, sides) {
                    out.regressions.push((i, r));
                }
            }
            let slot = if f.old_exists != f.new_exists {
                FileOut::Kept(f)
            } else {
                let read = (old.as_ref(), new.as_ref());
                let changes = if is_group_file {
                    file_changes(std::slice::from_ref(&f))
                } else {
                    one_assessment_file(&f, read)
                };
                let mine: Vec<&Change> = changes.iter().map(|c| &c.change).collect();
                let slot = self.file_out(&f, &mine, Some(read).filter(|_| !is_group_file));
                out.prepared.extend(Prepared::file(&f, &changes));
                slot
            };
            out.files.push((i, slot));
            after.insert(path, new);
        }
        out.out_of_sync = self.out_of_sync(&versions, group, after)?;
        out.parsed = versions.parsed.get();
        Ok(out)
    }

    /// The group's sync classes whose members differ, as they stand after the change
    /// (`after`: the changed files' new versions, already read).
    fn out_of_sync(
        &self,
        versions: &Versions,
        group: &str,
        mut after: HashMap<&str, Option<Assessment>>,
    ) -> Result<Vec<String>, ReviewError> {
        let dir = format!("groups/{group}");
        let listed: Vec<String> = match self.head {
            Side::Commit(c) => versions.git.list_files(c, &dir)?,
            _ => std::fs::read_dir(self.root.join(&dir))
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .filter_map(|e| e.file_name().to_str().map(|n| format!("{dir}/{n}")))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let mut members: Vec<(String, Assessment)> = Vec::new();
        for path in listed
            .into_iter()
            .filter(|p| p.ends_with(".yaml") && !p.ends_with("/group.yaml"))
        {
            let a = match after.remove(path.as_str()) {
                Some(a) => a,
                None => typed::<Assessment>(&versions.json(self.head, &path)?.1),
            };
            if let Some(a) = a {
                members.push((format!("{group}/{}--{}", a.service, a.certification), a));
            }
        }
        members.sort_by(|a, b| a.0.cmp(&b.0));
        let items: Vec<Item> = members
            .iter()
            .map(|(k, a)| Item {
                group,
                key: k,
                value: a,
            })
            .collect();
        let mut out = Vec::new();
        for class in classes(&items, self.catalog) {
            let differ = differing_fields(&class, self.fields);
            if !differ.is_empty() {
                let names: Vec<&str> = differ.iter().map(|f| f.as_str()).collect();
                let who: Vec<String> = class.members.iter().map(|m| m.describe(&items)).collect();
                out.push(format!(
                    "{}: {} differ in {} (run `assure sync`)",
                    group,
                    who.join(", "),
                    names.join(", ")
                ));
            }
        }
        Ok(out)
    }
}
