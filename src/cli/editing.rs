//! What every editing command shares: who is acting, the clock, `--dry-run`, and the
//! report of what was written.

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Timelike, Utc};

use super::{Cli, Failure, Outcome};
use crate::ops::Project;
use crate::ops::edit::{EditError, Outcome as Done, Session};

/// Flags of every command that edits files.
#[derive(Debug, Clone, clap::Args)]
pub struct EditFlags {
    /// Show the change as a diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The current time: the clock, or `ASSURE_NOW` (RFC 3339), which tests use.
pub fn now() -> Result<DateTime<Utc>, Failure> {
    match std::env::var("ASSURE_NOW") {
        Ok(s) => DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| Failure(format!("ASSURE_NOW={s}: {e}"))),
        // Whole seconds: timestamps in files are for people.
        Err(_) => Ok(Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now)),
    }
}

/// The acting person: `--as`, else git's `user.email`.
pub fn actor(cli: &Cli, root: &std::path::Path) -> Result<String, Failure> {
    match &cli.acting_as {
        Some(email) => Ok(email.clone()),
        None => crate::git::user_email(root).ok_or_else(|| {
            Failure("who is making this change? Set your email with `git config user.email you@example.com`, or pass --as EMAIL".into())
        }),
    }
}

/// Opens the repository and starts an edit by the acting person.
pub fn start<'p>(cli: &Cli, project: &'p Project) -> Result<Session<'p>, Failure> {
    let email = actor(cli, &project.ws.root)?;
    let mut session = Session::new(project, &email, now()?).map_err(|e| Failure(e.to_string()))?;
    session.today = super::today()?;
    // Test hook: prove that a failed write leaves every file as it was.
    if let Some(n) = std::env::var("ASSURE_FAIL_AFTER_WRITES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        session.fail_after = Some(n);
    }
    Ok(session)
}

/// Starts an edit that needs no particular person (`assure sync`).
pub fn start_anyone<'p>(cli: &Cli, project: &'p Project) -> Result<Session<'p>, Failure> {
    let email = actor(cli, &project.ws.root).unwrap_or_else(|_| "assure-sync".to_owned());
    Session::new(project, &email, now()?).map_err(|e| Failure(e.to_string()))
}

/// Finishes an edit and reports it: the files written (or, with `--dry-run`, the diff),
/// and what sync copied.
pub fn finish(session: Session, flags: &EditFlags, out: &mut dyn Write) -> Outcome {
    match session.finish(flags.dry_run) {
        Ok(done) => {
            report(&done, flags.dry_run, out)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refuse(e),
    }
}

/// An edit that was refused: the message on stderr and its exit code.
pub fn refuse(e: EditError) -> Outcome {
    let code = e.exit_code();
    if code == 2 {
        return Err(Failure(e.to_string()));
    }
    eprintln!("error: {e}");
    Ok(ExitCode::from(code))
}

pub fn report(done: &Done, dry_run: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if done.files.is_empty() {
        writeln!(out, "nothing to change")?;
        return Ok(());
    }
    if dry_run {
        write_diffs(out, &done.files)?;
        writeln!(out, "(dry run: nothing written)")?;
    } else {
        for path in &done.copied {
            writeln!(out, "copied   {path}")?;
        }
        for f in &done.files {
            let verb = match (&f.before, &f.after) {
                (None, Some(_)) => "created",
                (Some(_), None) => "deleted",
                _ => "updated",
            };
            writeln!(out, "{verb:<8} {}", f.path)?;
        }
    }
    for u in &done.synced {
        let fields: Vec<&str> = u.values.iter().map(|(f, _)| f.as_str()).collect();
        writeln!(
            out,
            "synced   {} {} from {} ({})",
            u.assessment,
            u.control,
            u.source,
            fields.join(", ")
        )?;
    }
    Ok(())
}

/// The unified diff of every file an edit writes.
pub fn write_diffs(
    out: &mut dyn Write,
    files: &[crate::ops::edit::FileChange],
) -> std::io::Result<()> {
    for f in files {
        write_diff(
            out,
            &f.path,
            f.before.as_deref().unwrap_or(""),
            f.after.as_deref().unwrap_or(""),
        )?;
    }
    Ok(())
}

/// A unified diff of one file, paths as git shows them.
pub fn write_diff(
    out: &mut dyn Write,
    path: &str,
    before: &str,
    after: &str,
) -> std::io::Result<()> {
    let diff = similar::TextDiff::from_lines(before, after);
    // A created or deleted file is compared with /dev/null, as git shows it.
    let old = if before.is_empty() {
        "/dev/null".to_owned()
    } else {
        format!("a/{path}")
    };
    let new = if after.is_empty() {
        "/dev/null".to_owned()
    } else {
        format!("b/{path}")
    };
    write!(
        out,
        "{}",
        diff.unified_diff().context_radius(3).header(&old, &new)
    )
}
