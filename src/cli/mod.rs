//! The command line: one file per subcommand, each with its clap arguments (whose doc
//! comments are the `--help`) and a `run` that makes one call into `ops` and renders it.
//!
//! Exit codes: 0 clean, 1 findings (or a check that would change something), 2 could not
//! run, 3 an editing command gave up waiting for another assure process to finish editing
//! the repository ([`ExitStatus::Busy`]). A closed pipe (`assure … | head`) is not an error.

mod actions;
mod asof;
mod assessment;
mod assign;
mod catalog;
mod control;
mod controls;
mod demo;
mod diff;
mod doc;
mod editing;
mod explain;
mod export;
mod generate;
mod group;
mod import;
mod init;
mod log;
mod notify;
mod people;
mod progress;
mod report;
mod schema;
mod status;
mod sync;
mod validate;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::ops::Project;

/// Compliance as code: assessments, controls, action items and evidence as YAML in git.
///
/// A compliance repository is a folder with `assure.yaml` (the organization and its
/// people), `groups/<group>/group.yaml` and one YAML file per assessment
/// (`groups/<group>/<service>--<certification>.yaml`). assure checks it, scores it and
/// reports on it. Commands find the repository by walking up from the current folder to
/// `assure.yaml`, or take `-C DIR`.
#[derive(Debug, Parser)]
#[command(
    name = "assure",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Run as if assure was started in DIR (like `git -C`).
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// Act as this person (default: git's user.email). Editing commands check this
    /// person's role in assure.yaml.
    #[arg(long = "as", value_name = "EMAIL", global = true)]
    pub acting_as: Option<String>,

    /// Take DATE (YYYY-MM-DD) as today's date: what evidence has expired, which test dates
    /// lie in the future. For reports as of a day, and tests.
    #[arg(long, value_name = "DATE", global = true)]
    pub today: Option<NaiveDate>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Demo(demo::Args),
    Init(init::Args),
    Validate(validate::Args),
    Sync(sync::Args),
    Status(status::Args),
    Group(group::Args),
    Assessment(assessment::Args),
    Controls(controls::Args),
    Control(control::Args),
    Assign(assign::AssignArgs),
    Unassign(assign::UnassignArgs),
    Doc(doc::Args),
    Actions(actions::Args),
    Log(log::Args),
    Diff(diff::Args),
    Notify(notify::Args),
    Report(report::Args),
    Catalog(catalog::Args),
    Export(export::Args),
    Schema(schema::Args),
    Explain(explain::Args),
    People(people::Args),
    Import(import::Args),
    #[command(hide = true)]
    Generate(generate::Args),
}

/// Output format of commands that print data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DataFormat {
    /// Readable text.
    #[default]
    Human,
    /// JSON, for scripts.
    Json,
}

/// How a command ended: the process's exit status, turned into a code in one place
/// ([`run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done, and no error found (warnings allowed).
    Ok,
    /// 1: findings with errors, a refused change, or `--check` found work to do.
    Findings,
    /// 2: the command could not run: bad usage, a missing or unreadable repository, an
    /// I/O error ([`Failure`]).
    Failed,
    /// 3: another assure process held the repository's edit lock for too long.
    Busy,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(match status {
            ExitStatus::Ok => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Failed => 2,
            ExitStatus::Busy => 3,
        })
    }
}

/// Why a command could not run (exit status 2): an error of the layer it came from, or
/// what the command's own arguments and setting do not allow.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// What was asked cannot be done as asked (arguments, environment, setting); the
    /// message says how to fix it.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    NotFound(#[from] crate::ops::NotFound),
    /// A file or folder the command was asked to write could not be.
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),
    #[error(transparent)]
    Load(#[from] crate::ops::project::LoadError),
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error(transparent)]
    Validate(#[from] crate::ops::validate::ValidateError),
    #[error(transparent)]
    Gate(#[from] crate::ops::gate::GateError),
    #[error(transparent)]
    Review(#[from] crate::ops::review::ReviewError),
    #[error(transparent)]
    Edit(#[from] crate::ops::edit::EditError),
    #[error(transparent)]
    Notify(#[from] crate::ops::notify::NotifyError),
    #[error(transparent)]
    Demo(#[from] crate::ops::demo::DemoError),
    #[error(transparent)]
    Generate(#[from] crate::ops::generate::GenerateError),
    #[error(transparent)]
    Output(#[from] crate::edit::output::OutputError),
    #[error(transparent)]
    Recover(#[from] crate::edit::RecoverError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error(transparent)]
    Reports(#[from] crate::ops::report::Error),
    #[error(transparent)]
    Oscal(#[from] crate::oscal::OscalError),
    #[error(transparent)]
    Export(#[from] crate::ops::export_oscal::ExportError),
    #[error(transparent)]
    AsOf(#[from] crate::ops::asof::AsOfError),
}

impl From<serde_json::Error> for Failure {
    /// Writing JSON fails only when writing fails: an I/O error (a closed pipe, a full
    /// disk), kept as one so that [`Failure::is_broken_pipe`] sees it.
    fn from(e: serde_json::Error) -> Failure {
        Failure::Io(e.into())
    }
}

impl Failure {
    /// Whether the reader of the output went away (`assure log | head`): not a failure
    /// of the command.
    fn is_broken_pipe(&self) -> bool {
        matches!(self, Failure::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// What a command returns: how it ended, or why it could not run.
pub type Outcome = Result<ExitStatus, Failure>;

/// Parses `args`, runs the command and returns the process exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let status = if e.use_stderr() {
                ExitStatus::Failed
            } else {
                ExitStatus::Ok
            };
            return status.into();
        }
    };
    // An editing command holds the repository's edit lock from before it reads anything
    // until its files are written.
    let _lock = match cli.command.edits() {
        Some(writes) => match editing::prepare(&cli, writes) {
            Ok(lock) => lock,
            Err(status) => return status.into(),
        },
        None => None,
    };
    // Repository text is untrusted: nothing a command prints may carry a raw control or
    // bidi character to the terminal (crate::text). Coloured diagnostics are the one
    // output with escape sequences of our own; their renderer escapes the values itself.
    let colored = matches!(&cli.command, Command::Validate(args)
        if args.format == validate::Format::Human && use_color());
    let stdout = io::stdout().lock();
    let mut out: Box<dyn Write> = if colored {
        Box::new(stdout)
    } else {
        Box::new(crate::text::Guard::new(stdout))
    };
    let out = &mut *out;
    let result = match &cli.command {
        Command::Demo(args) => demo::run(&cli, args, out),
        Command::Init(args) => init::run(&cli, args, out),
        Command::Validate(args) => validate::run(&cli, args, out),
        Command::Sync(args) => sync::run(&cli, args, out),
        Command::Group(args) => group::run(&cli, args, out),
        Command::Assessment(args) => assessment::run(&cli, args, out),
        Command::Control(args) => control::run(&cli, args, out),
        Command::Assign(args) => assign::assign(&cli, args, out),
        Command::Unassign(args) => assign::unassign(&cli, args, out),
        Command::Doc(args) => doc::run(&cli, args, out),
        Command::Log(args) => log::run(&cli, args, out),
        Command::Diff(args) => diff::run(&cli, args, out),
        Command::Notify(args) => notify::run(&cli, args, out),
        Command::Report(args) => report::run(&cli, args, out),
        Command::Status(args) => status::run(&cli, args, out),
        Command::Controls(args) => controls::run(&cli, args, out),
        Command::Actions(args) => actions::run(&cli, args, out),
        Command::Catalog(args) => catalog::run(&cli, args, out),
        Command::Export(args) => export::run(&cli, args, out),
        Command::Schema(args) => schema::run(&cli, args, out),
        Command::Explain(args) => explain::run(args, out),
        Command::People(args) => people::run(&cli, args, out),
        Command::Import(args) => import::run(&cli, args, out),
        Command::Generate(args) => generate::run(&cli, args, out),
    };
    let flushed = out.flush();
    let status = match result.and_then(|status| flushed.map(|()| status).map_err(Failure::from)) {
        Ok(status) => status,
        Err(e) if e.is_broken_pipe() => ExitStatus::Ok,
        Err(e) => {
            eprintln!("error: {}", crate::text::escape(&e.to_string()));
            ExitStatus::Failed
        }
    };
    status.into()
}

impl Command {
    /// `Some(writes)` for a command that edits the repository (`writes`: unless it only
    /// shows the change, with `--dry-run` or `sync --check`); `None` for the others.
    fn edits(&self) -> Option<bool> {
        use assessment::AssessmentCommand as A;
        use control::ControlCommand as C;
        use doc::DocCommand as D;
        use group::GroupCommand as G;
        let flags = match self {
            Command::Sync(args) => return Some(!args.check),
            Command::Schema(args) => return args.write.then_some(true),
            // With --template it writes several files together (a journaled transaction).
            Command::Catalog(args) => match &args.command {
                catalog::CatalogCommand::ImportOscal(a) if !a.template.is_empty() => {
                    return Some(true);
                }
                _ => return None,
            },
            Command::Group(args) => match &args.command {
                G::New { flags, .. } | G::Rename { flags, .. } => flags,
                G::List { .. } => return None,
            },
            Command::Assessment(args) => match &args.command {
                A::New { flags, .. }
                | A::Migrate { flags, .. }
                | A::Archive { flags, .. }
                | A::Delete { flags, .. }
                | A::Scope { flags, .. } => flags,
                A::List { .. } => return None,
                A::Show { .. } => return None,
            },
            Command::Control(args) => match &args.command {
                C::Set { flags, .. } | C::Test { flags, .. } => flags,
                C::Show { .. } => return None,
            },
            Command::Assign(args) => &args.flags,
            Command::Unassign(args) => &args.flags,
            Command::Doc(args) => match &args.command {
                D::Add { flags, .. } | D::Remove { flags, .. } => flags,
            },
            Command::People(args) => match &args.command {
                Some(command) => command.flags(),
                None => return None,
            },
            Command::Import(args) => match &args.command {
                import::ImportCommand::Excel { flags, .. } => flags,
            },
            _ => return None,
        };
        Some(!flags.dry_run)
    }
}

impl Cli {
    /// The folder commands start from.
    fn start_dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    /// The repository root, found by walking up to `assure.yaml`.
    fn root(&self) -> Result<PathBuf, Failure> {
        let start = self.start_dir();
        if !start.is_dir() {
            return Err(Failure::Usage(format!(
                "-C {}: no such folder",
                start.display()
            )));
        }
        Ok(crate::repo::discover(&start)?)
    }

    /// Today's date: `--today`, else the day of the command's `--as-of` (what was
    /// claimed then, judged by that day: [`crate::ops::asof`]), else [`default_today`].
    /// Every command that judges by the date (validate, status, actions, control show,
    /// reports, export, demo) takes it from here, so `--today` pins all of their output.
    fn today(&self) -> Result<NaiveDate, Failure> {
        if let Some(date) = self.today {
            return Ok(date);
        }
        match asof::of_command(&self.command).map(|a| a.resolve(self)) {
            Some(Ok(Some(at))) => Ok(at.date),
            Some(Err(e)) => Err(e),
            _ => default_today(),
        }
    }

    /// Loads the whole work tree.
    fn project(&self) -> Result<Project, Failure> {
        Ok(Project::work_tree(&self.root()?)?)
    }

    /// Loads what a command about one assessment (`group/service--certification`) needs
    /// ([`crate::ops::project::scope_of`]).
    fn project_of(&self, assessment: &str) -> Result<Project, Failure> {
        let root = self.root()?;
        let scope = crate::ops::project::scope_of(&root, assessment);
        Ok(Project::load(&root, crate::repo::Source::WorkTree, scope)?)
    }
}

/// Today's date without `--today` (see [`Cli::today`]): `ASSURE_TODAY` (YYYY-MM-DD) or
/// the date of `ASSURE_NOW` (which tests use to pin time), else the clock.
fn default_today() -> Result<NaiveDate, Failure> {
    match std::env::var("ASSURE_TODAY") {
        Ok(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|e| Failure::Usage(format!("ASSURE_TODAY={s}: {e}"))),
        Err(_) if std::env::var_os("ASSURE_NOW").is_some() => Ok(editing::now()?.date_naive()),
        Err(_) => Ok(chrono::Local::now().date_naive()),
    }
}

/// Whether to colour output: a terminal, and NO_COLOR unset.
fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
}

fn print_json(out: &mut dyn Write, value: &impl serde::Serialize) -> Result<(), Failure> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Shortens text to `width` characters, marking the cut with `…`.
fn truncate(text: &str, width: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= width && !text.contains('\n') {
        line.to_owned()
    } else {
        let cut: String = line.chars().take(width.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// A text progress bar of `width` cells.
fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width + total / 2).checked_div(total).unwrap_or(0);
    format!(
        "{}{}",
        "█".repeat(filled),
        "░".repeat(width - filled.min(width))
    )
}
