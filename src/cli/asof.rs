//! `--as-of REV|DATE`, the one argument of every reading command that can show the
//! repository as it stood at a commit (`status`, `controls`, `actions`, `assessment
//! show`, `report site`, `report excel`, `export oscal`): flattened into each command's
//! arguments, resolved and loaded here, so that all of them read a past commit the same
//! way ([`crate::ops::asof`]).

use std::io::Write;
use std::sync::OnceLock;

use serde::Serialize;

use super::{Cli, Command, Failure};
use crate::ops::Project;
use crate::ops::asof::{self, AsOf};
use crate::ops::group_wise::GroupWise;

/// The `--as-of` option.
#[derive(Debug, Default, clap::Args)]
pub struct AsOfArg {
    /// Show the repository as it stood at a commit: REV is anything git resolves to one
    /// (a tag, branch, commit id, HEAD~3); DATE (YYYY-MM-DD, or an RFC 3339 date-time) is
    /// the last commit of the current branch's first-parent history committed at or
    /// before the end of that day, UTC. Text that is a date is taken as one unless a
    /// branch or tag has that name. Nothing is checked out: the work tree and index are
    /// not touched, and uncommitted changes are not shown. Evidence freshness is judged
    /// as of that DATE (or the commit's date) unless --today is given.
    #[arg(long = "as-of", value_name = "REV|DATE")]
    pub as_of: Option<String>,

    /// The commit `as_of` names, resolved once (the load and "today" both need it).
    #[arg(skip)]
    resolved: OnceLock<AsOf>,
}

impl AsOfArg {
    /// The commit the view shows, `None` without --as-of.
    pub fn resolve(&self, cli: &Cli) -> Result<Option<&AsOf>, Failure> {
        let Some(spec) = &self.as_of else {
            return Ok(None);
        };
        if let Some(found) = self.resolved.get() {
            return Ok(Some(found));
        }
        let found = asof::resolve(&cli.root()?, spec)?;
        Ok(Some(self.resolved.get_or_init(|| found)))
    }

    /// The whole repository: the work tree, or as of the commit --as-of names.
    pub fn project(&self, cli: &Cli) -> Result<(Project, Option<&AsOf>), Failure> {
        match self.resolve(cli)? {
            None => Ok((cli.project()?, None)),
            Some(at) => Ok((asof::load(&cli.root()?, at)?, Some(at))),
        }
    }

    /// The whole repository to be read group by group ([`GroupWise`]): the work tree, or
    /// as of the commit --as-of names.
    pub fn group_wise(&self, cli: &Cli) -> Result<(GroupWise, Option<&AsOf>), Failure> {
        let root = cli.root()?;
        match self.resolve(cli)? {
            None => Ok((GroupWise::work_tree(&root)?, None)),
            Some(at) => Ok((GroupWise::at_revision(&root, &at.commit)?, Some(at))),
        }
    }
}

impl AsOfArg {
    /// What `scope` names of the repository: of the work tree, or as of the commit
    /// --as-of names (for a command that reads the rest group by group itself).
    pub fn project_in(
        &self,
        cli: &Cli,
        scope: crate::repo::Scope,
    ) -> Result<(Project, Option<&AsOf>), Failure> {
        let root = cli.root()?;
        match self.resolve(cli)? {
            None => Ok((
                Project::load(&root, crate::repo::Source::WorkTree, scope)?,
                None,
            )),
            Some(at) => Ok((Project::at_revision(&root, &at.commit, scope)?, Some(at))),
        }
    }
}

/// The `--as-of` of the command being run, if it takes one.
pub fn of_command(command: &Command) -> Option<&AsOfArg> {
    use super::assessment::AssessmentCommand as A;
    use super::export::ExportCommand as E;
    use super::report::ReportCommand as R;
    match command {
        Command::Status(args) => Some(&args.as_of),
        Command::Controls(args) => Some(&args.as_of),
        Command::Actions(args) => Some(&args.as_of),
        Command::Assessment(args) => match &args.command {
            A::Show { as_of, .. } => Some(as_of),
            _ => None,
        },
        Command::Report(args) => match &args.command {
            R::Excel { as_of, .. } | R::Site { as_of, .. } => Some(as_of),
        },
        Command::Export(args) => match &args.command {
            E::Oscal { as_of, .. } => Some(as_of),
        },
        _ => None,
    }
}

/// Writes the line a past view starts with (`as of 3f2a9c1 (2025-06-30, "Q2 review") —
/// tag v2025-q2`) and a blank line; nothing for today's view.
pub fn headline(out: &mut dyn Write, as_of: Option<&AsOf>) -> std::io::Result<()> {
    match as_of {
        Some(at) => writeln!(out, "{}\n", at.line()),
        None => Ok(()),
    }
}

/// A command's JSON output with the `as_of` field of a past view (absent for today's).
#[derive(Serialize)]
pub struct Json<'a, T: Serialize> {
    #[serde(flatten)]
    pub view: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<&'a AsOf>,
}
