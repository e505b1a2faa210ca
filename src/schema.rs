//! JSON Schema validation of every file against `schemas/*.json` (draft 2020-12), with
//! findings located at the offending value through the spanned YAML tree.

use std::sync::OnceLock;

use jsonschema::Validator;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::assets;
use crate::diag::{Code, Diagnostic};
use crate::repo::source::FileId;
use crate::repo::yaml::Node;

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
    const ALL: [Kind; 7] = [
        Kind::Config,
        Kind::Group,
        Kind::Assessment,
        Kind::Services,
        Kind::Certification,
        Kind::Template,
        Kind::Mapping,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Config => "config",
            Kind::Group => "group",
            Kind::Assessment => "assessment",
            Kind::Services => "services",
            Kind::Certification => "certification",
            Kind::Template => "template",
            Kind::Mapping => "mapping",
        }
    }
}

fn validators() -> &'static [Validator; 7] {
    static VALIDATORS: OnceLock<[Validator; 7]> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        Kind::ALL.map(|kind| {
            let text = assets::schema(kind.name()).expect("every kind has a built-in schema");
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
    // Name the field, not a list index: `roles`, not `0`.
    let field = path
        .iter()
        .rev()
        .find(|s| s.parse::<usize>().is_err())
        .map_or_else(|| "the document".to_owned(), |f| format!("`{f}`"));
    let help_schema = format!(
        "`assure schema {}` shows every field this file may have",
        kind.name()
    );
    match error {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
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
            .help(match suggest(&key, &allowed) {
                Some(s) => format!("did you mean `{s}`? ({help_schema})"),
                None if !allowed.is_empty() => {
                    format!("the fields here are: {}", allowed.join(", "))
                }
                None => help_schema,
            })
        }
        ValidationErrorKind::Required { property } => {
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
        ValidationErrorKind::Type { kind: expected } => {
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
        ValidationErrorKind::Enum { options } => {
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
            let help = match suggest(got, &options) {
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
        ValidationErrorKind::Format { format } => {
            let expected = match format.as_str() {
                "date" => "a date written YYYY-MM-DD, e.g. 2019-04-02".to_owned(),
                "date-time" => {
                    "a date and time in RFC 3339 form, e.g. 2019-01-15T09:30:00Z".to_owned()
                }
                "email" => "an email address".to_owned(),
                other => format!("a valid {other}"),
            };
            Diagnostic::new(
                Code::InvalidValue,
                format!("{field} must be {expected}, found {}", describe(instance)),
            )
            .at(file, node.span.clone(), format!("not {expected}"))
        }
        ValidationErrorKind::Pattern { pattern } => {
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
        other => Diagnostic::new(
            Code::InvalidValue,
            format!("{field} {}", message(other, instance)),
        )
        .at(file, node.span.clone(), "invalid value")
        .help(help_schema),
    }
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
            format!("\"{}…\"", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("\"{s}\""),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// The property names the schema allows at `path` (for "did you mean").
fn allowed_fields(kind: Kind, path: &[String]) -> Vec<String> {
    let Some(text) = assets::schema(kind.name()) else {
        return Vec::new();
    };
    let Ok(schema) = serde_json::from_str::<Value>(text) else {
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

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
pub fn suggest<S: AsRef<str>>(word: &str, candidates: &[S]) -> Option<String> {
    // Case counts least: `sc-13` means `SC-13` (not `AU-13`, as far off by case alone).
    let lower = word.to_lowercase();
    candidates
        .iter()
        .map(|c| {
            let c = c.as_ref();
            let d = strsim_distance(&lower, &c.to_lowercase());
            (d, strsim_distance(word, c), c)
        })
        .filter(|(d, _, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, _, c)| c.to_owned())
}

fn strsim_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
