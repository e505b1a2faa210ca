//! `assure people [add | grant | revoke | remove]`.

use std::io::Write;

use super::editing::{EditFlags, finish, refuse, start};
use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json};
use crate::model::Role;
use crate::ops::people;

/// List the organization's people, their roles and the global admins; add and remove
/// people, grant and revoke roles.
///
/// Without a subcommand, lists them. The edits change assure.yaml (only the lines of the
/// person changed) under the rules CI's review gate applies: adding and removing people
/// and changing roles needs the portal-admin role; granting or revoking portal-admin,
/// and removing a global admin, needs a global admin (`global_admins`). Roles: reader,
/// contributor, assessor, administrator, portal-admin. A person whom assessments name
/// (action items, created_by) is not removed; nor is the last portal-admin or global
/// admin.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<PeopleCommand>,
    /// Output format of the list: human (readable text) or json (for scripts).
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
}

#[derive(Debug, clap::Subcommand)]
pub enum PeopleCommand {
    /// Add a person to the organization (portal-admin; with portal-admin among the
    /// roles, a global admin).
    Add {
        /// Their email address, as their git commits carry it.
        email: String,
        /// Their name, as people will see it.
        #[arg(long)]
        name: String,
        /// A role to give them (repeatable; default: reader).
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Give a person one or more roles (portal-admin; portal-admin itself needs a global
    /// admin).
    Grant {
        /// The person's email.
        email: String,
        /// reader, contributor, assessor, administrator or portal-admin.
        #[arg(value_name = "ROLE", required = true)]
        roles: Vec<String>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Take one or more roles from a person (portal-admin; portal-admin itself needs a
    /// global admin). They stay listed, with the roles they have left.
    Revoke {
        /// The person's email.
        email: String,
        /// reader, contributor, assessor, administrator or portal-admin.
        #[arg(value_name = "ROLE", required = true)]
        roles: Vec<String>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Remove a person from the organization, and from global_admins (portal-admin; a
    /// portal-admin or global admin needs a global admin).
    ///
    /// Refused while the person has action items (reassign them first), or when
    /// assessments record them as their creator (then revoke their roles instead).
    Remove {
        /// The person's email.
        email: String,
        #[command(flatten)]
        flags: EditFlags,
    },
}

impl PeopleCommand {
    /// The edit flags of an editing subcommand.
    pub fn flags(&self) -> &EditFlags {
        match self {
            PeopleCommand::Add { flags, .. }
            | PeopleCommand::Grant { flags, .. }
            | PeopleCommand::Revoke { flags, .. }
            | PeopleCommand::Remove { flags, .. } => flags,
        }
    }
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    let Some(command) = &args.command else {
        let config = project.ws.config.as_ref().ok_or_else(|| {
            Failure::Usage(
                "assure.yaml does not load, so its people are not known; `assure validate` shows what is wrong with it".into(),
            )
        })?;
        return list(&people::list(&config.value), args.format, out);
    };
    let roles = |names: &[String]| -> Result<Vec<Role>, Failure> {
        Ok(names
            .iter()
            .map(|n| people::parse_role(n))
            .collect::<Result<_, _>>()?)
    };
    let mut s = start(cli, &project)?;
    let edited = match command {
        PeopleCommand::Add {
            email,
            name,
            roles: r,
            ..
        } => people::add(&mut s, email, name, &roles(r)?),
        PeopleCommand::Grant {
            email, roles: r, ..
        } => people::grant(&mut s, email, &roles(r)?),
        PeopleCommand::Revoke {
            email, roles: r, ..
        } => people::revoke(&mut s, email, &roles(r)?),
        PeopleCommand::Remove { email, .. } => people::remove(&mut s, email),
    };
    if let Err(e) = edited {
        return refuse(e);
    }
    finish(s, command.flags(), out)
}

fn list(people: &people::People, format: DataFormat, out: &mut dyn Write) -> Outcome {
    if format == DataFormat::Json {
        print_json(out, people)?;
        return Ok(ExitStatus::Ok);
    }
    let email_width = people
        .people
        .iter()
        .map(|p| p.email.chars().count())
        .max()
        .unwrap_or(0);
    let name_width = people
        .people
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0);
    writeln!(
        out,
        "{}: {} {}",
        people.organization,
        people.people.len(),
        if people.people.len() == 1 {
            "person"
        } else {
            "people"
        }
    )?;
    for p in &people.people {
        let admin = if p.global_admin { "  global admin" } else { "" };
        let line = format!(
            "{:<email_width$}  {:<name_width$}  {}{admin}",
            p.email,
            p.name,
            people::describe_roles(&p.roles)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "global admins (may grant and remove portal-admin): {}",
        if people.global_admins.is_empty() {
            crate::text::empty(crate::text::Medium::Text).to_owned()
        } else {
            people.global_admins.join(", ")
        }
    )?;
    Ok(ExitStatus::Ok)
}
