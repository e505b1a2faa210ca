//! rustc-style output: the finding, its code, and the source lines it is about.
//! The only file that knows the snippet crate (annotate-snippets).
//!
//! Messages echo values from the repository and the snippet is the file's own text, so
//! both are made safe here (crate::text): coloured output goes to the terminal without
//! the CLI's escaping writer.

use std::borrow::Cow;
use std::io::{self, Write};

use annotate_snippets::{Level, Renderer, Snippet};

use super::{Diagnostic, Label, Severity, counts};
use crate::repo::source::SourceMap;
use crate::text::{escape, escape_line, same_width};

/// Writes every finding and a closing summary line.
pub fn render(
    w: &mut dyn Write,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    color: bool,
) -> io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for d in diagnostics {
        render_one(w, sources, d, &renderer)?;
        writeln!(w)?;
    }
    let (errors, warnings) = counts(diagnostics);
    let notes = super::notes(diagnostics);
    match (errors, warnings, notes) {
        (0, 0, 0) => writeln!(w, "no problems found"),
        (_, _, 0) => writeln!(
            w,
            "{} {}, {} {}",
            errors,
            plural(errors, "error"),
            warnings,
            plural(warnings, "warning")
        ),
        _ => writeln!(
            w,
            "{} {}, {} {}, {} {}",
            errors,
            plural(errors, "error"),
            warnings,
            plural(warnings, "warning"),
            notes,
            plural(notes, "note")
        ),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Note => Level::Note,
    }
}

/// The lines a label covers, cut out of the file so that huge files cost nothing here.
struct Excerpt<'a> {
    origin: Cow<'a, str>,
    text: Cow<'a, str>,
    line_start: usize,
    span: std::ops::Range<usize>,
    label: Cow<'a, str>,
}

fn excerpt<'a>(sources: &'a SourceMap, label: &'a Label) -> Excerpt<'a> {
    let file = sources.get(label.file);
    let (first, _) = file.line_col(label.span.start);
    let (mut last, _) = file.line_col(label.span.end);
    // Long multi-line values are shown by their first lines only.
    last = last.min(first + 5);
    let range = file.line_range(first, last);
    let boundary = |mut i: usize| {
        while !file.text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = boundary(label.span.start.clamp(range.start, range.end));
    let end = boundary(label.span.end.clamp(start, range.end));
    Excerpt {
        origin: escape_line(&file.path),
        // The snippet crate panics on some long lines with tabs (annotate-snippets 0.11:
        // it measures a tab as 4 columns in one place and 1 in another); a space is one
        // byte too, so the spans stay valid. Control and bidi characters become visible
        // ones of the same length, for the same reason.
        text: match same_width(&file.text[range.clone()]) {
            t if t.contains('\t') => t.replace('\t', " ").into(),
            t => t,
        },
        line_start: first,
        span: start - range.start..end - range.start,
        label: escape_line(&label.message),
    }
}

fn render_one(
    w: &mut dyn Write,
    sources: &SourceMap,
    d: &Diagnostic,
    renderer: &Renderer,
) -> io::Result<()> {
    let lvl = level(d.severity);
    let mut excerpts: Vec<(Excerpt, Level)> = Vec::new();
    if let Some(primary) = &d.primary {
        excerpts.push((excerpt(sources, primary), lvl));
    }
    excerpts.extend(
        d.secondary
            .iter()
            .map(|l| (excerpt(sources, l), Level::Note)),
    );
    // A finding about a folder, or a file that could not be read, has no text to show:
    // it gets a plain `--> path` line instead of a snippet.
    let (shown, bare): (Vec<_>, Vec<_>) = excerpts.iter().partition(|(e, _)| !e.text.is_empty());
    let title = escape(&d.message);
    let help = d.help.as_deref().map(escape);
    let mut message = lvl.title(&title).id(d.code.name());
    for (e, l) in &shown {
        message = message.snippet(
            Snippet::source(&e.text)
                .line_start(e.line_start)
                .origin(&e.origin)
                .fold(false)
                .annotation(l.span(e.span.clone()).label(&e.label)),
        );
    }
    if let Some(help) = &help {
        message = message.footer(Level::Help.title(help));
    }
    // annotate-snippets 0.11 overflows when it cuts a line wider than the terminal and the
    // label lies left of the excerpt's common indentation: show such lines uncut.
    let overflows = shown.iter().any(|(e, _)| {
        let indent = e
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.chars().take_while(|c| c.is_whitespace()).count())
            .min()
            .unwrap_or(0);
        // (140 columns less the line-number gutter; bytes are at least columns.)
        indent > 12 && e.text.lines().any(|l| l.len() > 100)
    });
    let rendered = if overflows {
        renderer
            .clone()
            .term_width(1 << 40)
            .render(message)
            .to_string()
    } else {
        renderer.render(message).to_string()
    };
    let mut lines = rendered.lines();
    if let Some(title) = lines.next() {
        writeln!(w, "{title}")?;
    }
    for (e, _) in &bare {
        writeln!(w, "  --> {}", e.origin)?;
    }
    for line in lines {
        writeln!(w, "{line}")?;
    }
    Ok(())
}
