//! People and roles: unique people, and every email the data names is a listed person.

use std::collections::HashMap;

use super::Context;
use crate::catalog::value_span;
use crate::diag::{Code, Diagnostic};
use crate::repo::source::FileId;
use crate::suggest::did_you_mean;

/// `people` and `global_admins` of `assure.yaml`.
pub fn check_config(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(config) = &ctx.ws.config else { return };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, p) in config.value.people.iter().enumerate() {
        let key = p.email.trim().to_lowercase();
        if let Some(&first) = seen.get(&key) {
            out.push(
                Diagnostic::new(
                    Code::DuplicatePerson,
                    format!("`{}` is listed twice in `people`", p.email),
                )
                .at(
                    config.file,
                    value_span(&config.node, &["people", &i.to_string(), "email"]),
                    "listed again",
                )
                .also(
                    config.file,
                    value_span(&config.node, &["people", &first.to_string(), "email"]),
                    "first listed here",
                )
                .help("keep one entry per person and list all of that person's roles in it"),
            );
        } else {
            seen.insert(key, i);
        }
    }
    let mut logins: HashMap<String, usize> = HashMap::new();
    for (i, p) in config.value.people.iter().enumerate() {
        if let Some(login) = &p.github {
            let at = |i: usize| value_span(&config.node, &["people", &i.to_string(), "github"]);
            match logins.get(&login.to_ascii_lowercase()) {
                Some(&first) => out.push(
                    Diagnostic::new(
                        Code::DuplicatePerson,
                        format!("the GitHub login `{login}` is listed for two people"),
                    )
                    .at(config.file, at(i), "listed again")
                    .also(config.file, at(first), "first listed here")
                    .help("a login names one person (`validate --actor` finds them by it); GitHub logins ignore case"),
                ),
                None => {
                    logins.insert(login.to_ascii_lowercase(), i);
                }
            }
        }
        for (k, key) in p.signing_keys.iter().enumerate() {
            if let Err(why) = crate::ops::signatures::parse_key(key) {
                out.push(
                    Diagnostic::new(
                        Code::InvalidSigningKey,
                        format!("a signing key of {} is not an OpenSSH public key: {why}", p.email),
                    )
                    .at(
                        config.file,
                        value_span(&config.node, &["people", &i.to_string(), "signing_keys", &k.to_string()]),
                        "not a public key",
                    )
                    .help("paste the one line of the public key file, e.g. the content of ~/.ssh/id_ed25519.pub (`ssh-ed25519 AAAA… comment`)"),
                );
            }
        }
    }
    let known = Known::new(&config.value);
    for (i, email) in config.value.global_admins.iter().enumerate() {
        known.check(
            email,
            config.file,
            || value_span(&config.node, &["global_admins", &i.to_string()]),
            "global_admins",
            out,
        );
    }
}

/// `created_by` and `assigned_to` of every assessment name people of `assure.yaml`.
pub fn check_assessments(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(config) = &ctx.ws.config else { return };
    let known = Known::new(&config.value);
    for a in &ctx.ws.assessments {
        let doc = &a.doc;
        known.check(
            &doc.value.created_by,
            doc.file,
            || value_span(&doc.node, &["created_by"]),
            "created_by",
            out,
        );
        for (id, c) in &doc.value.controls {
            if let Some(to) = &c.assigned_to {
                known.check(
                    to,
                    doc.file,
                    || value_span(&doc.node, &["controls", id, "assigned_to"]),
                    "assigned_to",
                    out,
                );
            }
        }
    }
}

/// The listed people's emails, as written and (for lookups, which ignore ASCII case)
/// trimmed and lower-cased.
struct Known<'a> {
    emails: Vec<&'a str>,
    lower: std::collections::HashSet<String>,
}

impl<'a> Known<'a> {
    fn new(config: &'a crate::model::Config) -> Self {
        let emails: Vec<&str> = config.people.iter().map(|p| p.email.as_str()).collect();
        let lower = emails
            .iter()
            .map(|e| e.trim().to_ascii_lowercase())
            .collect();
        Known { emails, lower }
    }

    /// Reports `email` unless it is listed; `span` (where it is) is found only then.
    fn check(
        &self,
        email: &str,
        file: FileId,
        span: impl FnOnce() -> std::ops::Range<usize>,
        field: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let key = email.trim();
        let listed = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.lower.contains(&key.to_ascii_lowercase())
        } else {
            self.lower.contains(key)
        };
        if listed {
            return;
        }
        out.push(
            Diagnostic::new(
                Code::UnknownPerson,
                format!("`{email}` in `{field}` is not a person listed in assure.yaml"),
            )
            .at(file, span(), "unknown person")
            .help(format!(
                "{} — or add the person to `people` in assure.yaml",
                did_you_mean(email, self.emails.iter().copied())
            )),
        );
    }
}
