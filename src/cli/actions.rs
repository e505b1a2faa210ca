//! `assure actions`: action items per person, by certification.

use std::io::Write;

use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json, truncate};
use crate::model::Status;
use crate::ops::Project;
use crate::ops::actions::{ActionItem, Renewal, action_items, renewals};
use crate::text::{Medium, empty};

/// List action items: customer-managed controls assigned to a person, across active
/// assessments, one section per person and certification (the portal's tabs), the most
/// urgent first (priority high to none, then control id).
///
/// Expired evidence is work for the person the control is assigned to: under the item,
/// `renew evidence PATH (expired on DATE, N days ago)` for each of the control's
/// documents past its valid_until (judged on --today). Expired evidence of a control
/// assigned to nobody is in `assure status` and `assure validate`; assign the control to
/// make its renewal someone's action item.
///
/// Without --person or --all, your own items: the person of --as, else of git's
/// user.email. An unknown person or certification is an error that names the closest
/// known ones.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this person's items (email). Default: yours.
    #[arg(long, value_name = "EMAIL", conflicts_with = "all")]
    pub person: Option<String>,
    /// Everyone's items.
    #[arg(long)]
    pub all: bool,
    /// Only this certification's items (its tab: id, e.g. gdpr).
    #[arg(long, value_name = "CERT")]
    pub certification: Option<String>,
    /// Output format: human (readable text) or json (for scripts).
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,

    #[command(flatten)]
    pub as_of: super::asof::AsOfArg,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let (project, as_of) = args.as_of.project(cli)?;
    let person = whose(cli, &project, args)?;
    if let Some(cert) = &args.certification {
        project.certification(cert)?;
    }
    let certification = args.certification.as_deref().map(str::trim);
    let items = action_items(&project, person.as_deref(), certification);
    let renew = renewals(&project, &items, cli.today()?);
    if args.format == DataFormat::Json {
        let listed: Vec<Listed> = items
            .iter()
            .zip(&renew)
            .map(|(item, renew)| Listed { item, renew })
            .collect();
        // The output is a list (its schema says so): each item of a past view carries
        // the commit it is as of.
        let listed: Vec<_> = listed
            .iter()
            .map(|view| super::asof::Json { view, as_of })
            .collect();
        print_json(out, &listed)?;
        return Ok(ExitStatus::Ok);
    }
    super::asof::headline(out, as_of)?;
    if items.is_empty() {
        let whose = person.map_or("anyone".to_owned(), |p| p.to_owned());
        let tab = certification.map_or(String::new(), |c| format!(" in {c}"));
        writeln!(out, "no action items for {whose}{tab}")?;
        return Ok(ExitStatus::Ok);
    }
    render(&project, &items, &renew, out)?;
    Ok(ExitStatus::Ok)
}

/// An action item as `--format json` prints it: the item and its expired evidence.
#[derive(serde::Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    item: &'a ActionItem,
    renew: &'a [Renewal],
}

/// The person whose items are listed (as `assure.yaml` spells the email), `None` for
/// everyone's.
fn whose(cli: &Cli, project: &Project, args: &Args) -> Result<Option<String>, Failure> {
    if args.all {
        return Ok(None);
    }
    let email = match &args.person {
        Some(p) => return Ok(Some(project.person(p)?.email.clone())),
        None => super::editing::actor(cli, &project.ws.root).map_err(|_| {
            Failure::Usage(
                "whose action items? Set your email with `git config user.email you@example.com`, \
                 or pass --as EMAIL, --person EMAIL or --all"
                    .into(),
            )
        })?,
    };
    let me = project.person(&email).map_err(|e| {
        let by = if cli.acting_as.is_some() {
            "--as"
        } else {
            "git's user.email"
        };
        Failure::Usage(format!(
            "{e}; you are `{email}` by {by}: pass --person EMAIL for someone's items, or --all"
        ))
    })?;
    Ok(Some(me.email.clone()))
}

/// Sections per person, tabs per certification, one line per item, then its notes and
/// the evidence to renew (`renew`, by item).
fn render(
    project: &Project,
    items: &[ActionItem],
    renew: &[Vec<Renewal>],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let people = project.ws.config.as_ref().map(|c| &c.value.people);
    let width = items.iter().map(|i| i.assessment.len()).max().unwrap_or(0);
    let mut person = "";
    let mut cert = "";
    for (item, renew) in items.iter().zip(renew) {
        if !item.person.eq_ignore_ascii_case(person) {
            person = &item.person;
            cert = "";
            let name = people
                .and_then(|p| p.iter().find(|x| x.email.eq_ignore_ascii_case(person)))
                .map(|p| p.name.as_str());
            let mine: Vec<&ActionItem> = items
                .iter()
                .filter(|i| i.person.eq_ignore_ascii_case(person))
                .collect();
            let who = match name {
                Some(name) => format!("{name} <{person}>"),
                None => person.to_owned(),
            };
            writeln!(out, "\n{who} — {} action item(s)", mine.len())?;
            writeln!(out, "  tabs (--certification): {}", tabs(&mine))?;
        }
        if item.certification_name != cert {
            cert = &item.certification_name;
            writeln!(out, "\n  [{cert}]")?;
        }
        let state = match (item.status, item.test_result) {
            (Some(s), Some(r)) => format!("{} / {}", s.label(), r.label()),
            (s, _) => Status::label_of(s).to_owned(),
        };
        writeln!(
            out,
            "    {:<7} {:<10} {:<40} {:<width$} {}",
            item.priority.map_or(empty(Medium::Column), |p| p.as_str()),
            item.control,
            truncate(&item.title, 40),
            item.assessment,
            state
        )?;
        if let Some(notes) = item.notes.as_deref().filter(|n| !n.trim().is_empty()) {
            writeln!(out, "            notes: {}", truncate(notes, 80))?;
        }
        for r in renew {
            writeln!(
                out,
                "            renew evidence {} (expired on {}, {} day{} ago)",
                r.path,
                r.valid_until,
                r.days_ago,
                if r.days_ago == 1 { "" } else { "s" }
            )?;
        }
    }
    Ok(())
}

/// `All (7) | GDPR (3) | NIST 800-53 (4)`: the portal's tabs with their counts, each
/// certification by its id for `--certification`.
fn tabs(items: &[&ActionItem]) -> String {
    let mut tabs = vec![format!("all ({})", items.len())];
    let mut seen: Vec<&str> = Vec::new();
    for item in items {
        if !seen.contains(&item.certification.as_str()) {
            seen.push(&item.certification);
            let n = items
                .iter()
                .filter(|i| i.certification == item.certification)
                .count();
            tabs.push(format!("{} ({n})", item.certification));
        }
    }
    tabs.join(" | ")
}
