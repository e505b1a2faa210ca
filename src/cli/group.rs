//! `assure group new | rename | list`.

use std::io::Write;

use serde::Serialize;

use super::editing::{EditFlags, finish, start};
use super::{Cli, DataFormat, ExitStatus, Outcome, print_json};
use crate::ops::commands;

/// Create, rename and list assessment groups.
///
/// A group collects assessments (by year, standard, service, team…). Within a group, the
/// same control in several assessments is shared, and related controls are kept in step.
/// Creating and renaming groups needs the administrator role.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: GroupCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum GroupCommand {
    /// Create a group (groups/<id>/group.yaml).
    New {
        /// The group's name, unique in the organization, e.g. "GDPR Assessments - 2019".
        name: String,
        /// The folder name (default: made from the name, e.g. gdpr-assessments-2019).
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Rename a group; its assessments stay in it.
    Rename {
        /// The group's id (its folder name).
        group: String,
        /// The new name.
        name: String,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// List the groups.
    List {
        /// Output format: human (readable text) or json (for scripts).
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
    },
}

#[derive(Serialize)]
struct Row {
    id: String,
    name: String,
    description: Option<String>,
    assessments: usize,
    archived: usize,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    match &args.command {
        GroupCommand::New {
            name,
            id,
            description,
            flags,
        } => {
            let mut s = start(cli, &project)?;
            if let Err(e) = commands::new_group(&mut s, name, id.as_deref(), description.clone()) {
                return super::editing::refuse(e);
            }
            finish(s, flags, out)
        }
        GroupCommand::Rename { group, name, flags } => {
            let mut s = start(cli, &project)?;
            if let Err(e) = commands::rename_group(&mut s, group, name) {
                return super::editing::refuse(e);
            }
            finish(s, flags, out)
        }
        GroupCommand::List { format } => {
            let rows: Vec<Row> = project
                .ws
                .groups
                .iter()
                .map(|g| {
                    let of_group = project.ws.assessments.iter().filter(|a| a.group == g.id);
                    Row {
                        id: g.id.clone(),
                        name: g
                            .doc
                            .as_ref()
                            .map_or_else(String::new, |d| d.value.name.clone()),
                        description: g.doc.as_ref().and_then(|d| d.value.description.clone()),
                        assessments: of_group.clone().filter(|a| !a.is_archived()).count(),
                        archived: of_group.filter(|a| a.is_archived()).count(),
                    }
                })
                .collect();
            if *format == DataFormat::Json {
                print_json(out, &rows)?;
            } else {
                for r in &rows {
                    let archived = if r.archived > 0 {
                        format!(" (+{} archived)", r.archived)
                    } else {
                        String::new()
                    };
                    writeln!(
                        out,
                        "{:<32} {:<40} {} assessment(s){archived}",
                        r.id, r.name, r.assessments
                    )?;
                }
            }
            Ok(ExitStatus::Ok)
        }
    }
}
