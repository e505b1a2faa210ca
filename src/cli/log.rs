//! `assure log`: the field-level audit trail from git history.

use std::io::Write;

use chrono::NaiveDate;

use crate::ops::signatures::Signature;

use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json};
use crate::git::Git;
use crate::ops::history::{LogEntry, LogQuery, log_with_progress};
use crate::text::{Medium, empty};

/// Show who changed what and when: for each commit that changed the repository (or one
/// assessment, or one control), the date, author, commit and every field's old and new
/// value. Long text is shown as a diff. Group renames, new, archived and deleted
/// assessments are shown as events. Each commit's SSH signature is checked against its
/// author's `signing_keys` as listed before the commit (`signature: verified (SHA256:…)`,
/// or why not; shown once anyone has keys, and always in JSON), so the trail says which
/// authors are proven and which are only claimed. A commit that states a compliance
/// regression (a `Compliance-Regression: <reason>` trailer) shows its reason.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this assessment, group/service--certification.
    pub assessment: Option<String>,
    /// Only this control of the assessment.
    pub control: Option<String>,
    /// Only commits on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Only commits whose author's email or name contains this.
    #[arg(long, value_name = "PERSON")]
    pub author: Option<String>,
    /// Only the newest N entries (commits with changes shown); the walk stops once it
    /// has them.
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    pub max_count: Option<usize>,
    /// Output format: human (readable text) or json (for scripts).
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
}

fn show(v: &Option<serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => empty(Medium::Text).to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) if a.is_empty() => empty(Medium::Text).to_owned(),
        // Documents by their paths; other lists item by item.
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|item| match item.get("path") {
                Some(serde_json::Value::String(path)) => path.clone(),
                _ => show(&Some(item.clone())),
            })
            .collect::<Vec<_>>()
            .join(", "),
        // An action item: "priority: high, notes: …".
        Some(serde_json::Value::Object(o)) => o
            .iter()
            .map(|(k, v)| format!("{k}: {}", show(&Some(v.clone()))))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let root = cli.root()?;
    let git = Git::require(&root)?;
    let gone = match &args.assessment {
        Some(a) => check_subject(cli, a, args.control.as_deref())?,
        None => false,
    };
    let query = LogQuery {
        assessment: args.assessment.clone(),
        control: args.control.clone(),
        since: args.since,
        author: args.author.clone(),
        until: None,
        max_count: args.max_count,
    };
    let bar = super::progress::bar(true, "reading history", "commits");
    let history = log_with_progress(&git, &root, &query, &super::progress::callback(&bar))?;
    bar.finish_and_clear();
    if history.entries.is_empty() {
        unknown_names(cli, &git, args, gone)?;
    }
    if let (true, Some(a)) = (gone, &args.assessment) {
        eprintln!("note: {a} is not in the work tree; showing its history");
    }
    if args.format == DataFormat::Json {
        print_json(out, &history)?;
        return Ok(ExitStatus::Ok);
    }
    if history.entries.is_empty() {
        writeln!(out, "no changes")?;
        if git.is_unborn() {
            eprintln!(
                "note: the repository has no commits yet, so there is no history to show; `git commit` records the first"
            );
        }
    }
    for e in &history.entries {
        render_entry(out, e)?;
    }
    if let Some(b) = &history.shallow_boundary {
        writeln!(
            out,
            "history stops at {} ({}): this is a shallow clone; `git fetch --unshallow` brings the rest",
            b.short,
            b.time.format("%Y-%m-%d")
        )?;
    }
    Ok(ExitStatus::Ok)
}

/// Checks the asked-about assessment and control against the work tree: a control its
/// certification lacks is an error. Returns whether the assessment is gone from the work
/// tree (it may have been deleted: the log can still show it).
fn check_subject(cli: &Cli, a: &str, control: Option<&str>) -> Result<bool, Failure> {
    let project = cli.project()?;
    let Ok(doc) = project.assessment(a) else {
        return Ok(true);
    };
    if let (Some(control), Ok(cert)) =
        (control, project.certification(&doc.doc.value.certification))
        && cert.control(control.trim()).is_none()
    {
        return Err(Failure::NotFound(crate::ops::NotFound(
            cert.not_a_control(control),
        )));
    }
    Ok(false)
}

/// An empty log because a name names nothing is an error, never an empty answer: an
/// assessment neither in the work tree nor in its history, an author of no commit.
fn unknown_names(cli: &Cli, git: &Git, args: &Args, gone: bool) -> Result<(), Failure> {
    if let (true, Some(a)) = (gone, &args.assessment)
        && args.author.is_none()
        && args.since.is_none()
    {
        let project = cli.project()?;
        let keys: Vec<String> = project.ws.assessments.iter().map(|x| x.key()).collect();
        return Err(Failure::NotFound(crate::ops::NotFound(format!(
            "no assessment `{a}` in the work tree or its history (assessments are named group/service--certification); {}",
            crate::suggest::did_you_mean(a, keys.iter().map(String::as_str))
        ))));
    }
    if let Some(author) = &args.author {
        let authors = crate::ops::history::authors(git)?;
        let wanted = author.to_lowercase();
        if !authors.iter().any(|(email, name)| {
            email.to_lowercase().contains(&wanted) || name.to_lowercase().contains(&wanted)
        }) {
            let emails: Vec<&str> = authors.iter().map(|(e, _)| e.as_str()).collect();
            return Err(Failure::NotFound(crate::ops::NotFound(format!(
                "no commit's author has `{author}` in their email or name; {}",
                crate::suggest::did_you_mean(author, emails.into_iter())
            ))));
        }
    }
    Ok(())
}

/// One commit of the log as text: its header, signature and changes.
fn render_entry(out: &mut dyn Write, e: &LogEntry) -> std::io::Result<()> {
    let c = &e.commit;
    writeln!(
        out,
        "{}  {}  {} <{}>",
        c.time.format("%Y-%m-%d %H:%M"),
        c.short,
        c.author_name,
        c.author_email
    )?;
    if !c.summary.is_empty() {
        writeln!(out, "    {}", c.summary)?;
    }
    match &e.signature {
        Some(Signature::Verified { key }) => writeln!(out, "    signature: verified ({key})")?,
        Some(Signature::Unsigned) if !e.keys_listed => {}
        Some(sig) => writeln!(out, "    signature: {}", sig.describe())?,
        None => {}
    }
    if let Some(reason) = &e.regression_reason {
        writeln!(out, "    compliance regression stated: {reason}")?;
    }
    for ch in &e.changes {
        match (&ch.field, &ch.control) {
            (Some(field), Some(control)) => {
                let subject = ch.subject.as_deref().unwrap_or("");
                match &ch.diff {
                    Some(diff) => {
                        writeln!(out, "  {subject} {control} {field}:")?;
                        for line in diff.lines() {
                            writeln!(out, "      {line}")?;
                        }
                    }
                    None => writeln!(
                        out,
                        "  {subject} {control} {field}: {} → {}",
                        show(&ch.old),
                        show(&ch.new)
                    )?,
                }
            }
            _ => writeln!(out, "  {}", ch.change)?,
        }
    }
    writeln!(out)?;
    Ok(())
}
