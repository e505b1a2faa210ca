//! OSCAL markup to plain text.
//!
//! OSCAL JSON and YAML carry `markup-line` (titles) and `markup-multiline` (prose) as a
//! Markdown subset, with parameter insertions `{{ insert: param, id }}`. Certifications
//! hold plain text, so emphasis, code spans and link targets are dropped, escapes are
//! resolved, and each insertion becomes the text NIST prints in its publications:
//! `[Assignment: organization-defined …]` or `[Selection (one or more): a; b]`.

use std::collections::HashMap;

use super::raw::{Param, Part, Prop};

/// Insertions nested in selection choices are followed this deep; a parameter that
/// (directly or not) inserts itself stops there instead of recursing forever.
const MAX_INSERT_DEPTH: usize = 4;

/// Parameters of a catalog by id. OSCAL parameter ids are unique in a document, so one
/// map serves every control, whichever level (catalog, group, control) defines them.
pub(crate) type Params<'a> = HashMap<&'a str, &'a Param>;

/// The plain text of a `markup-line` (a title): one line, no markup, insertions rendered.
pub(crate) fn line(text: &str, params: &Params<'_>) -> String {
    let joined = lines(text, params).join(" ");
    joined.trim().to_string()
}

/// The plain text of a `markup-multiline`, as lines: paragraphs and list items each start
/// a line, soft line breaks inside a paragraph become spaces, blank lines are dropped.
pub(crate) fn lines(text: &str, params: &Params<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_paragraph = false;
    for raw in text.lines() {
        let raw = raw.trim();
        if raw.is_empty() {
            in_paragraph = false;
            continue;
        }
        let rendered = tidy(&inline(raw, params, 0));
        match out.last_mut() {
            Some(last) if in_paragraph && !starts_list_item(raw) => {
                last.push(' ');
                last.push_str(&rendered);
            }
            _ => out.push(rendered),
        }
        in_paragraph = true;
    }
    out
}

/// The `statement` part of a control flattened to plain text: the statement's own prose,
/// then each sub-part on its own line as `label prose`, indented two spaces per level.
pub(crate) fn statement(parts: &[Part], params: &Params<'_>) -> Option<String> {
    let stmt = parts.iter().find(|p| p.name.0 == "statement")?;
    let mut out = Vec::new();
    part_lines(stmt, params, 0, true, &mut out);
    let text = out.join("\n");
    (!text.trim().is_empty()).then_some(text)
}

fn part_lines(part: &Part, params: &Params<'_>, depth: usize, root: bool, out: &mut Vec<String>) {
    let indent = "  ".repeat(depth);
    let mut head: Vec<String> = Vec::new();
    if !root {
        if let Some(label) = label_of(&part.props) {
            head.push(line(&label, params));
        }
        if let Some(title) = &part.title {
            head.push(line(&title.0, params));
        }
    }
    let prose = part
        .prose
        .as_ref()
        .map(|p| lines(&p.0, params))
        .unwrap_or_default();
    let mut prose = prose.into_iter();
    if let Some(first) = prose.next() {
        head.push(first);
    }
    let head: Vec<String> = head.into_iter().filter(|s| !s.is_empty()).collect();
    if !head.is_empty() {
        out.push(format!("{indent}{}", head.join(" ")));
    }
    // Further paragraphs of the same part continue under its first line.
    let more = if root {
        indent.clone()
    } else {
        "  ".repeat(depth + 1)
    };
    for rest in prose {
        out.push(format!("{more}{rest}"));
    }
    let child_depth = if root { depth } else { depth + 1 };
    for child in &part.parts {
        part_lines(child, params, child_depth, false, out);
    }
}

/// The first sentence of the first line of `text` (a statement): up to a `.`, `!` or `?`
/// outside brackets (NIST's `[Assignment: …]`) that is followed by a space and a word
/// that does not start in lower case (so "e.g. the" goes on), without a final `.`.
pub(crate) fn first_sentence(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("").trim();
    let mut depth = 0usize;
    let mut end = line.len();
    for (i, c) in line.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            '.' | '!' | '?' if depth == 0 => {
                let rest = &line[i + c.len_utf8()..];
                let next_word = rest.trim_start();
                if rest.starts_with(char::is_whitespace)
                    && next_word.chars().next().is_some_and(|n| !n.is_lowercase())
                {
                    end = i + c.len_utf8();
                    break;
                }
            }
            _ => {}
        }
    }
    let sentence = line[..end].trim_end();
    sentence.strip_suffix('.').unwrap_or(sentence).trim_end()
}

/// The display label among `props`: a `label` prop without a `class` (NIST's `AC-2`,
/// `a.`), else the first `label` prop of any class.
pub(crate) fn label_of(props: &[Prop]) -> Option<String> {
    let labels = || props.iter().filter(|p| p.name.0 == "label");
    labels()
        .find(|p| p.class.is_none())
        .or_else(|| labels().next())
        .map(|p| p.value.0.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn starts_list_item(line: &str) -> bool {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(&line[digits..], s if s.starts_with(". ") || s.starts_with(") "))
}

/// Spaces NIST's prose leaves between an insertion and the punctuation after it
/// (`{{ insert: param, x }} ; and`).
fn tidy(s: &str) -> String {
    let mut s = s.to_string();
    for (from, to) in [("] ;", "];"), ("] ,", "],"), ("] .", "]."), ("] :", "]:")] {
        s = s.replace(from, to);
    }
    s
}

/// One line of markup: insertions rendered, markup stripped from the text around them.
fn inline(text: &str, params: &Params<'_>, depth: usize) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = &rest[start + 2..start + len];
        match insertion(inner) {
            Some(id) => {
                out.push_str(&strip(&rest[..start]));
                out.push_str(&param_text(id, params, depth));
            }
            None => out.push_str(&strip(&rest[..start + len + 2])),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(&strip(rest));
    out
}

/// `insert: param, id` (the inside of `{{ … }}`) → `id`.
fn insertion(inner: &str) -> Option<&str> {
    let body = inner.trim().strip_prefix("insert:")?;
    let (kind, id) = body.split_once(',')?;
    let id = id.trim();
    (kind.trim() == "param" && !id.is_empty()).then_some(id)
}

/// What NIST prints for a parameter: its selection, else its label, else its guidelines.
fn param_text(id: &str, params: &Params<'_>, depth: usize) -> String {
    let Some(param) = params.get(id) else {
        return format!("[Assignment: {id}]");
    };
    if depth >= MAX_INSERT_DEPTH {
        return format!("[Assignment: {id}]");
    }
    if let Some(select) = &param.select {
        let choices: Vec<String> = select
            .choice
            .iter()
            .map(|c| tidy(inline(&c.0, params, depth + 1).trim()))
            .collect();
        let how = match select.how_many.as_ref().map(|h| h.0.as_str()) {
            Some("one-or-more") => " (one or more)",
            _ => "",
        };
        return format!("[Selection{how}: {}]", choices.join("; "));
    }
    if let Some(label) = &param.label {
        let label = inline(&label.0, params, depth + 1).trim().to_string();
        if !label.is_empty() {
            return if label.to_lowercase().starts_with("organization-defined") {
                format!("[Assignment: {label}]")
            } else {
                format!("[Assignment: organization-defined {label}]")
            };
        }
    }
    if let Some(g) = param.guidelines.first() {
        let g = inline(&g.prose.0, params, depth + 1);
        let g = g.trim().trim_end_matches([';', '.']).trim_end();
        if !g.is_empty() {
            return format!("[Assignment: {g}]");
        }
    }
    if !param.values.is_empty() {
        let values: Vec<&str> = param.values.iter().map(|v| v.0.as_str()).collect();
        return format!("[Assignment: {}]", values.join(", "));
    }
    format!("[Assignment: {id}]")
}

/// Strips inline Markdown: `\x` escapes, `[text](target)` links (and images) to their
/// text, emphasis `*`/`_` at word edges, and code-span backticks. A lone `*` between
/// spaces ("2 * 3") and `_` inside a word (`ac_1`) are text and stay.
pub(crate) fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            '!' if chars.get(i + 1) == Some(&'[') => {
                if let Some((label, next)) = link(&chars, i + 1) {
                    out.push_str(&strip(&label));
                    i = next;
                    continue;
                }
            }
            '[' => {
                if let Some((label, next)) = link(&chars, i) {
                    out.push_str(&strip(&label));
                    i = next;
                    continue;
                }
            }
            '`' => {
                i += 1;
                continue;
            }
            '*' | '_' => {
                let prev = if i == 0 { None } else { Some(chars[i - 1]) };
                let mut j = i;
                while j < chars.len() && chars[j] == c {
                    j += 1;
                }
                let next = chars.get(j).copied();
                let word = |ch: Option<char>| ch.is_some_and(|ch| ch.is_alphanumeric());
                let space = |ch: Option<char>| ch.is_none_or(char::is_whitespace);
                let marker = if c == '*' {
                    !(space(prev) && space(next))
                } else {
                    // Inside a word (`ac_1`) or alone between spaces it is text.
                    !(word(prev) && word(next) || space(prev) && space(next))
                };
                if !marker {
                    out.extend(&chars[i..j]);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// `[label](target)` starting at `chars[at] == '['`: the label and the index after `)`.
fn link(chars: &[char], at: usize) -> Option<(String, usize)> {
    let mut depth = 0usize;
    let mut close = None;
    for (k, &ch) in chars.iter().enumerate().skip(at) {
        match ch {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 2..].iter().position(|&c| c == ')')? + close + 2;
    Some((chars[at + 1..close].iter().collect(), end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscal::raw::{Select, Text};

    fn param(id: &str) -> Param {
        Param {
            id: Text(id.into()),
            label: None,
            select: None,
            guidelines: vec![],
            values: vec![],
        }
    }

    #[test]
    fn strips_markup() {
        assert_eq!(
            strip("Sample *for Demonstration* and **Testing**"),
            "Sample for Demonstration and Testing"
        );
        assert_eq!(
            strip("see [(choppy)](#s1.2) and `code`"),
            "see (choppy) and code"
        );
        assert_eq!(
            strip("2 * 3, ac_1_prm, _emph_, \\*lit\\*"),
            "2 * 3, ac_1_prm, emph, *lit*"
        );
        assert_eq!(strip("deploy[ing] patches"), "deploy[ing] patches");
    }

    #[test]
    fn renders_parameters_the_nist_way() {
        let mut a = param("a");
        a.label = Some(Text("frequency".into()));
        let mut b = param("b");
        b.select = Some(Select {
            how_many: Some(Text("one-or-more".into())),
            choice: vec![
                Text("x after {{ insert: param, a }}".into()),
                Text("y".into()),
            ],
        });
        let mut c = param("c");
        c.label = Some(Text("organization-defined roles".into()));
        let mut d = param("d");
        d.guidelines = vec![crate::oscal::raw::Guideline {
            prose: Text("events are defined;".into()),
        }];
        let list = [a, b, c, d];
        let params: Params<'_> = list.iter().map(|p| (p.id.0.as_str(), p)).collect();
        assert_eq!(
            line(
                "Review {{ insert: param, a }} ; and {{ insert: param, b }}.",
                &params
            ),
            "Review [Assignment: organization-defined frequency]; and \
             [Selection (one or more): x after [Assignment: organization-defined frequency]; y]."
        );
        assert_eq!(
            line("{{ insert: param, c }}", &params),
            "[Assignment: organization-defined roles]"
        );
        assert_eq!(
            line("{{insert: param, d}}", &params),
            "[Assignment: events are defined]"
        );
        assert_eq!(line("{{ insert: param, zz }}", &params), "[Assignment: zz]");
    }

    #[test]
    fn self_insertion_stops() {
        let mut a = param("a");
        a.select = Some(Select {
            how_many: None,
            choice: vec![Text("{{ insert: param, a }}".into())],
        });
        let list = [a];
        let params: Params<'_> = list.iter().map(|p| (p.id.0.as_str(), p)).collect();
        assert!(line("{{ insert: param, a }}", &params).contains("[Assignment: a]"));
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("Review access. Then more."), "Review access");
        assert_eq!(first_sentence("One line only"), "One line only");
        assert_eq!(first_sentence("Ends here.\nsecond line"), "Ends here");
        assert_eq!(
            first_sentence("Keep logs (e.g. audit logs) and more, e.g. traces. Next."),
            "Keep logs (e.g. audit logs) and more, e.g. traces"
        );
        assert_eq!(
            first_sentence("Scan [Assignment: every 3. Day] weekly! Then report."),
            "Scan [Assignment: every 3. Day] weekly!"
        );
        assert_eq!(
            first_sentence("Version 2.0 is used. Then."),
            "Version 2.0 is used"
        );
        assert_eq!(first_sentence(""), "");
    }

    #[test]
    fn paragraphs_and_lists() {
        let params = Params::new();
        assert_eq!(
            lines("First line\nsoft break.\n\n1. one;\n1. two.\n", &params),
            vec!["First line soft break.", "1. one;", "1. two."]
        );
    }
}
