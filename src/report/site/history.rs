//! A file's history as the pages show it: field changes with labels and readable values,
//! split by control in one pass, the assessment's own events beside them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as J;

use super::data::{ChangeView, DiffLine, HistoryEntry};
use super::filters::{capitalize, field_label, show, time};
use crate::ops::history::{FileHistory, LogChange, LogEntry};

pub(super) fn change_view(c: &LogChange) -> ChangeView {
    let Some(field) = &c.field else {
        return ChangeView {
            what: match (&c.old, &c.new) {
                (Some(J::String(from)), Some(J::String(to)))
                    if c.change.starts_with("rename group") =>
                {
                    format!("Group renamed from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}")
                }
                _ => capitalize(&c.change),
            },
            old: None,
            new: None,
            diff: Vec::new(),
        };
    };
    let diff: Vec<DiffLine> = c
        .diff
        .as_deref()
        .map(|d| {
            d.lines()
                .map(|l| {
                    let (kind, text) = match l.chars().next() {
                        Some('+') => ("add", &l[1..]),
                        Some('-') => ("del", &l[1..]),
                        Some(' ') => ("same", &l[1..]),
                        _ => ("same", l),
                    };
                    DiffLine {
                        kind,
                        text: text.to_owned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let (old, new) = if diff.is_empty() {
        (
            c.old.as_ref().map(|v| show(field, v)),
            c.new.as_ref().map(|v| show(field, v)),
        )
    } else {
        (None, None)
    };
    ChangeView {
        what: field_label(field),
        old,
        new,
        diff,
    }
}

pub(super) fn history_entry(entry: &LogEntry, changes: Vec<ChangeView>) -> HistoryEntry {
    HistoryEntry {
        date: time(entry.commit.time),
        author: entry.commit.author_name.clone(),
        email: entry.commit.author_email.clone(),
        commit: entry.commit.short.clone(),
        summary: entry.commit.summary.clone(),
        changes,
    }
}

pub(super) const RECENT_HISTORY: usize = 3;

/// Splits a file's history by control (and the assessment's own events), in one pass.
pub(super) fn split_history(
    h: Option<&FileHistory>,
) -> (HashMap<String, Vec<HistoryEntry>>, Vec<HistoryEntry>) {
    let mut by_control: HashMap<String, Vec<HistoryEntry>> = HashMap::new();
    let mut events = Vec::new();
    let Some(h) = h else {
        return (by_control, events);
    };
    for entry in &h.entries {
        let mut per: BTreeMap<&str, Vec<ChangeView>> = BTreeMap::new();
        let mut own = Vec::new();
        for c in &entry.changes {
            match &c.control {
                Some(control) => per.entry(control).or_default().push(change_view(c)),
                None => own.push(change_view(c)),
            }
        }
        for (control, changes) in per {
            by_control
                .entry(control.to_owned())
                .or_default()
                .push(history_entry(entry, changes));
        }
        let touched = entry.changes.iter().filter(|c| c.control.is_some()).count();
        if touched > 0 {
            let controls: BTreeSet<&str> = entry
                .changes
                .iter()
                .filter_map(|c| c.control.as_deref())
                .collect();
            own.push(ChangeView {
                what: format!(
                    "{touched} field change{} on {} control{}",
                    if touched == 1 { "" } else { "s" },
                    controls.len(),
                    if controls.len() == 1 { "" } else { "s" }
                ),
                old: None,
                new: None,
                diff: Vec::new(),
            });
        }
        events.push(history_entry(entry, own));
    }
    (by_control, events)
}
