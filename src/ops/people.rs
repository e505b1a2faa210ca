//! `assure people`: who is in the organization and what they may do (DESIGN.md §3), and
//! the edits of `people` and `global_admins` in `assure.yaml`.
//!
//! Each edit changes the file's own document (so the rewrite touches only the lines of
//! the person changed) in a [`Session`], whose `finish` checks the acting person against
//! the same rule as the review gate (managing people needs portal-admin; granting,
//! revoking or removing portal-admin, and changing `global_admins`, needs a global
//! admin) and validates the result, before anything is written. On top of the gate, an
//! edit is refused ([`EditError::Protected`]) when it would leave the repository without a
//! portal-admin or a global admin (nobody could manage people again through assure), or
//! remove a person whom assessments still name (`assigned_to`, `created_by`).
//!
//! Emails are compared ignoring ASCII case and surrounding blanks, as everywhere else.

use serde::Serialize;
use serde_json::{Value as J, json};

use super::edit::{EditError, Session};
use crate::model::{Config, Role};
use crate::suggest::did_you_mean;

/// One person as `assure people` lists them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRow {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Listed in `global_admins`: may grant and remove portal-admin.
    pub global_admin: bool,
    pub github: Option<String>,
}

/// `assure people`: the organization's people in the file's order, and its global admins.
#[derive(Debug, Clone, Serialize)]
pub struct People {
    pub organization: String,
    pub people: Vec<PersonRow>,
    pub global_admins: Vec<String>,
}

pub fn list(config: &Config) -> People {
    let global = |email: &str| {
        config
            .global_admins
            .iter()
            .any(|g| g.trim().eq_ignore_ascii_case(email.trim()))
    };
    People {
        organization: config.organization.clone(),
        people: config
            .people
            .iter()
            .map(|p| PersonRow {
                email: p.email.clone(),
                name: p.name.clone(),
                roles: p.roles.clone(),
                global_admin: global(&p.email),
                github: p.github.clone(),
            })
            .collect(),
        global_admins: config.global_admins.clone(),
    }
}

/// A role by its name in `assure.yaml` (`portal-admin`); an unknown one is an error
/// with the closest name.
pub fn parse_role(name: &str) -> Result<Role, EditError> {
    let key = name.trim();
    Role::ALL
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(key))
        .ok_or_else(|| {
            EditError::NotFound(format!(
                "unknown role `{}`; {}",
                crate::text::escape(name),
                did_you_mean(key, Role::ALL.iter().map(|r| r.as_str()))
            ))
        })
}

/// `people add`: a new person with `roles` (reader when none is given).
pub fn add(s: &mut Session, email: &str, name: &str, roles: &[Role]) -> Result<(), EditError> {
    let email = check_email(email)?;
    let name = check_name(name)?;
    let config = current(s)?;
    if let Some(p) = config
        .people
        .iter()
        .find(|p| p.email.trim().eq_ignore_ascii_case(email))
    {
        return Err(EditError::Invalid(format!(
            "{} is already listed (as {}, {}); change their roles with `assure people grant` or `assure people revoke`",
            p.email,
            p.name,
            describe_roles(&p.roles)
        )));
    }
    let mut roles: Vec<Role> = if roles.is_empty() {
        vec![Role::Reader]
    } else {
        roles.to_vec()
    };
    roles.dedup();
    let mut json = s.config_json()?;
    people_of(&mut json)?.push(json!({
        "email": email,
        "name": name,
        "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    }));
    s.set_config(json)
}

/// `people grant`: adds `roles` the person does not have yet, after those they have.
pub fn grant(s: &mut Session, email: &str, roles: &[Role]) -> Result<(), EditError> {
    edit_roles(s, email, |held| {
        for r in roles {
            if !held.contains(r) {
                held.push(*r);
            }
        }
        Ok(())
    })
}

/// `people revoke`: removes `roles` from the person (a person may be left with none:
/// listed, so that records naming them stay valid, but allowed nothing).
pub fn revoke(s: &mut Session, email: &str, roles: &[Role]) -> Result<(), EditError> {
    edit_roles(s, email, |held| {
        held.retain(|r| !roles.contains(r));
        Ok(())
    })?;
    keep_a_portal_admin(s, "revoking portal-admin from")
}

/// `people remove`: removes the person from `people` and from `global_admins`.
pub fn remove(s: &mut Session, email: &str) -> Result<(), EditError> {
    let email = s.person(email)?;
    still_named(s, &email)?;
    let mut json = s.config_json()?;
    let people = people_of(&mut json)?;
    people.retain(|p| !same_email(p, &email));
    if let Some(J::Array(admins)) = json.get_mut("global_admins") {
        let before = admins.len();
        admins.retain(|a| {
            !a.as_str()
                .is_some_and(|a| a.trim().eq_ignore_ascii_case(&email))
        });
        if before > 0 && admins.is_empty() {
            return Err(EditError::Protected(format!(
                "{email} is the last global admin (`global_admins` in assure.yaml), and without one nobody may grant or remove portal-admin; list another person in `global_admins` first"
            )));
        }
    }
    s.set_config(json)?;
    keep_a_portal_admin(s, "removing")
}

/// Changes the roles of the person `email` with `f`.
fn edit_roles(
    s: &mut Session,
    email: &str,
    f: impl FnOnce(&mut Vec<Role>) -> Result<(), EditError>,
) -> Result<(), EditError> {
    let email = s.person(email)?;
    let config = current(s)?;
    let mut roles = config
        .people
        .iter()
        .find(|p| p.email == email)
        .map(|p| p.roles.clone())
        .unwrap_or_default();
    f(&mut roles)?;
    let mut json = s.config_json()?;
    let entry = people_of(&mut json)?
        .iter_mut()
        .find(|p| same_email(p, &email))
        .ok_or_else(|| EditError::Internal(format!("{email} is not in assure.yaml's people")))?;
    let J::Object(entry) = entry else {
        return Err(EditError::Internal(format!(
            "{email}'s entry in assure.yaml is not a mapping"
        )));
    };
    let new: Vec<J> = roles.iter().map(|r| J::from(r.as_str())).collect();
    // An unchanged list stays as written (a role spelled differently is not rewritten).
    let old: Option<Vec<Role>> = entry
        .get("roles")
        .and_then(|r| serde_json::from_value(r.clone()).ok());
    if old.as_ref() != Some(&roles) {
        entry.insert("roles".to_owned(), J::Array(new));
    }
    s.set_config(json)
}

/// Refuses an edit that leaves no portal-admin in a repository that had one: nobody
/// could manage people again.
fn keep_a_portal_admin(s: &Session, what: &str) -> Result<(), EditError> {
    let count = |c: &Config| {
        c.people
            .iter()
            .filter(|p| p.roles.contains(&Role::PortalAdmin))
            .count()
    };
    let before = s.project.ws.config.as_ref().map_or(0, |c| count(&c.value));
    let after = s.config_value().map_or(0, count);
    if before > 0 && after == 0 {
        let last = s
            .project
            .ws
            .config
            .as_ref()
            .and_then(|c| {
                c.value
                    .people
                    .iter()
                    .find(|p| p.roles.contains(&Role::PortalAdmin))
            })
            .map_or_else(String::new, |p| p.email.clone());
        return Err(EditError::Protected(format!(
            "{what} {last} would leave no portal-admin, and without one nobody may add people or change roles; grant portal-admin to another person first (`assure people grant EMAIL portal-admin`, by a global admin)"
        )));
    }
    Ok(())
}

/// Refuses to remove a person whom assessments name: their action items (until
/// reassigned) and the assessments they created (forever: `created_by` is the record).
fn still_named(s: &Session, email: &str) -> Result<(), EditError> {
    let mut items = Vec::new();
    let mut kept = Vec::new();
    for a in &s.project.ws.assessments {
        let v = &a.doc.value;
        if v.created_by.trim().eq_ignore_ascii_case(email) {
            kept.push(format!("created {}", a.key()));
        }
        for (control, r) in &v.controls {
            if r.assigned_to
                .as_deref()
                .is_some_and(|to| to.trim().eq_ignore_ascii_case(email))
            {
                if a.is_archived() {
                    kept.push(format!("assigned {control} in archived {}", a.key()));
                } else {
                    items.push(format!("{} {control}", a.key()));
                }
            }
        }
    }
    if !items.is_empty() {
        let first = &items[0];
        return Err(EditError::Protected(format!(
            "{email} still has {} action item(s): {}; reassign each to someone else (`assure assign {first} --to OTHER`) or unassign it (`assure unassign {first}`), then remove them",
            items.len(),
            list_some(&items)
        )));
    }
    if !kept.is_empty() {
        return Err(EditError::Protected(format!(
            "{email} is named by records that never change ({}), so they stay listed; revoke their roles instead (`assure people revoke {email} ROLE…`): listed without a role, they may change nothing",
            list_some(&kept)
        )));
    }
    Ok(())
}

/// Up to 10 entries, then how many more.
fn list_some(items: &[String]) -> String {
    if items.len() <= 10 {
        items.join(", ")
    } else {
        format!("{}, … ({} more)", items[..10].join(", "), items.len() - 10)
    }
}

/// The configuration as the edit leaves it so far.
fn current(s: &Session) -> Result<Config, EditError> {
    s.config_value().cloned().ok_or_else(|| {
        EditError::Invalid("assure.yaml does not load (run `assure validate`); fix it first".into())
    })
}

fn people_of(json: &mut J) -> Result<&mut Vec<J>, EditError> {
    match json.get_mut("people") {
        Some(J::Array(people)) => Ok(people),
        _ => Err(EditError::Internal(
            "assure.yaml has no list of people".into(),
        )),
    }
}

fn same_email(entry: &J, email: &str) -> bool {
    entry
        .get("email")
        .and_then(J::as_str)
        .is_some_and(|e| e.trim().eq_ignore_ascii_case(email.trim()))
}

/// "administrator, portal-admin" or "no role".
pub fn describe_roles(roles: &[Role]) -> String {
    if roles.is_empty() {
        "no role".to_owned()
    } else {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Characters that have no place in an email address or a name: controls, bidi
/// overrides and isolates (they make a text display as another), and invisible
/// formatting characters (two addresses that look the same would be two people).
fn invisible(c: char) -> bool {
    crate::text::is_hostile(c)
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
        )
}

/// A new person's email: one `@` between a local part and a domain with a dot, no
/// blank and no invisible character.
fn check_email(email: &str) -> Result<&str, EditError> {
    let email = email.trim();
    let bad = |why: &str| {
        EditError::Invalid(format!(
            "`{}` is not an email address assure can list: {why}",
            crate::text::escape(email)
        ))
    };
    if let Some(c) = email.chars().find(|c| invisible(*c)) {
        return Err(bad(&format!(
            "it holds the invisible or control character U+{:04X}",
            u32::from(c)
        )));
    }
    if email.chars().any(char::is_whitespace) {
        return Err(bad("it holds a blank"));
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') => {}
        _ => return Err(bad("write it as name@example.com")),
    }
    Ok(email)
}

/// A new person's display name: one line, not empty, no invisible character.
fn check_name(name: &str) -> Result<&str, EditError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(EditError::Invalid(
            "a person needs a name (--name \"Ada Lovelace\")".into(),
        ));
    }
    if let Some(c) = name.chars().find(|c| invisible(*c)) {
        return Err(EditError::Invalid(format!(
            "the name `{}` holds the invisible or control character U+{:04X}; write it on one line, as people should see it",
            crate::text::escape(name),
            u32::from(c)
        )));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_with_odd_characters_are_refused() {
        for bad in [
            "a\u{202E}b@example.com",
            "a\u{200B}@example.com",
            "a\u{1b}[31m@example.com",
            "a b@example.com",
            "nobody",
            "a@b",
            "a@@b.com",
            "@example.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_email(" Ada@Example.com ").ok(),
            Some("Ada@Example.com")
        );
    }

    #[test]
    fn roles_are_read_by_name_with_a_suggestion() {
        assert_eq!(parse_role("Portal-Admin").ok(), Some(Role::PortalAdmin));
        let e = parse_role("portal_admin").expect_err("unknown").to_string();
        assert!(e.contains("did you mean `portal-admin`?"), "{e}");
    }
}
