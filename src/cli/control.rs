//! `assure control show | set | test`.

use std::io::Write;

use chrono::NaiveDate;

use super::editing::{EditFlags, finish, refuse, start};
use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json};
use crate::model::{Status, TestResult};
use crate::ops::commands::{self, ControlEdit};
use crate::ops::freshness::State;

/// Show a control, or record its implementation and test.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ControlCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ControlCommand {
    /// Everything about one control: catalog text, who manages it, its status, test,
    /// action item, documents (with their collected_on / valid_until dates and, on
    /// --today, "expired 3 days ago" or "expires in 12 days"), and the controls kept in
    /// sync with it.
    Show {
        /// The assessment, group/service--certification.
        assessment: String,
        /// The control id.
        control: String,
        /// Output format: human (readable text) or json (for scripts).
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
    },
    /// Record the implementation of a customer-managed control (contributor role).
    ///
    /// An empty text removes the field. Shared and related controls in the group get the
    /// same values (sync).
    Set {
        /// The assessment, group/service--certification.
        assessment: String,
        /// The control id.
        control: String,
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// How the organization implements the control.
        #[arg(long, value_name = "TEXT")]
        implementation: Option<String>,
        /// How the implementation will be tested.
        #[arg(long, value_name = "TEXT")]
        test_plan: Option<String>,
        #[arg(long, value_name = "TEXT")]
        management_response: Option<String>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Record a test result and its date (assessor role).
    Test {
        /// The assessment, group/service--certification.
        assessment: String,
        /// The control id.
        control: String,
        #[arg(long, value_enum)]
        result: ResultArg,
        /// The day the test was performed, YYYY-MM-DD (default: today).
        #[arg(long, value_name = "DATE")]
        date: Option<NaiveDate>,
        #[command(flatten)]
        flags: EditFlags,
    },
}

fn text(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref()
        .map(|t| Some(t.clone()).filter(|t| !t.is_empty()))
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let (ControlCommand::Show { assessment, .. }
    | ControlCommand::Set { assessment, .. }
    | ControlCommand::Test { assessment, .. }) = &args.command;
    let project = cli.project_of(assessment)?;
    match &args.command {
        ControlCommand::Show {
            assessment,
            control,
            format,
        } => show(&project, assessment, control, cli.today()?, *format, out),
        ControlCommand::Set {
            assessment,
            control,
            status,
            implementation,
            test_plan,
            management_response,
            flags,
        } => {
            let mut s = start(cli, &project)?;
            let edit = ControlEdit {
                status: status.map(|s| Some(s.into())),
                implementation: text(implementation),
                test_plan: text(test_plan),
                management_response: text(management_response),
            };
            if edit.status.is_none()
                && edit.implementation.is_none()
                && edit.test_plan.is_none()
                && edit.management_response.is_none()
            {
                return Err(Failure::Usage("nothing to set: give --status, --implementation, --test-plan or --management-response".into()));
            }
            if let Err(e) = commands::set_control(&mut s, assessment, control, edit) {
                return refuse(e);
            }
            finish(s, flags, out)
        }
        ControlCommand::Test {
            assessment,
            control,
            result,
            date,
            flags,
        } => {
            let mut s = start(cli, &project)?;
            if let Err(e) =
                commands::test_control(&mut s, assessment, control, (*result).into(), *date)
            {
                return refuse(e);
            }
            finish(s, flags, out)
        }
    }
}

fn show(
    project: &crate::ops::Project,
    key: &str,
    control: &str,
    today: chrono::NaiveDate,
    format: DataFormat,
    out: &mut dyn Write,
) -> Outcome {
    let shown = crate::ops::control::show(project, key, control, today)?;
    let provider = shown.provider;
    if format == DataFormat::Json {
        print_json(out, &shown)?;
        return Ok(ExitStatus::Ok);
    }
    catalog_part(out, &shown)?;
    writeln!(out)?;
    match (provider, shown.record) {
        (Some(p), _) => provider_part(out, p)?,
        (None, None) => writeln!(out, "status:       {}", Status::label_of(None))?,
        (None, Some(r)) => record_part(out, r, &shown.evidence)?,
    }
    links_part(out, &shown)?;
    Ok(ExitStatus::Ok)
}

/// What the catalog says of the control: title, family, references, score, attributes,
/// recommended actions and examples.
fn catalog_part(out: &mut dyn Write, shown: &crate::ops::control::Shown) -> std::io::Result<()> {
    writeln!(out, "{} — {}", shown.control, shown.title)?;
    writeln!(
        out,
        "{} ({}), {} {}",
        shown.assessment_name,
        shown.assessment,
        shown.family_term.to_lowercase(),
        shown.family
    )?;
    if !shown.articles.is_empty() {
        let term = shown.reference_term.unwrap_or("Reference").to_lowercase();
        writeln!(out, "{term}s: {}", shown.articles.join(", "))?;
    }
    writeln!(
        out,
        "score value: {}    managed by: {}",
        shown.score, shown.managed_by
    )?;
    if !shown.attributes.is_empty() {
        writeln!(
            out,
            "attributes: {}",
            crate::model::catalog::attributes_line(shown.attributes)
        )?;
    }
    if let Some(actions) = shown.recommended_actions {
        writeln!(out, "recommended customer actions: {actions}")?;
    }
    if !shown.examples.is_empty() {
        writeln!(out, "examples:")?;
        for example in shown.examples.iter() {
            writeln!(out, "  - {example}")?;
        }
    }
    Ok(())
}

/// The controls linked to this one: kept in sync, related, and "see also" (crosswalks).
fn links_part(out: &mut dyn Write, shown: &crate::ops::control::Shown) -> std::io::Result<()> {
    if !shown.in_sync_with.is_empty() {
        writeln!(out, "\nkept in sync with:")?;
        for m in &shown.in_sync_with {
            writeln!(out, "  {m}")?;
        }
    }
    if !shown.related.is_empty() {
        writeln!(out, "related controls: {}", shown.related.join(", "))?;
    }
    if !shown.see_also.is_empty() {
        let list: Vec<String> = shown
            .see_also
            .iter()
            .map(|(r, c)| {
                format!(
                    "{r}{}",
                    if *c == crate::model::Coverage::Partial {
                        " (partial)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        writeln!(out, "see also: {}", list.join(", "))?;
    }
    Ok(())
}

/// A provider-managed control: the provider's status and test.
fn provider_part(out: &mut dyn Write, p: &crate::model::ProviderControl) -> std::io::Result<()> {
    writeln!(out, "status:       {}", p.status.label())?;
    writeln!(
        out,
        "test:         {} on {} by {}",
        p.test_result.label(),
        p.test_date,
        p.tested_by
    )?;
    writeln!(out, "how:          {}", p.description)?;
    Ok(())
}

/// A customer-managed control's record: status, test, action item, texts, documents (with
/// their dates and `evidence`, their freshness, in the same order).
fn record_part(
    out: &mut dyn Write,
    r: &crate::model::ControlRecord,
    evidence: &[crate::ops::freshness::State],
) -> std::io::Result<()> {
    writeln!(out, "status:       {}", Status::label_of(r.status))?;
    match (r.test_result, r.test_date) {
        (Some(res), Some(d)) => writeln!(out, "test:         {} on {d}", res.label())?,
        (Some(res), None) => writeln!(out, "test:         {} (no date)", res.label())?,
        _ => writeln!(out, "test:         {}", TestResult::label_of(None))?,
    }
    if let Some(to) = &r.assigned_to {
        let action = r.action.clone().unwrap_or_default();
        let priority = action
            .priority
            .map_or(String::new(), |p| format!(", priority {}", p.as_str()));
        let notify = if action.notify { ", notify" } else { "" };
        writeln!(out, "assigned to:  {to}{priority}{notify}")?;
    }
    if let Some(notes) = r.action.as_ref().and_then(|a| a.notes.as_ref()) {
        writeln!(out, "notes:        {notes}")?;
    }
    for (label, value) in [
        ("implementation", &r.implementation),
        ("test plan", &r.test_plan),
        ("management response", &r.management_response),
    ] {
        if let Some(t) = value {
            writeln!(out, "{label}:")?;
            for line in t.lines() {
                writeln!(out, "  {line}")?;
            }
        }
    }
    if !r.documents.is_empty() {
        writeln!(out, "documents:")?;
        for (i, d) in r.documents.iter().enumerate() {
            let purpose = d.purpose.map_or(String::new(), |p| {
                format!(
                    " ({})",
                    if p == crate::model::Purpose::Testing {
                        "testing"
                    } else {
                        "implementation"
                    }
                )
            });
            writeln!(
                out,
                "  {}{purpose}  sha256 {}…",
                d.path,
                &d.sha256[..12.min(d.sha256.len())]
            )?;
            let mut dates = Vec::new();
            if let Some(c) = d.collected_on {
                dates.push(format!("collected {c}"));
            }
            if let Some(u) = d.valid_until {
                dates.push(format!("valid until {u}"));
            }
            if !dates.is_empty() {
                let state = evidence.get(i).copied().unwrap_or(State::Valid);
                // "valid" says nothing the date does not; only a state that needs work shows.
                let mark = match state {
                    State::Valid => String::new(),
                    _ => format!(" — {}", state.label()),
                };
                writeln!(out, "    {}{mark}", dates.join(", "))?;
            }
        }
    }
    Ok(())
}

/// A status to record (`control set --status`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusArg {
    Implemented,
    AlternativeImplementation,
    Planned,
    NotInScope,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ResultArg {
    Passed,
    FailedLowRisk,
    FailedMediumRisk,
    FailedHighRisk,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Status {
        match s {
            StatusArg::Implemented => Status::Implemented,
            StatusArg::AlternativeImplementation => Status::AlternativeImplementation,
            StatusArg::Planned => Status::Planned,
            StatusArg::NotInScope => Status::NotInScope,
        }
    }
}

impl From<ResultArg> for TestResult {
    fn from(r: ResultArg) -> TestResult {
        match r {
            ResultArg::Passed => TestResult::Passed,
            ResultArg::FailedLowRisk => TestResult::FailedLowRisk,
            ResultArg::FailedMediumRisk => TestResult::FailedMediumRisk,
            ResultArg::FailedHighRisk => TestResult::FailedHighRisk,
        }
    }
}
