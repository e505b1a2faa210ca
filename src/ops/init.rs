//! `assure init`: start a compliance repository.

use std::path::Path;

use super::edit::EditError;
use crate::edit::Transaction;
use crate::model::{Config, Person, Role};
use crate::repo::CONFIG_FILE;

/// Creates `assure.yaml` (the organization, with the person running the command as its
/// administrator, portal admin and global admin), `schemas/` (the JSON Schemas that the
/// first line of every file names), `groups/` and `evidence/` in `dir`, all together or
/// nothing. Returns the files written.
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
    tx.write(dir.join("groups/.gitkeep"), "");
    tx.write(dir.join("evidence/.gitkeep"), "");
    tx.commit()?;
    Ok(vec![
        CONFIG_FILE.into(),
        format!("{}/", crate::repo::modeline::FOLDER),
        "groups/".into(),
        "evidence/".into(),
    ])
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

/// The GitHub Actions workflow `assure init --ci github` writes.
pub const GITHUB_WORKFLOW: &str = include_str!("templates/github-workflow.yml");

/// Where the workflow goes.
pub const GITHUB_WORKFLOW_PATH: &str = ".github/workflows/compliance.yml";

/// Writes the CI workflow into `top` (the git work tree's root, where GitHub looks for
/// workflows), refusing to overwrite one. `folder` is the compliance repository's
/// folder relative to `top` when it is below it: the workflow's steps then run there.
pub fn write_ci(top: &Path, folder: Option<&str>) -> Result<String, EditError> {
    let path = top.join(GITHUB_WORKFLOW_PATH);
    if path.exists() {
        return Err(EditError::Invalid(format!(
            "{} exists already; remove it first to write a new one",
            path.display()
        )));
    }
    let mut text = GITHUB_WORKFLOW.to_owned();
    if let Some(folder) = folder.filter(|f| !f.is_empty()) {
        let defaults = format!(
            "defaults:\n  run:\n    # The compliance repository is this folder of the git repository.\n    working-directory: {}\n\n",
            serde_json::Value::String(folder.to_owned())
        );
        text = text.replacen("env:\n", &format!("{defaults}env:\n"), 1);
    }
    crate::edit::write_atomic(&path, text.as_bytes())?;
    Ok(GITHUB_WORKFLOW_PATH.to_owned())
}
