//! The one module that knows which YAML library `assure` uses.
//!
//! Files are parsed once, by `saphyr-parser`'s event API, into a small spanned tree
//! ([`Node`]): every value and every mapping key keeps the byte range it came from, so
//! that any finding can point at a file, line and column, and edits can replace exactly
//! the bytes of one value. The tree is also the input of schema validation
//! ([`Node::to_json`]) and of the typed model (through `serde_json`). A valid file can
//! skip both: [`stream`] reads the parser's events straight into the
//! typed model, resolving scalars with this module's `resolve_json`.
//!
//! Why not `serde_yaml` (named by the design card): it is archived upstream and gives no
//! positions, so it would need a second parser for them. `serde-saphyr` (STYLE.md) gives
//! positions only for typed fields; schema validation needs the positions of arbitrary
//! values, so we use the parser it is built on directly.
//!
//! Bounds, so hostile input cannot hang or exhaust the process: nesting depth
//! ([`MAX_DEPTH`]), the number of nodes that aliases may add (an alias bomb is an error,
//! not an expansion), one document per file, and mapping keys that are plain scalars.
//! Duplicate keys are errors. Scalars resolve by the YAML 1.2 core schema.
//!
//! Nothing outside this folder names `saphyr_parser`: the parser's events become this
//! module's tree, [`stream`]'s typed model, or nothing.

use std::borrow::Cow;
use std::ops::Range;

use saphyr_parser::ScalarStyle;

use build::Builder;

mod build;
mod entries;
pub mod layout;
mod offsets;
pub mod stream;

pub use entries::{EntryLines, entries_slice, mapping_entries};
use layout::{Recorded, Style};

/// A byte range into the file text.
pub type Span = Range<usize>;

/// The deepest nesting of mappings and sequences a file may have.
pub const MAX_DEPTH: usize = 64;
/// Aliases may add at most this many nodes, or as many as the file has itself if more.
pub const MIN_ALIAS_BUDGET: usize = 10_000;

/// A parsed YAML value with its position, and its layout as recorded while parsing
/// (see [`layout`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
    /// How it is written: its scalar style, or block or flow.
    pub style: Style,
    /// Where its own text ends (see [`layout::Layout::content_end`]): a byte offset,
    /// 32 bits (files are at most 16 MiB) to keep a node, of which a large catalog has
    /// hundreds of thousands, at 56 bytes.
    pub end: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// Why a file could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not well-formed YAML.
    Syntax,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Aliases would expand beyond the budget.
    AliasBudget,
    /// A key appears twice in one mapping; `first` is where it was first defined.
    DuplicateKey { first: Span },
    /// A mapping key that is not a plain scalar (or is an alias), or a tag we do not
    /// support or that names another type than its value's.
    Unsupported,
    /// More than one document in the file.
    MultipleDocuments,
    /// A character YAML does not allow in a file (see [`check_printable`]).
    Unprintable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub span: Span,
    pub message: String,
}

/// A byte offset as [`Node::end`] keeps it (saturating: no file assure reads is near
/// 4 GiB).
pub(crate) fn offset(pos: usize) -> u32 {
    u32::try_from(pos).unwrap_or(u32::MAX)
}

impl Node {
    /// A node with no recorded layout beyond its span (plain, ending where its span does).
    pub fn new(span: Span, value: Value) -> Node {
        let end = offset(span.end);
        Node {
            span,
            value,
            style: Style::Plain,
            end,
        }
    }

    /// The value of `key` if this node is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry of `key` if this node is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Follows a path of mapping keys and sequence indexes (as decimal strings), the way
    /// a JSON pointer does. Returns the deepest node reached and whether the whole path
    /// was found, so a finding about a missing field can point at its parent.
    pub fn walk<'a, S: AsRef<str>>(&'a self, path: &[S]) -> (&'a Node, Option<&'a Entry>, bool) {
        let mut node = self;
        let mut last_entry = None;
        for segment in path {
            let segment = segment.as_ref();
            let next = match &node.value {
                Value::Map(entries) => entries.iter().find(|e| e.key == segment).map(|e| {
                    last_entry = Some(e);
                    &e.value
                }),
                Value::Seq(items) => {
                    last_entry = None;
                    segment.parse::<usize>().ok().and_then(|i| items.get(i))
                }
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => return (node, last_entry, false),
            }
        }
        (node, last_entry, true)
    }

    /// The JSON form of this value, for schema validation and the typed model.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
            scalar => scalar_json(scalar.clone()),
        }
    }

    /// The JSON form of this value, moving its strings out of the tree (they are left
    /// empty): for a tree kept only to locate findings, which need keys and spans alone.
    pub fn take_json(&mut self) -> serde_json::Value {
        use serde_json::Value as J;
        match &mut self.value {
            Value::Str(s) => J::String(std::mem::take(s)),
            Value::Seq(items) => J::Array(items.iter_mut().map(Node::take_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter_mut()
                    .map(|e| (e.key.clone(), e.value.take_json()))
                    .collect(),
            ),
            _ => self.to_json(),
        }
    }

    fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|e| 1 + e.value.count()).sum(),
            _ => 0,
        }
    }
}

/// Parses one YAML document. An empty file is `Null`.
pub fn parse(text: &str) -> Result<Node, Error> {
    Builder::<Node>::new(text).run().map(|(node, _)| node)
}

/// Parses one YAML document for an edit: [`parse`], recording the layout of its entries
/// and block scalars as it goes (see [`layout::Recorded`]), which the rewriter plans its
/// changes over.
pub fn parse_with_layout(text: &str) -> Result<(Node, Recorded), Error> {
    let (node, recorded) = Builder::<Node>::recording(text).run()?;
    let mut recorded = recorded.unwrap_or_default();
    recorded.finish();
    Ok((node, recorded))
}

/// A YAML double-quoted scalar. JSON's escapes are YAML's, and the characters YAML does
/// not allow unescaped in a document (C0 and C1 controls, DEL, line and paragraph
/// separators, the byte-order mark, U+FFFE/U+FFFF) are written as `\uXXXX`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether YAML allows `c` in a file (its `c-printable`): not a control character but tab,
/// line feed, carriage return and next line (U+0085); not U+FFFE or U+FFFF.
pub fn printable(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..
    )
}

/// Checks that `text` holds only characters YAML allows in a file (its `c-printable`):
/// no control character but tab and line breaks (and U+0085), no U+FFFE or U+FFFF. The
/// YAML parser lets some through and reads them as no other tool would (`&\u{2}x` as an
/// anchor with no name), so they are refused before it sees them.
pub fn check_printable(text: &str) -> Result<(), Error> {
    // Most text has none of the bytes that can start such a character: look 64 bytes at a
    // time (which the compiler turns into vector code), and closer only where one is.
    const CHUNK: usize = 64;
    let suspect =
        |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | matches!(b, 0x7f | 0xc2 | 0xef);
    for (n, chunk) in text.as_bytes().chunks(CHUNK).enumerate() {
        if !chunk.iter().fold(false, |any, &b| any | suspect(b)) {
            continue;
        }
        let mut from = n * CHUNK;
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (from + CHUNK + 4).min(text.len());
        while !text.is_char_boundary(to) {
            to -= 1;
        }
        if let Some((i, c)) = text[from..to].char_indices().find(|&(_, c)| !printable(c)) {
            let at = from + i;
            return Err(Error {
                kind: ErrorKind::Unprintable,
                span: at..at + c.len_utf8(),
                message: format!(
                    "the character U+{:04X} is not allowed in a YAML file (it is a control character or not a character)",
                    c as u32
                ),
            });
        }
    }
    Ok(())
}

/// Parses YAML straight to JSON, building no spanned tree: for inputs that need no
/// positions (OSCAL files), or that are read again with [`parse`] to locate a finding.
/// It accepts and refuses exactly what [`parse`] does (the same builder makes both);
/// the errors it gives have no spans.
pub fn parse_to_json(text: &str) -> Result<serde_json::Value, Error> {
    Builder::<serde_json::Value>::new(text)
        .run()
        .map(|(value, _)| value)
}

/// Whether `text`, written as a plain (unquoted) scalar, reads back as this same string:
/// not a number, boolean or null, and free of characters YAML gives a meaning.
pub fn plain_is_string(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let last = text.chars().next_back().unwrap_or(first);
    !first.is_whitespace()
        && !last.is_whitespace()
        && !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !last.eq(&':')
        && !text.contains(": ")
        && !text.contains(" #")
        // A byte order mark is allowed in quoted scalars only.
        && !text.chars().any(|c| c.is_control() || !printable(c) || c == '\u{feff}')
        // YAML 1.1 tools (still common) read these as booleans: quote them for them.
        && !matches!(text.to_ascii_lowercase().as_str(), "yes" | "no" | "on" | "off" | "y" | "n")
        && matches!(resolve_untagged(text.into(), ScalarStyle::Plain), Value::Str(_))
}

/// Resolves a scalar by the YAML 1.2 core schema. Only plain scalars can be anything but
/// a string; `!!str` forces a string.
fn resolve(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<(&str, &str)>,
) -> Result<Value, String> {
    let suffix = match tag.map(|(handle, suffix)| (core_handle(handle), suffix)) {
        None => None,
        Some(("!!", "str")) => return Ok(Value::Str(text.into_owned())),
        Some(("!!", suffix @ ("int" | "float" | "bool" | "null"))) => Some(suffix),
        Some(("!!", suffix @ ("map" | "seq"))) => return Err(misfit_tag(suffix)),
        Some((handle, suffix)) => return Err(unsupported_tag(handle, suffix)),
    };
    let value = resolve_untagged(text, style);
    // A tag that names a type must name the one its value reads as (`!!int 3`, not
    // `!!int abc` or `!!int "3"`): the reader does not convert between types.
    match (suffix, value) {
        (None, value)
        | (Some("int"), value @ Value::Int(_))
        | (Some("float"), value @ Value::Float(_))
        | (Some("bool"), value @ Value::Bool(_))
        | (Some("null"), value @ Value::Null) => Ok(value),
        (Some("float"), Value::Int(i)) => Ok(Value::Float(i as f64)),
        (Some(suffix), _) => Err(misfit_tag(suffix)),
    }
}

/// Checks the tag on a mapping (`shape` "map") or list ("seq").
fn check_collection_tag((handle, suffix): (&str, &str), shape: &str) -> Result<(), String> {
    match core_handle(handle) {
        "!!" if suffix == shape => Ok(()),
        "!!" if matches!(
            suffix,
            "str" | "int" | "float" | "bool" | "null" | "map" | "seq"
        ) =>
        {
            Err(misfit_tag(suffix))
        }
        handle => Err(unsupported_tag(handle, suffix)),
    }
}

/// The parser may give the core schema's handle as `!!` or resolved.
fn core_handle(handle: &str) -> &str {
    if handle == "tag:yaml.org,2002:" {
        "!!"
    } else {
        handle
    }
}

fn unsupported_tag(handle: &str, suffix: &str) -> String {
    format!("the YAML tag `{handle}{suffix}` is not supported; remove it")
}

/// A core schema tag on a value of another type.
fn misfit_tag(suffix: &str) -> String {
    let what = match suffix {
        "str" => "a single value (text)",
        "int" => "an integer written without quotes",
        "float" => "a number written without quotes",
        "bool" => "`true` or `false` written without quotes",
        "null" => "empty (or `null`, `~`) written without quotes",
        "map" => "a mapping",
        _ => "a list",
    };
    format!("the YAML tag `!!{suffix}` says this value is {what}, and it is not; remove the tag")
}

/// Resolves a scalar by the YAML 1.2 core schema, without a tag.
fn resolve_untagged(text: Cow<'_, str>, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::Str(text.into_owned());
    }
    match &*text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        _ => match resolve_number(&text) {
            Some(number) => number,
            None => Value::Str(text.into_owned()),
        },
    }
}

/// A scalar as JSON, resolved as [`parse`] resolves it and converted as
/// [`Node::to_json`] converts it: for [`stream`], which must read every
/// value the way the tree does.
pub(crate) fn resolve_json(text: Cow<'_, str>, style: ScalarStyle) -> serde_json::Value {
    scalar_json(resolve_untagged(text, style))
}

/// The JSON form of a scalar. JSON has no infinity or NaN: those become their text.
fn scalar_json(value: Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(b),
        Value::Int(i) => J::from(i),
        Value::Float(f) => serde_json::Number::from_f64(f)
            .map(J::Number)
            .unwrap_or_else(|| J::String(f.to_string())),
        Value::Str(s) => J::String(s),
        Value::Seq(_) | Value::Map(_) => unreachable!("a scalar"),
    }
}

fn resolve_number(text: &str) -> Option<Value> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(Value::Int);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Value::Int);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            text.parse::<i64>()
                .map(Value::Int)
                .unwrap_or_else(|_| Value::Float(text.parse().unwrap_or(f64::NAN))),
        );
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    (mantissa_ok && exponent_ok).then(|| Value::Float(text.parse().unwrap_or(f64::NAN)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> serde_json::Value {
        parse_to_json(text).expect("valid YAML")
    }

    #[test]
    fn core_schema_scalars() {
        let v = json(
            "a: 1\nb: 1.5\nc: '1'\nd: yes\ne: ~\nf: true\ng: 6.10.1.2\nh: 2019-04-02\ni: 0x1F\n",
        );
        assert_eq!(
            v,
            serde_json::json!({"a":1,"b":1.5,"c":"1","d":"yes","e":null,"f":true,"g":"6.10.1.2","h":"2019-04-02","i":31})
        );
    }

    #[test]
    fn take_json_is_to_json_and_leaves_keys_and_spans() {
        let text = "a: x\nb: [1, 'two', {c: ~, d: 2.5}]\ne:\n  f: true\n  g: \"long text\"\n";
        let mut node = parse(text).expect("valid");
        let before = node.clone();
        assert_eq!(node.take_json(), before.to_json());
        let (g, _, found) = node.walk(&["e", "g"]);
        assert!(found);
        assert_eq!(&text[g.span.clone()], "\"long text\"");
        assert_eq!(g.as_str(), Some(""));
        assert_eq!(value_paths(&node), value_paths(&before));
    }

    /// Every key path with its span, values aside.
    fn value_paths(node: &Node) -> Vec<(String, Span)> {
        let mut out = vec![(String::new(), node.span.clone())];
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    out.push((e.key.clone(), e.key_span.clone()));
                    out.extend(value_paths(&e.value));
                }
            }
            Value::Seq(items) => items.iter().for_each(|n| out.extend(value_paths(n))),
            _ => {}
        }
        out
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_text() {
        let text = "name: Ünïcödé — ok\nother: value\n";
        let node = parse(text).expect("valid");
        let entry = node.entry("other").expect("present");
        assert_eq!(&text[entry.key_span.clone()], "other");
        assert_eq!(&text[entry.value.span.clone()], "value");
    }

    #[test]
    fn duplicate_keys_point_at_both() {
        let err = parse("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
        assert_eq!(err.kind, ErrorKind::DuplicateKey { first: 0..1 });
        assert_eq!(err.span, 10..11);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let err = parse(&text).expect_err("bomb");
        assert_eq!(err.kind, ErrorKind::AliasBudget);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let err = parse(&text).expect_err("deep");
        assert_eq!(err.kind, ErrorKind::TooDeep);
    }

    #[test]
    fn walk_reports_partial_paths() {
        let node = parse("controls:\n  x:\n    status: planned\n").expect("valid");
        let (n, _, found) = node.walk(&["controls", "x", "status"]);
        assert!(found);
        assert_eq!(n.as_str(), Some("planned"));
        let (_, entry, found) = node.walk(&["controls", "y"]);
        assert!(!found);
        assert_eq!(entry.map(|e| e.key.as_str()), Some("controls"));
    }
}

#[cfg(test)]
mod json_builder_tests {
    use super::*;
    use proptest::prelude::*;

    /// `parse_to_json` (which builds no tree) accepts and refuses what `parse` does, and
    /// gives the same JSON.
    fn agree(text: &str) {
        match (parse(text), parse_to_json(text)) {
            (Ok(node), Ok(json)) => assert_eq!(node.to_json(), json, "{text:?}"),
            (Err(a), Err(b)) => {
                assert_eq!(a.message, b.message, "{text:?}");
                assert_eq!(
                    std::mem::discriminant(&a.kind),
                    std::mem::discriminant(&b.kind),
                    "{text:?}"
                );
            }
            (a, b) => panic!("{text:?}: parse gives {a:?}, parse_to_json {b:?}"),
        }
    }

    #[test]
    fn the_project_s_own_files() {
        for (_, text) in crate::assets::CATALOG_FILES {
            agree(text);
        }
        for (path, bytes) in crate::assets::EXAMPLE_FILES {
            if path.ends_with(".yaml") {
                agree(std::str::from_utf8(bytes).expect("UTF-8"));
            }
        }
        for text in [
            "a: &x 1\nb: *x\n",
            "a: &x {b: [1, 2]}\nc: *x\n",
            "[*x]\n",
            "a: 1\na: 2\n",
            "? [a]\n: 1\n",
            "!!str 5\n",
            "!custom x\n",
            "a: 1\n---\nb: 2\n",
            "",
            "~\n",
            "k: 'quoted: \"x\"'\n",
        ] {
            agree(text);
        }
    }

    proptest! {
        #[test]
        fn any_text(text in "[a-c0-9:\\-\\[\\]{}&*!#'\" \n,?|>.~]{0,60}") {
            agree(&text);
        }
    }
}
