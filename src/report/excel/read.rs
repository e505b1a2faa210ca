//! Reading a workbook back (`assure import excel`): every sheet's cells as text, with
//! any formula, from an .xlsx file written by assure and saved by any program.
//!
//! Invariants:
//! - The file is untrusted. Before calamine parses it, its size and its unpacked size
//!   (measured by unpacking, not taken from the zip's headers) are bounded: a zip bomb
//!   is refused having cost at most [`MAX_UNPACKED`] bytes of reading, none kept.
//! - Cells are streamed, never laid out as a rectangle: two cells at opposite corners of
//!   a sheet cost two cells, not seventeen billion; at most [`MAX_CELLS`] are kept.
//! - A cell's text is what [`super::marker`] records for it ([`plain`]).

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{DataRef, Reader, SheetVisible, Xlsx};

use super::marker::{plain_number, plain_text};

/// The largest workbook file read.
pub const MAX_FILE: u64 = 64 << 20;
/// The most bytes a workbook may unpack to.
pub const MAX_UNPACKED: u64 = 512 << 20;
/// The most parts a workbook may hold.
const MAX_ENTRIES: usize = 10_000;
/// The most non-empty cells read from a workbook.
pub const MAX_CELLS: usize = 4_000_000;

/// Why a workbook could not be read; each message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error(
        "{0} is not an .xlsx workbook ({1}); `assure import excel` reads the workbooks `assure report excel` makes, saved as .xlsx"
    )]
    NotXlsx(String, String),
    #[error("{0} is too large to be a workbook of one assessment ({1}); nothing was read")]
    TooLarge(String, String),
}

/// One cell: its text and, if it holds one, its formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: String,
    pub formula: Option<String>,
}

/// One sheet: its name, whether it is shown, and its non-empty cells by (row, column),
/// zero-based.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub visible: bool,
    pub cells: BTreeMap<(u32, u32), Value>,
}

impl Sheet {
    /// The text of the cell at (row, column); "" when empty.
    pub fn text(&self, at: (u32, u32)) -> &str {
        self.cells.get(&at).map_or("", |v| v.text.as_str())
    }

    /// The rows holding any cell, in order.
    pub fn rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self.cells.keys().map(|(r, _)| *r).collect();
        rows.dedup();
        rows
    }

    /// The texts of row `row`, columns 0..=last used.
    pub fn row(&self, row: u32) -> Vec<String> {
        let cells: Vec<(&(u32, u32), &Value)> =
            self.cells.range((row, 0)..=(row, u32::MAX)).collect();
        let width = cells.last().map_or(0, |((_, c), _)| *c as usize + 1);
        let mut out = vec![String::new(); width];
        for ((_, c), v) in cells {
            out[*c as usize] = v.text.clone();
        }
        out
    }
}

/// Reads every sheet of the workbook at `path`.
pub fn read(path: &Path) -> Result<Vec<Sheet>, ReadError> {
    let name = path.display().to_string();
    let io = |e| ReadError::Io(name.clone(), e);
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotXlsx(name, "not a file".into()));
    }
    if meta.len() > MAX_FILE {
        return Err(ReadError::TooLarge(
            name,
            format!("{} bytes, more than {MAX_FILE}", meta.len()),
        ));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    check_unpacked(&name, &bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ReadError::NotXlsx(name.clone(), e.to_string()))?;
    let metadata: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    let mut sheets = Vec::new();
    let mut count = 0usize;
    for (sheet, visible) in metadata {
        let mut cells = BTreeMap::new();
        let mut reader = book
            .worksheet_cells_reader(&sheet)
            .map_err(|e| ReadError::NotXlsx(name.clone(), format!("sheet `{sheet}`: {e}")))?;
        while let Some(cell) = reader
            .next_cell_with_formula()
            .map_err(|e| ReadError::NotXlsx(name.clone(), format!("sheet `{sheet}`: {e}")))?
        {
            let text = plain(&cell.value);
            let formula = cell.formula.filter(|f| !f.is_empty());
            if text.is_empty() && formula.is_none() {
                continue;
            }
            count += 1;
            if count > MAX_CELLS {
                return Err(ReadError::TooLarge(
                    name,
                    format!("more than {MAX_CELLS} cells"),
                ));
            }
            cells.insert(cell.pos, Value { text, formula });
        }
        drop(reader);
        sheets.push(Sheet {
            name: sheet,
            visible,
            cells,
        });
    }
    Ok(sheets)
}

/// Unpacks every part of the zip into nothing, refusing it past [`MAX_UNPACKED`] bytes
/// in all or [`MAX_ENTRIES`] parts.
fn check_unpacked(name: &str, bytes: &[u8]) -> Result<(), ReadError> {
    let not = |e: &dyn std::fmt::Display| ReadError::NotXlsx(name.to_owned(), e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not(&e))?;
    if zip.len() > MAX_ENTRIES {
        return Err(ReadError::TooLarge(
            name.to_owned(),
            format!("{} parts", zip.len()),
        ));
    }
    let mut left = MAX_UNPACKED;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| not(&e))?;
        let read =
            std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()).map_err(|e| not(&e))?;
        if read > left {
            return Err(ReadError::TooLarge(
                name.to_owned(),
                format!("it unpacks to more than {MAX_UNPACKED} bytes"),
            ));
        }
        left -= read;
    }
    Ok(())
}

/// A cell's value as text: strings as written, numbers without a needless fraction,
/// dates (a number shown as a date) as YYYY-MM-DD, with the time when it has one.
pub fn plain(v: &DataRef) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) => plain_text(s),
        DataRef::SharedString(s) => plain_text(s),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => plain_number(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(d) => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            plain_text(s.strip_suffix("T00:00:00").unwrap_or(s))
        }
        DataRef::Error(e) => format!("#{e:?}"),
    }
}
