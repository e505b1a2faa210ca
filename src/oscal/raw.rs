//! The subset of the OSCAL catalog and profile models (1.0–1.2) that the importer reads.
//!
//! Field names are OSCAL's (kebab-case). Unknown fields are ignored: OSCAL documents carry
//! much more than we need (links, back-matter citations, assessment methods …), and each
//! minor OSCAL version adds fields. Scalars that OSCAL types as strings are read leniently
//! ([`Text`]), because a YAML document may write `version: 1.1` or `value: 1` unquoted.

use serde::{Deserialize, Deserializer};

/// A string that also accepts a number or boolean (YAML writes `1.1` or `1` unquoted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Text(s)),
            serde_json::Value::Number(n) => Ok(Text(n.to_string())),
            serde_json::Value::Bool(b) => Ok(Text(b.to_string())),
            other => Err(D::Error::custom(format!(
                "expected a string, found {}",
                kind_of(&other)
            ))),
        }
    }
}

/// "an object", "an array" …, for messages about the shape of a document.
pub(crate) fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Metadata {
    // `title` is required by OSCAL, but an empty one is valid: a missing one is read as
    // empty, and the importer falls back (to the file name, a group id, a label or id).
    #[serde(default)]
    pub title: Text,
    #[serde(default)]
    pub version: Option<Text>,
    #[serde(default)]
    pub remarks: Option<Text>,
    /// Read for assure's own props ([`super::assure`]).
    #[serde(default)]
    pub props: Vec<Prop>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Catalog {
    pub metadata: Metadata,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub controls: Vec<Control>,
    #[serde(default)]
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Group {
    #[serde(default)]
    pub id: Option<Text>,
    #[serde(default)]
    pub title: Text,
    #[serde(default)]
    pub params: Vec<Param>,
    /// Read for assure's own props ([`super::assure`]).
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Control {
    pub id: Text,
    #[serde(default)]
    pub class: Option<Text>,
    #[serde(default)]
    pub title: Text,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub parts: Vec<Part>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Prop {
    pub name: Text,
    pub value: Text,
    #[serde(default)]
    pub class: Option<Text>,
    /// Who defined the prop's name; assure's own props carry [`super::export::NS`].
    #[serde(default)]
    pub ns: Option<Text>,
    #[serde(default)]
    pub remarks: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Param {
    pub id: Text,
    #[serde(default)]
    pub label: Option<Text>,
    #[serde(default)]
    pub select: Option<Select>,
    #[serde(default)]
    pub guidelines: Vec<Guideline>,
    #[serde(default)]
    pub values: Vec<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Select {
    #[serde(default)]
    pub how_many: Option<Text>,
    #[serde(default)]
    pub choice: Vec<Text>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Guideline {
    pub prose: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Part {
    pub name: Text,
    /// A part of another namespace than OSCAL's is not a `statement` of assure's own.
    #[serde(default)]
    pub ns: Option<Text>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub title: Option<Text>,
    #[serde(default)]
    pub prose: Option<Text>,
    #[serde(default)]
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Profile {
    pub metadata: Metadata,
    #[serde(default)]
    pub imports: Vec<Import>,
    #[serde(default)]
    pub back_matter: Option<BackMatter>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Import {
    pub href: Text,
    /// `include-all: {}`; any value counts as present.
    #[serde(default)]
    pub include_all: Option<serde_json::Value>,
    #[serde(default)]
    pub include_controls: Vec<Selector>,
    #[serde(default)]
    pub exclude_controls: Vec<Selector>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Selector {
    #[serde(default)]
    pub with_child_controls: Option<Text>,
    #[serde(default)]
    pub with_ids: Vec<Text>,
    #[serde(default)]
    pub matching: Vec<Matching>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Matching {
    #[serde(default)]
    pub pattern: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct BackMatter {
    #[serde(default)]
    pub resources: Vec<Resource>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Resource {
    pub uuid: Text,
    #[serde(default)]
    pub rlinks: Vec<Rlink>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Rlink {
    pub href: Text,
    #[serde(default)]
    pub media_type: Option<Text>,
}

impl Control {
    /// The props of this control called `name`.
    pub fn props_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Prop> + 'a {
        self.props.iter().filter(move |p| p.name.0 == name)
    }
}

/// The shapes [`locate_error`] descends through.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    Catalog,
    Profile,
    Metadata,
    Group,
    Control,
    Param,
    Prop,
    Part,
    Import,
    Selector,
}

impl Shape {
    fn children(self) -> &'static [(&'static str, Shape)] {
        use Shape::*;
        match self {
            Catalog => &[
                ("metadata", Metadata),
                ("params", Param),
                ("controls", Control),
                ("groups", Group),
            ],
            Profile => &[("metadata", Metadata), ("imports", Import)],
            Group => &[("params", Param), ("groups", Group), ("controls", Control)],
            Control => &[
                ("params", Param),
                ("props", Prop),
                ("parts", Part),
                ("controls", Control),
            ],
            Part => &[("props", Prop), ("parts", Part)],
            Import => &[
                ("include-controls", Selector),
                ("exclude-controls", Selector),
            ],
            Metadata | Param | Prop | Selector => &[],
        }
    }

    /// Why `v` does not deserialize as this shape, if it does not.
    fn error(self, v: &serde_json::Value) -> Option<String> {
        fn check<'a, T: Deserialize<'a>>(v: &'a serde_json::Value) -> Option<String> {
            T::deserialize(v).err().map(|e| e.to_string())
        }
        match self {
            Shape::Catalog => check::<Catalog>(v),
            Shape::Profile => check::<Profile>(v),
            Shape::Metadata => check::<Metadata>(v),
            Shape::Group => check::<Group>(v),
            Shape::Control => check::<Control>(v),
            Shape::Param => check::<Param>(v),
            Shape::Prop => check::<Prop>(v),
            Shape::Part => check::<Part>(v),
            Shape::Import => check::<Import>(v),
            Shape::Selector => check::<Selector>(v),
        }
    }
}

/// Where in `v` (of shape `shape`, found at `path`) the deepest part that does not
/// deserialize is, and why: serde's own messages name a field but not its place, and
/// "missing field `title`" in a 10 MB catalog needs one. Runs only after a failure.
pub(crate) fn locate_error(
    v: &serde_json::Value,
    shape: Shape,
    path: &str,
) -> Option<(String, String)> {
    let message = shape.error(v)?;
    for (key, child_shape) in shape.children() {
        let found = match (v.get(key), child_shape) {
            (Some(child), Shape::Metadata) => {
                locate_error(child, *child_shape, &format!("{path}.{key}"))
            }
            (Some(serde_json::Value::Array(items)), _) => {
                items.iter().enumerate().find_map(|(i, item)| {
                    locate_error(item, *child_shape, &format!("{path}.{key}[{i}]"))
                })
            }
            // Not an array where one belongs: the parent's message says so.
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    Some((path.to_string(), message))
}
