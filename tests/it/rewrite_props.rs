//! Property test of the minimal-diff rewriter (`assure::edit::rewrite`), through the
//! library API the editing commands use: parse a file with `assure::repo::yaml::parse`,
//! change its JSON form, `rewrite` the text.
//!
//! Documents are generated in varied layouts: block and flow mappings and lists, plain,
//! single- and double-quoted, literal and folded scalars, comments after values and on
//! lines of their own, blank lines, indentation steps of 2 and 4, indentless lists, LF or
//! CRLF line breaks. One edit is made: a scalar changed, a scalar replaced by a mapping,
//! a key added or removed (at the top or in a nested mapping), a list item appended or
//! removed. The property, for every accepted rewrite:
//!
//! 1. the result parses, and its JSON form is exactly the intended document, up to the
//!    one liberty the editor documents: a key whose value is empty (null, `[]`, `{}`) may
//!    be left out, and a document left with no keys may be an empty file;
//! 2. every byte outside the edited top-level entry is unchanged: with the entry's text
//!    being the lines from its key to its value's last line (its comments on those lines
//!    included; blank and comment lines between entries are not part of any entry), the
//!    text before the entry is a prefix of the result and the text after it a suffix, not
//!    overlapping. A new top-level key is an insertion: the result is the original with
//!    text inserted at one line start, nothing else changed;
//! 3. no comment is lost where the entry is edited in place (a scalar set outside a list,
//!    a key added, a nested key removed from a mapping it does not empty); the editor
//!    re-renders, and may drop the comment of, an entry whose scalar became a mapping,
//!    whose list changed, or whose mapping was emptied.
//!
//! A rewrite may refuse only for a reason the rewriter documents (none of which these
//! layouts should need); refusals are counted and must stay rare, so the property is not
//! vacuous.

use std::sync::atomic::{AtomicUsize, Ordering};

use assure::edit::rewrite::rewrite;
use assure::repo::yaml;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value as J, json};

use crate::support::normalised;

/// A scalar as written in the file.
#[derive(Debug, Clone)]
enum Scalar {
    Plain(String),
    Single(String),
    Double(String),
    /// A `|` block of these lines.
    Literal(Vec<String>),
    /// A `>` block of these lines.
    Folded(Vec<String>),
    Int(i64),
    Bool(bool),
    /// Nothing after the `:`.
    Empty,
}

/// A value as written in the file.
#[derive(Debug, Clone)]
enum Val {
    Scalar(Scalar),
    /// `[a, b]`
    FlowSeq(Vec<String>),
    /// `{a: x, b: y}`
    FlowMap(Vec<(String, String)>),
    /// `- item` lines; `indentless` puts the dashes as deep as the key.
    BlockSeq {
        items: Vec<Scalar>,
        indentless: bool,
    },
    /// Nested `key: value` lines (one level: their values are no deeper than this).
    BlockMap(Vec<(String, Val)>),
}

/// One top-level entry, with what comes before it.
#[derive(Debug, Clone)]
struct TopEntry {
    value: Val,
    /// A comment after the value (on the key's line, or the value's last line for a
    /// scalar or flow value).
    comment: bool,
    /// Blank lines before the entry.
    blank_before: usize,
    /// A comment line before the entry.
    comment_before: bool,
}

#[derive(Debug, Clone)]
struct Doc {
    entries: Vec<TopEntry>,
    unit: usize,
    crlf: bool,
    /// A comment line at the end of the file.
    trailing_comment: bool,
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "alpha",
        "beta",
        "gamma",
        "delta",
        "x",
        "AC-1",
        "ISO 27001",
        "n/a",
        "v1.2",
        "done",
    ])
    .prop_map(str::to_owned)
}

/// Text for a quoted scalar: words and characters that would need quotes when plain.
fn quoted_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "b c", ": ", " #", "'", "\"", ",", "[x]", "{y}", "-", "true", "1",
        ]),
        0..4,
    )
    .prop_map(|parts| parts.concat())
}

fn lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::collection::vec(word(), 1..3).prop_map(|w| w.join(" ")),
        1..4,
    )
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        3 => prop::collection::vec(word(), 1..3).prop_map(|w| Scalar::Plain(w.join(" "))),
        1 => quoted_text().prop_map(Scalar::Single),
        1 => quoted_text().prop_map(Scalar::Double),
        1 => lines().prop_map(Scalar::Literal),
        1 => lines().prop_map(Scalar::Folded),
        1 => (-1000i64..1000).prop_map(Scalar::Int),
        1 => any::<bool>().prop_map(Scalar::Bool),
        1 => Just(Scalar::Empty),
    ]
}

/// A scalar that fits on one line (a list item, where block scalars are left out to keep
/// the generator simple).
fn inline_scalar() -> impl Strategy<Value = Scalar> {
    scalar().prop_filter("inline", |s| {
        !matches!(s, Scalar::Literal(_) | Scalar::Folded(_) | Scalar::Empty)
    })
}

fn leaf() -> impl Strategy<Value = Val> {
    prop_oneof![
        4 => scalar().prop_map(Val::Scalar),
        1 => prop::collection::vec(word(), 0..4).prop_map(Val::FlowSeq),
        1 => prop::collection::vec((word(), word()), 0..3)
            .prop_map(|kv| Val::FlowMap(unique(kv))),
        1 => (prop::collection::vec(inline_scalar(), 1..4), any::<bool>())
            .prop_map(|(items, indentless)| Val::BlockSeq { items, indentless }),
    ]
}

fn value() -> impl Strategy<Value = Val> {
    prop_oneof![
        3 => leaf(),
        1 => prop::collection::vec((word(), leaf()), 1..4).prop_map(|kv| Val::BlockMap(unique(kv))),
    ]
}

/// Keeps the first of each key.
fn unique<T>(kv: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut seen = std::collections::HashSet::new();
    kv.into_iter()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect()
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        prop::collection::vec(
            (value(), any::<bool>(), 0usize..2, prop::bool::weighted(0.3)).prop_map(
                |(value, comment, blank_before, comment_before)| TopEntry {
                    value,
                    comment,
                    blank_before,
                    comment_before,
                },
            ),
            1..6,
        ),
        prop::sample::select(vec![2usize, 4]),
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(entries, unit, crlf, trailing_comment)| Doc {
            entries,
            unit,
            crlf,
            trailing_comment,
        })
}

/// A scalar's text on its key's line (after `key: `), and the lines of a block scalar at
/// `indent`.
fn scalar_text(s: &Scalar, indent: usize) -> (String, Vec<String>) {
    let pad = " ".repeat(indent);
    let block = |header: &str, lines: &[String]| {
        (
            header.to_owned(),
            lines.iter().map(|l| format!("{pad}{l}")).collect(),
        )
    };
    match s {
        Scalar::Plain(t) => (t.clone(), vec![]),
        Scalar::Single(t) => (format!("'{}'", t.replace('\'', "''")), vec![]),
        Scalar::Double(t) => (
            format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")),
            vec![],
        ),
        Scalar::Literal(l) => block("|", l),
        Scalar::Folded(l) => block(">", l),
        Scalar::Int(i) => (i.to_string(), vec![]),
        Scalar::Bool(b) => (b.to_string(), vec![]),
        Scalar::Empty => (String::new(), vec![]),
    }
}

/// The lines of `key: value` at `indent` (LF line breaks), the comment after the value
/// where `comment` says.
fn entry_lines(key: &str, v: &Val, indent: usize, unit: usize, comment: bool) -> Vec<String> {
    let pad = " ".repeat(indent);
    let note = |line: String| {
        if comment {
            format!("{line} # note")
        } else {
            line
        }
    };
    match v {
        Val::Scalar(s) => {
            let (head, body) = scalar_text(s, indent + unit);
            let line = format!(
                "{pad}{key}:{}{head}",
                if head.is_empty() { "" } else { " " }
            );
            // A comment goes after a block scalar's header, or after a one-line value.
            let mut out = vec![note(line)];
            out.extend(body);
            out
        }
        Val::FlowSeq(items) => vec![note(format!("{pad}{key}: [{}]", items.join(", ")))],
        Val::FlowMap(kv) => {
            let parts: Vec<String> = kv.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            vec![note(format!("{pad}{key}: {{{}}}", parts.join(", ")))]
        }
        Val::BlockSeq { items, indentless } => {
            let dash = " ".repeat(if *indentless { indent } else { indent + unit });
            let mut out = vec![note(format!("{pad}{key}:"))];
            out.extend(
                items
                    .iter()
                    .map(|s| format!("{dash}- {}", scalar_text(s, 0).0)),
            );
            out
        }
        Val::BlockMap(kv) => {
            let mut out = vec![note(format!("{pad}{key}:"))];
            for (k, v) in kv {
                out.extend(entry_lines(k, v, indent + unit, unit, false));
            }
            out
        }
    }
}

/// The file's text, and the byte range of each top-level entry's lines.
fn render(doc: &Doc) -> (String, Vec<std::ops::Range<usize>>) {
    let nl = if doc.crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    let mut ranges = Vec::new();
    for (i, e) in doc.entries.iter().enumerate() {
        for _ in 0..e.blank_before {
            text.push_str(nl);
        }
        if e.comment_before {
            text.push_str(&format!("# about k{i}{nl}"));
        }
        let start = text.len();
        for line in entry_lines(&format!("k{i}"), &e.value, 0, doc.unit, e.comment) {
            text.push_str(&line);
            text.push_str(nl);
        }
        ranges.push(start..text.len());
    }
    if doc.trailing_comment {
        text.push_str(&format!("# the end{nl}"));
    }
    (text, ranges)
}

/// One step of a path into the JSON document.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn at_mut<'a>(doc: &'a mut J, path: &[Seg]) -> &'a mut J {
    path.iter().fold(doc, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

/// Every path in `v` with its value.
fn paths(v: &J, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, J)>) {
    out.push((path.clone(), v.clone()));
    match v {
        J::Object(map) => {
            for (k, child) in map {
                path.push(Seg::Key(k.clone()));
                paths(child, path, out);
                path.pop();
            }
        }
        J::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                paths(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Op {
    SetScalar,
    ScalarToMap,
    AddKey,
    RemoveKey,
    AppendItem,
    RemoveItem,
}

/// A new value for a scalar, a key or an item.
fn new_scalar() -> impl Strategy<Value = J> {
    prop_oneof![
        3 => word().prop_map(J::String),
        1 => quoted_text().prop_map(J::String),
        1 => lines().prop_map(|l| J::String(l.join("\n") + "\n")),
        1 => (-1000i64..1000).prop_map(|i| json!(i)),
        1 => any::<bool>().prop_map(J::Bool),
        1 => Just(J::Null),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::SetScalar),
        1 => Just(Op::ScalarToMap),
        2 => Just(Op::AddKey),
        2 => Just(Op::RemoveKey),
        1 => Just(Op::AppendItem),
        1 => Just(Op::RemoveItem),
    ]
}

/// What [`apply`] changed: the top-level key of the entry (`None`: a new top-level key),
/// and whether the editor documents the change as made in place (a scalar set, a key added
/// or a nested one removed), not re-rendered (a scalar become a mapping, a list changed).
struct Applied {
    top: Option<String>,
    in_place: bool,
}

/// Applies `op` to the `pick`-th fitting place in `doc`, or `None` if no place fits.
fn apply(doc: &mut J, op: &Op, pick: usize, new: J) -> Option<Applied> {
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    let fits: Vec<&(Vec<Seg>, J)> = all
        .iter()
        .filter(|(path, v)| match op {
            Op::SetScalar | Op::ScalarToMap => !path.is_empty() && !v.is_object() && !v.is_array(),
            Op::AddKey => v.is_object(),
            Op::RemoveKey => matches!(path.last(), Some(Seg::Key(_))),
            Op::AppendItem => v.is_array(),
            Op::RemoveItem => v.as_array().is_some_and(|a| !a.is_empty()),
        })
        .collect();
    if fits.is_empty() {
        return None;
    }
    let (path, _) = fits[pick % fits.len()].clone();
    let top = match path.first() {
        Some(Seg::Key(k)) => Some(k.clone()),
        _ => None,
    };
    // (Nested entries have no comments: removing one loses none. A mapping left empty is
    // re-rendered, `k: {}`.)
    let in_place = match op {
        Op::SetScalar => !path.iter().any(|s| matches!(s, Seg::Index(_))),
        Op::AddKey => true,
        Op::RemoveKey => {
            path.len() > 1
                && at_mut(doc, &path[..path.len() - 1])
                    .as_object()
                    .is_some_and(|m| m.len() > 1)
        }
        Op::ScalarToMap | Op::AppendItem | Op::RemoveItem => false,
    };
    let target = at_mut(doc, &path);
    match op {
        Op::SetScalar => *target = new,
        Op::ScalarToMap => *target = json!({ "sub": new }),
        Op::AddKey => {
            target
                .as_object_mut()
                .expect("a mapping")
                .insert("added key".into(), new);
        }
        Op::RemoveKey => {
            let (Seg::Key(key), parent) = path.split_last().expect("a key") else {
                unreachable!("filtered on keys")
            };
            at_mut(doc, parent)
                .as_object_mut()
                .expect("a mapping")
                .shift_remove(key);
        }
        Op::AppendItem => target.as_array_mut().expect("a list").push(new),
        Op::RemoveItem => {
            let items = target.as_array_mut().expect("a list");
            items.remove(pick % items.len());
        }
    }
    Some(Applied { top, in_place })
}

/// The refusals the rewriter documents (`RewriteError`s); any other is a failure.
const DOCUMENTED_REFUSALS: &[&str] = &[
    "alias",
    "overlap",
    "laid out in a way this editor does not follow",
];

#[test]
fn edits_read_back_as_intended_and_change_nothing_else() {
    let accepted = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    let mut runner = runner(256);
    let cases = runner.config().cases as usize;
    let strategy = (doc(), op(), any::<usize>(), new_scalar());
    runner
        .run(&strategy, |(doc, op, pick, new)| {
            let (text, ranges) = render(&doc);
            let root = yaml::parse(&text)
                .map_err(|e| TestCaseError::fail(format!("generated {text:?}: {}", e.message)))?;
            let mut intended = root.to_json();
            let Some(Applied { top, in_place }) = apply(&mut intended, &op, pick, new) else {
                return Ok(());
            };
            let out = match rewrite(&text, &intended) {
                Ok(out) => out,
                Err(e) => {
                    let e = e.to_string();
                    prop_assert!(
                        DOCUMENTED_REFUSALS.iter().any(|r| e.contains(r)),
                        "undocumented refusal: {e}\n{text}"
                    );
                    refused.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
            };
            accepted.fetch_add(1, Ordering::Relaxed);
            // 1. It reads back as intended.
            let back = yaml::parse_to_json(&out)
                .map_err(|e| TestCaseError::fail(format!("{}:\n{text}\n---\n{out}", e.message)))?;
            prop_assert_eq!(
                normalised(&back),
                normalised(&intended),
                "{:?}\n--- before\n{}--- after\n{}",
                op,
                text,
                out
            );
            // 3. An entry edited in place keeps its comment (and the others keep theirs).
            if in_place {
                prop_assert_eq!(
                    out.matches("# note").count(),
                    text.matches("# note").count(),
                    "a comment lost ({:?})\n--- before\n{}--- after\n{}",
                    op,
                    text,
                    out
                );
            }
            // 2. Nothing outside the edited entry changed.
            match top {
                Some(key) => {
                    let i: usize = key[1..].parse().expect("keys are k<i>");
                    let (before, after) = (&text[..ranges[i].start], &text[ranges[i].end..]);
                    prop_assert!(
                        out.starts_with(before)
                            && out.ends_with(after)
                            && before.len() + after.len() <= out.len(),
                        "bytes outside `{}` changed ({:?})\n--- before\n{}--- after\n{}",
                        key,
                        op,
                        text,
                        out
                    );
                }
                None if out == text => {
                    // A new key with an empty value need not be written.
                    prop_assert!(empty(&intended["added key"]), "nothing added:\n{}", text);
                }
                None => {
                    // A new top-level key: an insertion at a line start.
                    let head = common_prefix(&text, &out);
                    let tail = text.len() - head;
                    prop_assert!(
                        out.len() > text.len() && out.ends_with(&text[head..]),
                        "not an insertion ({:?})\n--- before\n{}--- after\n{}",
                        op,
                        text,
                        out
                    );
                    let at = out.len() - tail;
                    let inserted = &out[head..at];
                    prop_assert!(
                        (head == 0
                            || text[..head].ends_with('\n')
                            || inserted.starts_with(['\r', '\n']))
                            && inserted.contains("added key"),
                        "inserted {:?} mid-line\n--- before\n{}--- after\n{}",
                        inserted,
                        text,
                        out
                    );
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (accepted, refused) = (accepted.into_inner(), refused.into_inner());
    eprintln!("{accepted} edits accepted, {refused} refused");
    // Most cases make an edit (a few pick an operation with no place in the document).
    assert!(
        accepted * 10 >= cases * 7,
        "only {accepted} edits accepted ({refused} refused)"
    );
    assert!(
        refused * 20 <= accepted,
        "{refused} refusals for {accepted} accepted edits"
    );
}

/// Whether a value is empty: a key holding it may be left out.
fn empty(v: &J) -> bool {
    match v {
        J::Null => true,
        J::Array(a) => a.is_empty(),
        J::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A runner with a fixed seed, so a failure shows in every run. To search further, set
/// `ASSURE_PROPTEST_CASES` (more cases) and `ASSURE_PROPTEST_SEED` (another seed: any
/// number).
fn runner(cases: u32) -> TestRunner {
    let env = |name| {
        std::env::var(name)
            .ok()
            .and_then(|v: String| v.parse::<u64>().ok())
    };
    let cases = env("ASSURE_PROPTEST_CASES").map_or(cases, |n| n as u32);
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&env("ASSURE_PROPTEST_SEED").unwrap_or(17).to_le_bytes());
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    )
}

/// The length of the common start of `a` and `b`, at a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

/// The generator itself: every layout it makes parses, to the values it wrote.
#[test]
fn generated_documents_parse_as_written() {
    let text = "k0: 'it''s: # not a comment' # note\nk1: |\n  one\n  two\nk2:\n- a\n- 'b'\nk3: {x: y} # note\n";
    let v = yaml::parse_to_json(text).expect("parses");
    assert_eq!(
        v,
        json!({"k0": "it's: # not a comment", "k1": "one\ntwo\n", "k2": ["a", "b"], "k3": {"x": "y"}})
    );
    let mut runner = runner(64);
    runner
        .run(&doc(), |doc| {
            let (text, ranges) = render(&doc);
            let v = yaml::parse_to_json(&text)
                .map_err(|e| TestCaseError::fail(format!("{}: {text:?}", e.message)))?;
            prop_assert_eq!(v.as_object().map(Map::len), Some(doc.entries.len()));
            for (i, r) in ranges.iter().enumerate() {
                let key = format!("k{i}:");
                prop_assert!(text[r.clone()].starts_with(&key));
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Found while extending the property above to comments: the parser's span of a quoted
/// value runs on over a comment after it, and the comment was lost when the value changed
/// (`k: 'a' # note` set to `alpha` gave `k: alpha`), though the editor documents that it
/// keeps it. The layout recorded while parsing ends a quoted value at its closing quote.
#[test]
fn a_quoted_value_s_comment_stays() {
    for quoted in [
        "''",
        "'a'",
        "\"a\"",
        "'it''s # no'",
        "\"\\\" # no\"",
        "&x 'a'",
        "!!str 'a'",
    ] {
        let text = format!("k0: {quoted} # note\n");
        yaml::parse(&text).expect("valid");
        let out = rewrite(&text, &json!({"k0": "alpha"})).expect("edited");
        assert_eq!(out, "k0: alpha # note\n", "{text}");
    }
}
