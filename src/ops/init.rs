//! `assure init`: start a compliance repository.

use std::path::Path;

use super::edit::EditError;
use crate::edit::Transaction;
use crate::model::{Config, Person, Role};
use crate::repo::CONFIG_FILE;

/// The id of the built-in group that `init` creates, as the portal has it: `assessment
/// new` without `--group` adds the assessment there.
pub const INITIAL_GROUP: &str = "initial-group";

/// The built-in group's name.
pub const INITIAL_GROUP_NAME: &str = "Initial Group";

/// Creates `assure.yaml` (the organization, with the person running the command as its
/// administrator, portal admin and global admin), `schemas/` (the JSON Schemas that the
/// first line of every file names), `groups/` with the built-in group
/// ([`INITIAL_GROUP`]) and `evidence/` in `dir`, all together or nothing. Returns the
/// files written.
pub fn init(
    dir: &Path,
    organization: &str,
    email: &str,
    name: &str,
) -> Result<Vec<String>, EditError> {
    if dir.join(CONFIG_FILE).exists() {
        return Err(EditError::Invalid(format!(
            "{} already has an {CONFIG_FILE}; it is a compliance repository already",
            dir.display()
        )));
    }
    let config = Config {
        organization: organization.to_owned(),
        people: vec![Person {
            email: email.to_owned(),
            name: name.to_owned(),
            roles: vec![Role::Administrator, Role::PortalAdmin],
            github: None,
            signing_keys: Vec::new(),
        }],
        global_admins: vec![email.to_owned()],
        sync: Default::default(),
        report: Default::default(),
        notifications: None,
        require_signed_commits: false,
        limits: Default::default(),
        rules: Default::default(),
        evidence: Default::default(),
        ratchet: false,
    };
    let text = render_config(&config);
    // The generated file must read back as the configuration meant.
    let back = crate::repo::yaml::parse_to_json(&text)
        .ok()
        .and_then(|j| serde_json::from_value::<Config>(j).ok());
    if back.as_ref() != Some(&config) {
        return Err(EditError::Invalid(
            "the organization name, email or name cannot be written as YAML; use plain text".into(),
        ));
    }
    let mut tx = Transaction::new();
    // A copy that is there already is left alone if it is assure's; anything else in
    // its place is not overwritten.
    for (copy, bytes) in super::schemas::stale(dir)? {
        if !copy.created {
            return Err(EditError::Invalid(format!(
                "{} exists and is not assure's schema; move it out of the way (assure init writes its schemas into schemas/) and run the command again",
                dir.join(&copy.path).display()
            )));
        }
        tx.write(dir.join(&copy.path), bytes);
    }
    tx.write(dir.join(CONFIG_FILE), text);
    let group = format!("groups/{INITIAL_GROUP}/group.yaml");
    tx.write(dir.join(&group), initial_group(&group));
    tx.write(dir.join("evidence/.gitkeep"), "");
    tx.commit()?;
    Ok(vec![
        CONFIG_FILE.into(),
        format!("{}/", crate::repo::modeline::FOLDER),
        group,
        "evidence/".into(),
    ])
}

/// `group.yaml` of the built-in group at `path`.
fn initial_group(path: &str) -> String {
    let mut out = crate::repo::modeline::line(path, crate::schema::Kind::Group);
    out.push_str(
        "# The built-in group: `assure assessment new` without --group adds assessments here.\n",
    );
    out.push_str(&format!("name: {INITIAL_GROUP_NAME}\n"));
    out
}

fn quote(s: &str) -> String {
    if crate::repo::yaml::plain_is_string(s) {
        s.to_owned()
    } else {
        crate::repo::yaml::quote(s)
    }
}

fn render_config(c: &Config) -> String {
    let mut out = crate::repo::modeline::line(CONFIG_FILE, crate::schema::Kind::Config);
    out.push_str("# The organization, its people and their roles. See `assure schema config`.\n");
    out.push_str(&format!(
        "organization: {}\npeople:\n",
        quote(&c.organization)
    ));
    for p in &c.people {
        let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
        out.push_str(&format!(
            "  - email: {}\n    name: {}\n    roles: [{}]\n",
            quote(&p.email),
            quote(&p.name),
            roles.join(", ")
        ));
    }
    out.push_str("# Only global admins may grant or remove portal-admin.\n");
    let admins: Vec<String> = c.global_admins.iter().map(|a| quote(a)).collect();
    out.push_str(&format!("global_admins: [{}]\n", admins.join(", ")));
    out
}

/// The GitHub Actions workflow `assure init --ci github` writes, before its install
/// source is filled in (`@ASSURE_SOURCE@`, `@ASSURE_INSTALL_ARGS@`).
pub const GITHUB_WORKFLOW: &str = include_str!("templates/github-workflow.yml");

/// Where the workflow goes.
pub const GITHUB_WORKFLOW_PATH: &str = ".github/workflows/compliance.yml";

/// Where the generated workflow installs assure from: a version on crates.io, or a tag or
/// commit of a git repository. Always pinned: the workflow caches the binary under this
/// source, so an unpinned one would never be installed anew.
///
/// Invariant: every part holds only characters that are plain in YAML, in a shell word
/// and in an Actions cache key (letters, digits and `._~/:@+-`; no `$`, quote, space,
/// `#`, `{` or comma), so it is spliced into the workflow without any escaping to get
/// wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallSource {
    /// `crates.io@VERSION`: `cargo install --locked --version VERSION assure`.
    CratesIo { version: String },
    /// `URL@REF`: `cargo install --locked --git URL --tag REF` (or `--rev REF` for a full
    /// commit id).
    Git { url: String, reference: String },
}

/// How to write a source: shown when one is refused.
const SOURCE_FORMS: &str = "crates.io@VERSION (e.g. crates.io@0.1.0), or a git URL with a tag or commit (e.g. https://github.com/assure-compliance/assure@v0.1.0)";

impl InstallSource {
    /// Reads `crates.io@VERSION` or `https://…@REF` / `ssh://…@REF`.
    pub fn parse(text: &str) -> Result<InstallSource, String> {
        if text.len() > 300 {
            return Err(format!("the source is too long; write {SOURCE_FORMS}"));
        }
        if let Some(bad) = text.chars().find(|c| !safe_char(*c)) {
            return Err(format!(
                "the source contains {bad:?}, which the workflow cannot carry safely; write {SOURCE_FORMS}"
            ));
        }
        if text == "crates.io" {
            return Err(format!(
                "pin a version: crates.io@VERSION (the workflow caches the binary by version); write {SOURCE_FORMS}"
            ));
        }
        if let Some(version) = text.strip_prefix("crates.io@") {
            if !is_version(version) {
                return Err(format!(
                    "{version:?} is not a version (MAJOR.MINOR.PATCH, e.g. 0.1.0); write {SOURCE_FORMS}"
                ));
            }
            return Ok(InstallSource::CratesIo {
                version: version.to_owned(),
            });
        }
        let Some(rest) = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("ssh://"))
        else {
            return Err(format!(
                "{text:?} is neither crates.io nor an https:// or ssh:// git URL; write {SOURCE_FORMS}"
            ));
        };
        // The reference follows the last `@`; one inside the host part (`ssh://git@host/…`)
        // is the user name, so the URL before it must have a path.
        let scheme = text.len() - rest.len();
        let pinned = text.rsplit_once('@').filter(|(url, _)| {
            url.get(scheme..)
                .and_then(|u| u.split_once('/'))
                .is_some_and(|(host, path)| !host.is_empty() && !path.is_empty())
        });
        let Some((url, reference)) = pinned else {
            return Err(format!(
                "pin a tag or commit: {text}@TAG (the workflow caches the binary by version); write {SOURCE_FORMS}"
            ));
        };
        // A host that starts like an option would reach git's ssh as one.
        if url[scheme..].starts_with(['-', '@', ':', '.']) {
            return Err(format!("{url:?} names no host; write {SOURCE_FORMS}"));
        }
        if reference.is_empty()
            || reference.starts_with(['-', '/', '.'])
            || reference.contains("..")
            || reference.contains([':', '@', '~'])
        {
            return Err(format!(
                "{reference:?} is not a git tag or commit; write {SOURCE_FORMS}"
            ));
        }
        Ok(InstallSource::Git {
            url: url.to_owned(),
            reference: reference.to_owned(),
        })
    }

    /// The source of this build of assure: its repository (Cargo.toml's `repository`) at
    /// the tag of its version, `v{version}`. A build without a repository has none.
    pub fn of_build(repository: &str, version: &str) -> Result<InstallSource, String> {
        if repository.is_empty() {
            return Err(format!(
                "this assure was built without a repository to install it from; pass --source: {SOURCE_FORMS}"
            ));
        }
        InstallSource::parse(&format!("{repository}@v{version}"))
            .map_err(|e| format!("this build's repository cannot be used ({e}); pass --source"))
    }

    /// The source as written: `crates.io@0.1.0`, `https://…@v0.1.0`.
    pub fn label(&self) -> String {
        match self {
            InstallSource::CratesIo { version } => format!("crates.io@{version}"),
            InstallSource::Git { url, reference } => format!("{url}@{reference}"),
        }
    }

    /// The arguments after `cargo install --locked`, each a single-quoted shell word.
    fn cargo_args(&self) -> String {
        match self {
            InstallSource::CratesIo { version } => format!("--version '{version}' assure"),
            InstallSource::Git { url, reference } => {
                let kind = if is_commit_id(reference) {
                    "--rev"
                } else {
                    "--tag"
                };
                format!("--git '{url}' {kind} '{reference}' assure")
            }
        }
    }
}

impl std::str::FromStr for InstallSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        InstallSource::parse(s)
    }
}

/// Characters the workflow carries as they are (see [`InstallSource`]).
fn safe_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._~/:@+-".contains(c)
}

fn is_version(v: &str) -> bool {
    let (core, suffix) = match v.split_once(['-', '+']) {
        Some((core, suffix)) => (core, Some(suffix)),
        None => (v, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && suffix.is_none_or(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-+".contains(&b))
        })
}

/// A full SHA-1 or SHA-256 commit id: cargo's `--rev`. Anything shorter may be a tag.
fn is_commit_id(r: &str) -> bool {
    (r.len() == 40 || r.len() == 64) && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The workflow for `source`, with the compliance repository in `folder` of the git work
/// tree when it is below the root.
pub fn github_workflow(folder: Option<&str>, source: &InstallSource) -> String {
    let mut text = GITHUB_WORKFLOW
        .replace("@ASSURE_SOURCE@", &source.label())
        .replace("@ASSURE_INSTALL_ARGS@", &source.cargo_args());
    if let Some(folder) = folder.filter(|f| !f.is_empty()) {
        let defaults = format!(
            "defaults:\n  run:\n    # The compliance repository is this folder of the git repository.\n    working-directory: {}\n\n",
            serde_json::Value::String(folder.to_owned())
        );
        text = text.replacen("env:\n", &format!("{defaults}env:\n"), 1);
    }
    text
}

/// Writes the CI workflow into `top` (the git work tree's root, where GitHub looks for
/// workflows), refusing to overwrite one. `folder` is the compliance repository's
/// folder relative to `top` when it is below it: the workflow's steps then run there.
pub fn write_ci(
    top: &Path,
    folder: Option<&str>,
    source: &InstallSource,
) -> Result<String, EditError> {
    let path = top.join(GITHUB_WORKFLOW_PATH);
    if path.exists() {
        return Err(EditError::Invalid(format!(
            "{} exists already; remove it first to write a new one",
            path.display()
        )));
    }
    let text = github_workflow(folder, source);
    crate::edit::write_atomic(&path, text.as_bytes())?;
    Ok(GITHUB_WORKFLOW_PATH.to_owned())
}
