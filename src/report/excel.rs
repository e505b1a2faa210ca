//! The auditor's workbook (DESIGN.md §7.1): one assessment as an .xlsx snapshot.
//!
//! Sheets: "Summary" (where the workbook comes from, score and progress, per-family
//! progress), "Provider controls", "Customer controls" (every customer-managed control
//! of the certification, not-started ones blank), "Action items" and "Documents" (one row
//! per evidence document, each a hyperlink pinned to the commit through
//! `report.link_base`).
//!
//! Invariants:
//! - Every piece of user text goes through `write_string`: a note that starts with `=`,
//!   `+`, `-` or `@` stays text and is never evaluated; the workbook holds no formula.
//! - Dates are real Excel dates (`yyyy-mm-dd`), times are UTC (`yyyy-mm-dd hh:mm "UTC"`).
//! - The bytes depend only on the project and the context: the document properties carry
//!   `ctx.generated_at`, never the clock, so the same commit renders byte-identical files.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Url, Workbook,
    Worksheet, XlsxError,
};

use super::{ReportContext, ReportError};
use crate::model::{Priority, Status, TestResult};
use crate::ops::Project;
use crate::ops::score::{self, Managed};
use crate::repo::AssessmentDoc;
use crate::rules::links::{self, Link};

const SUMMARY: &str = "Summary";
const PROVIDER: &str = "Provider controls";
const CUSTOMER: &str = "Customer controls";
const ACTIONS: &str = "Action items";
const DOCUMENTS: &str = "Documents";

/// Column headers of the tables, in order.
const PROVIDER_COLUMNS: [&str; 9] = [
    "Family",
    "Control",
    "Title",
    "Articles",
    "Status",
    "Test date",
    "Test result",
    "Tested by",
    "Description",
];
const CUSTOMER_COLUMNS: [&str; 12] = [
    "Family",
    "Control",
    "Title",
    "Articles",
    "Status",
    "Assigned to",
    "Implementation",
    "Test plan",
    "Management response",
    "Test date",
    "Test result",
    "Documents",
];
const ACTION_COLUMNS: [&str; 8] = [
    "Person",
    "Name",
    "Control",
    "Title",
    "Priority",
    "Notes",
    "Status",
    "Test result",
];
const DOCUMENT_COLUMNS: [&str; 6] = [
    "Family", "Control", "Title", "Document", "Purpose", "SHA-256",
];
/// The column of the Documents sheet that holds the hyperlink ("Document").
const DOCUMENT_LINK_COLUMN: char = 'D';

/// Text columns are at most this wide; longer text wraps.
const MAX_WIDTH: usize = 60;
/// Excel refuses cells longer than 32,767 UTF-16 units; longer text is cut here.
const MAX_TEXT: usize = 32_000;
const TRUNCATED: &str = "… (truncated: the full text is in the assessment file)";

/// The workbook of one assessment, as the bytes of an .xlsx file.
pub fn workbook(
    project: &Project,
    assessment: &AssessmentDoc,
    ctx: &ReportContext,
) -> Result<Vec<u8>, ReportError> {
    let sheets = Sheets::build(project, assessment, ctx)?;
    sheets
        .render(ctx)
        .map_err(|e| ReportError::Excel(e.to_string()))
}

/// Colours of status and test-result cells: light fills with dark text, the same meaning
/// as on the report site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
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

    fn of_status(status: Status) -> Tone {
        match status {
            Status::Implemented | Status::AlternativeImplementation => Tone::Green,
            Status::Planned => Tone::Amber,
            Status::NotInScope => Tone::Grey,
        }
    }

    fn of_result(result: TestResult) -> Tone {
        match result {
            TestResult::Passed => Tone::Green,
            TestResult::FailedLowRisk => Tone::Yellow,
            TestResult::FailedMediumRisk => Tone::Orange,
            TestResult::FailedHighRisk => Tone::Red,
        }
    }
}

/// One cell's value, before it is written.
#[derive(Debug, Clone)]
enum Cell {
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

/// Where a link leads.
#[derive(Debug, Clone)]
enum Target {
    /// A place in the workbook, `internal:Sheet!A1`, that the workbook itself makes.
    Internal(String),
    /// A document's link (see [`ReportContext::document_link`]): from the data.
    Document(String),
}

impl Cell {
    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, Cell::text)
    }

    fn status(s: Option<Status>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Toned(s.label(), Tone::of_status(s)))
    }

    fn result(r: Option<TestResult>) -> Cell {
        r.map_or(Cell::Empty, |r| Cell::Toned(r.label(), Tone::of_result(r)))
    }

    fn date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
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
}

fn longest_line(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The workbook's content, computed before anything is written.
struct Sheets {
    title: String,
    subject: String,
    organization: String,
    /// (label, values) rows of the Summary sheet.
    summary: Vec<(&'static str, Vec<Cell>)>,
    /// Per-family progress rows under the summary.
    families: Vec<Vec<Cell>>,
    provider: Vec<Vec<Cell>>,
    customer: Vec<Vec<Cell>>,
    actions: Vec<Vec<Cell>>,
    documents: Vec<Vec<Cell>>,
}

/// A Summary sheet row: a label and its values.
type SummaryRow = (&'static str, Vec<Cell>);

/// The Summary sheet's (label, values) rows: where the assessment is, what it is, when,
/// from which commit, and its score.
fn summary(
    project: &Project,
    assessment: &AssessmentDoc,
    ctx: &ReportContext,
    total: &score::Progress,
    name: &str,
) -> Vec<SummaryRow> {
    let v = &assessment.doc.value;
    let mut summary = what_rows(project, assessment, ctx, name);
    summary.extend(when_rows(assessment, ctx));
    summary.extend([
        (
            "Compliance score",
            vec![Cell::Number(f64::from(total.score))],
        ),
        ("Maximum", vec![Cell::Number(f64::from(total.max))]),
        ("Progress", progress_cells(total)),
    ]);
    if let Some(t) = project.catalog.template(&v.service, &v.certification) {
        summary.push((
            "In-scope services",
            vec![Cell::Text(t.template.in_scope_services.join(", "))],
        ));
    }
    summary
}

/// The Summary rows that say where the assessment is and what it is: organization,
/// group, assessment, service and certification.
fn what_rows(
    project: &Project,
    assessment: &AssessmentDoc,
    ctx: &ReportContext,
    name: &str,
) -> Vec<SummaryRow> {
    let v = &assessment.doc.value;
    let catalog = &project.catalog;
    let cert = catalog.certifications.get(&v.certification);
    let group = project.ws.groups.iter().find(|g| g.id == assessment.group);
    let group_name = group
        .and_then(|g| g.doc.as_ref())
        .map_or_else(|| assessment.group.clone(), |d| d.value.name.clone());
    vec![
        ("Organization", vec![Cell::text(&ctx.organization)]),
        (
            "Group",
            vec![Cell::Text(group_name), Cell::text(&assessment.group)],
        ),
        (
            "Assessment",
            vec![Cell::text(name), Cell::Text(assessment.key())],
        ),
        (
            "Service",
            vec![
                Cell::text(catalog.service_name(&v.service)),
                Cell::text(&v.service),
            ],
        ),
        (
            "Certification",
            vec![
                Cell::text(catalog.certification_name(&v.certification)),
                Cell::opt_text(
                    cert.map(|c| format!("version {}", c.cert.version))
                        .as_deref(),
                ),
            ],
        ),
    ]
}

/// The Summary rows that say when: created, modified, archived, generated, and from
/// which commit.
fn when_rows(assessment: &AssessmentDoc, ctx: &ReportContext) -> [SummaryRow; 5] {
    let v = &assessment.doc.value;
    let path = assessment.path();
    let modified = ctx.last_changed.get(&path).copied().or(assessment.modified);
    [
        (
            "Created",
            vec![
                Cell::DateTime(v.created),
                Cell::Text(format!("by {}", v.created_by)),
            ],
        ),
        (
            "Modified",
            vec![modified.map_or_else(|| Cell::text("unknown"), Cell::DateTime)],
        ),
        (
            "Archived",
            vec![v.archived.map_or_else(|| Cell::text("no"), Cell::DateTime)],
        ),
        (
            "Generated at",
            vec![
                Cell::DateTime(ctx.generated_at),
                Cell::Text(ctx.generated_label()),
            ],
        ),
        (
            "Commit",
            vec![
                Cell::text(ctx.commit.as_deref().unwrap_or("not in git")),
                if ctx.dirty {
                    Cell::text("with uncommitted changes")
                } else {
                    Cell::Empty
                },
            ],
        ),
    ]
}

/// A per-family progress row under the summary.
fn family_row(f: &score::FamilyProgress) -> Vec<Cell> {
    let p = &f.progress;
    let mut row = vec![Cell::text(&f.name)];
    row.extend(progress_cells(p));
    row.push(Cell::Number(f64::from(p.score)));
    row.push(Cell::Number(f64::from(p.max)));
    row
}

/// The rows of the control sheets, in catalog order; action items by person.
struct Tables {
    provider: Vec<Vec<Cell>>,
    customer: Vec<Vec<Cell>>,
    actions: Vec<Vec<Cell>>,
    documents: Vec<Vec<Cell>>,
}

impl Tables {
    fn of(
        views: &[score::ControlView],
        ctx: &ReportContext,
        person_name: &dyn Fn(&str) -> Option<String>,
    ) -> Tables {
        let mut t = Tables {
            provider: Vec::new(),
            customer: Vec::new(),
            actions: Vec::new(),
            documents: Vec::new(),
        };
        let mut actions = Vec::new();
        for view in views {
            let c = view.control;
            match view.managed {
                Managed::Provider(p) => t.provider.push(vec![
                    Cell::text(view.family),
                    Cell::text(&c.id),
                    Cell::text(&c.title),
                    Cell::Text(c.articles.join("; ")),
                    Cell::status(Some(p.status)),
                    Cell::Date(p.test_date),
                    Cell::result(Some(p.test_result)),
                    Cell::text(&p.tested_by),
                    Cell::text(&p.description),
                ]),
                Managed::Customer(record) => {
                    let r = record.cloned().unwrap_or_default();
                    let docs = t.documents_cell(view, &r, ctx);
                    if let Some(to) = &r.assigned_to {
                        let action = r.action.clone().unwrap_or_default();
                        actions.push((
                            to.to_lowercase(),
                            vec![
                                Cell::text(to),
                                Cell::opt_text(person_name(to).as_deref()),
                                Cell::text(&c.id),
                                Cell::text(&c.title),
                                Cell::opt_text(action.priority.map(priority_label)),
                                Cell::opt_text(action.notes.as_deref()),
                                Cell::status(r.status),
                                Cell::result(r.test_result),
                            ],
                        ));
                    }
                    t.customer.push(vec![
                        Cell::text(view.family),
                        Cell::text(&c.id),
                        Cell::text(&c.title),
                        Cell::Text(c.articles.join("; ")),
                        Cell::status(r.status),
                        Cell::opt_text(r.assigned_to.as_deref()),
                        Cell::opt_text(r.implementation.as_deref()),
                        Cell::opt_text(r.test_plan.as_deref()),
                        Cell::opt_text(r.management_response.as_deref()),
                        Cell::date(r.test_date),
                        Cell::result(r.test_result),
                        docs,
                    ]);
                }
            }
        }
        // By person, then catalog order (the sort is stable).
        actions.sort_by(|a, b| a.0.cmp(&b.0));
        t.actions = actions.into_iter().map(|(_, row)| row).collect();
        t
    }

    /// A customer control's documents cell, and its documents' rows in the Documents
    /// sheet: one document links to it; several are listed and lead to their rows.
    fn documents_cell(
        &mut self,
        view: &score::ControlView,
        r: &crate::model::ControlRecord,
        ctx: &ReportContext,
    ) -> Cell {
        let c = view.control;
        let cell = match r.documents.as_slice() {
            [] => Cell::Empty,
            [d] => Cell::Link {
                to: Target::Document(ctx.document_link(&d.path)),
                text: d.path.clone(),
            },
            many => Cell::Link {
                to: Target::Internal(format!(
                    "internal:'{DOCUMENTS}'!{DOCUMENT_LINK_COLUMN}{}",
                    self.documents.len() + 2
                )),
                text: many
                    .iter()
                    .map(|d| d.path.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
        };
        for d in &r.documents {
            self.documents.push(vec![
                Cell::text(view.family),
                Cell::text(&c.id),
                Cell::text(&c.title),
                Cell::Link {
                    to: Target::Document(ctx.document_link(&d.path)),
                    text: d.path.clone(),
                },
                Cell::opt_text(d.purpose.map(|p| match p {
                    crate::model::Purpose::Implementation => "Implementation",
                    crate::model::Purpose::Testing => "Testing",
                })),
                Cell::text(&d.sha256),
            ]);
        }
        cell
    }
}

impl Sheets {
    fn build(
        project: &Project,
        assessment: &AssessmentDoc,
        ctx: &ReportContext,
    ) -> Result<Sheets, ReportError> {
        let v = &assessment.doc.value;
        let catalog = &project.catalog;
        let key = assessment.key();
        let views = score::controls(v, catalog).ok_or_else(|| {
            ReportError::NotFound(format!(
                "{key}: the catalog has no certification `{}` or no template for `{}` × `{}` \
                 (`assure validate` explains)",
                v.certification, v.service, v.certification
            ))
        })?;
        let score = score::score(v, catalog).unwrap_or(score::Score {
            total: score::Progress::default(),
            families: Vec::new(),
        });
        let name = catalog.assessment_name(&v.service, &v.certification);
        let people = project.ws.config.as_ref().map(|c| &c.value.people);
        let person_name = |email: &str| {
            people
                .and_then(|p| p.iter().find(|p| p.email.eq_ignore_ascii_case(email)))
                .map(|p| p.name.clone())
        };
        let tables = Tables::of(&views, ctx, &person_name);
        Ok(Sheets {
            summary: summary(project, assessment, ctx, &score.total, &name),
            families: score.families.iter().map(family_row).collect(),
            title: name,
            subject: key,
            organization: ctx.organization.clone(),
            provider: tables.provider,
            customer: tables.customer,
            actions: tables.actions,
            documents: tables.documents,
        })
    }

    fn render(&self, ctx: &ReportContext) -> Result<Vec<u8>, XlsxError> {
        let formats = Formats::new();
        let mut wb = Workbook::new();
        let created = ExcelDateTime::from_timestamp(ctx.generated_at.timestamp())
            .or_else(|_| ExcelDateTime::from_ymd(2000, 1, 1))?;
        wb.set_properties(
            &DocProperties::new()
                .set_title(&self.title)
                .set_subject(&self.subject)
                .set_company(&self.organization)
                .set_comment(format!("Generated by assure: {}", ctx.generated_label()))
                .set_creation_datetime(&created),
        );

        let ws = wb.add_worksheet();
        ws.set_name(SUMMARY)?;
        self.write_summary(ws, &formats)?;

        let ws = wb.add_worksheet();
        ws.set_name(PROVIDER)?;
        write_table(ws, &formats, &PROVIDER_COLUMNS, &self.provider)?;

        let ws = wb.add_worksheet();
        ws.set_name(CUSTOMER)?;
        write_table(ws, &formats, &CUSTOMER_COLUMNS, &self.customer)?;

        let ws = wb.add_worksheet();
        ws.set_name(ACTIONS)?;
        write_table(ws, &formats, &ACTION_COLUMNS, &self.actions)?;

        let ws = wb.add_worksheet();
        ws.set_name(DOCUMENTS)?;
        write_table(ws, &formats, &DOCUMENT_COLUMNS, &self.documents)?;

        wb.save_to_buffer()
    }

    /// Label/value rows, then a per-family progress table.
    fn write_summary(&self, ws: &mut Worksheet, f: &Formats) -> Result<(), XlsxError> {
        let mut widths = vec![0usize; 6];
        let mut row = 0u32;
        for (label, values) in &self.summary {
            write_row(
                ws,
                f,
                row,
                std::iter::once(&Cell::Label(label)).chain(values),
                &mut widths,
            )?;
            row += 1;
        }
        if !self.families.is_empty() {
            row += 1;
            let header = ["Family", "Assessed / total", "Progress", "Score", "Maximum"];
            for (c, h) in header.iter().enumerate() {
                ws.write_string_with_format(row, col(c)?, *h, &f.header)?;
                widths[c] = widths[c].max(h.chars().count());
            }
            for r in &self.families {
                row += 1;
                write_row(ws, f, row, r.iter(), &mut widths)?;
            }
        }
        set_widths(ws, &widths)
    }
}

fn progress_cells(p: &score::Progress) -> Vec<Cell> {
    vec![
        Cell::Text(format!("{} / {}", p.assessed, p.total)),
        if p.total == 0 {
            Cell::Empty
        } else {
            Cell::Percent(p.assessed as f64 / p.total as f64)
        },
    ]
}

fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Low => "Low",
        Priority::Medium => "Medium",
        Priority::High => "High",
    }
}

/// Every format the workbook uses, made once.
struct Formats {
    header: Format,
    label: Format,
    text: Format,
    wrap: Format,
    number: Format,
    percent: Format,
    date: Format,
    datetime: Format,
    link: Format,
    link_wrap: Format,
    tones: Vec<(Tone, Format)>,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new().set_align(FormatAlign::Top);
        let link = base.clone().set_hyperlink();
        Formats {
            header: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0x1F2937))
                .set_background_color(Color::RGB(0xD9E2F3))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Top),
            label: base.clone().set_bold(),
            text: base.clone(),
            wrap: base.clone().set_text_wrap(),
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
            link_wrap: link.clone().set_text_wrap(),
            link,
            tones: Tone::ALL
                .iter()
                .map(|&t| {
                    let (fill, text) = t.colours();
                    (
                        t,
                        base.clone()
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

fn col(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// A table: bold header row (frozen, with a filter), then one row per entry.
fn write_table(
    ws: &mut Worksheet,
    f: &Formats,
    columns: &[&str],
    rows: &[Vec<Cell>],
) -> Result<(), XlsxError> {
    // Room for the header text and the filter button.
    let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count() + 3).collect();
    for (c, name) in columns.iter().enumerate() {
        ws.write_string_with_format(0, col(c)?, *name, &f.header)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        write_row(ws, f, r, cells.iter(), &mut widths)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    ws.autofilter(0, 0, last_row, col(columns.len().saturating_sub(1))?)?;
    set_widths(ws, &widths)
}

fn write_row<'a>(
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

fn set_widths(ws: &mut Worksheet, widths: &[usize]) -> Result<(), XlsxError> {
    for (c, w) in widths.iter().enumerate() {
        if *w > 0 {
            let width = ((*w).min(MAX_WIDTH) + 2) as f64;
            ws.set_column_width(col(c)?, width)?;
        }
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
        Cell::Link { to, text } => {
            // Only a web address or a relative path becomes a link (a document path or
            // `link_base` may say anything: `javascript:` stays text).
            let target = match to {
                Target::Internal(place) => place.clone(),
                Target::Document(url) => match links::classify(url) {
                    Some(Link::Web) => url.clone(),
                    // A repository-relative path: a relative file link.
                    Some(Link::Relative) => format!("file:///{url}"),
                    None => return write_text(ws, f, row, c, text),
                },
            };
            let format = if text.contains('\n') {
                &f.link_wrap
            } else {
                &f.link
            };
            let text = clip(text);
            let link = Url::new(target).set_text(text.as_ref());
            if ws.write_url_with_format(row, c, link, format).is_err() {
                write_text(ws, f, row, c, &text)?;
            }
        }
    }
    Ok(())
}

/// A string cell, wrapped when it has several lines or is wider than a column gets.
fn write_text(ws: &mut Worksheet, f: &Formats, row: u32, c: u16, s: &str) -> Result<(), XlsxError> {
    let s = clip(s.trim_end());
    let format = if s.contains('\n') || s.chars().count() > MAX_WIDTH {
        &f.wrap
    } else {
        &f.text
    };
    ws.write_string_with_format(row, c, s.as_ref(), format)?;
    Ok(())
}

/// Text cut to what Excel accepts in one cell.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    if s.encode_utf16().count() <= MAX_TEXT {
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
