//! Where each change goes: the plan of one rewrite as span replacements ([`TextEdit`]),
//! made by walking the file's tree and the new document together and asking the layout
//! ([`Layout`](crate::repo::yaml::layout::Layout)) where keys, values, lines and
//! brackets are. The text of new and changed values comes from [`super::render`].

use serde_json::{Map, Value as J};

use super::render::{flow_text, key_text, render_flow};
use super::{
    Ctx, RewriteError, TextEdit, alias_error, emptied_tag, has_alias, is_alias, is_empty,
    unplaceable_key,
};
use crate::repo::yaml::layout::{blank, ends_with_question, is_flow};
use crate::repo::yaml::{self, Entry, Node, Value};

impl Ctx<'_> {
    /// Whether the last line of code before `pos` (a line start), past the removals among
    /// `edits` and blank and comment lines, ends with a `?` that has no key after it.
    pub(super) fn bare_question_before(&self, mut pos: usize, edits: &[TextEdit]) -> bool {
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
            // (The line `pos` is on, or the one before when it starts a line.)
            let Some((start, code)) = self.code_before(pos) else {
                return false;
            };
            if code.trim_start_matches(blank).is_empty() {
                pos = start;
                continue;
            }
            return ends_with_question(code);
        }
        false
    }

    /// Runs `f` with `|` blocks allowed or not.
    pub(super) fn with_blocks<T>(&self, ok: bool, f: impl FnOnce() -> T) -> T {
        let before = self.blocks.replace(ok);
        let out = f();
        self.blocks.set(before);
        out
    }

    /// Refuses a document with a layout whose keys cannot be placed (see
    /// [`Self::ambiguous_empty_key`]).
    pub(super) fn check_layout(&self, node: &Node) -> Result<(), RewriteError> {
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

    /// The position right after the `:` that follows an entry's key.
    pub(super) fn after_colon(&self, entry: &Entry) -> Result<usize, RewriteError> {
        self.colon(entry)
            .map(|c| c + 1)
            .ok_or_else(|| RewriteError(format!("no `:` after key `{}`", entry.key)))
    }

    pub(super) fn edit_block_map(
        &self,
        entries: &[Entry],
        new: &Map<String, J>,
        indent: usize,
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        let quoted = entries.iter().any(|e| self.quoted_key(e));
        let indent = entries
            .first()
            .map_or(indent, |e| self.column(self.entry_start(e)));
        // Layouts whose keys this editor cannot place: refuse rather than guess.
        for e in entries {
            if self.explicit(e).is_none() && (self.key_spans_lines(e) || self.colon(e).is_none()) {
                return Err(unplaceable_key(e));
            }
        }
        // Changed and removed keys.
        for (i, entry) in entries.iter().enumerate() {
            match new.get(&entry.key) {
                None if is_empty(&entry.value.to_json()) => {}
                None if has_alias(entry) => return Err(alias_error(&entry.key)),
                None => {
                    let edit = self.remove_entry(entries, i, new, indent, out)?;
                    out.push(edit);
                }
                Some(v) => self.edit_entry(entry, v, indent, out)?,
            }
        }
        self.insert_new_keys(entries, new, indent, quoted, out)
    }

    /// New keys, each after the nearest preceding key that exists. In a mapping whose
    /// entries are separated by blank lines, so are the new ones.
    fn insert_new_keys(
        &self,
        entries: &[Entry],
        new: &Map<String, J>,
        indent: usize,
        quoted: bool,
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        // (An entry's leading comment lines are part of it.)
        let spaced = entries.len() > 1
            && entries.windows(2).all(|w| {
                let key_line = self.line_start(w[1].key_span.start);
                self.empty_line_before(self.leading_comments_start(key_line))
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
            let next = self.after_removed(at, out);
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
            let (at, prefix) = self.insert_at(anchor, entries)?;
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

    /// The removal of `entries[i]`, a key `new` no longer has: its lines, and the blank
    /// and comment lines after it that must go with it.
    fn remove_entry(
        &self,
        entries: &[Entry],
        i: usize,
        new: &Map<String, J>,
        indent: usize,
        out: &[TextEdit],
    ) -> Result<TextEdit, RewriteError> {
        let entry = &entries[i];
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
        let stays = |e: &Entry| new.contains_key(&e.key) || is_empty(&e.value.to_json());
        let kept = entries[..i].iter().rev().find(|e| stays(e));
        let after_block = kept.and_then(|e| self.last_block(&e.value));
        let keeps = after_block.is_some_and(|(_, keep)| keep);
        let after_block = after_block.is_some()
            || kept
                .and_then(|e| new.get(&e.key))
                .is_some_and(|v| self.ends_with_block(v));
        for line in self.lines_from(range.end) {
            let code = line.code();
            let deeper_comment = after_block && code.starts_with('#') && line.indent() > indent;
            if !code.is_empty() && !deeper_comment {
                break;
            }
            if keeps || !line.text.is_empty() {
                range.end = line.end;
            }
        }
        if self.bare_question_before(range.start, out) && self.tab_before_code(range.end) {
            return Err(RewriteError(format!(
                "cannot remove `{}`: a line indented with a tab would then follow an explicit key (`?`) that has no value, which YAML reads as an error; indent that line with spaces",
                entry.key
            )));
        }
        Ok(TextEdit {
            range,
            text: String::new(),
        })
    }

    /// Where new keys go after `anchor` (or before the first key), and the line break
    /// they need before them there.
    fn insert_at(
        &self,
        anchor: Option<&Entry>,
        entries: &[Entry],
    ) -> Result<(usize, &'static str), RewriteError> {
        Ok(match anchor {
            Some(a) if has_alias(a) => return Err(alias_error(&a.key)),
            Some(a) => {
                let at = self.line_end(self.value_end(a));
                // (The block's span may or may not take in that last line, and an
                // empty block's ends at its header.)
                if self.ends_with_unbroken_blank_line(at) && self.last_block(&a.value).is_some() {
                    // The parser reads such a last line as one more line of the block
                    // (a `\n` more than YAML says); text after it would change that.
                    return Err(RewriteError(
                        "the file ends with a `|` block whose last line holds only blanks and no line break (read as one more line of the block); remove those blanks first".into(),
                    ));
                }
                (at, if self.at_unbroken_end(at) { "\n" } else { "" })
            }
            // Before the comment lines that lead the first key: they are about it.
            None => match entries.first() {
                Some(first) if self.key_starts_line(first) => (
                    self.leading_comments_start(self.line_start(self.entry_start(first))),
                    "",
                ),
                _ => return Err(RewriteError("no place to insert a key".into())),
            },
        })
    }

    /// Edits one existing entry of a block mapping to hold `new`.
    pub(super) fn edit_entry(
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
            if !c.is_empty() && !m.is_empty() && !is_flow(node));
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
                if !map.is_empty() && !is_flow(node) && !emptied_tag(&self.layout, node, map) =>
            {
                self.edit_block_map(children, map, indent + self.unit, out)
            }
            (Value::Map(children), J::Object(map)) if !map.is_empty() && is_flow(node) => {
                self.edit_flow_map(node, children, map, Some(indent), out)
            }
            (Value::Seq(items), J::Array(new_items)) if !new_items.is_empty() && !is_flow(node) => {
                self.edit_block_seq(entry, items, new_items, out)
            }
            (Value::Seq(items), J::Array(_)) if items.is_empty() && self.key_starts_line(entry) => {
                out.push(self.replace_entry(entry, new));
                Ok(())
            }
            (Value::Null, J::Object(map)) if !map.is_empty() => {
                self.expand_into(entry, map, indent, out)
            }
            (Value::Map(_) | Value::Seq(_), _) if !is_flow(node) => {
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
            // A scalar (or a flow collection) replaced in place.
            _ => self.replace_scalar(entry, new, indent, out),
        }
    }

    /// A scalar (or a flow collection) replaced in place: the comment after it, or after
    /// a block's header, or between the `:` and a value on a following line, stays.
    fn replace_scalar(
        &self,
        entry: &Entry,
        new: &J,
        indent: usize,
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        let node = &entry.value;
        let at = self.after_colon(entry)?;
        let end = self.value_end(entry);
        let after_on_line = self.rest_of_line(end);
        // What follows the value on its line would end up inside a `|` block, as
        // its text: then the value is quoted; blanks are replaced with the block.
        // So would a following line (a comment) indented as deep as its text, and
        // blanks on the lines between (they would be lines of its text).
        let swallowed = self.swallowed(self.line_end(end), indent + self.unit);
        let inline = self.render_inline(new).or_else(|| {
            (!after_on_line.trim_matches(blank).is_empty() || swallowed)
                .then(|| yaml::quote(new.as_str().unwrap_or_default()))
        });
        let block_end = end + after_on_line.trim_end_matches(['\r', '\n']).len();
        // The new value as a `|` block, `after` (a comment kept) following its
        // header on the key's line.
        let block_after = |after: &str| {
            let block =
                self.render_block_scalar(new.as_str().unwrap_or_default(), indent + self.unit);
            let (header, body) = block.split_once('\n').unwrap_or((&block, ""));
            TextEdit {
                range: at..block_end,
                text: format!(" {header}{after}\n{body}"),
            }
        };
        let edit = if self.block_header(node).is_some() {
            // A `|` block's header may have a comment after it: it stays, after
            // the new value (or the new header).
            let comment = self.comment_after(at);
            let sep = if comment.is_empty() { "" } else { "  " };
            match inline {
                Some(s) => TextEdit {
                    range: at..end,
                    text: format!(" {s}{sep}{comment}"),
                },
                None => block_after(&format!("{sep}{comment}")),
            }
        } else if let Some((comment, comment_end)) = self.comment_before_value(at, node) {
            // A comment between the `:` and a value on a following line stays on
            // the key's line; the new value goes where the old one started.
            let pad = " ".repeat(self.column(node.span.start).max(indent + self.unit));
            match inline {
                Some(s) => TextEdit {
                    range: comment_end..end,
                    text: format!("{pad}{s}"),
                },
                None => block_after(&format!("  {comment}")),
            }
        } else {
            match inline {
                Some(s) => TextEdit {
                    range: at..end,
                    text: format!(" {s}"),
                },
                None => TextEdit {
                    range: at..block_end,
                    text: format!(
                        " {}",
                        self.render_block_scalar(
                            new.as_str().unwrap_or_default(),
                            indent + self.unit
                        )
                    ),
                },
            }
        };
        out.push(edit);
        Ok(())
    }

    /// `key:` or `key: {}` receiving its first children, written on the following lines.
    pub(super) fn expand_into(
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
        let rest = self.rest_of_line(end).trim_end_matches(['\r', '\n']);
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

    pub(super) fn replace_entry(&self, entry: &Entry, new: &J) -> TextEdit {
        // An explicit key (`? key`) is written as a plain one.
        let key = match self.explicit(entry) {
            Some(_) => key_text(&entry.key, false),
            // An empty key with an anchor or tag (`&a :`): the blank keeps them apart
            // from the `:`.
            None if entry.key.is_empty() && !entry.key_span.is_empty() => {
                format!("{} ", self.key_text(entry))
            }
            None => self.key_text(entry).to_owned(),
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
        if self.at_unbroken_end(range.end) {
            text.pop();
        }
        TextEdit { range, text }
    }

    pub(super) fn edit_flow_map(
        &self,
        node: &Node,
        children: &[Entry],
        new: &Map<String, J>,
        key_indent: Option<usize>,
        out: &mut Vec<TextEdit>,
    ) -> Result<(), RewriteError> {
        self.check_flow_layout(node, children, key_indent)?;
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
        self.keep_dash_apart(&mut out[edits_before..]);
        Ok(())
    }

    /// Refuses a flow mapping laid out in a way the editor does not follow.
    fn check_flow_layout(
        &self,
        node: &Node,
        children: &[Entry],
        key_indent: Option<usize>,
    ) -> Result<(), RewriteError> {
        // A flow mapping may run over several lines; one indented no deeper than its key
        // (which the parser lets pass) cannot take a key: refuse rather than guess.
        if let Some(indent) = key_indent
            && self.flow_continues_at(node, indent)
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
            self.key_spans_lines(e) || (self.colon(e).is_none() && self.colon_on_a_later_line(e))
        }) {
            return Err(unplaceable_key(e));
        }
        Ok(())
    }

    /// A plain scalar ending in ` -` right before a `,` or a bracket is read by the
    /// parser as a new scalar starting there, which it refuses: a blank stays between.
    fn keep_dash_apart(&self, edits: &mut [TextEdit]) {
        for e in edits {
            let next = e.text.chars().next().or_else(|| self.char_at(e.range.end));
            if self.dash_before(e.range.start)
                && next.is_some_and(|c| matches!(c, ',' | '[' | ']' | '{' | '}'))
            {
                e.text.insert(0, ' ');
            }
        }
    }

    pub(super) fn edit_block_seq(
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
                let prefix = if self.at_unbroken_end(at) { "\n" } else { "" };
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
}

impl Ctx<'_> {
    /// Where the first line that stays from `pos` (a line start) on starts: past the
    /// removals among `edits` and the empty lines between them.
    pub(super) fn after_removed(&self, mut pos: usize, edits: &[TextEdit]) -> usize {
        loop {
            if let Some(e) = edits
                .iter()
                .find(|e| e.text.is_empty() && e.range.start <= pos && pos < e.range.end)
            {
                pos = e.range.end;
            } else if let Some(n) = self.line_break_at(pos) {
                pos += n;
            } else {
                return pos;
            }
        }
    }
}
