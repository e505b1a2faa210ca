//! `assure demo`: build the example into a git repository with history, and show it.

use std::io::Write;
use std::path::PathBuf;

use super::{Cli, ExitStatus, Failure, Outcome};
use crate::diag;
use crate::edit::output::{self, Staged};
use crate::git::Git;
use crate::ops::{self, Project};
use crate::report;
use crate::report::site::SiteOptions;

/// Build the example organization (Contoso) into a fresh git repository with a realistic
/// history — administrators creating groups and assessments, contributors implementing,
/// assessors testing, a group renamed, an assessment archived, an ISO/IEC 27001:2013
/// assessment migrated to ISO/IEC 27001:2022 in 2025 (`assessment migrate`) and archived
/// after, and one rejected pull request left on a branch — then validate it, show the
/// dashboard, and render the report site, one workbook per active assessment and an OSCAL
/// package of one assessment (catalog, SSP, assessment results, POA&M) into its reports/
/// folder.
///
/// The example's evidence ages in its story: the demo judges it on the story's last day
/// (one document expired, one expiring soon), unless --today gives another day.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to build it (default: ./assure-demo). A folder left by an earlier demo (its
    /// .git/assure-demo marker) is replaced once the new one is complete; any other
    /// folder must be empty, and is never the repository you are in or its data.
    pub folder: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let dir = cli.start_dir().join(
        args.folder
            .clone()
            .unwrap_or_else(|| PathBuf::from("assure-demo")),
    );
    // Everything is built beside the folder and swapped in at the end, so an earlier demo
    // stays whole until the new one is complete, and no other folder is ever replaced.
    let repository = cli.root().ok();
    let staged = Staged::begin(&dir, &output::DEMO, repository.as_deref())?;
    let built = staged.path();
    let demo = ops::demo::build(built)?;

    // The story's day, so the demo always shows an expired and an expiring document.
    let today = cli.today.unwrap_or(demo.today);
    let workbooks = write_reports(&staged, built, today)?;
    staged.finish()?;

    let dir = dir.canonicalize().unwrap_or(dir);
    writeln!(
        out,
        "Built the Contoso example in {} ({} commits on main).\n",
        dir.display(),
        demo.commits
    )?;
    let errors = show_checks(out, &dir, &demo, &workbooks, today)?;
    show_next_steps(out, &dir, &demo)?;
    Ok(if errors > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}

/// Renders the report site and one workbook per active assessment into `staged`'s
/// reports/ (kept out of git by .git/info/exclude), returning the workbooks' paths.
fn write_reports(
    staged: &Staged,
    built: &std::path::Path,
    today: chrono::NaiveDate,
) -> Result<Vec<String>, Failure> {
    std::fs::write(
        built.join(".git/info/exclude"),
        "# assure demo: rendered reports\n/reports/\n",
    )?;
    let project = Project::work_tree(built)?;
    let mut ctx = ops::report::workbook_context(&project, super::editing::now()?);
    ctx.today = today;
    let files = ops::report::site_files(&project, &ctx, &SiteOptions::default(), &|_, _| {})?;
    for (rel, bytes) in &files {
        staged.write(&format!("reports/site/{rel}"), bytes)?;
    }
    // Marked as `report site`'s own, so `assure report site -o reports/site` re-renders it.
    staged.write(
        &format!("reports/site/{}", output::SITE.marker),
        output::SITE.marker_text().as_bytes(),
    )?;
    let mut workbooks = Vec::new();
    for a in project.ws.assessments.iter().filter(|a| !a.is_archived()) {
        let name = format!("reports/{}", ops::report::workbook_name(a));
        let bytes = report::excel::workbook(&project, a, &ctx, &built.join("reports"))?;
        staged.write(&name, &bytes)?;
        workbooks.push(name);
    }
    write_oscal(staged, &project)?;
    Ok(workbooks)
}

/// The assessment the demo exports as OSCAL (it has failed controls, open action items
/// and evidence), and the folder the package goes in.
const OSCAL_ASSESSMENT: &str = "default-group/office-365--nist-800-53-r5";
const OSCAL_DIR: &str = "reports/oscal";

/// Writes an OSCAL package of [`OSCAL_ASSESSMENT`] into reports/oscal/: its
/// certification as a catalog, and the SSP, assessment results and POA&M.
fn write_oscal(staged: &Staged, project: &Project) -> Result<(), Failure> {
    use ops::export_oscal::{Model, What, export, origin};
    let origin = origin(project)?;
    let a = project.assessment(OSCAL_ASSESSMENT)?;
    let certification = &a.doc.value.certification;
    let documents = [
        ("catalog", What::Catalog { certification }),
        (
            "ssp",
            What::Assessment {
                key: OSCAL_ASSESSMENT,
                model: Model::Ssp,
            },
        ),
        (
            "assessment-results",
            What::Assessment {
                key: OSCAL_ASSESSMENT,
                model: Model::AssessmentResults,
            },
        ),
        (
            "poam",
            What::Assessment {
                key: OSCAL_ASSESSMENT,
                model: Model::Poam,
            },
        ),
    ];
    for (name, what) in documents {
        let doc = export(project, &origin, what)?;
        let text = crate::oscal::export::render(&doc, crate::oscal::export::Format::Json);
        staged.write(&format!("{OSCAL_DIR}/{name}.json"), text.as_bytes())?;
    }
    Ok(())
}

/// Validates the demo, checks its rejected branch, and shows the dashboard and where the
/// reports are; returns the number of errors.
fn show_checks(
    out: &mut dyn Write,
    dir: &std::path::Path,
    demo: &ops::demo::Demo,
    workbooks: &[String],
    today: chrono::NaiveDate,
) -> Result<usize, Failure> {
    let project = Project::work_tree(dir)?;
    let findings = ops::validate::check(&project, today);
    let (errors, warnings) = diag::counts(&findings);
    writeln!(
        out,
        "assure validate --today {today}: {errors} error(s), {warnings} warning(s)"
    )?;
    if errors > 0 {
        diag::human::render(out, &project.ws.sources, &findings, false)?;
    }
    let git = Git::require(dir)?;
    let gated = ops::gate::gate_range(&git, dir, "main", &demo.branch)?;
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
    super::status::render(out, &ops::status::dashboard(&project, false, today), false)?;
    writeln!(
        out,
        "\nReport site: {}",
        dir.join("reports/site/index.html").display()
    )?;
    writeln!(out, "Workbooks:")?;
    for name in workbooks {
        writeln!(out, "  {}", dir.join(name).display())?;
    }
    writeln!(
        out,
        "OSCAL package of {OSCAL_ASSESSMENT} (catalog, SSP, assessment results, POA&M):\n  {}",
        dir.join(OSCAL_DIR).display()
    )?;
    Ok(errors)
}

/// Suggests commands to try in the demo.
fn show_next_steps(
    out: &mut dyn Write,
    dir: &std::path::Path,
    demo: &ops::demo::Demo,
) -> Result<(), Failure> {
    let shown = dir.display();
    writeln!(out, "\nTry:")?;
    writeln!(out, "  cd {shown}")?;
    writeln!(
        out,
        "  assure assessment show default-group/office-365--gdpr   # the assessment's page"
    )?;
    writeln!(
        out,
        "  assure log default-group/office-365--gdpr 6.10.1.2    # who did what, field by field"
    )?;
    writeln!(
        out,
        "  assure log default-group/office-365--gdpr 7.2.2.1     # a regression and the reason its commit states"
    )?;
    writeln!(
        out,
        "  assure status --as-of 2019-04-30   # the dashboard as it stood that day"
    )?;
    writeln!(
        out,
        "  assure report excel default-group/office-365--gdpr -o gdpr.xlsx   # edit it, then: assure import excel gdpr.xlsx --dry-run"
    )?;
    writeln!(
        out,
        "  assure controls default-group/office-365--nist-800-53-r5 --control 'AC-2*'"
    )?;
    writeln!(out, "  assure actions --person bob@contoso.com")?;
    writeln!(
        out,
        "  assure status --today {}   # evidence expired and expiring on the story's last day",
        demo.today
    )?;
    writeln!(
        out,
        "  assure actions --person dave@contoso.com --today {}   # evidence to renew",
        demo.today
    )?;
    writeln!(
        out,
        "  assure export oscal {OSCAL_ASSESSMENT} --model poam   # OSCAL for an assessor's tools"
    )?;
    for (new, old) in &demo.migrated {
        writeln!(
            out,
            "  assure assessment show {new}   # migrated from {old}"
        )?;
        writeln!(
            out,
            "  assure log {new}   # the migration, then the new work"
        )?;
    }
    writeln!(
        out,
        "  git switch {} && assure validate --base main   # the rejected change",
        demo.branch
    )?;
    Ok(())
}
