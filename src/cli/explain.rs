//! `assure explain CODE`: what a finding code means and how to fix it.

use std::io::Write;

use super::{ExitStatus, Failure, Outcome};
use crate::diag::Code;

/// Explain a finding code (`assure explain test-date-in-future`), or list every code.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The code, as printed in brackets by `assure validate`. Without it, list all codes.
    pub code: Option<String>,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Outcome {
    match &args.code {
        None => {
            let mut family = "";
            for code in Code::ALL {
                if code.family() != family {
                    family = code.family();
                    writeln!(out, "{family}:")?;
                }
                writeln!(out, "  {:<28} {}", code.name(), code.severity().as_str())?;
            }
        }
        Some(name) => {
            let code = Code::from_name(name.trim().trim_start_matches('[').trim_end_matches(']'))
                .ok_or_else(|| {
                let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
                Failure::Usage(format!(
                    "unknown code `{name}`; {} (run `assure explain` for the list)",
                    crate::suggest::did_you_mean(name, names.into_iter())
                ))
            })?;
            writeln!(
                out,
                "{} ({}, {} rule)\n",
                code.name(),
                code.severity().as_str(),
                code.family()
            )?;
            writeln!(out, "{}", code.explanation())?;
        }
    }
    Ok(ExitStatus::Ok)
}
