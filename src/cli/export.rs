//! `assure export oscal`.

use std::io::Write;
use std::path::PathBuf;

use super::{Cli, ExitStatus, Outcome};
use crate::ops::export_oscal::{self, Model, What};
use crate::oscal::export::Format;

/// Export compliance data for other tools: an assessment or a certification as NIST
/// OSCAL 1.1.3 (JSON or YAML).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ExportCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// An assessment as OSCAL assessment results, a POA&M or an SSP; or, with --catalog,
    /// a certification as an OSCAL catalog.
    ///
    /// Exports are reproducible: every id is a UUID v5 of the repository (its first
    /// commit), the assessment and the control, never random, and the metadata states the
    /// organization, the commit (HEAD) and its time as last-modified. Exporting the same
    /// commit twice gives byte-identical files, and a re-export after a change differs
    /// only where the data did. It needs the repository's whole history (not a shallow
    /// clone); uncommitted changes are exported and said so in the metadata.
    Oscal {
        /// The assessment, group/service--certification.
        #[arg(required_unless_present = "catalog", conflicts_with = "catalog")]
        assessment: Option<String>,
        /// The OSCAL model: assessment-results (a finding per assessed control, with its
        /// observations and evidence), poam (an item per open action item and failed
        /// control; exit 2 when there is nothing to plan, since OSCAL requires an item) or
        /// ssp (how each control is implemented, by whom).
        #[arg(long, value_enum, default_value_t, conflicts_with = "catalog")]
        model: ModelArg,
        /// Export this certification (built-in or imported) as an OSCAL catalog instead;
        /// `assure catalog import-oscal` reads it back as the same certification.
        #[arg(long, value_name = "CERT")]
        catalog: Option<String>,
        /// The file to write (default: standard output). Never in the repository's data
        /// folders or .git.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// json or yaml (OSCAL defines both).
        #[arg(long, value_enum, default_value_t)]
        format: FormatArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ModelArg {
    #[default]
    AssessmentResults,
    Poam,
    Ssp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FormatArg {
    #[default]
    Json,
    Yaml,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let ExportCommand::Oscal {
        assessment,
        model,
        catalog,
        output,
        format,
    } = &args.command;
    let project = cli.project()?;
    let what = match catalog {
        Some(certification) => What::Catalog { certification },
        None => What::Assessment {
            key: assessment.as_deref().unwrap_or_default(),
            model: match model {
                ModelArg::AssessmentResults => Model::AssessmentResults,
                ModelArg::Poam => Model::Poam,
                ModelArg::Ssp => Model::Ssp,
            },
        },
    };
    let target = match output {
        Some(path) => Some(export_oscal::check_output(
            &cli.start_dir().join(path),
            Some(&project.ws.root),
        )?),
        None => None,
    };
    let origin = export_oscal::origin(&project)?;
    warn_of_errors(cli, &project)?;
    let doc = export_oscal::export(&project, &origin, what)?;
    let format = match format {
        FormatArg::Json => Format::Json,
        FormatArg::Yaml => Format::Yaml,
    };
    let text = crate::oscal::export::render(&doc, format);
    match &target {
        Some(target) => export_oscal::write(target, &text)?,
        // A closed pipe (`| head`) is an I/O error the CLI knows is not a failure.
        None => out.write_all(text.as_bytes())?,
    }
    if let Some(path) = output {
        eprintln!(
            "wrote {}",
            crate::text::escape_line(&path.display().to_string())
        );
    }
    Ok(ExitStatus::Ok)
}

/// Says on stderr when `assure validate` finds errors: the export states what the files
/// say, which an assessor should not receive unchecked (it is still written, as reports
/// are, so that a team can look at it).
fn warn_of_errors(cli: &super::Cli, project: &crate::ops::Project) -> Result<(), super::Failure> {
    let findings = crate::ops::validate::check(project, cli.today()?);
    let (errors, _) = crate::diag::counts(&findings);
    if errors > 0 {
        eprintln!(
            "warning: `assure validate` finds {errors} error(s) in this repository; the export states what the files say — fix them before handing it to an assessor"
        );
    }
    Ok(())
}
