//! `assure report excel | site`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::{Cli, ExitStatus, Outcome};
use crate::edit::output::{self, Staged};
use crate::report::{self, excel, site};

/// Render reports: the auditor's Excel workbook and the static report site.
///
/// Reports are reproducible: the same commit renders byte-identical files. "Generated at"
/// is the time of the commit they are built from (marked "with uncommitted changes" when
/// the work tree differs), and every report carries the commit id.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// An assessment as an Excel workbook for auditors: summary, provider-managed
    /// controls, customer-managed controls (documents linked at the commit), action items.
    Excel {
        /// The assessment, group/service--certification (or --all).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        assessment: Option<String>,
        /// One workbook per assessment (archived ones included), into the folder -o. The
        /// folder is replaced whole; it must be new, empty, or written by an earlier
        /// `report excel --all`.
        #[arg(long, requires = "output")]
        all: bool,
        /// The file to write (default: <group>--<service>--<certification>.xlsx), or with
        /// --all the folder. Never in the repository's data folders or .git.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// The static report site: dashboard, assessment pages with filters and history,
    /// action items. Self-contained: it opens from the file system.
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
    },
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let project = cli.project()?;
    let ctx = report::context(&project, super::editing::now()?);
    match &args.command {
        ReportCommand::Excel {
            assessment,
            all,
            output,
        } => {
            let targets: Vec<&crate::repo::AssessmentDoc> = if *all {
                project.ws.assessments.iter().collect()
            } else {
                vec![project.assessment(assessment.as_deref().unwrap_or_default())?]
            };
            let root = Some(project.ws.root.as_path());
            let render = |a: &crate::repo::AssessmentDoc| excel::workbook(&project, a, &ctx);
            let name = |a: &crate::repo::AssessmentDoc| format!("{}--{}.xlsx", a.group, a.stem);
            match (output, all) {
                (Some(dir), true) => {
                    let dir = cli.start_dir().join(dir);
                    let staged = Staged::begin(&dir, &output::WORKBOOKS, root)?;
                    for a in &targets {
                        staged.write(&name(a), &render(a)?)?;
                    }
                    staged.finish()?;
                    for a in &targets {
                        writeln!(out, "wrote {}", dir.join(name(a)).display())?;
                    }
                }
                _ => {
                    for a in &targets {
                        let path = match output {
                            Some(file) => cli.start_dir().join(file),
                            None => cli.start_dir().join(name(a)),
                        };
                        let target = output::check_file(&path, root)?;
                        report::write_file(&target, &render(a)?)?;
                        writeln!(out, "wrote {}", path.display())?;
                    }
                }
            }
            Ok(ExitStatus::Ok)
        }
        ReportCommand::Site {
            output,
            public,
            quiet,
        } => {
            let dir = cli
                .start_dir()
                .join(output.clone().unwrap_or_else(|| PathBuf::from("site")));
            // Checked before the long render: a folder that may not be replaced is
            // refused at once, untouched.
            let staged = Staged::begin(&dir, &output::SITE, Some(&project.ws.root))?;
            let show = !quiet && std::io::stderr().is_terminal();
            let bar = indicatif::ProgressBar::hidden();
            if show {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} pages")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar.set_message("rendering");
            }
            let progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let files = site::render(
                &project,
                &ctx,
                &site::SiteOptions { public: *public },
                &progress,
            )?;
            bar.finish_and_clear();
            for (rel, bytes) in &files {
                staged.write(rel, bytes)?;
            }
            staged.finish()?;
            writeln!(
                out,
                "wrote {} ({} files); open {}",
                dir.display(),
                files.len(),
                dir.join("index.html").display()
            )?;
            Ok(ExitStatus::Ok)
        }
    }
}
