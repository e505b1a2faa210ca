//! `assure import excel` (issue 21 item 5): a workbook made by `report excel`, edited by
//! a real spreadsheet library, imported back as the CLI's minimal-diff edits.
//!
//! The "auditor" here reads every sheet of the workbook with calamine (a spreadsheet
//! reader) and saves it again with rust_xlsxwriter, as Excel does when it saves: a new
//! file, the hidden sheet kept, strings, numbers and dates typed as cells. Nothing is
//! skipped for a missing tool: both libraries are part of the build.

use std::path::Path;

use calamine::{Data, Reader, SheetVisible, Xlsx, open_workbook};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::support::{GitRepo, TestRepo, git_cli, run_env, snapshot};

pub(crate) const GDPR: &str = "default-group/office-365--gdpr";
pub(crate) const FILE: &str = "groups/default-group/office-365--gdpr.yaml";
pub(crate) const CUSTOMER: &str = "Customer controls";

/// The GDPR assessment of the base fixture, with comments, committed.
pub(crate) fn repo() -> TestRepo {
    let repo = TestRepo::base();
    let text = repo.read(FILE).replacen(
        "controls:\n",
        "# Reviewed with the DPO every quarter.\ncontrols:\n",
        1,
    );
    let text = text.replacen(
        "    status: planned\n",
        "    status: planned # until the policy is signed\n",
        1,
    );
    repo.write(FILE, text);
    GitRepo::init(repo.path()).commit_all("alice@example.com", "seed", 1_700_000_000);
    repo
}

pub(crate) fn workbook(repo: &TestRepo) -> std::path::PathBuf {
    let out = run_env(
        repo.path(),
        &["report", "excel", GDPR, "-o", "wb.xlsx"],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    repo.path().join("wb.xlsx")
}

pub(crate) fn import(repo: &TestRepo, who: &str, extra: &[&str]) -> crate::support::Output {
    let mut args = vec!["--as", who, "import", "excel", "wb.xlsx"];
    args.extend_from_slice(extra);
    run_env(repo.path(), &args, &[])
}

/// A workbook as a spreadsheet program holds it: sheets of typed cells.
pub(crate) struct Book {
    pub(crate) sheets: Vec<(String, SheetVisible, Vec<Vec<Data>>)>,
    /// Cells to write as formulas: (sheet, row, column, formula, cached value).
    pub(crate) formulas: Vec<(String, u32, u16, String, String)>,
}

impl Book {
    pub(crate) fn open(path: &Path) -> Book {
        let mut wb: Xlsx<_> = open_workbook(path).expect("open workbook");
        let meta: Vec<(String, SheetVisible)> = wb
            .sheets_metadata()
            .iter()
            .map(|s| (s.name.clone(), s.visible))
            .collect();
        let sheets = meta
            .into_iter()
            .map(|(name, visible)| {
                let range = wb.worksheet_range(&name).expect("sheet");
                let (r0, c0) = range.start().unwrap_or((0, 0));
                let mut rows = vec![Vec::new(); r0 as usize];
                for row in range.rows() {
                    let mut cells = vec![Data::Empty; c0 as usize];
                    cells.extend(row.iter().cloned());
                    rows.push(cells);
                }
                (name, visible, rows)
            })
            .collect();
        Book {
            sheets,
            formulas: Vec::new(),
        }
    }

    pub(crate) fn save(&self, path: &Path) {
        let mut wb = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (name, visible, rows) in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(name).expect("name");
            match visible {
                SheetVisible::Hidden => {
                    ws.set_hidden(true);
                }
                SheetVisible::VeryHidden => {
                    ws.set_very_hidden(true);
                }
                SheetVisible::Visible => {}
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match cell {
                        Data::Empty => {}
                        Data::String(s) => {
                            ws.write_string(r, c, s).expect("write");
                        }
                        Data::Float(f) => {
                            ws.write_number(r, c, *f).expect("write");
                        }
                        Data::Int(i) => {
                            ws.write_number(r, c, *i as f64).expect("write");
                        }
                        Data::DateTime(d) => {
                            let (y, m, day, ..) = d.to_ymd_hms_milli();
                            let d = ExcelDateTime::from_ymd(y, m, day).expect("date");
                            ws.write_datetime_with_format(r, c, &d, &date)
                                .expect("write");
                        }
                        Data::Bool(b) => {
                            ws.write_boolean(r, c, *b).expect("write");
                        }
                        other => panic!("unexpected cell {other:?}"),
                    }
                }
            }
            for (sheet, r, c, f, cached) in &self.formulas {
                if sheet == name {
                    ws.write_formula(*r, *c, Formula::new(f).set_result(cached))
                        .expect("formula");
                }
            }
        }
        wb.save(path).expect("save");
    }

    pub(crate) fn rows(&mut self, sheet: &str) -> &mut Vec<Vec<Data>> {
        &mut self
            .sheets
            .iter_mut()
            .find(|(n, ..)| n == sheet)
            .unwrap_or_else(|| panic!("no sheet {sheet}"))
            .2
    }

    pub(crate) fn column(&mut self, sheet: &str, header: &str) -> usize {
        self.rows(sheet)[0]
            .iter()
            .position(|h| h == &Data::String(header.into()))
            .unwrap_or_else(|| panic!("no column {header} in {sheet}"))
    }

    /// The row of `control` in `sheet`.
    pub(crate) fn row(&mut self, sheet: &str, control: &str) -> usize {
        let c = self.column(sheet, "Control");
        self.rows(sheet)
            .iter()
            .position(|r| r.get(c) == Some(&Data::String(control.into())))
            .unwrap_or_else(|| panic!("no row {control} in {sheet}"))
    }

    pub(crate) fn set(&mut self, sheet: &str, control: &str, header: &str, value: Data) {
        let (r, c) = (self.row(sheet, control), self.column(sheet, header));
        let row = &mut self.rows(sheet)[r];
        if row.len() <= c {
            row.resize(c + 1, Data::Empty);
        }
        row[c] = value;
    }
}

pub(crate) fn edit(path: &Path, change: impl FnOnce(&mut Book)) {
    let mut book = Book::open(path);
    change(&mut book);
    book.save(path);
}

pub(crate) fn text(s: &str) -> Data {
    Data::String(s.into())
}

/// The repository's files other than the workbook.
pub(crate) fn files(repo: &TestRepo) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut all = snapshot(repo.path());
    all.retain(|k, _| !k.ends_with(".xlsx") && !k.starts_with(".git"));
    all
}

#[test]
fn a_status_changed_in_the_workbook_is_a_one_line_diff_keeping_comments() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Implemented"))
    });
    let out = import(&repo, "dave@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("Customer controls!E2  6.2.1.1 status: \"Planned\" → \"Implemented\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!("updated  {FILE}")),
        "{}",
        out.stdout
    );
    let diff = git_cli(repo.path(), &["diff", "-U0", "--", FILE]).stdout;
    let body: Vec<&str> = diff.lines().skip_while(|l| !l.starts_with("@@")).collect();
    assert_eq!(
        body,
        [
            "@@ -22 +22 @@ controls:",
            "-    status: planned # until the policy is signed",
            "+    status: implemented # until the policy is signed",
        ],
        "{diff}"
    );
    // Importing the same workbook again changes nothing: the repository holds the value.
    let again = import(&repo, "dave@example.com", &[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(
        again.stdout.contains("nothing to change"),
        "{}",
        again.stdout
    );
}

#[test]
fn a_contributor_changing_a_test_result_is_refused_and_nothing_is_written() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Implemented"));
        b.set(
            CUSTOMER,
            "6.10.1.2",
            "Test result",
            text("Failed-High Risk"),
        );
    });
    let before = files(&repo);
    let out = import(&repo, "dave@example.com", &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("may not make this change"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("6.10.1.2"), "{}", out.stderr);
    assert_eq!(
        files(&repo),
        before,
        "nothing written, not even the allowed edit"
    );
    // The assessor may.
    let out = import(&repo, "bob@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(repo.read(FILE).contains("test_result: failed-high-risk"));
}

#[test]
fn a_cell_changed_in_the_repository_and_the_workbook_is_a_conflict_naming_both() {
    let repo = repo();
    let wb = workbook(&repo);
    // Since the workbook was made: the status and the implementation of 6.2.1.1.
    let out = run_env(
        repo.path(),
        &[
            "--as",
            "dave@example.com",
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--status",
            "implemented",
            "--implementation",
            "A policy.",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Not in Scope"))
    });
    let before = files(&repo);
    let out = import(&repo, "dave@example.com", &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "conflict at Customer controls!E2: the status of 6.2.1.1 was \"Planned\" when the workbook was made; since then the repository changed it to \"Implemented\", and the workbook to \"Not in Scope\""
        ),
        "{}",
        out.stderr
    );
    assert_eq!(files(&repo), before);

    // A field the repository did not change applies, though the control changed.
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Implemented"));
        b.set(CUSTOMER, "6.2.1.1", "Assigned to", text("bob@example.com"));
    });
    let out = import(&repo, "dave@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let after = repo.read(FILE);
    assert!(after.contains("assigned_to: bob@example.com"), "{after}");
    assert!(after.contains("implementation: A policy."), "{after}");
    assert!(
        out.stdout.contains(
            "note: Customer controls!E2: the status of 6.2.1.1 is already \"Implemented\""
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn a_read_only_cell_edited_is_refused_naming_the_cell() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Implemented"));
        b.set(CUSTOMER, "6.2.1.1", "Title", text("Something else"));
        b.set(CUSTOMER, "6.2.1.1", "Score", Data::Float(99.0));
    });
    let before = files(&repo);
    let out = import(&repo, "dave@example.com", &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("Customer controls!C2 (Title of 6.2.1.1) is read-only"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("Customer controls!I2 (Score of 6.2.1.1) is read-only"),
        "{}",
        out.stderr
    );
    assert_eq!(files(&repo), before);
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Implemented"))
    });
    let before = files(&repo);
    let out = import(&repo, "dave@example.com", &["--dry-run"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("+    status: implemented # until the policy is signed"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("(dry run: nothing written)"),
        "{}",
        out.stdout
    );
    assert_eq!(files(&repo), before);
}

#[test]
fn rows_resorted_a_sheet_renamed_and_a_row_deleted_still_match_by_control_id() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Implemented"));
        // A date typed where there was none: a bare Excel serial number (2025-03-04).
        b.set(CUSTOMER, "6.2.1.1", "Test date", Data::Float(45720.0));
        b.set(CUSTOMER, "6.2.1.1", "Test result", text("passed"));
        let rows = b.rows(CUSTOMER);
        let header = rows.remove(0);
        rows.reverse();
        // A control nobody touched, deleted.
        let id = rows
            .iter()
            .position(|r| !r.contains(&text("6.2.1.1")) && !r.contains(&text("6.10.1.2")))
            .expect("row");
        rows.remove(id);
        rows.insert(0, header);
        let sheet = b
            .sheets
            .iter_mut()
            .find(|s| s.0 == CUSTOMER)
            .expect("sheet");
        sheet.0 = "Mine".into();
    });
    let out = import(&repo, "bob@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(
            "note: 1 row(s) of `Mine` are not in the workbook; deleting a row changes nothing"
        ),
        "{}",
        out.stdout
    );
    let after = repo.read(FILE);
    assert!(
        after.contains("    status: implemented # until the policy is signed\n    test_date: 2025-03-04\n    test_result: passed\n"),
        "{after}"
    );
}

#[test]
fn a_formula_an_added_row_and_a_bad_value_are_refused() {
    let repo = repo();
    let wb = workbook(&repo);
    let mut book = Book::open(&wb);
    let (r, c) = (
        book.row(CUSTOMER, "6.2.1.1"),
        book.column(CUSTOMER, "Status"),
    );
    book.rows(CUSTOMER)[r][c] = Data::Empty;
    book.formulas.push((
        CUSTOMER.into(),
        r as u32,
        c as u16,
        "=\"Imple\"&\"mented\"".into(),
        "Implemented".into(),
    ));
    book.set(CUSTOMER, "6.10.1.2", "Test result", text("Great"));
    let mut extra = book.rows(CUSTOMER)[r].clone();
    extra[book.column(CUSTOMER, "Control")] = text("99.9");
    book.rows(CUSTOMER).push(extra);
    book.save(&wb);
    let before = files(&repo);
    let out = import(&repo, "bob@example.com", &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("Customer controls!E2 holds a formula"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("\"Great\" is not a test result"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("a row for `99.9`, which the workbook did not have"),
        "{}",
        out.stderr
    );
    assert_eq!(files(&repo), before);
}

#[test]
fn a_workbook_not_made_by_assure_or_not_a_workbook_could_not_run() {
    let repo = repo();
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .write_string(0, 0, "hello")
        .expect("write");
    wb.save(repo.path().join("wb.xlsx")).expect("save");
    let out = import(&repo, "bob@example.com", &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("was not made by `assure report excel`"),
        "{}",
        out.stderr
    );

    repo.write("wb.xlsx", "not a zip");
    let out = import(&repo, "bob@example.com", &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("is not an .xlsx workbook"),
        "{}",
        out.stderr
    );

    // Larger than any workbook of one assessment: refused before it is read.
    let f = std::fs::File::create(repo.path().join("wb.xlsx")).expect("create");
    f.set_len(65 << 20).expect("sparse file");
    let out = import(&repo, "bob@example.com", &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("is too large"), "{}", out.stderr);
}
