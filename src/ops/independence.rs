//! `rules.tester_is_not_implementer` (issue 21): the person whose commit set a control's
//! test result must not be a person who wrote the control's `implementation` text.
//!
//! Judged by the review gate (`validate --base`) with the rule as it stands at the base,
//! so a change cannot switch it off for itself. A tester is the author of a checked
//! change that sets a test result, or only the test date (a new test with the same
//! result) (a commit's own change, a merge's included; the
//! uncommitted changes' acting person; with `--actor`, the actor for the whole change).
//! The implementers of a control are the authors of every commit reachable from the
//! change's head whose own version of the control's implementation is non-blank and
//! differs from each of its parents' (a merge that takes one side's text wrote nothing;
//! one that resolves a conflict with new text wrote it). Walking everything the head
//! reaches, not only what the tester's commit reaches, closes the way around through a
//! merge of two branches (implementation on one, test on the other); splitting the work
//! into two commits changes nothing, as each commit's author counts. A shallow history
//! that stops before the file's first version cannot be judged and says so. When
//! `implementation` is a sync field, the writers of the controls synced with the tested
//! one (its sync class as the change leaves it) are its writers too: a text written in
//! one of them is copied into it by `assure sync`, whoever runs it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value as J;

use super::changes::{Change, FileChange};
use super::gate::{By, GateFinding, Problem, Request};
use super::history::{Side, Versions};
use super::permissions::Actor;
use crate::git::{CommitId, CommitInfo, GitError};
use crate::model::{Config, SyncField};
use crate::repo::{AssessmentDoc, Scope};
use crate::rules::sync as classes;

/// One commit (or the uncommitted changes) that wrote a control's implementation text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    /// Author e-mail, as the commit has it.
    pub email: String,
    pub name: String,
    /// Short commit id, or `None` for the work tree's uncommitted changes.
    pub commit: Option<String>,
    /// A commit where a shallow history stops, holding the text: its real writer is not
    /// known.
    pub boundary: bool,
    /// Where the text was written when not in the tested control itself: the synced
    /// control (`group/service--certification control`) that sync copied it from.
    pub via: Option<String>,
}

impl Writer {
    /// "Bob Assessor <bob@example.com> in commit 1a2b3c4".
    pub fn describe(&self) -> String {
        let person = if self.name.is_empty() {
            format!("<{}>", self.email)
        } else {
            format!("{} <{}>", self.name, self.email)
        };
        let written = match &self.commit {
            Some(c) => format!("{person} in commit {c}"),
            None => format!("{person} in the uncommitted changes"),
        };
        match &self.via {
            Some(via) => format!("{written}, in {via}, which sync copies into it"),
            None => written,
        }
    }
}

/// A test result a checked change set (`rules.tester_is_not_implementer`).
pub(super) struct Tested {
    by: By,
    /// The tester's e-mail.
    tester: String,
    change: FileChange,
}

/// Why `tester` may not record a result of a control that `writers` implemented: they
/// are among them, or a shallow history hides who is.
fn self_tested(tester: &str, writers: &[Writer]) -> Option<String> {
    let same: Vec<String> = writers
        .iter()
        .filter(|w| !w.boundary && w.email.trim().eq_ignore_ascii_case(tester))
        .map(Writer::describe)
        .collect();
    let unknown: Vec<String> = writers
        .iter()
        .filter(|w| w.boundary)
        .filter_map(|w| w.commit.clone())
        .collect();
    if !same.is_empty() {
        Some(format!(
            "the tester also wrote the control's implementation: {}",
            same.join("; ")
        ))
    } else if !unknown.is_empty() {
        Some(format!(
            "the history is shallow and stops at commit {}, which holds the control's implementation, so who wrote it is unknown; fetch the whole history (`git fetch --unshallow`)",
            unknown.join(", ")
        ))
    } else {
        None
    }
}

/// The changes among `changes` that record a test of a control, each as set by `tester`:
/// one that sets its test result (not removes it), else one that sets its test date (a
/// new test with the same result changes only the date).
pub(super) fn tests_set(changes: &[FileChange], by: &By, tester: &str) -> Vec<Tested> {
    let sets = |fc: &FileChange, which: &str| {
        matches!(&fc.change, Change::ControlField { field, new, .. }
            if field == which && !new.is_null())
    };
    let control = |fc: &FileChange| match &fc.change {
        Change::ControlField { control, .. } => Some((fc.path.clone(), control.clone())),
        _ => None,
    };
    let results: HashSet<_> = changes
        .iter()
        .filter(|fc| sets(fc, "test_result"))
        .filter_map(control)
        .collect();
    changes
        .iter()
        .filter(|fc| {
            sets(fc, "test_result")
                || (sets(fc, "test_date") && control(fc).is_some_and(|c| !results.contains(&c)))
        })
        .map(|fc| Tested {
            by: by.clone(),
            tester: tester.to_owned(),
            change: fc.clone(),
        })
        .collect()
}

/// Each test result in `tested` set by someone who wrote the control's implementation
/// text, as findings of the gate run on `config` (assure.yaml at the base) and `req`;
/// `sides`: the base, the head, and the last side (the work tree or the head).
pub(super) fn judge(
    versions: &Versions,
    config: &Config,
    req: &Request,
    (base_id, head_id, last): (CommitId, CommitId, Side),
    tested: Vec<Tested>,
) -> Result<Vec<GateFinding>, super::gate::GateError> {
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &tested {
        if let Change::ControlField { control, .. } = &t.change.change {
            wanted
                .entry(t.change.path.clone())
                .or_default()
                .insert(control.clone());
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let peers = synced_peers(versions, config, last, &wanted)?;
    for (path, control) in peers.values().flatten() {
        wanted
            .entry(path.clone())
            .or_default()
            .insert(control.clone());
    }
    let actor = req.actor.map(|name| Actor::named(config, name).email);
    let in_range: HashSet<CommitId> = match actor {
        Some(_) => versions
            .git
            .range(Some(base_id), head_id)?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    let acting = match &actor {
        Some(a) => a.clone(),
        None => Actor::new(config, req.acting.unwrap_or("")).email,
    };
    let testers: HashSet<String> = tested.iter().map(|t| t.tester.to_lowercase()).collect();
    let writers = implementers(
        versions,
        (head_id, &testers),
        &wanted,
        actor.as_deref().map(|a| (&in_range, a)),
        (last == Side::WorkTree).then_some(acting.as_str()),
    )?;
    let mut findings = Vec::new();
    for t in tested {
        let Change::ControlField { control, .. } = &t.change.change else {
            continue;
        };
        let key = (t.change.path.clone(), control.clone());
        let all = writers_with_peers(&writers, &peers, &key);
        if let Some(why) = self_tested(&t.tester, &all) {
            findings.push(GateFinding {
                by: t.by,
                path: t.change.path,
                change: Some(t.change.change),
                problem: Problem::SelfTested(why),
            });
        }
    }
    Ok(findings)
}

/// (file path, control) → the other members of its sync class.
type Peers = BTreeMap<(String, String), Vec<(String, String)>>;

/// The other members of the sync class of each control in `wanted` (by file path), as
/// the repository stands at `last`, when `implementation` is a sync field: a text
/// written in one of them is copied into the tested control by `assure sync`, whoever
/// runs it, so its writers wrote the tested control's text too. Sync classes never
/// cross a group, so only the tested files' groups are read.
fn synced_peers(
    versions: &Versions,
    config: &Config,
    last: Side,
    wanted: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Peers, super::ratchet::RatchetError> {
    let mut out = Peers::new();
    if !config.sync.fields.contains(&SyncField::Implementation) {
        return Ok(out);
    }
    let groups: BTreeSet<String> = wanted
        .keys()
        .filter_map(|p| p.strip_prefix("groups/")?.split_once('/'))
        .map(|(g, _)| g.to_owned())
        .collect();
    let project = super::ratchet::project_at(versions, last, Scope::Groups(groups))?;
    let docs = &project.ws.assessments;
    let keys: Vec<String> = docs.iter().map(AssessmentDoc::key).collect();
    let items = classes::items(docs, &keys);
    let place = |m: &classes::Member| (docs[m.item].path(), m.control.to_owned());
    for class in classes::classes(&items, &project.catalog) {
        for m in &class.members {
            let (path, control) = place(m);
            if wanted.get(&path).is_some_and(|c| c.contains(&control)) {
                let others = class
                    .members
                    .iter()
                    .filter(|o| *o != m)
                    .map(place)
                    .collect();
                out.insert((path, control), others);
            }
        }
    }
    Ok(out)
}

/// The writers of a tested control's text: its own, and those of its synced peers
/// (each marked with where they wrote it).
fn writers_with_peers(
    writers: &BTreeMap<(String, String), Vec<Writer>>,
    peers: &Peers,
    key: &(String, String),
) -> Vec<Writer> {
    let mut all = writers.get(key).cloned().unwrap_or_default();
    for peer in peers.get(key).into_iter().flatten() {
        let via = format!(
            "{} {}",
            peer.0
                .strip_prefix("groups/")
                .and_then(|p| p.strip_suffix(".yaml"))
                .unwrap_or(&peer.0),
            peer.1
        );
        all.extend(writers.get(peer).into_iter().flatten().map(|w| Writer {
            via: Some(via.clone()),
            ..w.clone()
        }));
    }
    all
}

/// The writers of the implementation of each control in `wanted` (by file path) among
/// `testers` (lower-case e-mails), through every commit reachable from `head`, oldest
/// first, and every commit where a shallow history stops (whose writer is unknown). Only
/// the testers' own commits are read: on a long history the rest would cost a parse each
/// for nothing. Authors of commits in `actor_range` are replaced by `actor` (the whole
/// change is the actor's). `work_tree`: the acting person, when the uncommitted changes
/// count as a commit on top of `head`.
pub fn implementers(
    versions: &Versions,
    (head, testers): (CommitId, &HashSet<String>),
    wanted: &BTreeMap<String, BTreeSet<String>>,
    actor: Option<(&HashSet<CommitId>, &str)>,
    work_tree: Option<&str>,
) -> Result<BTreeMap<(String, String), Vec<Writer>>, GitError> {
    let git = versions.git;
    let mut out: BTreeMap<(String, String), Vec<Writer>> = BTreeMap::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    let all = git
        .range(None, head)?
        .into_iter()
        .map(|id| git.commit_info(id))
        .collect::<Result<Vec<_>, _>>()?;
    for (path, controls) in wanted {
        for info in &all {
            let (email, name) = match actor {
                Some((range, who)) if range.contains(&info.id) => (who.to_owned(), String::new()),
                _ => (info.author_email.clone(), info.author_name.clone()),
            };
            // Where a shallow history stops (git may show such a commit without parents).
            let boundary =
                git.is_boundary(info.id) || (info.parents.is_empty() && git.is_shallow());
            if !boundary && !testers.contains(&email.trim().to_lowercase()) {
                continue;
            }
            for control in written(versions, info, boundary, path, controls)? {
                out.entry((path.clone(), control))
                    .or_default()
                    .push(Writer {
                        email: email.clone(),
                        name: name.clone(),
                        commit: Some(info.short.clone()),
                        boundary,
                        via: None,
                    });
            }
        }
        if let Some(acting) = work_tree {
            let me = texts(versions, Side::WorkTree, path, controls)?;
            let before = texts(versions, Side::Commit(head), path, controls)?;
            for (control, text) in me {
                if before.get(&control) != Some(&text) {
                    out.entry((path.clone(), control))
                        .or_default()
                        .push(Writer {
                            email: acting.to_owned(),
                            name: String::new(),
                            commit: None,
                            boundary: false,
                            via: None,
                        });
                }
            }
        }
    }
    Ok(out)
}

/// The controls among `controls` whose implementation text in `path` the commit `info`
/// wrote: non-blank, and unlike each parent's (a boundary of a shallow history, whose
/// parents are missing: any it holds).
fn written(
    versions: &Versions,
    info: &CommitInfo,
    boundary: bool,
    path: &str,
    controls: &BTreeSet<String>,
) -> Result<Vec<String>, GitError> {
    let git = versions.git;
    let mine = git.blob_id(info.id, path)?;
    if mine.is_none() {
        return Ok(Vec::new());
    }
    let mut theirs = Vec::new();
    if !boundary {
        for &p in &info.parents {
            // Byte for byte a parent's version: it wrote nothing of this file.
            if git.blob_id(p, path)? == mine {
                return Ok(Vec::new());
            }
            theirs.push(texts(versions, Side::Commit(p), path, controls)?);
        }
    }
    let me = texts(versions, Side::Commit(info.id), path, controls)?;
    Ok(me
        .into_iter()
        .filter(|(control, text)| !theirs.iter().any(|t| t.get(control) == Some(text)))
        .map(|(control, _)| control)
        .collect())
}

/// The non-blank implementation text of each of `controls` in `path` at `side`.
fn texts(
    versions: &Versions,
    side: Side,
    path: &str,
    controls: &BTreeSet<String>,
) -> Result<BTreeMap<String, String>, GitError> {
    let (_, json) = versions.json(side, path)?;
    let mut out = BTreeMap::new();
    if let Some(json) = json {
        for control in controls {
            if let Some(J::String(text)) = json
                .get("controls")
                .and_then(|c| c.get(control))
                .and_then(|c| c.get("implementation"))
                && !text.trim().is_empty()
            {
                out.insert(control.clone(), text.clone());
            }
        }
    }
    Ok(out)
}
