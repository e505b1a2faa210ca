//! `assure assessment new | archive | delete | list`.

use std::io::{BufRead, IsTerminal, Write};

use serde::Serialize;

use super::editing::{EditFlags, finish, refuse, start};
use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json};
use crate::ops::permissions::Permission;
use crate::ops::score::score;
use crate::ops::{Project, commands};

/// Create, archive, delete and list assessments (administrator role).
///
/// An assessment is one service assessed against one certification, in one group:
/// groups/<group>/<service>--<certification>.yaml. It is named `group/service--certification`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: AssessmentCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum AssessmentCommand {
    /// Create an assessment in a group.
    ///
    /// Its customer-managed controls are filled from the same and related controls of the
    /// group's other assessments. With --copy-from, a new group's first assessment is
    /// filled from another group's assessments instead.
    New {
        /// The group's id (default: the built-in group `initial-group`, "Initial Group",
        /// which `assure init` creates; other groups: `assure group new`).
        #[arg(long)]
        group: Option<String>,
        /// Service id, e.g. office-365 (`assure catalog list`).
        #[arg(long)]
        service: String,
        /// Certification id, e.g. gdpr.
        #[arg(long)]
        certification: String,
        /// Copy the work of this group's assessments (same or related controls).
        #[arg(long, value_name = "GROUP")]
        copy_from: Option<String>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Archive an assessment: it becomes read-only forever and leaves every sync class.
    ///
    /// Archiving cannot be undone. Export the assessment first if you need a snapshot
    /// for auditors (`assure report excel`, when available).
    Archive {
        /// The assessment, group/service--certification.
        assessment: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Delete an assessment's file (it stays in git history).
    Delete {
        /// The assessment, group/service--certification.
        assessment: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// List assessments with score and progress.
    List {
        /// Include archived assessments.
        #[arg(long)]
        archived: bool,
        /// Output format: human (readable text) or json (for scripts).
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
    },
}

#[derive(Serialize)]
struct Row {
    assessment: String,
    name: String,
    group: String,
    archived: bool,
    score: u32,
    max: u32,
    assessed: usize,
    total: usize,
}

/// Asks on the terminal; without one, `--yes` is required.
fn confirm(question: &str, yes: bool) -> Result<bool, Failure> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "{question} — there is no terminal to ask on; pass --yes to confirm"
        )));
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    match &args.command {
        AssessmentCommand::New {
            group,
            service,
            certification,
            copy_from,
            flags,
        } => new(
            cli,
            &project,
            (group.as_deref(), service, certification),
            copy_from.as_deref(),
            flags,
            out,
        ),
        AssessmentCommand::Archive {
            assessment,
            yes,
            flags,
        } => archive(cli, &project, assessment, *yes, flags, out),
        AssessmentCommand::Delete {
            assessment,
            yes,
            flags,
        } => delete(cli, &project, assessment, *yes, flags, out),
        AssessmentCommand::List { archived, format } => list(&project, *archived, *format, out),
    }
}

/// `assessment new`: the assessment of (group, service, certification); without a
/// group, in the built-in group.
fn new(
    cli: &Cli,
    project: &Project,
    (group, service, certification): (Option<&str>, &str, &str),
    copy_from: Option<&str>,
    flags: &EditFlags,
    out: &mut dyn Write,
) -> Outcome {
    let group = match group {
        Some(g) => g,
        None => {
            let id = crate::ops::init::INITIAL_GROUP;
            if !project.ws.groups.iter().any(|g| g.id == id) {
                return Err(Failure::Usage(format!(
                    "no --group given, and this repository has no built-in group `{id}` (repositories made by `assure init` before it created one have none); pass --group GROUP (`assure group list`), or create it: `assure group new \"{}\"`",
                    crate::ops::init::INITIAL_GROUP_NAME
                )));
            }
            id
        }
    };
    let mut s = start(cli, project)?;
    match commands::new_assessment(&mut s, group, service, certification, copy_from) {
        Ok(_) => finish(s, flags, out),
        Err(e) => refuse(e),
    }
}

/// `assessment archive`, confirmed first by someone who may archive.
fn archive(
    cli: &Cli,
    project: &Project,
    assessment: &str,
    yes: bool,
    flags: &EditFlags,
    out: &mut dyn Write,
) -> Outcome {
    let mut s = start(cli, project)?;
    if let Err(e) = commands::archive(&mut s, assessment) {
        return refuse(e);
    }
    // Ask only someone who may archive; anyone else is refused by `finish`.
    if !flags.dry_run && s.actor.may(Permission::ManageAssessments) {
        eprintln!(
            "note: archiving is final. Export the assessment first if auditors need a snapshot; its evidence stays in git history."
        );
        if !confirm(&format!("archive {assessment}?"), yes)? {
            writeln!(out, "not archived")?;
            return Ok(ExitStatus::Findings);
        }
    }
    finish(s, flags, out)
}

/// `assessment delete`, confirmed first by someone who may delete.
fn delete(
    cli: &Cli,
    project: &Project,
    assessment: &str,
    yes: bool,
    flags: &EditFlags,
    out: &mut dyn Write,
) -> Outcome {
    let mut s = start(cli, project)?;
    if let Err(e) = commands::delete(&mut s, assessment) {
        return refuse(e);
    }
    if !flags.dry_run
        && s.actor.may(Permission::ManageAssessments)
        && !confirm(&format!("delete {assessment}?"), yes)?
    {
        writeln!(out, "not deleted")?;
        return Ok(ExitStatus::Findings);
    }
    finish(s, flags, out)
}

/// `assessment list`: each assessment with its score and progress.
fn list(project: &Project, archived: bool, format: DataFormat, out: &mut dyn Write) -> Outcome {
    let rows: Vec<Row> = project
        .ws
        .assessments
        .iter()
        .filter(|a| archived || !a.is_archived())
        .map(|a| {
            let v = &a.doc.value;
            let p = score(v, &project.catalog)
                .map(|s| s.total)
                .unwrap_or_default();
            Row {
                assessment: a.key(),
                name: project
                    .catalog
                    .assessment_name(&v.service, &v.certification),
                group: a.group.clone(),
                archived: a.is_archived(),
                score: p.score,
                max: p.max,
                assessed: p.assessed,
                total: p.total,
            }
        })
        .collect();
    if format == DataFormat::Json {
        print_json(out, &rows)?;
    } else {
        for r in &rows {
            let mark = if r.archived { "  (archived)" } else { "" };
            writeln!(
                out,
                "{:<52} {:<36} {:>5} / {:<5} {:>4}/{:<4} assessed{mark}",
                r.assessment, r.name, r.score, r.max, r.assessed, r.total
            )?;
        }
    }
    Ok(ExitStatus::Ok)
}
