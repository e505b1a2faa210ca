//! `assure import excel`: an auditor's edits to a workbook come back as the CLI's edits.

use std::io::Write;
use std::path::PathBuf;

use super::editing::{EditFlags, refuse, report, start};
use super::{Cli, ExitStatus, Failure, Outcome};
use crate::ops::import_excel::{self, ImportError};

/// Bring edits made outside assure back into the repository.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ImportCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Apply an auditor's edits to a workbook made by `assure report excel`.
    ///
    /// Editable cells: in "Customer controls" Status, Assigned to, Test date and Test
    /// result; in "Implementation" Implementation, Test plan and Management response (a
    /// row may be added there for a customer control that has none); in "Action items"
    /// Priority and Notes. Everything else (ids, titles, scores, the provider's controls,
    /// documents) is read-only. Rows are matched by their control id: sorting, filtering,
    /// deleting rows or renaming a sheet is fine.
    ///
    /// Each change is made as `assure control set | test`, `assign` and `unassign` make
    /// it, with the acting person's role (`--as`, else git's user.email), sync applied,
    /// comments and layout of the files kept. A cell is compared with the value the
    /// workbook was made with: if the repository changed that value since and the
    /// workbook changed it otherwise, that is a conflict. A read-only cell edited, a
    /// conflict, a value the field does not take or a change the person may not make
    /// refuses the whole import (exit 1), and nothing is written.
    Excel {
        /// The workbook (.xlsx).
        file: PathBuf,
        #[command(flatten)]
        flags: EditFlags,
    },
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let ImportCommand::Excel { file, flags } = &args.command;
    let path = cli.start_dir().join(file);
    let (origin, sheets) = match import_excel::open(&path) {
        Ok(found) => found,
        Err(e) => return Err(Failure::Usage(e.to_string())),
    };
    let project = cli.project_of(&origin.assessment)?;
    let plan = match import_excel::plan(&project, origin, &sheets, cli.today()?) {
        Ok(plan) => plan,
        Err(e @ ImportError::Refused(_)) => {
            eprintln!("error: {}", crate::text::escape(&e.to_string()));
            return Ok(ExitStatus::Findings);
        }
        Err(e) => return Err(Failure::Usage(e.to_string())),
    };
    let o = &plan.origin;
    writeln!(
        out,
        "workbook of {}, made from {}{}",
        o.assessment,
        o.commit
            .as_deref()
            .map_or_else(|| "no commit".to_owned(), |c| format!("commit {c}")),
        if o.dirty {
            " with uncommitted changes"
        } else {
            ""
        }
    )?;
    for note in &plan.notes {
        writeln!(out, "note: {note}")?;
    }
    if plan.edits.is_empty() {
        writeln!(out, "nothing to change")?;
        return Ok(ExitStatus::Ok);
    }
    for e in &plan.edits {
        writeln!(
            out,
            "{}  {} {}: {:?} → {:?}",
            e.cell,
            e.control,
            e.field.name(),
            e.before,
            e.after
        )?;
    }
    let mut s = start(cli, &project)?;
    if let Err(e) = import_excel::apply(&mut s, &plan) {
        return refuse(e);
    }
    match s.finish(flags.dry_run) {
        Ok(done) => {
            report(&done, flags.dry_run, out)?;
            Ok(ExitStatus::Ok)
        }
        Err(e) => refuse(e),
    }
}
