//! `assure sync` (DESIGN.md §4.4): make every sync class's members equal.
//!
//! Which value wins: members whose sync fields changed since the base are the sources.
//! Sources that agree are copied to every other member; sources that disagree are a
//! conflict. When no member changed but members differ, the member with the latest test
//! date wins; a tie is a conflict. The plan depends only on the set of assessments, not
//! on their order, and applying it twice changes nothing the second time.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value as J;

use crate::catalog::Catalog;
use crate::model::{Assessment, ControlRecord, SyncField};
use crate::ops::edit::{EditError, Outcome, Session};
use crate::ops::group_wise::GroupWise;
use crate::rules::sync::{Class, Item, classes, field_value, set_field};

/// The sync field values of one member.
pub type Values = BTreeMap<SyncField, J>;

/// A member to be changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Update {
    /// Index into the items the plan was made from.
    #[serde(skip)]
    pub item: usize,
    pub assessment: String,
    pub control: String,
    /// Where the values come from: `assessment control`.
    pub source: String,
    /// The fields that change, with their new values.
    pub values: Vec<(SyncField, J)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictMember {
    pub member: String,
    pub changed: bool,
    pub test_date: Option<NaiveDate>,
    pub values: Vec<(SyncField, J)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub group: String,
    /// Why no winner could be chosen.
    pub reason: String,
    pub members: Vec<ConflictMember>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub updates: Vec<Update>,
    pub conflicts: Vec<Conflict>,
}

fn values(record: Option<&ControlRecord>, fields: &[SyncField]) -> Values {
    fields
        .iter()
        .map(|&f| (f, field_value(record, f)))
        .collect()
}

/// Plans sync over `items`; `base[i]` is item i as it was at the base (`None`: it did
/// not exist, so nothing in it counts as changed unless it holds values).
pub fn plan(
    items: &[Item],
    base: &[Option<&Assessment>],
    catalog: &Catalog,
    fields: &[SyncField],
) -> Plan {
    plan_scoped(items, base, catalog, fields, Scope::Everything)
}

/// Which sync classes a plan covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every class (`assure sync`).
    Everything,
    /// Only classes with a member changed since the base (an editing command syncs what
    /// it changed, and leaves other classes alone).
    Changed,
}

/// Plans sync like [`plan`], over the classes `scope` covers: for each class whose members
/// differ, the values of the members changed since the base (or, if none changed, of
/// those with the latest test date), or a conflict when those differ.
pub fn plan_scoped(
    items: &[Item],
    base: &[Option<&Assessment>],
    catalog: &Catalog,
    fields: &[SyncField],
    scope: Scope,
) -> Plan {
    let mut plan = Plan::default();
    for class in classes(items, catalog) {
        let current: Vec<Values> = class
            .members
            .iter()
            .map(|m| values(m.record(), fields))
            .collect();
        if current.windows(2).all(|w| w[0] == w[1]) {
            continue;
        }
        let changed: Vec<bool> = class
            .members
            .iter()
            .zip(&current)
            .map(|(m, now)| {
                let before = base[m.item].and_then(|a| a.controls.get(m.control));
                values(before, fields) != *now
            })
            .collect();
        if scope == Scope::Changed && !changed.iter().any(|&c| c) {
            continue;
        }
        let date = |i: usize| class.members[i].record().and_then(|r| r.test_date);
        let candidates: Vec<usize> = if changed.iter().any(|&c| c) {
            (0..current.len()).filter(|&i| changed[i]).collect()
        } else {
            let latest = (0..current.len()).filter_map(date).max();
            (0..current.len()).filter(|&i| date(i) == latest).collect()
        };
        let first = &current[candidates[0]];
        if candidates.iter().any(|&i| current[i] != *first) {
            let reason = if changed.iter().any(|&c| c) {
                "the members changed since the base hold different values"
            } else {
                "no member changed since the base, and the members with the latest test date differ"
            };
            plan.conflicts
                .push(conflict(&class, items, &current, &changed, reason));
            continue;
        }
        push_updates(&mut plan, &class, items, fields, &current, candidates[0]);
    }
    plan
}

/// A class whose candidate members hold different values, and why that is a conflict.
fn conflict(
    class: &Class,
    items: &[Item],
    current: &[Values],
    changed: &[bool],
    reason: &str,
) -> Conflict {
    let date = |i: usize| class.members[i].record().and_then(|r| r.test_date);
    Conflict {
        group: class.group.to_owned(),
        reason: reason.to_owned(),
        members: class
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| ConflictMember {
                member: m.describe(items),
                changed: changed[i],
                test_date: date(i),
                values: current[i].iter().map(|(f, v)| (*f, v.clone())).collect(),
            })
            .collect(),
    }
}

/// Plans an update of each member of `class` whose values differ from member `winner`'s.
fn push_updates(
    plan: &mut Plan,
    class: &Class,
    items: &[Item],
    fields: &[SyncField],
    current: &[Values],
    winner: usize,
) {
    let source = class.members[winner].describe(items);
    for (i, m) in class.members.iter().enumerate() {
        let diff: Vec<(SyncField, J)> = fields
            .iter()
            .filter(|f| current[i][f] != current[winner][f])
            .map(|f| (*f, current[winner][f].clone()))
            .collect();
        if !diff.is_empty() {
            plan.updates.push(Update {
                item: m.item,
                assessment: items[m.item].key.to_owned(),
                control: m.control.to_owned(),
                source: source.clone(),
                values: diff,
            });
        }
    }
}

/// Applies the plan's updates to `values` (parallel to the items the plan was made from).
/// A control left with nothing recorded is removed (not started).
pub fn apply(plan: &Plan, values: &mut [Assessment]) {
    for u in &plan.updates {
        let controls = &mut values[u.item].controls;
        let record = controls.entry(u.control.clone()).or_default();
        for (field, value) in &u.values {
            set_field(record, *field, value);
        }
        if *record == ControlRecord::default() {
            controls.remove(&u.control);
        }
    }
}

/// `assure sync --check` of the whole repository read group by group (sync classes never
/// cross a group, DESIGN.md §4.4, so each group's plan is its own): what one session over
/// the whole project by `actor` at `now` would find, sync base `base` (default HEAD) —
/// the files that would change, in the order of a whole load, or every group's
/// conflicts. Nothing is written. `progress(done, total)` as groups are done.
pub fn check_wise(
    wise: &GroupWise,
    actor: &str,
    now: DateTime<Utc>,
    base: Option<&str>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome, EditError> {
    let results = wise.map(crate::repo::Values::Keep, progress, |project| {
        let mut s = Session::new(&project, actor, now)?;
        crate::ops::commands::sync_base(&mut s, base)?;
        s.finish(true)
    });
    let mut done = Outcome::default();
    let mut conflicts = Vec::new();
    let mut error = None;
    for result in results {
        match result {
            Ok(o) => {
                done.files.extend(o.files);
                done.changes.extend(o.changes);
                done.synced.extend(o.synced);
                done.copied.extend(o.copied);
            }
            Err(EditError::Conflict(c)) => conflicts.extend(c),
            Err(e) => {
                error.get_or_insert(e);
            }
        }
    }
    // As one session: a plan with conflicts stops before anything else is checked.
    if !conflicts.is_empty() {
        return Err(EditError::Conflict(conflicts));
    }
    match error {
        Some(e) => Err(e),
        None => Ok(done),
    }
}
