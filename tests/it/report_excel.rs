//! `assure report excel` (DESIGN.md §7.1, §7.3): the workbooks are read back with
//! calamine, the way a spreadsheet program would see them.

use std::path::Path;

use assure::ops::Project;
use assure::ops::score::{Managed, controls, score};
use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::support::{GitRepo, TestRepo, project_root, run_env, unix};

type Book = Xlsx<std::io::BufReader<std::fs::File>>;

const GDPR: &str = "default-group/office-365--gdpr";
const ARCHIVED: &str = "azure-assessments-2019/azure--iso-27018-2014";
const SHEETS: [&str; 7] = [
    "Summary",
    "Provider controls",
    "Customer controls",
    "Implementation",
    "Action items",
    "Documents",
    // Very hidden: what the workbook was made from, for `assure import excel`.
    "assure",
];
const LINK_BASE: &str = "https://git.example.com/contoso/compliance/blob/";

fn open(path: &Path) -> Book {
    open_workbook(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

fn rows(book: &mut Book, sheet: &str) -> Vec<Vec<Data>> {
    book.worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"))
        .rows()
        .map(<[Data]>::to_vec)
        .collect()
}

fn text(d: &Data) -> &str {
    match d {
        Data::String(s) => s,
        Data::Empty => "",
        other => panic!("expected a text cell, got {other:?}"),
    }
}

fn header(rows: &[Vec<Data>]) -> Vec<&str> {
    rows[0].iter().map(text).collect()
}

/// The column named `name` in the header row.
fn column(rows: &[Vec<Data>], name: &str) -> usize {
    header(rows)
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The row whose `Control` cell is `id`.
fn control_row<'a>(rows: &'a [Vec<Data>], id: &str) -> &'a [Data] {
    let c = column(rows, "Control");
    rows.iter()
        .find(|r| r.get(c).is_some_and(|d| *d == Data::String(id.into())))
        .unwrap_or_else(|| panic!("no row for {id}"))
}

/// The Summary row labelled `label` (label, value, detail…).
fn summary<'a>(rows: &'a [Vec<Data>], label: &str) -> &'a [Data] {
    rows.iter()
        .find(|r| r.first().is_some_and(|d| *d == Data::String(label.into())))
        .unwrap_or_else(|| panic!("no summary row {label}"))
}

/// Excel's serial number of a UTC date-time ("2019-04-02" or RFC 3339).
fn serial(when: &str) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .expect("date")
        .and_hms_opt(0, 0, 0)
        .expect("time");
    let t = chrono::DateTime::parse_from_rfc3339(when).map_or_else(
        |_| {
            chrono::NaiveDate::parse_from_str(when, "%Y-%m-%d")
                .expect("date")
                .and_hms_opt(0, 0, 0)
                .expect("time")
        },
        |t| t.naive_utc(),
    );
    (t - epoch).num_seconds() as f64 / 86_400.0
}

/// The serial number of a date or date-time cell (which must be one).
fn date_cell(d: &Data) -> f64 {
    match d {
        Data::DateTime(t) => {
            assert!(t.is_datetime(), "{d:?}");
            t.as_f64()
        }
        other => panic!("expected a date cell, got {other:?}"),
    }
}

fn assert_close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 1e-6, "{what}: {got} != {want}");
}

/// Every hyperlink of a sheet as (row, column, target or location, displayed text).
fn links(book: &mut Book, sheet: &str) -> Vec<(u32, u32, String)> {
    book.hyperlinks_by_sheet_name(sheet)
        .unwrap_or_else(|e| panic!("hyperlinks of {sheet}: {e}"))
        .into_iter()
        .map(|h| {
            let to = h.target.or(h.location).unwrap_or_default();
            (h.range.start.0, h.range.start.1, to)
        })
        .collect()
}

fn assert_no_formulas(book: &mut Book) {
    for sheet in book.sheet_names() {
        let formulas = book.worksheet_formula(&sheet).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} holds formulas: {:?}",
            formulas.used_cells().collect::<Vec<_>>()
        );
    }
}

fn report(dir: &Path, args: &[&str]) {
    let mut full = vec!["report", "excel"];
    full.extend_from_slice(args);
    let out = run_env(dir, &full, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}

#[test]
fn the_seed_assessment_as_a_workbook() {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    report(repo.path(), &[GDPR, "-o", "out.xlsx"]);
    let mut book = open(&repo.path().join("out.xlsx"));
    assert_eq!(book.sheet_names(), SHEETS);

    let project = Project::work_tree(repo.path()).expect("open");
    let a = project.assessment(GDPR).expect("assessment");
    let views = controls(&a.doc.value, &project.catalog).expect("known pair");
    let customer_ids: Vec<&str> = views
        .iter()
        .filter(|v| matches!(v.managed, Managed::Customer(_)))
        .map(|v| v.control.id.as_str())
        .collect();
    let provider_ids: Vec<&str> = views
        .iter()
        .filter(|v| matches!(v.managed, Managed::Provider(_)))
        .map(|v| v.control.id.as_str())
        .collect();
    let total = score(&a.doc.value, &project.catalog).expect("score").total;

    // Summary.
    let s = rows(&mut book, "Summary");
    assert_eq!(
        summary(&s, "Organization")[1],
        Data::String("Contoso".into())
    );
    assert_eq!(
        &summary(&s, "Group")[1..3],
        [
            Data::String("Default Group".into()),
            Data::String("default-group".into())
        ]
    );
    assert_eq!(
        &summary(&s, "Assessment")[1..3],
        [
            Data::String("Office 365 - GDPR".into()),
            Data::String(GDPR.into())
        ]
    );
    assert_eq!(summary(&s, "Service")[1], Data::String("Office 365".into()));
    assert_eq!(summary(&s, "Certification")[1], Data::String("GDPR".into()));
    assert!(text(&summary(&s, "Certification")[2]).starts_with("version "));
    assert_close(
        date_cell(&summary(&s, "Created")[1]),
        serial("2019-01-15T09:30:00Z"),
        "created",
    );
    date_cell(&summary(&s, "Modified")[1]);
    date_cell(&summary(&s, "Generated at")[1]);
    assert!(text(&summary(&s, "Generated at")[2]).ends_with("not in git"));
    assert_eq!(summary(&s, "Archived")[1], Data::String("no".into()));
    assert_eq!(summary(&s, "Commit")[1], Data::String("not in git".into()));
    assert_eq!(
        summary(&s, "Compliance score")[1],
        Data::Float(f64::from(total.score))
    );
    assert_eq!(summary(&s, "Maximum")[1], Data::Float(f64::from(total.max)));
    assert_eq!(
        summary(&s, "Progress")[1],
        Data::String(format!("{} / {}", total.assessed, total.total))
    );
    let percent = total.assessed as f64 / total.total as f64;
    assert_eq!(summary(&s, "Progress")[2], Data::Float(percent));
    assert!(text(&summary(&s, "In-scope services")[1]).contains("Exchange Online"));

    // Provider controls: one row per provider-managed control, catalog order.
    let p = rows(&mut book, "Provider controls");
    assert_eq!(
        header(&p),
        [
            "Area",
            "Control",
            "Title",
            "Article",
            "Status",
            "Test date",
            "Test result",
            "Score",
            "Maximum",
            "Tested by",
            "Description"
        ]
    );
    let ids: Vec<&str> = p[1..].iter().map(|r| text(&r[1])).collect();
    assert_eq!(ids, provider_ids);
    for r in &p[1..] {
        date_cell(&r[column(&p, "Test date")]);
    }

    // Customer controls: every customer-managed control, not-started ones "Not started"
    // and "Not tested", their other cells blank.
    let c = rows(&mut book, "Customer controls");
    assert_eq!(
        header(&c),
        [
            "Area",
            "Control",
            "Title",
            "Article",
            "Status",
            "Assigned to",
            "Test date",
            "Test result",
            "Score",
            "Maximum"
        ]
    );
    let ids: Vec<&str> = c[1..].iter().map(|r| text(&r[1])).collect();
    assert_eq!(ids, customer_ids);
    let shared = control_row(&c, "6.10.1.2");
    assert_eq!(
        shared[column(&c, "Status")],
        Data::String("Implemented".into())
    );
    assert_eq!(
        shared[column(&c, "Test result")],
        Data::String("Passed".into())
    );
    assert_close(
        date_cell(&shared[column(&c, "Test date")]),
        serial("2019-04-02"),
        "test date",
    );
    assert_eq!(
        shared[column(&c, "Assigned to")],
        Data::String("bob@contoso.com".into())
    );

    // Implementation: what was written about the customer controls that have any of
    // it, in catalog order; a control with nothing written is left out.
    let n = rows(&mut book, "Implementation");
    assert_eq!(
        header(&n),
        [
            "Control",
            "Title",
            "Implementation",
            "Test plan",
            "Management response",
            "Documents"
        ]
    );
    let written: Vec<&str> = customer_ids
        .iter()
        .copied()
        .filter(|id| {
            a.doc.value.controls.get(*id).is_some_and(|r| {
                r.implementation.is_some()
                    || r.test_plan.is_some()
                    || r.management_response.is_some()
                    || !r.documents.is_empty()
            })
        })
        .collect();
    assert!(written.len() >= 3 && written.len() < customer_ids.len());
    let ids: Vec<&str> = n[1..].iter().map(|r| text(&r[0])).collect();
    assert_eq!(ids, written);
    let shared = control_row(&n, "6.10.1.2");
    assert!(
        text(&shared[column(&n, "Implementation")]).starts_with("TLS 1.2 or later is enforced")
    );
    assert_eq!(
        text(&shared[column(&n, "Documents")]),
        "evidence/cryptography-standard-v1.3.md\nevidence/tls-scan-2019-04.txt"
    );
    let not_started = customer_ids
        .iter()
        .find(|id| !a.doc.value.controls.contains_key(**id))
        .expect("a control not started");
    let blank = control_row(&c, not_started);
    assert_eq!(
        blank[column(&c, "Status")],
        Data::String("Not started".into())
    );
    assert_eq!(
        blank[column(&c, "Test result")],
        Data::String("Not tested".into())
    );
    for name in ["Assigned to", "Test date"] {
        assert!(
            blank
                .get(column(&c, name))
                .is_none_or(|d| *d == Data::Empty),
            "{not_started} {name}"
        );
    }

    // Action items: this assessment's assigned controls.
    let ai = rows(&mut book, "Action items");
    assert_eq!(
        header(&ai),
        [
            "Person",
            "Name",
            "Control",
            "Title",
            "Priority",
            "Notes",
            "Status",
            "Test result"
        ]
    );
    let assigned = a
        .doc
        .value
        .controls
        .values()
        .filter(|r| r.assigned_to.is_some())
        .count();
    assert_eq!(ai.len() - 1, assigned);
    let bob = control_row(&ai, "6.10.1.2");
    assert_eq!(
        &bob[..2],
        [
            Data::String("bob@contoso.com".into()),
            Data::String("Bob Okafor".into())
        ]
    );
    assert_eq!(bob[column(&ai, "Priority")], Data::String("Low".into()));
    assert!(text(&bob[column(&ai, "Notes")]).starts_with("Re-scan after"));
    let persons: Vec<&str> = ai[1..].iter().map(|r| text(&r[0])).collect();
    let mut sorted = persons.clone();
    sorted.sort_unstable();
    assert_eq!(persons, sorted, "action items are ordered by person");

    // Documents: one row per document, each a hyperlink (outside git: the
    // repository-relative path).
    let d = rows(&mut book, "Documents");
    assert_eq!(
        header(&d),
        [
            "Area",
            "Control",
            "Document",
            "Purpose",
            "Collected on",
            "Valid until",
            "Evidence",
            "SHA-256"
        ]
    );
    let all_docs: Vec<String> = views
        .iter()
        .filter_map(|v| match v.managed {
            Managed::Customer(Some(r)) => Some(r.documents.iter().map(|d| d.path.clone())),
            _ => None,
        })
        .flatten()
        .collect();
    let doc_col = column(&d, "Document");
    let listed: Vec<&str> = d[1..].iter().map(|r| text(&r[doc_col])).collect();
    assert_eq!(listed, all_docs);
    let doc_links = links(&mut book, "Documents");
    assert_eq!(doc_links.len(), all_docs.len());
    for (row, col, to) in &doc_links {
        assert_eq!(*col as usize, doc_col);
        assert_eq!(
            to,
            text(&d[*row as usize][doc_col]),
            "a link leads to its document"
        );
    }

    // In Implementation, one document links to it; several are listed, a path a line,
    // without a link (LibreOffice would show a link's text on one line, cut): each has
    // its link in the Documents sheet.
    let docs_col = column(&n, "Documents") as u32;
    let c_links = links(&mut book, "Implementation");
    let link_of = |id: &str| {
        let row = n.iter().position(|r| text(&r[0]) == id).expect("row") as u32;
        c_links
            .iter()
            .find(|(r, col, _)| *r == row && *col == docs_col)
            .map(|(_, _, to)| to.clone())
            .unwrap_or_else(|| panic!("no link for {id}"))
    };
    assert_eq!(
        link_of("7.2.2.1"),
        "evidence/records-of-processing-2019.csv"
    );
    let several = n
        .iter()
        .position(|r| text(&r[0]) == "6.10.1.2")
        .expect("row") as u32;
    assert!(
        !c_links
            .iter()
            .any(|(r, col, _)| *r == several && *col == docs_col),
        "{c_links:?}"
    );

    // Looks: bold, filled headers; status and result cells coloured.
    let styles = book.worksheet_style("Customer controls").expect("styles");
    let head = styles.get((0, 0)).expect("header style");
    assert!(head.font.as_ref().is_some_and(calamine::Font::is_bold));
    assert!(head.fill.as_ref().is_some_and(calamine::Fill::is_visible));
    let row = c
        .iter()
        .position(|r| text(&r[1]) == "6.10.1.2")
        .expect("row") as u32;
    let fill = |col: usize| {
        styles
            .get((row, col as u32))
            .and_then(|s| s.fill.as_ref())
            .and_then(calamine::Fill::get_color)
            .map(|c| c.to_argb() & 0x00FF_FFFF)
    };
    assert_eq!(
        fill(column(&c, "Status")),
        Some(0xC8E6C9),
        "implemented is green"
    );
    assert_eq!(
        fill(column(&c, "Test result")),
        Some(0xC8E6C9),
        "passed is green"
    );
    let medium = c
        .iter()
        .position(|r| text(&r[1]) == "7.2.2.1")
        .expect("row") as u32;
    let result_fill = styles
        .get((medium, column(&c, "Test result") as u32))
        .and_then(|s| s.fill.as_ref())
        .and_then(calamine::Fill::get_color)
        .map(|c| c.to_argb() & 0x00FF_FFFF);
    assert_eq!(result_fill, Some(0xFFCC99), "failed-medium-risk is orange");

    assert_no_formulas(&mut book);
}

#[test]
fn user_text_that_looks_like_a_formula_stays_text() {
    let repo = TestRepo::base();
    let path = "groups/default-group/office-365--gdpr.yaml";
    let yaml = repo
        .read(path)
        .replace(
            "implementation: TLS 1.2 or later is enforced on every public endpoint.",
            "implementation: '=HYPERLINK(\"http://x\",\"y\")'\n    management_response: '-2+3'",
        )
        .replace(
            "test_plan: Scan every public endpoint with an external TLS scanner.",
            "test_plan: '+1+1'",
        )
        .replace(
            "notes: Please attach the scanner report.",
            "notes: '@SUM(A1)'",
        );
    repo.write(path, yaml);
    let config = repo
        .read("assure.yaml")
        .replace("organization: Fixture Corp", "organization: '=1+1'");
    repo.write("assure.yaml", config);
    report(
        repo.path(),
        &["default-group/office-365--gdpr", "-o", "out.xlsx"],
    );

    let mut book = open(&repo.path().join("out.xlsx"));
    let c = rows(&mut book, "Implementation");
    let row = control_row(&c, "6.10.1.2");
    for (name, payload) in [
        ("Implementation", "=HYPERLINK(\"http://x\",\"y\")"),
        ("Test plan", "+1+1"),
        ("Management response", "-2+3"),
    ] {
        assert_eq!(
            row[column(&c, name)],
            Data::String(payload.into()),
            "{name}"
        );
    }
    let ai = rows(&mut book, "Action items");
    assert_eq!(
        control_row(&ai, "6.10.1.2")[column(&ai, "Notes")],
        Data::String("@SUM(A1)".into())
    );
    let s = rows(&mut book, "Summary");
    assert_eq!(summary(&s, "Organization")[1], Data::String("=1+1".into()));
    assert_no_formulas(&mut book);
}

/// The check above would see a formula: calamine reports one that rust_xlsxwriter wrote.
#[test]
fn the_formula_check_sees_formulas() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("f.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .write_formula(0, 0, "=1+1")
        .expect("formula");
    wb.save(&path).expect("save");
    let mut book = open(&path);
    let formulas = book.worksheet_formula("Sheet1").expect("formulas");
    assert!(formulas.used_cells().any(|(_, _, f)| !f.is_empty()));
}

#[test]
fn all_writes_one_workbook_per_assessment_archived_ones_too() {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    report(repo.path(), &["--all", "-o", "reports"]);
    let project = Project::work_tree(repo.path()).expect("open");
    let mut want: Vec<String> = project
        .ws
        .assessments
        .iter()
        .map(|a| format!("{}--{}.xlsx", a.group, a.stem))
        .collect();
    want.sort();
    let mut got: Vec<String> = std::fs::read_dir(repo.path().join("reports"))
        .expect("reports folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    got.sort();
    // The folder is the command's (replaced whole by the next run): its marker says so.
    want.insert(0, ".assure-workbooks".to_owned());
    assert_eq!(got, want);
    got.remove(0);
    for name in &got {
        let book = open(&repo.path().join("reports").join(name));
        assert_eq!(book.sheet_names(), SHEETS, "{name}");
    }

    let archived = ARCHIVED.replace('/', "--");
    let mut book = open(&repo.path().join(format!("reports/{archived}.xlsx")));
    let s = rows(&mut book, "Summary");
    assert_close(
        date_cell(&summary(&s, "Archived")[1]),
        serial("2019-12-20T16:00:00Z"),
        "archived",
    );
    assert!(!links(&mut book, "Documents").is_empty());
}

/// A copy of the example repository committed at a fixed time; returns its commit id.
fn committed_example() -> (TestRepo, String) {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    let git = GitRepo::init(repo.path());
    let id = git.commit_all("alice@contoso.com", "Seed", unix("2020-01-10T08:00:00Z"));
    (repo, id.to_string())
}

#[test]
fn the_same_commit_gives_the_same_bytes_and_pinned_links() {
    let (one, commit) = committed_example();
    let (two, commit2) = committed_example();
    assert_eq!(commit, commit2, "same tree, author and time");
    let out = tempfile::tempdir().expect("temp dir");
    let a = out.path().join("a.xlsx");
    let b = out.path().join("b.xlsx");
    report(one.path(), &[GDPR, "-o", a.to_str().expect("utf-8")]);
    report(two.path(), &[GDPR, "-o", b.to_str().expect("utf-8")]);
    let again = out.path().join("again.xlsx");
    report(one.path(), &[GDPR, "-o", again.to_str().expect("utf-8")]);
    let bytes = std::fs::read(&a).expect("read");
    assert!(
        bytes == std::fs::read(&b).expect("read"),
        "two clones of one commit"
    );
    assert!(bytes == std::fs::read(&again).expect("read"), "two runs");

    let mut book = open(&a);
    let s = rows(&mut book, "Summary");
    assert_eq!(summary(&s, "Commit")[1], Data::String(commit.clone()));
    assert!(
        summary(&s, "Commit")
            .get(2)
            .is_none_or(|d| *d == Data::Empty)
    );
    let at = serial("2020-01-10T08:00:00Z");
    assert_close(
        date_cell(&summary(&s, "Generated at")[1]),
        at,
        "generated at",
    );
    assert_close(date_cell(&summary(&s, "Modified")[1]), at, "modified");
    assert_eq!(
        text(&summary(&s, "Generated at")[2]),
        format!("2020-01-10 08:00 UTC, commit {}", &commit[..7])
    );

    let pinned = |path: &str| format!("{LINK_BASE}{commit}/{path}");
    let doc_links: Vec<String> = links(&mut book, "Documents")
        .into_iter()
        .map(|(_, _, to)| to)
        .collect();
    assert!(
        doc_links.contains(&pinned("evidence/tls-scan-2019-04.txt")),
        "{doc_links:?}"
    );
    assert!(
        doc_links
            .iter()
            .all(|l| l.starts_with(&format!("{LINK_BASE}{commit}/")))
    );
    let c_links: Vec<String> = links(&mut book, "Implementation")
        .into_iter()
        .map(|(_, _, to)| to)
        .collect();
    assert!(
        c_links.contains(&pinned("evidence/records-of-processing-2019.csv")),
        "{c_links:?}"
    );

    // An archived assessment's links stay pinned too.
    let archived = out.path().join("archived.xlsx");
    report(
        one.path(),
        &[ARCHIVED, "-o", archived.to_str().expect("utf-8")],
    );
    let mut book = open(&archived);
    let doc_links = links(&mut book, "Documents");
    assert!(!doc_links.is_empty());
    assert!(
        doc_links
            .iter()
            .all(|(_, _, l)| l.starts_with(&format!("{LINK_BASE}{commit}/")))
    );
}

#[test]
fn uncommitted_changes_are_marked() {
    let (repo, commit) = committed_example();
    let path = "groups/default-group/office-365--gdpr.yaml";
    let yaml = repo.read(path).replace("priority: low", "priority: medium");
    repo.write(path, yaml);
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("dirty.xlsx");
    report(repo.path(), &[GDPR, "-o", file.to_str().expect("utf-8")]);
    let mut book = open(&file);
    let s = rows(&mut book, "Summary");
    assert_eq!(summary(&s, "Commit")[1], Data::String(commit));
    assert_eq!(
        summary(&s, "Commit")[2],
        Data::String("with uncommitted changes".into())
    );
    assert!(text(&summary(&s, "Generated at")[2]).ends_with(", with uncommitted changes"));
}

#[test]
fn text_longer_than_a_cell_holds_is_cut_not_refused() {
    let repo = TestRepo::base();
    let path = "groups/default-group/office-365--gdpr.yaml";
    let long = "é".repeat(40_000);
    let yaml = repo.read(path).replace(
        "implementation: TLS 1.2 or later is enforced on every public endpoint.",
        &format!("implementation: {long}"),
    );
    repo.write(path, yaml);
    report(repo.path(), &[GDPR, "-o", "out.xlsx"]);
    let mut book = open(&repo.path().join("out.xlsx"));
    let c = rows(&mut book, "Implementation");
    let cell = text(&control_row(&c, "6.10.1.2")[column(&c, "Implementation")]).to_owned();
    assert!(cell.starts_with("éé"));
    assert!(cell.ends_with("(truncated: the full text is in the assessment file)"));
    assert!(cell.encode_utf16().count() <= 32_767);
}
