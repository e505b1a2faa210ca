//! The versions of one assessment file cut down to one control, as `assure log A C`
//! reads them ([`super::history::Versions::only_control`]), read incrementally: a
//! version is mostly its neighbour in history with one control's entry edited (or one
//! added or removed), so when the bytes that differ lie within the neighbour's
//! `controls:` entries, the lines of the entries they touch are read on their own (see
//! [`yaml::entries_slice`]); when those read as control records whose keys no other entry
//! has, the version is its neighbour with those entries replaced, and only their lines
//! were parsed. Anything else — a change outside `controls:`, an anchor, alias or tag, a
//! neighbour that does not read as an assessment, a record that does not read as a
//! control record — parses the version whole. Either way the result is the same as
//! parsing it whole.

use serde::Deserialize;
use serde_json::Value as J;

use crate::model::{Assessment, ControlRecord};
use crate::repo::yaml::{self, EntryLines};

/// A version of the file, as the log compares it and as the next version builds on it.
#[derive(Debug, Clone)]
pub(super) struct Cut {
    /// The version as JSON: cut down to the control when it reads as an assessment,
    /// whole when not; `None` when it is not YAML (or not UTF-8).
    pub json: Option<J>,
    /// Whether it reads as an assessment.
    valid: bool,
    text: String,
    /// Its controls' entries as lines, when a neighbour may be read as this version
    /// with one entry replaced.
    entries: Option<Vec<EntryLines>>,
}

impl Cut {
    /// Reads `text` whole, keeping `control` of its controls when it reads as an
    /// assessment.
    pub(super) fn full(text: Option<String>, control: &str) -> Cut {
        let mut cut = Cut {
            json: None,
            valid: false,
            text: String::new(),
            entries: None,
        };
        let Some(text) = text else {
            return cut;
        };
        if let Ok((mut json, entries)) = yaml::mapping_entries(&text, "controls") {
            cut.valid = Assessment::deserialize(&json).is_ok();
            if cut.valid {
                if let Some(J::Object(controls)) = json.get_mut("controls") {
                    controls.retain(|id, _| id == control);
                }
                cut.entries = entries;
            }
            cut.json = Some(json);
        }
        cut.text = text;
        cut
    }

    /// `text` read as `base` with a run of its controls' entries replaced, when it is
    /// that (see the module's documentation); `None` when it may be anything else.
    pub(super) fn next(base: &Cut, text: &str, control: &str) -> Option<Cut> {
        if !base.valid {
            return None;
        }
        let entries = base.entries.as_ref()?;
        let first = entries.first()?.lines.start;
        let indent = base.text[first..]
            .bytes()
            .take_while(|&b| b == b' ')
            .count();
        let (i, j) = touched(entries, indent, base.text.as_bytes(), text.as_bytes())?;
        let shift = |at: usize| (at + text.len()).checked_sub(base.text.len());
        let (from, to) = (entries[i].lines.start, shift(entries[j].lines.end)?);
        let read = yaml::entries_slice(text.get(from..to)?, indent)?;
        let kept = || entries[..i].iter().chain(&entries[j + 1..]);
        if read
            .iter()
            .any(|(_, v)| ControlRecord::deserialize(v).is_err())
            || kept().any(|e| read.iter().any(|(l, _)| l.key == e.key))
        {
            return None;
        }
        let mut json = base.json.clone()?;
        let new_one = read.iter().find(|(l, _)| l.key == control);
        if new_one.is_some() || entries[i..=j].iter().any(|e| e.key == control) {
            let controls = json.get_mut("controls")?.as_object_mut()?;
            match new_one {
                Some((_, v)) => controls.insert(control.to_owned(), v.clone()),
                None => controls.remove(control),
            };
        }
        let mut lines = entries[..i].to_vec();
        lines.extend(read.into_iter().map(|(l, _)| EntryLines {
            key: l.key,
            lines: l.lines.start + from..l.lines.end + from,
        }));
        for e in &entries[j + 1..] {
            lines.push(EntryLines {
                key: e.key.clone(),
                lines: shift(e.lines.start)?..shift(e.lines.end)?,
            });
        }
        Some(Cut {
            json: Some(json),
            valid: true,
            text: text.to_owned(),
            entries: Some(lines),
        })
    }

    /// The bytes of YAML behind it.
    pub(super) fn size(&self) -> usize {
        self.text.len()
    }
}

/// The entries (first and last index) that the change from `old` to `new` touches: from
/// the one holding the first byte that differs — or the one before, when that byte is
/// in the indentation or first character of a key's line (`indent` spaces), so the
/// lines read on their own start with an unchanged key line — to the one holding the
/// first byte of the common end (so the line break that ends the last one is
/// unchanged); `None` when the change is not within the entries.
fn touched(
    entries: &[EntryLines],
    indent: usize,
    old: &[u8],
    new: &[u8],
) -> Option<(usize, usize)> {
    // The common prefix and suffix, never overlapping: what differs is
    // old[p..old.len() - s] and new[p..new.len() - s].
    let p = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - p;
    let s = old[p..]
        .iter()
        .rev()
        .zip(new[p..].iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let holding = |at: usize| {
        let k = entries.partition_point(|e| e.lines.end <= at);
        entries.get(k).filter(|e| e.lines.start <= at).map(|_| k)
    };
    Some((
        holding(p.checked_sub(indent + 1)?)?,
        holding(old.len() - s)?,
    ))
}
