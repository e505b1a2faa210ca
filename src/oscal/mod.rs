//! Import of OSCAL catalogs and profiles (NIST's Open Security Controls Assessment
//! Language, models 1.0–1.2, JSON or YAML) into [`Certification`]s (DESIGN.md §2, §9);
//! the export of assessments and certifications as OSCAL is [`export`].
//!
//! Pure: this module reads text it is given and never touches the file system. Finding
//! the catalog a profile imports is the caller's job ([`crate::ops::import_oscal`]), with
//! the help of [`Import::locations`].
//!
//! How OSCAL maps onto a certification:
//! - the import always lands on what the OSCAL schema accepts: a `title` may be empty
//!   (the schema requires the key, not text in it; a missing key is read as empty). An
//!   untitled document is named after its file name without extension; an untitled group
//!   after its id (or, without one, the document); an untitled control as below.
//! - each group that holds controls is a family named after its title (groups may nest;
//!   a control belongs to its innermost group); controls at the catalog's root form a
//!   family named after the catalog. Families with the same name are one family.
//! - with [`ImportOptions::families_from`] = a class (the CSF 2.0's `category`), each
//!   control of that OSCAL `class` is a family instead, named `<id> <title> (<group
//!   title>)` ("GV.OC Organizational Context (GOVERN)"), holding its descendant controls;
//!   the family term is the class, capitalised ("Category"). Controls outside any such
//!   control stay in their group's family.
//! - every control and enhancement (nested `controls`) that is not withdrawn (prop
//!   `status` = `withdrawn`) is a control, in document order. Its id is its label (the
//!   `label` prop without a `class`, else any `label`) when that is an identifier, else
//!   its OSCAL id. An identifier is letters, digits and `.`, `-`, `_`, `(`, `)`, starting
//!   with a letter or digit: NIST's `AC-2` and `AC-2(1)` are, the CSF's category label
//!   `Organizational Context (GV.OC)` is not (that category's id is `GV.OC`).
//! - a control's title is its OSCAL title; when that is empty or only its id (the CSF's
//!   subcategories are titled `GV.OC-01`), its label if that is more than the id, else
//!   the first sentence of its statement (to the first `.`, `!` or `?` outside brackets
//!   that a word not in lower case follows; no final `.`), shortened at a word boundary
//!   to at most [`DERIVED_TITLE_CHARS`] characters (ending `…` when cut), else its id.
//! - the certification's id, unless given: the slug of the document's title when that
//!   has at most [`MAX_DEFAULT_ID_CHARS`] characters, else the slug of its file
//!   name (`NIST_CSF_v2.0_catalog-min.json` → `nist-csf-v2-0-catalog-min`).
//! - with the statement, the control's `example` parts (the CSF's implementation
//!   examples) are kept as its `examples`, one plain-text entry each.
//! - the statement, when asked for, is the `statement` part as plain text, with NIST's
//!   `[Assignment: …]` / `[Selection: …]` in place of parameter insertions.
//! - a profile selects controls of its catalog (`include-all`, `include-controls`,
//!   `exclude-controls`, `with-ids`, `matching`, `with-child-controls`); its `merge` and
//!   `modify` are ignored (see [`Profile`]). A selected enhancement whose parent is not
//!   selected is imported all the same.
//! - scores come from [`ImportOptions`]: a default, raised by "score profiles" (the
//!   highest score of the profiles selecting a control wins), so SP 800-53B baselines give
//!   the score scale of docs/format.md.

mod assure;
mod catalog;
pub mod export;
mod profile;
mod raw;
mod text;
pub mod write;

use std::collections::BTreeSet;
use std::fmt;

use serde::Deserialize;

use crate::model::Certification;

pub use catalog::{Catalog, DERIVED_TITLE_CHARS, MAX_DEFAULT_ID_CHARS, slug};
pub use profile::{Import, Profile};

/// Whether a document is a catalog or a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Catalog,
    Profile,
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DocumentKind::Catalog => "catalog",
            DocumentKind::Profile => "profile",
        })
    }
}

/// What the importer keeps of a document's `metadata`, as plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// The title as plain text; the file stem when the document's is empty.
    pub title: String,
    /// The document's file name without its extension (`NIST_CSF_v2.0_catalog-min`).
    pub file_stem: String,
    pub version: Option<String>,
    pub remarks: Option<String>,
}

impl Metadata {
    /// The metadata of the document read from `file`; an empty or missing title (the
    /// schema requires the key, not text in it) is the file's name without extension.
    fn from_raw(raw: &raw::Metadata, file: &str) -> Self {
        let none = text::Params::new();
        let file_stem = std::path::Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().trim().to_string())
            .unwrap_or_default();
        let title = text::line(&raw.title.0, &none);
        let title = if title.is_empty() {
            file_stem.clone()
        } else {
            title
        };
        Metadata {
            title,
            file_stem,
            version: raw
                .version
                .as_ref()
                .map(|v| v.0.trim().to_string())
                .filter(|v| !v.is_empty()),
            remarks: raw
                .remarks
                .as_ref()
                .map(|r| text::lines(&r.0, &none).join("\n"))
                .filter(|r| !r.is_empty()),
        }
    }
}

/// A parsed OSCAL document.
// One per file read, moved a few times: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Document {
    Catalog(Catalog),
    Profile(Profile),
}

impl Document {
    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::Catalog(_) => DocumentKind::Catalog,
            Document::Profile(_) => DocumentKind::Profile,
        }
    }

    pub fn file(&self) -> &str {
        match self {
            Document::Catalog(c) => c.file(),
            Document::Profile(p) => p.file(),
        }
    }

    pub fn metadata(&self) -> &Metadata {
        match self {
            Document::Catalog(c) => c.metadata(),
            Document::Profile(p) => p.metadata(),
        }
    }

    /// The OSCAL ids of `catalog` this document selects: a profile's selection
    /// ([`Profile::select`], whatever catalog its imports name), or for a catalog (such
    /// as a resolved baseline) its controls that are not withdrawn, each of which
    /// `catalog` must have.
    pub fn select(&self, catalog: &Catalog) -> Result<BTreeSet<String>, OscalError> {
        match self {
            Document::Profile(p) => p.select(catalog),
            Document::Catalog(c) => c.select_in(catalog),
        }
    }
}

/// How to turn a catalog into a certification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The certification id; default: a slug of the imported document's title.
    pub id: Option<String>,
    /// The short name; default: the document's title.
    pub name: Option<String>,
    /// The long name; default: the document's title.
    pub title: Option<String>,
    /// The score of a control that no score profile selects.
    pub default_score: u32,
    /// Whether to keep each control's statement as its description.
    pub statements: bool,
    /// (selected OSCAL ids, score) pairs: a control selected by several gets the highest.
    pub score_profiles: Vec<(BTreeSet<String>, u32)>,
    /// Controls of this OSCAL `class` (the CSF's `category`) are families, not controls:
    /// each holds its descendant controls. Default: groups are families.
    pub families_from: Option<String>,
    /// The certification's version; default: the document's `metadata.version`.
    pub version: Option<String>,
    /// The certification's `source`; default: names the document and its version.
    pub source: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            id: None,
            name: None,
            title: None,
            default_score: 1,
            statements: true,
            score_profiles: Vec::new(),
            families_from: None,
            version: None,
            source: None,
        }
    }
}

/// Why an OSCAL document could not be imported. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum OscalError {
    #[error("{file}: cannot read the file: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Not well-formed JSON or YAML; `message` says which.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: not an OSCAL catalog or profile: {found}")]
    NotOscal { file: String, found: String },
    #[error("{file}: expected an OSCAL {expected}, but the file is an OSCAL {found}")]
    WrongKind {
        file: String,
        expected: DocumentKind,
        found: DocumentKind,
    },
    /// The document has the right root but not the shape of the model.
    #[error("{file}: not a valid OSCAL {kind}: {message}")]
    Invalid {
        file: String,
        kind: DocumentKind,
        message: String,
    },
    #[error("{file}: cannot resolve the profile's import `{href}`: {reason}")]
    UnresolvedImport {
        file: String,
        href: String,
        reason: String,
    },
    #[error("{file}: the control `{id}` it selects is not in the catalog {catalog}")]
    UnknownControl {
        file: String,
        id: String,
        catalog: String,
    },
    #[error(
        "{file}: the controls `{first}` and `{second}` both have the id `{id}` (from their `label` props); certification control ids must be unique"
    )]
    DuplicateId {
        file: String,
        id: String,
        first: String,
        second: String,
    },
    /// The request does not make sense, e.g. `--profile` given with a profile.
    #[error("{message}")]
    BadRequest { message: String },
    #[error(
        "`{id}` is not a valid certification id (lower-case letters, digits and `-`); choose one with --id"
    )]
    InvalidCertificationId { id: String },
}

/// The root keys of the other OSCAL models, to say what a file is when it is not ours.
const OTHER_MODELS: &[&str] = &[
    "component-definition",
    "system-security-plan",
    "assessment-plan",
    "assessment-results",
    "plan-of-action-and-milestones",
    "mapping-collection",
];

/// Parses an OSCAL catalog or profile. `text` is JSON when its first non-blank character
/// is `{`, YAML otherwise; `file` names the document in errors.
pub fn parse_document(text: &str, file: &str) -> Result<Document, OscalError> {
    let value = parse_value(text, file)?;
    let serde_json::Value::Object(mut root) = value else {
        return Err(OscalError::NotOscal {
            file: file.to_string(),
            found: format!(
                "the document is {}, not an object with a `catalog` or `profile` key",
                raw::kind_of(&value)
            ),
        });
    };
    let invalid = |kind: DocumentKind, shape, body: &serde_json::Value, e: serde_json::Error| {
        let message = match raw::locate_error(body, shape, &kind.to_string()) {
            Some((path, message)) => format!("at `{path}`: {message}"),
            None => e.to_string(),
        };
        OscalError::Invalid {
            file: file.to_string(),
            kind,
            message,
        }
    };
    if let Some(body) = root.remove("catalog") {
        let raw = raw::Catalog::deserialize(&body)
            .map_err(|e| invalid(DocumentKind::Catalog, raw::Shape::Catalog, &body, e))?;
        return Catalog::new(file, raw).map(Document::Catalog);
    }
    if let Some(body) = root.remove("profile") {
        let raw = raw::Profile::deserialize(&body)
            .map_err(|e| invalid(DocumentKind::Profile, raw::Shape::Profile, &body, e))?;
        return Profile::new(file, raw).map(Document::Profile);
    }
    let found = match root.keys().find(|k| OTHER_MODELS.contains(&k.as_str())) {
        Some(model) => format!("it is an OSCAL {model}"),
        None if root.is_empty() => "the document is empty".to_string(),
        None => {
            let keys: Vec<String> = root.keys().take(5).map(|k| format!("`{k}`")).collect();
            format!(
                "its root has {} but no `catalog` or `profile` key",
                keys.join(", ")
            )
        }
    };
    Err(OscalError::NotOscal {
        file: file.to_string(),
        found,
    })
}

/// [`parse_document`], expecting a catalog.
pub fn parse_catalog(text: &str, file: &str) -> Result<Catalog, OscalError> {
    match parse_document(text, file)? {
        Document::Catalog(c) => Ok(c),
        Document::Profile(_) => Err(OscalError::WrongKind {
            file: file.to_string(),
            expected: DocumentKind::Catalog,
            found: DocumentKind::Profile,
        }),
    }
}

/// [`parse_document`], expecting a profile.
pub fn parse_profile(text: &str, file: &str) -> Result<Profile, OscalError> {
    match parse_document(text, file)? {
        Document::Profile(p) => Ok(p),
        Document::Catalog(_) => Err(OscalError::WrongKind {
            file: file.to_string(),
            expected: DocumentKind::Profile,
            found: DocumentKind::Catalog,
        }),
    }
}

/// Every active control of `catalog`, named after the catalog.
pub fn import_catalog(
    catalog: &Catalog,
    options: &ImportOptions,
) -> Result<Certification, OscalError> {
    certification(
        catalog,
        None,
        DocumentKind::Catalog,
        catalog.metadata(),
        options,
    )
}

/// The controls `profile` selects from `catalog`, named after the profile.
pub fn import_profile(
    profile: &Profile,
    catalog: &Catalog,
    options: &ImportOptions,
) -> Result<Certification, OscalError> {
    let selection = profile.select(catalog)?;
    certification(
        catalog,
        Some(&selection),
        DocumentKind::Profile,
        profile.metadata(),
        options,
    )
}

/// The certification of `catalog`'s active controls, restricted to `selection` (OSCAL ids)
/// when given, and named after the document described by `kind` and `metadata` (its
/// default id, name and title, its version and the `source` line).
pub fn certification(
    catalog: &Catalog,
    selection: Option<&BTreeSet<String>>,
    kind: DocumentKind,
    metadata: &Metadata,
    options: &ImportOptions,
) -> Result<Certification, OscalError> {
    catalog.certification(selection, (kind, metadata), options)
}

fn parse_value(text: &str, file: &str) -> Result<serde_json::Value, OscalError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full);
            OscalError::Syntax {
                file: file.to_string(),
                line: e.line(),
                column: e.column(),
                message: format!("invalid JSON: {message}"),
            }
        })
    } else {
        crate::repo::yaml::parse_to_json(text).map_err(|e| {
            let (line, column) = line_column(text, e.span.start);
            let message = if e.message.starts_with("invalid YAML") {
                e.message
            } else {
                format!("invalid YAML: {}", e.message)
            };
            OscalError::Syntax {
                file: file.to_string(),
                line,
                column,
                message,
            }
        })
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    trait ErrText {
        fn err_text(self) -> String;
    }

    impl<T: fmt::Debug> ErrText for Result<T, OscalError> {
        fn err_text(self) -> String {
            match self {
                Ok(v) => panic!("expected an error, got {v:?}"),
                Err(e) => e.to_string(),
            }
        }
    }

    const CATALOG: &str = r#"{"catalog": {
        "uuid": "00000000-0000-4000-8000-000000000000",
        "metadata": {"title": "Tiny *Catalog*", "version": "2", "oscal-version": "1.1.2"},
        "controls": [{"id": "r-1", "title": "Root control"}],
        "groups": [
          {"id": "g1", "title": "Outer", "groups": [
            {"id": "g1a", "title": "Inner", "controls": [
              {"id": "c-1", "title": "One", "props": [{"name": "label", "value": "C-01", "class": "zero-padded"}, {"name": "label", "value": "C-1"}],
               "params": [{"id": "c-1_prm_1", "label": "frequency"}],
               "parts": [{"id": "c-1_smt", "name": "statement", "prose": "Do it:", "parts": [
                 {"id": "c-1_smt.a", "name": "item", "props": [{"name": "label", "value": "a."}], "prose": "every {{ insert: param, c-1_prm_1 }};", "parts": [
                   {"id": "c-1_smt.a.1", "name": "item", "props": [{"name": "label", "value": "1."}], "prose": "and more."}]}]},
                 {"id": "c-1_gdn", "name": "guidance", "prose": "Not part of the statement."}],
               "controls": [
                 {"id": "c-1.1", "title": "One one", "props": [{"name": "label", "value": "C-1(1)"}]},
                 {"id": "c-1.2", "title": "Gone", "props": [{"name": "status", "value": "Withdrawn"}], "controls": [
                   {"id": "c-1.2.1", "title": "Deep"}]}]}]},
            {"id": "g1b", "title": "Other", "controls": [{"id": "c-2", "title": "Two"}]}]}]}}"#;

    fn catalog() -> Catalog {
        match parse_document(CATALOG, "tiny.json") {
            Ok(Document::Catalog(c)) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn catalog_structure() {
        let cert = import_catalog(&catalog(), &ImportOptions::default()).expect("succeeds");
        assert_eq!(cert.id, "tiny-catalog");
        assert_eq!(cert.name, "Tiny Catalog");
        assert_eq!(cert.version, "2");
        assert_eq!(
            cert.source.as_deref(),
            Some("OSCAL catalog 'Tiny Catalog' version 2, imported by assure")
        );
        let shape: Vec<(String, Vec<String>)> = cert
            .families
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.controls.iter().map(|c| c.id.clone()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("Tiny Catalog".to_string(), vec!["r-1".to_string()]),
                (
                    "Inner".to_string(),
                    vec!["C-1".into(), "C-1(1)".into(), "c-1.2.1".into()]
                ),
                ("Other".to_string(), vec!["c-2".to_string()]),
            ]
        );
        let c1 = &cert.families[1].controls[0];
        assert_eq!(
            c1.description.as_deref(),
            Some("Do it:\na. every [Assignment: organization-defined frequency];\n  1. and more.")
        );
    }

    #[test]
    fn no_statements_and_scores() {
        let low: BTreeSet<String> = ["c-1".to_string()].into();
        let high: BTreeSet<String> = ["c-1".to_string(), "c-2".to_string()].into();
        let options = ImportOptions {
            id: Some("tiny".into()),
            statements: false,
            default_score: 1,
            score_profiles: vec![(high, 3), (low, 8)],
            ..ImportOptions::default()
        };
        let cert = import_catalog(&catalog(), &options).expect("succeeds");
        let scores: Vec<(String, u32, bool)> = cert
            .families
            .iter()
            .flat_map(|f| &f.controls)
            .map(|c| (c.id.clone(), c.score, c.description.is_some()))
            .collect();
        assert_eq!(
            scores,
            vec![
                ("r-1".to_string(), 1, false),
                ("C-1".to_string(), 8, false),
                ("C-1(1)".to_string(), 1, false),
                ("c-1.2.1".to_string(), 1, false),
                ("c-2".to_string(), 3, false),
            ]
        );
    }

    #[test]
    fn profile_selection() {
        let profile = r##"{"profile": {"metadata": {"title": "Base line", "version": "1"},
            "imports": [{"href": "#res", "include-controls": [
                {"with-ids": ["c-1"], "with-child-controls": "yes"},
                {"matching": [{"pattern": "r-*"}]}],
              "exclude-controls": [{"with-ids": ["c-1.1"]}]}],
            "back-matter": {"resources": [{"uuid": "res", "rlinks": [
                {"href": "cat.xml", "media-type": "application/oscal.catalog+xml"},
                {"href": "../x/cat.json", "media-type": "application/oscal.catalog+json"}]}]}}}"##;
        let Document::Profile(p) = parse_document(profile, "p.json").expect("succeeds") else {
            panic!("not a profile")
        };
        assert_eq!(p.imports()[0].locations, vec!["../x/cat.json", "cat.xml"]);
        let sel = p.select(&catalog()).expect("succeeds");
        let want: BTreeSet<String> = ["c-1", "c-1.2", "c-1.2.1", "r-1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(sel, want);
        let cert = import_profile(&p, &catalog(), &ImportOptions::default()).expect("succeeds");
        assert_eq!(cert.id, "base-line");
        assert_eq!(
            cert.families.len(),
            2,
            "the empty family `Other` is dropped"
        );
        assert_eq!(
            cert.source.as_deref(),
            Some("OSCAL profile 'Base line' version 1, imported by assure")
        );
    }

    #[test]
    fn errors() {
        let e = parse_document("{\"catalog\": [1,", "x.json").err_text();
        assert!(e.starts_with("x.json:1:"), "{e}");
        assert!(e.contains("invalid JSON"), "{e}");
        let e = parse_document("a: [1\nb: 2\n", "x.yaml").err_text();
        assert!(
            e.starts_with("x.yaml:") && e.contains("invalid YAML"),
            "{e}"
        );
        let e = parse_document("{\"component-definition\": {}}", "c.json").err_text();
        assert_eq!(
            e,
            "c.json: not an OSCAL catalog or profile: it is an OSCAL component-definition"
        );
        let e = parse_document("[]", "a.yaml").err_text();
        assert!(e.contains("is an array"), "{e}");
        let e = parse_document("{\"catalog\": {\"groups\": []}}", "m.json").err_text();
        assert!(
            e.contains("m.json: not a valid OSCAL catalog: at `catalog`: missing field `metadata`"),
            "{e}"
        );
        let e = parse_document(
            &CATALOG.replace(r#""id": "c-2""#, r#""iid": "c-2""#),
            "t.json",
        )
        .err_text();
        assert_eq!(
            e,
            "t.json: not a valid OSCAL catalog: at `catalog.groups[0].groups[1].controls[0]`: missing field `id`"
        );
        let e = parse_document(
            r#"{"catalog": {"metadata": {"title": "x"}, "groups": {}}}"#,
            "g.json",
        )
        .err_text();
        assert!(e.starts_with("g.json: not a valid OSCAL catalog: at `catalog`: invalid type: map, expected a sequence"), "{e}");

        let dup = CATALOG.replace("\"value\": \"C-1(1)\"", "\"value\": \"C-1\"");
        let e = import_catalog(
            &parse_catalog(&dup, "d.json").expect("succeeds"),
            &ImportOptions::default(),
        )
        .err_text();
        assert!(
            e.contains("`c-1` and `c-1.1` both have the id `C-1`"),
            "{e}"
        );

        let bad = r#"{"profile": {"metadata": {"title": "P"}, "imports": [{"href": "c.json", "include-controls": [{"with-ids": ["zz-9"]}]}]}}"#;
        let e = parse_profile(bad, "p.json")
            .expect("succeeds")
            .select(&catalog())
            .err_text();
        assert_eq!(
            e,
            "p.json: the control `zz-9` it selects is not in the catalog tiny.json"
        );
        let e = parse_profile(CATALOG, "tiny.json").err_text();
        assert_eq!(
            e,
            "tiny.json: expected an OSCAL profile, but the file is an OSCAL catalog"
        );
    }

    #[test]
    fn untitled_controls_groups_and_catalogs() {
        // Every title empty or missing (OSCAL requires the key, not text in it).
        let text = r#"{"catalog": {"metadata": {"title": ""},
            "controls": [{"id": "r-1", "title": ""}],
            "groups": [
              {"id": "g1", "title": " ", "controls": [
                {"id": "c-1", "title": "", "props": [{"name": "label", "value": "Access review (C-1)"}]},
                {"id": "c-2", "props": [{"name": "label", "value": "C-2"}],
                 "parts": [{"name": "statement", "prose": "Review access monthly. Then report."}]},
                {"id": "c-3", "title": "C-3", "props": [{"name": "label", "value": "C-3"}]}]},
              {"title": "", "controls": [{"id": "c-4", "title": ""}]}]}}"#;
        let cert = import_catalog(
            &parse_catalog(text, "dir/My_Catalog.v2.json").expect("parses"),
            &ImportOptions::default(),
        )
        .expect("imports");
        assert_eq!(cert.id, "my-catalog-v2");
        assert_eq!(cert.name, "My_Catalog.v2");
        assert_eq!(cert.title.as_deref(), Some("My_Catalog.v2"));
        let shape: Vec<(&str, Vec<(&str, &str)>)> = cert
            .families
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.controls
                        .iter()
                        .map(|c| (c.id.as_str(), c.title.as_str()))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("My_Catalog.v2", vec![("r-1", "r-1"), ("c-4", "c-4")]),
                (
                    "g1",
                    vec![
                        ("c-1", "Access review (C-1)"),
                        ("C-2", "Review access monthly"),
                        ("C-3", "C-3"),
                    ]
                ),
            ]
        );
    }

    #[test]
    fn scores_must_be_positive() {
        let options = ImportOptions {
            default_score: 0,
            ..ImportOptions::default()
        };
        let e = import_catalog(&catalog(), &options).err_text();
        assert!(e.contains("score must be a positive integer"), "{e}");
    }

    #[test]
    fn yaml_line_column() {
        assert_eq!(line_column("ab\ncdé\nf", 7), (2, 4));
        assert_eq!(line_column("x", 99), (1, 2));
    }
}
