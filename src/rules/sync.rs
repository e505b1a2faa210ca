//! Sync classes (DESIGN.md §4.4): within a group, the same control in several active
//! assessments (shared) and controls joined by `related` mappings, transitively, must
//! hold equal values of the sync fields. Archived assessments are outside every class.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Context;
use crate::catalog::{Catalog, key_span};
use crate::diag::{Code, Diagnostic};
use crate::model::{ControlRecord, SyncField};
use crate::repo::AssessmentDoc;

/// One control of one assessment in a sync class.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub assessment: &'a AssessmentDoc,
    pub control: &'a str,
}

impl<'a> Member<'a> {
    pub fn record(&self) -> Option<&'a ControlRecord> {
        self.assessment.doc.value.controls.get(self.control)
    }

    /// `group/service--certification control`
    pub fn describe(&self) -> String {
        format!("{} {}", self.assessment.key(), self.control)
    }
}

/// A sync class of one group, with at least two members.
#[derive(Debug)]
pub struct Class<'a> {
    pub group: &'a str,
    /// The class's key (its smallest control reference).
    pub key: String,
    /// Members ordered by (assessment, control).
    pub members: Vec<Member<'a>>,
}

/// Every sync class with two or more members, in a fixed order (group, key).
pub fn classes<'a>(assessments: &'a [AssessmentDoc], catalog: &'a Catalog) -> Vec<Class<'a>> {
    let mut by_group: BTreeMap<(&str, String), Vec<Member<'a>>> = BTreeMap::new();
    for a in assessments.iter().filter(|a| !a.is_archived()) {
        let v = &a.doc.value;
        let (Some(cert), Some(template)) = (
            catalog.certifications.get(&v.certification),
            catalog.template(&v.service, &v.certification),
        ) else {
            continue;
        };
        for (_, control) in cert.controls() {
            if template
                .template
                .provider_controls
                .contains_key(&control.id)
            {
                continue;
            }
            by_group
                .entry((
                    a.group.as_str(),
                    catalog.class_key(&v.certification, &control.id),
                ))
                .or_default()
                .push(Member {
                    assessment: a,
                    control: &control.id,
                });
        }
    }
    by_group
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .map(|((group, key), mut members)| {
            members.sort_by(|x, y| {
                (x.assessment.key(), x.control).cmp(&(y.assessment.key(), y.control))
            });
            Class {
                group,
                key,
                members,
            }
        })
        .collect()
}

/// The value of one sync field of a record, `null` when unset or when not started.
pub fn field_value(record: Option<&ControlRecord>, field: SyncField) -> Value {
    let Some(r) = record else { return Value::Null };
    let v = match field {
        SyncField::Status => serde_json::to_value(r.status),
        SyncField::Implementation => serde_json::to_value(&r.implementation),
        SyncField::TestPlan => serde_json::to_value(&r.test_plan),
        SyncField::ManagementResponse => serde_json::to_value(&r.management_response),
        SyncField::TestDate => serde_json::to_value(r.test_date),
        SyncField::TestResult => serde_json::to_value(r.test_result),
        SyncField::AssignedTo => serde_json::to_value(&r.assigned_to),
        SyncField::Documents if r.documents.is_empty() => Ok(Value::Null),
        SyncField::Documents => serde_json::to_value(&r.documents),
    };
    v.unwrap_or(Value::Null)
}

/// The sync fields on which the members of a class differ.
pub fn differing_fields(class: &Class, fields: &[SyncField]) -> Vec<SyncField> {
    fields
        .iter()
        .copied()
        .filter(|&f| {
            let first = field_value(class.members[0].record(), f);
            class.members[1..]
                .iter()
                .any(|m| field_value(m.record(), f) != first)
        })
        .collect()
}

fn short(v: &Value) -> String {
    match v {
        Value::Null => "(not set)".to_owned(),
        Value::String(s) if s.chars().count() > 30 => {
            format!("\"{}…\"", s.chars().take(30).collect::<String>().trim_end())
        }
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("{} document(s)", a.len()),
        other => other.to_string(),
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let fields = ctx
        .ws
        .config
        .as_ref()
        .map_or_else(SyncField::all, |c| c.value.sync.fields.clone());
    for class in classes(&ctx.ws.assessments, ctx.catalog) {
        let differing = differing_fields(&class, &fields);
        if differing.is_empty() {
            continue;
        }
        let names: Vec<&str> = differing.iter().map(|f| f.as_str()).collect();
        let labels: Vec<(crate::repo::source::FileId, std::ops::Range<usize>, String)> = class
            .members
            .iter()
            .map(|m| {
                let doc = &m.assessment.doc;
                let span = if m.record().is_some() {
                    key_span(&doc.node, &["controls", m.control])
                } else {
                    key_span(&doc.node, &["controls"])
                };
                let values: Vec<String> = differing
                    .iter()
                    .map(|&f| format!("{}: {}", f.as_str(), short(&field_value(m.record(), f))))
                    .collect();
                let what = if m.record().is_some() {
                    m.control.to_owned()
                } else {
                    format!("{} (not started)", m.control)
                };
                (doc.file, span, format!("{what} — {}", values.join(", ")))
            })
            .collect();
        let members: Vec<String> = class.members.iter().map(Member::describe).collect();
        let mut d = Diagnostic::new(
            Code::SyncOutOfSync,
            format!("shared/related controls of group `{}` differ in {}: {}", class.group, names.join(", "), members.join(", ")),
        )
        .help("run `assure sync` to copy the changed member's values to the others, or make them equal by hand");
        let mut labels = labels.into_iter();
        if let Some((file, span, msg)) = labels.next() {
            d = d.at(file, span, msg);
        }
        for (file, span, msg) in labels {
            d = d.also(file, span, msg);
        }
        out.push(d);
    }
}
