//! Findings as data, and their renderers.
//!
//! Rules push [`Diagnostic`]s; they never fail. A diagnostic carries byte spans into the
//! [`SourceMap`]; line and column are computed only when rendering. The renderers are
//! siblings over the same data: `human` (the only file that knows the snippet crate),
//! `json`, `github` and `sarif`.

mod codes;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

pub use codes::Code;

use crate::repo::source::{FileId, SourceMap};
use crate::repo::yaml::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Worth knowing, nothing to fix yet (evidence that expires soon): never fails a run,
    /// not even under `validate --strict`.
    Note,
}

impl Severity {
    /// The name in human and JSON output, and SARIF's `level`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A place in a file, with a short note about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where the finding is. Every finding about a file has one.
    pub primary: Option<Label>,
    /// Other places that explain it (the first definition of a duplicate, …).
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn at(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            file,
            span,
            message: label.into(),
        });
        self
    }

    pub fn also(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            file,
            span,
            message: label.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A diagnostic's primary position resolved to path, line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location<'a> {
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn locate<'a>(sources: &'a SourceMap, label: &Label) -> Location<'a> {
    let file = sources.get(label.file);
    let (line, column) = file.line_col(label.span.start);
    let (end_line, end_column) = file.line_col(label.span.end);
    Location {
        path: &file.path,
        line,
        column,
        end_line,
        end_column,
    }
}

/// Sorts findings by (path, line, column, code, message) so output never depends on the
/// order files were read in, and drops exact duplicates.
pub fn sort(sources: &SourceMap, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.primary.as_ref().map(|l| {
                let file = sources.get(l.file);
                (file.path.clone(), l.span.start)
            })
        };
        key(a)
            .cmp(&key(b))
            .then(a.code.cmp(&b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
    diagnostics.dedup();
}

/// Counts of errors and warnings (notes are neither: [`notes`]).
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    (count(Severity::Error), count(Severity::Warning))
}

/// The count of notes.
pub fn notes(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Note)
        .count()
}

/// `validate --strict`: every warning becomes an error (notes stay notes).
pub fn strict(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics {
        if d.severity == Severity::Warning {
            d.severity = Severity::Error;
        }
    }
}
