//! `assure sync`: make shared and related controls equal.

use std::io::Write;

use super::editing::{refuse, report, start_anyone, write_diffs};
use super::{Cli, ExitStatus, Outcome};
use crate::ops::commands;

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
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    let mut s = start_anyone(cli, &project)?;
    if let Err(e) = commands::sync_base(&mut s, args.base.as_deref()) {
        return refuse(e);
    }
    match s.finish(args.check) {
        Ok(done) if args.check => {
            write_diffs(out, &done.files)?;
            if done.files.is_empty() {
                writeln!(out, "in sync")?;
                Ok(ExitStatus::Ok)
            } else {
                Ok(ExitStatus::Findings)
            }
        }
        Ok(done) if done.files.is_empty() => {
            writeln!(out, "in sync")?;
            Ok(ExitStatus::Ok)
        }
        Ok(done) => {
            report(&done, false, out)?;
            Ok(ExitStatus::Ok)
        }
        Err(e) => refuse(e),
    }
}
