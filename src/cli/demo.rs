//! `assure demo`: build the example into a git repository with history, and show it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Cli, Failure, Outcome, today};
use crate::diag;
use crate::git::Git;
use crate::ops::{self, Project};
use crate::report;

/// Build the example organization (Contoso) into a fresh git repository with a realistic
/// history — administrators creating groups and assessments, contributors implementing,
/// assessors testing, a group renamed, an assessment archived, and one rejected pull
/// request left on a branch — then validate it, show the dashboard, and render the
/// report site and one workbook per active assessment into its reports/ folder.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to build it (default: ./assure-demo). A folder left by an earlier demo is
    /// replaced; any other folder must be empty.
    pub folder: Option<PathBuf>,
}

/// A marker inside `.git` saying the folder is a demo that may be replaced.
const MARKER: &str = ".git/assure-demo";

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let dir = cli.start_dir().join(
        args.folder
            .clone()
            .unwrap_or_else(|| PathBuf::from("assure-demo")),
    );
    if dir.join(MARKER).exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| {
            Failure(format!(
                "cannot replace the earlier demo in {}: {e}",
                dir.display()
            ))
        })?;
    }
    let demo = ops::demo::build(&dir).map_err(|e| Failure(e.to_string()))?;
    std::fs::write(
        dir.join(MARKER),
        "built by `assure demo`; the folder may be replaced by the next one\n",
    )?;
    let dir = dir.canonicalize().unwrap_or(dir);
    writeln!(
        out,
        "Built the Contoso example in {} ({} commits on main).\n",
        dir.display(),
        demo.commits
    )?;

    let project = Project::open(&dir)?;
    let findings = ops::validate(&project, today()?);
    let (errors, warnings) = diag::counts(&findings);
    writeln!(
        out,
        "assure validate: {errors} error(s), {warnings} warning(s)"
    )?;
    if errors > 0 {
        diag::human::render(out, &project.ws.sources, &findings, false)?;
    }
    let git = Git::require(&dir).map_err(|e| Failure(e.to_string()))?;
    let gated = ops::gate::gate_range(&git, &dir, "main", &demo.branch)
        .map_err(|e| Failure(e.to_string()))?;
    writeln!(
        out,
        "assure validate --base main on branch {}: {} finding(s)",
        demo.branch,
        gated.len()
    )?;
    for g in &gated {
        writeln!(out, "  [{}] {}", g.code().name(), g.message())?;
    }
    writeln!(out)?;
    super::status::render(out, &ops::status::dashboard(&project, false), false)?;

    // The reports, in reports/ (kept out of git by .git/info/exclude).
    let reports = dir.join("reports");
    std::fs::write(
        dir.join(".git/info/exclude"),
        "# assure demo: rendered reports\n/reports/\n",
    )?;
    let ctx = report::context(&project, super::editing::now()?);
    let files = report::site::render(
        &project,
        &ctx,
        &report::site::SiteOptions::default(),
        &|_, _| {},
    )
    .map_err(|e| Failure(e.to_string()))?;
    super::report::write_site(&reports.join("site"), &files).map_err(|e| Failure(e.to_string()))?;
    writeln!(
        out,
        "\nReport site: {}",
        reports.join("site/index.html").display()
    )?;
    writeln!(out, "Workbooks:")?;
    for a in project.ws.assessments.iter().filter(|a| !a.is_archived()) {
        let path = reports.join(format!("{}--{}.xlsx", a.group, a.stem));
        let bytes =
            report::excel::workbook(&project, a, &ctx).map_err(|e| Failure(e.to_string()))?;
        report::write_file(&path, &bytes).map_err(|e| Failure(e.to_string()))?;
        writeln!(out, "  {}", path.display())?;
    }

    let shown = dir.display();
    writeln!(out, "\nTry:")?;
    writeln!(out, "  cd {shown}")?;
    writeln!(
        out,
        "  assure log default-group/office-365--gdpr 6.10.1.2    # who did what, field by field"
    )?;
    writeln!(
        out,
        "  assure controls default-group/office-365--gdpr --status planned"
    )?;
    writeln!(out, "  assure actions --person bob@contoso.com")?;
    writeln!(
        out,
        "  git switch {} && assure validate --base main   # the rejected change",
        demo.branch
    )?;
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
