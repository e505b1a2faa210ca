//! `assure actions`: action items per person, by certification.

use std::io::Write;

use super::{Cli, DataFormat, ExitStatus, Outcome, print_json, truncate};
use crate::ops::actions::action_items;
use crate::text::{Medium, empty};

/// List action items: customer-managed controls assigned to a person, across active
/// assessments, one section per person and certification.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this person's items (email).
    #[arg(long, value_name = "EMAIL")]
    pub person: Option<String>,
    /// Only this certification's items (id, e.g. gdpr).
    #[arg(long, value_name = "CERT")]
    pub certification: Option<String>,
    /// Output format: human (readable text) or json (for scripts).
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    let items = action_items(
        &project,
        args.person.as_deref(),
        args.certification.as_deref(),
    );
    if args.format == DataFormat::Json {
        print_json(out, &items)?;
        return Ok(ExitStatus::Ok);
    }
    if items.is_empty() {
        writeln!(out, "no action items")?;
        return Ok(ExitStatus::Ok);
    }
    let people = project.ws.config.as_ref().map(|c| &c.value.people);
    let mut person = "";
    let mut cert = "";
    for item in &items {
        if item.person != person {
            person = &item.person;
            cert = "";
            let name = people
                .and_then(|p| p.iter().find(|x| x.email.eq_ignore_ascii_case(person)))
                .map(|p| p.name.as_str());
            let count = items.iter().filter(|i| i.person == person).count();
            match name {
                Some(name) => writeln!(out, "\n{name} <{person}> — {count} action item(s)")?,
                None => writeln!(out, "\n{person} — {count} action item(s)")?,
            }
        }
        if item.certification_name != cert {
            cert = &item.certification_name;
            writeln!(out, "  [{cert}]")?;
        }
        let state = match (item.status, item.test_result) {
            (Some(s), Some(r)) => format!("{} / {}", s.label(), r.label()),
            (Some(s), None) => s.label().to_owned(),
            (None, _) => "not started".to_owned(),
        };
        writeln!(
            out,
            "    {:<7} {:<10} {:<40} {:<42} {}",
            item.priority.map_or(empty(Medium::Column), |p| p.as_str()),
            item.control,
            truncate(&item.title, 40),
            item.assessment,
            state
        )?;
        if let Some(notes) = item.notes.as_deref().filter(|n| !n.trim().is_empty()) {
            writeln!(out, "            notes: {}", truncate(notes, 80))?;
        }
    }
    Ok(ExitStatus::Ok)
}
