//! JSON Schema validation of every file against `schemas/*.json` (draft 2020-12), with
//! findings located at the offending value through the spanned YAML tree.

use std::sync::OnceLock;

use jsonschema::Validator;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Value};

use crate::assets;
use crate::diag::{Code, Diagnostic};
use crate::repo::source::FileId;
use crate::repo::yaml::Node;
use crate::suggest::closest;

/// The kinds of file, one schema each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Config,
    Group,
    Assessment,
    Services,
    Certification,
    Template,
    Mapping,
}

impl Kind {
    /// Every kind, in the order of `assure schema`'s list.
    pub const ALL: [Kind; 7] = [
        Kind::Config,
        Kind::Group,
        Kind::Assessment,
        Kind::Services,
        Kind::Certification,
        Kind::Template,
        Kind::Mapping,
    ];

    /// The kind's name: its schema is `schemas/<name>.schema.json`.
    pub fn name(self) -> &'static str {
        self.about().0
    }

    /// The files of this kind, as `assure schema` lists them: `catalog/services.yaml`.
    pub fn files(self) -> &'static str {
        self.about().1
    }

    /// Everything about a kind in one place: its name and its files.
    fn about(self) -> (&'static str, &'static str) {
        match self {
            Kind::Config => ("config", "assure.yaml"),
            Kind::Group => ("group", "groups/<group-id>/group.yaml"),
            Kind::Assessment => (
                "assessment",
                "groups/<group-id>/<service>--<certification>.yaml",
            ),
            Kind::Services => ("services", "catalog/services.yaml"),
            Kind::Certification => ("certification", "catalog/certifications/<id>.yaml"),
            Kind::Template => (
                "template",
                "catalog/templates/<service>--<certification>.yaml",
            ),
            Kind::Mapping => ("mapping", "catalog/mappings/<name>.yaml"),
        }
    }

    /// The built-in schema of this kind.
    pub fn schema(self) -> &'static str {
        assets::schema(self.name()).expect("every kind has a built-in schema (tested)")
    }

    /// The kind named `name` (`config`, `group`, …), as `assure schema NAME` takes it.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

fn validators() -> &'static [Validator; Kind::ALL.len()] {
    static VALIDATORS: OnceLock<[Validator; Kind::ALL.len()]> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        Kind::ALL.map(|kind| {
            let text = kind.schema();
            let schema: Value =
                serde_json::from_str(text).expect("built-in schemas are valid JSON (tested)");
            jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .expect("built-in schemas compile (tested)")
        })
    })
}

/// Validates `value` (the JSON form of `node`) against the schema of `kind`, pushing one
/// located finding per violation. Returns whether it is valid.
pub fn check(
    kind: Kind,
    file: FileId,
    node: &Node,
    value: &Value,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let validator = &validators()[Kind::ALL.iter().position(|k| *k == kind).expect("listed")];
    let before = out.len();
    for error in validator.iter_errors(value) {
        let path: Vec<String> = error
            .instance_path()
            .segments()
            .map(|s| s.to_string())
            .collect();
        out.push(finding(
            kind,
            file,
            node,
            &path,
            error.kind(),
            error.instance(),
        ));
    }
    out.len() == before
}

fn finding(
    kind: Kind,
    file: FileId,
    root: &Node,
    path: &[String],
    error: &ValidationErrorKind,
    instance: &Value,
) -> Diagnostic {
    let (node, entry, _) = root.walk(path);
    let at = At {
        kind,
        file,
        node,
        entry,
        path,
        // Name the field, not a list index: `roles`, not `0`.
        field: path
            .iter()
            .rev()
            .find(|s| s.parse::<usize>().is_err())
            .map_or_else(|| "the document".to_owned(), |f| format!("`{f}`")),
        help_schema: format!(
            "`assure schema {}` shows every field this file may have",
            kind.name()
        ),
    };
    match error {
        ValidationErrorKind::AdditionalProperties { unexpected } => unknown_field(&at, unexpected),
        ValidationErrorKind::Required { property } => missing_field(&at, property),
        ValidationErrorKind::Type { kind: expected } => wrong_type(&at, expected, instance),
        ValidationErrorKind::Enum { options } => not_allowed(&at, options, instance),
        ValidationErrorKind::Format { format } => bad_format(&at, format, instance),
        ValidationErrorKind::Pattern { pattern } if pattern == SINGLE_LINE => {
            not_one_line(&at, instance)
        }
        ValidationErrorKind::Pattern { pattern } => bad_pattern(&at, pattern, instance),
        other => Diagnostic::new(
            Code::InvalidValue,
            format!("{} {}", at.field, message(other, instance)),
        )
        .at(at.file, at.node.span.clone(), "invalid value")
        .help(at.help_schema.clone()),
    }
}

/// Where a schema finding is, and how to name it.
struct At<'a> {
    kind: Kind,
    file: FileId,
    node: &'a Node,
    entry: Option<&'a crate::repo::yaml::Entry>,
    path: &'a [String],
    /// The field, for messages: `` `roles` ``, or "the document".
    field: String,
    /// The pointer to `assure schema KIND`.
    help_schema: String,
}

/// `unknown-field`, at the key, with the closest field or the list of fields.
fn unknown_field(at: &At, unexpected: &[String]) -> Diagnostic {
    let kind = at.kind;
    let file = at.file;
    let node = at.node;
    let path = at.path;
    let help_schema = at.help_schema.clone();
    // Point at the unexpected key itself.
    let key = unexpected.first().cloned().unwrap_or_default();
    let span = node
        .entry(&key)
        .map_or(node.span.clone(), |e| e.key_span.clone());
    let allowed = allowed_fields(kind, path);
    Diagnostic::new(
        Code::UnknownField,
        format!("unknown field `{key}` in {}", place(path)),
    )
    .at(file, span, "not a field of this file")
    .help(match closest(&key, &allowed) {
        Some(s) => format!("did you mean `{s}`? ({help_schema})"),
        None if !allowed.is_empty() => {
            format!("the fields here are: {}", allowed.join(", "))
        }
        None => help_schema,
    })
}

/// `missing-field`, at the mapping's key (or the document's start).
fn missing_field(at: &At, property: &Value) -> Diagnostic {
    let file = at.file;
    let node = at.node;
    let entry = at.entry;
    let path = at.path;
    let help_schema = at.help_schema.clone();
    let name = property.as_str().unwrap_or_default();
    let span = entry
        .filter(|_| !path.is_empty())
        .map_or(node.span.start..node.span.start, |e| e.key_span.clone());
    Diagnostic::new(
        Code::MissingField,
        format!("missing required field `{name}` in {}", place(path)),
    )
    .at(file, span, format!("`{name}` is required here"))
    .help(format!("add `{name}:`; {help_schema}"))
}

/// `wrong-type`, with how to quote a value YAML read as a number or a boolean.
fn wrong_type(at: &At, expected: &TypeKind, instance: &Value) -> Diagnostic {
    let file = at.file;
    let node = at.node;
    let field = &at.field;
    let help_schema = at.help_schema.clone();
    let expected = match expected {
        TypeKind::Single(t) => t.to_string(),
        TypeKind::Multiple(ts) => ts
            .into_iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    };
    let help = match instance {
        Value::Number(n) if expected.contains("string") => {
            format!("quote it: `\"{n}\"` (YAML reads unquoted {n} as a number)")
        }
        Value::Bool(b) if expected.contains("string") => format!("quote it: `\"{b}\"`"),
        Value::Null => format!("give {field} a value, or remove the key"),
        _ => help_schema,
    };
    Diagnostic::new(
        Code::WrongType,
        format!(
            "{field} must be {}, found {}",
            article(&expected),
            describe(instance)
        ),
    )
    .at(file, node.span.clone(), format!("expected {expected}"))
    .help(help)
}

/// A value not in the schema's list (`unknown-role` for roles), with the closest one.
fn not_allowed(at: &At, options: &Value, instance: &Value) -> Diagnostic {
    let file = at.file;
    let node = at.node;
    let path = at.path;
    let field = &at.field;
    let options: Vec<String> = options
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let got = instance.as_str().unwrap_or_default();
    let code = if path.iter().any(|p| p == "roles") {
        Code::UnknownRole
    } else {
        Code::InvalidValue
    };
    let help = match closest(got, &options) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("allowed values: {}", options.join(", ")),
    };
    Diagnostic::new(
        code,
        format!("{} is not an allowed value of {field}", describe(instance)),
    )
    .at(file, node.span.clone(), "not allowed here")
    .help(help)
}

/// A date, time or e-mail address that is not one.
fn bad_format(at: &At, format: &str, instance: &Value) -> Diagnostic {
    let file = at.file;
    let node = at.node;
    let field = &at.field;
    let expected = match format {
        "date" => "a date written YYYY-MM-DD, e.g. 2019-04-02".to_owned(),
        "date-time" => "a date and time in RFC 3339 form, e.g. 2019-01-15T09:30:00Z".to_owned(),
        "email" => "an email address".to_owned(),
        other => format!("a valid {other}"),
    };
    Diagnostic::new(
        Code::InvalidValue,
        format!("{field} must be {expected}, found {}", describe(instance)),
    )
    .at(file, node.span.clone(), format!("not {expected}"))
}

/// A one-line text with a line break, a control or a bidirectional-text character.
fn not_one_line(at: &At, instance: &Value) -> Diagnostic {
    let file = at.file;
    let node = at.node;
    let field = &at.field;
    let found = instance
        .as_str()
        .and_then(|s| s.chars().find(|c| !single_line(*c)));
    Diagnostic::new(
        Code::InvalidValue,
        format!(
            "{field} must be one line without control characters, found {}",
            describe(instance)
        ),
    )
    .at(
        file,
        node.span.clone(),
        match found {
            Some('\n' | '\r') => "has a line break".to_owned(),
            Some(c) if c.is_control() => {
                format!("has the control character U+{:04X}", u32::from(c))
            }
            Some(c) => format!("has the bidirectional-text control U+{:04X}", u32::from(c)),
            None => "has a control character".to_owned(),
        },
    )
    .help(
        "write it on one line, without escapes such as \\n, \\t, \\e or \\u202e \
         (names appear in mail headers and on terminals, where such characters \
         rewrite what is shown)",
    )
}

/// A value of the wrong form (a hash, an id, a path), with the form it must have.
fn bad_pattern(at: &At, pattern: &str, instance: &Value) -> Diagnostic {
    let file = at.file;
    let node = at.node;
    let path = at.path;
    let field = &at.field;
    let help = match path.last().map(String::as_str) {
        Some("sha256") => {
            "a SHA-256 is 64 lower-case hex digits; `sha256sum FILE` prints it".to_owned()
        }
        Some("service" | "certification" | "id") => {
            "ids are lower-case letters, digits and `-`, e.g. `office-365`".to_owned()
        }
        Some("path") => {
            "write a repository-relative path with `/`, e.g. `evidence/scan.pdf`".to_owned()
        }
        _ => format!("the value must match `{pattern}`"),
    };
    Diagnostic::new(
        Code::InvalidValue,
        format!("{} is not a valid value of {field}", describe(instance)),
    )
    .at(file, node.span.clone(), "invalid form")
    .help(help)
}

/// The schemas' pattern for names and other one-line display text: no C0 or C1
/// control character, no DEL, no bidirectional embedding, override or isolate.
const SINGLE_LINE: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]*$";

/// Whether `c` may be part of a one-line name ([`SINGLE_LINE`]).
fn single_line(c: char) -> bool {
    !(c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

fn message(kind: &ValidationErrorKind, instance: &Value) -> String {
    match kind {
        ValidationErrorKind::Minimum { limit } => {
            format!("must be at least {limit}, found {instance}")
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("must be at most {limit}, found {instance}")
        }
        ValidationErrorKind::MinLength { .. } => "must not be empty".to_owned(),
        ValidationErrorKind::MinItems { limit } => format!("must have at least {limit} entries"),
        ValidationErrorKind::UniqueItems => "must not list the same entry twice".to_owned(),
        ValidationErrorKind::PropertyNames { .. } => "has a key that is not allowed".to_owned(),
        _ => format!("is not valid here ({})", describe(instance)),
    }
}

fn place(path: &[String]) -> String {
    if path.is_empty() {
        "the file".to_owned()
    } else {
        format!("`{}`", path.join("."))
    }
}

fn article(t: &str) -> String {
    match t.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {t}"),
        _ => format!("a {t}"),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            let cut: String = s.chars().take(40).collect();
            format!("\"{}…\"", crate::text::escape_line(&cut))
        }
        // Escaped, so the message shows a line break or ESC as `\n` or `\u001b`.
        Value::String(s) => format!("\"{}\"", crate::text::escape_line(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// The property names the schema allows at `path` (for "did you mean").
fn allowed_fields(kind: Kind, path: &[String]) -> Vec<String> {
    let Ok(schema) = serde_json::from_str::<Value>(kind.schema()) else {
        return Vec::new();
    };
    let mut here = &schema;
    let resolve = |v: &'_ Value| -> Option<Value> {
        let r = v.get("$ref")?.as_str()?.strip_prefix("#/")?;
        let mut node = &schema;
        for seg in r.split('/') {
            node = node.get(seg)?;
        }
        Some(node.clone())
    };
    let mut owned;
    for seg in path {
        if let Some(r) = resolve(here) {
            owned = r;
            here = &owned;
        }
        let next = here
            .get("properties")
            .and_then(|p| p.get(seg))
            .or_else(|| here.get("items"))
            .or_else(|| here.get("additionalProperties").filter(|a| a.is_object()));
        match next {
            Some(n) => here = n,
            None => return Vec::new(),
        }
    }
    if let Some(r) = resolve(here) {
        owned = r;
        here = &owned;
    }
    here.get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The schema of `kind` compiled for checking a file while it is read
/// ([`crate::repo::yaml::stream`]), or `None` if the schema uses a keyword the plan does not
/// cover (then every file of the kind takes the JSON route).
///
/// The plan covers the structure (objects, their properties, required and additional
/// properties, arrays and their items); what a single value must be — its type, enum,
/// pattern, format or length — is checked by the jsonschema crate itself, with a
/// validator compiled from that part of the schema. A file the plan accepts is one the
/// whole schema accepts (tested against it); anything else is read the JSON way, which
/// reports the findings.
pub fn plan(kind: Kind) -> Option<&'static Plan> {
    static PLANS: OnceLock<[Option<Plan>; 7]> = OnceLock::new();
    PLANS
        .get_or_init(|| {
            Kind::ALL.map(|kind| {
                let text = kind.schema();
                let schema: Value =
                    serde_json::from_str(text).expect("built-in schemas are valid JSON (tested)");
                Plan::compile(&schema)
            })
        })
        .get(Kind::ALL.iter().position(|k| *k == kind).expect("listed"))
        .and_then(Option::as_ref)
}

/// A schema as a graph of [`Shape`]s; nodes are indexes into `shapes`, the root is 0.
#[derive(Debug)]
pub struct Plan {
    shapes: Vec<Shape>,
}

/// Where a value is in the plan.
pub type ShapeId = usize;

/// What one place of the schema allows.
#[derive(Debug)]
pub enum Shape {
    /// Anything (`true`, `{}` or annotations alone).
    Any,
    /// A mapping.
    Object {
        /// Named properties, at most 64 (a bit each in the reader's `seen` mask).
        properties: Vec<(String, ShapeId)>,
        /// The shape of any other key's value; `None`: other keys are not allowed.
        additional: Option<ShapeId>,
        /// Indexes into `properties`, as a bit mask.
        required: u64,
        /// What every key must be (`propertyNames`).
        names: Option<Leaf>,
    },
    /// A list.
    Array { items: ShapeId, min_items: usize },
    /// A single value (not a list or mapping).
    Leaf(Leaf),
}

/// The check of one scalar value.
#[derive(Debug)]
pub enum Leaf {
    /// Exactly `{"type": "string"}`: checked inline.
    String,
    /// Anything else: the jsonschema crate checks the value against this part of the schema.
    Check(Box<Validator>),
}

impl Leaf {
    pub fn accepts(&self, value: &Value) -> bool {
        match self {
            Leaf::String => value.is_string(),
            Leaf::Check(validator) => validator.is_valid(value),
        }
    }
}

/// Keywords that only describe.
const ANNOTATIONS: [&str; 9] = [
    "$schema",
    "$defs",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
];

/// Keywords about one scalar value, left to the jsonschema crate.
const LEAF_KEYWORDS: [&str; 10] = [
    "type",
    "enum",
    "const",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "multipleOf",
];

/// The ids of the `$ref` targets compiled so far, by reference.
type Refs = std::collections::HashMap<String, ShapeId>;

/// A schema object's keywords, less its annotations.
fn keywords(object: &Map<String, Value>) -> impl Iterator<Item = &str> {
    object
        .keys()
        .map(String::as_str)
        .filter(|k| !ANNOTATIONS.contains(k))
}

impl Plan {
    /// Compiles `root`, or `None` if it uses something the plan does not cover.
    pub fn compile(root: &Value) -> Option<Plan> {
        let mut plan = Plan { shapes: Vec::new() };
        let mut refs = std::collections::HashMap::new();
        plan.add(root, root, &mut refs)?;
        Some(plan)
    }

    pub fn shape(&self, id: ShapeId) -> &Shape {
        &self.shapes[id]
    }

    /// Adds the shape of `schema` (and of everything under it), returning its id.
    fn add(&mut self, root: &Value, schema: &Value, refs: &mut Refs) -> Option<ShapeId> {
        let object = match schema {
            Value::Bool(true) => return Some(self.push(Shape::Any)),
            Value::Object(object) => object,
            _ => return None,
        };
        if let Some(reference) = object.get("$ref") {
            return self.add_ref(root, object, reference, refs);
        }
        match object.get("type").and_then(Value::as_str) {
            Some("object") => self.add_object(root, object, refs),
            Some("array") => self.add_array(root, object, refs),
            _ if keywords(object).next().is_none() => Some(self.push(Shape::Any)),
            _ => {
                let leaf = Self::leaf(schema)?;
                Some(self.push(Shape::Leaf(leaf)))
            }
        }
    }

    /// Adds the target of a `$ref` (once: later references share its id).
    fn add_ref(
        &mut self,
        root: &Value,
        object: &Map<String, Value>,
        reference: &Value,
        refs: &mut Refs,
    ) -> Option<ShapeId> {
        // A reference with annotations beside it, nothing else.
        if object
            .keys()
            .any(|k| k != "$ref" && !ANNOTATIONS.contains(&k.as_str()))
        {
            return None;
        }
        let name = reference.as_str()?;
        if let Some(id) = refs.get(name) {
            return Some(*id);
        }
        let mut target = root;
        for segment in name.strip_prefix("#/")?.split('/') {
            target = target.get(segment)?;
        }
        // Reserve the id first, so a schema that refers to itself ends.
        let id = self.push(Shape::Any);
        refs.insert(name.to_owned(), id);
        let shape = self.add(root, target, refs)?;
        self.shapes.swap(id, shape);
        Some(id)
    }

    /// Adds a `type: object` schema: its properties, additional properties, required
    /// names and property-name rule.
    fn add_object(
        &mut self,
        root: &Value,
        object: &Map<String, Value>,
        refs: &mut Refs,
    ) -> Option<ShapeId> {
        let id = self.push(Shape::Any);
        let mut properties = Vec::new();
        let mut additional = Some(ShapeId::MAX);
        let mut required = 0u64;
        let mut names = None;
        for keyword in keywords(object) {
            match keyword {
                "type" | "required" => {}
                "properties" => {
                    for (name, sub) in object["properties"].as_object()? {
                        properties.push((name.clone(), self.add(root, sub, refs)?));
                    }
                }
                "additionalProperties" => {
                    additional = match &object["additionalProperties"] {
                        Value::Bool(false) => None,
                        sub => Some(self.add(root, sub, refs)?),
                    }
                }
                "propertyNames" => {
                    names = Some(Self::leaf(&object["propertyNames"])?);
                }
                _ => return None,
            }
        }
        if properties.len() > 64 {
            return None;
        }
        if let Some(list) = object.get("required") {
            for name in list.as_array()? {
                // A required name that is not a listed property: not covered.
                let at = properties
                    .iter()
                    .position(|(p, _)| Some(p.as_str()) == name.as_str())?;
                required |= 1 << at;
            }
        }
        let additional = match additional {
            Some(ShapeId::MAX) => Some(self.push(Shape::Any)),
            other => other,
        };
        self.shapes[id] = Shape::Object {
            properties,
            additional,
            required,
            names,
        };
        Some(id)
    }

    /// Adds a `type: array` schema: its items and minimum length.
    fn add_array(
        &mut self,
        root: &Value,
        object: &Map<String, Value>,
        refs: &mut Refs,
    ) -> Option<ShapeId> {
        let id = self.push(Shape::Any);
        let mut items = None;
        let mut min_items = 0;
        for keyword in keywords(object) {
            match keyword {
                "type" => {}
                "items" => items = Some(self.add(root, &object["items"], refs)?),
                "minItems" => min_items = usize::try_from(object["minItems"].as_u64()?).ok()?,
                _ => return None,
            }
        }
        let items = match items {
            Some(items) => items,
            None => self.push(Shape::Any),
        };
        self.shapes[id] = Shape::Array { items, min_items };
        Some(id)
    }

    /// A schema about one scalar: only the leaf keywords, and a type (if any) that is
    /// not a list or mapping.
    fn leaf(schema: &Value) -> Option<Leaf> {
        let object = schema.as_object()?;
        if object
            .keys()
            .any(|k| !ANNOTATIONS.contains(&k.as_str()) && !LEAF_KEYWORDS.contains(&k.as_str()))
        {
            return None;
        }
        let scalar = |t: &Value| {
            matches!(
                t.as_str(),
                Some("string" | "boolean" | "integer" | "number" | "null")
            )
        };
        match object.get("type") {
            None => {}
            Some(Value::Array(types)) if types.iter().all(scalar) => {}
            Some(t) if scalar(t) => {}
            Some(_) => return None,
        }
        let constraining = object
            .keys()
            .filter(|k| !ANNOTATIONS.contains(&k.as_str()))
            .count();
        if constraining == 1 && object.get("type").and_then(Value::as_str) == Some("string") {
            return Some(Leaf::String);
        }
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(schema)
            .ok()?;
        Some(Leaf::Check(Box::new(validator)))
    }

    fn push(&mut self, shape: Shape) -> ShapeId {
        self.shapes.push(shape);
        self.shapes.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schemas_use_the_single_line_pattern_as_written_here() {
        for kind in [Kind::Config, Kind::Group] {
            let text = kind.schema();
            assert!(
                text.contains(&format!("\"pattern\": {SINGLE_LINE:?}")),
                "{}",
                kind.name()
            );
        }
    }
}
