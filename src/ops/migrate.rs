//! `assure assessment migrate` (issue 19): the assessment of the same service and group
//! against another certification, carrying the old one's work across the crosswalk (the
//! `informative` links between the two certifications, in either direction); and the
//! suggestions `assessment new --copy-from` prints across certifications.
//!
//! Invariants:
//! - the old assessment is only read, never written (archived or not: migrating from an
//!   archived one is how its work continues);
//! - test results, test dates, test plans and management responses never carry: a new
//!   standard needs a new test;
//! - only the new template's customer-managed controls are written;
//! - the new assessment is then filled from its group by the one fill of
//!   `assessment new` ([`commands::create`]): where the group already holds work for a
//!   control (the same control in another assessment, or a `related` one), the group's
//!   values win over the carried ones and the difference is reported, so `sync --check`
//!   and `validate` stay clean after.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::commands;
use super::edit::{EditError, Session};
use crate::catalog::id_cmp;
use crate::model::{Action, Assessment, ControlRecord, Document, Status};

/// A control of the new assessment and the old controls its work came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Carried {
    pub control: String,
    pub sources: Vec<String>,
    /// The fields written: `status`, `implementation`, `documents`, `assigned_to`.
    pub fields: Vec<&'static str>,
    pub status: Option<Status>,
}

/// A control whose sources name people the migration could not carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unassigned {
    pub control: String,
    pub people: Vec<Assignee>,
    pub reason: &'static str,
}

/// A source control and the person it is assigned to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignee {
    pub control: String,
    pub person: String,
}

/// A control of the new assessment and the old controls the crosswalk links it to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Linked {
    pub control: String,
    pub sources: Vec<String>,
}

/// A control whose carried values gave way to the group's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kept {
    pub control: String,
    pub sources: Vec<String>,
    /// Where the group's values come from: `assessment control`.
    pub group_source: String,
}

/// What a migration did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Migration {
    /// The old assessment, `group/service--certification`.
    pub from: String,
    pub from_archived: bool,
    /// The new assessment.
    pub assessment: String,
    pub from_certification: String,
    pub certification: String,
    pub carried: Vec<Carried>,
    pub kept: Vec<Kept>,
    pub unassigned: Vec<Unassigned>,
    /// Linked controls whose sources are all not started: nothing to carry.
    pub not_started: Vec<Linked>,
    /// Controls the crosswalk links to no control of the old certification.
    pub without_source: Vec<String>,
}

/// `assure assessment migrate`: creates the assessment of `assessment`'s service and
/// group against `to`, carrying its work (module docs). Refused like `assessment new`
/// when the group already has it; a pair without a template is assessed as `assessment
/// new` assesses it (every control customer-managed).
pub fn migrate(s: &mut Session, assessment: &str, to: &str) -> Result<Migration, EditError> {
    let i = s.find(assessment)?;
    let draft = &s.drafts[i];
    let old = draft.value.clone().expect("found assessments exist");
    let group = draft.group.clone();
    let from = format!("{}/{}", draft.group, draft.stem);
    let path = draft.path();
    if old.certification == to {
        return Err(EditError::Invalid(format!(
            "{from} is already an assessment of {to}; migrate to another certification (`assure catalog list`)"
        )));
    }
    let stem = format!("{}--{to}", old.service);
    commands::may_create(s, &group, &old.service, to, &stem)?;

    let cat = s.catalog();
    let mut m = Migration {
        from,
        from_archived: old.archived.is_some(),
        assessment: format!("{group}/{stem}"),
        from_certification: cat.certification_name(&old.certification).to_owned(),
        certification: cat.certification_name(to).to_owned(),
        carried: Vec::new(),
        kept: Vec::new(),
        unassigned: Vec::new(),
        not_started: Vec::new(),
        without_source: Vec::new(),
    };
    let records = carry_all(s, &old, to, &path, &mut m);
    let (key, filled) = commands::create(s, &group, &old.service, to, None, &[], records)?;
    debug_assert_eq!(key, m.assessment);
    // The group's values won where it held work for a carried control.
    for u in filled {
        if let Some(at) = m.carried.iter().position(|c| c.control == u.control) {
            let c = m.carried.remove(at);
            m.kept.push(Kept {
                control: c.control,
                sources: c.sources,
                group_source: u.source,
            });
        }
    }
    Ok(m)
}

/// The record of each customer-managed control of the new assessment (of `old`'s service
/// against `to`) that its linked old controls give work to; fills in `m`'s lists.
fn carry_all(
    s: &Session,
    old: &Assessment,
    to: &str,
    path: &str,
    m: &mut Migration,
) -> BTreeMap<String, ControlRecord> {
    let cat = s.catalog();
    let provider: BTreeSet<&str> = cat
        .template(&old.service, &old.certification)
        .map(|t| {
            t.template
                .provider_controls
                .keys()
                .map(String::as_str)
                .collect()
        })
        .unwrap_or_default();
    // The new assessment covers no optional category (a certification's categories are
    // its own): carried work goes only to the controls it holds.
    let scope = cat
        .certifications
        .get(to)
        .map(|c| c.scope(&[]))
        .unwrap_or_default();
    let mut targets: Vec<&str> = cat
        .template(&old.service, to)
        .map(|t| t.customer(scope).map(|c| c.id.as_str()).collect())
        .unwrap_or_default();
    targets.sort_by(|a, b| id_cmp(a, b));
    let prefix = format!("{}:", old.certification);
    let mut records = BTreeMap::new();
    for target in targets {
        let mut sources: Vec<&str> = cat
            .informative(to, target)
            .iter()
            .filter_map(|(r, _)| r.strip_prefix(&prefix))
            .filter(|id| !provider.contains(id))
            .collect();
        sources.sort_by(|a, b| id_cmp(a, b));
        sources.dedup();
        let found: Vec<(&str, Option<&ControlRecord>)> = sources
            .iter()
            .map(|id| (*id, old.controls.get(*id)))
            .collect();
        if sources.is_empty() {
            m.without_source.push(target.to_owned());
        } else if found.iter().all(|(_, r)| r.is_none()) {
            m.not_started.push(Linked {
                control: target.to_owned(),
                sources: sources.iter().map(|s| (*s).to_owned()).collect(),
            });
        } else {
            let (record, carried, unassigned) =
                carry(s, target, &found, &m.from_certification, path);
            records.insert(target.to_owned(), record);
            m.carried.push(carried);
            m.unassigned.extend(unassigned);
        }
    }
    records
}

/// The record the target control gets from its sources (each with its record, `None`:
/// not started), what was carried, and the people left unassigned.
fn carry(
    s: &Session,
    target: &str,
    sources: &[(&str, Option<&ControlRecord>)],
    cert_name: &str,
    path: &str,
) -> (ControlRecord, Carried, Option<Unassigned>) {
    let worked: Vec<(&str, &ControlRecord)> = sources
        .iter()
        .filter_map(|(id, r)| r.map(|r| (*id, r)))
        .collect();
    let ids: Vec<&str> = worked.iter().map(|(id, _)| *id).collect();
    let mut record = ControlRecord::default();
    let mut fields = Vec::new();

    // Status: the one every source agrees on (not started included), else planned.
    let first = sources[0].1.and_then(|r| r.status);
    record.status = if sources
        .iter()
        .all(|(_, r)| r.and_then(|r| r.status) == first)
    {
        first
    } else {
        Some(Status::Planned)
    };
    if record.status.is_some() {
        fields.push("status");
    }
    record.implementation = Some(implementation(&worked, cert_name, path));
    fields.push("implementation");
    // Documents: every path once.
    let mut seen = BTreeSet::new();
    for (_, r) in &worked {
        for d in &r.documents {
            if seen.insert(d.path.clone()) {
                record.documents.push(Document::clone(d));
            }
        }
    }
    if !record.documents.is_empty() {
        fields.push("documents");
    }
    let unassigned = assignment(s, target, &worked, &mut record);
    if record.assigned_to.is_some() {
        fields.push("assigned_to");
    }
    let carried = Carried {
        control: target.to_owned(),
        sources: ids.iter().map(|id| (*id).to_owned()).collect(),
        fields,
        status: record.status,
    };
    (record, carried, unassigned)
}

/// The implementation text: each distinct text of the sources once, marked with its
/// sources when they differ, then the note naming the sources and their file.
fn implementation(worked: &[(&str, &ControlRecord)], cert_name: &str, path: &str) -> String {
    let texts = distinct(
        worked
            .iter()
            .filter_map(|(id, r)| Some((*id, r.implementation.as_deref()?.trim()))),
    );
    let ids: Vec<&str> = worked.iter().map(|(id, _)| *id).collect();
    let note = format!("Carried from {cert_name} {} ({path}).", ids.join(", "));
    let body: String = match texts.as_slice() {
        [] => String::new(),
        [(text, _)] => format!("{text}\n\n"),
        many => many
            .iter()
            .map(|(text, from)| format!("{}: {text}\n\n", from.join(", ")))
            .collect(),
    };
    format!("{body}{note}")
}

/// Sets the assignment of `record` when the sources name one person still listed (the
/// highest priority, the notes joined); otherwise says who they name and why nobody is
/// assigned.
fn assignment(
    s: &Session,
    target: &str,
    worked: &[(&str, &ControlRecord)],
    record: &mut ControlRecord,
) -> Option<Unassigned> {
    let people: Vec<Assignee> = worked
        .iter()
        .filter_map(|(id, r)| {
            Some(Assignee {
                control: (*id).to_owned(),
                person: r.assigned_to.clone()?,
            })
        })
        .collect();
    let names: BTreeSet<&str> = people.iter().map(|a| a.person.as_str()).collect();
    let &person = names.iter().next()?;
    if names.len() > 1 || s.person(person).is_err() {
        return Some(Unassigned {
            control: target.to_owned(),
            reason: if names.len() > 1 {
                "the source controls are assigned to different people"
            } else {
                "the person is no longer listed in assure.yaml"
            },
            people,
        });
    }
    let actions: Vec<(&str, &Action)> = worked
        .iter()
        .filter(|(_, r)| r.assigned_to.as_deref() == Some(person))
        .filter_map(|(id, r)| Some((*id, r.action.as_ref()?)))
        .collect();
    let notes = distinct(
        actions
            .iter()
            .filter_map(|(id, a)| Some((*id, a.notes.as_deref()?.trim()))),
    );
    let action = Action {
        priority: actions.iter().filter_map(|(_, a)| a.priority).max(),
        notes: match notes.as_slice() {
            [] => None,
            [(note, _)] => Some((*note).to_owned()),
            many => Some(
                many.iter()
                    .map(|(note, from)| format!("{}: {note}", from.join(", ")))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        },
        notify: false,
    };
    record.assigned_to = Some(person.to_owned());
    record.action = Some(action).filter(|a| *a != Action::default());
    None
}

/// The distinct non-empty texts of (source, text) pairs, in order of first appearance,
/// each with the sources that hold it.
fn distinct<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for (id, text) in pairs.filter(|(_, t)| !t.is_empty()) {
        match out.iter_mut().find(|(t, _)| *t == text) {
            Some((_, ids)) => ids.push(id),
            None => out.push((text, vec![id])),
        }
    }
    out
}

/// A control of a new assessment left empty, and the controls of another group's
/// assessments the crosswalks relate to it that hold work.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub control: String,
    /// `group/service--certification CONTROL`
    pub related: Vec<String>,
}

/// What `assessment new --copy-from GROUP` suggests for the new assessment `key` (never
/// writes): for each of its customer-managed controls left empty, the controls of
/// `GROUP`'s active assessments of other certifications that `informative` links relate
/// to it and that hold work.
pub fn suggestions(s: &Session, key: &str, copy_from: &str) -> Vec<Suggestion> {
    let Ok(i) = s.find(key) else {
        return Vec::new();
    };
    let Some(new) = s.drafts[i].value.as_ref() else {
        return Vec::new();
    };
    let cat = s.catalog();
    let Some(template) = cat.template(&new.service, &new.certification) else {
        return Vec::new();
    };
    let others: Vec<(String, &crate::model::Assessment)> = s
        .drafts
        .iter()
        .filter(|d| d.group == copy_from)
        .filter_map(|d| Some((format!("{}/{}", d.group, d.stem), d.value.as_ref()?)))
        .filter(|(_, v)| v.archived.is_none() && v.certification != new.certification)
        .collect();
    let scope = cat
        .certifications
        .get(&new.certification)
        .map(|c| c.scope(&new.categories))
        .unwrap_or_default();
    let mut targets: Vec<&str> = template
        .customer(scope)
        .map(|c| c.id.as_str())
        .filter(|id| !new.controls.contains_key(*id))
        .collect();
    targets.sort_by(|a, b| id_cmp(a, b));
    let mut out = Vec::new();
    for target in targets {
        let mut related = Vec::new();
        for (reference, _) in cat.informative(&new.certification, target) {
            let Some((cert, id)) = reference.split_once(':') else {
                continue;
            };
            for (key, v) in &others {
                if v.certification == cert && v.controls.contains_key(id) {
                    related.push(format!("{key} {id}"));
                }
            }
        }
        if !related.is_empty() {
            related.sort();
            related.dedup();
            out.push(Suggestion {
                control: target.to_owned(),
                related,
            });
        }
    }
    out
}
