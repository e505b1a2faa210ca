//! `assure report excel | site`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Cli, Failure, Outcome};
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
        /// One workbook per assessment (archived ones included), into the folder -o.
        #[arg(long, requires = "output")]
        all: bool,
        /// The file to write (default: <group>--<service>--<certification>.xlsx), or with
        /// --all the folder.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// The static report site: dashboard, assessment pages with filters and history,
    /// action items. Self-contained: it opens from the file system.
    Site {
        /// The folder to write (default: site). It is replaced as a whole.
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
                vec![
                    project
                        .assessment(assessment.as_deref().unwrap_or_default())
                        .map_err(Failure)?,
                ]
            };
            for a in targets {
                let name = format!("{}--{}.xlsx", a.group, a.stem);
                let path = match (output, all) {
                    (Some(dir), true) => cli.start_dir().join(dir).join(&name),
                    (Some(file), false) => cli.start_dir().join(file),
                    (None, _) => cli.start_dir().join(&name),
                };
                let bytes =
                    excel::workbook(&project, a, &ctx).map_err(|e| Failure(e.to_string()))?;
                report::write_file(&path, &bytes).map_err(|e| Failure(e.to_string()))?;
                writeln!(out, "wrote {}", path.display())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Site {
            output,
            public,
            quiet,
        } => {
            let dir = cli
                .start_dir()
                .join(output.clone().unwrap_or_else(|| PathBuf::from("site")));
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
            )
            .map_err(|e| Failure(e.to_string()))?;
            bar.finish_and_clear();
            write_site(&dir, &files).map_err(|e| Failure(e.to_string()))?;
            writeln!(
                out,
                "wrote {} ({} files); open {}",
                dir.display(),
                files.len(),
                dir.join("index.html").display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes the site into a new folder beside `dir`, then swaps it into place, so `dir` is
/// never half old, half new.
pub fn write_site(
    dir: &std::path::Path,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<(), report::ReportError> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| report::ReportError::Write(parent.display().to_string(), e))?;
    let staging = tempfile::Builder::new()
        .prefix(".assure-site-")
        .tempdir_in(parent)
        .map_err(|e| report::ReportError::Write(parent.display().to_string(), e))?;
    for (rel, bytes) in files {
        let path = staging.path().join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)
                .map_err(|e| report::ReportError::Write(p.display().to_string(), e))?;
        }
        std::fs::write(&path, bytes)
            .map_err(|e| report::ReportError::Write(path.display().to_string(), e))?;
    }
    let staged = staging.keep();
    let old = parent.join(format!(".assure-site-old-{}", std::process::id()));
    if dir.exists() {
        std::fs::rename(dir, &old)
            .map_err(|e| report::ReportError::Write(dir.display().to_string(), e))?;
    }
    if let Err(e) = std::fs::rename(&staged, dir) {
        let _ = std::fs::rename(&old, dir);
        return Err(report::ReportError::Write(dir.display().to_string(), e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}
