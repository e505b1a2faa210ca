//! `assure report excel | site`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Cli, ExitStatus, Outcome};
use crate::ops::group_wise::GroupWise;
use crate::ops::report;
use crate::report::site::SiteOptions;

/// Render reports: the auditor's Excel workbook and the static report site.
///
/// Reports are reproducible: the same commit renders byte-identical files. "Generated at"
/// is the time of the commit they are built from (marked "with uncommitted changes" when
/// the work tree differs), and every report carries the commit id. Evidence freshness
/// (the site's marks and "what expires next", the workbook's Evidence column) is judged
/// on --today: give it for reports that are the same bytes whenever they are made.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// An assessment as an Excel workbook for auditors: summary, provider-managed
    /// controls, customer-managed controls, action items, documents.
    ///
    /// Documents are linked at the commit through report.link_base, else by their path
    /// relative to the workbook. Every sheet prints landscape, one page wide, its header
    /// row on every page.
    Excel {
        /// The assessment, group/service--certification (or --all).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        assessment: Option<String>,
        /// One workbook per assessment (archived ones included), into the folder -o. The
        /// folder is replaced whole; it must be new, empty, or written by an earlier
        /// `report excel --all`. On a terminal a progress bar counts the workbooks.
        #[arg(long, requires = "output")]
        all: bool,
        /// The file to write (default: <group>--<service>--<certification>.xlsx), or with
        /// --all the folder. Never in the repository's data folders or .git.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
        #[command(flatten)]
        as_of: super::asof::AsOfArg,
    },
    /// The static report site: dashboard, assessment pages with filters and history,
    /// action items. Self-contained: it opens from the file system. Filters are kept in
    /// the address (assessments/PAGE#control=AC-2*&status=not-started), and
    /// actions.html#person=EMAIL shows one person's items.
    Site {
        /// The folder to write (default: site). It is replaced whole, so it must be new,
        /// empty, or written by an earlier `report site` (it leaves a .assure-site file);
        /// never the repository, a folder containing it, its data folders or .git.
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// The guest's site: the catalog and provider-managed controls, nothing of the
        /// organization's data.
        #[arg(long)]
        public: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        #[command(flatten)]
        as_of: super::asof::AsOfArg,
    },
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let (ReportCommand::Excel { as_of, .. } | ReportCommand::Site { as_of, .. }) = &args.command;
    if let ReportCommand::Excel {
        all: true,
        output: Some(dir),
        ..
    } = &args.command
    {
        return all_workbooks(cli, as_of, dir, out);
    }
    let (project, as_of) = match &args.command {
        ReportCommand::Excel { .. } => as_of.project(cli)?,
        // The site reads the assessments a group at a time itself (the public one none).
        ReportCommand::Site { .. } => {
            as_of.project_in(cli, crate::repo::Scope::Groups(Default::default()))?
        }
    };
    if let Some(at) = as_of {
        eprintln!("{}", crate::text::escape_line(&at.line()));
    }
    let now = super::editing::now()?;
    let today = cli.today()?;
    match &args.command {
        ReportCommand::Excel {
            assessment, output, ..
        } => {
            let assessment = assessment.as_deref().unwrap_or_default();
            let start = cli.start_dir();
            let path = report::write_workbook(
                &project,
                now,
                today,
                &start,
                assessment,
                output.as_deref(),
            )?;
            writeln!(out, "wrote {}", path.display())?;
            Ok(ExitStatus::Ok)
        }
        ReportCommand::Site {
            output,
            public,
            quiet,
            ..
        } => {
            let dir = cli
                .start_dir()
                .join(output.clone().unwrap_or_else(|| PathBuf::from("site")));
            let bar = super::progress::bar(!quiet, "rendering", "pages");
            let progress = super::progress::callback(&bar);
            let opts = SiteOptions { public: *public };
            let files = report::write_site(&project, now, today, &dir, &opts, &progress)?;
            bar.finish_and_clear();
            writeln!(
                out,
                "wrote {} ({files} files); open {}",
                dir.display(),
                dir.join("index.html").display()
            )?;
            Ok(ExitStatus::Ok)
        }
    }
}

/// `report excel --all -o DIR`: the repository read one group at a time (the work tree, or
/// the commit --as-of names), a progress bar while the workbooks are written.
fn all_workbooks(
    cli: &Cli,
    as_of: &super::asof::AsOfArg,
    dir: &Path,
    out: &mut dyn Write,
) -> Outcome {
    let root = cli.root()?;
    let wise = match as_of.resolve(cli)? {
        None => GroupWise::work_tree(&root)?,
        Some(at) => {
            eprintln!("{}", crate::text::escape_line(&at.line()));
            GroupWise::at_revision(&root, &at.commit)?
        }
    };
    let now = super::editing::now()?;
    let today = cli.today()?;
    let dir = cli.start_dir().join(dir);
    let bar = super::progress::bar(true, "writing", "workbooks");
    let progress = super::progress::callback(&bar);
    let written = report::write_all_workbooks(&wise, now, today, &dir, &progress)?;
    bar.finish_and_clear();
    for path in written {
        writeln!(out, "wrote {}", path.display())?;
    }
    Ok(ExitStatus::Ok)
}
