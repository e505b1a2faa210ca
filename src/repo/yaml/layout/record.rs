//! What the parse records of the layout: each node's [`Style`] and end (every spanned
//! parse), and beside the tree, for an edit, each entry's [`Marks`] and each block
//! scalar's header ([`Recorded`]). The measuring is [`super::Layout`]'s, over the text.

use saphyr_parser::ScalarStyle;

use super::{Layout, flow_from_text};
use crate::repo::yaml::{Entry, Node, Value, offset};

/// How a node is written, as recorded while parsing: a scalar's style (the parser's
/// events carry it), or whether a mapping or list is in block or flow style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    /// `'text'`
    Single,
    /// `"text"`
    Double,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
    /// A mapping or list in block style (indented lines, `- ` items).
    Block,
    /// A mapping or list in flow style (`{…}`, `[…]`).
    Flow,
}

impl Style {
    pub(in crate::repo::yaml) fn of_scalar(style: ScalarStyle) -> Style {
        match style {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::Single,
            ScalarStyle::DoubleQuoted => Style::Double,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
        }
    }
}

/// An entry's layout beyond its key's and value's spans: where its explicit key's `?`
/// and the `:` after its key are, and how its key is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marks {
    pub question: Option<usize>,
    pub colon: Option<usize>,
    /// The key's scalar style (`"key"`, `'key'`, `? |` block).
    pub key_style: Style,
}

/// What a parse for an edit ([`super::parse_with_layout`]) records of the file's layout
/// beyond each node's style and end: each entry's [`Marks`] and each block scalar's
/// header (where it ends, whether it keeps the final line breaks), by position (an
/// alias's copy, at its anchor's position, has its anchor's layout). A read-only parse
/// records none of it: it would cost every command for what only an edit asks.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Each entry's marks by its key's span, in the order of the keys once the parse has
    /// ended ([`Self::finish`]).
    entries: Vec<((usize, usize), Marks)>,
    /// Each block scalar's header by where its span starts, in that order.
    headers: Vec<(usize, (usize, bool))>,
}

impl Recorded {
    /// Puts what was recorded in the order of positions, for the lookups. (Entries are
    /// recorded as their values end: a mapping's after the entries inside its values.)
    pub(in crate::repo::yaml) fn finish(&mut self) {
        self.entries.sort_unstable_by_key(|(at, _)| *at);
        self.headers.sort_unstable_by_key(|(at, _)| *at);
    }

    pub(super) fn marks(&self, entry: &Entry) -> Option<&Marks> {
        let at = (entry.key_span.start, entry.key_span.end);
        let i = self.entries.binary_search_by_key(&at, |(k, _)| *k).ok()?;
        Some(&self.entries[i].1)
    }

    pub(super) fn header(&self, node: &Node) -> Option<(usize, bool)> {
        let i = self
            .headers
            .binary_search_by_key(&node.span.start, |(k, _)| *k)
            .ok()?;
        Some(self.headers[i].1)
    }
}

/// Records an entry's layout, once, when the parser has built it (and its value): the
/// position of its `?` and its `:`, and how its key is written.
pub(in crate::repo::yaml) fn record_entry(
    text: &str,
    entry: &Entry,
    key_style: Style,
    out: &mut Recorded,
) {
    let layout = Layout::new(text);
    let question = layout.measure_explicit(entry);
    // (Measured from the key's end, which an empty `? ` key has at its `?`.)
    let quoted = matches!(key_style, Style::Single | Style::Double);
    let colon = layout.measure_colon(entry, question, quoted);
    out.entries.push((
        (entry.key_span.start, entry.key_span.end),
        Marks {
            question,
            colon,
            key_style,
        },
    ));
}

/// Records a node's layout, once, when the parser has built it (and its children): a
/// collection's style and where the node's own text ends; and when asked (`out`), a
/// block scalar's header.
pub(in crate::repo::yaml) fn record(text: &str, node: &mut Node, out: Option<&mut Recorded>) {
    if matches!(node.value, Value::Map(_) | Value::Seq(_)) {
        node.style = if flow_from_text(text, node) {
            Style::Flow
        } else {
            Style::Block
        };
    }
    let layout = Layout::new(text);
    // Only a literal or folded scalar has a header (looking for one, a line back, is
    // most of what recording would cost a plain scalar).
    let header = match node.style {
        Style::Literal | Style::Folded => layout.measure_block_header(node),
        _ => None,
    };
    if let (Some(header), Some(out)) = (header, out) {
        out.headers.push((node.span.start, header));
    }
    node.end = offset(layout.measure_end(node, header));
}
