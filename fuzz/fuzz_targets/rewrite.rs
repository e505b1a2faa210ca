//! The minimal-diff YAML editor: take a YAML file, change one thing in its JSON form,
//! rewrite the text to hold the new document, and read the result back.
//!
//! Input layout: the file's text, a NUL byte, then control bytes (read with `arbitrary`)
//! that pick the operation (set a value, add a key, remove a key), the place (one of the
//! document's existing values or mappings) and the new value (scalars and strings built
//! from YAML's awkward pieces: quotes, colons, `#`, newlines, look-alike numbers and
//! booleans, non-ASCII; and nested lists and mappings).
//!
//! Invariants: `rewrite` may refuse (an `Err`), but if it returns text, that text parses,
//! reads back as exactly the intended document (a key holding null, `[]` or `{}` counts as
//! absent, as the editor's callers compare typed values), and, for a changed value, every
//! line before the entry is unchanged.
//!
//! `ASSURE_FUZZ_SHOW=1` prints each input's text, intended document and outcome (the
//! rewritten text or the reason for refusing), to turn a finding into a test.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use assure::edit::rewrite::rewrite;
use assure::repo::yaml::{self, Node, Value};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value as J};

/// Pieces that YAML gives a meaning, or that look like another type.
const PIECES: &[&str] = &[
    "",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "\r\n",
    ":",
    ": ",
    " #",
    "#",
    "'",
    "\"",
    "\\",
    "-",
    "- ",
    "? ",
    "|",
    ">",
    "&a",
    "*a",
    "!",
    "!!str",
    "%",
    "@",
    "`",
    ",",
    "[",
    "]",
    "{",
    "}",
    "---",
    "...",
    "yes",
    "No",
    "on",
    "true",
    "False",
    "null",
    "~",
    "0",
    "1",
    "-1",
    "0x1F",
    "0o17",
    "1e3",
    "1.5",
    ".inf",
    "-.Inf",
    ".nan",
    "6.10.1.2",
    "2019-04-02",
    "12:30",
    "é",
    "—",
    "日本",
    "\u{feff}",
    "\u{85}",
    "\u{2028}",
    "\u{a0}",
    "\u{1F600}",
    "a",
    "key",
    "value",
];

#[derive(Debug)]
enum Op {
    /// Replace the value at a path.
    Set,
    /// Add a key to a mapping.
    Insert(String),
    /// Remove a key from a mapping.
    Remove,
}

fn piece_string(u: &mut Unstructured) -> arbitrary::Result<String> {
    let mut s = String::new();
    for _ in 0..u.int_in_range(0..=6)? {
        if u.ratio(1, 4)? {
            s.push_str(&String::arbitrary(u)?);
        } else {
            s.push_str(u.choose(PIECES)?);
        }
    }
    Ok(s)
}

fn value(u: &mut Unstructured, depth: usize) -> arbitrary::Result<J> {
    let max = if depth >= 4 { 5 } else { 7 };
    Ok(match u.int_in_range(0..=max)? {
        0 => J::Null,
        1 => J::Bool(bool::arbitrary(u)?),
        2 => J::from(i64::arbitrary(u)?),
        3 => {
            let f = f64::arbitrary(u)?;
            serde_json::Number::from_f64(f).map_or(J::Null, J::Number)
        }
        4 | 5 => J::String(piece_string(u)?),
        6 => {
            let mut items = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                items.push(value(u, depth + 1)?);
            }
            J::Array(items)
        }
        _ => {
            let mut map = Map::new();
            for _ in 0..u.int_in_range(0..=3)? {
                map.insert(piece_string(u)?, value(u, depth + 1)?);
            }
            J::Object(map)
        }
    })
}

/// A path segment: a mapping key or a sequence index.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Every value in the tree (with the entry that holds it, if a mapping does), and every
/// mapping, by path.
fn collect<'n>(
    node: &'n Node,
    path: &mut Vec<Seg>,
    values: &mut Vec<(Vec<Seg>, &'n Node, Option<&'n yaml::Entry>)>,
    maps: &mut Vec<(Vec<Seg>, &'n Node)>,
) {
    match &node.value {
        Value::Map(entries) => {
            maps.push((path.clone(), node));
            for e in entries {
                path.push(Seg::Key(e.key.clone()));
                values.push((path.clone(), &e.value, Some(e)));
                collect(&e.value, path, values, maps);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                values.push((path.clone(), item, None));
                collect(item, path, values, maps);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at_mut<'j>(doc: &'j mut J, path: &[Seg]) -> &'j mut J {
    path.iter().fold(doc, |j, seg| match seg {
        Seg::Key(k) => &mut j[k.as_str()],
        Seg::Index(i) => &mut j[*i],
    })
}

/// The document with mapping keys whose value is null, `[]` or `{}` dropped (the editor
/// treats them as absent), and an empty document as null (an empty file).
fn normalise_doc(v: &J) -> J {
    let v = normalise(v);
    if is_empty(&v) { J::Null } else { v }
}

fn normalise(v: &J) -> J {
    match v {
        J::Object(map) => J::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalise(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        J::Array(items) => J::Array(items.iter().map(normalise).collect()),
        other => other.clone(),
    }
}

fn is_empty(v: &J) -> bool {
    match v {
        J::Null => true,
        J::Array(a) => a.is_empty(),
        J::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Where the lines a change at `path` may touch begin: those of the last mapping key on
/// `path` before its first list index or flow collection (a change inside either
/// re-renders it), or of an explicit key (`? key`) holding it, which the editor writes
/// anew as `key: value`.
fn unchanged_before(text: &str, root: &Node, path: &[Seg]) -> Option<usize> {
    let mut node = root;
    let mut start = None;
    for seg in path {
        let Seg::Key(k) = seg else { break };
        let e = node.entry(k)?;
        let line = entry_line(text, e);
        let explicit = text[line..e.key_span.start]
            .trim_start_matches([' ', '\t', '-', '\u{feff}'])
            .starts_with('?');
        if !matches!(start, Some((_, true))) {
            start = Some((line, explicit));
        }
        node = &e.value;
        // A change inside a flow collection (`{…}`, `[…]`) re-renders it, like a list.
        let props = text[node.span.clone()]
            .split_whitespace()
            .take_while(|w| w.starts_with(['&', '!']));
        let rest = props.fold(&text[node.span.clone()], |t, w| {
            t.trim_start().strip_prefix(w).unwrap_or(t)
        });
        if rest.trim_start().starts_with(['{', '[']) {
            break;
        }
    }
    start.map(|(line, _)| line)
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

/// The start of the line an entry begins on: its key's, or that of the `?` before an
/// explicit key (the key may follow it after blank and comment lines; an empty one is
/// placed where the parser stopped looking for it).
fn entry_line(text: &str, entry: &yaml::Entry) -> usize {
    let key_line = line_start(text, entry.key_span.start);
    // (A byte order mark starting a line is not part of its indentation.)
    let bom = |at: usize| {
        let rest = &text[at..];
        rest.len() - rest.trim_start_matches('\u{feff}').len()
    };
    // (An empty key may be placed before the mark.)
    let key_column = (entry.key_span.start - key_line).saturating_sub(bom(key_line));
    let mut pos = entry.key_span.start;
    loop {
        let start = line_start(text, pos);
        let line = &text[start..pos];
        let code = line
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
            .map_or(line, |(i, _)| &line[..i])
            .trim_end();
        let code = &code[bom(start).min(code.len())..];
        let question =
            code.trim_start() == "?" && (code.len() - 1 < key_column || entry.key_span.is_empty());
        if code.ends_with('?') && (start == key_line || question || entry.key_span.is_empty()) {
            return start;
        }
        if !code.trim().is_empty() || start == 0 {
            return key_line;
        }
        pos = start - 1;
    }
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(text) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let mut u = Unstructured::new(data.get(split + 1..).unwrap_or_default());
    let Ok(root) = yaml::parse(text) else {
        return;
    };
    let (mut values, mut maps) = (Vec::new(), Vec::new());
    collect(&root, &mut Vec::new(), &mut values, &mut maps);
    if matches!(root.value, Value::Null) {
        maps.push((Vec::new(), &root));
    }
    let Ok(op) = (|| -> arbitrary::Result<Op> {
        Ok(match u.int_in_range(0..=3)? {
            0 | 1 => Op::Set,
            2 => Op::Insert(piece_string(&mut u)?),
            _ => Op::Remove,
        })
    })() else {
        return;
    };
    let mut doc = root.to_json();
    // Where the lines a `Set` may change begin: everything before them must stay.
    let mut keep = None;
    match &op {
        Op::Set => {
            let Ok((path, _, _)) = u.choose(&values) else {
                return;
            };
            let Ok(new) = value(&mut u, path.len()) else {
                return;
            };
            *at_mut(&mut doc, path) = new;
            // A change inside a list item re-renders the list (by design), so the entry
            // that must be the only one touched is the one holding the outermost list.
            keep = unchanged_before(text, &root, path);
        }
        Op::Insert(key) => {
            let Ok((path, _)) = u.choose(&maps) else {
                return;
            };
            let Ok(new) = value(&mut u, path.len()) else {
                return;
            };
            let target = at_mut(&mut doc, path);
            if target.is_null() {
                *target = J::Object(Map::new());
            }
            let Some(map) = target.as_object_mut() else {
                return;
            };
            map.insert(key.clone(), new);
        }
        Op::Remove => {
            let keyed: Vec<_> = values.iter().filter(|(_, _, e)| e.is_some()).collect();
            let Ok((path, _, _)) = u.choose(&keyed) else {
                return;
            };
            let (last, parent) = path.split_last().expect("a keyed value has a path");
            let Seg::Key(key) = last else {
                unreachable!("keyed values end in a key")
            };
            if let Some(map) = at_mut(&mut doc, parent).as_object_mut() {
                map.shift_remove(key);
            }
        }
    }
    if std::env::var_os("ASSURE_FUZZ_SHOW").is_some() {
        // For turning a finding into a test: the document the input asks for.
        eprintln!("text: {text:?}\nintended: {doc}");
    }
    let result = rewrite(text, &doc);
    if std::env::var_os("ASSURE_FUZZ_SHOW").is_some() {
        match &result {
            Ok(out) => eprintln!("rewritten: {out:?}"),
            Err(e) => eprintln!("refused: {e}"),
        }
    }
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            // A refusal because of aliases needs an alias in the file.
            assert!(
                !e.to_string().contains("alias") || text.contains('*'),
                "refused for an alias in a file without one: {e}\n{text}"
            );
            return;
        }
    };
    let back = match yaml::parse(&out) {
        Ok(back) => back,
        Err(e) => panic!(
            "the rewrite does not parse ({:?} at {:?}: {}):\n--- before\n{text}\n--- after\n{out}",
            e.kind, e.span, e.message
        ),
    };
    assert_eq!(
        normalise_doc(&back.to_json()),
        normalise_doc(&doc),
        "the rewrite does not read back as intended ({op:?}):\n--- before\n{text}\n--- after\n{out}"
    );
    if let Some(keep) = keep {
        // The lines before the changed entry stay byte for byte.
        assert_eq!(
            out.get(..keep),
            Some(&text[..keep]),
            "lines before the changed entry changed:\n--- before\n{text}\n--- after\n{out}"
        );
    }
});
