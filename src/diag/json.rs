//! Machine-readable findings: one JSON document with every finding and the counts.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Diagnostic, Label, counts, locate};
use crate::repo::source::SourceMap;

pub fn to_value(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Value {
    let label = |l: &Label| {
        let loc = locate(sources, l);
        json!({
            "file": loc.path, "line": loc.line, "column": loc.column,
            "end_line": loc.end_line, "end_column": loc.end_column, "message": l.message,
        })
    };
    let findings: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut v = json!({
                "code": d.code.name(),
                "severity": d.severity.as_str(),
                "message": d.message,
            });
            if let Some(p) = &d.primary {
                let loc = locate(sources, p);
                v["file"] = json!(loc.path);
                v["line"] = json!(loc.line);
                v["column"] = json!(loc.column);
            }
            v["help"] = json!(d.help);
            v["labels"] = d.primary.iter().chain(&d.secondary).map(label).collect();
            v
        })
        .collect();
    let (errors, warnings) = counts(diagnostics);
    let notes = super::notes(diagnostics);
    json!({ "errors": errors, "warnings": warnings, "notes": notes, "findings": findings })
}

pub fn render(
    w: &mut dyn Write,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_value(sources, diagnostics))?;
    writeln!(w)
}
