//! A mapping's entries as lines of the file, and a run of entries' lines read on their
//! own: what `assure log A C` and a diff need to read a version of a file as its
//! neighbour with a few entries replaced (see `ops::cut`), instead of parsing every
//! version whole.
//!
//! The reading of entries on their own is only offered where it cannot differ from
//! their reading inside the file: a block mapping's entries are read by their own
//! indentation, whatever surrounds them, as long as nothing in them ends the document (a
//! line at the first column), refers to or defines anything elsewhere (an anchor or
//! alias), is tagged, or nests too deep for one level more.

use std::ops::Range;

use super::build::Builder;
use super::layout::Style;
use super::{Error, Node, Value};

/// One entry of a block mapping, as lines of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryLines {
    pub key: String,
    /// From the start of its key's line to the start of the next key's line (the next
    /// entry's, or for the last entry, the next top-level key's; or the end of the text):
    /// the comment lines after an entry are its own.
    pub lines: Range<usize>,
}

/// How deep entries read on their own may nest (JSON levels, their mapping included):
/// well below [`super::MAX_DEPTH`], so the file, which nests them deeper, is within the
/// bound too.
const ENTRY_DEPTH: usize = 32;

/// Parses `text` (one document: accepted and refused as [`super::parse_to_json`] does)
/// to JSON; with the entries, as lines, of the block mapping under the top-level key
/// `key`, when the document is laid out so that entries can be read on their own (see
/// [`entries_slice`]): the document a block mapping, `key`'s value a block mapping whose
/// every key starts its own line, indented by spaces, and no anchor, alias or tag
/// anywhere in the document (an alias's budget depends on the whole file).
pub fn mapping_entries(
    text: &str,
    key: &str,
) -> Result<(serde_json::Value, Option<Vec<EntryLines>>), Error> {
    let (node, marked) = Builder::<Node>::new(text).run_marked()?;
    let lines = if marked {
        None
    } else {
        top_entry_lines(text, &node, key)
    };
    Ok((node.to_json(), lines))
}

/// Where the line holding byte `at` starts.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The entries of the block mapping at `root[key]`, as lines (see [`mapping_entries`]).
fn top_entry_lines(text: &str, root: &Node, key: &str) -> Option<Vec<EntryLines>> {
    let Value::Map(top) = &root.value else {
        return None;
    };
    let i = top.iter().position(|e| e.key == key)?;
    if root.style != Style::Block {
        return None;
    }
    let end = match top.get(i + 1) {
        Some(next) => line_start(text, next.key_span.start),
        None => text.len(),
    };
    entry_lines(text, &top[i].value, end)
}

/// The entries of `mapping`, a block mapping whose last entry ends at `end`, as lines;
/// `None` if it is not a block mapping, or a key does not start its line.
fn entry_lines(text: &str, mapping: &Node, end: usize) -> Option<Vec<EntryLines>> {
    let Value::Map(entries) = &mapping.value else {
        return None;
    };
    if mapping.style != Style::Block {
        return None;
    }
    let mut starts = Vec::with_capacity(entries.len() + 1);
    for e in entries {
        let start = line_start(text, e.key_span.start);
        let indent = &text[start..e.key_span.start];
        if indent.is_empty() || indent.bytes().any(|b| b != b' ') {
            return None;
        }
        starts.push(start);
    }
    starts.push(end);
    if starts.windows(2).any(|w| w[0] >= w[1]) {
        return None;
    }
    Some(
        entries
            .iter()
            .zip(starts.windows(2))
            .map(|(e, w)| EntryLines {
                key: e.key.clone(),
                lines: w[0]..w[1],
            })
            .collect(),
    )
}

/// Reads `text`, the lines of entries of a block mapping indented by `indent` spaces,
/// cut out of a file (see [`EntryLines`]), on their own: each entry's lines (within
/// `text`), and its value as JSON — when the file reads them the same way: a block
/// mapping whose first line is a key indented by `indent` spaces, its last line ended;
/// no line at the first column but blank and comment lines (a `---` or `...` there would
/// end the document in the file); no anchor, alias or tag; nested less than
/// [`ENTRY_DEPTH`] deep. `None` when it is anything else, or does not parse.
pub fn entries_slice(text: &str, indent: usize) -> Option<Vec<(EntryLines, serde_json::Value)>> {
    let key_at = text.bytes().position(|b| b != b' ')?;
    if indent == 0
        || key_at != indent
        || matches!(text.as_bytes()[key_at], b'#' | b'\r' | b'\n' | b'\t')
        || !text.ends_with('\n')
    {
        return None;
    }
    let first_column_ok = text
        .split_inclusive('\n')
        .all(|line| matches!(line.as_bytes().first(), Some(b' ' | b'\n' | b'\r' | b'#')));
    if !first_column_ok {
        return None;
    }
    let (node, marked) = Builder::<Node>::new(text).run_marked().ok()?;
    if marked {
        return None;
    }
    let lines = entry_lines(text, &node, text.len())?;
    let json = node.to_json();
    if depth(&json) >= ENTRY_DEPTH {
        return None;
    }
    let serde_json::Value::Object(map) = json else {
        return None;
    };
    lines
        .into_iter()
        .map(|l| map.get(&l.key).cloned().map(|v| (l, v)))
        .collect()
}

/// How many levels of lists and mappings `v` nests (a scalar: 0).
fn depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "service: s\ncontrols:\n  A:\n    status: planned\n# about B\n  B:\n    notes: |\n      two\n      lines\n  'C':\n    status: x\nafter: 1\n";

    #[test]
    fn entries_run_from_key_line_to_next_key_line() {
        let (json, lines) = mapping_entries(FILE, "controls").expect("valid");
        assert_eq!(json, super::super::parse_to_json(FILE).expect("valid"));
        let lines = lines.expect("laid out");
        let keys: Vec<&str> = lines.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["A", "B", "C"]);
        assert_eq!(
            &FILE[lines[0].lines.clone()],
            "  A:\n    status: planned\n# about B\n"
        );
        assert_eq!(
            &FILE[lines[1].lines.clone()],
            "  B:\n    notes: |\n      two\n      lines\n"
        );
        assert_eq!(&FILE[lines[2].lines.clone()], "  'C':\n    status: x\n");
        for e in &lines {
            let got = entries_slice(&FILE[e.lines.clone()], 2).expect("an entry");
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].0.key, e.key);
            assert_eq!(got[0].0.lines, 0..e.lines.len());
            assert_eq!(got[0].1, json["controls"][&e.key]);
        }
        let two = &FILE[lines[0].lines.start..lines[1].lines.end];
        let got = entries_slice(two, 2).expect("two entries");
        let keys: Vec<&str> = got.iter().map(|(l, _)| l.key.as_str()).collect();
        assert_eq!(keys, ["A", "B"]);
        assert_eq!(
            got[1].0.lines.start,
            lines[1].lines.start - lines[0].lines.start
        );
    }

    #[test]
    fn no_lines_for_flow_style_or_anchors() {
        let flow = "controls: {A: {status: x}}\n";
        assert_eq!(mapping_entries(flow, "controls").expect("valid").1, None);
        let anchored = "controls:\n  A: &a\n    status: x\n  B: *a\n";
        assert_eq!(
            mapping_entries(anchored, "controls").expect("valid").1,
            None
        );
        let tagged = "t: !!str 1\ncontrols:\n  A:\n    status: x\n";
        assert_eq!(mapping_entries(tagged, "controls").expect("valid").1, None);
    }

    #[test]
    fn entries_alone_must_be_plain_block_entries_at_the_indentation() {
        assert!(entries_slice("  A:\n    status: x\n", 2).is_some());
        for text in [
            "  A:\n    status: x",
            "   A:\n    status: x\n",
            "# c\n  A: 1\n",
            "  A: &x 1\n",
            "  A: !!str 1\n",
            "  A:\n    s: x\n...\n",
            "  A:\n    s: x\n---\n",
            "  {A: 1}\n",
            "  A: [\n",
            "\n",
        ] {
            assert_eq!(entries_slice(text, 2), None, "{text:?}");
        }
        let deep = format!("  A: {}1{}\n", "[".repeat(40), "]".repeat(40));
        assert_eq!(entries_slice(&deep, 2), None);
    }
}
