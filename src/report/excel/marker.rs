//! The workbook's record of what it was made from, for `assure import excel`: a very
//! hidden sheet (Excel and LibreOffice keep it when they save, and offer no menu to show
//! it) holding the commit, the assessment and every cell of the control tables as the
//! workbook showed them.
//!
//! Layout of the sheet [`SHEET`], one record a row, column A saying what the row is:
//! - `FORMAT`, then the commit (full sha, blank outside git), the assessment key, and
//!   `dirty` when the work tree differed from the commit;
//! - `table`, the sheet's name, then its header row;
//! - `row`, the row's key (the control id; for the Documents sheet the control id and
//!   the document path, joined by a line break), then the row's cells as text
//!   ([`Cell::plain`]), in the header's order.
//!
//! Invariants:
//! - A cell's recorded text is the text a reader of the workbook gets back for it
//!   ([`plain_text`] on both sides), so a cell is edited exactly when its text differs
//!   from the record.
//! - Every recorded value is a string cell: nothing here is evaluated.
//! - Which cells `import excel` may change is [`Field::of`]; everything else recorded is
//!   read-only.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::sheet::Cell;
use super::tables::{Table, priority_label, result_cell, status_cell};
use crate::model::ControlRecord;

/// The marker sheet's name.
pub const SHEET: &str = "assure";
/// The first cell of the marker sheet: what made the workbook, and the layout's version.
pub const FORMAT: &str = "assure workbook for import, version 1";
pub const TABLE: &str = "table";
pub const ROW: &str = "row";
/// The header of the column holding a control's id, in every control table.
pub const CONTROL: &str = "Control";
/// The Documents sheet's rows are keyed by the control and this column too.
pub const DOCUMENT: &str = "Document";

/// Where a workbook comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub commit: Option<String>,
    pub assessment: String,
    pub dirty: bool,
}

/// A field of a control record that the auditor may change in the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Status,
    AssignedTo,
    TestDate,
    TestResult,
    Implementation,
    TestPlan,
    ManagementResponse,
    Priority,
    Notes,
}

impl Field {
    /// The editable field under the header `header` of the sheet `sheet`, if that column
    /// is editable. Each field is editable in one sheet only: the Action items sheet
    /// repeats the status and test result for reading.
    pub fn of(sheet: &str, header: &str) -> Option<Field> {
        Some(match (sheet, header) {
            (super::CUSTOMER, "Status") => Field::Status,
            (super::CUSTOMER, "Assigned to") => Field::AssignedTo,
            (super::CUSTOMER, "Test date") => Field::TestDate,
            (super::CUSTOMER, "Test result") => Field::TestResult,
            (super::NARRATIVE, "Implementation") => Field::Implementation,
            (super::NARRATIVE, "Test plan") => Field::TestPlan,
            (super::NARRATIVE, "Management response") => Field::ManagementResponse,
            (super::ACTIONS, "Priority") => Field::Priority,
            (super::ACTIONS, "Notes") => Field::Notes,
            _ => return None,
        })
    }

    /// The field's name in messages ("test result").
    pub fn name(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::AssignedTo => "assigned to",
            Field::TestDate => "test date",
            Field::TestResult => "test result",
            Field::Implementation => "implementation",
            Field::TestPlan => "test plan",
            Field::ManagementResponse => "management response",
            Field::Priority => "action priority",
            Field::Notes => "action notes",
        }
    }

    /// The field of `record` (`None`: not started) as the workbook shows it.
    pub fn shown(self, record: Option<&ControlRecord>) -> String {
        let r = record.cloned().unwrap_or_default();
        let action = r.action.clone().unwrap_or_default();
        let cell = match self {
            Field::Status => status_cell(r.status),
            Field::AssignedTo => Cell::opt_text(r.assigned_to.as_deref()),
            Field::TestDate => r.test_date.map_or(Cell::Empty, Cell::Date),
            Field::TestResult => result_cell(r.test_result),
            Field::Implementation => Cell::opt_text(r.implementation.as_deref()),
            Field::TestPlan => Cell::opt_text(r.test_plan.as_deref()),
            Field::ManagementResponse => Cell::opt_text(r.management_response.as_deref()),
            Field::Priority => Cell::opt_text(action.priority.map(priority_label)),
            Field::Notes => Cell::opt_text(action.notes.as_deref()),
        };
        cell.plain()
    }
}

/// The text a reader gets back from a cell holding `s`: line breaks as `\n`, no
/// trailing white space (the workbook writes text trimmed).
pub fn plain_text(s: &str) -> String {
    s.replace("\r\n", "\n").trim_end().to_owned()
}

/// A number as the marker records it: whole numbers without a fraction.
pub fn plain_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The row key of a table's row: its control id, and for the Documents sheet the
/// document's path.
pub fn row_key(headers: &[String], cells: &[String]) -> Option<String> {
    let at = |h: &str| {
        headers
            .iter()
            .position(|x| x == h)
            .and_then(|i| cells.get(i))
    };
    let id = at(CONTROL)?;
    Some(match at(DOCUMENT) {
        Some(doc) => format!("{id}\n{doc}"),
        None => id.clone(),
    })
}

/// Adds the very hidden marker sheet recording `origin` and the `tables` (sheet name,
/// table), as the last sheet.
pub(super) fn write(
    wb: &mut Workbook,
    origin: &Origin,
    tables: &[(&str, &Table)],
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    ws.set_very_hidden(true);
    let mut row = 0u32;
    let mut put = |ws: &mut rust_xlsxwriter::Worksheet, values: Vec<String>| {
        for (c, v) in values.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            if !v.is_empty() {
                ws.write_string(row, c, v)?;
            }
        }
        row += 1;
        Ok::<(), XlsxError>(())
    };
    put(
        ws,
        vec![
            FORMAT.to_owned(),
            origin.commit.clone().unwrap_or_default(),
            origin.assessment.clone(),
            if origin.dirty { "dirty" } else { "" }.to_owned(),
        ],
    )?;
    for (name, table) in tables {
        let headers: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        let mut first = vec![TABLE.to_owned(), (*name).to_owned()];
        first.extend(headers.iter().cloned());
        put(ws, first)?;
        for cells in &table.rows {
            let plain: Vec<String> = cells.iter().map(Cell::plain).collect();
            let Some(key) = row_key(&headers, &plain) else {
                continue;
            };
            let mut record = vec![ROW.to_owned(), key];
            record.extend(plain);
            put(ws, record)?;
        }
    }
    Ok(())
}
