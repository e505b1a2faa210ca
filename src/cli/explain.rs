//! `assure explain [CODE]`: what a finding code means and how to fix it; without a code,
//! every code with its one-line summary.

use std::io::Write;

use serde::Serialize;

use super::{DataFormat, ExitStatus, Failure, Outcome, print_json};
use crate::diag::Code;

/// Explain a finding code (`assure explain test-date-in-future`), or list every code with
/// its family, severity and one-line meaning.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The code, as printed in brackets by `assure validate`. Without it, list all codes.
    pub code: Option<String>,
    /// Output format: human (readable text) or json (for scripts).
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
}

/// One code, as `--format json` prints it (docs/json.md, `explain`).
#[derive(Serialize)]
struct Explained {
    code: &'static str,
    family: &'static str,
    severity: &'static str,
    summary: &'static str,
    explanation: &'static str,
}

impl From<Code> for Explained {
    fn from(code: Code) -> Self {
        Explained {
            code: code.name(),
            family: code.family(),
            severity: code.severity().as_str(),
            summary: code.summary(),
            explanation: code.explanation(),
        }
    }
}

pub fn run(args: &Args, out: &mut dyn Write) -> Outcome {
    let json = args.format == DataFormat::Json;
    match &args.code {
        None if json => {
            let all: Vec<Explained> = Code::ALL.iter().map(|c| Explained::from(*c)).collect();
            print_json(out, &all)?;
        }
        None => {
            let mut family = "";
            for code in Code::ALL {
                if code.family() != family {
                    family = code.family();
                    writeln!(out, "{family}:")?;
                }
                writeln!(
                    out,
                    "  {:<28} {:<7} {}",
                    code.name(),
                    code.severity().as_str(),
                    code.summary()
                )?;
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
            if json {
                print_json(out, &Explained::from(code))?;
                return Ok(ExitStatus::Ok);
            }
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
