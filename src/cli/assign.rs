//! `assure assign` and `assure unassign`: action items.

use std::io::Write;

use super::editing::{EditFlags, finish, refuse, start};
use super::{Cli, Outcome};
use crate::model::Priority;
use crate::ops::commands;

/// Assign a control as an action item to a person (or reassign it).
///
/// The person must be listed in assure.yaml. With --notify, they get an email after the
/// change is merged (`assure notify`). Notes stay with the control for the next assignment.
#[derive(Debug, clap::Args)]
pub struct AssignArgs {
    /// The assessment, group/service--certification.
    pub assessment: String,
    /// The control id, e.g. 6.10.1.2.
    pub control: String,
    /// The person's email.
    #[arg(long, value_name = "EMAIL")]
    pub to: String,
    #[arg(long, value_enum)]
    pub priority: Option<PriorityArg>,
    /// Notes for the person (an empty string removes them).
    #[arg(long)]
    pub notes: Option<String>,
    /// Email the person about it once merged.
    #[arg(long)]
    pub notify: bool,
    #[command(flatten)]
    pub flags: EditFlags,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PriorityArg {
    Low,
    Medium,
    High,
}

/// Remove the assignment of a control (its notes stay for the next assignment).
#[derive(Debug, clap::Args)]
pub struct UnassignArgs {
    /// The assessment, group/service--certification.
    pub assessment: String,
    /// The control id.
    pub control: String,
    #[command(flatten)]
    pub flags: EditFlags,
}

pub fn assign(cli: &Cli, args: &AssignArgs, out: &mut dyn Write) -> Outcome {
    let project = cli.project_of(&args.assessment)?;
    let mut s = start(cli, &project)?;
    let priority = args.priority.map(|p| match p {
        PriorityArg::Low => Priority::Low,
        PriorityArg::Medium => Priority::Medium,
        PriorityArg::High => Priority::High,
    });
    if let Err(e) = commands::assign(
        &mut s,
        &args.assessment,
        &args.control,
        &args.to,
        priority,
        args.notes.clone(),
        args.notify,
    ) {
        return refuse(e);
    }
    finish(s, &args.flags, out)
}

pub fn unassign(cli: &Cli, args: &UnassignArgs, out: &mut dyn Write) -> Outcome {
    let project = cli.project_of(&args.assessment)?;
    let mut s = start(cli, &project)?;
    if let Err(e) = commands::unassign(&mut s, &args.assessment, &args.control) {
        return refuse(e);
    }
    finish(s, &args.flags, out)
}
