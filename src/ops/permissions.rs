//! Who may change what (DESIGN.md §3). The same rule serves the editing commands (the
//! acting person at the keyboard) and, later, CI (each commit's author).

use std::fmt;

use crate::model::{Config, Role};

/// What a change needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Every field of a control except `test_date` and `test_result`.
    EditData,
    /// `test_date` and `test_result`.
    EditTestResults,
    /// Create, archive and delete assessments; create and rename groups.
    ManageAssessments,
    /// Add and remove people and the reader … administrator roles.
    ManageUsers,
    /// Grant or remove portal-admin, or change `global_admins`.
    GlobalAdmin,
}

impl Permission {
    /// The roles that carry this permission (global admin is a list, not a role).
    pub fn roles(self) -> &'static [Role] {
        match self {
            Permission::EditData => &[
                Role::Contributor,
                Role::Assessor,
                Role::Administrator,
                Role::PortalAdmin,
            ],
            Permission::EditTestResults => {
                &[Role::Assessor, Role::Administrator, Role::PortalAdmin]
            }
            Permission::ManageAssessments => &[Role::Administrator, Role::PortalAdmin],
            Permission::ManageUsers => &[Role::PortalAdmin],
            Permission::GlobalAdmin => &[],
        }
    }

    /// "the assessor, administrator or portal-admin role"
    pub fn needs(self) -> String {
        if self == Permission::GlobalAdmin {
            return "a global admin (listed in `global_admins`)".to_owned();
        }
        let names: Vec<&str> = self.roles().iter().map(|r| r.as_str()).collect();
        match names.as_slice() {
            [one] => format!("the {one} role"),
            [init @ .., last] => format!("the {} or {last} role", init.join(", ")),
            [] => "no role".to_owned(),
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Permission::EditData => "editing data",
            Permission::EditTestResults => "editing test results",
            Permission::ManageAssessments => "managing assessments and groups",
            Permission::ManageUsers => "managing people and roles",
            Permission::GlobalAdmin => "changing portal admins and global admins",
        })
    }
}

/// A person as the configuration knows them: their roles, or a guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub email: String,
    /// `None`: not listed in `people`, a guest.
    pub roles: Option<Vec<Role>>,
    pub global_admin: bool,
}

impl Actor {
    pub fn new(config: &Config, email: &str) -> Actor {
        let email = email.trim();
        let person = config
            .people
            .iter()
            .find(|p| p.email.eq_ignore_ascii_case(email));
        Actor {
            email: person.map_or_else(|| email.to_owned(), |p| p.email.clone()),
            roles: person.map(|p| p.roles.clone()),
            global_admin: config
                .global_admins
                .iter()
                .any(|g| g.eq_ignore_ascii_case(email)),
        }
    }

    /// The person `--actor` names: an e-mail address, or a GitHub login listed as a
    /// person's `github` (the identity CI platforms authenticate). Only `--actor` takes a
    /// login: a commit's author field is matched by e-mail alone, so nobody becomes a
    /// person by typing their login as an author e-mail.
    pub fn named(config: &Config, who: &str) -> Actor {
        let who = who.trim();
        if !who.contains('@')
            && let Some(p) = config.people.iter().find(|p| {
                p.github
                    .as_deref()
                    .is_some_and(|g| g.eq_ignore_ascii_case(who))
            })
        {
            return Actor::new(config, &p.email);
        }
        Actor::new(config, who)
    }

    pub fn may(&self, permission: Permission) -> bool {
        match permission {
            Permission::GlobalAdmin => self.global_admin && self.roles.is_some(),
            p => self
                .roles
                .as_ref()
                .is_some_and(|roles| roles.iter().any(|r| p.roles().contains(r))),
        }
    }

    /// "bob@contoso.com (contributor)" or "zed@x.com (a guest: not in assure.yaml)"
    pub fn describe(&self) -> String {
        match &self.roles {
            Some(roles) if roles.is_empty() => format!("{} (no role)", self.email),
            Some(roles) => format!(
                "{} ({})",
                self.email,
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!("{} (a guest: not listed in assure.yaml)", self.email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        use Permission::*;
        let table = [
            (Role::Reader, [false, false, false, false]),
            (Role::Contributor, [true, false, false, false]),
            (Role::Assessor, [true, true, false, false]),
            (Role::Administrator, [true, true, true, false]),
            (Role::PortalAdmin, [true, true, true, true]),
        ];
        for (role, allowed) in table {
            let actor = Actor {
                email: "x@y".into(),
                roles: Some(vec![role]),
                global_admin: false,
            };
            for (p, ok) in [EditData, EditTestResults, ManageAssessments, ManageUsers]
                .into_iter()
                .zip(allowed)
            {
                assert_eq!(actor.may(p), ok, "{role:?} {p:?}");
            }
            assert!(!actor.may(GlobalAdmin));
        }
        let guest = Actor {
            email: "g@y".into(),
            roles: None,
            global_admin: true,
        };
        assert!(!guest.may(EditData) && !guest.may(GlobalAdmin));
        assert_eq!(
            EditTestResults.needs(),
            "the assessor, administrator or portal-admin role"
        );
    }
}
