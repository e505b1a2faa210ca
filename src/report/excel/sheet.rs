//! Writing the workbook's cells and laying its sheets out for screen and paper.
//!
//! Invariants:
//! - Every piece of user text goes through [`write_text`]: a note that starts with `=`,
//!   `+`, `-` or `@` stays text and is never evaluated; the workbook holds no formula.
//! - Every sheet prints: landscape, one page wide (as many tall as it takes), a table's
//!   header row repeated on each page and frozen on screen, sheet name and page number
//!   in the footer.
//! - A row whose text wraps gets an explicit height, computed here from the column
//!   widths: LibreOffice does not grow such rows by itself (it cut the third line of a
//!   test plan), and Excel keeps a height it is given.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Url, Worksheet, XlsxError,
};

use crate::rules::links::{self, Link};

/// Text columns are at most this wide; longer text wraps. Narrow enough that the widest
/// sheet, scaled to one page wide, stays legible.
pub(super) const MAX_WIDTH: usize = 40;
/// Excel refuses cells longer than 32,767 UTF-16 units; longer text is cut here.
const MAX_TEXT: usize = 32_000;
pub const TRUNCATED: &str = "… (truncated: the full text is in the assessment file)";
/// The height of one line of text in points (Calibri 11, the workbook's font).
const LINE_HEIGHT: f64 = 15.0;
/// Excel's highest row (409 points).
const MAX_HEIGHT: f64 = 409.0;
/// A column is this much wider than its widest text (cell padding).
const PADDING: usize = 2;
/// Footer of every printed page: the sheet's name left, "Page 2 of 7" right.
const FOOTER: &str = "&L&A&RPage &P of &N";

/// Colours of status and test-result cells: light fills with dark text, the same meaning
/// as on the report site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tone {
    Green,
    Amber,
    Grey,
    Yellow,
    Orange,
    Red,
}

impl Tone {
    const ALL: [Tone; 6] = [
        Tone::Green,
        Tone::Amber,
        Tone::Grey,
        Tone::Yellow,
        Tone::Orange,
        Tone::Red,
    ];

    /// (fill, text): every pair has a contrast ratio above 7:1.
    fn colours(self) -> (u32, u32) {
        match self {
            Tone::Green => (0xC8E6C9, 0x1B5E20),
            Tone::Amber => (0xFFE0A3, 0x5D4037),
            Tone::Grey => (0xE0E0E0, 0x424242),
            Tone::Yellow => (0xFFF59D, 0x4E4A00),
            Tone::Orange => (0xFFCC99, 0x6D2E00),
            Tone::Red => (0xFFCDD2, 0x8E0000),
        }
    }
}

/// One cell's value, before it is written.
#[derive(Debug, Clone)]
pub(super) enum Cell {
    Empty,
    Text(String),
    /// Bold text (the Summary's labels).
    Label(&'static str),
    Toned(&'static str, Tone),
    Number(f64),
    Percent(f64),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    /// A hyperlink (if `to` may be one, see [`write_cell`]), showing `text`.
    Link {
        to: Target,
        text: String,
    },
}

/// Where a document's link leads: `link` as `link_base` pinned it, or the
/// repository-relative path, which the workbook makes relative to itself by prefixing
/// `up` (`../`).
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub(super) link: String,
    pub(super) up: Option<String>,
}

impl Cell {
    pub(super) fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    /// The one spelling of an empty value in the workbook: a blank cell.
    pub(super) fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, Cell::text)
    }

    /// The cell's value as text, as a reader of the workbook gets it back (see
    /// [`super::marker`]): text as written (trimmed, cut to what a cell holds), a
    /// number without a needless fraction, a date as YYYY-MM-DD.
    pub(super) fn plain(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Link { text: s, .. } => super::marker::plain_text(&clip(s)),
            Cell::Label(s) | Cell::Toned(s, _) => (*s).to_owned(),
            Cell::Number(n) | Cell::Percent(n) => super::marker::plain_number(*n),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }

    /// The width the cell's content wants, in characters.
    fn width(&self) -> usize {
        match self {
            Cell::Empty => 0,
            Cell::Text(s) | Cell::Link { text: s, .. } => longest_line(s),
            Cell::Label(s) | Cell::Toned(s, _) => s.chars().count(),
            Cell::Number(n) => n.to_string().len(),
            Cell::Percent(_) => 5,
            Cell::Date(_) => 10,
            Cell::DateTime(_) => 20,
        }
    }

    /// The lines the cell takes in a column `width` characters wide: its text's lines,
    /// each word-wrapped.
    fn lines(&self, width: usize) -> usize {
        match self {
            Cell::Text(s) | Cell::Link { text: s, .. } => {
                clip(s.trim_end()).lines().map(|l| wrapped(l, width)).sum()
            }
            Cell::Label(s) | Cell::Toned(s, _) => wrapped(s, width),
            _ => 1,
        }
    }
}

fn longest_line(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// How many lines `line` takes, wrapped at spaces in a column `width` characters wide
/// (a word longer than a line is broken), as a spreadsheet wraps it.
///
/// A column's width is counted in digits, and Calibri's lower-case letters, spaces and
/// punctuation are narrower (about three quarters of a digit): counting them as 0.8 and
/// everything else as one digit (two for wide East Asian characters) errs on the side
/// of room, so a row is never too short for its text.
fn wrapped(line: &str, width: usize) -> usize {
    let room = width.max(1) * 10;
    let (mut lines, mut used) = (1, 0usize);
    for word in line.split(' ') {
        let w: usize = word.chars().map(weight).sum();
        let need = if used == 0 { w } else { used + weight(' ') + w };
        if need <= room {
            used = need;
            continue;
        }
        if used > 0 {
            lines += 1;
        }
        lines += w.saturating_sub(1) / room;
        used = match w % room {
            0 if w > 0 => room,
            r => r,
        };
    }
    lines
}

/// A character's width in tenths of a digit (see [`wrapped`]).
fn weight(c: char) -> usize {
    match c {
        'a'..='z' | ' ' | '.' | ',' | ';' | ':' | '(' | ')' | '-' | '\'' | '/' => 8,
        '\u{2E80}'.. => 20,
        _ => 10,
    }
}

/// Every format the workbook uses, made once.
pub(super) struct Formats {
    pub(super) header: Format,
    label: Format,
    text: Format,
    wrap: Format,
    number: Format,
    percent: Format,
    date: Format,
    datetime: Format,
    link: Format,
    tones: Vec<(Tone, Format)>,
}

impl Formats {
    pub(super) fn new() -> Formats {
        let base = Format::new().set_align(FormatAlign::Top);
        // Text of any kind wraps: a column may be narrower than its longest value.
        let wrapping = base.clone().set_text_wrap();
        let link = wrapping.clone().set_hyperlink();
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_font_color(Color::RGB(0x1F2937))
                .set_background_color(Color::RGB(0xD9E2F3))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Top),
            label: base.clone().set_bold(),
            text: base.clone(),
            wrap: wrapping.clone(),
            number: base.clone().set_align(FormatAlign::Left),
            percent: base
                .clone()
                .set_num_format("0%")
                .set_align(FormatAlign::Left),
            date: base
                .clone()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Left),
            datetime: base
                .clone()
                .set_num_format("yyyy-mm-dd hh:mm \"UTC\"")
                .set_align(FormatAlign::Left),
            link,
            tones: Tone::ALL
                .iter()
                .map(|&t| {
                    let (fill, text) = t.colours();
                    (
                        t,
                        wrapping
                            .clone()
                            .set_background_color(Color::RGB(fill))
                            .set_font_color(Color::RGB(text)),
                    )
                })
                .collect(),
        }
    }

    fn tone(&self, tone: Tone) -> &Format {
        self.tones
            .iter()
            .find(|(t, _)| *t == tone)
            .map_or(&self.text, |(_, f)| f)
    }
}

pub(super) fn col(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

fn row_index(r: usize) -> Result<u32, XlsxError> {
    u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)
}

/// A table column: its header and how wide it may grow before its text wraps.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) max: usize,
}

impl Column {
    pub(super) fn new(name: &str, max: usize) -> Column {
        Column {
            name: name.to_owned(),
            max,
        }
    }
}

/// Page setup shared by every sheet: landscape, one page wide and as many tall as it
/// takes, gridlines (a table has no borders), the footer; `header` rows repeat on every
/// page.
pub(super) fn print_setup(ws: &mut Worksheet, header: Option<u32>) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_gridlines(true);
    ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    ws.set_footer(FOOTER);
    if let Some(last) = header {
        ws.set_repeat_rows(0, last)?;
    }
    Ok(())
}

/// A table: bold header row (frozen, with a filter, repeated on printed pages), then one
/// row per entry.
pub(super) fn write_table(
    ws: &mut Worksheet,
    f: &Formats,
    columns: &[Column],
    rows: &[Vec<Cell>],
) -> Result<(), XlsxError> {
    // Room for the header text and the filter button.
    let mut widths: Vec<usize> = columns.iter().map(|c| c.name.chars().count() + 3).collect();
    let max: Vec<usize> = columns.iter().map(|c| c.max).collect();
    for (c, column) in columns.iter().enumerate() {
        ws.write_string_with_format(0, col(c)?, &column.name, &f.header)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        write_row(ws, f, row_index(r + 1)?, cells.iter(), &mut widths)?;
    }
    let widths = set_widths(ws, &widths, &max)?;
    for (r, cells) in rows.iter().enumerate() {
        set_height(ws, row_index(r + 1)?, cells.iter(), &widths)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(
        0,
        0,
        row_index(rows.len())?,
        col(columns.len().saturating_sub(1))?,
    )?;
    print_setup(ws, Some(0))
}

pub(super) fn write_row<'a>(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    cells: impl Iterator<Item = &'a Cell>,
    widths: &mut Vec<usize>,
) -> Result<(), XlsxError> {
    for (c, cell) in cells.enumerate() {
        write_cell(ws, f, row, col(c)?, cell)?;
        if widths.len() <= c {
            widths.resize(c + 1, 0);
        }
        widths[c] = widths[c].max(cell.width());
    }
    Ok(())
}

/// Sets each column's width (its widest text, at most `max` of it, else [`MAX_WIDTH`])
/// and returns the characters a line holds in each.
pub(super) fn set_widths(
    ws: &mut Worksheet,
    widths: &[usize],
    max: &[usize],
) -> Result<Vec<usize>, XlsxError> {
    let mut fitted = Vec::with_capacity(widths.len());
    for (c, w) in widths.iter().enumerate() {
        let w = (*w).min(max.get(c).copied().unwrap_or(MAX_WIDTH));
        if w > 0 {
            ws.set_column_width(col(c)?, (w + PADDING) as f64)?;
        }
        fitted.push(w);
    }
    Ok(fitted)
}

/// Gives `row` the height of its tallest cell, when one takes more than a line.
pub(super) fn set_height<'a>(
    ws: &mut Worksheet,
    row: u32,
    cells: impl Iterator<Item = &'a Cell>,
    widths: &[usize],
) -> Result<(), XlsxError> {
    let lines = cells
        .enumerate()
        .map(|(c, cell)| cell.lines(widths.get(c).copied().unwrap_or(MAX_WIDTH)))
        .max()
        .unwrap_or(1);
    if lines > 1 {
        ws.set_row_height(row, (lines as f64 * LINE_HEIGHT).min(MAX_HEIGHT))?;
    }
    Ok(())
}

/// Writes one cell. Text is always a string cell (never a formula); a date Excel cannot
/// represent, or a link it refuses, is written as text instead.
fn write_cell(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    c: u16,
    cell: &Cell,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => write_text(ws, f, row, c, s)?,
        Cell::Label(s) => {
            ws.write_string_with_format(row, c, *s, &f.label)?;
        }
        Cell::Toned(s, tone) => {
            ws.write_string_with_format(row, c, *s, f.tone(*tone))?;
        }
        Cell::Number(n) => {
            ws.write_number_with_format(row, c, *n, &f.number)?;
        }
        Cell::Percent(n) => {
            ws.write_number_with_format(row, c, *n, &f.percent)?;
        }
        Cell::Date(d) => {
            let date = u16::try_from(d.year())
                .ok()
                .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
            match date {
                Some(date) => {
                    ws.write_datetime_with_format(row, c, &date, &f.date)?;
                }
                None => write_text(ws, f, row, c, &d.format("%Y-%m-%d").to_string())?,
            }
        }
        Cell::DateTime(t) => match ExcelDateTime::from_timestamp(t.timestamp()) {
            Ok(time) => {
                ws.write_datetime_with_format(row, c, &time, &f.datetime)?;
            }
            Err(_) => write_text(ws, f, row, c, &t.format("%Y-%m-%d %H:%M UTC").to_string())?,
        },
        Cell::Link { to, text } => write_link(ws, f, row, c, to, text)?,
    }
    Ok(())
}

/// A hyperlink cell. Only a web address or a relative path becomes a link (a document
/// path or `link_base` may say anything: `javascript:` stays text).
fn write_link(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    c: u16,
    to: &Target,
    text: &str,
) -> Result<(), XlsxError> {
    let Target { link, up } = to;
    let target = match links::classify(link) {
        Some(Link::Web) => link.clone(),
        // Relative to the workbook's folder: rust_xlsxwriter stores a relative
        // `file:///` link as the bare relative path.
        Some(Link::Relative) => {
            let rebased = format!("{}{link}", up.as_deref().unwrap_or(""));
            // Asked again of the whole link: the prefix comes from folder names.
            if links::classify(&rebased) != Some(Link::Relative) {
                return write_text(ws, f, row, c, text);
            }
            format!("file:///{rebased}")
        }
        None => return write_text(ws, f, row, c, text),
    };
    let text = clip(text);
    let link = Url::new(target).set_text(text.as_ref());
    if ws.write_url_with_format(row, c, link, &f.link).is_err() {
        write_text(ws, f, row, c, &text)?;
    }
    Ok(())
}

/// A string cell, wrapped when it has several lines or is wider than a column gets.
fn write_text(ws: &mut Worksheet, f: &Formats, row: u32, c: u16, s: &str) -> Result<(), XlsxError> {
    let s = clip(s.trim_end());
    // Wrapping is harmless on text that fits, and the column may be narrower than
    // MAX_WIDTH: every text that could outgrow one line wraps.
    let format = if s.contains('\n') || s.chars().count() > 12 {
        &f.wrap
    } else {
        &f.text
    };
    ws.write_string_with_format(row, c, s.as_ref(), format)?;
    Ok(())
}

/// Text cut to what Excel accepts in one cell.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    // A char takes no more UTF-16 units than UTF-8 bytes: most text is known short at once.
    if s.len() <= MAX_TEXT || s.encode_utf16().count() <= MAX_TEXT {
        return s.into();
    }
    let mut units = 0;
    let end = s
        .char_indices()
        .find(|(_, ch)| {
            units += ch.len_utf16();
            units > MAX_TEXT
        })
        .map_or(s.len(), |(i, _)| i);
    format!("{}{TRUNCATED}", &s[..end]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_counts_lines_as_a_spreadsheet_breaks_them() {
        assert_eq!(wrapped("", 10), 1);
        // Lower case and spaces are 0.8 of a digit: 12 of them fill 10 digits' room.
        assert_eq!(wrapped("abcdefghijkl", 10), 1);
        assert_eq!(wrapped("abcdefghijklm", 10), 2);
        assert_eq!(wrapped("one two three", 10), 2);
        assert_eq!(wrapped("0123456789", 10), 1);
        assert_eq!(wrapped("0123456789A", 10), 2);
        // A word longer than a line is broken: "ab" / 10 digits / 10 digits / 4.
        assert_eq!(wrapped("ab 012345678901234567890123", 10), 4);
        assert_eq!(wrapped("日本語の文書", 10), 2);
        assert_eq!(Cell::text("a\nb c d\n").lines(1), 4);
    }
}
