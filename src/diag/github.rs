//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`,
//! which GitHub shows as annotations on the pull request's changed lines.

use std::io::{self, Write};

use super::{Diagnostic, locate};
use crate::repo::source::SourceMap;

/// Escapes the message part of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`, which separate properties).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(
    w: &mut dyn Write,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> io::Result<()> {
    for d in diagnostics {
        // GitHub's workflow commands are error, warning and notice.
        let command = match d.severity {
            super::Severity::Note => "notice",
            severity => severity.as_str(),
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        match &d.primary {
            Some(label) => {
                let loc = locate(sources, label);
                writeln!(
                    w,
                    "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                    escape_property(loc.path),
                    loc.line,
                    loc.column,
                    loc.end_line,
                    loc.end_column,
                    escape_property(d.code.name()),
                    escape_data(&message)
                )?;
            }
            None => writeln!(
                w,
                "::{command} title={}::{}",
                escape_property(d.code.name()),
                escape_data(&message)
            )?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("a\nb%"), "a%0Ab%25");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
