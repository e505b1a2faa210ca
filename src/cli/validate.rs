//! `assure validate`: every check of DESIGN.md §5, and with `--base` the change checks of
//! §3 and §6.3.

use std::io::Write;

use clap::ValueEnum;

use super::{Cli, ExitStatus, Outcome, use_color};
use crate::diag;
use crate::ops;

/// Check the repository: YAML, schemas, references, rules, evidence and sync classes.
///
/// Every finding has a stable code (`assure explain CODE` says more), a severity, the
/// file, line and column it is about, and how to fix it. With --base, also check every
/// commit since that revision against its author's roles as they stood at the base (the
/// CI gate for pull requests). Evidence past its `valid_until` is a warning
/// (evidence-expired), evidence within `evidence.warn_days` of it a note; "today" is the
/// clock's date or --today DATE. Exit status: 0 when there are no errors (warnings and
/// notes allowed; --strict makes warnings errors), 1 when there are errors, 2 when
/// validation could not run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format: human (colour on a terminal unless NO_COLOR is set), json, github
    /// (workflow annotations for GitHub Actions) or sarif (2.1.0, for code scanning).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Check the change since REV (the commits in REV..HEAD and the work tree's
    /// uncommitted changes) — the review gate. Each commit's author's role at REV must
    /// allow every change it makes (a merge's own change is what it changes against its
    /// first parent, less what it takes from commits the range itself holds); uncommitted
    /// changes are the acting person's (--as, else git's user.email). The net change from
    /// REV must be made of checked changes (nothing brought back from older history), keep
    /// archived assessments byte for byte, move none between groups, and keep every data
    /// file a regular file. With `require_signed_commits` at REV, every commit must be
    /// SSH-signed by its author's key. With `rules.tester_is_not_implementer` at REV, a
    /// test result set in the change by someone who wrote the control's implementation
    /// text (in any commit HEAD reaches) is refused. With `ratchet: true` at REV, a change
    /// that lowers an assessment's compliance score or fails a passed control is refused
    /// (compliance-regression) unless a commit in REV..HEAD states why in a git trailer
    /// `Compliance-Regression: <reason>` (uncommitted changes cannot carry one). The other checks run on the groups the change
    /// touches only, so the cost follows the size of the change; a change to assure.yaml,
    /// the catalog or any other file (which may be evidence) checks every group.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// With --base: attribute the whole change (work tree included) to this person
    /// instead of each commit's author: an e-mail, or a GitHub login listed as a person's
    /// `github` in assure.yaml. In CI, name the pull request's author as the platform
    /// authenticated them (`assure init --ci github` does).
    #[arg(long, value_name = "EMAIL|LOGIN", requires = "base")]
    pub actor: Option<String>,
    /// Make every warning an error (exit status 1), expired evidence
    /// (`evidence-expired`, `passed-on-expired-evidence`) included: for a CI that holds
    /// the repository to it. Notes (evidence expiring soon) stay notes.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let root = cli.root()?;
    // Uncommitted changes are the acting person's, as for the editing commands.
    let acting = match &args.base {
        Some(_) => cli
            .acting_as
            .clone()
            .or_else(|| crate::git::user_email(&root)),
        None => None,
    };
    let request = ops::validate::Request {
        base: args.base.as_deref(),
        actor: args.actor.as_deref(),
        acting: acting.as_deref(),
        today: cli.today()?,
    };
    let bar = super::progress::bar(args.base.is_none(), "validating", "groups");
    let validated =
        ops::validate::run_with_progress(&root, &request, &super::progress::callback(&bar));
    bar.finish_and_clear();
    let mut validated = validated?;
    if args.strict {
        diag::strict(&mut validated.findings);
    }
    if let Some(note) = &validated.note {
        eprintln!("note: {note}");
    }
    match args.format {
        Format::Human => {
            diag::human::render(out, &validated.sources, &validated.findings, use_color())?
        }
        Format::Json => diag::json::render(out, &validated.sources, &validated.findings)?,
        Format::Github => diag::github::render(out, &validated.sources, &validated.findings)?,
        Format::Sarif => diag::sarif::render(out, &validated.sources, &validated.findings)?,
    }
    Ok(if validated.has_errors() {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}
