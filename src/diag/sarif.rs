//! SARIF 2.1.0, for code-scanning services. The rule list is generated from [`Code::ALL`].

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Code, Diagnostic, Label, locate};
use crate::repo::source::SourceMap;

pub fn to_value(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.name(),
                "name": c.name(),
                "shortDescription": { "text": c.name().replace('-', " ") },
                "fullDescription": { "text": c.explanation() },
                "help": { "text": format!("{}\n\nRun `assure explain {}` for more.", c.explanation(), c.name()) },
                "defaultConfiguration": { "level": c.severity().as_str() },
                "properties": { "family": c.family() },
            })
        })
        .collect();
    let location = |l: &Label| {
        let loc = locate(sources, l);
        json!({
            "physicalLocation": {
                "artifactLocation": { "uri": loc.path, "uriBaseId": "%SRCROOT%" },
                "region": {
                    "startLine": loc.line, "startColumn": loc.column,
                    "endLine": loc.end_line, "endColumn": loc.end_column,
                }
            },
            "message": { "text": l.message },
        })
    };
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(" Help: ");
                text.push_str(help);
            }
            json!({
                "ruleId": d.code.name(),
                "ruleIndex": index,
                "level": d.severity.as_str(),
                "message": { "text": text },
                "locations": d.primary.iter().map(location).collect::<Vec<_>>(),
                "relatedLocations": d.secondary.iter().enumerate().map(|(i, l)| {
                    let mut v = location(l);
                    v["id"] = json!(i);
                    v
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "assure",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/assure-compliance/assure",
                "rules": rules,
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The compliance repository root." } } },
            "results": results,
        }]
    })
}

pub fn render(
    w: &mut dyn Write,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_value(sources, diagnostics))?;
    writeln!(w)
}
