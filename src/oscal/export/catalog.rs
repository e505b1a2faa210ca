//! A certification as an OSCAL catalog (issue 20): `assure export oscal --catalog CERT`.
//!
//! Mapping (docs/oscal.md, "Catalog"): the certification's name is the catalog's title
//! and its version the document's `version` (as NIST's catalogs carry their edition
//! there; the commit stays in the prop `commit`); each family is a group (class
//! `family`), each control a control whose `id` is [`control_id`] of ours and whose
//! `label` prop (NIST's, no namespace) is our id exactly; the description is the
//! `statement` part, each example an `example` part (as NIST CSF 2.0 writes them). What
//! OSCAL has no field for is a prop in assure's namespace: the certification's id, long
//! title, description, source, family and reference terms and categories on the
//! metadata, a family's category on its group, a control's score, references and
//! attributes on the control.
//!
//! Invariants:
//! - **Round trip.** `assure catalog import-oscal` of the export gives the same
//!   certification, field for field ([`crate::oscal::assure`] reads what is written here):
//!   titles and prose are escaped markup that reads as the text, and a value that cannot
//!   be an OSCAL prop value (empty, spaces at an end, several lines) is a JSON string
//!   literal with the class `json-string`.
//! - **Refused, not guessed.** Two controls whose ids become the same OSCAL id, or an
//!   attribute that cannot be written as `NAME=VALUE`, make the export fail naming both
//!   (exit 2): every other model refers to controls by that id. Group ids, which nothing
//!   refers to, are made unique instead (`-2`, `-3`… in family order).
//! - **Stable.** The uuid is that of the certification's id; everything else follows
//!   catalog order, so the same certification exports to the same bytes.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use super::{Ids, Origin, control_id, metadata, prop};
use crate::model::{CatalogControl, Certification, Family};
use crate::oscal::assure::{MARKER, escape, is_plain, text_prop};

/// The catalog of `cert`, or why it cannot be one.
pub fn build(cert: &Certification, origin: &Origin) -> Result<Value, String> {
    let ids = Ids::new(&origin.repository);
    let tokens = control_tokens(cert)?;
    let mut meta = metadata(&ids, origin, &escape(&cert.name));
    if is_plain(&cert.version) {
        meta.insert("version".into(), cert.version.clone().into());
    }
    if let Some(Value::Array(props)) = meta.get_mut("props") {
        props.extend(certification_props(cert));
    }
    let mut used = BTreeSet::new();
    let mut groups = Vec::with_capacity(cert.families.len());
    for family in &cert.families {
        groups.push(group(family, &tokens, &mut used)?);
    }
    let mut catalog = json!({
        "uuid": ids.uuid("catalog", &[&cert.id]),
        "metadata": meta,
    });
    // OSCAL lists hold at least one item.
    if !groups.is_empty() {
        catalog["groups"] = groups.into();
    }
    Ok(json!({ "catalog": catalog }))
}

/// The metadata props of ours after the core's: the id (which marks the catalog as
/// assure's), then each field the certification has, then its categories.
fn certification_props(cert: &Certification) -> Vec<Value> {
    let mut props = vec![text_prop(MARKER, &cert.id)];
    if !is_plain(&cert.version) {
        // `metadata.version` must be a plain string: it holds the commit then.
        props.push(text_prop("version", &cert.version));
    }
    let fields = [
        ("title", &cert.title),
        ("description", &cert.description),
        ("source", &cert.source),
        ("family-term", &cert.family_term),
        ("reference-term", &cert.reference_term),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            props.push(text_prop(name, value));
        }
    }
    for category in &cert.categories {
        let name = if category.required {
            "required-category"
        } else {
            "category"
        };
        let mut p = text_prop(name, &category.id);
        p["remarks"] = escape(&category.name).into();
        props.push(p);
    }
    props
}

/// Each control's OSCAL id, by our id; an error naming both controls when two become
/// the same.
fn control_tokens(cert: &Certification) -> Result<HashMap<&str, String>, String> {
    let mut by_token: HashMap<String, &str> = HashMap::new();
    let mut tokens = HashMap::new();
    for control in cert.families.iter().flat_map(|f| &f.controls) {
        let token = control_id(&control.id);
        if let Some(first) = by_token.insert(token.clone(), &control.id) {
            return Err(format!(
                "the controls `{first}` and `{}` of the certification `{}` both become the OSCAL control id `{token}`, and a catalog's control ids must be unique: rename one of them",
                control.id, cert.id
            ));
        }
        tokens.insert(control.id.as_str(), token);
    }
    Ok(tokens)
}

/// A family as a group: a token made from its name (unique: `-2`, `-3`… when taken),
/// its name as title, its category as a prop, its controls.
fn group(
    family: &Family,
    tokens: &HashMap<&str, String>,
    used: &mut BTreeSet<String>,
) -> Result<Value, String> {
    let base = group_id(&family.name);
    let mut id = base.clone();
    let mut n = 1;
    while !used.insert(id.clone()) {
        n += 1;
        id = format!("{base}-{n}");
    }
    let mut g = json!({ "id": id, "class": "family", "title": escape(&family.name) });
    if let Some(category) = &family.category {
        g["props"] = json!([text_prop("category", category)]);
    }
    let controls = family
        .controls
        .iter()
        .map(|c| control(c, &tokens[c.id.as_str()]))
        .collect::<Result<Vec<_>, _>>()?;
    if !controls.is_empty() {
        g["controls"] = controls.into();
    }
    Ok(g)
}

/// `A.5 Organizational controls` → `a.5-organizational-controls`: ASCII letters and
/// digits in lower case, `.` and `_` kept, any other run `-`; a leading `_` when it would
/// not start with a letter (an OSCAL token does not).
fn group_id(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    match out.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => out.to_owned(),
        Some(_) => format!("_{out}"),
        None => "family".to_owned(),
    }
}

/// A control: its OSCAL id, title, `label` (our id), score, references and attributes
/// as props; its description as the `statement` part and each example an `example` part.
fn control(c: &CatalogControl, token: &str) -> Result<Value, String> {
    // NIST's label prop when the id can be one; else ours, which holds any text.
    let label = if is_plain(&c.id) {
        json!({ "name": "label", "value": c.id })
    } else {
        text_prop("label", &c.id)
    };
    let mut props = vec![label, prop("score", &c.score.to_string())];
    props.extend(c.articles.iter().map(|a| text_prop("reference", a)));
    for (name, values) in &c.attributes {
        if name.contains('=') || values.is_empty() {
            return Err(format!(
                "the control `{}` has the attribute `{name}` {}, which an OSCAL prop `attribute` (NAME=VALUE) cannot hold; attribute names and values are lower-case letters, digits and `-` (`assure validate` says more)",
                c.id,
                if values.is_empty() {
                    "with no value"
                } else {
                    "with a `=` in its name"
                }
            ));
        }
        props.extend(
            values
                .iter()
                .map(|v| text_prop("attribute", &format!("{name}={v}"))),
        );
    }
    // Every control has a statement part, with the description as its prose when there is
    // one: the findings of an assessment-results export target `<control-id>_smt`, which
    // must resolve in this catalog.
    let mut statement = json!({ "id": format!("{token}_smt"), "name": "statement" });
    if let Some(description) = &c.description {
        statement["prose"] = escape(description).into();
    }
    let mut parts = vec![statement];
    for example in &c.examples {
        parts.push(json!({ "name": "example", "prose": escape(example) }));
    }
    Ok(json!({ "id": token, "title": escape(&c.title), "props": props, "parts": parts }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_are_tokens() {
        assert_eq!(
            group_id("A.5 Organizational controls"),
            "a.5-organizational-controls"
        );
        assert_eq!(group_id("6.2 Data (x)"), "_6.2-data-x");
        assert_eq!(group_id("Données — é"), "donn-es");
        assert_eq!(group_id("—"), "family");
        for name in ["A.5 x", "6.2", "—", "é", "CC1 Control environment", "-x-"] {
            assert!(super::super::is_token(&group_id(name)), "{name}");
        }
    }
}
