//! `assure schema [NAME]`: print a JSON Schema of the file formats.

use std::io::Write;
use std::process::ExitCode;

use super::{Failure, Outcome};
use crate::assets;

/// Print the JSON Schema of a file kind, or list the kinds.
///
/// Editors that understand `# yaml-language-server: $schema=…` use these to complete and
/// check fields as you type.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// config, group, assessment, services, certification, template or mapping.
    pub name: Option<String>,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Outcome {
    match &args.name {
        None => {
            for (name, file) in assets::SCHEMA_KINDS {
                writeln!(out, "{name:<14} {file}")?;
            }
        }
        Some(name) => {
            let text = assets::schema(name).ok_or_else(|| {
                let names = assets::SCHEMA_KINDS.iter().map(|(n, _)| *n);
                Failure(format!(
                    "no schema `{name}`; {}",
                    crate::catalog::did_you_mean(name, names)
                ))
            })?;
            write!(out, "{text}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
