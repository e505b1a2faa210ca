//! `assure log`: the field-level audit trail from git history.

use std::io::Write;

use chrono::NaiveDate;

use crate::ops::signatures::Signature;

use super::{Cli, DataFormat, ExitStatus, Failure, Outcome, print_json};
use crate::git::Git;
use crate::ops::history::{LogEntry, LogQuery, log};
use crate::text::{Medium, empty};

/// Show who changed what and when: for each commit that changed the repository (or one
/// assessment, or one control), the date, author, commit and every field's old and new
/// value. Long text is shown as a diff. Group renames, new, archived and deleted
/// assessments are shown as events. Each commit's SSH signature is checked against its
/// author's `signing_keys` as listed before the commit (`signature: verified (SHA256:…)`,
/// or why not; shown once anyone has keys, and always in JSON), so the trail says which
/// authors are proven and which are only claimed.
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
    /// Output format: human (readable text) or json (for scripts).
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
}

fn show(v: &Option<serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => empty(Medium::Text).to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => format!("{} item(s)", a.len()),
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
    if let Some(a) = &args.assessment {
        note_if_gone(cli, &root, a)?;
    }
    let query = LogQuery {
        assessment: args.assessment.clone(),
        control: args.control.clone(),
        since: args.since,
        author: args.author.clone(),
    };
    let history = log(&git, &root, &query)?;
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

/// Warns when the asked-about assessment is not in the work tree (it may have been
/// deleted: the log can still show it).
fn note_if_gone(cli: &Cli, root: &std::path::Path, a: &str) -> Result<(), Failure> {
    let project = cli.project()?;
    if project
        .ws
        .assessments
        .iter()
        .all(|x| x.key() != a && format!("{}/{}", x.group, x.stem) != a)
        && !root.join(format!("groups/{a}.yaml")).exists()
    {
        eprintln!("note: {a} is not in the work tree; showing its history");
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
