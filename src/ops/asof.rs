//! As-of views (`--as-of REV|DATE`): which commit a past view shows, and that commit
//! described for the line every such view starts with.
//!
//! Invariants:
//! - A view as of a commit reads the repository through [`Project::at_revision`] (the
//!   loader's revision source, as `validate --base` does): nothing is checked out, the
//!   work tree and the index are never read or written.
//! - A DATE is the last commit of the current branch's first-parent history (HEAD, then
//!   first parents) whose COMMITTER time is at or before the end of that day in UTC
//!   (23:59:59Z), or at or before the instant of an RFC 3339 date-time. Text that parses
//!   as a date is a date unless a ref (branch, tag) of that name exists: a tag named
//!   `2024-01-01` is the tag.
//! - "Today" for a view as of a DATE is that date; as of a REV, the commit's date (UTC),
//!   unless `--today` says otherwise: what the team claimed then, judged by that day.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

use super::Project;
use crate::git::{CommitId, Git, GitError, NoneAt};
use crate::repo::Scope;

/// The commit a past view shows, described for people and for scripts (the `as_of` field
/// of JSON output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AsOf {
    /// The commit's full id.
    pub commit: String,
    /// Its first seven hex digits.
    pub short: String,
    /// Its committer time.
    pub time: DateTime<Utc>,
    /// Its subject line.
    pub summary: String,
    /// The tags pointing at it, sorted.
    pub tags: Vec<String>,
    /// The day the view is of: the DATE asked for, else the commit's date (UTC). It is
    /// today's date for evidence freshness unless `--today` is given.
    pub date: NaiveDate,
}

/// Why `--as-of` names no commit (exit 2; each message says what to do).
#[derive(Debug, thiserror::Error)]
pub enum AsOfError {
    #[error(
        "--as-of {asked}: the repository's first commit ({first}) is later; give a date on or after {day}, or a revision"
    )]
    BeforeFirst {
        asked: String,
        first: String,
        day: NaiveDate,
    },
    #[error(
        "--as-of {asked}: this is a shallow clone whose history stops at {stops}, after that date; fetch more history (`git fetch --deepen=100`, or `git fetch --unshallow` for all of it; in GitHub Actions, `fetch-depth: 0`)"
    )]
    Shallow { asked: String, stops: String },
    #[error("--as-of {asked}: {source}")]
    Git { asked: String, source: GitError },
    /// The work tree is not in git, or has no commit yet.
    #[error(transparent)]
    Repo(GitError),
}

/// What `--as-of` was given: a revision, or a date (day or instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Revision,
    /// The last second the view includes, and the day it is of.
    Date(DateTime<Utc>, NaiveDate),
}

/// Reads `spec` as a date when it parses as one (YYYY-MM-DD, or an RFC 3339 date-time)
/// and no ref of that name exists; else as a revision.
fn classify(git: &Git, spec: &str) -> Asked {
    let spec = spec.trim();
    if git.is_ref(spec) {
        return Asked::Revision;
    }
    if let Ok(day) = NaiveDate::parse_from_str(spec, "%Y-%m-%d") {
        let end = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
        return Asked::Date(end.and_utc(), day);
    }
    match DateTime::parse_from_rfc3339(spec) {
        Ok(t) => Asked::Date(t.with_timezone(&Utc), t.with_timezone(&Utc).date_naive()),
        Err(_) => Asked::Revision,
    }
}

/// The commit `spec` (a revision, or a date: see the module docs) names in the
/// repository enclosing `root`.
pub fn resolve(root: &Path, spec: &str) -> Result<AsOf, AsOfError> {
    let git = Git::require(root).map_err(AsOfError::Repo)?;
    let err = |source| AsOfError::Git {
        asked: spec.to_owned(),
        source,
    };
    let (commit, date) = match classify(&git, spec) {
        Asked::Revision => (git.resolve(spec.trim()).map_err(err)?, None),
        Asked::Date(until, day) => {
            let head = git.resolve("HEAD").map_err(AsOfError::Repo)?;
            match git.first_parent_at(head, until).map_err(err)? {
                Ok(commit) => (commit, Some(day)),
                Err(NoneAt::BeforeFirst(first)) => {
                    return Err(AsOfError::BeforeFirst {
                        asked: spec.to_owned(),
                        first: first.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                        day: first.date_naive(),
                    });
                }
                Err(NoneAt::Shallow(stops)) => {
                    return Err(AsOfError::Shallow {
                        asked: spec.to_owned(),
                        stops,
                    });
                }
            }
        }
    };
    let mut as_of = describe(&git, commit).map_err(err)?;
    if let Some(day) = date {
        as_of.date = day;
    }
    Ok(as_of)
}

/// The commit `id` described: its id, committer time, subject and tags.
pub fn describe(git: &Git, id: CommitId) -> Result<AsOf, GitError> {
    let time = git.commit_time(id)?;
    Ok(AsOf {
        commit: id.to_string(),
        short: id.short(),
        time,
        summary: git.commit_info(id)?.summary,
        tags: git.tags_at(id),
        date: time.date_naive(),
    })
}

/// The whole repository enclosing `root` as the commit `as_of` holds it.
pub fn load(root: &Path, as_of: &AsOf) -> Result<Project, super::project::LoadError> {
    Project::at_revision(root, &as_of.commit, Scope::All)
}

impl AsOf {
    /// `as of 3f2a9c1 (2025-06-30, "Q2 review") — tag v2025-q2`: the line a past view
    /// starts with, so that nobody takes it for today's.
    pub fn line(&self) -> String {
        let mut s = format!(
            "as of {} ({}, \"{}\")",
            self.short,
            self.time.format("%Y-%m-%d"),
            self.summary
        );
        match self.tags.as_slice() {
            [] => {}
            [tag] => s.push_str(&format!(" — tag {tag}")),
            tags => s.push_str(&format!(" — tags {}", tags.join(", "))),
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_commit_date_subject_and_tags() {
        let mut a = AsOf {
            commit: "3f2a9c1".repeat(6),
            short: "3f2a9c1".into(),
            time: DateTime::parse_from_rfc3339("2025-06-30T12:00:00Z")
                .expect("a time")
                .with_timezone(&Utc),
            summary: "Q2 review".into(),
            tags: vec!["v2025-q2".into()],
            date: NaiveDate::from_ymd_opt(2025, 6, 30).expect("a date"),
        };
        assert_eq!(
            a.line(),
            "as of 3f2a9c1 (2025-06-30, \"Q2 review\") — tag v2025-q2"
        );
        a.tags.clear();
        assert_eq!(a.line(), "as of 3f2a9c1 (2025-06-30, \"Q2 review\")");
    }
}
