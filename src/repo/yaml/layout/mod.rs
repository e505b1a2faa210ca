//! Where things are in a YAML file's text, around the nodes of its spanned tree
//! ([`Node`]): lines and indentation, the `:` after a key and the `?` before an explicit
//! one, comments, a flow collection's brackets, a block scalar's header, the properties
//! (`&anchor`, `!tag`) before a node, and where an entry's text begins and ends.
//!
//! The parser's events give each key's and value's span and style and nothing of this,
//! and the spans have quirks (an empty value placed at whatever follows; a block scalar's
//! span starting after its header's line; a block list as deep as its key starting at its
//! first item). This module is the one place that reads the layout from the text around
//! the spans and knows those quirks; the rewriter (`crate::edit::rewrite`) asks it where
//! things are and never reads the text's layout itself.
//!
//! Recorded while parsing, by [`record`] and [`record_entry`] (the spanned-tree parse
//! only: [`super::parse_to_json`] and [`super::stream`], validate's fast routes, record
//! nothing):
//! - per node, by every spanned parse ([`Node::style`], [`Node::end`]): its [`Style`]
//!   (the scalar style the parser's events carry; block or flow for a mapping or list)
//!   and where its own text ends (a quoted scalar at its closing quote, though the
//!   parser's span runs on over a comment after it; a flow collection after its closing
//!   bracket);
//! - beside the tree, by the parse for an edit ([`super::parse_with_layout`], into
//!   [`Recorded`]): per entry, where its `?` and its `:` are and how its key is written
//!   ([`Marks`]); per block scalar, its header.
//!
//! The rest is read from the bytes near the spans when asked, through the queries of
//! [`Layout`]: lines ([`Line`]: indentation, code, comment), properties, what lies
//! between brackets. Positions are byte offsets into the text the tree was parsed from.

use std::ops::Range;

use super::{Entry, Node, Value};

mod record;

pub use record::{Marks, Recorded, Style};
pub(super) use record::{record, record_entry};

/// Where a quoted scalar ends: after its closing quote. (`''` is a quote in single
/// quotes, `\"` in double ones.)
fn quoted_end(text: &str, node: &Node) -> Option<usize> {
    let from = node.span.end - separated(&text[properties_end(text, node)..node.span.end]).len();
    let bytes = text.as_bytes();
    let quote = *bytes.get(from).filter(|b| matches!(b, b'"' | b'\''))?;
    let mut i = from + 1;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// A file's text and what its parse recorded of its layout, for the layout queries about
/// the tree parsed from it.
#[derive(Debug, Clone, Copy)]
pub struct Layout<'t> {
    pub text: &'t str,
    /// What the parse recorded ([`super::parse_with_layout`]); without it (while parsing,
    /// as it is being recorded) the queries that would look it up read the text.
    recorded: Option<&'t Recorded>,
}

impl<'t> Layout<'t> {
    /// The queries over `text` alone, for the parse that records the layout.
    fn new(text: &'t str) -> Layout<'t> {
        Layout {
            text,
            recorded: None,
        }
    }

    /// The queries over `text`, parsed by [`super::parse_with_layout`] into `recorded`.
    pub fn recorded(text: &'t str, recorded: &'t Recorded) -> Layout<'t> {
        Layout {
            text,
            recorded: Some(recorded),
        }
    }

    pub fn line_start(&self, pos: usize) -> usize {
        // A byte order mark starting a line (the file, or a document in it) is not part
        // of the line, nor of its indentation.
        let mut start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        while self.text[start..pos].starts_with('\u{feff}') {
            start += 3;
        }
        start
    }

    /// The position after the line break ending the line that holds `pos`.
    pub fn line_end(&self, pos: usize) -> usize {
        self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i + 1)
    }

    pub fn column(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    /// Where a value's own text ends (block scalars and block collections carry the
    /// blank lines after them in their spans, and a quoted scalar's may run on over a
    /// comment after it; this does not). For a mapping's value use [`Self::value_end`],
    /// which also knows where an empty value is. Recorded while parsing.
    pub fn content_end(&self, node: &Node) -> usize {
        node.end as usize
    }

    /// [`Self::content_end`] read from the text, for [`record`]: the node's children are
    /// recorded already, and a block scalar's `header` measured.
    fn measure_end(&self, node: &Node, header: Option<(usize, bool)>) -> usize {
        match &node.value {
            // A written value ends after its `:`, so only an empty one needs the `:` found
            // (the search is most of what recording costs a block mapping).
            Value::Map(entries) if node.style != Style::Flow => {
                entries
                    .last()
                    .map_or(node.span.end, |e| match e.value.value {
                        Value::Null => self.value_end(e),
                        _ => self.content_end(&e.value),
                    })
            }
            Value::Seq(items) if node.style != Style::Flow => {
                items.last().map_or(node.span.end, |i| i.end as usize)
            }
            Value::Map(_) | Value::Seq(_) => self.flow_scan(node).0,
            _ if matches!(node.style, Style::Single | Style::Double) => {
                quoted_end(self.text, node).unwrap_or(node.span.end)
            }
            _ => {
                let mut end = node.span.end;
                // A block's span may run on over the indentation of the line after it,
                // to the next key: that indentation is not its text.
                let line = self.line_start(end);
                if header.is_some()
                    && line > node.span.start
                    && self.text[line..end]
                        .bytes()
                        .all(|b| b == b' ' || b == b'\t')
                    && !matches!(self.text.as_bytes().get(end), None | Some(b'\r' | b'\n'))
                {
                    end = line;
                }
                if let Some((header_end, true)) = header {
                    // A `|+` block keeps its final line breaks: they are its text. (Not
                    // the indentation of the line after them, which its span may hold.)
                    while end > header_end && matches!(self.text.as_bytes()[end - 1], b' ' | b'\t')
                    {
                        end -= 1;
                    }
                    if self.text[..end].ends_with('\n') {
                        end -= 1;
                    }
                    return end.max(header_end);
                }
                // Blank lines deeper than a block's indentation are its text (` ` each).
                if let (Some(_), Value::Str(s)) = (header, &node.value)
                    && s.trim_end_matches('\n').ends_with([' ', '\t'])
                {
                    while end > node.span.start
                        && matches!(self.text.as_bytes()[end - 1], b'\r' | b'\n')
                    {
                        end -= 1;
                    }
                    return end;
                }
                // YAML's white space.
                while end > node.span.start
                    && matches!(self.text.as_bytes()[end - 1], b' ' | b'\t' | b'\r' | b'\n')
                {
                    end -= 1;
                }
                match header {
                    // A block with no text: its span starts after the header's line (at
                    // what follows), so the header is where it ends.
                    Some((header_end, _)) if end == node.span.start => header_end,
                    _ => end,
                }
            }
        }
    }

    /// What lies between a flow collection's brackets (after any anchor or tag before
    /// them).
    pub fn between_brackets(&self, node: &Node) -> Range<usize> {
        let open = flow_open(self.text, node).unwrap_or(node.span.start);
        open + 1..self.flow_end(node) - 1
    }

    /// Where a flow collection ends: after its closing bracket. (The parser's span may
    /// stop before it, after a trailing comma, `{a,}`, or run on over a comment after it.)
    /// Recorded while parsing, as the node's [`Node::end`].
    pub fn flow_end(&self, node: &Node) -> usize {
        node.end as usize
    }

    /// [`Self::flow_end`], and whether the collection has an explicit key (`? key`) at
    /// any depth.
    pub fn flow_scan(&self, node: &Node) -> (usize, bool) {
        let bytes = self.text.as_bytes();
        let Some(open) = flow_open(self.text, node) else {
            return (node.span.end, false);
        };
        let mut explicit = false;
        let mut depth = 0usize;
        let mut i = open;
        // A quote opens a quoted scalar only where a node starts (after a bracket, a
        // comma, an indicator or properties); elsewhere it is part of a plain one.
        let mut at_start = false;
        let mut after_quoted = false;
        while let Some(&b) = bytes.get(i) {
            let next_blank = matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n'));
            match b {
                b'[' | b'{' | b']' | b'}' | b',' => {
                    if matches!(b, b'[' | b'{') {
                        depth += 1;
                    } else if b != b',' {
                        depth -= 1;
                        if depth == 0 {
                            return (i + 1, explicit);
                        }
                    }
                    at_start = true;
                    after_quoted = false;
                }
                b' ' | b'\t' | b'\r' | b'\n' => {}
                // (A `? ` inside a plain scalar is part of it, not an explicit key.)
                b':' if next_blank || after_quoted => {
                    at_start = true;
                    after_quoted = false;
                }
                b'?' if next_blank && at_start => {
                    explicit = true;
                    at_start = true;
                    after_quoted = false;
                }
                b'&' | b'!' if at_start => {
                    while bytes
                        .get(i + 1)
                        .is_some_and(|c| !c.is_ascii_whitespace() && !b",[]{}".contains(c))
                    {
                        i += 1;
                    }
                }
                b'"' | b'\'' if at_start => {
                    // A quoted string: `\"` escapes in double quotes, `''` in single.
                    i += 1;
                    while let Some(&c) = bytes.get(i) {
                        if c == b && !(b == b'\'' && bytes.get(i + 1) == Some(&b'\'')) {
                            break;
                        }
                        i += if (b == b'"' && c == b'\\') || (b == b'\'' && c == b'\'') {
                            2
                        } else {
                            1
                        };
                    }
                    at_start = false;
                    after_quoted = true;
                }
                b'#' if matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                    i = self.line_end(i) - 1;
                }
                _ => {
                    at_start = false;
                    after_quoted = false;
                }
            }
            i += 1;
        }
        (node.span.end, explicit)
    }

    /// Whether text written at `pos` (a line start) may end with a `|` block at deeper
    /// indentation than `indent`: the first line after it that is not empty is not
    /// blank, and not indented deeper (it would be read as the block's text).
    pub fn blocks_ok(&self, pos: usize, indent: usize) -> bool {
        self.text[pos.min(self.text.len())..]
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .find(|l| !l.is_empty())
            .is_none_or(|l| {
                !l.trim_matches(blank).is_empty()
                    && l.len() - l.trim_start_matches(' ').len() <= indent
            })
    }

    /// Where an entry's value ends. An empty value (`key:` with nothing after it) has no
    /// text of its own, and the parser may place it at whatever follows (the next `? `
    /// key, a flow mapping's `,` or `}`): it ends right after the `:`, or after the key
    /// when there is no `:`.
    pub fn value_end(&self, entry: &Entry) -> usize {
        let after = self.colon(entry).map_or(self.key_end(entry), |c| c + 1);
        if matches!(entry.value.value, Value::Null) && !self.null_written(&entry.value, after) {
            return after;
        }
        self.content_end(&entry.value).max(after)
    }

    /// Whether a null value that starts at or after `after` is written out (`~`, `null`,
    /// a tag or an anchor, which its span then covers), rather than empty.
    pub fn null_written(&self, node: &Node, after: usize) -> bool {
        let t = self.text[node.span.clone()].trim_matches(blank);
        node.span.start >= after
            && (t.starts_with(['!', '&'])
                || ["~", "null", "Null", "NULL"].iter().any(|n| t.ends_with(n)))
    }

    /// For a block scalar (`|` or `>`), where its header ends and whether it keeps its
    /// final line breaks (`+`). Recorded while parsing.
    pub fn block_header(&self, node: &Node) -> Option<(usize, bool)> {
        match (self.recorded, node.style) {
            (Some(r), Style::Literal | Style::Folded) => r.header(node),
            (Some(_), _) => None,
            (None, _) => self.measure_block_header(node),
        }
    }

    /// [`Self::block_header`] read from the text, for [`record`]. The block's span starts
    /// after the header's line, so the header is the last thing before it on a previous
    /// line (a comment may follow the header).
    fn measure_block_header(&self, node: &Node) -> Option<(usize, bool)> {
        if !matches!(node.value, Value::Str(_)) {
            return None;
        }
        let is_header = |token: &str| {
            token.starts_with(['|', '>'])
                && token[1..]
                    .bytes()
                    .all(|b| b == b'+' || b == b'-' || b.is_ascii_digit())
        };
        let mut pos = node.span.start;
        loop {
            let start = self.line_start(pos);
            let line = strip_comment(&self.text[start..pos]);
            let content = line.trim_end_matches([' ', '\t', '\r']);
            if !content.trim_start_matches([' ', '\t']).is_empty() {
                let token = content.rsplit([' ', '\t']).next().unwrap_or(content);
                if is_header(token) {
                    return Some((start + content.len(), token.contains('+')));
                }
                break;
            }
            if !self.text[..start].ends_with('\n') {
                break;
            }
            pos = start - 1;
        }
        // A block with no text at the end of the file: its span starts at its anchor or
        // tag, or at its header (after blank and comment lines).
        let mut at = properties_end(self.text, node);
        loop {
            at += self.text[at..node.span.end].len()
                - self.text[at..node.span.end]
                    .trim_start_matches([' ', '\t', '\r', '\n'])
                    .len();
            if !self.text[at..node.span.end].starts_with('#') {
                break;
            }
            at = self.line_end(at).min(node.span.end);
        }
        let own = self.text[at..node.span.end]
            .split([' ', '\t', '\r', '\n'])
            .next()
            .unwrap_or_default();
        is_header(own).then(|| (at + own.len(), own.contains('+')))
    }

    /// Where an entry's key ends: an empty `? ` key ends at its `?`.
    pub fn key_end(&self, entry: &Entry) -> usize {
        match self.explicit(entry) {
            Some(q) if entry.key_span.is_empty() => q + 1,
            _ => entry.key_span.end,
        }
    }

    /// The position of the `?` of an explicit key (`? key`), if the key is one. Recorded
    /// while parsing.
    pub fn explicit(&self, entry: &Entry) -> Option<usize> {
        // (A tree not of the parse that recorded the layout has its marks read.)
        match self.recorded.and_then(|r| r.marks(entry)) {
            Some(m) => m.question,
            None => self.measure_explicit(entry),
        }
    }

    /// [`Self::explicit`] read from the text, for [`record_entry`]. An empty key's
    /// position is where the parser stopped looking for it, possibly lines later.
    fn measure_explicit(&self, entry: &Entry) -> Option<usize> {
        let mut pos = entry.key_span.start;
        let mut same_line = true;
        loop {
            let start = self.line_start(pos);
            let line = strip_comment(&self.text[start..pos]).trim_end_matches([' ', '\t', '\r']);
            let code = line.trim_start_matches([' ', '\t']);
            // On the key's line, `? ` before it; on a line before it, a `?` alone, less
            // deep than the key (which follows after blank and comment lines).
            let alone = code == "?"
                && (same_line
                    || line.len() - 1 < self.column(entry.key_span.start)
                    || entry.key_span.is_empty());
            let before_key = same_line && ends_with_question(line);
            // (An empty key's `?` is no deeper than where the parser placed the key.)
            let q = start + line.len().max(1) - 1;
            if before_key || alone && (same_line || self.question_fits(entry, q)) {
                return Some(q);
            }
            // An empty key is placed wherever the parser stopped looking for it.
            let empty_key_line = entry.key_span.is_empty() && line.ends_with('?');
            if empty_key_line || !code.is_empty() || !self.text[..start].ends_with('\n') {
                return (empty_key_line
                    && ends_with_question(line)
                    && self.question_fits(entry, q))
                .then_some(q);
            }
            same_line = false;
            pos = start - 1;
        }
    }

    /// The header of the block scalar a value's text ends with (its own, or its last
    /// child's), if it ends with one.
    pub fn last_block(&self, node: &Node) -> Option<(usize, bool)> {
        match &node.value {
            Value::Map(entries) => entries.last().and_then(|e| self.last_block(&e.value)),
            Value::Seq(items) => items.last().and_then(|i| self.last_block(i)),
            _ => self.block_header(node),
        }
    }

    /// Whether the `?` at `q` can be the explicit indicator of an empty key placed at a
    /// later line: not when the key is placed at a `:` less deep than the `?` (an empty
    /// plain key of an outer mapping, `:` alone).
    pub fn question_fits(&self, entry: &Entry, q: usize) -> bool {
        self.text.as_bytes().get(entry.key_span.start) != Some(&b':')
            || self.column(q) <= self.column(entry.key_span.start)
    }

    /// Whether an empty key is placed at a `:` with a deeper `?` before it (only blank
    /// and comment lines between): the `?`'s key has no value, and the parser gives its
    /// key and the `:` key the same place, so neither can be told apart.
    pub fn ambiguous_empty_key(&self, entry: &Entry) -> bool {
        if !entry.key.is_empty() || self.text.as_bytes().get(entry.key_span.start) != Some(&b':') {
            return false;
        }
        let mut pos = entry.key_span.start;
        loop {
            let start = self.line_start(pos);
            let code = strip_comment(&self.text[start..pos]).trim_end_matches([' ', '\t', '\r']);
            if !code.trim_start_matches([' ', '\t']).is_empty() {
                return code.ends_with('?')
                    && self.column(start + code.len() - 1) > self.column(entry.key_span.start);
            }
            if !self.text[..start].ends_with('\n') {
                return false;
            }
            pos = start - 1;
        }
    }

    /// Whether an entry's key is a block scalar (`? |`): the parser places its span after
    /// the header's line (an empty one at what follows), where no key can be found again.
    /// Recorded while parsing (the key's style).
    pub fn block_key(&self, entry: &Entry) -> bool {
        matches!(self.key_style(entry), Style::Literal | Style::Folded)
    }

    /// How an entry's key is written. Recorded while parsing (read from the text while
    /// the parse records it: quoted or plain).
    pub fn key_style(&self, entry: &Entry) -> Style {
        match self.recorded.and_then(|r| r.marks(entry)) {
            Some(m) => m.key_style,
            None => match self.text.as_bytes().get(entry.key_span.end.wrapping_sub(1)) {
                Some(b'"') => Style::Double,
                Some(b'\'') => Style::Single,
                _ => Style::Plain,
            },
        }
    }

    /// Whether an entry's key is quoted (`"key"`, `'key'`).
    pub fn quoted_key(&self, entry: &Entry) -> bool {
        matches!(self.key_style(entry), Style::Single | Style::Double)
    }

    /// Where an entry starts: its key, or the `?` of an explicit key.
    pub fn entry_start(&self, entry: &Entry) -> usize {
        self.explicit(entry).unwrap_or(entry.key_span.start)
    }

    /// Whether a flow mapping key's `:` follows it on a later line (after line breaks and
    /// comments).
    pub fn colon_on_a_later_line(&self, entry: &Entry) -> bool {
        let mut rest = &self.text[self.key_end(entry)..];
        let mut later = false;
        loop {
            let next = rest.trim_start_matches(blank);
            later |= rest[..rest.len() - next.len()].contains('\n');
            if next.starts_with('#') && next.len() < rest.len() {
                rest = next.split_once('\n').map_or("", |(_, r)| r);
                later = true;
            } else {
                return later && next.starts_with(':');
            }
        }
    }

    /// The position of the `:` that follows an entry's key, if there is one (an explicit
    /// key, or a key in a flow mapping, may have none: `? a`, `{a, b}`). Recorded while
    /// parsing.
    pub fn colon(&self, entry: &Entry) -> Option<usize> {
        match self.recorded.and_then(|r| r.marks(entry)) {
            Some(m) => m.colon,
            None => self.measure_colon(entry, self.explicit(entry), self.quoted_key(entry)),
        }
    }

    /// [`Self::colon`] read from the text, for [`record_entry`]: after the key, whose
    /// `?` (`explicit`) and quoting are known.
    fn measure_colon(&self, entry: &Entry, explicit: Option<usize>, quoted: bool) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut i = match explicit {
            Some(q) if entry.key_span.is_empty() => q + 1,
            _ => entry.key_span.end,
        };
        loop {
            match bytes.get(i)? {
                b' ' | b'\t' => i += 1,
                // An implicit key has its `:` on its line; an explicit key's `:` may be
                // on a later line, as deep as its `?`.
                b'\r' | b'\n' if explicit.is_none() => return None,
                b'\r' | b'\n' => i += 1,
                b':' if explicit.is_some_and(|q| {
                    self.line_start(i) > q && self.column(i) != self.column(q)
                }) =>
                {
                    return None;
                }
                b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                    i = self.line_end(i)
                }
                // A `:` that is a value indicator, not the start of the next key (`::`):
                // a blank or the end follows, or a flow indicator, or the key is quoted.
                b':' => {
                    return match bytes.get(i + 1) {
                        None
                        | Some(b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}') => {
                            Some(i)
                        }
                        _ if quoted => Some(i),
                        _ => None,
                    };
                }
                _ => return None,
            }
        }
    }

    /// Whether an entry's key starts its line (it is not the first key of a `- ` item).
    pub fn key_starts_line(&self, entry: &Entry) -> bool {
        let start = self.entry_start(entry);
        self.text[self.line_start(start)..start]
            .bytes()
            .all(|b| b == b' ')
    }

    /// The lines an entry occupies in a block mapping.
    pub fn entry_lines(&self, entry: &Entry) -> Range<usize> {
        self.line_start(self.entry_start(entry))..self.line_end(self.value_end(entry))
    }

    /// Whether a line indented with a tab comes from `pos` on before the next line of
    /// code. (After a `?` with no key, the parser takes a tab there for indentation.)
    pub fn tab_before_code(&self, pos: usize) -> bool {
        for line in self.text[pos..].split_inclusive('\n') {
            let code = line.trim_start_matches([' ', '\t']);
            if line[..line.len() - code.len()].contains('\t') {
                return true;
            }
            if !strip_comment(code).trim_matches(blank).is_empty() {
                return false;
            }
        }
        false
    }

    /// The code on the line that holds `pos` (or on the line before, when `pos` starts a
    /// line), up to `pos`, without its comment and the blanks after it; and where that
    /// line starts. `None` at the start of the file (only a byte order mark before `pos`).
    pub fn code_before(&self, pos: usize) -> Option<(usize, &'t str)> {
        let start = match self.line_start(pos) {
            start if start < pos => start,
            _ if self.text[..pos].ends_with('\n') => self.line_start(pos - 1),
            _ => return None,
        };
        Some((
            start,
            strip_comment(&self.text[start..pos]).trim_end_matches(blank),
        ))
    }

    /// The whole text's range.
    pub fn whole(&self) -> Range<usize> {
        0..self.text.len()
    }

    /// The text from `pos` to the end of its line, its line break included.
    pub fn rest_of_line(&self, pos: usize) -> &'t str {
        &self.text[pos..self.line_end(pos)]
    }

    /// The lines from `pos` (a line start) to the end of the file.
    pub fn lines_from(&self, pos: usize) -> impl Iterator<Item = Line<'t>> {
        let text = self.text;
        let mut at = pos.min(text.len());
        std::iter::from_fn(move || {
            (at < text.len()).then(|| {
                let start = at;
                at = Layout::new(text).line_end(start);
                Line {
                    start,
                    end: at,
                    text: text[start..at].trim_end_matches(['\r', '\n']),
                }
            })
        })
    }

    /// Whether `pos` is the end of a file whose last line has no line break (text put
    /// there needs one before it).
    pub fn at_unbroken_end(&self, pos: usize) -> bool {
        pos == self.text.len() && !self.text.ends_with('\n')
    }

    /// The start of the comment lines right above the line that starts at `line_start`
    /// (no empty line between), which belong to what that line begins; `line_start`
    /// itself when there are none, or when they start the file (the file's own comments,
    /// such as its `$schema` line).
    pub fn leading_comments_start(&self, line_start: usize) -> usize {
        let mut start = line_start;
        while start > 0 {
            let above = self.line_start(start - 1);
            if !self.text[above..start]
                .trim_start_matches(blank)
                .starts_with('#')
            {
                return start;
            }
            start = above;
        }
        line_start
    }

    /// Whether the line holding `pos` has an empty line before it.
    pub fn empty_line_before(&self, pos: usize) -> bool {
        let before = &self.text[..self.line_start(pos)];
        before.ends_with("\n\n") || before.ends_with("\n\r\n")
    }

    /// Whether, from `pos` on, there are only blanks and line breaks, and the file's last
    /// line holds blanks and no line break (which the parser reads as one more line of a
    /// `|` block before it).
    pub fn ends_with_unbroken_blank_line(&self, pos: usize) -> bool {
        let last_line = self.line_start(self.text.len());
        let tail = &self.text[last_line..];
        self.text[pos.min(last_line)..last_line]
            .trim_matches(blank)
            .is_empty()
            && !tail.is_empty()
            && tail.trim_matches(blank).is_empty()
    }

    /// The length of the line break at `pos`, if one is there.
    pub fn line_break_at(&self, pos: usize) -> Option<usize> {
        ["\n", "\r\n"]
            .iter()
            .find(|n| self.text[pos..].starts_with(**n))
            .map(|n| n.len())
    }

    /// The comment on the line from `pos` on (from its `#`, without the blanks after it),
    /// or `""`.
    pub fn comment_after(&self, pos: usize) -> &'t str {
        let line = self.rest_of_line(pos);
        line[strip_comment(line).len()..].trim_end_matches(blank)
    }

    /// A comment between an entry's `:` (`at` is right after it) and its value written on
    /// a following line: the comment's text (without the blanks after it) and the
    /// position after its line's break.
    pub fn comment_before_value(&self, at: usize, value: &Node) -> Option<(&'t str, usize)> {
        let lead = &self.text[at..value.span.start.max(at)];
        let hash = lead.find('#')?;
        let line = lead[hash..].find('\n')?;
        let end = at + hash + line + 1;
        Some((self.text[at + hash..end].trim_end_matches(blank), end))
    }

    /// An entry's key as written (quotes, properties and all).
    pub fn key_text(&self, entry: &Entry) -> &'t str {
        &self.text[entry.key_span.clone()]
    }

    /// Whether an entry's key runs over more than one line.
    pub fn key_spans_lines(&self, entry: &Entry) -> bool {
        self.key_text(entry).contains('\n')
    }

    /// Whether a flow collection continues on a line indented no deeper than `indent`.
    pub fn flow_continues_at(&self, node: &Node, indent: usize) -> bool {
        self.text[node.span.start..self.flow_end(node)]
            .split('\n')
            .skip(1)
            .any(|l| {
                !l.trim_matches(blank).is_empty()
                    && l.len() - l.trim_start_matches(' ').len() <= indent
            })
    }

    /// Whether the text before `pos` ends with a `-` after a blank (the end of a plain
    /// scalar, `a -`, which a `,` or bracket right after would split).
    pub fn dash_before(&self, pos: usize) -> bool {
        self.text[..pos]
            .strip_suffix('-')
            .is_some_and(|b| b.ends_with([' ', '\t']))
    }

    /// The character at `pos`, if any.
    pub fn char_at(&self, pos: usize) -> Option<char> {
        self.text[pos..].chars().next()
    }

    /// Whether a tag (`!!map`) of its own is before a node (see [`properties_end`]).
    pub fn tagged(&self, node: &Node) -> bool {
        tagged(self.text, node)
    }

    /// Where the properties a node starts with end (see [`properties_end`]).
    pub fn properties_end(&self, node: &Node) -> usize {
        properties_end(self.text, node)
    }

    /// Whether the first line from `pos` on that is not empty would be read as the text
    /// of a `|` block written before it at `block_indent`: it is blank, or that deep.
    /// (The mirror of [`Self::blocks_ok`].)
    pub fn swallowed(&self, pos: usize, block_indent: usize) -> bool {
        self.text[pos..]
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .find(|l| !l.is_empty())
            .is_some_and(|l| {
                l.trim_matches(blank).is_empty()
                    || l.len() - l.trim_start_matches(' ').len() >= block_indent
            })
    }

    /// The position of the `-` that introduces a block sequence item, if it starts its line.
    pub fn dash_position(&self, item: &Node) -> Option<usize> {
        let start = self.line_start(item.span.start);
        let before = &self.text[start..item.span.start];
        let trimmed = before.trim_start_matches(' ');
        (trimmed.starts_with('-') && trimmed[1..].bytes().all(|b| b == b' '))
            .then(|| start + before.len() - trimmed.len())
    }
}

/// One line of the text: where it starts, where the next one does (after its line
/// break), and its text without the break.
#[derive(Debug, Clone, Copy)]
pub struct Line<'t> {
    pub start: usize,
    pub end: usize,
    pub text: &'t str,
}

impl<'t> Line<'t> {
    /// The line past its indentation (blanks and tabs).
    pub fn code(&self) -> &'t str {
        self.text.trim_start_matches([' ', '\t'])
    }

    /// How deep it is indented (blanks and tabs).
    pub fn indent(&self) -> usize {
        self.text.len() - self.code().len()
    }
}

/// Where the properties (`&anchor`, `!tag`) a node starts with end. (Those on the line
/// of a block mapping's first key, `&a !!str key: 1`, are that key's, not the mapping's.)
pub fn properties_end(text: &str, node: &Node) -> usize {
    let key_line = match &node.value {
        Value::Map(entries) if node.style != Style::Flow => entries
            .first()
            .map(|e| text[..e.key_span.start].rfind('\n').map_or(0, |i| i + 1)),
        _ => None,
    };
    let own = |rest: &str| key_line.is_none_or(|line| node.span.end - rest.len() < line);
    let mut rest = text.get(node.span.clone()).unwrap_or_default();
    if !own(rest) {
        return node.span.start;
    }
    while let Some(props) = rest.strip_prefix(['&', '!']) {
        rest = props.trim_start_matches(|c: char| !blank(c));
        let next = separated(rest);
        if !next.starts_with(['&', '!']) || !own(next) {
            break;
        }
        rest = next;
    }
    node.span.end - rest.len()
}

/// `text` past the blanks, line breaks and comments at its start: what may come between
/// a node's properties, and between them and the node (`&a # c` on one line, `!!map` on
/// the next).
pub fn separated(mut text: &str) -> &str {
    loop {
        let rest = text.trim_start_matches(blank);
        // (A `#` is a comment's only after a blank.)
        if !rest.starts_with('#') || rest.len() == text.len() {
            return rest;
        }
        text = rest.find('\n').map_or("", |i| &rest[i..]);
    }
}

/// Whether a node has a tag (`!!map`) before it, of its own (see [`properties_end`]).
pub fn tagged(text: &str, node: &Node) -> bool {
    let end = properties_end(text, node);
    let mut rest = text.get(node.span.start..end).unwrap_or_default();
    while let Some(props) = rest.strip_prefix(['&', '!']) {
        if rest.starts_with('!') {
            return true;
        }
        rest = separated(props.trim_start_matches(|c: char| !blank(c)));
    }
    false
}

/// Whether a mapping or list is in flow style (`{…}`, `[…]`). Recorded while parsing.
pub fn is_flow(node: &Node) -> bool {
    node.style == Style::Flow
}

/// [`is_flow`] read from the text: a bracket after its anchor or tag. (A block list as
/// deep as its key, `key:\n- [a]`, starts where its first item does.)
fn flow_from_text(text: &str, node: &Node) -> bool {
    let first = match &node.value {
        Value::Seq(items) => items.first().map(|i| i.span.start),
        Value::Map(entries) => entries.first().map(|e| e.key_span.start),
        _ => None,
    };
    if first == Some(node.span.start) {
        return false;
    }
    flow_open(text, node).is_some()
}

/// Where a flow collection's opening bracket is (after its anchor or tag), if it is one.
pub fn flow_open(text: &str, node: &Node) -> Option<usize> {
    let mut rest = text.get(node.span.clone()).unwrap_or_default();
    while let Some(props) = rest.strip_prefix(['&', '!']) {
        rest = separated(props.trim_start_matches(|c: char| !blank(c) && c != '{' && c != '['));
    }
    rest.starts_with(['{', '['])
        .then(|| node.span.end - rest.len())
}

/// The file's indentation step: the smallest indentation of an indented key line.
pub fn indent_unit(text: &str) -> usize {
    text.lines()
        .filter_map(|l| {
            let n = l.len() - l.trim_start_matches(' ').len();
            let rest = &l[n..];
            (n > 0 && !rest.is_empty() && !rest.starts_with('#') && !rest.starts_with('-'))
                .then_some(n)
        })
        .min()
        .filter(|&n| n <= 8)
        .unwrap_or(2)
}

/// Whether a line's code ends with an explicit key's `?`: at its start, or after a blank,
/// a `-` or a byte order mark (not the end of a plain scalar, `a?`).
pub fn ends_with_question(code: &str) -> bool {
    code.strip_suffix('?').is_some_and(|head| {
        head.chars()
            .next_back()
            .is_none_or(|c| matches!(c, ' ' | '\t' | '-' | '\u{feff}'))
    })
}

/// YAML's white space: blanks and line breaks. (Not Rust's `char::is_whitespace`, which
/// takes in U+0085, U+2028 and others that YAML reads as text.)
pub fn blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// The part of a line before its comment (a `#` at its start or after a blank).
pub fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut from = 0;
    while let Some(i) = line[from..].find('#') {
        let at = from + i;
        if at == 0 || matches!(b[at - 1], b' ' | b'\t') {
            return &line[..at];
        }
        from = at + 1;
    }
    line
}
