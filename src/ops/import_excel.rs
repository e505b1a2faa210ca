//! `assure import excel`: an auditor's edits to a workbook that `assure report excel`
//! made, brought back as the edits the CLI makes (DESIGN.md §11, issue 21).
//!
//! [`plan`] reads the workbook and finds what the auditor changed: each cell is compared
//! with the workbook's own record of it (the very hidden sheet of
//! [`crate::report::excel::marker`]), never with today's repository. Rows are matched
//! by their control id, never by position, so sorting, filtering, deleting rows or
//! renaming a sheet change nothing. [`apply`] then makes those changes in a
//! [`Session`], whose `finish` checks the acting person's permissions, syncs, rewrites
//! with minimal diffs and writes all or nothing, as for `assure control set`.
//!
//! Invariants:
//! - Nothing is applied unless every change is: a read-only cell edited, a value that is
//!   not one the field takes, a formula, a row the workbook did not have, or a conflict
//!   (the repository changed the cell since the workbook was made, and the auditor
//!   changed it otherwise) refuses the whole import ([`ImportError::Refused`]).
//! - A cell the repository changed and the auditor did not is not an edit; a cell the
//!   auditor changed and the repository did not applies, whatever else changed in the
//!   control.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;

use super::Project;
use super::commands::{self, ControlEdit};
use super::edit::{EditError, Session};
use crate::model::{Action, ControlRecord, Priority, Status, TestResult};
use crate::report::excel::marker::{self, Field, Origin};
use crate::report::excel::read::{self, ReadError, Sheet};
use crate::report::excel::{ACTIONS, CUSTOMER, NARRATIVE};

/// Why a workbook was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not a workbook, unreadable, too large (exit 2).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A workbook, but not one `assure report excel` made, or one this repository cannot
    /// place (exit 2).
    #[error("{0}")]
    NotOurs(String),
    /// Edits that may not be applied; nothing was written (exit 1).
    #[error("the workbook's edits were not applied, and nothing was written:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Refused(Vec<String>),
}

/// A field's new value, as typed.
#[derive(Debug, Clone, PartialEq)]
pub enum New {
    Status(Option<Status>),
    Person(Option<String>),
    Date(Option<NaiveDate>),
    Result(Option<TestResult>),
    Text(Option<String>),
    Priority(Option<Priority>),
}

/// One cell the auditor changed.
#[derive(Debug, Clone)]
pub struct CellEdit {
    /// Where: `Customer controls!E3`.
    pub cell: String,
    pub control: String,
    pub field: Field,
    /// The value the workbook was made with, and the new one, as the workbook shows them.
    pub before: String,
    pub after: String,
    pub new: New,
}

/// What a workbook asks for.
#[derive(Debug)]
pub struct Plan {
    pub origin: Origin,
    /// The changes to make, by control and field.
    pub edits: Vec<CellEdit>,
    /// What the auditor did that changes nothing (rows deleted, a value the repository
    /// already holds).
    pub notes: Vec<String>,
}

/// A table as the marker recorded it.
struct Recorded {
    sheet: String,
    headers: Vec<String>,
    rows: BTreeMap<String, Vec<String>>,
}

/// Reads the workbook at `path` and returns where it comes from (to load the project
/// it belongs to) and its sheets.
pub fn open(path: &Path) -> Result<(Origin, Vec<Sheet>), ImportError> {
    let sheets = read::read(path)?;
    let name = path.display();
    let m = marker_sheet(&sheets).ok_or_else(|| {
        ImportError::NotOurs(format!(
            "{name} was not made by `assure report excel` (it has no `{}` sheet recording what it was made from); make the workbook with `assure report excel`, edit it, and import that",
            marker::SHEET
        ))
    })?;
    let first = m.row(0);
    let at = |i: usize| first.get(i).cloned().unwrap_or_default();
    let origin = Origin {
        commit: Some(at(1)).filter(|c| !c.is_empty()),
        assessment: at(2),
        dirty: at(3) == "dirty",
    };
    if origin.assessment.is_empty() {
        return Err(ImportError::NotOurs(format!(
            "{name}: its `{}` sheet names no assessment; make the workbook again with `assure report excel`",
            marker::SHEET
        )));
    }
    Ok((origin, sheets))
}

/// The marker sheet: by name, else the sheet whose first cell is the marker's.
fn marker_sheet(sheets: &[Sheet]) -> Option<&Sheet> {
    let ours = |s: &&Sheet| s.text((0, 0)) == marker::FORMAT;
    sheets
        .iter()
        .filter(ours)
        .find(|s| s.name == marker::SHEET)
        .or_else(|| sheets.iter().find(ours))
}

fn recorded_tables(m: &Sheet) -> Vec<Recorded> {
    let mut tables: Vec<Recorded> = Vec::new();
    for r in m.rows().into_iter().skip(1) {
        let row = m.row(r);
        match row.first().map(String::as_str) {
            Some(marker::TABLE) => tables.push(Recorded {
                sheet: row.get(1).cloned().unwrap_or_default(),
                headers: row.get(2..).map(<[String]>::to_vec).unwrap_or_default(),
                rows: BTreeMap::new(),
            }),
            Some(marker::ROW) => {
                if let (Some(t), Some(key)) = (tables.last_mut(), row.get(1)) {
                    let mut cells = row.get(2..).map(<[String]>::to_vec).unwrap_or_default();
                    cells.resize(t.headers.len(), String::new());
                    t.rows.insert(key.clone(), cells);
                }
            }
            _ => {}
        }
    }
    tables
}

/// A cell's address as a spreadsheet names it: `Customer controls!E3`.
fn address(sheet: &str, (row, col): (u32, u32)) -> String {
    let mut letters = String::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    format!("{sheet}!{letters}{}", row + 1)
}

/// The sheet holding a recorded table: its header row holds every recorded header; the
/// one of the same name first (a sheet may have been renamed).
fn find_sheet<'s>(
    sheets: &'s [Sheet],
    t: &Recorded,
    taken: &BTreeSet<String>,
) -> Option<&'s Sheet> {
    let fits = |s: &&Sheet| {
        let header = s.row(0);
        !taken.contains(&s.name) && t.headers.iter().all(|h| header.contains(h))
    };
    sheets
        .iter()
        .filter(fits)
        .find(|s| s.name == t.sheet)
        .or_else(|| sheets.iter().filter(|s| s.name != marker::SHEET).find(fits))
}

/// What the auditor changed in the workbook `sheets` made from `origin`, checked
/// against the repository as it is now (`project`); `today` bounds test dates.
pub fn plan(
    project: &Project,
    origin: Origin,
    sheets: &[Sheet],
    today: NaiveDate,
) -> Result<Plan, ImportError> {
    let assessment = project.assessment(&origin.assessment).map_err(|e| {
        ImportError::NotOurs(format!(
            "the workbook is of the assessment `{}`, which is not in this repository: {e}",
            origin.assessment
        ))
    })?;
    let m = marker_sheet(sheets).expect("open found it");
    let tables = recorded_tables(m);
    let mut judge = Judge {
        current: &assessment.doc.value.controls,
        people: project
            .ws
            .config
            .as_ref()
            .map(|c| c.value.people.as_slice())
            .unwrap_or_default(),
        today,
        customer_ids: tables
            .iter()
            .filter(|t| t.sheet == CUSTOMER)
            .flat_map(|t| t.rows.keys().cloned())
            .collect(),
        problems: Vec::new(),
        notes: Vec::new(),
        edits: Vec::new(),
    };
    let mut taken = BTreeSet::new();
    for t in &tables {
        let editable = t.headers.iter().any(|h| Field::of(&t.sheet, h).is_some());
        let Some(sheet) = find_sheet(sheets, t, &taken) else {
            if editable {
                return Err(ImportError::NotOurs(format!(
                    "the workbook has no sheet `{}` (or its header row changed: it must hold {}); give the sheet back its name or its header row, then import again",
                    t.sheet,
                    t.headers.join(", ")
                )));
            }
            judge.notes.push(format!(
                "the sheet `{}` is not in the workbook (deleted, or its header row changed); it holds nothing to import",
                t.sheet
            ));
            continue;
        };
        taken.insert(sheet.name.clone());
        judge.table(t, sheet);
    }
    if !judge.problems.is_empty() {
        return Err(ImportError::Refused(judge.problems));
    }
    Ok(Plan {
        origin,
        edits: judge.edits,
        notes: judge.notes,
    })
}

/// Compares a workbook's cells with its record and the repository, collecting edits,
/// notes and problems.
struct Judge<'a> {
    current: &'a BTreeMap<String, ControlRecord>,
    people: &'a [crate::model::Person],
    today: NaiveDate,
    /// The assessment's customer controls, as the workbook recorded them.
    customer_ids: BTreeSet<String>,
    problems: Vec<String>,
    notes: Vec<String>,
    edits: Vec<CellEdit>,
}

/// A row of a sheet, read in the order of its recorded table's headers.
struct RowAt<'s> {
    sheet: &'s Sheet,
    row: u32,
    /// The sheet's column of each recorded header.
    columns: &'s [u32],
    cells: Vec<String>,
}

impl RowAt<'_> {
    fn address(&self, i: usize) -> String {
        address(&self.sheet.name, (self.row, self.columns[i]))
    }
}

impl Judge<'_> {
    /// Every row of `sheet`, the sheet found for the recorded table `t`.
    fn table(&mut self, t: &Recorded, sheet: &Sheet) {
        let header = sheet.row(0);
        let columns: Vec<u32> = t
            .headers
            .iter()
            .map(|h| header.iter().position(|x| x == h).unwrap_or(0) as u32)
            .collect();
        let mut seen = BTreeSet::new();
        for r in sheet.rows().into_iter().filter(|&r| r > 0) {
            let cells: Vec<String> = columns
                .iter()
                .map(|&c| sheet.text((r, c)).to_owned())
                .collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            let row = RowAt {
                sheet,
                row: r,
                columns: &columns,
                cells,
            };
            self.row(t, &row, &mut seen);
        }
        let deleted = t.rows.keys().filter(|k| !seen.contains(*k)).count();
        if deleted > 0 {
            self.notes.push(format!(
                "{deleted} row(s) of `{}` are not in the workbook; deleting a row changes nothing",
                sheet.name
            ));
        }
    }

    /// One row: matched to its record by its key, then compared cell by cell.
    fn row(&mut self, t: &Recorded, row: &RowAt, seen: &mut BTreeSet<String>) {
        for (i, &c) in row.columns.iter().enumerate() {
            if let Some(f) = row
                .sheet
                .cells
                .get(&(row.row, c))
                .and_then(|v| v.formula.as_ref())
            {
                self.problems.push(format!(
                    "{} holds a formula (={f}); type the value itself",
                    row.address(i)
                ));
            }
        }
        let key = marker::row_key(&t.headers, &row.cells).unwrap_or_default();
        let id_at = row.address(
            t.headers
                .iter()
                .position(|h| h == marker::CONTROL)
                .unwrap_or(0),
        );
        if !seen.insert(key.clone()) {
            self.problems.push(format!(
                "{id_at}: a second row for `{key}`; delete one of them"
            ));
            return;
        }
        let original = match t.rows.get(&key) {
            Some(o) => o.clone(),
            // A customer control without a row in Implementation: the auditor may add
            // one to write its texts.
            None if t.sheet == NARRATIVE && self.customer_ids.contains(&key) => {
                vec![String::new(); t.headers.len()]
            }
            None => {
                self.problems.push(format!(
                    "{id_at}: a row for `{}`, which the workbook did not have; rows cannot be added here (edit the control's own row)",
                    key.replace('\n', " ")
                ));
                return;
            }
        };
        let added = !t.rows.contains_key(&key);
        for (i, h) in t.headers.iter().enumerate() {
            let (now, was) = (&row.cells[i], &original[i]);
            let field = Field::of(&t.sheet, h);
            // An added row's read-only cells (its title) are not compared.
            if now == was || (field.is_none() && added) {
                continue;
            }
            let at = row.address(i);
            match field {
                None => self.problems.push(format!(
                    "{at} ({h} of {key}) is read-only, and was changed from {was:?} to {now:?}; {}",
                    read_only_hint(&t.sheet, h)
                )),
                Some(field) => self.cell(at, &key, field, was, now),
            }
        }
    }

    /// An editable cell the auditor changed from `was` to `now`.
    fn cell(&mut self, at: String, id: &str, field: Field, was: &str, now: &str) {
        if was.ends_with(crate::report::excel::TRUNCATED) {
            self.problems.push(format!(
                "{at}: the {} of {id} is too long for a cell, so the workbook holds it cut; edit it with `assure control set`",
                field.name()
            ));
            return;
        }
        let new = match parse(field, now, self.today, self.people) {
            Ok(new) => new,
            Err(why) => {
                self.problems
                    .push(format!("{at} ({} of {id}): {why}", field.name()));
                return;
            }
        };
        let after = shown(field, &new);
        if after == was {
            return;
        }
        let repo = field.shown(self.current.get(id));
        if repo == was {
            self.edits.push(CellEdit {
                cell: at,
                control: id.to_owned(),
                field,
                before: was.to_owned(),
                after,
                new,
            });
        } else if repo == after {
            self.notes.push(format!(
                "{at}: the {} of {id} is already {after:?} in the repository",
                field.name()
            ));
        } else {
            self.problems.push(format!(
                "conflict at {at}: the {} of {id} was {was:?} when the workbook was made; since then the repository changed it to {repo:?}, and the workbook to {after:?}. Decide which is right: enter it with `assure control …`, or make a new workbook and enter the change there",
                field.name()
            ));
        }
    }
}

/// Where to make a change to a read-only cell instead.
fn read_only_hint(sheet: &str, header: &str) -> &'static str {
    match (sheet, header) {
        (ACTIONS, "Status" | "Test result") => "change it in the `Customer controls` sheet",
        (ACTIONS, "Person" | "Name") => {
            "change who is assigned in the `Customer controls` sheet (Assigned to)"
        }
        _ => "ids, titles, scores and what the provider or the catalog says are not edited here",
    }
}

/// The value typed into a cell of `field`, or why it is not one.
fn parse(
    field: Field,
    text: &str,
    today: NaiveDate,
    people: &[crate::model::Person],
) -> Result<New, String> {
    let t = text.trim();
    let is = |label: &str| t.eq_ignore_ascii_case(label);
    Ok(match field {
        Field::Status => New::Status(if t.is_empty() || is(Status::label_of(None)) {
            None
        } else {
            Some(
                Status::ALL
                    .into_iter()
                    .find(|s| is(s.label()) || is(s.as_str()))
                    .ok_or_else(|| {
                        format!(
                            "{t:?} is not a status; write one of {}, or {}",
                            Status::ALL.map(Status::label).join(", "),
                            Status::label_of(None)
                        )
                    })?,
            )
        }),
        Field::TestResult => New::Result(if t.is_empty() || is(TestResult::label_of(None)) {
            None
        } else {
            Some(
                TestResult::ALL
                    .into_iter()
                    .find(|r| is(r.label()) || is(r.as_str()))
                    .ok_or_else(|| {
                        format!(
                            "{t:?} is not a test result; write one of {}, or {}",
                            TestResult::ALL.map(TestResult::label).join(", "),
                            TestResult::label_of(None)
                        )
                    })?,
            )
        }),
        Field::Priority => New::Priority(match t.to_ascii_lowercase().as_str() {
            "" => None,
            "low" => Some(Priority::Low),
            "medium" => Some(Priority::Medium),
            "high" => Some(Priority::High),
            _ => {
                return Err(format!(
                    "{t:?} is not a priority; write Low, Medium or High"
                ));
            }
        }),
        Field::TestDate => New::Date(if t.is_empty() {
            None
        } else {
            let date = date(t).ok_or_else(|| format!("{t:?} is not a date; write YYYY-MM-DD"))?;
            if date > today {
                return Err(format!(
                    "the test date {date} is in the future (today is {today}); record a test after it is performed"
                ));
            }
            Some(date)
        }),
        Field::AssignedTo => New::Person(if t.is_empty() {
            None
        } else {
            Some(
                super::project::person_in(people, t)
                    .map_err(|e| e.0)?
                    .email
                    .clone(),
            )
        }),
        Field::Implementation | Field::TestPlan | Field::ManagementResponse | Field::Notes => {
            New::Text(Some(text.to_owned()).filter(|t| !t.trim().is_empty()))
        }
    })
}

/// A date as a cell holds it: YYYY-MM-DD (a date cell reads so), or an Excel date serial
/// typed into a cell without a date format.
fn date(t: &str) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d);
    }
    let serial: f64 = t.parse().ok()?;
    if !(1.0..2_958_466.0).contains(&serial) || serial.fract() != 0.0 {
        return None;
    }
    let dt = calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, false);
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
}

/// A new value as the workbook would show it.
fn shown(field: Field, new: &New) -> String {
    let mut r = ControlRecord::default();
    match (new, field) {
        // A text is shown by its own field: without it, every new text would read ""
        // and one typed into an empty cell would seem to change nothing.
        (New::Text(v), Field::Implementation) => r.implementation = v.clone(),
        (New::Text(v), Field::TestPlan) => r.test_plan = v.clone(),
        (New::Text(v), Field::ManagementResponse) => r.management_response = v.clone(),
        (New::Text(v), Field::Notes) => {
            r.action.get_or_insert_with(Action::default).notes = v.clone()
        }
        (new, _) => set(&mut r, new.clone()),
    }
    field.shown(Some(&r))
}

/// Sets the field `new` is a value of (texts by `field`).
fn set(r: &mut ControlRecord, new: New) {
    match new {
        New::Status(v) => r.status = v,
        New::Person(v) => r.assigned_to = v,
        New::Date(v) => r.test_date = v,
        New::Result(v) => r.test_result = v,
        New::Priority(v) => r.action.get_or_insert_with(Action::default).priority = v,
        // Texts are told apart by their field: see `apply_text`.
        New::Text(_) => {}
    }
}

/// Makes the plan's changes in the session, as `control set`, `control test`, `assign`
/// and `unassign` make them.
pub fn apply(s: &mut Session, plan: &Plan) -> Result<(), EditError> {
    let key = plan.origin.assessment.as_str();
    let mut by_control: BTreeMap<&str, Vec<&CellEdit>> = BTreeMap::new();
    for e in &plan.edits {
        by_control.entry(&e.control).or_default().push(e);
    }
    let today = s.today();
    for (id, edits) in by_control {
        let mut texts = ControlEdit::default();
        for e in &edits {
            if let New::Text(v) = &e.new {
                match e.field {
                    Field::Implementation => texts.implementation = Some(v.clone()),
                    Field::TestPlan => texts.test_plan = Some(v.clone()),
                    Field::ManagementResponse => texts.management_response = Some(v.clone()),
                    _ => {}
                }
            }
            if let New::Status(v) = &e.new {
                texts.status = Some(*v);
            }
        }
        commands::set_control(s, key, id, texts)?;
        let i = s.find(key)?;
        let r = s.record(i, id)?;
        for e in &edits {
            match (&e.new, e.field) {
                (New::Text(v), Field::Notes) => {
                    r.action.get_or_insert_with(Action::default).notes = v.clone();
                }
                (New::Person(None), _) => {
                    // As `assure unassign`: the notes stay for the next assignment.
                    r.assigned_to = None;
                    if let Some(a) = &mut r.action {
                        a.notify = false;
                    }
                }
                (New::Text(_) | New::Status(_), _) => {}
                (new, _) => set(r, new.clone()),
            }
        }
        // As `assure control test`: a result is dated, today unless a date is given.
        if r.test_result.is_some() && r.test_date.is_none() {
            r.test_date = Some(today);
        }
        commands::drop_empty_action(r);
        commands::prune(s, i, id)?;
    }
    Ok(())
}
