//! The text of new and changed values and entries: block style at a given indentation,
//! flow style inside brackets, scalars plain where they read back as themselves and
//! double-quoted ([`yaml::quote`]) otherwise, multi-line text as a `|` block where one
//! may go.

use serde_json::Value as J;

use super::{Ctx, is_empty};
use crate::repo::yaml;

/// Whether a string can be written plain: it reads back as itself (see
/// [`yaml::plain_is_string`]) and cannot be taken for a document marker (`---` or `...`
/// at the start of a line ends or starts a document).
pub(super) fn plain(s: &str) -> bool {
    yaml::plain_is_string(s) && !s.starts_with("---") && !s.starts_with("...")
}

/// The text of a new key: plain when that reads back as the same string and the
/// mapping's other keys are not quoted, double-quoted otherwise.
pub(super) fn key_text(key: &str, quoted_siblings: bool) -> String {
    if !quoted_siblings && plain(key) {
        key.to_owned()
    } else {
        yaml::quote(key)
    }
}

impl Ctx<'_> {
    /// Whether a value is rendered ending with a `|` block: a string that reads better as
    /// one, or a collection whose last written value is.
    pub(super) fn ends_with_block(&self, v: &J) -> bool {
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

    /// A scalar on one line, or `None` for text that reads better as a block scalar.
    pub(super) fn render_inline(&self, v: &J) -> Option<String> {
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
    pub(super) fn render_block_scalar(&self, s: &str, indent: usize) -> String {
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
    pub(super) fn render_entry(&self, key: &str, v: &J, indent: usize) -> String {
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
    pub(super) fn render_item(&self, v: &J, dash_indent: usize) -> String {
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
pub(super) fn render_flow(v: &J) -> String {
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
pub(super) fn flow_text(s: &str) -> String {
    if plain(s) && !s.contains([',', '[', ']', '{', '}']) && !s.ends_with(" -") {
        s.to_owned()
    } else {
        yaml::quote(s)
    }
}
