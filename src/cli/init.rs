//! `assure init`: start a compliance repository.

use std::io::Write;
use std::path::PathBuf;

use super::{Cli, ExitStatus, Failure, Outcome};

/// Start a compliance repository: writes assure.yaml (you as its administrator, portal
/// admin and global admin), schemas/ (the JSON Schemas that the first line of every file
/// names, for editors), groups/ with the built-in group "Initial Group"
/// (groups/initial-group/, where `assessment new` puts assessments when no --group is
/// given) and evidence/.
///
/// You are git's `user.email` (and `user.name`), or `--as EMAIL`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder (default: the current one, or -C).
    // Not named `dir`: that is the id of the global `-C`, and clap would give both the
    // same value (`assure -C x init` wrote x/x/assure.yaml).
    #[arg(value_name = "DIR")]
    pub folder: Option<PathBuf>,
    /// The organization's name.
    #[arg(long, default_value = "My Organization")]
    pub organization: String,
    /// Your name, as people will see it (default: git's user.name).
    #[arg(long)]
    pub name: Option<String>,
    /// Also write a CI workflow: `github` writes .github/workflows/compliance.yml, which
    /// validates pull requests (`validate --base … --actor <the pull request author's
    /// GitHub login>`: list each person's login as `github` in assure.yaml), comments
    /// their `assure diff`, and publishes the report site from the default branch. In an
    /// existing repository, only the workflow is written. Make the check required on a
    /// protected branch (README, "The review gate").
    #[arg(long, value_enum, value_name = "SYSTEM")]
    pub ci: Option<CiSystem>,
    /// Where the workflow installs assure from (default: this build's repository at the
    /// tag of its version, `vVERSION`). `crates.io@VERSION`, or a git URL (https:// or
    /// ssh://) with `@TAG` or `@COMMIT` (a full commit id). Always pinned: the workflow
    /// caches the installed binary under this source.
    #[arg(long, value_name = "SOURCE", requires = "ci")]
    pub source: Option<crate::ops::init::InstallSource>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CiSystem {
    Github,
}

pub fn run(cli: &Cli, args: &Args, out: &mut dyn Write) -> Outcome {
    let dir = match &args.folder {
        Some(d) => cli.start_dir().join(d),
        None => cli.start_dir(),
    };
    std::fs::create_dir_all(&dir).map_err(|source| Failure::Write {
        path: dir.clone(),
        source,
    })?;
    let existing = dir.join(crate::repo::CONFIG_FILE).exists();
    // Who is starting the repository: known before anything is written.
    let email = if existing {
        String::new()
    } else {
        super::editing::actor(cli, &dir)?
    };
    if let Some(CiSystem::Github) = args.ci {
        let source = match &args.source {
            Some(s) => s.clone(),
            None => crate::ops::init::InstallSource::of_build(
                env!("CARGO_PKG_REPOSITORY"),
                env!("CARGO_PKG_VERSION"),
            )
            .map_err(Failure::Usage)?,
        };
        // Workflows live at the git work tree's root (the compliance root may be below it).
        let top = crate::git::work_tree_root(&dir).unwrap_or_else(|| dir.clone());
        let (top_real, dir_real) = (
            top.canonicalize().unwrap_or(top.clone()),
            dir.canonicalize().unwrap_or(dir.clone()),
        );
        let folder = dir_real.strip_prefix(&top_real).ok().map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        });
        match crate::ops::init::write_ci(&top, folder.as_deref(), &source) {
            Ok(path) => writeln!(out, "created  {path}")?,
            Err(e) => return super::editing::refuse(e),
        }
        if existing {
            return Ok(ExitStatus::Ok);
        }
    }
    let name = args
        .name
        .clone()
        .or_else(|| crate::git::user_name(&dir))
        .unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
    match crate::ops::init::init(&dir, &args.organization, &email, &name) {
        Ok(files) => {
            for f in files {
                writeln!(out, "created  {f}")?;
            }
            writeln!(
                out,
                "\n{} is ready. Next: `assure assessment new --service S --certification C` (into the Initial Group; `assure catalog list` shows the pairs), or `assure group new NAME` first.",
                dir.display()
            )?;
            Ok(ExitStatus::Ok)
        }
        Err(e) => super::editing::refuse(e),
    }
}
