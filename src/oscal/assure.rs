//! assure's own catalogs: what `assure export oscal --catalog` writes
//! ([`super::export::catalog`]) beyond OSCAL's fields, and how the importer reads it
//! back, so that importing an exported certification gives the same certification.
//!
//! Invariants:
//! - **Recognised by one prop.** A catalog is assure's own when its metadata carries the
//!   prop [`MARKER`] in assure's namespace ([`NS`]) and `--families-from` was not asked
//!   for; every other catalog (NIST's) is read exactly as before, whatever props of other
//!   namespaces it has. Only props with the namespace [`NS`] are read here.
//! - **Exact text.** Titles and prose are OSCAL markup: [`escape`] writes plain text as
//!   markup that reads as the same text (CommonMark escapes, hard line breaks), and
//!   [`unescape`] is its inverse for every string. A prop value, which OSCAL wants
//!   non-empty and trimmed on one line, is written as is when it is one ([`is_plain`]),
//!   else as a JSON string literal with the class [`JSON_STRING`] ([`text_prop`],
//!   [`prop_text`]): `""`, `" x"` or two lines survive the trip.
//! - **Structure as written.** Each group is one family (no merging by name, empty ones
//!   kept unless a profile selects), each control one control, in document order; the
//!   control's id is its `label`, its score the prop `score` (a `--score-from` profile
//!   that selects it still wins).

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::export::{NS, prop};
use super::raw::{self, Control, Group, Prop};
use super::{DocumentKind, ImportOptions, OscalError};
use crate::model::{CatalogControl, Category, Certification, Family};

/// The metadata prop that makes a catalog assure's own: the certification's id.
pub(crate) const MARKER: &str = "certification";

/// The class of a prop whose value is a JSON string literal (the text was not a valid
/// OSCAL prop value).
pub(crate) const JSON_STRING: &str = "json-string";

/// Characters [`escape`] puts a backslash before: those Markdown gives a meaning inline.
const MARKUP: &str = "\\`*_[]{}<>&";

/// Whether `s` is a valid OSCAL prop value (`^\S(.*\S)?$`: not empty, one line, no space
/// at either end), as every regex engine that checks the schema reads it.
pub(crate) fn is_plain(s: &str) -> bool {
    let edge = |c: char| c.is_whitespace() || c == '\u{feff}' || ('\u{1c}'..='\u{1f}').contains(&c);
    match (s.chars().next(), s.chars().next_back()) {
        (Some(first), Some(last)) => {
            !edge(first) && !edge(last) && !s.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
        }
        _ => false,
    }
}

/// The prop `name` (namespace [`NS`]) holding `value` exactly: as is when it is plain,
/// else as a JSON string literal with the class [`JSON_STRING`].
pub(crate) fn text_prop(name: &str, value: &str) -> Value {
    if is_plain(value) {
        return prop(name, value);
    }
    let literal = serde_json::to_string(value)
        .unwrap_or_default()
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    let mut p = prop(name, &literal);
    p["class"] = JSON_STRING.into();
    p
}

/// The text a prop written by [`text_prop`] holds.
pub(crate) fn prop_text(p: &Prop) -> Result<String, String> {
    if p.class.as_ref().is_some_and(|c| c.0 == JSON_STRING) {
        return serde_json::from_str::<String>(&p.value.0).map_err(|e| {
            format!(
                "the prop `{}` has the class `{JSON_STRING}` but its value is not a JSON string: {e}",
                p.name.0
            )
        });
    }
    Ok(p.value.0.clone())
}

/// Plain text as OSCAL markup that reads as the same text: a backslash before each
/// character Markdown gives a meaning inline, and a line break between two non-empty
/// lines made a hard break (a backslash before it), so a Markdown reader shows the lines
/// as written. [`unescape`] gives `text` back.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: Option<&str> = None;
    for line in text.split('\n') {
        if let Some(previous) = previous {
            // Before a blank line a backslash would show as one, so none there.
            if !previous.is_empty() && !line.is_empty() {
                out.push('\\');
            }
            out.push('\n');
        }
        for c in line.chars() {
            if MARKUP.contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        previous = Some(line);
    }
    out
}

/// The text [`escape`] wrote: a backslash before a line break or an ASCII punctuation
/// character is dropped, every other character kept.
pub(crate) fn unescape(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut chars = markup.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && (next == '\n' || next.is_ascii_punctuation())
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// assure's own props called `name` among `props`.
fn own<'a>(props: &'a [Prop], name: &'a str) -> impl Iterator<Item = &'a Prop> + 'a {
    props
        .iter()
        .filter(move |p| p.name.0 == name && p.ns.as_ref().is_some_and(|ns| ns.0 == NS))
}

/// A catalog that assure exported, read back as the certification it was.
pub(crate) struct Own<'a> {
    file: &'a str,
    raw: &'a raw::Catalog,
}

impl<'a> Own<'a> {
    /// `raw` as assure's own catalog, or `None` when it is not one (or `--families-from`
    /// asks for the general reading).
    pub(crate) fn of(
        file: &'a str,
        raw: &'a raw::Catalog,
        options: &ImportOptions,
    ) -> Option<Self> {
        let marked = own(&raw.metadata.props, MARKER).next().is_some();
        (marked && options.families_from.is_none()).then_some(Own { file, raw })
    }

    fn invalid(&self, message: String) -> OscalError {
        OscalError::Invalid {
            file: self.file.to_string(),
            kind: DocumentKind::Catalog,
            message,
        }
    }

    /// The text of the one metadata prop `name`, if there is one.
    fn meta(&self, name: &str) -> Result<Option<String>, OscalError> {
        own(&self.raw.metadata.props, name)
            .next()
            .map(prop_text)
            .transpose()
            .map_err(|e| self.invalid(format!("in `metadata`: {e}")))
    }

    /// `given` with what the user left out taken from the catalog, when the
    /// certification is named after it: its id and, when not plain, its version.
    pub(crate) fn options(
        &self,
        kind: DocumentKind,
        given: &ImportOptions,
    ) -> Result<ImportOptions, OscalError> {
        let mut options = given.clone();
        if kind == DocumentKind::Catalog {
            if options.id.is_none() {
                options.id = self.meta(MARKER)?;
            }
            if options.version.is_none() {
                options.version = self.meta("version")?;
            }
        }
        Ok(options)
    }

    /// Sets what the general reading cannot know: the names, texts and terms as written,
    /// the categories. With a profile (`kind`), the profile names the certification and
    /// only the catalog's terms and categories are taken.
    pub(crate) fn finish(
        &self,
        cert: &mut Certification,
        kind: DocumentKind,
        given: &ImportOptions,
    ) -> Result<(), OscalError> {
        if kind == DocumentKind::Catalog {
            if given.name.is_none() {
                cert.name = unescape(&self.raw.metadata.title.0);
            }
            if given.title.is_none() {
                cert.title = self.meta("title")?;
            }
            if given.source.is_none() {
                cert.source = self.meta("source")?;
            }
            cert.description = self.meta("description")?;
        }
        cert.family_term = self.meta("family-term")?;
        cert.reference_term = self.meta("reference-term")?;
        cert.categories = Vec::new();
        for p in &self.raw.metadata.props {
            let required = match p.name.0.as_str() {
                "category" => false,
                "required-category" => true,
                _ => continue,
            };
            if p.ns.as_ref().is_none_or(|ns| ns.0 != NS) {
                continue;
            }
            let id = prop_text(p).map_err(|e| self.invalid(format!("in `metadata`: {e}")))?;
            cert.categories.push(Category {
                name: p
                    .remarks
                    .as_ref()
                    .map(|r| unescape(&r.0))
                    .unwrap_or_default(),
                id,
                required,
            });
        }
        Ok(())
    }

    /// Every group a family, in document order, with its controls (nested ones after
    /// their parent) restricted to `selection` when given; controls outside any group
    /// form a family named after the catalog. With a selection, empty families are left
    /// out, as the general reading does.
    pub(crate) fn families(
        &self,
        selection: Option<&BTreeSet<String>>,
        options: &ImportOptions,
    ) -> Result<Vec<Family>, OscalError> {
        let mut reader = Reader {
            own: self,
            selection,
            options,
            ids: HashMap::new(),
        };
        let mut families = Vec::new();
        if !self.raw.controls.is_empty() {
            families.push(Family {
                name: unescape(&self.raw.metadata.title.0),
                category: None,
                controls: reader.controls(&self.raw.controls)?,
            });
        }
        reader.groups(&self.raw.groups, &mut families)?;
        if selection.is_some() {
            families.retain(|f| !f.controls.is_empty());
        }
        Ok(families)
    }
}

/// One pass over an export's groups and controls.
struct Reader<'r, 'a> {
    own: &'r Own<'a>,
    selection: Option<&'r BTreeSet<String>>,
    options: &'r ImportOptions,
    /// Control id → OSCAL id, to name both controls of a duplicate.
    ids: HashMap<String, String>,
}

impl Reader<'_, '_> {
    fn groups(&mut self, groups: &[Group], out: &mut Vec<Family>) -> Result<(), OscalError> {
        for g in groups {
            if !g.controls.is_empty() || g.groups.is_empty() {
                let category = own(&g.props, "category")
                    .next()
                    .map(prop_text)
                    .transpose()
                    .map_err(|e| {
                        self.own
                            .invalid(format!("in the group `{}`: {e}", g.title.0))
                    })?;
                out.push(Family {
                    name: unescape(&g.title.0),
                    category,
                    controls: self.controls(&g.controls)?,
                });
            }
            self.groups(&g.groups, out)?;
        }
        Ok(())
    }

    /// `controls` and their descendants, in document order, that are neither withdrawn
    /// nor left out by the selection.
    fn controls(&mut self, controls: &[Control]) -> Result<Vec<CatalogControl>, OscalError> {
        let mut out = Vec::new();
        let mut stack: Vec<&Control> = controls.iter().rev().collect();
        while let Some(c) = stack.pop() {
            stack.extend(c.controls.iter().rev());
            let withdrawn = c
                .props_named("status")
                .any(|p| p.value.0.trim().eq_ignore_ascii_case("withdrawn"));
            if withdrawn || self.selection.is_some_and(|s| !s.contains(&c.id.0)) {
                continue;
            }
            let control = self
                .control(c)
                .map_err(|e| self.own.invalid(format!("the control `{}`: {e}", c.id.0)))?;
            if let Some(first) = self.ids.insert(control.id.clone(), c.id.0.clone()) {
                return Err(OscalError::DuplicateId {
                    file: self.own.file.to_string(),
                    id: control.id,
                    first,
                    second: c.id.0.clone(),
                });
            }
            out.push(control);
        }
        Ok(out)
    }

    /// One control as written: the id its label holds, its title, score, references,
    /// attributes, statement and examples.
    fn control(&self, c: &Control) -> Result<CatalogControl, String> {
        let label = own(&c.props, "label").next().map(prop_text).transpose()?;
        let id = label
            .or_else(|| {
                c.props
                    .iter()
                    .find(|p| p.name.0 == "label" && p.ns.is_none() && p.class.is_none())
                    .map(|p| p.value.0.clone())
            })
            .unwrap_or_else(|| c.id.0.clone());
        let selected = self
            .options
            .score_profiles
            .iter()
            .filter(|(selection, _)| selection.contains(&c.id.0))
            .map(|(_, score)| *score)
            .max();
        let written = match own(&c.props, "score").next() {
            Some(p) => match p.value.0.trim().parse::<u32>() {
                Ok(score) if score > 0 => Some(score),
                _ => {
                    return Err(format!(
                        "its score `{}` is not a positive whole number",
                        p.value.0
                    ));
                }
            },
            None => None,
        };
        let mut attributes = std::collections::BTreeMap::<String, Vec<String>>::new();
        for p in own(&c.props, "attribute") {
            let text = prop_text(p)?;
            let (name, value) = text
                .split_once('=')
                .ok_or_else(|| format!("its attribute `{text}` is not NAME=VALUE"))?;
            attributes
                .entry(name.into())
                .or_default()
                .push(value.into());
        }
        let statements = self.options.statements;
        let prose = |name: &'static str| {
            c.parts
                .iter()
                .filter(move |p| p.name.0 == name && p.ns.is_none())
                .map(|p| unescape(p.prose.as_ref().map_or("", |t| t.0.as_str())))
        };
        Ok(CatalogControl {
            id,
            title: unescape(&c.title.0),
            articles: own(&c.props, "reference")
                .map(prop_text)
                .collect::<Result<_, _>>()?,
            score: selected.or(written).unwrap_or(self.options.default_score),
            // A statement part without prose is a control without a description (every
            // exported control has the part: findings target it).
            description: c
                .parts
                .iter()
                .find(|p| p.name.0 == "statement" && p.ns.is_none() && p.prose.is_some())
                .and_then(|p| p.prose.as_ref())
                .map(|t| unescape(&t.0))
                .filter(|_| statements),
            attributes,
            examples: if statements {
                prose("example").collect()
            } else {
                Vec::new()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_round_trips_every_text() {
        for text in [
            "",
            "plain",
            "*bold* _it_ `code` [link](x) {{ insert: param, p }} <b> &amp; \\ \\\\",
            "two\nlines",
            "para\n\nnext\n",
            "ends with a backslash\\\nnext",
            "  indented\n    more\r\n- list\n1. item\n",
            "\n\n",
        ] {
            assert_eq!(
                unescape(&escape(text)),
                text,
                "{text:?} → {:?}",
                escape(text)
            );
        }
        assert_eq!(escape("a*b\nc"), "a\\*b\\\nc");
        // What the general reader makes of a title is the same text.
        let params = super::super::text::Params::new();
        assert_eq!(
            super::super::text::line(&escape("a_b *c* [d](e) \\"), &params),
            "a_b *c* [d](e) \\"
        );
    }

    #[test]
    fn props_hold_any_text() {
        for text in [
            "x",
            "",
            " x",
            "x ",
            "a\nb",
            "\u{2028}",
            "\u{feff}x",
            "x\u{1f}",
            "\"q\"",
        ] {
            let v = text_prop("n", text);
            let p: Prop = serde_json::from_value(v.clone()).expect("a prop");
            assert_eq!(prop_text(&p).expect("decodes"), text, "{v}");
            assert!(is_plain(p.value.0.as_str()), "{v}");
            assert_eq!(v.get("class").is_some(), !is_plain(text), "{v}");
        }
    }
}
