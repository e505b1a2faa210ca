//! Sync classes (DESIGN.md §4.4): within a group, the same control in several active
//! assessments (shared) and controls joined by `related` mappings, transitively, must
//! hold equal values of the sync fields. Archived assessments are outside every class.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Context;
use crate::catalog::{Catalog, key_span};
use crate::diag::{Code, Diagnostic};
use crate::model::{Assessment, ControlRecord, SyncField};
use crate::repo::AssessmentDoc;

/// An assessment as sync sees it: its group, its name and its content. The validate
/// rule makes these from the loaded files; editing commands from their drafts.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub group: &'a str,
    /// `group/service--certification`
    pub key: &'a str,
    pub value: &'a Assessment,
}

/// One control of one assessment in a sync class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    /// Index into the items the classes were built from.
    pub item: usize,
    pub control: &'a str,
}

impl<'a> Member<'a> {
    pub fn record(&self, items: &[Item<'a>]) -> Option<&'a ControlRecord> {
        items[self.item].value.controls.get(self.control)
    }

    /// `group/service--certification control`
    pub fn describe(&self, items: &[Item]) -> String {
        format!("{} {}", items[self.item].key, self.control)
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

/// Every sync class with two or more members, in a fixed order (group, key), whatever
/// the order of `items`. Archived assessments are in none.
pub fn classes<'a>(items: &[Item<'a>], catalog: &'a Catalog) -> Vec<Class<'a>> {
    let mut by_group: BTreeMap<(&str, String), Vec<Member<'a>>> = BTreeMap::new();
    for (i, item) in items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.value.archived.is_none())
    {
        let v = item.value;
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
                .entry((item.group, catalog.class_key(&v.certification, &control.id)))
                .or_default()
                .push(Member {
                    item: i,
                    control: &control.id,
                });
        }
    }
    by_group
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .map(|((group, key), mut members)| {
            members.sort_by(|x, y| {
                (items[x.item].key, x.control).cmp(&(items[y.item].key, y.control))
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

/// Sets one sync field of a record from its JSON value (`null` clears it).
pub fn set_field(record: &mut ControlRecord, field: SyncField, value: &Value) {
    fn get<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
        serde_json::from_value(v.clone()).ok()
    }
    match field {
        SyncField::Status => record.status = get(value),
        SyncField::Implementation => record.implementation = get(value),
        SyncField::TestPlan => record.test_plan = get(value),
        SyncField::ManagementResponse => record.management_response = get(value),
        SyncField::TestDate => record.test_date = get(value),
        SyncField::TestResult => record.test_result = get(value),
        SyncField::AssignedTo => record.assigned_to = get(value),
        SyncField::Documents => record.documents = get(value).unwrap_or_default(),
    }
}

/// The sync fields on which the members of a class differ.
pub fn differing_fields(class: &Class, items: &[Item], fields: &[SyncField]) -> Vec<SyncField> {
    fields
        .iter()
        .copied()
        .filter(|&f| {
            let first = field_value(class.members[0].record(items), f);
            class.members[1..]
                .iter()
                .any(|m| field_value(m.record(items), f) != first)
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
    let keys: Vec<String> = ctx.ws.assessments.iter().map(AssessmentDoc::key).collect();
    let items: Vec<Item> = ctx
        .ws
        .assessments
        .iter()
        .zip(&keys)
        .map(|(a, key)| Item {
            group: &a.group,
            key,
            value: &a.doc.value,
        })
        .collect();
    for class in classes(&items, ctx.catalog) {
        let differing = differing_fields(&class, &items, &fields);
        if differing.is_empty() {
            continue;
        }
        let names: Vec<&str> = differing.iter().map(|f| f.as_str()).collect();
        let labels: Vec<(crate::repo::source::FileId, std::ops::Range<usize>, String)> = class
            .members
            .iter()
            .map(|m| {
                let doc = &ctx.ws.assessments[m.item].doc;
                let record = m.record(&items);
                let span = if record.is_some() {
                    key_span(&doc.node, &["controls", m.control])
                } else {
                    key_span(&doc.node, &["controls"])
                };
                let values: Vec<String> = differing
                    .iter()
                    .map(|&f| format!("{}: {}", f.as_str(), short(&field_value(record, f))))
                    .collect();
                let what = if record.is_some() {
                    m.control.to_owned()
                } else {
                    format!("{} (not started)", m.control)
                };
                (doc.file, span, format!("{what} — {}", values.join(", ")))
            })
            .collect();
        let members: Vec<String> = class.members.iter().map(|m| m.describe(&items)).collect();
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
