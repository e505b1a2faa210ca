//! `rules.tester_is_not_implementer` (issue 21): the person whose commit set a control's
//! test result must not be a person who wrote the control's `implementation` text.
//!
//! Judged by the review gate (`validate --base`) with the rule as it stands at the base,
//! so a change cannot switch it off for itself. A tester is the author of a checked
//! change that sets a test result (a commit's own change, a merge's included; the
//! uncommitted changes' acting person; with `--actor`, the actor for the whole change).
//! The implementers of a control are the authors of every commit reachable from the
//! change's head whose own version of the control's implementation is non-blank and
//! differs from each of its parents' (a merge that takes one side's text wrote nothing;
//! one that resolves a conflict with new text wrote it). Walking everything the head
//! reaches, not only what the tester's commit reaches, closes the way around through a
//! merge of two branches (implementation on one, test on the other); splitting the work
//! into two commits changes nothing, as each commit's author counts. A shallow history
//! that stops before the file's first version cannot be judged and says so.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value as J;

use super::history::{Side, Versions};
use crate::git::{CommitId, GitError};

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
}

impl Writer {
    /// "Bob Assessor <bob@example.com> in commit 1a2b3c4".
    pub fn describe(&self) -> String {
        let person = if self.name.is_empty() {
            format!("<{}>", self.email)
        } else {
            format!("{} <{}>", self.name, self.email)
        };
        match &self.commit {
            Some(c) => format!("{person} in commit {c}"),
            None => format!("{person} in the uncommitted changes"),
        }
    }
}

/// The writers of the implementation of each control in `wanted` (by file path), through
/// every commit reachable from `head`, oldest first. Authors of commits in `actor_range`
/// are replaced by `actor` (the whole change is the actor's). `work_tree`: the acting
/// person, when the uncommitted changes count as a commit on top of `head`.
pub fn implementers(
    versions: &Versions,
    head: CommitId,
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
            let id = info.id;
            let mine = git.blob_id(id, path)?;
            let boundary = git.is_boundary(id);
            let mut parents = Vec::new();
            if !boundary {
                for &p in &info.parents {
                    parents.push(git.blob_id(p, path)?);
                }
                // Byte for byte a parent's version: it wrote nothing of this file.
                if parents.contains(&mine) {
                    continue;
                }
            } else if mine.is_none() {
                continue;
            }
            let me = texts(versions, Side::Commit(id), path, controls)?;
            let theirs = info
                .parents
                .iter()
                .filter(|_| !boundary)
                .map(|&p| texts(versions, Side::Commit(p), path, controls))
                .collect::<Result<Vec<_>, _>>()?;
            let (email, name) = match actor {
                Some((range, who)) if range.contains(&id) => (who.to_owned(), String::new()),
                _ => (info.author_email.clone(), info.author_name.clone()),
            };
            for control in controls {
                let Some(text) = me.get(control) else {
                    continue;
                };
                if theirs.iter().any(|t| t.get(control) == Some(text)) {
                    continue;
                }
                out.entry((path.clone(), control.clone()))
                    .or_default()
                    .push(Writer {
                        email: email.clone(),
                        name: name.clone(),
                        commit: Some(info.short.clone()),
                        boundary,
                    });
            }
        }
        if let Some(acting) = work_tree {
            let me = texts(versions, Side::WorkTree, path, controls)?;
            let head_texts = texts(versions, Side::Commit(head), path, controls)?;
            for control in controls {
                if let Some(text) = me.get(control)
                    && head_texts.get(control) != Some(text)
                {
                    out.entry((path.clone(), control.clone()))
                        .or_default()
                        .push(Writer {
                            email: acting.to_owned(),
                            name: String::new(),
                            commit: None,
                            boundary: false,
                        });
                }
            }
        }
    }
    Ok(out)
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
