//! The workbook `assure report excel` writes, opened by a real spreadsheet program:
//! LibreOffice Calc converts every sheet to CSV (cells as the program shows them), and
//! the sheets must hold what the library says. calamine (report_excel.rs) reads the file
//! format; this proves a program that users open the file with agrees.
//!
//! `#[ignore = "needs libreoffice"]`: run with `cargo test --test it -- --ignored` after
//! `apt-get install libreoffice-calc` (`.ci/run` does both). Without `soffice` on the
//! PATH the test fails; it never passes by skipping.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use assure::ops::Project;
use assure::ops::score::{Managed, controls, score};

use crate::support::{TestRepo, project_root, run_env};

const GDPR: &str = "default-group/office-365--gdpr";
/// The control the example's GDPR assessment shares with another assessment.
const SHARED: &str = "6.10.1.2";

/// LibreOffice's `soffice` on the PATH; missing, the test fails with what to install.
fn soffice() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("soffice"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "soffice is not on the PATH: this test needs LibreOffice Calc \
                 (`apt-get install libreoffice-calc`; .ci/run installs it)"
            )
        })
}

/// Every sheet of `book` as CSV rows, by sheet name, as LibreOffice shows the cells.
fn sheets_by_libreoffice(book: &Path, out: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let profile = out.join("profile");
    let csv = out.join("csv");
    // Filter options: comma, double quote, UTF-8 (76), from line 1, cells as shown
    // (formatted), and the last token -1: every sheet to its own file.
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";
    let run = Command::new("timeout")
        .arg("300")
        .arg(soffice())
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(&csv)
        .arg(book)
        .output()
        .expect("run soffice");
    let stem = book.file_stem().and_then(|s| s.to_str()).expect("utf-8");
    let mut sheets = BTreeMap::new();
    for entry in std::fs::read_dir(&csv).unwrap_or_else(|e| {
        panic!(
            "soffice wrote no CSV ({e}): {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    }) {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("utf-8");
        let sheet = name
            .strip_prefix(&format!("{stem}-"))
            .unwrap_or_else(|| panic!("unexpected file {name}"));
        let text = std::fs::read_to_string(&path).expect("read csv");
        sheets.insert(sheet.to_owned(), parse_csv(&text));
    }
    sheets
}

/// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]))
}

fn row<'a>(rows: &'a [Vec<String>], first: &str, value: &str) -> &'a [String] {
    let c = column(rows, first);
    rows.iter()
        .find(|r| r.get(c).is_some_and(|v| v == value))
        .unwrap_or_else(|| panic!("no row with {first} = {value}"))
}

#[test]
#[ignore = "needs libreoffice"]
fn libreoffice_reads_the_workbook_as_the_library_sees_it() {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    let out = run_env(
        repo.path(),
        &["report", "excel", GDPR, "-o", "out.xlsx"],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let work = tempfile::tempdir().expect("temp dir");
    let sheets = sheets_by_libreoffice(&repo.path().join("out.xlsx"), work.path());
    assert_eq!(
        sheets.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "Action items",
            "Customer controls",
            "Documents",
            "Implementation",
            "Provider controls",
            "Summary",
            // The very hidden sheet `import excel` reads back (hidden in Excel and
            // LibreOffice alike; a converter lists it).
            "assure"
        ]
    );

    let project = Project::work_tree(repo.path()).expect("open");
    let a = project.assessment(GDPR).expect("assessment");
    let views = controls(&a.doc.value, &project.catalog).expect("known pair");
    let ids = |customer: bool| -> Vec<String> {
        views
            .iter()
            .filter(|v| matches!(v.managed, Managed::Customer(_)) == customer)
            .map(|v| v.control.id.clone())
            .collect()
    };
    let total = score(&a.doc.value, &project.catalog).expect("score").total;

    // Summary: the score and progress as numbers LibreOffice shows.
    let s = &sheets["Summary"];
    let label = |l: &str| {
        s.iter()
            .find(|r| r[0] == l)
            .unwrap_or_else(|| panic!("no summary row {l}"))
    };
    assert_eq!(label("Organization")[1], "Contoso");
    assert_eq!(label("Assessment")[1..3], ["Office 365 - GDPR", GDPR]);
    assert_eq!(label("Compliance score")[1], total.score.to_string());
    assert_eq!(label("Maximum")[1], total.max.to_string());
    assert_eq!(
        label("Progress")[1],
        format!("{} / {}", total.assessed, total.total)
    );
    // A date cell, shown with the workbook's date format.
    assert_eq!(label("Created")[1], "2019-01-15 09:30:00");

    // Every control on its sheet, in catalog order.
    let p = &sheets["Provider controls"];
    let c = &sheets["Customer controls"];
    let listed = |rows: &[Vec<String>]| -> Vec<String> {
        let k = column(rows, "Control");
        rows[1..].iter().map(|r| r[k].clone()).collect()
    };
    assert_eq!(listed(p), ids(false));
    assert_eq!(listed(c), ids(true));

    // The shared control's values, as the assessment file has them.
    let record = &a.doc.value.controls[SHARED];
    let shared = row(c, "Control", SHARED);
    let cell = |name: &str| shared[column(c, name)].as_str();
    assert_eq!(cell("Status"), "Implemented");
    assert_eq!(cell("Test result"), "Passed");
    assert_eq!(cell("Test date"), "2019-04-02");
    assert_eq!(
        Some(cell("Assigned to")),
        record.assigned_to.as_deref(),
        "assigned to"
    );
    assert_eq!(cell("Assigned to"), "bob@contoso.com");
    // What was written about it, on the Implementation sheet.
    let n = &sheets["Implementation"];
    let written = row(n, "Control", SHARED);
    let cell = |name: &str| written[column(n, name)].as_str();
    assert_eq!(
        Some(cell("Implementation")),
        record.implementation.as_deref().map(str::trim_end)
    );
    assert_eq!(
        cell("Documents"),
        "evidence/cryptography-standard-v1.3.md\nevidence/tls-scan-2019-04.txt"
    );
    let item = row(&sheets["Action items"], "Control", SHARED);
    assert_eq!(item[0], "bob@contoso.com");
}
