//! `assure validate`: every check of DESIGN.md §5, and with `--base` the change checks of
//! §3 and §6.3.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{Cli, Failure, Outcome, today, use_color};
use crate::diag;
use crate::git::Git;
use crate::ops::{self, Project};
use crate::repo::source::SourceMap;

/// Check the repository: YAML, schemas, references, rules, evidence and sync classes.
///
/// Every finding has a stable code (`assure explain CODE` says more), a severity, the
/// file, line and column it is about, and how to fix it. With --base, also check every
/// commit since that revision against its author's roles as they stood at the base (the
/// CI gate for pull requests). Exit status: 0 when there are no errors (warnings
/// allowed), 1 when there are errors, 2 when validation could not run.
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
    /// SSH-signed by its author's key. The other checks run on the groups the change
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let Some(base) = &args.base else {
        let (sources, findings) = ops::validate_repository(&cli.root()?, today()?)?;
        return render(args, &sources, &findings, out);
    };
    let root = cli.root()?;
    let git = Git::require(&root).map_err(|e| Failure(e.to_string()))?;
    let fail = |e: ops::gate::GateError| Failure(e.to_string());
    ops::gate::require_settled(&git).map_err(fail)?;
    // Uncommitted changes are the acting person's, as for the editing commands.
    let acting = cli
        .acting_as
        .clone()
        .or_else(|| crate::git::user_email(&root));
    let request = ops::gate::Request {
        base,
        head: None,
        actor: args.actor.as_deref(),
        acting: acting.as_deref(),
    };
    let gated =
        ops::gate::gate(&mut ops::history::Versions::new(&git, &root), &request).map_err(fail)?;
    // Only what the change can affect: the groups it touches (or everything).
    let mut project = match ops::gate::affected_groups(&git, base).map_err(fail)? {
        Some(groups) => {
            let note = match groups.len() {
                0 => "the change touches no assure file".to_owned(),
                1 => "checked the one group the change touches".to_owned(),
                n => format!("checked the {n} groups the change touches"),
            };
            eprintln!("note: {note}; `assure validate` without --base checks every group");
            Project::open_groups(&root, &groups)?
        }
        None => Project::open(&root)?,
    };
    let mut findings = ops::validate(&project, today()?);
    let ws = &mut project.ws;
    let (assessments, groups, config) = (&ws.assessments, &ws.groups, &ws.config);
    let nodes = |id| {
        assessments
            .iter()
            .find(|a| a.doc.file == id)
            .map(|a| a.doc.node.clone())
            .or_else(|| {
                groups
                    .iter()
                    .filter_map(|g| g.doc.as_ref())
                    .find(|d| d.file == id)
                    .map(|d| d.node.clone())
            })
            .or_else(|| {
                config
                    .as_ref()
                    .filter(|c| c.file == id)
                    .map(|c| c.node.clone())
            })
    };
    findings.extend(ops::gate::diagnostics(&gated, &mut ws.sources, &nodes));
    diag::sort(&project.ws.sources, &mut findings);
    render(args, &project.ws.sources, &findings, out)
}

fn render(
    args: &Args,
    sources: &SourceMap,
    findings: &[diag::Diagnostic],
    out: &mut dyn Write,
) -> Outcome {
    match args.format {
        Format::Human => diag::human::render(out, sources, findings, use_color())?,
        Format::Json => diag::json::render(out, sources, findings)?,
        Format::Github => diag::github::render(out, sources, findings)?,
        Format::Sarif => diag::sarif::render(out, sources, findings)?,
    }
    Ok(if findings.iter().any(diag::Diagnostic::is_error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
