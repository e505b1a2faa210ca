//! Minimal-diff rewriting: turn a YAML file's text into text whose content is a given new
//! document, changing only the lines that carry changed values.
//!
//! The new content is given as JSON (key order = where new keys go). The rewrite walks
//! the file's spanned tree and the new document together: a changed scalar is replaced in
//! place (keeping the key's quoting and any comment after the value); a new key goes after
//! the nearest preceding key that exists, with the mapping's indentation; a removed key
//! takes its lines with it; a list that only grew or lost one item gets one line edited.
//! Whatever cannot be edited in place (a list reordered, a scalar that became a mapping)
//! has just its own entry re-rendered. Comments, blank lines, key order and the
//! formatting of everything else stay byte for byte.
//!
//! The caller checks the result by parsing it back (see [`super::Transaction`]); a rewrite
//! that would not read back as intended is never written.

use std::cell::Cell;
use std::ops::Range;

use serde_json::{Map, Value as J};

use crate::repo::yaml::{self, Entry, Node, Value};

#[derive(Debug, thiserror::Error)]
#[error("cannot edit this file in place: {0}")]
pub struct RewriteError(String);

/// One replacement of a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TextEdit {
    range: Range<usize>,
    text: String,
}

/// Rewrites `text` (parsed as `root`) so that it holds `new`.
pub fn rewrite(text: &str, root: &Node, new: &J) -> Result<String, RewriteError> {
    if let Some(key) = long_key(new) {
        // YAML allows at most 1,024 characters in a key written without `? `.
        return Err(RewriteError(format!(
            "the key `{}…` is too long for YAML (more than 1,000 characters)",
            key.chars().take(20).collect::<String>()
        )));
    }
    if text.split("\r\n").any(|part| part.contains('\r')) {
        // YAML reads a lone CR as a line break; the positions here count LF only.
        return Err(RewriteError(
            "the file has a line break that is a lone carriage return (CR); save it with LF or CRLF line breaks".into(),
        ));
    }
    let J::Object(new) = new else {
        return Err(RewriteError("the new document is not a mapping".into()));
    };
    let ctx = Ctx {
        text,
        unit: indent_unit(text),
        blocks: Cell::new(true),
    };
    ctx.check_layout(root)?;
    let mut edits = Vec::new();
    match &root.value {
        Value::Map(entries) if !is_flow(text, root) => {
            ctx.edit_block_map(entries, new, 0, &mut edits)?;
            if emptied_tag(text, root, new) {
                // A tag left on nothing (`!!map` alone) is no mapping: it goes too.
                edits.push(TextEdit {
                    range: root.span.start..properties_end(text, root),
                    text: String::new(),
                });
            }
        }
        Value::Map(entries) if !new.is_empty() => {
            ctx.edit_flow_map(root, entries, new, None, &mut edits)?
        }
        Value::Null => {
            // An empty file: write the whole document.
            let body: String = new
                .iter()
                .map(|(k, v)| ctx.render_entry(&key_text(k, false), v, 0))
                .collect();
            edits.push(TextEdit {
                range: 0..text.len(),
                text: body,
            });
        }
        _ => return Err(RewriteError("the file is not a block mapping".into())),
    }
    if text.contains("\r\n") {
        // A file saved with CRLF line breaks keeps them in what is inserted.
        for e in &mut edits {
            e.text = e.text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
    }
    // An alias (`*a`) reads as a copy of its anchor's value, so an edit touching an
    // anchored value would change its aliases too, or drop the anchor they need.
    let mut anchored = Vec::new();
    anchored_spans(root, &mut anchored);
    // (An insertion right at the end of a block mapping may be one of its keys: refused.)
    if edits.iter().any(|e| {
        anchored
            .iter()
            .any(|s| e.range.start <= s.end && s.start < e.range.end.max(e.range.start + 1))
    }) {
        return Err(RewriteError(
            "the value to change has a YAML anchor (`&name`) that an alias (`*name`) repeats; write the aliased values out".into(),
        ));
    }
    // A layout this rewriter misreads can make edits overlap: refuse rather than guess.
    let mut ranges: Vec<&Range<usize>> = edits.iter().map(|e| &e.range).collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    if ranges.iter().any(|r| {
        r.start > r.end || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end)
    }) || ranges.windows(2).any(|w| w[0].end > w[1].start)
    {
        return Err(RewriteError(
            "the changes overlap in this file's layout; edit it by hand".into(),
        ));
    }
    Ok(apply(text, edits))
}

/// A key, at any depth, whose quoted form is longer than 1,000 characters.
fn long_key(v: &J) -> Option<&str> {
    match v {
        J::Object(map) => map.iter().find_map(|(k, v)| {
            (key_text(k, true).chars().count() > 1000)
                .then_some(k.as_str())
                .or_else(|| long_key(v))
        }),
        J::Array(items) => items.iter().find_map(long_key),
        _ => None,
    }
}

/// Whether an entry's value is an alias, or holds one (its parts have their anchor's
/// positions, not their own).
fn has_alias(entry: &Entry) -> bool {
    let mut spans = Vec::new();
    anchored_spans(&entry.value, &mut spans);
    is_alias(entry) || !spans.is_empty()
}

/// Whether an entry's value is an alias: a copy of the anchored node, which lies wholly
/// before the key, or is the key itself (`&a key: *a`). (An empty value may share its
/// key's position, or be placed anywhere around it: not an alias.)
fn is_alias(entry: &Entry) -> bool {
    let (value, key) = (&entry.value.span, &entry.key_span);
    (value.start < key.start && value.end <= key.start)
        || (value == key && matches!(&entry.value.value, Value::Str(s) if *s == entry.key))
}

/// A key over several lines, or without its `:` in a block mapping.
fn unplaceable_key(e: &Entry) -> RewriteError {
    RewriteError(format!(
        "the key `{}` is laid out in a way this editor does not follow (over several lines, or without its `:`); edit the file by hand",
        e.key.chars().take(20).collect::<String>()
    ))
}

fn alias_error(key: &str) -> RewriteError {
    RewriteError(format!(
        "`{key}` is or holds a YAML alias (`*name`); write its value out to change it"
    ))
}

/// The spans of anchored values that aliases repeat. An alias's node is a copy of its
/// anchor's, span included, so it sits before where the alias is.
fn anchored_spans(node: &Node, out: &mut Vec<Range<usize>>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if is_alias(e) {
                    out.push(e.value.span.clone());
                } else {
                    anchored_spans(&e.value, out);
                }
            }
        }
        Value::Seq(items) => {
            let mut after = node.span.start;
            for item in items {
                if item.span.start < after {
                    out.push(item.span.clone());
                } else {
                    after = item.span.end;
                    anchored_spans(item, out);
                }
            }
        }
        _ => {}
    }
}

fn apply(text: &str, edits: Vec<TextEdit>) -> String {
    // Later edits first, so earlier ranges stay valid. Edits never overlap. Of several
    // inserts at one position, the one made last is applied first, so that they end up
    // in the order they were made.
    let mut edits: Vec<(usize, TextEdit)> = edits.into_iter().enumerate().collect();
    edits.sort_by(|(i, a), (j, b)| {
        b.range
            .start
            .cmp(&a.range.start)
            .then(b.range.end.cmp(&a.range.end))
            .then(j.cmp(i))
    });
    let mut out = text.to_owned();
    for (_, e) in edits {
        out.replace_range(e.range, &e.text);
    }
    out
}

struct Ctx<'t> {
    text: &'t str,
    /// The file's indentation step (2 unless the file uses another).
    unit: usize,
    /// Whether multi-line text may be written as a `|` block here (not where the lines
    /// that follow would become part of it).
    blocks: Cell<bool>,
}

/// Whether a value counts as "not there" (a key holding it may be absent).
fn is_empty(v: &J) -> bool {
    match v {
        J::Null => true,
        J::Array(a) => a.is_empty(),
        J::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Whether a string can be written plain: it reads back as itself (see
/// [`yaml::plain_is_string`]) and cannot be taken for a document marker (`---` or `...`
/// at the start of a line ends or starts a document).
fn plain(s: &str) -> bool {
    yaml::plain_is_string(s) && !s.starts_with("---") && !s.starts_with("...")
}

/// The text of a new key: plain when that reads back as the same string and the
/// mapping's other keys are not quoted, double-quoted otherwise.
fn key_text(key: &str, quoted_siblings: bool) -> String {
    if !quoted_siblings && plain(key) {
        key.to_owned()
    } else {
        yaml::quote(key)
    }
}

impl Ctx<'_> {
    fn line_start(&self, pos: usize) -> usize {
        // A byte order mark starting a line (the file, or a document in it) is not part
        // of the line, nor of its indentation.
        let mut start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        while self.text[start..pos].starts_with('\u{feff}') {
            start += 3;
        }
        start
    }

    /// The position after the line break ending the line that holds `pos`.
    fn line_end(&self, pos: usize) -> usize {
        self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i + 1)
    }

    fn column(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    /// Where a value's own text ends (block scalars and block collections carry the
    /// blank lines after them in their spans; this does not). For a mapping's value use
    /// [`Self::value_end`], which also knows where an empty value is.
    fn content_end(&self, node: &Node) -> usize {
        match &node.value {
            Value::Map(entries) if !is_flow(self.text, node) => {
                entries.last().map_or(node.span.end, |e| self.value_end(e))
            }
            Value::Seq(items) if !is_flow(self.text, node) => {
                items.last().map_or(node.span.end, |i| self.content_end(i))
            }
            Value::Map(_) | Value::Seq(_) => self.flow_end(node),
            _ => {
                let mut end = node.span.end;
                let header = self.block_header(node);
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
    fn between_brackets(&self, node: &Node) -> Range<usize> {
        let open = flow_open(self.text, node).unwrap_or(node.span.start);
        open + 1..self.flow_end(node) - 1
    }

    /// Where a flow collection ends: after its closing bracket. (The parser's span may
    /// stop before it, after a trailing comma, `{a,}`, or run on over a comment after it.)
    fn flow_end(&self, node: &Node) -> usize {
        self.flow_scan(node).0
    }

    /// [`Self::flow_end`], and whether the collection has an explicit key (`? key`) at
    /// any depth.
    fn flow_scan(&self, node: &Node) -> (usize, bool) {
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
    fn blocks_ok(&self, pos: usize, indent: usize) -> bool {
        self.text[pos.min(self.text.len())..]
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .find(|l| !l.is_empty())
            .is_none_or(|l| {
                !l.trim_matches(blank).is_empty()
                    && l.len() - l.trim_start_matches(' ').len() <= indent
            })
    }

    /// Runs `f` with `|` blocks allowed or not.
    fn with_blocks<T>(&self, ok: bool, f: impl FnOnce() -> T) -> T {
        let before = self.blocks.replace(ok);
        let out = f();
        self.blocks.set(before);
        out
    }

    /// Where an entry's value ends. An empty value (`key:` with nothing after it) has no
    /// text of its own, and the parser may place it at whatever follows (the next `? `
    /// key, a flow mapping's `,` or `}`): it ends right after the `:`, or after the key
    /// when there is no `:`.
    fn value_end(&self, entry: &Entry) -> usize {
        let after = self.colon(entry).map_or(self.key_end(entry), |c| c + 1);
        if matches!(entry.value.value, Value::Null) && !self.null_written(&entry.value, after) {
            return after;
        }
        self.content_end(&entry.value).max(after)
    }

    /// Whether a null value that starts at or after `after` is written out (`~`, `null`,
    /// a tag or an anchor, which its span then covers), rather than empty.
    fn null_written(&self, node: &Node, after: usize) -> bool {
        let t = self.text[node.span.clone()].trim_matches(blank);
        node.span.start >= after
            && (t.starts_with(['!', '&'])
                || ["~", "null", "Null", "NULL"].iter().any(|n| t.ends_with(n)))
    }

    /// For a block scalar (`|` or `>`), where its header ends and whether it keeps its
    /// final line breaks (`+`). Its span starts after the header's line, so the header is
    /// the last thing before it on a previous line (a comment may follow the header).
    fn block_header(&self, node: &Node) -> Option<(usize, bool)> {
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
    fn key_end(&self, entry: &Entry) -> usize {
        match self.explicit(entry) {
            Some(q) if entry.key_span.is_empty() => q + 1,
            _ => entry.key_span.end,
        }
    }

    /// The position of the `?` of an explicit key (`? key`), if the key is one. An empty
    /// key's position is where the parser stopped looking for it, possibly lines later.
    fn explicit(&self, entry: &Entry) -> Option<usize> {
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
    fn last_block(&self, node: &Node) -> Option<(usize, bool)> {
        match &node.value {
            Value::Map(entries) => entries.last().and_then(|e| self.last_block(&e.value)),
            Value::Seq(items) => items.last().and_then(|i| self.last_block(i)),
            _ => self.block_header(node),
        }
    }

    /// Whether the `?` at `q` can be the explicit indicator of an empty key placed at a
    /// later line: not when the key is placed at a `:` less deep than the `?` (an empty
    /// plain key of an outer mapping, `:` alone).
    fn question_fits(&self, entry: &Entry, q: usize) -> bool {
        self.text.as_bytes().get(entry.key_span.start) != Some(&b':')
            || self.column(q) <= self.column(entry.key_span.start)
    }

    /// Whether an empty key is placed at a `:` with a deeper `?` before it (only blank
    /// and comment lines between): the `?`'s key has no value, and the parser gives its
    /// key and the `:` key the same place, so neither can be told apart.
    fn ambiguous_empty_key(&self, entry: &Entry) -> bool {
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
    fn block_key(&self, entry: &Entry) -> bool {
        let key = Node {
            span: entry.key_span.clone(),
            value: Value::Str(entry.key.clone()),
        };
        self.block_header(&key).is_some_and(|(end, _)| {
            let line = &self.text[self.line_start(end)..end];
            let head = line.rsplit_once([' ', '\t']).map_or("", |(head, _)| head);
            head.split([' ', '\t']).any(|word| word == "?")
        })
    }

    /// Refuses a document with a layout whose keys cannot be placed (see
    /// [`Self::ambiguous_empty_key`]).
    fn check_layout(&self, node: &Node) -> Result<(), RewriteError> {
        match &node.value {
            Value::Map(entries) => entries.iter().try_for_each(|e| {
                if self.ambiguous_empty_key(e) {
                    return Err(RewriteError(
                        "an explicit key (`?`) without a value is followed by an empty key (`:`) less deep, which cannot be told apart; edit the file by hand".into(),
                    ));
                }
                if self.block_key(e) {
                    return Err(RewriteError(
                        "a key written as a block scalar (`? |`) cannot be placed by this editor; write it as `key:` by hand".into(),
                    ));
                }
                self.check_layout(&e.value)
            }),
            Value::Seq(items) => items.iter().try_for_each(|i| self.check_layout(i)),
            _ => Ok(()),
        }
    }

    /// Where an entry starts: its key, or the `?` of an explicit key.
    fn entry_start(&self, entry: &Entry) -> usize {
        self.explicit(entry).unwrap_or(entry.key_span.start)
    }

    /// Whether a flow mapping key's `:` follows it on a later line (after line breaks and
    /// comments).
    fn colon_on_a_later_line(&self, entry: &Entry) -> bool {
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
    /// key, or a key in a flow mapping, may have none: `? a`, `{a, b}`).
    fn colon(&self, entry: &Entry) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let explicit = self.explicit(entry);
        let mut i = self.key_end(entry);
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
                    let quoted = matches!(
                        bytes.get(entry.key_span.end.wrapping_sub(1)),
                        Some(b'"' | b'\'')
                    );
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

    /// The position right after the `:` that follows an entry's key.
    fn after_colon(&self, entry: &Entry) -> Result<usize, RewriteError> {
        self.colon(entry)
            .map(|c| c + 1)
            .ok_or_else(|| RewriteError(format!("no `:` after key `{}`", entry.key)))
    }

    /// Whether an entry's key starts its line (it is not the first key of a `- ` item).
    fn key_starts_line(&self, entry: &Entry) -> bool {
        let start = self.entry_start(entry);
        self.text[self.line_start(start)..start]
            .bytes()
            .all(|b| b == b' ')
    }

    /// The lines an entry occupies in a block mapping.
    fn entry_lines(&self, entry: &Entry) -> Range<usize> {
        self.line_start(self.entry_start(entry))..self.line_end(self.value_end(entry))
    }

    fn edit_block_map(
        &self,
        entries: &[Entry],
        new: &Map<String, J>,
        indent: usize,
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        let quoted = entries.iter().any(|e| {
            matches!(
                self.text.as_bytes().get(e.key_span.start),
                Some(b'"' | b'\'')
            )
        });
        let indent = entries
            .first()
            .map_or(indent, |e| self.column(self.entry_start(e)));
        // Layouts whose keys this editor cannot place: refuse rather than guess.
        for e in entries {
            if self.explicit(e).is_none()
                && (self.text[e.key_span.clone()].contains('\n') || self.colon(e).is_none())
            {
                return Err(unplaceable_key(e));
            }
        }
        // Changed and removed keys.
        let stays = |e: &Entry| new.contains_key(&e.key) || is_empty(&e.value.to_json());
        for (i, entry) in entries.iter().enumerate() {
            match new.get(&entry.key) {
                None if is_empty(&entry.value.to_json()) => {}
                None if has_alias(entry) => return Err(alias_error(&entry.key)),
                None => {
                    if !self.key_starts_line(entry) {
                        return Err(RewriteError(format!(
                            "cannot remove `{}`, the first key of a list item",
                            entry.key
                        )));
                    }
                    let mut range = self.entry_lines(entry);
                    // Lines of blanks after it go with it: they were its own block's text,
                    // or would join a block kept before it (a `|+` block's text, or any
                    // block's when deeper than it), or (a tab) not parse where they would
                    // be. So do comment lines deeper than the keys after it, when they
                    // would become the text of a block before it, and the empty lines
                    // between such lines; the empty lines after the last of them stay, to
                    // separate what follows, except after a `|+` block (its text).
                    // (A kept key's block is its old one, or one its new value is
                    // rendered with.)
                    let kept = entries[..i].iter().rev().find(|e| stays(e));
                    let after_block = kept.and_then(|e| self.last_block(&e.value));
                    let keeps = after_block.is_some_and(|(_, keep)| keep);
                    let after_block = after_block.is_some()
                        || kept
                            .and_then(|e| new.get(&e.key))
                            .is_some_and(|v| self.ends_with_block(v));
                    let mut at = range.end;
                    while at < self.text.len() {
                        let next = self.line_end(at);
                        let line = self.text[at..next].trim_end_matches(['\r', '\n']);
                        let code = line.trim_start_matches([' ', '\t']);
                        let deeper_comment = after_block
                            && code.starts_with('#')
                            && line.len() - code.len() > indent;
                        if !code.is_empty() && !deeper_comment {
                            break;
                        }
                        at = next;
                        if keeps || !line.is_empty() {
                            range.end = next;
                        }
                    }
                    if self.bare_question_before(range.start, out)
                        && self.tab_before_code(range.end)
                    {
                        return Err(RewriteError(format!(
                            "cannot remove `{}`: a line indented with a tab would then follow an explicit key (`?`) that has no value, which YAML reads as an error; indent that line with spaces",
                            entry.key
                        )));
                    }
                    out.push(TextEdit {
                        range,
                        text: String::new(),
                    });
                }
                Some(v) => self.edit_entry(entry, v, indent, out)?,
            }
        }
        // New keys, each after the nearest preceding key that exists. In a mapping whose
        // entries are separated by blank lines, so are the new ones.
        let spaced = entries.len() > 1
            && entries.windows(2).all(|w| {
                let before = &self.text[..self.line_start(w[1].key_span.start)];
                before.ends_with("\n\n") || before.ends_with("\n\r\n")
            });
        let gap = if spaced { "\n" } else { "" };
        let mut anchor: Option<&Entry> = None;
        let mut pending: Vec<(Option<&Entry>, String)> = Vec::new();
        for (k, v) in new {
            if let Some(e) = entries.iter().find(|e| e.key == *k) {
                anchor = Some(e);
                continue;
            }
            // An absent key already means "nothing": no need to write an empty value.
            if is_empty(v) {
                continue;
            }
            // What follows the place it goes must not become the text of a `|` block.
            let at = match anchor {
                Some(a) => self.line_end(self.value_end(a)),
                // Before the first key, or what follows it if it is removed.
                None => entries
                    .first()
                    .map_or(0, |e| self.line_start(self.entry_start(e))),
            };
            let next = after_removed(self.text, at, out);
            let rendered = self.with_blocks(self.blocks_ok(next, indent), || {
                self.render_entry(&key_text(k, quoted), v, indent)
            });
            match pending.last_mut() {
                Some((a, text))
                    if a.map(|e| e.key_span.start) == anchor.map(|e| e.key_span.start) =>
                {
                    text.push_str(gap);
                    text.push_str(&rendered)
                }
                _ => pending.push((anchor, rendered)),
            }
        }
        for (anchor, rendered) in pending {
            let (at, prefix) = match anchor {
                Some(a) if has_alias(a) => return Err(alias_error(&a.key)),
                Some(a) => {
                    let at = self.line_end(self.value_end(a));
                    // (The block's span may or may not take in that last line, and an
                    // empty block's ends at its header.)
                    let last_line = self.line_start(self.text.len());
                    let tail = &self.text[last_line..];
                    if self.text[at.min(last_line)..last_line]
                        .trim_matches(blank)
                        .is_empty()
                        && !tail.is_empty()
                        && tail.trim_matches(blank).is_empty()
                        && self.last_block(&a.value).is_some()
                    {
                        // The parser reads such a last line as one more line of the block
                        // (a `\n` more than YAML says); text after it would change that.
                        return Err(RewriteError(
                            "the file ends with a `|` block whose last line holds only blanks and no line break (read as one more line of the block); remove those blanks first".into(),
                        ));
                    }
                    (
                        at,
                        if at == self.text.len() && !self.text.ends_with('\n') {
                            "\n"
                        } else {
                            ""
                        },
                    )
                }
                None => match entries.first() {
                    Some(first) if self.key_starts_line(first) => {
                        (self.line_start(self.entry_start(first)), "")
                    }
                    _ => return Err(RewriteError("no place to insert a key".into())),
                },
            };
            let text = match anchor {
                // (A `|+` block keeps the blank lines after it as its text.)
                Some(a) if self.last_block(&a.value).is_some_and(|(_, keep)| keep) => {
                    format!("{prefix}{rendered}")
                }
                Some(_) => format!("{prefix}{gap}{rendered}"),
                None => format!("{rendered}{gap}"),
            };
            out.push(TextEdit {
                range: at..at,
                text,
            });
        }
        Ok(())
    }

    /// Whether a value is rendered ending with a `|` block: a string that reads better as
    /// one, or a collection whose last written value is.
    fn ends_with_block(&self, v: &J) -> bool {
        match v {
            J::Object(map) => map
                .values()
                .rfind(|v| !is_empty(v))
                .is_some_and(|v| self.ends_with_block(v)),
            J::Array(items) => items.last().is_some_and(|v| self.ends_with_block(v)),
            J::String(_) => self.render_inline(v).is_none(),
            _ => false,
        }
    }

    /// Whether the last line of code before `pos` (a line start), past the removals among
    /// `edits` and blank and comment lines, ends with a `?` that has no key after it.
    fn bare_question_before(&self, mut pos: usize, edits: &[TextEdit]) -> bool {
        while pos > 0 {
            if let Some(e) = edits
                .iter()
                .find(|e| e.range.start < pos && pos <= e.range.end)
            {
                // (What is written in its place is a key with its value.)
                if !e.text.is_empty() {
                    return false;
                }
                pos = e.range.start;
                continue;
            }
            // (The line `pos` is on, or the one before when it starts a line; only a
            // byte order mark may be before it on a first line.)
            let start = match self.line_start(pos) {
                start if start < pos => start,
                _ if self.text[..pos].ends_with('\n') => self.line_start(pos - 1),
                _ => return false,
            };
            let code = strip_comment(&self.text[start..pos]).trim_end_matches(blank);
            if code.trim_start_matches(blank).is_empty() {
                pos = start;
                continue;
            }
            return ends_with_question(code);
        }
        false
    }

    /// Whether a line indented with a tab comes from `pos` on before the next line of
    /// code. (After a `?` with no key, the parser takes a tab there for indentation.)
    fn tab_before_code(&self, pos: usize) -> bool {
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

    /// Edits one existing entry of a block mapping to hold `new`.
    fn edit_entry(
        &self,
        entry: &Entry,
        new: &J,
        indent: usize,
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        let old = entry.value.to_json();
        if old == *new || (is_empty(&old) && is_empty(new) && old.is_null() == new.is_null()) {
            return Ok(());
        }
        let node = &entry.value;
        // Only a block mapping is edited child by child; everything else is rewritten
        // from the positions of its parts, which an alias inside it does not have.
        let by_child = matches!((&node.value, new), (Value::Map(c), J::Object(m))
            if !c.is_empty() && !m.is_empty() && !is_flow(self.text, node));
        if is_alias(entry) || (!by_child && has_alias(entry)) {
            return Err(alias_error(&entry.key));
        }
        if self.explicit(entry).is_some() {
            // `? key` (`: value` on the next line, or no value at all): the entry is
            // written anew as `key: value`.
            if !self.key_starts_line(entry) {
                return Err(RewriteError(format!(
                    "cannot re-render `{}`, the first key of a list item",
                    entry.key
                )));
            }
            out.push(self.replace_entry(entry, new));
            return Ok(());
        }
        match (&node.value, new) {
            (Value::Map(children), J::Object(map)) if children.is_empty() && !map.is_empty() => {
                self.expand_into(entry, map, indent, out)
            }
            // (A tagged mapping emptied would leave its tag on nothing: `a: !!map`.)
            (Value::Map(children), J::Object(map))
                if !map.is_empty()
                    && !is_flow(self.text, node)
                    && !emptied_tag(self.text, node, map) =>
            {
                self.edit_block_map(children, map, indent + self.unit, out)
            }
            (Value::Map(children), J::Object(map))
                if !map.is_empty() && is_flow(self.text, node) =>
            {
                self.edit_flow_map(node, children, map, Some(indent), out)
            }
            (Value::Seq(items), J::Array(new_items))
                if !new_items.is_empty() && !is_flow(self.text, node) =>
            {
                self.edit_block_seq(entry, items, new_items, out)
            }
            (Value::Seq(items), J::Array(_)) if items.is_empty() && self.key_starts_line(entry) => {
                out.push(self.replace_entry(entry, new));
                Ok(())
            }
            (Value::Null, J::Object(map)) if !map.is_empty() => {
                self.expand_into(entry, map, indent, out)
            }
            (Value::Map(_) | Value::Seq(_), _) if !is_flow(self.text, node) => {
                out.push(self.replace_entry(entry, new));
                Ok(())
            }
            (_, J::Object(_) | J::Array(_))
                if !matches!(node.value, Value::Map(_) | Value::Seq(_)) || is_empty(new) =>
            {
                if !self.key_starts_line(entry) {
                    return Err(RewriteError(format!(
                        "cannot re-render `{}`, the first key of a list item",
                        entry.key
                    )));
                }
                out.push(self.replace_entry(entry, new));
                Ok(())
            }
            _ => {
                // A scalar (or a flow collection) replaced in place.
                let at = self.after_colon(entry)?;
                let end = self.value_end(entry);
                let after_on_line = &self.text[end..self.line_end(end)];
                // What follows the value on its line would end up inside a `|` block, as
                // its text: then the value is quoted; blanks are replaced with the block.
                // So would a following line (a comment) indented as deep as its text, and
                // blanks on the lines between (they would be lines of its text).
                let swallowed = self.text[self.line_end(end)..]
                    .lines()
                    .map(|l| l.trim_end_matches('\r'))
                    .find(|l| !l.is_empty())
                    .is_some_and(|l| {
                        l.trim_matches(blank).is_empty()
                            || l.len() - l.trim_start_matches(' ').len() >= indent + self.unit
                    });
                let inline = self.render_inline(new).or_else(|| {
                    (!after_on_line.trim_matches(blank).is_empty() || swallowed)
                        .then(|| yaml::quote(new.as_str().unwrap_or_default()))
                });
                let block_end = end + after_on_line.trim_end_matches(['\r', '\n']).len();
                // The new value as a `|` block, `after` (a comment kept) following its
                // header on the key's line.
                let block_after = |after: &str| {
                    let block = self
                        .render_block_scalar(new.as_str().unwrap_or_default(), indent + self.unit);
                    let (header, body) = block.split_once('\n').unwrap_or((&block, ""));
                    TextEdit {
                        range: at..block_end,
                        text: format!(" {header}{after}\n{body}"),
                    }
                };
                // A comment between the `:` and a value on a following line stays on
                // the key's line; the new value goes where the old one started.
                let lead = &self.text[at..node.span.start.max(at)];
                if self.block_header(node).is_some() {
                    // A `|` block's header may have a comment after it: it stays, after
                    // the new value (or the new header).
                    let first = &lead[..lead.find('\n').unwrap_or(lead.len())];
                    let comment = first[strip_comment(first).len()..].trim_end_matches(blank);
                    let sep = if comment.is_empty() { "" } else { "  " };
                    let text = match inline {
                        Some(s) => format!(" {s}{sep}{comment}"),
                        None => {
                            out.push(block_after(&format!("{sep}{comment}")));
                            return Ok(());
                        }
                    };
                    out.push(TextEdit {
                        range: at..end,
                        text,
                    });
                    return Ok(());
                }
                if let Some(hash) = lead.find('#')
                    && lead[hash..].contains('\n')
                {
                    let comment_end = at + hash + lead[hash..].find('\n').unwrap_or(0) + 1;
                    let pad = " ".repeat(self.column(node.span.start).max(indent + self.unit));
                    let text = match inline {
                        Some(s) => format!("{pad}{s}"),
                        None => {
                            let comment = self.text[at + hash..comment_end].trim_end_matches(blank);
                            out.push(block_after(&format!("  {comment}")));
                            return Ok(());
                        }
                    };
                    out.push(TextEdit {
                        range: comment_end..end,
                        text,
                    });
                    return Ok(());
                }
                let (rendered, end) = match inline {
                    Some(s) => (s, end),
                    None => (
                        self.render_block_scalar(
                            new.as_str().unwrap_or_default(),
                            indent + self.unit,
                        ),
                        block_end,
                    ),
                };
                out.push(TextEdit {
                    range: at..end,
                    text: format!(" {rendered}"),
                });
                Ok(())
            }
        }
    }

    /// `key:` or `key: {}` receiving its first children, written on the following lines.
    fn expand_into(
        &self,
        entry: &Entry,
        map: &Map<String, J>,
        indent: usize,
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        let at = self.after_colon(entry)?;
        let end = self.value_end(entry);
        let body: String = self.with_blocks(self.blocks_ok(self.line_end(end), indent), || {
            map.iter()
                .map(|(k, v)| self.render_entry(&key_text(k, false), v, indent + self.unit))
                .collect()
        });
        // Blanks after the old value go (the new lines would end with them); a comment
        // stays on the key's line.
        let line = &self.text[end..self.line_end(end)];
        let rest = line.trim_end_matches(['\r', '\n']);
        let (range, body) = if rest.trim_start_matches([' ', '\t']).starts_with('#') {
            out.push(TextEdit {
                range: at..end,
                text: String::new(),
            });
            (end + rest.len()..end + rest.len(), body)
        } else {
            (at..end + rest.len(), body)
        };
        out.push(TextEdit {
            range,
            text: format!("\n{}", body.trim_end_matches('\n')),
        });
        Ok(())
    }

    fn replace_entry(&self, entry: &Entry, new: &J) -> TextEdit {
        // An explicit key (`? key`) is written as a plain one.
        let key = match self.explicit(entry) {
            Some(_) => key_text(&entry.key, false),
            // An empty key with an anchor or tag (`&a :`): the blank keeps them apart
            // from the `:`.
            None if entry.key.is_empty() && !entry.key_span.is_empty() => {
                format!("{} ", &self.text[entry.key_span.clone()])
            }
            None => self.text[entry.key_span.clone()].to_owned(),
        };
        let start = self.entry_start(entry);
        let indent = self.column(start);
        // What precedes the key on its line stays (the `- ` of a list item's first key).
        let range = start..self.entry_lines(entry).end;
        let mut text = self
            .with_blocks(self.blocks_ok(range.end, indent), || {
                self.render_entry(&key, new, indent)
            })
            .split_off(indent);
        if range.end == self.text.len() && !self.text.ends_with('\n') {
            text.pop();
        }
        TextEdit { range, text }
    }

    fn edit_flow_map(
        &self,
        node: &Node,
        children: &[Entry],
        new: &Map<String, J>,
        key_indent: Option<usize>,
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        // A flow mapping may run over several lines; one indented no deeper than its key
        // (which the parser lets pass) cannot take a key: refuse rather than guess.
        if let Some(indent) = key_indent
            && self.text[node.span.start..self.flow_end(node)]
                .split('\n')
                .skip(1)
                .any(|l| {
                    !l.trim_matches(blank).is_empty()
                        && l.len() - l.trim_start_matches(' ').len() <= indent
                })
        {
            return Err(RewriteError(
                "a flow mapping (`{…}`) here continues on a line indented no deeper than its key; edit it by hand".into(),
            ));
        }
        if self.flow_scan(node).1 {
            return Err(RewriteError(
                "a flow mapping (`{…}`) here has an explicit key (`? key`); edit it by hand".into(),
            ));
        }
        // (In a flow mapping a key may have no `:`, as in `{a, b}`, or have it on a later
        // line, `{a\n :}`, which this editor does not follow.)
        if let Some(e) = children.iter().find(|e| {
            self.text[e.key_span.clone()].contains('\n')
                || (self.colon(e).is_none() && self.colon_on_a_later_line(e))
        }) {
            return Err(unplaceable_key(e));
        }
        let mut kept: Vec<&Entry> = Vec::new();
        let edits_before = out.len();
        for (i, entry) in children.iter().enumerate() {
            match new.get(&entry.key) {
                Some(v) => {
                    if entry.value.to_json() != *v {
                        // A key without a value (`{a, b}`) gets its `:` too.
                        let (at, colon) = match self.colon(entry) {
                            Some(c) => (c + 1, ""),
                            // (`&a:` would be an anchor named `a:`.)
                            None if entry.key.is_empty() && !entry.key_span.is_empty() => {
                                (self.key_end(entry), " :")
                            }
                            None => (self.key_end(entry), ":"),
                        };
                        out.push(TextEdit {
                            range: at..self.value_end(entry),
                            text: format!("{colon} {}", render_flow(v)),
                        });
                    }
                    kept.push(entry);
                }
                None => {
                    let range = if i > 0 {
                        self.value_end(&children[i - 1])..self.value_end(entry)
                    } else if let Some(next) = children.get(1) {
                        entry.key_span.start..next.key_span.start
                    } else {
                        entry.key_span.start..self.value_end(entry)
                    };
                    out.push(TextEdit {
                        range,
                        text: String::new(),
                    });
                }
            }
        }
        let added: Vec<String> = new
            .iter()
            .filter(|(k, v)| !children.iter().any(|e| e.key == **k) && !v.is_null())
            .map(|(k, v)| format!("{}: {}", flow_text(k), render_flow(v)))
            .collect();
        if kept.is_empty() && !children.is_empty() {
            // Every key goes: the brackets are emptied whole (removing key by key would
            // leave a trailing comma behind, `{,}`), and take the new keys if any.
            out.truncate(edits_before);
            let text = if added.is_empty() {
                String::new()
            } else {
                format!(" {} ", added.join(", "))
            };
            out.push(TextEdit {
                range: self.between_brackets(node),
                text,
            });
        } else if !added.is_empty() {
            match children.last() {
                Some(last) if !kept.is_empty() || children.len() > 1 => out.push(TextEdit {
                    range: self.value_end(last)..self.value_end(last),
                    text: format!(", {}", added.join(", ")),
                }),
                _ => out.push(TextEdit {
                    range: self.between_brackets(node),
                    text: format!(" {} ", added.join(", ")),
                }),
            }
        }
        // A plain scalar ending in ` -` right before a `,` or a bracket is read by the
        // parser as a new scalar starting there, which it refuses: a blank stays between.
        for e in &mut out[edits_before..] {
            let before = self.text[..e.range.start].strip_suffix('-');
            let next = e
                .text
                .chars()
                .next()
                .or_else(|| self.text[e.range.end..].chars().next());
            if before.is_some_and(|b| b.ends_with([' ', '\t']))
                && next.is_some_and(|c| matches!(c, ',' | '[' | ']' | '{' | '}'))
            {
                e.text.insert(0, ' ');
            }
        }
        Ok(())
    }

    fn edit_block_seq(
        &self,
        entry: &Entry,
        items: &[Node],
        new: &[J],
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        let old: Vec<J> = items.iter().map(Node::to_json).collect();
        let dash = items.first().map(|i| self.dash_position(i));
        if let Some(Some(dash)) = dash {
            let dash_indent = self.column(dash);
            // Grown at the end: append the new items.
            if new.len() > old.len() && new[..old.len()] == old[..] {
                let at = self.line_end(self.content_end(items.last().expect("non-empty")));
                let prefix = if at == self.text.len() && !self.text.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                let body: String = new[old.len()..]
                    .iter()
                    .map(|v| self.render_item(v, dash_indent))
                    .collect();
                out.push(TextEdit {
                    range: at..at,
                    text: format!("{prefix}{body}"),
                });
                return Ok(());
            }
            // One item removed.
            let removed = (new.len() + 1 == old.len())
                .then(|| (0..old.len()).find(|&i| old[..i] == new[..i] && old[i + 1..] == new[i..]))
                .flatten();
            if let Some(i) = removed
                && let Some(d) = self.dash_position(&items[i])
            {
                out.push(TextEdit {
                    range: self.line_start(d)..self.line_end(self.content_end(&items[i])),
                    text: String::new(),
                });
                return Ok(());
            }
        }
        out.push(self.replace_entry(entry, &J::Array(new.to_vec())));
        Ok(())
    }

    /// The position of the `-` that introduces a block sequence item, if it starts its line.
    fn dash_position(&self, item: &Node) -> Option<usize> {
        let start = self.line_start(item.span.start);
        let before = &self.text[start..item.span.start];
        let trimmed = before.trim_start_matches(' ');
        (trimmed.starts_with('-') && trimmed[1..].bytes().all(|b| b == b' '))
            .then(|| start + before.len() - trimmed.len())
    }

    /// A scalar on one line, or `None` for text that reads better as a block scalar.
    fn render_inline(&self, v: &J) -> Option<String> {
        Some(match v {
            J::Null => String::new(),
            J::Bool(b) => b.to_string(),
            J::Number(n) => n.to_string(),
            J::String(s) if s.contains('\n') => {
                // (A `|` block takes its indentation from its first non-empty line.)
                let lines_ok = !s.trim_start_matches('\n').starts_with(' ')
                    && !s.trim_start_matches('\n').is_empty()
                    && !s.ends_with("\n\n")
                    && !s.contains('\r')
                    // A byte order mark is allowed in quoted scalars only.
                    && !s
                        .chars()
                        .any(|c| (c.is_control() && c != '\n') || !yaml::printable(c) || c == '\u{feff}');
                return if lines_ok { None } else { Some(yaml::quote(s)) };
            }
            J::String(s) if plain(s) => s.clone(),
            J::String(s) => yaml::quote(s),
            J::Array(_) | J::Object(_) => render_flow(v),
        })
    }

    /// A literal block scalar (`|` or `|-`), its lines at `indent`, with no final line
    /// break (the text after the value supplies it).
    fn render_block_scalar(&self, s: &str, indent: usize) -> String {
        let header = if s.ends_with('\n') { "|" } else { "|-" };
        let pad = " ".repeat(indent);
        let body: Vec<String> = s
            .trim_end_matches('\n')
            .split('\n')
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{pad}{l}")
                }
            })
            .collect();
        format!("{header}\n{}", body.join("\n"))
    }

    /// `key: value` in block style at `indent`, ending with a line break.
    fn render_entry(&self, key: &str, v: &J, indent: usize) -> String {
        let pad = " ".repeat(indent);
        match v {
            J::Object(map) if !map.is_empty() => {
                let mut s = format!("{pad}{key}:\n");
                for (k, v) in map {
                    s.push_str(&self.render_entry(&key_text(k, false), v, indent + self.unit));
                }
                s
            }
            J::Array(items) if !items.is_empty() => {
                let mut s = format!("{pad}{key}:\n");
                for item in items {
                    s.push_str(&self.render_item(item, indent + self.unit));
                }
                s
            }
            _ => match self.render_inline(v).or_else(|| {
                (!self.blocks.get()).then(|| yaml::quote(v.as_str().unwrap_or_default()))
            }) {
                Some(inline) => format!("{pad}{key}: {inline}\n"),
                None => format!(
                    "{pad}{key}: {}\n",
                    self.render_block_scalar(v.as_str().unwrap_or_default(), indent + self.unit)
                ),
            },
        }
    }

    /// `- item` at `dash_indent`; a mapping item has its first key on the dash's line.
    fn render_item(&self, v: &J, dash_indent: usize) -> String {
        let pad = " ".repeat(dash_indent);
        match v {
            J::Object(map) if !map.is_empty() => {
                let inner = dash_indent + 2;
                let mut s = String::new();
                for (i, (k, v)) in map.iter().enumerate() {
                    let entry = self.render_entry(&key_text(k, false), v, inner);
                    if i == 0 {
                        s.push_str(&format!("{pad}- {}", &entry[inner..]));
                    } else {
                        s.push_str(&entry);
                    }
                }
                s
            }
            _ => format!(
                "{pad}- {}\n",
                self.render_inline(v).unwrap_or_else(|| render_flow(v))
            ),
        }
    }
}

/// A value in flow style (`{a: 1, b: [x, y]}`), scalars plain where safe.
fn render_flow(v: &J) -> String {
    match v {
        J::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", flow_text(k), render_flow(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        J::Array(items) => format!(
            "[{}]",
            items.iter().map(render_flow).collect::<Vec<_>>().join(", ")
        ),
        J::String(s) => flow_text(s),
        J::Null => "null".into(),
        other => other.to_string(),
    }
}

/// A string (a key or a value) inside a flow collection: plain when that reads back as
/// the same string, holds no `,`, `[`, `]`, `{` or `}` and does not end in ` -` (which
/// the parser takes for the start of a scalar there), double-quoted otherwise.
fn flow_text(s: &str) -> String {
    if plain(s) && !s.contains([',', '[', ']', '{', '}']) && !s.ends_with(" -") {
        s.to_owned()
    } else {
        yaml::quote(s)
    }
}

/// Whether a tagged mapping (`!!map`) would be left with no keys by `new`.
fn emptied_tag(text: &str, node: &Node, new: &Map<String, J>) -> bool {
    // (A key it has keeps its line, even with an empty value; a new empty one is not
    // written.)
    let Value::Map(children) = &node.value else {
        return false;
    };
    tagged(text, node)
        && new
            .iter()
            .all(|(k, v)| is_empty(v) && !children.iter().any(|e| e.key == *k))
}

/// Where the properties (`&anchor`, `!tag`) a node starts with end. (Those on the line
/// of a block mapping's first key, `&a !!str key: 1`, are that key's, not the mapping's.)
fn properties_end(text: &str, node: &Node) -> usize {
    let key_line = match &node.value {
        Value::Map(entries) if flow_open(text, node).is_none() => entries
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
fn separated(mut text: &str) -> &str {
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
fn tagged(text: &str, node: &Node) -> bool {
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

/// Whether a mapping or list is in flow style (`{…}`, `[…]`), after its anchor or tag.
/// (A block list as deep as its key, `key:\n- [a]`, starts where its first item does.)
fn is_flow(text: &str, node: &Node) -> bool {
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
fn flow_open(text: &str, node: &Node) -> Option<usize> {
    let mut rest = text.get(node.span.clone()).unwrap_or_default();
    while let Some(props) = rest.strip_prefix(['&', '!']) {
        rest = separated(props.trim_start_matches(|c: char| !blank(c) && c != '{' && c != '['));
    }
    rest.starts_with(['{', '['])
        .then(|| node.span.end - rest.len())
}

/// The file's indentation step: the smallest indentation of an indented key line.
fn indent_unit(text: &str) -> usize {
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

/// Where the first line of `text` that stays from `pos` (a line start) on starts: past
/// the removals among `edits` and the empty lines between them.
fn after_removed(text: &str, mut pos: usize, edits: &[TextEdit]) -> usize {
    loop {
        if let Some(e) = edits
            .iter()
            .find(|e| e.text.is_empty() && e.range.start <= pos && pos < e.range.end)
        {
            pos = e.range.end;
        } else if let Some(n) = ["\n", "\r\n"].iter().find(|n| text[pos..].starts_with(**n)) {
            pos += n.len();
        } else {
            return pos;
        }
    }
}

/// Whether a line's code ends with an explicit key's `?`: at its start, or after a blank,
/// a `-` or a byte order mark (not the end of a plain scalar, `a?`).
fn ends_with_question(code: &str) -> bool {
    code.strip_suffix('?').is_some_and(|head| {
        head.chars()
            .next_back()
            .is_none_or(|c| matches!(c, ' ' | '\t' | '-' | '\u{feff}'))
    })
}

/// YAML's white space: blanks and line breaks. (Not Rust's `char::is_whitespace`, which
/// takes in U+0085, U+2028 and others that YAML reads as text.)
fn blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// The part of a line before its comment (a `#` at its start or after a blank).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let at = (0..b.len()).find(|&i| b[i] == b'#' && (i == 0 || matches!(b[i - 1], b' ' | b'\t')));
    &line[..at.unwrap_or(line.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(text: &str, f: impl FnOnce(&mut J)) -> String {
        let node = yaml::parse(text).expect("valid");
        let mut doc = node.to_json();
        f(&mut doc);
        let out = rewrite(text, &node, &doc).expect("rewrites");
        assert_eq!(
            yaml::parse_to_json(&out).expect("valid output"),
            doc,
            "reads back as intended:\n{out}"
        );
        out
    }

    const FILE: &str = "# Office 365 GDPR work\nservice: office-365   # the service\ncontrols:\n  \"6.10.1.2\":\n    status: planned  # updated weekly\n    implementation: |\n      TLS everywhere.\n      HSTS on.\n\n    documents:\n      - path: a.txt\n        sha256: x\n  \"6.2.1.1\":\n    action: { priority: high, notes: call Bob }\n";

    #[test]
    fn scalar_in_place_keeps_comments() {
        let out = edit(FILE, |d| {
            d["controls"]["6.10.1.2"]["status"] = json!("implemented")
        });
        assert_eq!(
            out,
            FILE.replace("status: planned  #", "status: implemented  #")
        );
    }

    #[test]
    fn new_key_goes_after_its_predecessor() {
        let out = edit(FILE, |d| {
            let c = d["controls"]["6.10.1.2"].as_object_mut().expect("map");
            let mut m = serde_json::Map::new();
            for (k, v) in c.iter() {
                m.insert(k.clone(), v.clone());
                if k == "implementation" {
                    m.insert("test_date".into(), json!("2019-04-02"));
                }
            }
            *c = m;
        });
        assert_eq!(
            out,
            FILE.replace(
                "      HSTS on.\n\n",
                "      HSTS on.\n    test_date: 2019-04-02\n\n"
            )
        );
    }

    #[test]
    fn block_text_replaced_and_removed() {
        let out = edit(FILE, |d| {
            d["controls"]["6.10.1.2"]["implementation"] = json!("One line now.")
        });
        assert_eq!(
            out,
            FILE.replace("|\n      TLS everywhere.\n      HSTS on.", "One line now.")
        );
        let out = edit(FILE, |d| {
            d["controls"]["6.10.1.2"]["implementation"] = json!("a\nb\n")
        });
        assert_eq!(
            out,
            FILE.replace("      TLS everywhere.\n      HSTS on.", "      a\n      b")
        );
        let out = edit(FILE, |d| {
            d["controls"]["6.10.1.2"]
                .as_object_mut()
                .expect("map")
                .remove("implementation");
        });
        // The blank line after the block stays: it separates what follows.
        assert_eq!(
            out,
            FILE.replace(
                "    implementation: |\n      TLS everywhere.\n      HSTS on.\n",
                ""
            )
        );
    }

    #[test]
    fn list_append_and_remove() {
        let out = edit(FILE, |d| {
            d["controls"]["6.10.1.2"]["documents"]
                .as_array_mut()
                .expect("list")
                .push(json!({"path": "b.txt", "sha256": "z"}))
        });
        assert_eq!(
            out,
            FILE.replace(
                "        sha256: x\n",
                "        sha256: x\n      - path: b.txt\n        sha256: z\n"
            )
        );
        let out = edit(FILE, |d| {
            d["controls"]["6.10.1.2"]
                .as_object_mut()
                .expect("map")
                .remove("documents");
        });
        assert_eq!(
            out,
            FILE.replace(
                "    documents:\n      - path: a.txt\n        sha256: x\n",
                ""
            )
        );
    }

    #[test]
    fn flow_mapping_edits() {
        let out = edit(FILE, |d| {
            d["controls"]["6.2.1.1"]["action"]["priority"] = json!("low")
        });
        assert_eq!(out, FILE.replace("priority: high", "priority: low"));
        let out = edit(FILE, |d| {
            d["controls"]["6.2.1.1"]["action"]["notify"] = json!(true)
        });
        assert_eq!(
            out,
            FILE.replace("notes: call Bob }", "notes: call Bob, notify: true }")
        );
        let out = edit(FILE, |d| {
            d["controls"]["6.2.1.1"]["action"]
                .as_object_mut()
                .expect("map")
                .remove("notes");
        });
        assert_eq!(out, FILE.replace(", notes: call Bob", ""));
    }

    #[test]
    fn new_control_with_quoted_key_like_its_siblings() {
        let out = edit(FILE, |d| {
            d["controls"]["6.9.1.1"] = json!({"status": "planned", "notes_free": "x: y"});
        });
        assert!(
            out.ends_with("  \"6.9.1.1\":\n    status: planned\n    notes_free: \"x: y\"\n"),
            "{out}"
        );
    }

    #[test]
    fn top_level_key_and_null_mapping() {
        let out = edit("service: a\ncontrols:\n", |d| {
            d["controls"] = json!({"SC-13": {"status": "implemented"}})
        });
        assert_eq!(
            out,
            "service: a\ncontrols:\n  SC-13:\n    status: implemented\n"
        );
        let out = edit("service: a\ncontrols: {}\n", |d| {
            d["controls"] = json!({"SC-13": {"status": "implemented"}})
        });
        assert_eq!(
            out,
            "service: a\ncontrols:\n  SC-13:\n    status: implemented\n"
        );
        let out = edit("service: a\n", |d| {
            d["archived"] = json!("2020-01-01T00:00:00Z")
        });
        assert_eq!(out, "service: a\narchived: 2020-01-01T00:00:00Z\n");
    }

    #[test]
    fn four_space_files_stay_four_space() {
        let text = "controls:\n    A:\n        status: planned\n";
        let out = edit(text, |d| {
            d["controls"]["B"] = json!({"status": "implemented"})
        });
        assert_eq!(
            out,
            "controls:\n    A:\n        status: planned\n    B:\n        status: implemented\n"
        );
    }

    #[test]
    fn tricky_strings_are_quoted() {
        for s in [
            "yes: no", "- dash", "123", "true", "null", "#hash", " lead", "trail ", "a: b", "{x}",
        ] {
            let out = edit("a: x\n", |d| d["a"] = json!(s));
            assert_eq!(
                yaml::parse_to_json(&out).expect("valid")["a"],
                json!(s),
                "{s}: {out}"
            );
        }
    }
}
