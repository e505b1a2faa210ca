//! `assure generate` (hidden): write a large valid repository, for benchmarks.

use std::io::Write;
use std::path::PathBuf;

use super::{Cli, ExitStatus, Outcome};
use crate::ops::generate::{Spec, generate};

/// Write a valid compliance repository of a given size (groups × assessments ×
/// controls), with its own catalog, shared and related controls in sync, evidence with
/// right hashes and people in every role; optionally a git history. Deterministic for a
/// seed. For benchmarks and scale tests.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create (must be empty or absent).
    pub folder: PathBuf,
    #[arg(long, default_value_t = 2)]
    pub groups: usize,
    /// Assessments per group.
    #[arg(long, default_value_t = 4)]
    pub assessments: usize,
    /// Control records per assessment (about; as many customer-managed controls again
    /// as a third of these are not started, so have none).
    #[arg(long, default_value_t = 100)]
    pub controls: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Commits of git history (0: not a git repository).
    #[arg(long, default_value_t = 0)]
    pub commits: usize,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let dir = cli.start_dir().join(&args.folder);
    let spec = Spec {
        groups: args.groups,
        assessments: args.assessments,
        controls: args.controls,
        seed: args.seed,
        commits: args.commits,
    };
    generate(&dir, &spec)?;
    writeln!(
        out,
        "generated {} ({} groups × {} assessments × {} controls)",
        dir.display(),
        args.groups,
        args.assessments,
        args.controls
    )?;
    Ok(ExitStatus::Ok)
}
