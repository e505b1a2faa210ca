//! Hyperlinks: which text may become a link in a report, and the check of
//! `report.link_base` in `assure.yaml`.
//!
//! Invariant: a report makes a hyperlink only of a web address (`http:` or `https:`,
//! any case) or of a plain relative path. Anything else — `javascript:`, `data:`,
//! `file:`, a protocol-relative `//host`, a link with a control character, a backslash
//! or surrounding spaces that a browser would strip or reinterpret — stays text. The
//! renderers ask [`classify`] about every link they are about to make, so this holds
//! on a tree nobody validated; `validate` refuses a `link_base` that makes such links.

use super::Context;
use crate::catalog::value_span;
use crate::diag::{Code, Diagnostic};

/// What a link may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// `http://…` or `https://…`.
    Web,
    /// A relative path (`evidence/x.pdf`): no scheme, not starting with `/`.
    Relative,
}

/// What `link` is, or `None` when it must not become a hyperlink.
pub fn classify(link: &str) -> Option<Link> {
    // Browsers drop leading and trailing spaces and control characters, and tabs and
    // new lines anywhere (`java\tscript:` is `javascript:`), and read `\` as `/` in web
    // addresses (`/\host` is `//host`): refuse them rather than guess as they do.
    if link.is_empty() || link.trim() != link || link.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    // A scheme is what comes before the first `:` if no `/`, `?` or `#` comes first.
    let end = link.find(['/', '?', '#']).unwrap_or(link.len());
    if let Some(colon) = link[..end].find(':') {
        let scheme = &link[..colon];
        let rest = &link[colon + 1..];
        let web = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
        return (web && rest.len() > 2 && rest.starts_with("//")).then_some(Link::Web);
    }
    // `//host/x` is a web address on whatever scheme the page has; `/x` is absolute.
    (!link.starts_with('/')).then_some(Link::Relative)
}

/// Checks `report.link_base`: with `{commit}` and `{path}` filled in, it must be a web
/// address or a relative link, and it must not start with `{path}` or `{commit}`
/// (where the data would choose the scheme).
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(config) = &ctx.ws.config else {
        return;
    };
    let Some(base) = &config.value.report.link_base else {
        return;
    };
    let filled = base
        .replace("{commit}", "0123456789abcdef0123456789abcdef01234567")
        .replace("{path}", "evidence/document.pdf");
    let data_first = base.starts_with("{path}") || base.starts_with("{commit}");
    let why = match classify(&filled) {
        _ if data_first && base != "{path}" => Some(
            "it starts with a placeholder, so the document path would decide what kind of link it is",
        ),
        Some(_) => None,
        None => Some(
            "not a web address (`https:` or `http:`) or a relative path, so reports would make an unsafe link of it",
        ),
    };
    if let Some(why) = why {
        out.push(
            Diagnostic::new(Code::UnsafeLink, format!("`report.link_base` is {why}"))
                .at(
                    config.file,
                    value_span(&config.node, &["report", "link_base"]),
                    "not a safe link",
                )
                .help("write the address of the repository's file view, e.g. `https://git.example.com/org/compliance/blob/{commit}/{path}`, with no spaces or control characters around it"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{Link, classify};

    #[test]
    fn web_and_relative_links_only() {
        for ok in [
            "https://git.example.com/a/{x}",
            "HTTPS://git.example.com/",
            "http://h/p?q#f",
        ] {
            assert_eq!(classify(ok), Some(Link::Web), "{ok}");
        }
        for ok in ["evidence/x.pdf", "x", "evidence/a:b", "../x", "a b.pdf"] {
            assert_eq!(classify(ok), Some(Link::Relative), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "vbscript:x",
            "//evil.example.com/x",
            "/\\evil.example.com",
            "/etc/passwd",
            "https:evil",
            "https://",
            "https://h/\n",
            "mailto:a@b",
            "internal:'Summary'!A1",
            "",
        ] {
            assert_eq!(classify(bad), None, "{bad:?}");
        }
    }
}
