//! `assure schema [NAME]`: print a JSON Schema of the file formats; `assure schema
//! --write`: refresh the repository's copies of them in `schemas/`.

use std::io::Write;

use super::{Cli, ExitStatus, Failure, Outcome};
use crate::schema::Kind;

/// Print the JSON Schema of a file kind, or list the kinds; with --write, refresh the
/// repository's copies in schemas/.
///
/// Every file assure creates starts with `# yaml-language-server: $schema=PATH`, PATH
/// leading (relative to the file's folder) to `schemas/<kind>.schema.json` in the
/// repository; editors that understand the line use the schema to complete and check
/// fields as you type. `assure init` and `assure demo` write schemas/; after upgrading
/// assure, `assure schema --write` brings the copies up to date (`assure validate` warns,
/// `schema-outdated`, while they differ). Needs no role: the schemas are tooling, not
/// compliance data, and they are assure's own, byte for byte.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// config, group, assessment, services, certification, template or mapping.
    #[arg(conflicts_with = "write")]
    pub name: Option<String>,
    /// Write every schema into the repository's schemas/ folder (all or none), leaving
    /// copies that are already current untouched, and list what changed. Refuses a
    /// schemas/ folder or copy that is a symbolic link or not a regular folder or file.
    #[arg(long)]
    pub write: bool,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    if args.write {
        let root = cli.root()?;
        return match crate::ops::schemas::write(&root) {
            Ok(written) if written.is_empty() => {
                writeln!(out, "schemas/ is current")?;
                Ok(ExitStatus::Ok)
            }
            Ok(written) => {
                for r in written {
                    let verb = if r.created { "created" } else { "updated" };
                    writeln!(out, "{verb:<8} {}", r.path)?;
                }
                Ok(ExitStatus::Ok)
            }
            Err(e) => super::editing::refuse(e),
        };
    }
    match &args.name {
        None => {
            for kind in Kind::ALL {
                writeln!(out, "{:<14} {}", kind.name(), kind.files())?;
            }
        }
        Some(name) => {
            let text = Kind::from_name(name).map(Kind::schema).ok_or_else(|| {
                let names = Kind::ALL.into_iter().map(Kind::name);
                Failure::Usage(format!(
                    "no schema `{name}`; {}",
                    crate::suggest::did_you_mean(name, names)
                ))
            })?;
            write!(out, "{text}")?;
        }
    }
    Ok(ExitStatus::Ok)
}
