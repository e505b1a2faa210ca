//! An OSCAL catalog and its conversion to a [`Certification`].

use std::collections::{BTreeSet, HashMap};

use crate::model::{CatalogControl, Certification, Family};

use super::raw::{self, Control, Group};
use super::text::{self, Params};
use super::{DocumentKind, ImportOptions, Metadata, OscalError};

/// A parsed OSCAL catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    file: String,
    metadata: Metadata,
    raw: raw::Catalog,
    /// Every control's OSCAL id, in document order (enhancements after their parent).
    order: Vec<String>,
    /// OSCAL id → the ids of its direct child controls (enhancements).
    children: HashMap<String, Vec<String>>,
}

impl Catalog {
    pub(crate) fn new(file: &str, raw: raw::Catalog) -> Result<Self, OscalError> {
        let metadata = Metadata::from_raw(&raw.metadata, file);
        let mut order = Vec::new();
        let mut children = HashMap::new();
        fn walk(
            controls: &[Control],
            order: &mut Vec<String>,
            children: &mut HashMap<String, Vec<String>>,
        ) {
            for c in controls {
                order.push(c.id.0.clone());
                children.insert(
                    c.id.0.clone(),
                    c.controls.iter().map(|k| k.id.0.clone()).collect(),
                );
                walk(&c.controls, order, children);
            }
        }
        fn groups(
            gs: &[Group],
            order: &mut Vec<String>,
            children: &mut HashMap<String, Vec<String>>,
        ) {
            for g in gs {
                walk(&g.controls, order, children);
                groups(&g.groups, order, children);
            }
        }
        walk(&raw.controls, &mut order, &mut children);
        groups(&raw.groups, &mut order, &mut children);
        if children.len() != order.len() {
            let mut seen = BTreeSet::new();
            if let Some(dup) = order.iter().find(|id| !seen.insert(id.as_str())) {
                return Err(OscalError::Invalid {
                    file: file.to_string(),
                    kind: DocumentKind::Catalog,
                    message: format!("the control id `{dup}` is used by more than one control"),
                });
            }
        }
        Ok(Catalog {
            file: file.to_string(),
            metadata,
            raw,
            order,
            children,
        })
    }

    /// The file name the catalog was parsed from (as given to [`super::parse_document`]).
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Every control's OSCAL id (withdrawn ones too), in document order.
    pub fn control_ids(&self) -> &[String] {
        &self.order
    }

    /// Whether the catalog has a control with this OSCAL id.
    pub fn contains(&self, id: &str) -> bool {
        self.children.contains_key(id)
    }

    /// The OSCAL ids of the direct child controls (enhancements) of `id`.
    pub fn children(&self, id: &str) -> &[String] {
        self.children.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `id` and all its descendants, `id` first, in document order.
    pub(crate) fn with_descendants(&self, id: &str, out: &mut Vec<String>) {
        out.push(id.to_string());
        for child in self.children(id) {
            self.with_descendants(child, out);
        }
    }

    /// The OSCAL ids of the controls that are not withdrawn, in document order.
    pub fn active_control_ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.visit(&mut |_, c| {
            if !withdrawn(c) {
                out.push(c.id.0.clone());
            }
        });
        out
    }

    /// Used as a selection of `catalog` (a resolved baseline, say): the ids of this
    /// catalog's active controls, each of which `catalog` must have.
    pub fn select_in(&self, catalog: &Catalog) -> Result<BTreeSet<String>, OscalError> {
        let ids = self.active_control_ids();
        if let Some(id) = ids.iter().find(|id| !catalog.contains(id)) {
            return Err(OscalError::UnknownControl {
                file: self.file.clone(),
                id: id.clone(),
                catalog: catalog.file().to_string(),
            });
        }
        Ok(ids.into_iter().collect())
    }

    fn visit<'a>(&'a self, f: &mut dyn FnMut(Option<&'a Group>, &'a Control)) {
        self.visit_in(None, &mut |g, _, c| f(g, c));
    }

    /// Every control in document order with its innermost group and its nearest
    /// ancestor control of the OSCAL class `family_class`, if any.
    fn visit_in<'a>(
        &'a self,
        family_class: Option<&str>,
        f: &mut dyn FnMut(Option<&'a Group>, Option<&'a Control>, &'a Control),
    ) {
        type Visitor<'v, 'a> =
            &'v mut dyn FnMut(Option<&'a Group>, Option<&'a Control>, &'a Control);
        fn controls<'a>(
            g: Option<&'a Group>,
            family: Option<&'a Control>,
            cs: &'a [Control],
            class: Option<&str>,
            f: Visitor<'_, 'a>,
        ) {
            for c in cs {
                f(g, family, c);
                let inner = if class.is_some() && class_of(c) == class {
                    Some(c)
                } else {
                    family
                };
                controls(g, inner, &c.controls, class, f);
            }
        }
        fn groups<'a>(gs: &'a [Group], class: Option<&str>, f: Visitor<'_, 'a>) {
            for g in gs {
                controls(Some(g), None, &g.controls, class, f);
                groups(&g.groups, class, f);
            }
        }
        controls(None, None, &self.raw.controls, family_class, f);
        groups(&self.raw.groups, family_class, f);
    }

    fn params(&self) -> Params<'_> {
        let mut map = Params::new();
        for p in &self.raw.params {
            map.insert(p.id.0.as_str(), p);
        }
        fn groups<'a>(gs: &'a [Group], map: &mut Params<'a>) {
            for g in gs {
                for p in &g.params {
                    map.insert(p.id.0.as_str(), p);
                }
                groups(&g.groups, map);
            }
        }
        groups(&self.raw.groups, &mut map);
        self.visit(&mut |_, c| {
            for p in &c.params {
                map.insert(p.id.0.as_str(), p);
            }
        });
        map
    }

    /// The certification of this catalog, restricted to `selection` (OSCAL ids) when given.
    ///
    /// `origin` is the document the certification is named after: the catalog itself, or
    /// the profile that selected the controls.
    pub(crate) fn certification(
        &self,
        selection: Option<&BTreeSet<String>>,
        origin: (DocumentKind, &Metadata),
        options: &ImportOptions,
    ) -> Result<Certification, OscalError> {
        let (kind, meta) = origin;
        if options.default_score == 0 || options.score_profiles.iter().any(|(_, s)| *s == 0) {
            return Err(OscalError::BadRequest {
                message: "a control's score must be a positive integer (docs/format.md, \"Score values\")"
                    .into(),
            });
        }
        // A catalog assure exported reads back as the certification it was.
        let own = super::assure::Own::of(&self.file, &self.raw, options);
        let given = options;
        let filled = own.as_ref().map(|o| o.options(kind, given)).transpose()?;
        let options = filled.as_ref().unwrap_or(given);
        let params = if options.statements && own.is_none() {
            self.params()
        } else {
            Params::new()
        };
        let families = match &own {
            Some(own) => own.families(selection, options)?,
            None => self.families(selection, &params, options)?,
        };
        let id = certification_id(options, meta)?;
        let name = options.name.clone().unwrap_or_else(|| meta.title.clone());
        let title = options.title.clone().unwrap_or_else(|| meta.title.clone());
        let document_version = meta.version.clone().unwrap_or_default();
        let shown_version = if document_version.is_empty() {
            "unknown".to_string()
        } else {
            document_version.clone()
        };
        let version = options.version.clone().unwrap_or(document_version);
        let source = options.source.clone().unwrap_or_else(|| {
            format!(
                "OSCAL {kind} '{}' version {shown_version}, imported by assure",
                meta.title
            )
        });
        let mut cert = Certification {
            id,
            name,
            title: Some(title),
            version,
            description: meta.remarks.clone().filter(|r| !r.is_empty()),
            source: Some(source),
            // OSCAL's groups are what NIST's catalogs call families; with
            // `families_from`, the class names them ("Category").
            family_term: Some(
                options
                    .families_from
                    .as_deref()
                    .map_or_else(|| "Family".to_string(), capitalised),
            ),
            reference_term: None,
            categories: Vec::new(),
            families,
        };
        if let Some(own) = &own {
            own.finish(&mut cert, kind, given)?;
        }
        Ok(cert)
    }

    /// The controls of this catalog (of `selection` when given), family by family: a
    /// control outside any group goes in a family named after the catalog.
    fn families(
        &self,
        selection: Option<&BTreeSet<String>>,
        params: &Params,
        options: &ImportOptions,
    ) -> Result<Vec<Family>, OscalError> {
        let root_family = self.root_family(params);

        let mut families: Vec<Family> = Vec::new();
        let mut family_index: HashMap<String, usize> = HashMap::new();
        // Display id → OSCAL id, to name both controls of a duplicate.
        let mut ids: HashMap<String, String> = HashMap::new();
        let mut error = None;
        let family_class = options.families_from.as_deref();
        let mut family_class_seen = false;
        self.visit_in(family_class, &mut |group, family_control, c| {
            if error.is_some() {
                return;
            }
            if family_class.is_some() && class_of(c) == family_class {
                // A family, not a control.
                family_class_seen = true;
                return;
            }
            if withdrawn(c) || selection.is_some_and(|s| !s.contains(&c.id.0)) {
                return;
            }
            let id = control_id(c);
            if let Some(other) = ids.insert(id.clone(), c.id.0.clone()) {
                error = Some(OscalError::DuplicateId {
                    file: self.file.clone(),
                    id,
                    first: other,
                    second: c.id.0.clone(),
                });
                return;
            }
            let family = family_name(group, family_control, &root_family, params);
            let index = *family_index.entry(family.clone()).or_insert_with(|| {
                families.push(Family {
                    name: family,
                    category: None,
                    controls: Vec::new(),
                });
                families.len() - 1
            });
            let title = title_of(c, &id, params);
            families[index].controls.push(CatalogControl {
                id,
                title,
                articles: Vec::new(),
                score: score_of(&c.id.0, options),
                description: if options.statements {
                    text::statement(&c.parts, params)
                } else {
                    None
                },
                attributes: Default::default(),
                examples: if options.statements {
                    examples(c, params)
                } else {
                    Vec::new()
                },
            });
        });
        if let Some(e) = error {
            return Err(e);
        }
        if let Some(class) = family_class
            && !family_class_seen
        {
            return Err(self.no_such_class(class));
        }
        families.retain(|f| !f.controls.is_empty());
        Ok(families)
    }
}

impl Catalog {
    /// The family of the controls outside any group: the catalog's title, or for an
    /// untitled catalog the name the certification gets (its file name,
    /// `Metadata::from_raw`).
    fn root_family(&self, params: &Params) -> String {
        let title = text::line(&self.raw.metadata.title.0, params);
        if title.is_empty() {
            self.metadata.title.clone()
        } else {
            title
        }
    }

    /// `--families-from CLASS` names a class no control has: say which classes there are.
    fn no_such_class(&self, class: &str) -> OscalError {
        let mut classes = BTreeSet::new();
        self.visit(&mut |_, c| {
            if let Some(k) = class_of(c) {
                classes.insert(format!("`{k}`"));
            }
        });
        OscalError::BadRequest {
            message: format!(
                "{}: no control has the class `{class}` that --families-from names; its controls' classes are {}",
                self.file,
                if classes.is_empty() {
                    "none".to_string()
                } else {
                    classes.into_iter().collect::<Vec<_>>().join(", ")
                }
            ),
        }
    }
}

/// The family of a control: its family control's `<id> <title> (<group title>)` when it
/// has one (see [`ImportOptions::families_from`]), else its group's title (its id when
/// untitled, `root` when it has neither), else `root` (the catalog's title) outside any
/// group.
fn family_name(
    group: Option<&Group>,
    family_control: Option<&Control>,
    root: &str,
    params: &Params,
) -> String {
    let group_name = match group {
        Some(g) => {
            let title = text::line(&g.title.0, params);
            if title.is_empty() {
                g.id.as_ref()
                    .map(|i| i.0.trim().to_string())
                    .filter(|i| !i.is_empty())
                    .unwrap_or_else(|| root.to_string())
            } else {
                title
            }
        }
        None => root.to_string(),
    };
    let Some(fc) = family_control else {
        return group_name;
    };
    let head = [fc.id.0.trim().to_string(), text::line(&fc.title.0, params)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match group {
        Some(_) if !group_name.is_empty() => format!("{head} ({group_name})"),
        _ => head,
    }
}

/// The control's id: its label ([`text::label_of`]) when that is an identifier
/// ([`is_identifier`]: NIST's `AC-2`, `AC-2(1)`), else its OSCAL id (the CSF's category
/// labelled `Organizational Context (GV.OC)` is `GV.OC`).
fn control_id(c: &Control) -> String {
    text::label_of(&c.props)
        .filter(|label| is_identifier(label))
        .unwrap_or_else(|| c.id.0.trim().to_string())
}

/// Whether a label may be a control id: letters, digits and `.`, `-`, `_`, `(`, `)`,
/// starting with a letter or a digit (so no whitespace, no `:` of a control reference).
pub(crate) fn is_identifier(label: &str) -> bool {
    let mut chars = label.chars();
    chars.next().is_some_and(char::is_alphanumeric)
        && chars.all(|c| c.is_alphanumeric() || ".-_()".contains(c))
}

/// The control's title, the first of: its OSCAL title; its label, when that is more than
/// its id (`Organizational Context (GV.OC)`); the first sentence of its statement,
/// shortened ([`text::first_sentence`], [`shorten`]); its id. A title or label that is
/// empty or only the id (`id`, its display id, or its OSCAL id: the CSF's subcategories
/// are titled `GV.OC-01`) does not count.
fn title_of(c: &Control, id: &str, params: &Params) -> String {
    let only_id = |s: &str| s.is_empty() || s == id || s == c.id.0.trim();
    let title = text::line(&c.title.0, params);
    if !only_id(&title) {
        return title;
    }
    if let Some(label) = text::label_of(&c.props).map(|l| text::line(&l, params))
        && !only_id(&label)
    {
        return label;
    }
    text::statement(&c.parts, params)
        .as_deref()
        .map(text::first_sentence)
        .filter(|s| !s.is_empty())
        .map_or_else(
            || id.to_string(),
            |first| shorten(first, DERIVED_TITLE_CHARS),
        )
}

/// The certification's id: the one asked for, or [`default_id`].
fn certification_id(options: &ImportOptions, meta: &Metadata) -> Result<String, OscalError> {
    match &options.id {
        Some(id) => {
            if !valid_id(id) {
                return Err(OscalError::InvalidCertificationId { id: id.clone() });
            }
            Ok(id.clone())
        }
        None => default_id(&meta.title, &meta.file_stem).ok_or_else(|| {
            OscalError::InvalidCertificationId {
                id: meta.title.clone(),
            }
        }),
    }
}

/// The longest default certification id taken from a document's title.
pub const MAX_DEFAULT_ID_CHARS: usize = 40;

/// The certification id when none is asked for: the slug of the document's title when it
/// has at most [`MAX_DEFAULT_ID_CHARS`] characters; else the slug of the document's file
/// name (without extension), when there is one (NIST's CSF 2.0 file, titled
/// "Electronic Version of NIST Cybersecurity Framework 2.0", gives
/// `nist-csf-v2-0-catalog-min`); else the title's slug cut after its last word that
/// fits.
fn default_id(title: &str, file_stem: &str) -> Option<String> {
    let from_title = slug(title);
    if from_title.chars().count() <= MAX_DEFAULT_ID_CHARS && !from_title.is_empty() {
        return Some(from_title);
    }
    let from_file = slug(file_stem);
    if !from_file.is_empty() {
        return Some(from_file);
    }
    if from_title.is_empty() {
        return None;
    }
    // A slug is ASCII: cut at a byte, back to the last `-`.
    let cut = &from_title[..MAX_DEFAULT_ID_CHARS + 1];
    Some(cut[..cut.rfind('-').unwrap_or(MAX_DEFAULT_ID_CHARS)].to_string())
}

fn score_of(id: &str, options: &ImportOptions) -> u32 {
    options
        .score_profiles
        .iter()
        .filter(|(selection, _)| selection.contains(id))
        .map(|(_, score)| *score)
        .max()
        .unwrap_or(options.default_score)
}

/// The longest title made from a statement, in characters (`…` included).
pub const DERIVED_TITLE_CHARS: usize = 80;

/// `text` if it has at most `max` characters, else its longest start of whole words
/// that fits with a `…` after it (a single over-long word is cut).
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let limit: String = text.chars().take(max - 1).collect();
    // The cut falls inside a word unless the next character is a space.
    let next_is_space = text.chars().nth(max - 1).is_some_and(char::is_whitespace);
    let words = if next_is_space {
        limit.as_str()
    } else {
        limit
            .rfind(char::is_whitespace)
            .map_or(limit.as_str(), |i| &limit[..i])
    };
    let words = words.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
    let words = if words.is_empty() {
        limit.trim_end()
    } else {
        words
    };
    format!("{words}…")
}

/// The control's `example` parts (the CSF's implementation examples) as plain text.
fn examples(c: &Control, params: &Params) -> Vec<String> {
    c.parts
        .iter()
        .filter(|p| p.name.0 == "example")
        .filter_map(|p| p.prose.as_ref())
        .map(|prose| text::lines(&prose.0, params).join("\n"))
        .filter(|e| !e.trim().is_empty())
        .collect()
}

/// The control's OSCAL `class`, trimmed.
fn class_of(c: &Control) -> Option<&str> {
    c.class.as_ref().map(|k| k.0.trim())
}

/// `category` → `Category`.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether the control carries the prop `status` = `withdrawn` (any case).
fn withdrawn(c: &Control) -> bool {
    c.props_named("status")
        .any(|p| p.value.0.trim().eq_ignore_ascii_case("withdrawn"))
}

/// A certification id: lower-case letters, digits and `-` (docs/format.md).
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `"NIST SP 800-53 Rev. 5"` → `"nist-sp-800-53-rev-5"`: lower case, every run of other
/// characters one `-`, none at either end. Non-ASCII letters are dropped.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("NIST SP 800-53 Rev. 5"), "nist-sp-800-53-rev-5");
        assert_eq!(slug("  *Sample* — Catalog!  "), "sample-catalog");
        assert_eq!(slug("—"), "");
        assert!(valid_id("nist-800-53-r5"));
        assert!(!valid_id("NIST"));
        assert!(!valid_id("-a"));
    }

    #[test]
    fn identifiers() {
        for id in [
            "AC-2", "AC-2(1)", "GV.OC-01", "A.5.1", "6.10.1.2", "x_1", "Ä-1",
        ] {
            assert!(is_identifier(id), "{id}");
        }
        for label in [
            "Organizational Context (GV.OC)",
            "AC 2",
            "-a",
            "(1)",
            ".5",
            "a:b",
            "a/b",
            "",
            "a\tb",
        ] {
            assert!(!is_identifier(label), "{label:?}");
        }
    }

    #[test]
    fn default_ids() {
        assert_eq!(
            default_id("Tiny Catalog", "x").as_deref(),
            Some("tiny-catalog")
        );
        let csf = "Electronic Version of NIST Cybersecurity Framework 2.0";
        assert_eq!(
            default_id(csf, "NIST_CSF_v2.0_catalog-min").as_deref(),
            Some("nist-csf-v2-0-catalog-min")
        );
        // 40 characters is not too long; 41 is.
        let forty = "abcdefghij abcdefghij abcdefghij abcdefg";
        assert_eq!(slug(forty).len(), 40);
        assert_eq!(
            default_id(forty, "f").as_deref(),
            Some(slug(forty).as_str())
        );
        assert_eq!(default_id(&format!("{forty}h"), "f").as_deref(), Some("f"));
        // No usable file name: the title's slug, cut after a whole word.
        assert_eq!(
            default_id(csf, "—").as_deref(),
            Some("electronic-version-of-nist-cybersecurity")
        );
        assert_eq!(default_id("—", "—"), None);
        assert_eq!(default_id("—", "cat").as_deref(), Some("cat"));
    }

    #[test]
    fn shortened_at_a_word_boundary() {
        assert_eq!(shorten("short enough", 20), "short enough");
        assert_eq!(shorten("exactly ten", 11), "exactly ten");
        assert_eq!(shorten("one two three four", 12), "one two…");
        assert_eq!(shorten("one two, three", 10), "one two…");
        // The cut falls just before a space: every word kept is whole.
        assert_eq!(shorten("one two three", 8), "one two…");
        assert_eq!(shorten("abcdefghijkl", 6), "abcde…");
        assert_eq!(shorten("ééé ééé ééé", 9), "ééé ééé…");
        assert_eq!(capitalised("category"), "Category");
    }
}
