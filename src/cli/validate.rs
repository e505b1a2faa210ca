//! `assure validate`: every check of DESIGN.md §5.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{Cli, Outcome, today, use_color};
use crate::diag;
use crate::ops;

/// Check the repository: YAML, schemas, references, rules, evidence and sync classes.
///
/// Every finding has a stable code (`assure explain CODE` says more), a severity, the
/// file, line and column it is about, and how to fix it. Exit status: 0 when there are
/// no errors (warnings allowed), 1 when there are errors, 2 when validation could not run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format: human (colour on a terminal unless NO_COLOR is set), json, github
    /// (workflow annotations for GitHub Actions) or sarif (2.1.0, for code scanning).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    let findings = ops::validate(&project, today()?);
    let sources = &project.ws.sources;
    match args.format {
        Format::Human => diag::human::render(out, sources, &findings, use_color())?,
        Format::Json => diag::json::render(out, sources, &findings)?,
        Format::Github => diag::github::render(out, sources, &findings)?,
        Format::Sarif => diag::sarif::render(out, sources, &findings)?,
    }
    Ok(if findings.iter().any(diag::Diagnostic::is_error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
