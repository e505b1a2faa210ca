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
//!
//! Three parts: the layout of the file (where keys, values, comments, brackets and
//! indentation are) is the YAML module's ([`crate::repo::yaml::layout`]); [`locate`] walks
//! the tree and the new document together and plans the changes as byte-range
//! replacements ([`TextEdit`]); [`render`] writes the text of new and changed values. This
//! entry checks the plan (no anchored value touched, no two replacements overlapping)
//! and applies it. A rewrite is refused ([`RewriteError`]) for a file with a lone CR line
//! break, a root that is not a mapping, a key over 1,000 characters, an edit touching an
//! anchor or alias, a key laid out in a way the planner does not follow (over several
//! lines, a block scalar key, an ambiguous empty key), or changes that would overlap.

use std::cell::Cell;
use std::ops::Range;

use serde_json::{Map, Value as J};

use crate::repo::yaml::layout::{Layout, indent_unit, is_flow};
use crate::repo::yaml::{self, Entry, Node, Value};
use render::key_text;

mod locate;
mod render;

#[derive(Debug, thiserror::Error)]
#[error("cannot edit this file in place: {0}")]
pub struct RewriteError(String);

/// One replacement of a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TextEdit {
    range: Range<usize>,
    text: String,
}

/// Rewrites `text` so that it holds `new`.
pub fn rewrite(text: &str, new: &J) -> Result<String, RewriteError> {
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
    // The tree with its layout, recorded while parsing: what the plan is made over.
    let (root, recorded) = yaml::parse_with_layout(text)
        .map_err(|e| RewriteError(format!("the file is not valid YAML: {}", e.message)))?;
    let root = &root;
    let ctx = Ctx {
        layout: Layout::recorded(text, &recorded),
        unit: indent_unit(text),
        blocks: Cell::new(true),
    };
    ctx.check_layout(root)?;
    let mut edits = ctx.plan(root, new)?;
    if text.contains("\r\n") {
        // A file saved with CRLF line breaks keeps them in what is inserted.
        for e in &mut edits {
            e.text = e.text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
    }
    check_plan(text, root, &edits)?;
    Ok(apply(text, edits))
}

impl Ctx<'_> {
    /// The span replacements that make the file hold `new`.
    fn plan(&self, root: &Node, new: &Map<String, J>) -> Result<Vec<TextEdit>, RewriteError> {
        let mut edits = Vec::new();
        match &root.value {
            Value::Map(entries) if !is_flow(root) => {
                self.edit_block_map(entries, new, 0, &mut edits)?;
                if emptied_tag(self, root, new) {
                    // A tag left on nothing (`!!map` alone) is no mapping: it goes too.
                    edits.push(TextEdit {
                        range: root.span.start..self.properties_end(root),
                        text: String::new(),
                    });
                }
            }
            Value::Map(entries) if !new.is_empty() => {
                self.edit_flow_map(root, entries, new, None, &mut edits)?
            }
            Value::Null => {
                // An empty file: write the whole document.
                let body: String = new
                    .iter()
                    .map(|(k, v)| self.render_entry(&key_text(k, false), v, 0))
                    .collect();
                edits.push(TextEdit {
                    range: self.whole(),
                    text: body,
                });
            }
            _ => return Err(RewriteError("the file is not a block mapping".into())),
        }
        Ok(edits)
    }
}

/// Refuses a plan that touches an anchored value or whose replacements overlap.
fn check_plan(text: &str, root: &Node, edits: &[TextEdit]) -> Result<(), RewriteError> {
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
    Ok(())
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

/// What the planning and rendering of one rewrite share: the file's layout, its
/// indentation step, and whether a `|` block may be written where text is being made.
struct Ctx<'t> {
    layout: Layout<'t>,
    /// The file's indentation step (2 unless the file uses another).
    unit: usize,
    /// Whether multi-line text may be written as a `|` block here (not where the lines
    /// that follow would become part of it).
    blocks: Cell<bool>,
}

// The planning asks the layout where things are as if it were its own: `self.colon(e)`.
impl<'t> std::ops::Deref for Ctx<'t> {
    type Target = Layout<'t>;
    fn deref(&self) -> &Layout<'t> {
        &self.layout
    }
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

/// Whether a tagged mapping (`!!map`) would be left with no keys by `new`.
fn emptied_tag(layout: &Layout, node: &Node, new: &Map<String, J>) -> bool {
    // (A key it has keeps its line, even with an empty value; a new empty one is not
    // written.)
    let Value::Map(children) = &node.value else {
        return false;
    };
    layout.tagged(node)
        && new
            .iter()
            .all(|(k, v)| is_empty(v) && !children.iter().any(|e| e.key == *k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::yaml;
    use serde_json::json;

    fn edit(text: &str, f: impl FnOnce(&mut J)) -> String {
        let node = yaml::parse(text).expect("valid");
        let mut doc = node.to_json();
        f(&mut doc);
        let out = rewrite(text, &doc).expect("rewrites");
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
    fn a_changed_list_item_is_edited_key_by_key() {
        const PEOPLE: &str = "people:\n  - email: a@x.com  # first\n    name: A\n    roles: [reader]\n  - email: b@x.com\n    name: B\n    roles:\n      - reader\n";
        let out = edit(PEOPLE, |d| {
            d["people"][0]["roles"] = json!(["reader", "assessor"]);
            d["people"][1]["roles"] = json!(["reader", "contributor"]);
        });
        assert_eq!(
            out,
            PEOPLE
                .replace("[reader]", "[reader, assessor]")
                .replace("      - reader\n", "      - reader\n      - contributor\n")
        );
        // The first key of an item changed in place, its comment kept.
        let out = edit(PEOPLE, |d| d["people"][0]["email"] = json!("c@x.com"));
        assert_eq!(out, PEOPLE.replace("a@x.com", "c@x.com"));
        // An item that is no longer a mapping: the list is written anew.
        let out = edit(PEOPLE, |d| d["people"][1] = json!("b@x.com"));
        assert!(out.ends_with("  - b@x.com\n"), "{out}");
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
