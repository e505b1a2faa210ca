//! Text from the repository on its way out: to a terminal, a pull-request comment, a
//! diagnostic snippet or a mail header; and how an empty value is spelled in each kind
//! of output ([`empty`]).
//!
//! The repository is untrusted input: a YAML double-quoted string can carry ESC, BEL, a
//! carriage return, a C1 control such as U+009B (CSI) or a bidirectional override such
//! as U+202E into any value, and a terminal acts on them (recolours, rewrites the line,
//! reorders what the reader sees: "Trojan Source"). So every character [`is_hostile`]
//! is shown escaped, never raw, by one escape table ([`escape_char`]):
//!
//! - [`Guard`] wraps what a command writes to stdout: whatever a renderer forgets, no
//!   hostile character reaches the terminal. Its escapes (`\r`, `\u001b`) are also JSON
//!   escapes, so JSON output stays valid and means the same.
//! - [`escape`] / [`escape_line`] for text written elsewhere (stderr, one-line slots).
//! - [`same_width`] for source text whose byte offsets must not move (snippets).
//! - [`one_line`] for mail headers: no line break, no control character.
//!
//! Line feed and tab are layout, not attacks: they pass except in [`escape_line`] and
//! [`one_line`]; a carriage return passes only as part of a CRLF line end.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` must not reach a terminal raw: a C0 control other than line feed and
/// tab, DEL, a C1 control, or a bidirectional embedding, override or isolate (the nine
/// rustc warns about).
pub fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi(c)
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Appends the visible form of `c`: `\r`, `\n`, `\t`, else `\uXXXX` (four lower-case
/// hex digits, as JSON writes it).
pub fn escape_char(c: char, out: &mut String) {
    match c {
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
    }
}

fn escape_if(s: &str, hostile: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hostile(c) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with every hostile character escaped; line feeds and tabs kept.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_if(s, is_hostile)
}

/// `s` on one line: hostile characters, line feeds and tabs escaped.
pub fn escape_line(s: &str) -> Cow<'_, str> {
    escape_if(s, |c| is_hostile(c) || c == '\n' || c == '\t')
}

/// `s` for a mail header: every control character (line breaks included) and
/// bidirectional control becomes a space, and the result is trimmed. A header built
/// from it cannot gain a line.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() || is_bidi(c) { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Whether `s` shows nothing to a reader: only white space, control characters and
/// invisible format characters (zero-width space and joiners, word joiner, byte-order
/// mark, soft hyphen, direction marks, Hangul fillers…). Where a text must *say*
/// something (a stated reason), such a text says nothing.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || is_bidi(c)
            || matches!(
                c,
                '\u{00AD}'
                    | '\u{034F}'
                    | '\u{061C}'
                    | '\u{115F}'
                    | '\u{1160}'
                    | '\u{17B4}'
                    | '\u{17B5}'
                    | '\u{180E}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{2060}'..='\u{206F}'
                    | '\u{2800}'
                    | '\u{3164}'
                    | '\u{FE00}'..='\u{FE0F}'
                    | '\u{FEFF}'
                    | '\u{FFA0}'
            )
    })
}

/// `s` with each hostile character replaced by a visible one of the same UTF-8 length
/// (`?`, `¿`, `�`), so byte offsets into it stay valid; a CR before a LF is kept.
pub fn same_width(s: &str) -> Cow<'_, str> {
    let hostile_at =
        |i: usize, c: char| is_hostile(c) && !(c == '\r' && s[i + 1..].starts_with('\n'));
    if !s.char_indices().any(|(i, c)| hostile_at(i, c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if hostile_at(i, c) {
            out.push(match c.len_utf8() {
                1 => '?',
                2 => '¿',
                3 => '\u{FFFD}',
                _ => unreachable!("control and bidi characters are at most 3 bytes"),
            });
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A writer that escapes every hostile character going through it (see [`escape_char`]).
///
/// It works on bytes, so any write split is fine: the start of a character that may be
/// hostile (or a CR that may begin a CRLF) is held back until the next write or the drop.
pub struct Guard<W: Write> {
    inner: W,
    /// At most 2 bytes: `\r`, `C2`, `E2` or `E2 80`/`E2 81`.
    pending: Vec<u8>,
}

impl<W: Write> Guard<W> {
    pub fn new(inner: W) -> Self {
        Guard {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes `bytes`, holding back an unfinished sequence at the end.
    fn process(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut start = 0; // the first byte not yet written
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let rest = &bytes[i + 1..];
            // (length of the hostile sequence at i, or None; Err(()) if we need more bytes)
            let hostile: Result<Option<usize>, ()> = match b {
                b'\r' => match rest.first() {
                    None => Err(()),
                    Some(b'\n') => Ok(None),
                    Some(_) => Ok(Some(1)),
                },
                b'\n' | b'\t' => Ok(None),
                0..=0x1f | 0x7f => Ok(Some(1)),
                0xC2 => match rest.first() {
                    None => Err(()),
                    Some(0x80..=0x9F) => Ok(Some(2)),
                    Some(_) => Ok(None),
                },
                0xE2 => match rest {
                    [] | [0x80 | 0x81] => Err(()),
                    [0x80, 0xAA..=0xAE, ..] | [0x81, 0xA6..=0xA9, ..] => Ok(Some(3)),
                    _ => Ok(None),
                },
                _ => Ok(None),
            };
            match hostile {
                Ok(None) => i += 1,
                Ok(Some(len)) => {
                    self.inner.write_all(&bytes[start..i])?;
                    let c = std::str::from_utf8(&bytes[i..i + len])
                        .ok()
                        .and_then(|s| s.chars().next())
                        .unwrap_or(char::REPLACEMENT_CHARACTER);
                    let mut escaped = String::new();
                    escape_char(c, &mut escaped);
                    self.inner.write_all(escaped.as_bytes())?;
                    i += len;
                    start = i;
                }
                Err(()) => {
                    self.inner.write_all(&bytes[start..i])?;
                    self.pending.extend_from_slice(&bytes[i..]);
                    return Ok(());
                }
            }
        }
        self.inner.write_all(&bytes[start..])
    }

    /// Writes what was held back and flushes. Dropping the guard does it too, ignoring errors.
    pub fn finish(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        match pending.as_slice() {
            // A CR not followed by a LF.
            [b'\r'] => self.inner.write_all(b"\\r")?,
            // The start of a character that never came: not hostile.
            rest => self.inner.write_all(rest)?,
        }
        self.inner.flush()
    }
}

impl<W: Write> Write for Guard<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            self.process(buf)?;
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            self.process(&joined)?;
        }
        Ok(buf.len())
    }

    /// Flushes what is complete; a held-back start of a character stays held back, so a
    /// flush between its bytes cannot let a hostile character through in two halves.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for Guard<W> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Where a value is shown. Each kind of output spells an empty value (nothing recorded)
/// one way, through [`empty`], so the same missing value reads the same everywhere in
/// it. Two kinds need no spelling: a workbook leaves the cell blank, JSON writes `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    /// A value in terminal or mail text: `status: (not set)`, `old → new`.
    Text,
    /// A cell of a table of aligned terminal columns: one character, `-`.
    Column,
    /// A cell of a Markdown table (a pull-request comment): `—`.
    Markdown,
    /// A value on a page of the report site: `—`.
    Html,
}

/// `s` percent-encoded but for unreserved characters (and `@`), for a path segment or a
/// fragment of a link built from repository data (the site's pages, a mail's link).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How an empty value is spelled where it is [`Medium`].
pub const fn empty(kind: Medium) -> &'static str {
    match kind {
        Medium::Text => "(not set)",
        Medium::Column => "-",
        Medium::Markdown | Medium::Html => "\u{2014}",
    }
}

/// `value`, or the empty spelling of `kind` when there is none.
pub fn or_empty(value: Option<&str>, kind: Medium) -> &str {
    value.unwrap_or(empty(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_what_shows_nothing() {
        for blank in [
            "",
            " \t\n",
            "\u{200B}",
            "\u{2060}\u{FEFF}",
            "\u{00A0}\u{3000}",
            "\u{200E}\u{202E}",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for said in ["x", " why ", "\u{200B}a", "-"] {
            assert!(!is_blank(said), "{said:?}");
        }
    }

    /// What a guard writes for `chunks`, written one after the other.
    fn guarded(chunks: &[&[u8]]) -> String {
        let mut out = Vec::new();
        {
            let mut g = Guard::new(&mut out);
            for c in chunks {
                g.write_all(c).expect("write");
                g.flush().expect("flush");
            }
        }
        String::from_utf8(out).expect("utf-8")
    }

    const HOSTILE: &str = "a\u{1b}[31mb\u{7}c\rd\u{9b}2Je\u{202e}f\u{2066}g\u{7f}h\u{0}";
    const ESCAPED: &str = "a\\u001b[31mb\\u0007c\\rd\\u009b2Je\\u202ef\\u2066g\\u007fh\\u0000";

    #[test]
    fn escapes_controls_and_bidi_but_not_layout() {
        assert_eq!(escape(HOSTILE), ESCAPED);
        assert_eq!(
            escape("two\nlines\tand é ü 中 ✓"),
            "two\nlines\tand é ü 中 ✓"
        );
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_line("a\nb\tc\r\n"), "a\\nb\\tc\\r\\n");
    }

    #[test]
    fn the_guard_escapes_the_same_whatever_the_split() {
        let text = format!("{HOSTILE}\r\nnext\n");
        let want = format!("{ESCAPED}\r\nnext\n");
        let bytes = text.as_bytes();
        assert_eq!(guarded(&[bytes]), want);
        // Every split into two writes, and byte by byte.
        for at in 0..=bytes.len() {
            assert_eq!(
                guarded(&[&bytes[..at], &bytes[at..]]),
                want,
                "split at {at}"
            );
        }
        let single: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(guarded(&single), want);
        // A lone CR at the very end, and non-hostile neighbours of the prefixes.
        assert_eq!(guarded(&[b"x\r"]), "x\\r");
        assert_eq!(
            guarded(&["\u{a9} \u{2014} \u{2069}".as_bytes()]),
            "\u{a9} \u{2014} \\u2069"
        );
    }

    #[test]
    fn json_through_the_guard_stays_json_with_the_same_meaning() {
        let value = serde_json::json!({ "name": HOSTILE });
        let text = serde_json::to_string(&value).expect("json");
        let through = guarded(&[text.as_bytes()]);
        assert!(!through.chars().any(is_hostile), "{through}");
        let back: serde_json::Value = serde_json::from_str(&through).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn same_width_keeps_offsets() {
        let s = format!("k: \"{HOSTILE}\"\r\nnext: 1\n");
        let safe = same_width(&s);
        assert_eq!(safe.len(), s.len());
        assert!(!safe.chars().any(|c| is_hostile(c) && c != '\r'), "{safe}");
        assert!(safe.ends_with("\"\r\nnext: 1\n"), "{safe}");
        for (i, _) in s.char_indices() {
            assert!(safe.is_char_boundary(i), "{i}");
        }
    }

    #[test]
    fn one_line_has_no_line_break_or_control() {
        assert_eq!(one_line(" Bob\r\nBcc: evil@x\u{202e} "), "Bob  Bcc: evil@x");
        assert_eq!(one_line("Zoë Ünal"), "Zoë Ünal");
    }
}
