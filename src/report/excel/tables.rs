//! The workbook's tables: provider- and customer-managed controls, the customer
//! controls' implementation narrative, action items and documents, as columns and rows
//! of [`Cell`]s in catalog order.
//!
//! Invariants:
//! - Every table prints one landscape page wide at a readable size (at least 65 % of
//!   Calibri 11, about 7 points, on US Letter with Calibri's metrics): no table has more
//!   than about 190 characters of columns. That is why a customer control takes two
//!   sheets: "Customer controls" says where it stands (status, person, test, score),
//!   "Implementation" what was written about it (implementation, test plan, management
//!   response, documents); in one table those 14 columns printed at 40 %.
//! - The words are the ones every output uses: the family column is headed by the
//!   certification's own term ([`Certification::family_term`]), the references column by
//!   [`Certification::reference_term`] and left out when that is `None`; a control with
//!   nothing recorded reads "Not started" and "Not tested" ([`Status::label_of`],
//!   [`TestResult::label_of`]); any other missing value is a blank cell.
//! - "Score" and "Maximum" are numbers per control, summing to the Summary's compliance
//!   score and maximum, so an auditor can add up any filtered selection.
//! - A document's dates are date cells, and its freshness ("Expired", "Expiring",
//!   "Valid") is judged on the report's day, `ReportContext::today` (the CLI's `--today`),
//!   never the clock: a workbook made with `--today` is the same bytes whenever it is made.
//! - Every document link is of one kind: pinned by `report.link_base` when it is set and
//!   the report has a commit, else the document's path relative to the workbook's folder.

use super::sheet::{Cell, Column, Target, Tone};
use crate::model::{
    Certification, ControlRecord, Document, Freshness, Priority, Purpose, Status, TestResult,
};
use crate::ops::score::{self, ControlView, Managed};
use crate::report::ReportContext;

/// Widths, in characters, at which a column's text wraps: narrow enough that every
/// table, scaled to one landscape page wide, prints at 65 % or more (see the module
/// docs; `workbook_print::the_demo_gdpr_workbook_prints_in_a_few_whole_pages` measures
/// it).
const LABEL: usize = 16;
const NARROW: usize = 16;
/// An e-mail address: `bob@contoso.com` whole, a long one broken.
const EMAIL: usize = 22;
const TITLE: usize = 22;
const PROSE: usize = 28;
/// The Implementation sheet's text columns: its few columns leave room for wider ones,
/// and shorter rows.
const NARRATIVE: usize = 34;
const WIDE: usize = 40;
/// A hyperlink's text never wraps in LibreOffice (it is cut at the cell's edge): link
/// columns are as wide as the paths, up to this.
const LINKS: usize = 56;
/// A SHA-256 in hex, whole on one line (LibreOffice does not break a word).
const DIGEST: usize = 64;

/// A table: its columns and its rows.
pub(super) struct Table {
    pub(super) columns: Vec<Column>,
    pub(super) rows: Vec<Vec<Cell>>,
}

/// The rows of the control sheets, in catalog order; action items by person.
pub(super) struct Tables {
    pub(super) provider: Table,
    pub(super) customer: Table,
    /// What was written about the customer controls that have any of it.
    pub(super) narrative: Table,
    pub(super) actions: Table,
    pub(super) documents: Table,
}

/// What the tables need besides the controls: the certification's words, how to name
/// a person, and how to link a document.
pub(super) struct Words<'a> {
    pub(super) family: &'a str,
    pub(super) reference: Option<&'a str>,
    pub(super) person_name: &'a dyn Fn(&str) -> Option<String>,
    pub(super) ctx: &'a ReportContext,
    /// The path from the workbook's folder to the repository root (`../`).
    pub(super) up: &'a str,
    /// `evidence.warn_days` of assure.yaml, for the documents' freshness.
    pub(super) warn_days: u32,
}

impl Words<'_> {
    /// The columns every control table starts with.
    fn lead(&self) -> Vec<Column> {
        let mut columns = vec![
            Column::new(self.family, NARROW),
            Column::new("Control", WIDE),
            Column::new("Title", TITLE),
        ];
        columns.extend(self.reference.map(|r| Column::new(r, NARROW)));
        columns
    }

    /// The cells under [`Words::lead`].
    fn lead_cells(&self, view: &ControlView) -> Vec<Cell> {
        let c = view.control;
        let mut cells = vec![
            Cell::text(view.family),
            Cell::text(&c.id),
            Cell::text(&c.title),
        ];
        if self.reference.is_some() {
            cells.push(Cell::Text(c.articles.join("; ")));
        }
        cells
    }

    /// A document's link: pinned to the commit by `link_base`, else its path from the
    /// workbook's folder.
    fn document(&self, path: &str) -> Target {
        let pinned = self.ctx.link_base.is_some() && self.ctx.commit.is_some();
        Target {
            link: self.ctx.document_link(path),
            up: (!pinned).then(|| self.up.to_owned()),
        }
    }
}

impl Tables {
    pub(super) fn of(views: &[ControlView], words: &Words) -> Tables {
        let mut t = Tables {
            provider: Table {
                columns: provider_columns(words),
                rows: Vec::new(),
            },
            customer: Table {
                columns: customer_columns(words),
                rows: Vec::new(),
            },
            narrative: Table {
                columns: narrative_columns(),
                rows: Vec::new(),
            },
            actions: Table {
                columns: action_columns(),
                rows: Vec::new(),
            },
            documents: Table {
                columns: document_columns(words),
                rows: Vec::new(),
            },
        };
        let mut actions = Vec::new();
        for view in views {
            match view.managed {
                Managed::Provider(p) => {
                    let mut row = words.lead_cells(view);
                    row.extend([
                        status_cell(Some(p.status)),
                        Cell::Date(p.test_date),
                        result_cell(Some(p.test_result)),
                    ]);
                    row.extend(points(view));
                    row.extend([Cell::text(&p.tested_by), Cell::text(&p.description)]);
                    t.provider.rows.push(row);
                }
                Managed::Customer(record) => {
                    let r = record.cloned().unwrap_or_default();
                    if let Some(to) = &r.assigned_to {
                        actions.push((to.to_lowercase(), action_row(view, &r, to, words)));
                    }
                    t.customer.rows.push(customer_row(view, &r, words));
                    let docs = t.documents_cell(view, &r, words);
                    t.narrative.rows.extend(narrative_row(view, &r, docs));
                }
            }
        }
        // By person, then catalog order (the sort is stable).
        actions.sort_by(|a, b| a.0.cmp(&b.0));
        t.actions.rows = actions.into_iter().map(|(_, row)| row).collect();
        t
    }

    /// A customer control's documents cell, and its documents' rows in the Documents
    /// sheet: one document links to it; several are listed, a path a line.
    fn documents_cell(&mut self, view: &ControlView, r: &ControlRecord, words: &Words) -> Cell {
        let c = view.control;
        let cell = match r.documents.as_slice() {
            [] => Cell::Empty,
            [d] => Cell::Link {
                to: words.document(&d.path),
                text: d.path.clone(),
            },
            // Plain text, a path a line: LibreOffice shows a hyperlink's text on one
            // line, cut at the cell's edge. Each has its link in the Documents sheet.
            many => Cell::Text(
                many.iter()
                    .map(|d| d.path.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        };
        for d in &r.documents {
            self.documents.rows.push(vec![
                Cell::text(view.family),
                Cell::text(&c.id),
                Cell::Link {
                    to: words.document(&d.path),
                    text: d.path.clone(),
                },
                Cell::opt_text(d.purpose.map(|p| match p {
                    Purpose::Implementation => "Implementation",
                    Purpose::Testing => "Testing",
                })),
                d.collected_on.map_or(Cell::Empty, Cell::Date),
                d.valid_until.map_or(Cell::Empty, Cell::Date),
                freshness_cell(d, words),
                Cell::text(&d.sha256),
            ]);
        }
        cell
    }
}

fn provider_columns(words: &Words) -> Vec<Column> {
    let mut columns = words.lead();
    columns.extend([
        Column::new("Status", LABEL),
        Column::new("Test date", WIDE),
        Column::new("Test result", LABEL),
        Column::new("Score", WIDE),
        Column::new("Maximum", WIDE),
        Column::new("Tested by", NARROW),
        Column::new("Description", PROSE),
    ]);
    columns
}

fn customer_columns(words: &Words) -> Vec<Column> {
    let mut columns = words.lead();
    columns.extend([
        Column::new("Status", LABEL),
        Column::new("Assigned to", EMAIL),
        Column::new("Test date", WIDE),
        Column::new("Test result", LABEL),
        Column::new("Score", WIDE),
        Column::new("Maximum", WIDE),
    ]);
    columns
}

/// A customer control's row: where it stands.
fn customer_row(view: &ControlView, r: &ControlRecord, words: &Words) -> Vec<Cell> {
    let mut row = words.lead_cells(view);
    row.extend([
        status_cell(r.status),
        Cell::opt_text(r.assigned_to.as_deref()),
        r.test_date.map_or(Cell::Empty, Cell::Date),
        result_cell(r.test_result),
    ]);
    row.extend(points(view));
    row
}

fn narrative_columns() -> Vec<Column> {
    vec![
        Column::new("Control", WIDE),
        Column::new("Title", TITLE),
        Column::new("Implementation", NARRATIVE),
        Column::new("Test plan", NARRATIVE),
        Column::new("Management response", NARRATIVE),
        Column::new("Documents", LINKS),
    ]
}

/// A customer control's row in the Implementation sheet: what was written about it and
/// its documents; none when nothing was (its status is in Customer controls).
fn narrative_row(view: &ControlView, r: &ControlRecord, docs: Cell) -> Option<Vec<Cell>> {
    let texts = [&r.implementation, &r.test_plan, &r.management_response];
    if texts.iter().all(|t| t.is_none()) && r.documents.is_empty() {
        return None;
    }
    let c = view.control;
    let mut row = vec![Cell::text(&c.id), Cell::text(&c.title)];
    row.extend(texts.map(|t| Cell::opt_text(t.as_deref())));
    row.push(docs);
    Some(row)
}

fn action_columns() -> Vec<Column> {
    vec![
        Column::new("Person", WIDE),
        Column::new("Name", NARROW),
        Column::new("Control", WIDE),
        Column::new("Title", TITLE),
        Column::new("Priority", LABEL),
        Column::new("Notes", PROSE),
        Column::new("Status", LABEL),
        Column::new("Test result", LABEL),
    ]
}

/// The Documents sheet: one row per document. No title column (the control sheets have
/// it): with the dates and their state, the sheet must still print one page wide at 65 %.
fn document_columns(words: &Words) -> Vec<Column> {
    vec![
        Column::new(words.family, NARROW),
        Column::new("Control", WIDE),
        Column::new("Document", LINKS),
        Column::new("Purpose", LABEL),
        Column::new("Collected on", NARROW),
        Column::new("Valid until", NARROW),
        Column::new("Evidence", LABEL),
        Column::new("SHA-256", DIGEST),
    ]
}

/// An action item's row: the assigned person, the control, the action and where the
/// control stands.
fn action_row(view: &ControlView, r: &ControlRecord, to: &str, words: &Words) -> Vec<Cell> {
    let action = r.action.clone().unwrap_or_default();
    vec![
        Cell::text(to),
        Cell::opt_text((words.person_name)(to).as_deref()),
        Cell::text(&view.control.id),
        Cell::text(&view.control.title),
        Cell::opt_text(action.priority.map(priority_label)),
        Cell::opt_text(action.notes.as_deref()),
        status_cell(r.status),
        result_cell(r.test_result),
    ]
}

/// The control's score earned and its maximum, as [`score::score`] counts them
/// ([`score::points`]).
fn points(view: &ControlView) -> [Cell; 2] {
    let (earned, possible) = score::points(view);
    [
        Cell::Number(f64::from(earned)),
        Cell::Number(f64::from(possible)),
    ]
}

/// A status cell, coloured by what it means; "Not started" when none is recorded.
pub(super) fn status_cell(status: Option<Status>) -> Cell {
    match status {
        Some(s) => Cell::Toned(
            s.label(),
            match s {
                Status::Implemented | Status::AlternativeImplementation => Tone::Green,
                Status::Planned => Tone::Amber,
                Status::NotInScope => Tone::Grey,
            },
        ),
        None => Cell::text(Status::label_of(None)),
    }
}

/// A test-result cell, coloured by what it means; "Not tested" when none is recorded.
pub(super) fn result_cell(result: Option<TestResult>) -> Cell {
    match result {
        Some(r) => Cell::Toned(
            r.label(),
            match r {
                TestResult::Passed => Tone::Green,
                TestResult::FailedLowRisk => Tone::Yellow,
                TestResult::FailedMediumRisk => Tone::Orange,
                TestResult::FailedHighRisk => Tone::Red,
            },
        ),
        None => Cell::text(TestResult::label_of(None)),
    }
}

/// A document's freshness on the report's day (`ctx.today`, the CLI's `--today`):
/// "Expired" red, "Expiring" amber (within `evidence.warn_days`), "Valid" green; blank
/// without a `valid_until`. The word says it, the colour only repeats it.
fn freshness_cell(d: &Document, words: &Words) -> Cell {
    if d.valid_until.is_none() {
        return Cell::Empty;
    }
    match d.freshness(words.ctx.today, words.warn_days) {
        Freshness::Expired(_) => Cell::Toned("Expired", Tone::Red),
        Freshness::Expiring(_) => Cell::Toned("Expiring", Tone::Amber),
        Freshness::Valid => Cell::Toned("Valid", Tone::Green),
    }
}

pub(super) fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Low => "Low",
        Priority::Medium => "Medium",
        Priority::High => "High",
    }
}

/// The words of a certification for the tables: its family term and reference term.
pub(super) fn terms(cert: Option<&Certification>) -> (&str, Option<&str>) {
    cert.map_or(("Family", None), |c| (c.family_term(), c.reference_term()))
}
