//! The auditor's workbook (DESIGN.md §7.1): one assessment as an .xlsx snapshot.
//!
//! Sheets: "Summary" (where the workbook comes from, score and progress, per-family
//! progress), "Provider controls", "Customer controls" (every customer-managed control
//! of the certification and where it stands, "Not started" where nothing is recorded),
//! "Implementation" (what was written about the customer controls: implementation, test
//! plan, management response, documents), "Action items" and "Documents" (one row per
//! evidence document, each a hyperlink). `tables.rs` makes the tables' columns and rows,
//! `sheet.rs` writes cells and lays the sheets out for print, `marker.rs` adds a very
//! hidden sheet recording the commit, the assessment and every table cell as written,
//! which `assure import excel` reads back.
//!
//! Invariants:
//! - Every piece of user text is a string cell, never a formula (see `sheet.rs`).
//! - Every sheet prints one page wide, landscape, its header row on every page, at 65 %
//!   or more (no table wider than about 190 characters, see `tables.rs`).
//! - Dates are real Excel dates (`yyyy-mm-dd`), times are UTC (`yyyy-mm-dd hh:mm "UTC"`).
//! - The bytes depend only on the project, the context and the folder the workbook is
//!   written in (its document links are relative to it unless `link_base` pins them):
//!   the document properties carry `ctx.generated_at`, never the clock, so the same
//!   commit renders byte-identical files.

pub mod marker;
pub mod read;

pub use self::sheet::TRUNCATED;
mod sheet;
mod tables;

use std::path::{Component, Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet, XlsxError};

use self::sheet::{
    Cell, Formats, MAX_WIDTH, col, print_setup, set_height, set_widths, write_row, write_table,
};
use self::tables::{Table, Tables, Words, terms};
use super::{ReportContext, ReportError};
use crate::ops::Project;
use crate::ops::score;
use crate::repo::AssessmentDoc;

pub const SUMMARY: &str = "Summary";
pub const PROVIDER: &str = "Provider controls";
pub const CUSTOMER: &str = "Customer controls";
pub const NARRATIVE: &str = "Implementation";
pub const ACTIONS: &str = "Action items";
pub const DOCUMENTS: &str = "Documents";

/// The workbook of one assessment, as the bytes of an .xlsx file to be written in the
/// folder `dir`: a document link that `link_base` does not pin is the document's path
/// relative to that folder, so it opens from the workbook wherever `report excel -o`
/// put it.
pub fn workbook(
    project: &Project,
    assessment: &AssessmentDoc,
    ctx: &ReportContext,
    dir: &Path,
) -> Result<Vec<u8>, ReportError> {
    let up = up_to(dir, &project.ws.root);
    let sheets = Sheets::build(project, assessment, ctx, &up)?;
    sheets
        .render(ctx)
        .map_err(|e| ReportError::Excel(e.to_string()))
}

/// The relative path from the folder `dir` to the folder `root`, as a prefix of paths
/// under `root`: "" (the same folder), "../", "../../repo/", "./repo/". It starts with
/// `.` unless empty: a folder name such as `javascript:x` never leads the link, where a
/// spreadsheet would read it as a scheme.
fn up_to(dir: &Path, root: &Path) -> String {
    let (dir, root) = (resolved(dir), resolved(root));
    let dir: Vec<Component> = dir.components().collect();
    let root: Vec<Component> = root.components().collect();
    let common = dir.iter().zip(&root).take_while(|(a, b)| a == b).count();
    let mut up = "../".repeat(dir.len() - common);
    if up.is_empty() && common < root.len() {
        up.push_str("./");
    }
    for c in &root[common..] {
        up.push_str(&c.as_os_str().to_string_lossy());
        up.push('/');
    }
    up
}

/// `path` made absolute through its longest existing ancestor's canonical path
/// (symbolic links resolved, as the file system will), the rest as given.
fn resolved(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for ancestor in abs.ancestors() {
        if let Ok(real) = ancestor.canonicalize() {
            let rest = abs.strip_prefix(ancestor).unwrap_or(Path::new(""));
            return real.join(rest);
        }
    }
    abs
}

/// The workbook's content, computed before anything is written.
struct Sheets {
    title: String,
    subject: String,
    organization: String,
    /// (label, values) rows of the Summary sheet.
    summary: Vec<(&'static str, Vec<Cell>)>,
    /// The certification's word for a family: the header of the per-family table.
    family_term: String,
    /// Per-family progress rows under the summary.
    families: Vec<Vec<Cell>>,
    tables: Tables,
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
    // A past view says so in the first row, so that nobody takes it for today's.
    if let Some(at) = &ctx.as_of {
        summary.insert(
            0,
            (
                "As of",
                vec![
                    Cell::Text(at.line()),
                    Cell::text("a past view: the repository as it stood then, not today"),
                ],
            ),
        );
    }
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

impl Sheets {
    fn build(
        project: &Project,
        assessment: &AssessmentDoc,
        ctx: &ReportContext,
        up: &str,
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
        let cert = catalog
            .certifications
            .get(&v.certification)
            .map(|c| &c.cert);
        let (family, reference) = terms(cert);
        let words = Words {
            family,
            reference,
            person_name: &person_name,
            ctx,
            up,
            warn_days: crate::ops::freshness::warn_days(project),
        };
        Ok(Sheets {
            summary: summary(project, assessment, ctx, &score.total, &name),
            family_term: family.to_owned(),
            families: score.families.iter().map(family_row).collect(),
            title: name,
            subject: key,
            organization: ctx.organization.clone(),
            tables: Tables::of(&views, &words),
        })
    }

    fn render(&self, ctx: &ReportContext) -> Result<Vec<u8>, XlsxError> {
        let formats = Formats::new();
        let mut wb = Workbook::new();
        // Deflate is most of the time of `report excel --all` (issue 22): the fastest level
        // writes the XML a few times faster for files a fifth larger.
        wb.set_zip_compression_level(1);
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
        let t = &self.tables;
        for (name, table) in [
            (PROVIDER, &t.provider),
            (CUSTOMER, &t.customer),
            (NARRATIVE, &t.narrative),
            (ACTIONS, &t.actions),
            (DOCUMENTS, &t.documents),
        ] {
            let ws = wb.add_worksheet();
            ws.set_name(name)?;
            let Table { columns, rows } = table;
            write_table(ws, &formats, columns, rows)?;
        }
        let origin = marker::Origin {
            commit: ctx.commit.clone(),
            assessment: self.subject.clone(),
            dirty: ctx.dirty,
        };
        marker::write(
            &mut wb,
            &origin,
            &[
                (PROVIDER, &t.provider),
                (CUSTOMER, &t.customer),
                (NARRATIVE, &t.narrative),
                (ACTIONS, &t.actions),
                (DOCUMENTS, &t.documents),
            ],
        )?;
        wb.save_to_buffer()
    }

    /// Label/value rows, then a per-family progress table.
    fn write_summary(&self, ws: &mut Worksheet, f: &Formats) -> Result<(), XlsxError> {
        let mut widths = vec![0usize; 6];
        let mut rows: Vec<(u32, Vec<&Cell>)> = Vec::new();
        let labels: Vec<Cell> = self.summary.iter().map(|(l, _)| Cell::Label(l)).collect();
        for (r, ((_, values), label)) in self.summary.iter().zip(&labels).enumerate() {
            let r = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
            rows.push((r, std::iter::once(label).chain(values).collect()));
        }
        let mut row = u32::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        if !self.families.is_empty() {
            row += 1;
            let header = [
                self.family_term.as_str(),
                "Assessed / total",
                "Progress",
                "Score",
                "Maximum",
            ];
            for (c, h) in header.iter().enumerate() {
                ws.write_string_with_format(row, col(c)?, *h, &f.header)?;
                widths[c] = widths[c].max(h.chars().count());
            }
            for r in &self.families {
                row += 1;
                rows.push((row, r.iter().collect()));
            }
        }
        for (r, cells) in &rows {
            write_row(ws, f, *r, cells.iter().copied(), &mut widths)?;
        }
        let widths = set_widths(ws, &widths, &[MAX_WIDTH; 6])?;
        for (r, cells) in &rows {
            set_height(ws, *r, cells.iter().copied(), &widths)?;
        }
        print_setup(ws, None)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_up_from_the_workbook_to_the_repository() {
        // Folders that do not exist are taken as given.
        let at = |p: &str| PathBuf::from(format!("/assure-no-such-folder/{p}"));
        let root = at("repo");
        assert_eq!(up_to(&at("repo"), &root), "");
        assert_eq!(up_to(&at("repo/reports"), &root), "../");
        assert_eq!(up_to(&at("repo/a/b"), &root), "../../");
        assert_eq!(up_to(&at("books"), &root), "../repo/");
        assert_eq!(up_to(&at(""), &root), "./repo/");
        assert_eq!(
            up_to(&at(""), &at("javascript:alert(1)")),
            "./javascript:alert(1)/"
        );
    }
}
