//! Sync classes (DESIGN.md §4.4): within a group, the same control in several active
//! assessments (shared) and controls joined by `related` mappings, transitively, must
//! hold equal values of the sync fields. Archived assessments are outside every class.

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

/// The loaded assessments `docs` as sync sees them, `keys` their keys
/// ([`AssessmentDoc::key`], made by the caller so the items can borrow them).
pub fn items<'a>(docs: &'a [AssessmentDoc], keys: &'a [String]) -> Vec<Item<'a>> {
    docs.iter()
        .zip(keys)
        .map(|(a, key)| Item {
            group: &a.group,
            key,
            value: &a.doc.value,
        })
        .collect()
}

/// One control of one assessment in a sync class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member<'a> {
    /// Index into the items the classes were built from.
    pub item: usize,
    pub control: &'a str,
    /// The assessment's record of the control; `None`: not started.
    pub record: Option<&'a ControlRecord>,
}

impl<'a> Member<'a> {
    pub fn record(&self) -> Option<&'a ControlRecord> {
        self.record
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
    // Every customer-managed control of every active assessment, as (group, class number,
    // member); sorted, the members of one class of one group are neighbours.
    let mut groups: Vec<&str> = items.iter().map(|it| it.group).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut slots: Vec<(usize, u32, Member<'a>)> = Vec::new();
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
        let group = groups.binary_search(&item.group).expect("listed above");
        // Both sorted by control id: each record is found by walking the two together.
        let mut records = v.controls.iter().peekable();
        // Only the controls of the categories the assessment covers: sync never writes
        // into the others.
        let scope = cert.scope(&v.categories);
        for customer in template.customer(scope) {
            let (class, control) = (&customer.class, &customer.id);
            while records.next_if(|(id, _)| *id < control).is_some() {}
            let record = records
                .peek()
                .filter(|(id, _)| *id == control)
                .map(|(_, r)| *r);
            slots.push((
                group,
                *class,
                Member {
                    item: i,
                    control: control.as_str(),
                    record,
                },
            ));
        }
    }
    // Members of a class in the order of their assessments' keys, then their controls.
    let mut by_key: Vec<usize> = (0..items.len()).collect();
    by_key.sort_unstable_by_key(|&i| items[i].key);
    let mut rank = vec![0; items.len()];
    for (r, &i) in by_key.iter().enumerate() {
        rank[i] = r;
    }
    slots.sort_unstable_by(|a, b| {
        (a.0, a.1, rank[a.2.item])
            .cmp(&(b.0, b.1, rank[b.2.item]))
            .then_with(|| a.2.control.cmp(b.2.control))
    });
    // Sorted by group, then class number, which follows the class key.
    slots
        .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
        .filter(|run| run.len() > 1)
        .map(|run| Class {
            group: groups[run[0].0],
            key: catalog.class_key(run[0].1).to_owned(),
            members: run.iter().map(|&(_, _, m)| m).collect(),
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

/// Whether two records hold the same value of a sync field (as [`field_value`] would
/// say, without building the values).
fn same_field(a: Option<&ControlRecord>, b: Option<&ControlRecord>, field: SyncField) -> bool {
    fn get<T: PartialEq + ?Sized>(
        r: Option<&ControlRecord>,
        f: impl Fn(&ControlRecord) -> Option<&T>,
    ) -> Option<&T> {
        r.and_then(f)
    }
    match field {
        SyncField::Status => get(a, |r| r.status.as_ref()) == get(b, |r| r.status.as_ref()),
        SyncField::Implementation => {
            get(a, |r| r.implementation.as_deref()) == get(b, |r| r.implementation.as_deref())
        }
        SyncField::TestPlan => {
            get(a, |r| r.test_plan.as_deref()) == get(b, |r| r.test_plan.as_deref())
        }
        SyncField::ManagementResponse => {
            get(a, |r| r.management_response.as_deref())
                == get(b, |r| r.management_response.as_deref())
        }
        SyncField::TestDate => get(a, |r| r.test_date.as_ref()) == get(b, |r| r.test_date.as_ref()),
        SyncField::TestResult => {
            get(a, |r| r.test_result.as_ref()) == get(b, |r| r.test_result.as_ref())
        }
        SyncField::AssignedTo => {
            get(a, |r| r.assigned_to.as_deref()) == get(b, |r| r.assigned_to.as_deref())
        }
        SyncField::Documents => {
            a.map_or(&[][..], |r| r.documents.as_slice())
                == b.map_or(&[][..], |r| r.documents.as_slice())
        }
    }
}

/// The sync fields on which the members of a class differ.
pub fn differing_fields(class: &Class, fields: &[SyncField]) -> Vec<SyncField> {
    // Each member's record, looked up once for all the fields.
    let records: Vec<Option<&ControlRecord>> = class.members.iter().map(Member::record).collect();
    let Some((&first, rest)) = records.split_first() else {
        return Vec::new();
    };
    fields
        .iter()
        .copied()
        .filter(|&f| rest.iter().any(|&r| !same_field(first, r, f)))
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
        let differing = differing_fields(&class, &fields);
        if differing.is_empty() {
            continue;
        }
        let names: Vec<&str> = differing.iter().map(|f| f.as_str()).collect();
        let labels: Vec<(crate::repo::source::FileId, std::ops::Range<usize>, String)> = class
            .members
            .iter()
            .map(|m| {
                let doc = &ctx.ws.assessments[m.item].doc;
                let record = m.record();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Status, TestResult};

    /// `same_field` agrees with comparing `field_value`s, for every field, on records that
    /// differ in each way a sync field can: unset, empty, not started, or another value.
    #[test]
    fn same_field_is_equality_of_field_values() {
        let doc = |p: &str| Document {
            path: p.into(),
            sha256: "0".repeat(64),
            purpose: None,
            collected_on: None,
            valid_until: None,
        };
        let full = ControlRecord {
            status: Some(Status::Implemented),
            implementation: Some("by team A".into()),
            test_plan: Some("sample 5".into()),
            management_response: Some("ok".into()),
            test_date: chrono::NaiveDate::from_ymd_opt(2019, 1, 2),
            test_result: Some(TestResult::Passed),
            assigned_to: Some("a@example.com".into()),
            action: None,
            documents: vec![doc("evidence/a.pdf")],
        };
        let other = ControlRecord {
            status: Some(Status::Planned),
            implementation: Some("by team B".into()),
            test_plan: Some("sample 6".into()),
            management_response: Some("no".into()),
            test_date: chrono::NaiveDate::from_ymd_opt(2019, 1, 3),
            test_result: Some(TestResult::FailedLowRisk),
            assigned_to: Some("b@example.com".into()),
            action: None,
            documents: vec![doc("evidence/b.pdf")],
        };
        let empty = ControlRecord::default();
        let records = [None, Some(&empty), Some(&full), Some(&other)];
        for field in SyncField::all() {
            for a in records {
                for b in records {
                    assert_eq!(
                        same_field(a, b, field),
                        field_value(a, field) == field_value(b, field),
                        "{field:?}: {a:?} vs {b:?}"
                    );
                }
            }
        }
    }
}
