//! A file's versions read incrementally: a version is mostly its neighbour in history (or
//! the other side of a diff) with a control's entry edited (or one added or removed), so
//! when the bytes that differ lie within the neighbour's `controls:` entries, the lines
//! of the entries they touch are read on their own (see [`yaml::entries_slice`]), and
//! the version is its neighbour with those entries replaced: only their lines were
//! parsed. Anything else — a change outside `controls:`, an anchor, alias or tag, a
//! neighbour without such entries — parses the version whole. Either way the result is
//! the same as parsing it whole.
//!
//! Two ways of keeping a version ([`Keep`]): cut down to one control, as `assure log A C`
//! reads them ([`super::history::Versions::only_control`]), where a version that does not
//! read as an assessment is kept whole, so the entries read must read as control records
//! whose keys no other entry has; or whole, as a diff compares them, where the entries
//! read must have the replaced entries' keys in the same order, so the JSON object's
//! keys keep their order and each value is replaced in place.

use serde::Deserialize;
use serde_json::Value as J;

use crate::model::{Assessment, ControlRecord};
use crate::repo::yaml::{self, EntryLines};

/// What a [`Cut`] keeps of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keep<'a> {
    /// Only this control of its controls, when it reads as an assessment.
    Control(&'a str),
    /// All of it.
    Whole,
}

/// A version of the file, as a comparison reads it and as the next version builds on it.
#[derive(Debug, Clone)]
pub(super) struct Cut {
    /// The version as JSON: cut down to the control when so kept and it reads as an
    /// assessment, whole when not; `None` when it is not YAML (or not UTF-8).
    pub json: Option<J>,
    /// Whether a neighbour may build on it: it reads as an assessment (kept to one
    /// control), or it is YAML (kept whole).
    valid: bool,
    text: String,
    /// Its controls' entries as lines, when a neighbour may be read as this version
    /// with one entry replaced.
    entries: Option<Vec<EntryLines>>,
}

impl Cut {
    /// Reads `text` whole, keeping what `keep` says.
    pub(super) fn full(text: Option<String>, keep: Keep) -> Cut {
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
            cut.valid = match keep {
                Keep::Control(_) => Assessment::deserialize(&json).is_ok(),
                Keep::Whole => true,
            };
            if cut.valid {
                if let (Keep::Control(control), Some(J::Object(controls))) =
                    (keep, json.get_mut("controls"))
                {
                    controls.retain(|id, _| id == control);
                }
                cut.entries = entries;
            }
            cut.json = Some(json);
        }
        cut.text = text;
        cut
    }

    /// `text` read as `base` (kept as `keep` says, as `base` was) with a run of its
    /// controls' entries replaced, when it is that (see the module's documentation);
    /// `None` when it may be anything else.
    pub(super) fn next(base: &Cut, text: &str, keep: Keep) -> Option<Cut> {
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
        let mut json = base.json.clone()?;
        let controls = json.get_mut("controls")?.as_object_mut()?;
        match keep {
            Keep::Control(control) => replace_control(
                controls,
                &entries[..i],
                &entries[i..=j],
                &entries[j + 1..],
                &read,
                control,
            )?,
            Keep::Whole => replace_in_place(controls, &entries[i..=j], &read)?,
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

/// Entries read in place of `replaced`, each with its value.
type Read = [(EntryLines, J)];

/// `controls` (cut down to `control`) with the entries `replaced` read as `read`, the
/// entries `before` and `after` kept: `None` unless every entry read is a control record
/// whose key no kept entry has (as in the version parsed whole, which reads as an
/// assessment then).
fn replace_control(
    controls: &mut serde_json::Map<String, J>,
    before: &[EntryLines],
    replaced: &[EntryLines],
    after: &[EntryLines],
    read: &Read,
    control: &str,
) -> Option<()> {
    let kept = || before.iter().chain(after);
    if read
        .iter()
        .any(|(_, v)| ControlRecord::deserialize(v).is_err())
        || kept().any(|e| read.iter().any(|(l, _)| l.key == e.key))
    {
        return None;
    }
    let new_one = read.iter().find(|(l, _)| l.key == control);
    if new_one.is_some() || replaced.iter().any(|e| e.key == control) {
        match new_one {
            Some((_, v)) => controls.insert(control.to_owned(), v.clone()),
            None => controls.remove(control),
        };
    }
    Some(())
}

/// `controls` (whole) with the entries `replaced` read as `read`: `None` unless `read`
/// has the same keys in the same order, so each value is replaced where it is and the
/// object's keys keep the order the version parsed whole has.
fn replace_in_place(
    controls: &mut serde_json::Map<String, J>,
    replaced: &[EntryLines],
    read: &Read,
) -> Option<()> {
    if read.len() != replaced.len() || read.iter().zip(replaced).any(|((l, _), e)| l.key != e.key) {
        return None;
    }
    for (l, v) in read {
        *controls.get_mut(&l.key)? = v.clone();
    }
    Some(())
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
