//! `assure notify`: email people about action items assigned to them.

use std::io::Write;
use std::path::PathBuf;

use super::{Cli, ExitStatus, Outcome};
use crate::edit::output::{self, Staged};
use crate::git::Git;
use crate::ops::notify::{NotifyError, pending, send, write_eml};

/// Email each person about the action items newly assigned to them with --notify in
/// REV..HEAD (run it after a merge): the control and its title, the recommended customer
/// actions, the priority, the notes, and a link to their action items.
///
/// The SMTP server is `notifications.smtp` in assure.yaml (STARTTLS is used when the
/// server offers it); a user name and password, if the server needs them, come from the
/// environment variables ASSURE_SMTP_USERNAME and ASSURE_SMTP_PASSWORD, never from the
/// repository, and are sent only over TLS: with them set, a server without STARTTLS is
/// an error and nothing is sent. `tls: starttls` in the settings requires STARTTLS
/// always; `tls: implicit` uses TLS from the first byte (port 465). What was sent is recorded as a git note (refs/notes/assure-notify) on the
/// commit that made the assignment, so running it again sends nothing twice. A message
/// that fails is reported and retried next time; the exit status is then 1.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Notify for assignments in REV..HEAD.
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// Write the emails as .eml files in DIR instead of sending them (nothing is recorded).
    /// DIR is replaced whole: it must be new, empty, or written by an earlier dry run.
    #[arg(long, value_name = "DIR")]
    pub dry_run: Option<PathBuf>,
    /// The report site's address, for the link to the person's action items.
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let root = cli.root()?;
    let git = Git::require(&root)?;
    // A dry run's outbox is checked first (a folder it may not replace is refused before
    // anything else), written whole beside its place, then swapped in.
    let outbox = match &args.dry_run {
        Some(dir) => Some(Staged::begin(
            &cli.start_dir().join(dir),
            &output::OUTBOX,
            Some(&root),
        )?),
        None => None,
    };
    let (config, todo) = pending(&git, &root, &args.base, args.site_url.as_deref())?;
    if todo.is_empty() {
        writeln!(out, "nothing to notify")?;
        return Ok(ExitStatus::Ok);
    }
    let smtp = config.notifications.as_ref().map(|n| n.smtp.clone());
    let results = match outbox {
        Some(staged) => {
            let from = smtp
                .as_ref()
                .map_or("assure@localhost", |s| s.from.as_str());
            let sent = write_eml(&todo, from, staged.path())?;
            staged.finish()?;
            sent
        }
        None => {
            let smtp = smtp.ok_or(NotifyError::NoSmtp)?;
            let credentials = match (
                std::env::var("ASSURE_SMTP_USERNAME"),
                std::env::var("ASSURE_SMTP_PASSWORD"),
            ) {
                (Ok(u), Ok(p)) => Some((u, p)),
                _ => None,
            };
            send(&git, &todo, &smtp, credentials)?
        }
    };
    let verb = if args.dry_run.is_some() {
        "wrote"
    } else {
        "sent"
    };
    let mut failed = 0;
    for r in &results {
        let n = &r.notification;
        match &r.error {
            None => writeln!(out, "{verb:<6} {} {} → {}", n.assessment, n.control, n.to)?,
            Some(e) => {
                failed += 1;
                let line = format!(
                    "could not send {} {} to {}: {e}",
                    n.assessment, n.control, n.to
                );
                eprintln!("error: {}", crate::text::escape_line(&line));
            }
        }
    }
    Ok(if failed > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}
