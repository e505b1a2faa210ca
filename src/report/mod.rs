//! Reports for people who do not read YAML: the auditor's Excel workbook (`excel.rs`)
//! and the static report site (`site.rs`, templates in `templates/`).
//!
//! Reports are reproducible (DESIGN.md §7.3): the same commit renders byte-identical
//! output. "Generated at" is the time of the commit the report is built from (marked
//! "with uncommitted changes" when the work tree differs), every report carries the
//! commit id, and nothing depends on the clock or on the order files are read in.
//!
//! Reports render data: they never open git. Where a report comes from
//! ([`ReportContext`]) and the site's history ([`site::History`]) are read by
//! [`crate::ops::report`] and passed in.

pub mod excel;
pub mod site;

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
    #[error("cannot build the workbook: {0}")]
    Excel(String),
    #[error("cannot render the site: {0}")]
    Template(String),
    #[error("{0}")]
    NotFound(String),
}

/// What every report says about where it comes from, read from git by
/// [`crate::ops::report::context`].
#[derive(Debug, Clone, Serialize)]
pub struct ReportContext {
    pub organization: String,
    /// The commit the report is built from (`None` outside git or before the first commit).
    pub commit: Option<String>,
    /// The commit's time; outside git, the time passed in.
    pub generated_at: DateTime<Utc>,
    /// The work tree differs from the commit.
    pub dirty: bool,
    /// The day evidence freshness is judged on: the CLI's today (`--today`), so that a
    /// report made with `--today` is the same bytes whenever it is made.
    pub today: NaiveDate,
    pub has_git: bool,
    /// `report.link_base` of assure.yaml, with `{commit}` and `{path}`.
    pub link_base: Option<String>,
    /// When each assessment file (repository-relative path) last changed: its last
    /// commit's time, for the workbook's "Modified" ([`crate::ops::report::
    /// workbook_context`] reads it); a file not in it shows its modification time.
    #[serde(skip)]
    pub last_changed: std::collections::HashMap<String, DateTime<Utc>>,
    /// The commit a past view shows (`--as-of`): reports show it prominently, so that
    /// nobody takes it for today's. `None`: the work tree.
    pub as_of: Option<crate::ops::asof::AsOf>,
}

impl ReportContext {
    /// The link to a document: pinned to the commit through `link_base`, else the
    /// repository-relative path.
    pub fn document_link(&self, path: &str) -> String {
        match (&self.link_base, &self.commit) {
            (Some(base), Some(commit)) => base.replace("{commit}", commit).replace("{path}", path),
            _ => path.to_owned(),
        }
    }

    /// "2019-12-20 16:00 UTC, commit 1a2b3c4" (+ "with uncommitted changes").
    pub fn generated_label(&self) -> String {
        let mut s = self.generated_at.format("%Y-%m-%d %H:%M UTC").to_string();
        match &self.commit {
            Some(c) => s.push_str(&format!(", commit {}", &c[..c.len().min(7)])),
            None => s.push_str(", not in git"),
        }
        if self.dirty {
            s.push_str(", with uncommitted changes");
        }
        s
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    crate::edit::write_atomic(path, bytes)
        .map_err(|e| ReportError::Write(path.display().to_string(), e))
}
