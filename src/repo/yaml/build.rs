//! The builder: the parser's events made into a spanned [`Node`] tree or JSON, with the
//! checks every file gets (depth, alias budget, duplicate keys, one document, tags), and
//! each node's and entry's layout recorded as it is built (see [`super::layout`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use super::layout::{self, Recorded, Style};
use super::offsets::CharToByte;
use super::{
    Entry, Error, ErrorKind, MAX_DEPTH, MIN_ALIAS_BUDGET, Node, Span, Value, check_collection_tag,
    check_printable, resolve, scalar_json,
};

/// What the builder makes of the parser's events: the spanned [`Node`] tree, or JSON.
pub(super) trait Tree: Clone {
    /// One `key: value` pair of a mapping.
    type Entry;
    fn scalar(span: Span, value: Value, style: ScalarStyle) -> Self;
    /// Records the node's layout once it is built (its children are): see [`layout`].
    fn record(&mut self, _text: &str, _out: Option<&mut Recorded>) {}
    fn seq(span: Span, items: Vec<Self>) -> Self;
    fn map(span: Span, entries: Vec<Self::Entry>) -> Self;
    fn entry(key: String, key_span: Span, value: Self) -> Self::Entry;
    /// Records an entry's layout once it is built, when asked: see [`layout::Recorded`].
    fn record_entry(
        _entry: &Self::Entry,
        _key_style: ScalarStyle,
        _text: &str,
        _out: &mut Recorded,
    ) {
    }
    fn key(entry: &Self::Entry) -> &str;
    /// Where the entry's key is (empty where positions are not kept).
    fn key_span(entry: &Self::Entry) -> Span;
    /// Where the value is (empty where positions are not kept).
    fn span(&self) -> Span;
    /// How many values this one holds, itself included (for the alias budget).
    fn count(&self) -> usize;
}

impl Tree for Node {
    type Entry = Entry;
    fn scalar(span: Span, value: Value, style: ScalarStyle) -> Self {
        Node {
            style: Style::of_scalar(style),
            ..Node::new(span, value)
        }
    }
    fn record(&mut self, text: &str, out: Option<&mut Recorded>) {
        layout::record(text, self, out);
    }
    fn seq(span: Span, items: Vec<Self>) -> Self {
        Node::new(span, Value::Seq(items))
    }
    fn map(span: Span, entries: Vec<Entry>) -> Self {
        Node::new(span, Value::Map(entries))
    }
    fn entry(key: String, key_span: Span, value: Self) -> Entry {
        Entry {
            key,
            key_span,
            value,
        }
    }
    fn record_entry(entry: &Entry, key_style: ScalarStyle, text: &str, out: &mut Recorded) {
        layout::record_entry(text, entry, Style::of_scalar(key_style), out);
    }
    fn key(entry: &Entry) -> &str {
        &entry.key
    }
    fn key_span(entry: &Entry) -> Span {
        entry.key_span.clone()
    }
    fn span(&self) -> Span {
        self.span.clone()
    }
    fn count(&self) -> usize {
        Node::count(self)
    }
}

impl Tree for serde_json::Value {
    type Entry = (String, serde_json::Value);
    fn scalar(_: Span, value: Value, _: ScalarStyle) -> Self {
        scalar_json(value)
    }
    fn seq(_: Span, items: Vec<Self>) -> Self {
        serde_json::Value::Array(items)
    }
    fn map(_: Span, entries: Vec<Self::Entry>) -> Self {
        serde_json::Value::Object(entries.into_iter().collect())
    }
    fn entry(key: String, _: Span, value: Self) -> Self::Entry {
        (key, value)
    }
    fn key(entry: &Self::Entry) -> &str {
        &entry.0
    }
    fn key_span(_: &Self::Entry) -> Span {
        0..0
    }
    fn span(&self) -> Span {
        0..0
    }
    fn count(&self) -> usize {
        1 + match self {
            serde_json::Value::Array(items) => items.iter().map(Tree::count).sum(),
            serde_json::Value::Object(map) => map.values().map(|v| 1 + Tree::count(v)).sum(),
            _ => 0,
        }
    }
}

enum Frame<T: Tree> {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<T>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<T::Entry>,
        pending: Option<(String, Span, ScalarStyle)>,
        index: Option<HashSet<String>>,
    },
}

pub(super) struct Builder<'t, T: Tree> {
    text: &'t str,
    pos: CharToByte<'t>,
    stack: Vec<Frame<T>>,
    anchors: HashMap<usize, (T, usize)>,
    root: Option<T>,
    documents: usize,
    nodes: usize,
    alias_nodes: usize,
    /// The layout recorded beyond each node's style and end, when asked.
    recorded: Option<Recorded>,
    /// Whether an anchor, an alias or a tag was met.
    marked: bool,
}

impl<'t, T: Tree> Builder<'t, T> {
    pub(super) fn new(text: &'t str) -> Self {
        Builder {
            text,
            pos: CharToByte::new(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            documents: 0,
            nodes: 0,
            alias_nodes: 0,
            recorded: None,
            marked: false,
        }
    }

    /// A builder that records the layout as it goes (see [`Recorded`]).
    pub(super) fn recording(text: &'t str) -> Self {
        Builder {
            recorded: Some(Recorded::default()),
            ..Builder::new(text)
        }
    }

    pub(super) fn run(mut self) -> Result<(T, Option<Recorded>), Error> {
        self.events()?;
        let root = self
            .root
            .unwrap_or_else(|| T::scalar(0..0, Value::Null, ScalarStyle::Plain));
        Ok((root, self.recorded))
    }

    /// [`Self::run`], telling also whether the text has an anchor, an alias or a tag
    /// anywhere.
    pub(super) fn run_marked(mut self) -> Result<(T, bool), Error> {
        self.events()?;
        let root = self
            .root
            .unwrap_or_else(|| T::scalar(0..0, Value::Null, ScalarStyle::Plain));
        Ok((root, self.marked))
    }

    /// Builds the tree from the parser's events.
    fn events(&mut self) -> Result<(), Error> {
        check_printable(self.text)?;
        let mut parser = Parser::new_from_str(self.text);
        while let Some(item) = parser.next_event() {
            let (event, span) = item.map_err(|e| self.scan_error(&e))?;
            let start = self.pos.byte(span.start.index());
            let end = self.pos.byte(span.end.index()).max(start);
            match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {}
                Event::DocumentStart(_) => self.document(start, end)?,
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(start, end, text, style, anchor, tag.as_deref())?
                }
                Event::SequenceStart(anchor, tag) => {
                    self.open(start, end, anchor, tag.as_deref(), false)?
                }
                Event::MappingStart(anchor, tag) => {
                    self.open(start, end, anchor, tag.as_deref(), true)?
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(end)?,
                Event::Alias(id) => self.alias(start, end, id)?,
            }
        }
        Ok(())
    }

    /// A document starts: the second one is an error.
    fn document(&mut self, start: usize, end: usize) -> Result<(), Error> {
        self.documents += 1;
        if self.documents > 1 {
            return Err(Error {
                kind: ErrorKind::MultipleDocuments,
                span: start..end.max(start + 3).min(self.text.len()),
                message: "a file holds one YAML document; remove this `---` and what follows, or move it to a file of its own".into(),
            });
        }
        Ok(())
    }

    /// A scalar: a key (kept as text, until its value comes) or a value.
    fn scalar(
        &mut self,
        start: usize,
        end: usize,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
    ) -> Result<(), Error> {
        // Only a key needs the scalar's text as written; its value is read
        // only when it is tagged (to check the tag) or anchored (for aliases).
        let is_key = matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }));
        self.marked |= anchor != 0 || tag.is_some();
        let raw = is_key.then(|| (text.to_string(), style));
        let value = if is_key && anchor == 0 && tag.is_none() {
            Value::Null
        } else {
            resolve(
                text,
                style,
                tag.map(|t| (t.handle.as_str(), t.suffix.as_str())),
            )
            .map_err(|message| Error {
                kind: ErrorKind::Unsupported,
                span: start..end,
                message,
            })?
        };
        let mut node = T::scalar(start..end, value, style);
        // (A key's node is not kept: its span and text are.)
        if !is_key {
            node.record(self.text, self.recorded.as_mut());
        }
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), 1));
        }
        self.nodes += 1;
        self.push(node, raw)
    }

    /// A list or mapping starts (`map`): its tag checked, its frame opened.
    fn open(
        &mut self,
        start: usize,
        end: usize,
        anchor: usize,
        tag: Option<&Tag>,
        map: bool,
    ) -> Result<(), Error> {
        self.marked |= anchor != 0 || tag.is_some();
        // A tag on a list or mapping must say what it is, like one on a scalar.
        if let Some(t) = tag {
            let shape = if map { "map" } else { "seq" };
            check_collection_tag((&t.handle, &t.suffix), shape).map_err(|message| Error {
                kind: ErrorKind::Unsupported,
                span: start..end,
                message,
            })?;
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(Error {
                kind: ErrorKind::TooDeep,
                span: start..end.max(start + 1).min(self.text.len()),
                message: format!(
                    "nested more than {MAX_DEPTH} levels deep; assure files are never this deep, so this is not a file it can read"
                ),
            });
        }
        self.stack.push(if !map {
            Frame::Seq {
                start,
                anchor,
                items: Vec::new(),
            }
        } else {
            Frame::Map {
                start,
                anchor,
                entries: Vec::new(),
                pending: None,
                index: None,
            }
        });
        Ok(())
    }

    /// A list or mapping ends: its node built and recorded.
    fn close(&mut self, end: usize) -> Result<(), Error> {
        let frame = self
            .stack
            .pop()
            .expect("the parser balances start and end events");
        let (mut node, anchor) = match frame {
            Frame::Seq {
                start,
                anchor,
                items,
            } => (T::seq(start..end.max(start), items), anchor),
            Frame::Map {
                start,
                anchor,
                entries,
                ..
            } => (T::map(start..end.max(start), entries), anchor),
        };
        node.record(self.text, self.recorded.as_mut());
        self.nodes += 1;
        if anchor != 0 {
            let count = node.count();
            self.anchors.insert(anchor, (node.clone(), count));
        }
        self.push(node, None)
    }

    /// An alias: a copy of its anchor's node, within the alias budget.
    fn alias(&mut self, start: usize, end: usize, id: usize) -> Result<(), Error> {
        self.marked = true;
        // A key is written out: as an alias its text (and position) would be
        // its anchor's, which no edit of the file could follow.
        if matches!(self.stack.last(), Some(Frame::Map { pending: None, .. })) {
            return Err(Error {
                kind: ErrorKind::Unsupported,
                span: start..end,
                message: "a mapping key must be written out, not an alias (`*name`); replace the alias with the key's text".into(),
            });
        }
        let Some((node, count)) = self.anchors.get(&id).cloned() else {
            return Err(Error {
                kind: ErrorKind::Syntax,
                span: start..end,
                message: "alias to an unknown anchor".into(),
            });
        };
        self.alias_nodes += count;
        if self.alias_nodes > MIN_ALIAS_BUDGET.max(self.nodes) {
            return Err(Error {
                kind: ErrorKind::AliasBudget,
                span: start..end,
                message: "aliases here expand to far more data than the file holds (an alias bomb); write the values out instead of aliasing them".into(),
            });
        }
        // The copy keeps the anchor's position: that is where its text is.
        self.push(node, None)
    }

    fn push(&mut self, node: T, raw: Option<(String, ScalarStyle)>) -> Result<(), Error> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map {
                entries,
                pending,
                index,
                ..
            }) => match pending.take() {
                Some((key, key_span, key_style)) => {
                    let entry = T::entry(key, key_span, node);
                    if let Some(out) = &mut self.recorded {
                        T::record_entry(&entry, key_style, self.text, out);
                    }
                    entries.push(entry);
                    Ok(())
                }
                None => {
                    let Some((key, key_style)) = raw else {
                        return Err(Error {
                            kind: ErrorKind::Unsupported,
                            span: node.span(),
                            message: "a mapping key must be plain text, not a list or a mapping"
                                .into(),
                        });
                    };
                    let duplicate = match index {
                        Some(set) => !set.insert(key.clone()),
                        None => {
                            let dup = entries.iter().any(|e| T::key(e) == key);
                            if entries.len() >= 16 {
                                *index = Some(
                                    entries
                                        .iter()
                                        .map(|e| T::key(e).to_owned())
                                        .chain([key.clone()])
                                        .collect(),
                                );
                            }
                            dup
                        }
                    };
                    if duplicate {
                        let first = entries
                            .iter()
                            .find(|e| T::key(e) == key)
                            .map(T::key_span)
                            .unwrap_or_default();
                        return Err(Error {
                            kind: ErrorKind::DuplicateKey { first },
                            span: node.span(),
                            message: format!(
                                "duplicate key `{key}`: YAML keeps only one of them; merge the two or remove one"
                            ),
                        });
                    }
                    *pending = Some((key, node.span(), key_style));
                    Ok(())
                }
            },
        }
    }

    fn scan_error(&mut self, e: &ScanError) -> Error {
        let at = self.pos.byte(e.marker().index());
        let end = self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        if e.info().contains("recursion limit") {
            // The scanner's own bound on flow nesting, met before ours.
            return Error {
                kind: ErrorKind::TooDeep,
                span: at..end,
                message: format!(
                    "nested more than {MAX_DEPTH} levels deep; assure files are never this deep, so this is not a file it can read"
                ),
            };
        }
        Error {
            kind: ErrorKind::Syntax,
            span: at..end,
            message: format!("invalid YAML: {}", e.info()),
        }
    }
}
