//! `assure doc add | remove`: evidence documents of a control.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::editing::{EditFlags, finish, refuse, start};
use super::{Cli, Outcome};
use crate::model::Purpose;
use crate::ops::commands;

/// Attach evidence documents to a control, or remove them.
///
/// A document outside the repository is copied under evidence/; one inside is referenced
/// where it is. Its SHA-256 is recorded, so a later change to the file is caught by
/// `assure validate`. Give the dates the document holds for with --collected-on and
/// --valid-until: after its valid-until date `assure validate` reports the evidence as
/// expired, and in the `evidence.warn_days` before it (assure.yaml, 30 by default) as
/// expiring.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: DocCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum DocCommand {
    /// Attach a document.
    Add {
        /// The assessment, group/service--certification.
        assessment: String,
        /// The control id.
        control: String,
        /// The document: a regular file. One inside the repository is recorded by its
        /// canonical path (links resolved; none inside `.git/`), one outside is copied
        /// under `evidence/`.
        file: PathBuf,
        /// What the document shows.
        #[arg(long, value_enum)]
        purpose: Option<PurposeArg>,
        /// The day the evidence was collected, YYYY-MM-DD (not in the future).
        #[arg(long, value_name = "DATE")]
        collected_on: Option<NaiveDate>,
        /// The last day the evidence holds, YYYY-MM-DD; after it the evidence is expired.
        #[arg(long, value_name = "DATE")]
        valid_until: Option<NaiveDate>,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// Remove a document reference (the file itself stays).
    Remove {
        /// The assessment, group/service--certification.
        assessment: String,
        /// The control id.
        control: String,
        /// The document's repository path, as listed by `assure control show`.
        path: String,
        #[command(flatten)]
        flags: EditFlags,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PurposeArg {
    Implementation,
    Testing,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let (DocCommand::Add { assessment, .. } | DocCommand::Remove { assessment, .. }) =
        &args.command;
    let project = cli.project_of(assessment)?;
    let mut s = start(cli, &project)?;
    let (result, flags) = match &args.command {
        DocCommand::Add {
            assessment,
            control,
            file,
            purpose,
            collected_on,
            valid_until,
            flags,
        } => {
            let purpose = purpose.map(|p| match p {
                PurposeArg::Implementation => Purpose::Implementation,
                PurposeArg::Testing => Purpose::Testing,
            });
            (
                commands::doc_add(
                    &mut s,
                    assessment,
                    control,
                    &cli.start_dir().join(file),
                    purpose,
                    commands::DocDates {
                        collected_on: *collected_on,
                        valid_until: *valid_until,
                    },
                )
                .map(drop),
                flags,
            )
        }
        DocCommand::Remove {
            assessment,
            control,
            path,
            flags,
        } => (
            commands::doc_remove(&mut s, assessment, control, path),
            flags,
        ),
    };
    if let Err(e) = result {
        return refuse(e);
    }
    finish(s, flags, out)
}
