//! OSCAL export (DESIGN.md §8, §9): an assessment as OSCAL assessment results, a plan of
//! action and milestones or a system security plan, and a certification as an OSCAL
//! catalog, in OSCAL 1.1.3 ([`OSCAL_VERSION`]), JSON or YAML.
//!
//! Pure, like the importer: the builders take the project's data and the [`Origin`] (the
//! repository facts that [`crate::ops::export_oscal`] reads from git) and return a
//! `serde_json::Value`; nothing here touches the file system or git.
//!
//! Invariants, for every model:
//! - **Stable ids.** Every `uuid` is a UUID v5 ([`Ids::uuid`]) of the repository's identity
//!   (its root commit, [`Origin::repository`]), a kind ("finding", "observation"…) and the
//!   natural key of the thing (assessment, control, file path…), never random. Exporting
//!   the same commit twice gives byte-identical output, and a re-export after a change
//!   differs only where the data did.
//! - **Stable order.** Objects keep the order the builders insert keys in
//!   (`serde_json`'s `preserve_order`), and lists follow catalog order or sorted keys.
//! - **Metadata** ([`metadata`]) names the organization (a party), the commit (the
//!   document's `version` and a prop), the commit's time as `last-modified`, the assure
//!   version, and says when the work tree had uncommitted changes to the compliance data.
//! - **Control ids** are OSCAL tokens made from ours by [`control_id`], the same in every
//!   model and in the exported catalog, so an assessment's export resolves against its
//!   certification's; the exact id is kept as the control's `label` prop.
//! - assure's own facts that OSCAL has no field for are props in the [`NS`] namespace.
//!
//! The tests validate every model against NIST's official OSCAL 1.1.3 JSON schema
//! (vendored under tests/fixtures/oscal-schemas/).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::model::{Assessment, Certification, Document, Person};
use crate::ops::assessment_view::AssessmentPage;
use crate::ops::score::ControlView;

pub mod assessment_results;
pub mod catalog;
pub mod findings;
pub mod poam;
pub mod ssp;

/// The OSCAL version every export declares and is checked against.
pub const OSCAL_VERSION: &str = "1.1.3";

/// The namespace of assure's own props (OSCAL: a prop whose name OSCAL does not define
/// carries the namespace of who defined it).
pub const NS: &str = "https://github.com/assure-compliance/assure/ns/oscal";

/// Where an export comes from: the repository facts every document's metadata states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `organization` of assure.yaml.
    pub organization: String,
    /// The repository's identity: the id of the root commit of HEAD's first-parent
    /// history. Every uuid derives from it.
    pub repository: String,
    /// The commit exported (HEAD).
    pub commit: String,
    /// The commit's time: the documents' `last-modified`.
    pub time: DateTime<Utc>,
    /// The work tree's compliance data differs from the commit.
    pub dirty: bool,
    /// "assure 0.1.0".
    pub generator: String,
}

impl Origin {
    /// The generator of this build of assure.
    pub fn generator() -> String {
        format!("assure {}", env!("CARGO_PKG_VERSION"))
    }
}

/// An assessment with everything an export states about it, gathered by
/// [`crate::ops::export_oscal`].
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// Names, dates, categories, in-scope services and counts: `assessment show`'s page.
    pub page: &'a AssessmentPage,
    pub assessment: &'a Assessment,
    pub certification: &'a Certification,
    /// Every control of the assessment with how it is managed, in catalog order
    /// ([`crate::ops::score::controls`]).
    pub views: &'a [ControlView<'a>],
    /// assure.yaml's people, for names.
    pub people: &'a [Person],
    /// Who last set each customer-managed control's test result (by control id).
    pub testers: &'a std::collections::BTreeMap<String, Tester>,
    /// The assessed service as the catalog's services file declares it (its
    /// description); `None` when the file does not list it.
    pub service: Option<&'a crate::model::Service>,
    /// The assessment's open action items, as `assure actions` lists them
    /// ([`crate::ops::actions::action_items`]; none when it is archived).
    pub actions: &'a [crate::ops::actions::ActionItem],
}

impl Subject<'_> {
    /// The name of the person with this email in assure.yaml, or the email.
    pub fn name_of<'s>(&'s self, email: &'s str) -> &'s str {
        self.people
            .iter()
            .find(|p| p.email.trim().eq_ignore_ascii_case(email.trim()))
            .map_or(email, |p| p.name.as_str())
    }
}

/// The author of the newest commit that set a control's test result: the tester, as git
/// history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tester {
    pub email: String,
    /// The commit's author name.
    pub name: String,
    pub time: DateTime<Utc>,
    pub commit: String,
}

/// Makes the stable uuids of one repository's documents.
#[derive(Debug, Clone, Copy)]
pub struct Ids {
    namespace: Uuid,
}

impl Ids {
    /// The ids of the repository whose root commit is `repository`.
    pub fn new(repository: &str) -> Ids {
        let assure = Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes());
        Ids {
            namespace: Uuid::new_v5(&assure, format!("repository {repository}").as_bytes()),
        }
    }

    /// The uuid of the thing of this `kind` with this natural key (`parts`): a UUID v5 in
    /// the repository's namespace. Each part is written with its length before it, so no
    /// two different keys give the same name whatever bytes the parts hold.
    pub fn uuid(&self, kind: &str, parts: &[&str]) -> String {
        let mut name = kind.to_owned();
        for part in parts {
            name.push_str(&format!(" {}:{part}", part.len()));
        }
        Uuid::new_v5(&self.namespace, name.as_bytes()).to_string()
    }
}

/// The time as OSCAL's date-time with a time zone: `2025-03-17T10:00:00Z`.
pub fn date_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A prop of assure's own ([`NS`]).
pub fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": value })
}

/// The uuid of the organization's party (every document has it in its metadata).
pub fn organization_uuid(ids: &Ids, origin: &Origin) -> String {
    ids.uuid("party", &["organization", &origin.organization])
}

/// The `metadata` of a document titled `title`: the organization as a party, the commit
/// as `version` (with `+uncommitted` when the work tree differs) and as a prop, its time
/// as `last-modified`, the generator, OSCAL 1.1.3. A builder adds its own `roles`,
/// `parties` and `responsible-parties` after these.
pub fn metadata(ids: &Ids, origin: &Origin, title: &str) -> Map<String, Value> {
    let mut version = origin.commit.clone();
    let mut props = vec![
        prop("commit", &origin.commit),
        prop("generator", &origin.generator),
    ];
    if origin.dirty {
        version.push_str("+uncommitted");
        props.push(prop("uncommitted-changes", "true"));
    }
    let mut m = Map::new();
    m.insert("title".into(), title.into());
    m.insert("last-modified".into(), date_time(origin.time).into());
    m.insert("version".into(), version.into());
    m.insert("oscal-version".into(), OSCAL_VERSION.into());
    m.insert("props".into(), props.into());
    m.insert(
        "parties".into(),
        json!([{
            "uuid": organization_uuid(ids, origin),
            "type": "organization",
            "name": line(&origin.organization, "(organization)"),
        }]),
    );
    if origin.dirty {
        m.insert(
            "remarks".into(),
            format!(
                "Exported from a work tree with uncommitted changes to the compliance data: commit {} does not hold all of it.",
                origin.commit
            )
            .into(),
        );
    }
    m
}

/// A person as an OSCAL party (type `person`): `name` (their name in assure.yaml, or the
/// email) and the email. The uuid depends on the email alone.
pub fn person_party(ids: &Ids, email: &str, name: &str) -> Value {
    let email = email.trim();
    let mut party = json!({
        "uuid": person_uuid(ids, email),
        "type": "person",
        "name": line(name, email),
    });
    // OSCAL's email type is `^.+@.+$`; a value that is not one is kept only as the name.
    if email.contains('@') && !email.starts_with('@') && !email.ends_with('@') {
        party["email-addresses"] = json!([email]);
    }
    party
}

/// The uuid of the party of the person with this email (case-insensitive, as people are
/// matched everywhere).
pub fn person_uuid(ids: &Ids, email: &str) -> String {
    ids.uuid("party", &["person", &email.trim().to_lowercase()])
}

/// An evidence document as a back-matter resource: its path as title and (relative,
/// percent-encoded) link, with its SHA-256 from the assessment file, and its purpose as a
/// prop. The uuid depends on the path alone, so every reference to the same file is one
/// resource.
pub fn evidence_resource(ids: &Ids, doc: &Document) -> Value {
    let mut resource = json!({
        "uuid": evidence_uuid(ids, &doc.path),
        "title": doc.path,
    });
    if let Some(purpose) = doc.purpose {
        let purpose = match purpose {
            crate::model::Purpose::Implementation => "implementation",
            crate::model::Purpose::Testing => "testing",
        };
        resource["props"] = json!([prop("purpose", purpose)]);
    }
    resource["rlinks"] = json!([{
        "href": href(&doc.path),
        "hashes": [{ "algorithm": "SHA-256", "value": doc.sha256.to_lowercase() }],
    }]);
    resource
}

/// The uuid of the back-matter resource of the evidence file at `path`.
pub fn evidence_uuid(ids: &Ids, path: &str) -> String {
    ids.uuid("resource", &["evidence", path])
}

/// `path` as a relative URI reference: every byte but the unreserved ones and `/`
/// percent-encoded (a space, `#`, `?` or `%` in a file name would otherwise change what
/// the link means), and a first segment with a `:` made `./…` so it cannot read as a
/// scheme.
pub fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Our control id as an OSCAL token (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`): an id that is
/// one already stays as it is (`A.5.1`, `GV.OC-01`, `CC1.1`); otherwise a parenthesised
/// part becomes a dotted one, as NIST writes enhancements (`AC-2(1)` → `AC-2.1`), any
/// other character outside the token's becomes `_`, and an id not starting with a letter
/// gets a leading `_` (`5.1` → `_5.1`). Distinct ids of one certification that would give
/// the same token are refused by the catalog export.
pub fn control_id(id: &str) -> String {
    if is_token(id) {
        return id.to_owned();
    }
    let mut out = String::with_capacity(id.len() + 1);
    for c in id.trim().chars() {
        match c {
            '(' => out.push('.'),
            ')' => {}
            c if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') => out.push(c),
            _ => out.push('_'),
        }
    }
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Whether `s` is an OSCAL token.
pub fn is_token(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// `s`, or `fallback` when `s` is empty or only whitespace (OSCAL's strings must hold a
/// non-space character).
pub fn non_empty<'a>(s: &'a str, fallback: &'a str) -> &'a str {
    if s.trim().is_empty() { fallback } else { s }
}

/// `s` on one line (every run of white space one space, trimmed), or `fallback` when
/// nothing is left: OSCAL's plain strings (names, prop values: `^\S(.*\S)?$`) allow
/// neither line breaks nor space at either end. White space is what any engine that
/// checks the schema calls so: Rust's, and U+FEFF (ECMAScript's) and U+001C–U+001F
/// (Python's).
pub fn line(s: &str, fallback: &str) -> String {
    let space =
        |c: char| c.is_whitespace() || c == '\u{feff}' || ('\u{1c}'..='\u{1f}').contains(&c);
    let joined = s
        .split(space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if joined.is_empty() {
        fallback.to_owned()
    } else {
        joined
    }
}

/// How a document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// JSON, two-space indented, keys in insertion order, ending with a newline.
    #[default]
    Json,
    /// OSCAL's YAML form: the same tree, block style, every string double-quoted.
    Yaml,
}

/// The text of `doc` in `format`. A character that must not reach a terminal raw
/// ([`crate::text::is_hostile`]: a control or bidi character) is written as its `\uXXXX`
/// escape, which means the same character in a JSON string and in a YAML double-quoted
/// one (every string is one), so the document on standard output is the document in a
/// file, byte for byte, and reads back the same.
pub fn render(doc: &Value, format: Format) -> String {
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Yaml => {
            let mut s = String::from("---\n");
            yaml(doc, 0, &mut s);
            s
        }
    };
    if !text
        .chars()
        .any(|c| c != '\n' && crate::text::is_hostile(c))
    {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c != '\n' && crate::text::is_hostile(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `v` as a YAML block at `indent`, after a key or a `- ` already written (a
/// mapping or sequence goes on the next lines; a scalar on the same one).
fn yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (i, (k, v)) in m.iter().enumerate() {
                // The first key of a mapping inside a sequence goes after the `- `.
                if i > 0 || !out.ends_with("- ") {
                    out.push_str(&pad);
                }
                out.push_str(&crate::repo::yaml::quote(k));
                out.push(':');
                yaml_value(v, indent + 2, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for v in a {
                out.push_str(&pad);
                out.push_str("- ");
                match v {
                    Value::Object(m) if !m.is_empty() => yaml(v, indent + 2, out),
                    Value::Array(a) if !a.is_empty() => {
                        out.push('\n');
                        yaml(v, indent + 2, out);
                    }
                    _ => {
                        out.push_str(&scalar(v));
                        out.push('\n');
                    }
                }
            }
        }
        _ => {
            out.push_str(&pad);
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
}

/// The value of a key: a scalar after `: `, a collection on the next lines.
fn yaml_value(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml(v, indent, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml(v, indent, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => crate::repo::yaml::quote(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_v5_and_keyed_by_every_part() {
        let ids = Ids::new("0123abcd");
        let a = ids.uuid("finding", &["g/s--c", "AC-2"]);
        assert_eq!(a, Ids::new("0123abcd").uuid("finding", &["g/s--c", "AC-2"]));
        assert_eq!(Uuid::parse_str(&a).expect("a uuid").get_version_num(), 5);
        // Another repository, kind, or split of the same bytes is another id.
        assert_ne!(a, Ids::new("0123abce").uuid("finding", &["g/s--c", "AC-2"]));
        assert_ne!(a, ids.uuid("observation", &["g/s--c", "AC-2"]));
        assert_ne!(ids.uuid("x", &["a b", "c"]), ids.uuid("x", &["a", "b c"]));
    }

    #[test]
    fn control_ids_are_tokens() {
        assert_eq!(control_id("A.5.1"), "A.5.1");
        assert_eq!(control_id("GV.OC-01"), "GV.OC-01");
        assert_eq!(control_id("AC-2(1)"), "AC-2.1");
        assert_eq!(control_id("5.1"), "_5.1");
        assert_eq!(control_id("Art. 5"), "Art._5");
        for id in ["AC-2(1)", "5.1", "Art. 5", "x/y", "é(1)"] {
            assert!(is_token(&control_id(id)), "{id}");
        }
    }

    #[test]
    fn hrefs_are_percent_encoded() {
        assert_eq!(href("evidence/a b#1.pdf"), "evidence/a%20b%231.pdf");
        assert_eq!(href("evidence/ü.txt"), "evidence/%C3%BC.txt");
    }

    #[test]
    fn yaml_reads_back_as_the_same_tree() {
        let doc =
            json!({"a": {"b": [{"c": "x: y", "d": [1, 2]}, "e"], "f": {}, "g": []}, "h": true});
        let text = render(&doc, Format::Yaml);
        let back = crate::repo::yaml::parse_to_json(&text).expect("valid YAML");
        assert_eq!(back, doc, "{text}");
    }
}
