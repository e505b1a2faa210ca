//! What every editing command shares: who is acting, the clock, `--dry-run`, and the
//! report of what was written.

use std::io::Write;

use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};

use super::{Cli, ExitStatus, Failure, Outcome};
use crate::edit::{Changed, LockError, RecoverError, Recovered, RepoLock};
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
            .map_err(|e| Failure::Usage(format!("ASSURE_NOW={s}: {e}"))),
        // Whole seconds: timestamps in files are for people.
        Err(_) => Ok(Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now)),
    }
}

/// The acting person: `--as`, else git's `user.email`.
pub fn actor(cli: &Cli, root: &std::path::Path) -> Result<String, Failure> {
    match &cli.acting_as {
        Some(email) => Ok(email.clone()),
        None => crate::git::user_email(root).ok_or_else(|| {
            Failure::Usage("who is making this change? Set your email with `git config user.email you@example.com`, or pass --as EMAIL".into())
        }),
    }
}

/// Opens the repository and starts an edit by the acting person.
pub fn start<'p>(cli: &Cli, project: &'p Project) -> Result<Session<'p>, Failure> {
    let email = actor(cli, &project.ws.root)?;
    let mut session = Session::new(project, &email, now()?)?;
    session.today = cli.today()?;
    // Test hooks (only in a build with the `fault-injection` feature, which only the
    // tests enable): prove that a failed write, or a crash in the middle of one, leaves
    // every file as it was.
    #[cfg(feature = "fault-injection")]
    for (var, fault) in [
        ("ASSURE_FAIL_AFTER_WRITES", crate::edit::Fault::Fail),
        ("ASSURE_CRASH_AFTER_WRITES", crate::edit::Fault::Crash),
    ] {
        if let Some(n) = std::env::var(var).ok().and_then(|v| v.parse().ok()) {
            session.fault = Some((n, fault));
        }
    }
    Ok(session)
}

/// How long an editing command waits for another one to finish: 10 s, or
/// `ASSURE_LOCK_TIMEOUT_MS` (which tests use).
fn lock_timeout() -> Duration {
    std::env::var("ASSURE_LOCK_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis)
}

/// Prepares an editing command, before it reads the repository: takes the repository's
/// edit lock (waiting for another assure process to finish), rolls back what an
/// interrupted edit left half-written, and — when the command will write (`writes`: not
/// `--dry-run` or `sync --check`) — refuses while git is in the middle of a merge or
/// rebase. `Err` is the exit status, the reason already printed.
pub fn prepare(cli: &Cli, writes: bool) -> Result<Option<RepoLock>, ExitStatus> {
    let fail = |message: String, status: ExitStatus| {
        eprintln!("error: {}", crate::text::escape(&message));
        status
    };
    // Without a repository, the command itself says so.
    let Ok(root) = cli.root() else {
        return Ok(None);
    };
    let mut on_wait = |pid: Option<u32>| {
        let pid = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        eprintln!("waiting for another assure process{pid} editing this repository…");
    };
    let lock = match RepoLock::acquire(&root, lock_timeout(), &mut on_wait) {
        Ok(lock) => lock,
        Err(e @ LockError::Busy { .. }) => return Err(fail(e.to_string(), ExitStatus::Busy)),
        // A read-only work tree or `.git`: a command that writes nothing needs no lock.
        Err(_) if !writes => return Ok(None),
        Err(e) => return Err(fail(e.to_string(), ExitStatus::Failed)),
    };
    match crate::edit::recover(&crate::edit::lock::journal_path(&root)) {
        Ok(None) => {}
        Ok(Some(Recovered::RolledBack(files))) => {
            let files: Vec<String> = files
                .iter()
                .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
                .collect();
            eprintln!(
                "note: an earlier assure edit was interrupted before it finished; it was rolled back, so every file is as it was before it ({})",
                if files.is_empty() {
                    "no file had changed yet".to_owned()
                } else {
                    files.join(", ")
                }
            );
        }
        Ok(Some(Recovered::CleanedUp)) => {}
        Err(RecoverError::Changed(changed)) => {
            return Err(fail(changed_since(&root, &changed), ExitStatus::Failed));
        }
        Err(e) => {
            return Err(fail(
                format!("an earlier assure edit was interrupted, and rolling it back failed: {e}"),
                ExitStatus::Failed,
            ));
        }
    }
    if writes && let Some(op) = crate::git::operation_in_progress(&root) {
        let how = match op.as_str() {
            "merge" => "finish it (resolve the conflicts, `git add` the files, `git commit`) or abort it (`git merge --abort`)".to_owned(),
            "bisect" => "end it (`git bisect reset`)".to_owned(),
            "`git am`" => "finish it (`git am --continue`) or abort it (`git am --abort`)".to_owned(),
            other => format!("finish it (`git {other} --continue`) or abort it (`git {other} --abort`)"),
        };
        return Err(fail(
            format!(
                "a git {op} is in progress in this repository, so assure changes nothing: {how}, then run the command again"
            ),
            ExitStatus::Failed,
        ));
    }
    Ok(Some(lock))
}

/// What to tell the user when an interrupted edit cannot be rolled back because files
/// were changed since: which files, where their earlier content is, and how to go on.
fn changed_since(root: &std::path::Path, changed: &Changed) -> String {
    let rel = |p: &std::path::Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let files: Vec<String> = changed
        .files
        .iter()
        .map(|(file, before)| match before {
            Some(b) => format!(
                "{} (its content from before that edit is in {})",
                rel(file),
                rel(b)
            ),
            None => format!("{} (it did not exist before that edit)", rel(file)),
        })
        .collect();
    let mut remove: Vec<String> = vec![changed.journal.display().to_string()];
    remove.extend(changed.left.iter().map(|p| rel(p)));
    format!(
        "an earlier assure edit was interrupted before it finished, and since then these files were changed by something else: {}. assure did not roll that edit back, so as not to lose those changes, and touched no file. Inspect these files and keep in each what you want; then remove {} and run the command again",
        files.join("; "),
        remove.join(" ")
    )
}

/// Starts an edit that needs no particular person (`assure sync`).
pub fn start_anyone<'p>(cli: &Cli, project: &'p Project) -> Result<Session<'p>, Failure> {
    let email = actor(cli, &project.ws.root).unwrap_or_else(|_| "assure-sync".to_owned());
    Ok(Session::new(project, &email, now()?)?)
}

/// Finishes an edit and reports it: the files written (or, with `--dry-run`, the diff),
/// and what sync copied.
pub fn finish(session: Session, flags: &EditFlags, out: &mut dyn Write) -> Outcome {
    match session.finish(flags.dry_run) {
        Ok(done) => {
            report(&done, flags.dry_run, out)?;
            Ok(ExitStatus::Ok)
        }
        Err(e) => refuse(e),
    }
}

/// An edit that was not made: a refusal (the change breaks a rule) is said on stderr and
/// exits 1 like a finding; anything else could not run.
pub fn refuse(e: EditError) -> Outcome {
    if !e.is_refusal() {
        return Err(e.into());
    }
    eprintln!("error: {}", crate::text::escape(&e.to_string()));
    Ok(ExitStatus::Findings)
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
