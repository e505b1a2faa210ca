//! `assure sync`: make shared and related controls equal.

use std::io::Write;

use serde::Serialize;
use serde_json::{Map, Value as J};

use super::editing::{actor, now, refuse, report, start_anyone, write_diff, write_diffs};
use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json};
use crate::model::SyncField;
use crate::ops::commands;
use crate::ops::edit::{EditError, Outcome as Done};
use crate::ops::group_wise::GroupWise;
use crate::ops::sync::Conflict;

/// Make the members of every sync class equal (shared controls within a group, and
/// controls related by the catalog's mappings).
///
/// The members changed since --base (default HEAD, i.e. your uncommitted changes) are the
/// sources: when they agree, their values are copied to the other members. When they
/// disagree, that is a conflict: every member and value is shown, nothing is written, and
/// the exit status is 1. When no member changed (or there is no git history), the member
/// with the latest test date wins; a tie is a conflict. Archived assessments are never
/// touched.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write nothing; print the diff and exit 1 if anything would change.
    #[arg(long)]
    pub check: bool,
    /// The revision whose files count as unchanged (default HEAD).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Output format: human (readable text) or json (for scripts): the files changed
    /// (or, with --check, that would change) with their diffs, the members copied, and
    /// the conflicts.
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let json = args.format == DataFormat::Json;
    let result = if args.check {
        check(cli, args)?
    } else {
        let project = cli.project()?;
        let mut s = start_anyone(cli, &project)?;
        commands::sync_base(&mut s, args.base.as_deref()).and_then(|()| s.finish(false))
    };
    match result {
        Ok(done) if json => {
            print_json(out, &Report::of(&done, args.check, &[]))?;
            Ok(status(&done, args.check))
        }
        Ok(done) if args.check => {
            write_diffs(out, &done.files)?;
            if done.files.is_empty() {
                writeln!(out, "in sync")?;
            }
            Ok(status(&done, true))
        }
        Ok(done) if done.files.is_empty() => {
            writeln!(out, "in sync")?;
            Ok(ExitStatus::Ok)
        }
        Ok(done) => {
            report(&done, false, out)?;
            Ok(ExitStatus::Ok)
        }
        Err(e) => refused(e, args.check, json, out),
    }
}

/// `sync --check`: the whole repository read group by group (a sync class never crosses
/// a group), so memory stays that of a few groups.
fn check(cli: &Cli, args: &Args) -> Result<Result<Done, EditError>, Failure> {
    let root = cli.root()?;
    let wise = GroupWise::work_tree(&root)?;
    if wise.is_empty() {
        let project = cli.project()?;
        let mut s = start_anyone(cli, &project)?;
        return Ok(commands::sync_base(&mut s, args.base.as_deref()).and_then(|()| s.finish(true)));
    }
    let email = actor(cli, &root).unwrap_or_else(|_| "assure-sync".to_owned());
    let bar = super::progress::bar(true, "checking sync", "groups");
    let done = crate::ops::sync::check_wise(
        &wise,
        &email,
        now()?,
        args.base.as_deref(),
        &super::progress::callback(&bar),
    );
    bar.finish_and_clear();
    Ok(done)
}

/// 1 when `--check` finds work to do, else 0.
fn status(done: &Done, check: bool) -> ExitStatus {
    if check && !done.files.is_empty() {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    }
}

/// A sync that was not made: said on stderr (exit 1, or 2 when it could not run); with
/// `--format json`, conflicts are also printed as the report's `conflicts`.
fn refused(e: EditError, check: bool, json: bool, out: &mut dyn Write) -> Outcome {
    if json && let EditError::Conflict(conflicts) = &e {
        print_json(out, &Report::of(&Done::default(), check, conflicts))?;
    }
    refuse(e)
}

/// What `sync --format json` prints (docs/json.md, `sync`).
#[derive(Serialize)]
struct Report {
    check: bool,
    /// Whether files were written: false with --check, with nothing to change, or on a
    /// conflict.
    written: bool,
    files: Vec<FileReport>,
    synced: Vec<Synced>,
    conflicts: Vec<ConflictReport>,
}

#[derive(Serialize)]
struct FileReport {
    path: String,
    change: &'static str,
    /// The unified diff, paths as git shows them.
    diff: String,
}

#[derive(Serialize)]
struct Synced {
    assessment: String,
    control: String,
    source: String,
    values: Map<String, J>,
}

#[derive(Serialize)]
struct ConflictReport {
    group: String,
    reason: String,
    members: Vec<ConflictMember>,
}

#[derive(Serialize)]
struct ConflictMember {
    member: String,
    changed: bool,
    test_date: Option<chrono::NaiveDate>,
    values: Map<String, J>,
}

fn fields(values: &[(SyncField, J)]) -> Map<String, J> {
    values
        .iter()
        .map(|(f, v)| (f.as_str().to_owned(), v.clone()))
        .collect()
}

impl Report {
    fn of(done: &Done, check: bool, conflicts: &[Conflict]) -> Report {
        let files = done
            .files
            .iter()
            .map(|f| {
                let mut diff = Vec::new();
                let before = f.before.as_deref().unwrap_or("");
                let after = f.after.as_deref().unwrap_or("");
                // Into memory: cannot fail.
                let _ = write_diff(&mut diff, &f.path, before, after);
                FileReport {
                    path: f.path.clone(),
                    change: match (&f.before, &f.after) {
                        (None, Some(_)) => "created",
                        (Some(_), None) => "deleted",
                        _ => "updated",
                    },
                    diff: String::from_utf8_lossy(&diff).into_owned(),
                }
            })
            .collect();
        Report {
            check,
            written: !check && !done.files.is_empty(),
            files,
            synced: done
                .synced
                .iter()
                .map(|u| Synced {
                    assessment: u.assessment.clone(),
                    control: u.control.clone(),
                    source: u.source.clone(),
                    values: fields(&u.values),
                })
                .collect(),
            conflicts: conflicts
                .iter()
                .map(|c| ConflictReport {
                    group: c.group.clone(),
                    reason: c.reason.clone(),
                    members: c
                        .members
                        .iter()
                        .map(|m| ConflictMember {
                            member: m.member.clone(),
                            changed: m.changed,
                            test_date: m.test_date,
                            values: fields(&m.values),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
