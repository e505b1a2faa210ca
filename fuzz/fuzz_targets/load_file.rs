//! One repository file of any kind, through the loader's per-file steps: YAML parse,
//! schema check, typed model. The first byte picks the kind (`byte % 7`, see
//! `assure_fuzz::KINDS`); the rest is the file's text.
//!
//! This is the fast target (no repository, no built-in catalog), so it reaches deep into
//! the parser and the schema checks. `validate_repo` runs the same inputs through the
//! real loader and every rule.
//!
//! Invariants: no panic, no hang; a file is either a typed value or located findings
//! that every renderer can show.

#![no_main]

use assure::diag::{Code, Diagnostic};
use assure::model::{Assessment, Certification, Config, Group, Mapping, ServicesFile, Template};
use assure::repo::source::SourceMap;
use assure::repo::yaml::{self, Node, Value};
use assure::schema::{self, Kind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = assure_fuzz::kind(selector);
    // The loader reads files as UTF-8 (anything else is `not-utf8` before parsing).
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut sources = SourceMap::default();
    let file = sources.add(assure_fuzz::path_of(kind).to_owned(), text.to_owned());
    let mut out = Vec::new();
    match yaml::parse(text) {
        Err(e) => out.push(assure::repo::yaml_finding(file, e)),
        Ok(node) => {
            check_spans(text, &node);
            let value = node.to_json();
            if schema::check(kind, file, &node, &value, &mut out) {
                // The schema is the contract: what it accepts, the model must read.
                let typed = match kind {
                    Kind::Config => typed::<Config>(value),
                    Kind::Group => typed::<Group>(value),
                    Kind::Assessment => typed::<Assessment>(value),
                    Kind::Services => typed::<ServicesFile>(value),
                    Kind::Certification => typed::<Certification>(value),
                    Kind::Template => typed::<Template>(value),
                    Kind::Mapping => typed::<Mapping>(value),
                };
                if let Err(e) = typed {
                    out.push(Diagnostic::new(Code::InvalidValue, e).at(file, 0..0, "in this file"));
                }
            }
        }
    }
    assure_fuzz::check_and_render(&sources, &mut out);
});

fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: serde_json::Value,
) -> Result<(), String> {
    let v: T = serde_json::from_value(value).map_err(|e| e.to_string())?;
    // What the editor writes back must serialise.
    serde_json::to_value(&v).map_err(|e| e.to_string())?;
    Ok(())
}

/// Every node's and key's span lies inside the text, on character boundaries, and a
/// mapping's keys come in file order (the rewriter relies on both).
fn check_spans(text: &str, node: &Node) {
    let ok = |s: &std::ops::Range<usize>| {
        s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };
    assert!(ok(&node.span), "bad span {:?}", node.span);
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| check_spans(text, n)),
        Value::Map(entries) => {
            for e in entries {
                assert!(ok(&e.key_span), "bad key span {:?}", e.key_span);
                check_spans(text, &e.value);
            }
        }
        _ => {}
    }
}
