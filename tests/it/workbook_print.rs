//! The workbook on paper and in the certification's words (issue 18, items 12 and 14):
//! every sheet's page setup read from the file's XML, rows as tall as their wrapped
//! text, per-control score columns that add up to the Summary, the family and reference
//! terms as headers, "Not started" and "Not tested" for what has not happened, and
//! document links that lead to the files from wherever the workbook was written.
//!
//! The LibreOffice test (`#[ignore = "needs libreoffice"]`, with poppler's `pdftotext`
//! and `pdftohtml`, and the Carlito font; `.ci/run` installs them) prints the demo's GDPR
//! workbook to PDF and reads it back: its page count, the header row and the last column
//! on every page, every line of text, and the size the text is printed at on each page.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use assure::ops::Project;
use assure::ops::score::controls;
use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::support::{TestRepo, project_root, run_env};

type Book = Xlsx<std::io::BufReader<std::fs::File>>;

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const ISO_27018: &str = "data-security-and-privacy/office-365--iso-27018-2014";
const SHEETS: [&str; 6] = [
    "Summary",
    "Provider controls",
    "Customer controls",
    "Implementation",
    "Action items",
    "Documents",
];

/// Writes the workbook of `assessment` to `out` (relative to the repository) and returns
/// its path.
fn workbook(repo: &Path, assessment: &str, out: &str) -> PathBuf {
    let run = run_env(repo, &["report", "excel", assessment, "-o", out], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    repo.join(out)
}

fn example() -> TestRepo {
    TestRepo::copy_of(&project_root().join("example-repo"))
}

/// Every XML part of the .xlsx file, by name.
fn parts(book: &Path) -> BTreeMap<String, String> {
    let file = std::fs::File::open(book).expect("open workbook");
    let mut zip = zip::ZipArchive::new(file).expect("an .xlsx is a zip file");
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let name = entry.name().expect("utf-8 name").into_owned();
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("utf-8 part");
        parts.insert(name, text);
    }
    parts
}

/// The worksheet part of the `n`th sheet (0-based, in workbook order).
fn sheet_xml(parts: &BTreeMap<String, String>, n: usize) -> &str {
    &parts[&format!("xl/worksheets/sheet{}.xml", n + 1)]
}

/// The first `<tag …>` element of `xml`, as written.
fn element<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{tag} "))?;
    let end = start + xml[start..].find('>')?;
    Some(&xml[start..=end])
}

/// The value of attribute `name` in the element `el`.
fn attr<'a>(el: &'a str, name: &str) -> Option<&'a str> {
    let start = el.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + el[start..].find('"')?;
    Some(&el[start..end])
}

fn rows(book: &mut Book, sheet: &str) -> Vec<Vec<Data>> {
    book.worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"))
        .rows()
        .map(<[Data]>::to_vec)
        .collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        Data::Float(f) => f.to_string(),
        other => format!("{other:?}"),
    }
}

fn header(rows: &[Vec<Data>]) -> Vec<String> {
    rows[0].iter().map(text).collect()
}

fn column(rows: &[Vec<Data>], name: &str) -> usize {
    header(rows)
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", header(rows)))
}

/// The index of the row whose `Control` cell is `id`.
fn control_row(rows: &[Vec<Data>], id: &str) -> usize {
    let c = column(rows, "Control");
    rows.iter()
        .position(|r| r.get(c).is_some_and(|d| *d == Data::String(id.into())))
        .unwrap_or_else(|| panic!("no row for {id}"))
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

/// The Summary's value for `label`.
fn summary(book: &mut Book, label: &str) -> Data {
    rows(book, "Summary")
        .into_iter()
        .find(|r| r.first().is_some_and(|d| *d == Data::String(label.into())))
        .unwrap_or_else(|| panic!("no summary row {label}"))[1]
        .clone()
}

#[test]
fn every_sheet_prints_landscape_one_page_wide_its_header_on_every_page() {
    let repo = example();
    let book = workbook(repo.path(), GDPR, "out.xlsx");
    let parts = parts(&book);
    let workbook_xml = &parts["xl/workbook.xml"];
    for (n, name) in SHEETS.iter().enumerate() {
        let xml = sheet_xml(&parts, n);
        assert!(
            xml.contains("<sheetPr><pageSetUpPr fitToPage=\"1\"/>"),
            "{name}: fit to page"
        );
        let setup = element(xml, "pageSetup").unwrap_or_else(|| panic!("{name}: no pageSetup"));
        assert_eq!(attr(setup, "orientation"), Some("landscape"), "{name}");
        // One page wide (1 is the default of fitToWidth), any number tall.
        assert!(
            attr(setup, "fitToWidth").is_none_or(|w| w == "1"),
            "{name}: {setup}"
        );
        assert_eq!(attr(setup, "fitToHeight"), Some("0"), "{name}: {setup}");
        assert!(
            xml.contains("<oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter>"),
            "{name}: sheet name and page number in the footer"
        );
        if n == 0 {
            // The Summary is label/value rows: no header row to repeat or freeze.
            assert!(!xml.contains("<pane "), "{name}");
            continue;
        }
        let pane = element(xml, "pane").unwrap_or_else(|| panic!("{name}: no frozen pane"));
        assert_eq!(attr(pane, "ySplit"), Some("1"), "{name}");
        assert_eq!(attr(pane, "state"), Some("frozen"), "{name}");
        let quoted = if name.contains(' ') {
            format!("'{name}'")
        } else {
            (*name).to_owned()
        };
        let titles = format!(
            "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{n}\">{quoted}!$1:$1</definedName>"
        );
        assert!(workbook_xml.contains(&titles), "{name}: {titles}");
    }
}

/// LibreOffice does not grow a row for its wrapped text: the workbook sets the height,
/// at least one line for each line of the text, on every row that needs it.
#[test]
fn a_row_is_as_tall_as_its_wrapped_text() {
    let repo = example();
    let path = workbook(repo.path(), GDPR, "out.xlsx");
    let parts = parts(&path);
    let mut book: Book = open_workbook(&path).expect("open");
    for (n, sheet) in SHEETS.iter().enumerate().skip(1) {
        let xml = sheet_xml(&parts, n);
        let heights: BTreeMap<usize, f64> = xml
            .split("<row ")
            .skip(1)
            .map(|r| format!("<row {}", &r[..r.find('>').expect("tag end")]))
            .map(|el| {
                let r: usize = attr(&el, "r").expect("r").parse().expect("row number");
                let ht = attr(&el, "ht").map_or(15.0, |h| h.parse().expect("height"));
                (r, ht)
            })
            .collect();
        for (i, row) in rows(&mut book, sheet).iter().enumerate().skip(1) {
            let lines = row
                .iter()
                .map(|d| text(d).trim_end().lines().count())
                .max()
                .unwrap_or(1);
            let ht = heights.get(&(i + 1)).copied().unwrap_or(15.0);
            assert!(
                ht >= 15.0 * lines as f64,
                "{sheet} row {}: {lines} lines in {ht} points",
                i + 1
            );
        }
    }
    // The shared control's implementation: five lines of YAML, longer when wrapped.
    let c = rows(&mut book, "Implementation");
    let row = control_row(&c, "6.10.1.2") + 1;
    let xml = sheet_xml(&parts, 3);
    let el = element(xml, &format!("row r=\"{row}\"")).expect("the row");
    let ht: f64 = attr(el, "ht").expect("a height").parse().expect("number");
    assert!(ht >= 15.0 * 5.0, "{el}");
    assert_eq!(attr(el, "customHeight"), Some("1"), "{el}");
}

/// Per control, "Score" is the value earned and "Maximum" the value possible: numbers
/// that add up to the Summary's, so an auditor can sum any filtered selection.
#[test]
fn score_columns_add_up_to_the_summary() {
    let repo = example();
    let project = Project::work_tree(repo.path()).expect("open");
    for (assessment, earning, planned, out_of_scope) in [
        (GDPR, "6.10.1.2", "6.6.2.1", None),
        (NIST, "IR-8", "IA-2(1)", Some("AC-18")),
    ] {
        let path = workbook(repo.path(), assessment, "out.xlsx");
        let mut book: Book = open_workbook(&path).expect("open");
        let a = project.assessment(assessment).expect("assessment");
        let views = controls(&a.doc.value, &project.catalog).expect("known pair");
        let value = |id: &str| {
            let v = views.iter().find(|v| v.control.id == id).expect("control");
            f64::from(v.control.score)
        };
        let (mut score, mut max) = (0.0, 0.0);
        for sheet in ["Provider controls", "Customer controls"] {
            let t = rows(&mut book, sheet);
            let (s, m) = (column(&t, "Score"), column(&t, "Maximum"));
            for r in &t[1..] {
                score += number(&r[s]);
                max += number(&r[m]);
            }
        }
        assert_eq!(
            score,
            number(&summary(&mut book, "Compliance score")),
            "{assessment}"
        );
        assert_eq!(max, number(&summary(&mut book, "Maximum")), "{assessment}");
        assert!(score > 0.0 && max > score, "{assessment}: {score} / {max}");

        let c = rows(&mut book, "Customer controls");
        let points = |id: &str| {
            let r = &c[control_row(&c, id)];
            (
                number(&r[column(&c, "Score")]),
                number(&r[column(&c, "Maximum")]),
            )
        };
        assert_eq!(
            points(earning),
            (value(earning), value(earning)),
            "{earning}"
        );
        assert_eq!(points(planned), (0.0, value(planned)), "{planned}");
        if let Some(id) = out_of_scope {
            assert!(value(id) > 0.0);
            assert_eq!(points(id), (0.0, 0.0), "{id}: not in scope");
        }
    }
}

#[test]
fn headers_speak_the_certifications_words() {
    let repo = example();
    // (assessment, family term, reference term)
    for (assessment, family, reference) in [
        (GDPR, "Area", Some("Article")),
        (NIST, "Family", None),
        (ISO_27018, "Principle", None),
    ] {
        let path = workbook(repo.path(), assessment, "out.xlsx");
        let mut book: Book = open_workbook(&path).expect("open");
        for sheet in ["Provider controls", "Customer controls"] {
            let h = header(&rows(&mut book, sheet));
            let mut lead = vec![family, "Control", "Title"];
            lead.extend(reference);
            lead.push("Status");
            assert_eq!(h[..lead.len()], lead, "{assessment} {sheet}");
            for gone in ["Articles", "Article", "Reference", "Product"] {
                assert!(
                    reference == Some(gone) || !h.iter().any(|x| x == gone),
                    "{assessment} {sheet}: {h:?}"
                );
            }
        }
        assert_eq!(header(&rows(&mut book, "Documents"))[0], family);
        let s = rows(&mut book, "Summary");
        assert!(
            s.iter()
                .any(|r| r.first().is_some_and(|d| text(d) == family)
                    && r.get(1).is_some_and(|d| text(d) == "Assessed / total")),
            "{assessment}: the per-family table is headed {family}"
        );
        assert!(
            s.iter().any(|r| text(&r[0]) == "Service"),
            "Service, never Product"
        );
    }
}

/// What has not happened reads "Not started" and "Not tested" on every sheet, never a
/// blank cell.
#[test]
fn nothing_recorded_reads_not_started_and_not_tested() {
    let repo = example();
    let path = workbook(repo.path(), GDPR, "out.xlsx");
    let mut book: Book = open_workbook(&path).expect("open");
    for sheet in ["Customer controls", "Action items"] {
        let t = rows(&mut book, sheet);
        let (s, r) = (column(&t, "Status"), column(&t, "Test result"));
        for row in &t[1..] {
            assert_ne!(row[s], Data::Empty, "{sheet}: {row:?}");
            assert_ne!(row[r], Data::Empty, "{sheet}: {row:?}");
        }
    }
    let ai = rows(&mut book, "Action items");
    let planned = &ai[control_row(&ai, "6.6.2.1")];
    assert_eq!(
        planned[column(&ai, "Status")],
        Data::String("Planned".into())
    );
    assert_eq!(
        planned[column(&ai, "Test result")],
        Data::String("Not tested".into())
    );
    let c = rows(&mut book, "Customer controls");
    let untouched = &c[control_row(&c, "6.2.1.1")];
    assert_eq!(
        untouched[column(&c, "Status")],
        Data::String("Not started".into())
    );
    assert_eq!(
        untouched[column(&c, "Test result")],
        Data::String("Not tested".into())
    );
}

/// Every hyperlink of a workbook to a file (not a place in the workbook), as (target,
/// text shown).
fn file_links(path: &Path) -> Vec<(String, String)> {
    let mut book: Book = open_workbook(path).expect("open");
    let mut out = Vec::new();
    for sheet in SHEETS {
        let cells = rows(&mut book, sheet);
        for h in book.hyperlinks_by_sheet_name(sheet).expect("links") {
            if let Some(target) = h.target {
                let (r, c) = (h.range.start.0 as usize, h.range.start.1 as usize);
                out.push((target, text(&cells[r][c])));
            }
        }
    }
    out
}

/// Asserts that every document link of the workbook at `book` opens, from the
/// workbook's folder, the document of the repository at `repo` it names.
fn assert_links_resolve(book: &Path, repo: &Path) -> usize {
    let links = file_links(book);
    let from = book.parent().expect("folder");
    for (target, shown) in &links {
        assert!(
            target.starts_with("./") || target.starts_with("../") || !target.contains(':'),
            "{}: {target} is a relative link",
            book.display()
        );
        let found = from
            .join(target)
            .canonicalize()
            .unwrap_or_else(|e| panic!("{}: {target} leads nowhere ({e})", book.display()));
        assert_eq!(
            found,
            repo.join(shown).canonicalize().expect("the document"),
            "{}: {target}",
            book.display()
        );
    }
    links.len()
}

/// Outside git (so `link_base` pins nothing), a document link is relative to the folder
/// the workbook is written in, wherever that is.
#[test]
fn document_links_lead_to_the_files_from_where_the_workbook_is() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = tmp.path().join("repo");
    crate::support::copy_tree(&project_root().join("example-repo"), &repo);
    std::fs::create_dir_all(repo.join("nested/deeper")).expect("mkdir");
    std::fs::create_dir(tmp.path().join("books")).expect("mkdir");

    let beside = workbook(&repo, GDPR, "out.xlsx");
    assert!(
        file_links(&beside)
            .iter()
            .any(|(t, _)| t == "evidence/tls-scan-2019-04.txt"),
        "{:?}",
        file_links(&beside)
    );
    assert!(assert_links_resolve(&beside, &repo) >= 3);
    let deeper = workbook(&repo, GDPR, "nested/deeper/out.xlsx");
    assert!(
        file_links(&deeper)
            .iter()
            .all(|(t, _)| t.starts_with("../../evidence/"))
    );
    assert_links_resolve(&deeper, &repo);
    assert_links_resolve(&workbook(&repo, GDPR, "../books/out.xlsx"), &repo);

    let run = run_env(&repo, &["report", "excel", "--all", "-o", "reports"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut linked = 0;
    for entry in std::fs::read_dir(repo.join("reports")).expect("reports") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "xlsx") {
            linked += assert_links_resolve(&path, &repo);
        }
    }
    assert!(linked > 10, "{linked} links");
}

/// The path from the workbook to the repository is made of folder names, which may look
/// like a scheme: it is written so that no spreadsheet reads one.
#[test]
fn a_folder_named_like_a_scheme_never_leads_a_link() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = tmp.path().join("javascript:alert(1)");
    crate::support::copy_tree(&project_root().join("example-repo"), &repo);
    let book = workbook(&repo, GDPR, "../out.xlsx");
    let links = file_links(&book);
    assert!(!links.is_empty());
    for (target, _) in &links {
        assert!(
            target.starts_with("./javascript:alert(1)/evidence/"),
            "{target}"
        );
        assert_eq!(
            assure::rules::links::classify(target),
            Some(assure::rules::links::Link::Relative),
            "{target}"
        );
    }
    assert_links_resolve(&book, &repo);
}

/// A tool the LibreOffice test needs, on the PATH; missing, the test fails with what to
/// install.
fn tool(name: &str, package: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("{name} is not on the PATH: `apt-get install {package}` (.ci/run does)")
        })
}

/// The text of `pdf`, by page (`-layout`), or whole in drawing order (`-raw`).
fn pdftotext(pdf: &Path, mode: &str) -> String {
    let out = Command::new(tool("pdftotext", "poppler-utils"))
        .arg(mode)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
#[ignore = "needs libreoffice"]
fn the_demo_gdpr_workbook_prints_in_a_few_whole_pages() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_env(tmp.path(), &["demo", "demo"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let dir = tmp.path().join("demo");
    let book = dir.join("reports/default-group--office-365--gdpr.xlsx");
    let pdf_dir = tmp.path().join("pdf");
    let out = Command::new("timeout")
        .arg("300")
        .arg(tool("soffice", "libreoffice-calc"))
        .arg(format!(
            "-env:UserInstallation=file://{}",
            tmp.path().join("profile").display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&pdf_dir)
        .arg(&book)
        .output()
        .expect("run soffice");
    let pdf = pdf_dir.join("default-group--office-365--gdpr.pdf");
    assert!(
        pdf.is_file(),
        "soffice wrote no PDF: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Pages, by the sheet their footer names ("Customer controls … Page 3 of 6").
    let pages: Vec<String> = pdftotext(&pdf, "-layout")
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_owned)
        .collect();
    let total = pages.len();
    eprintln!("the demo's GDPR workbook prints on {total} pages");
    assert!((SHEETS.len()..=10).contains(&total), "{total} pages");
    let mut mine: Vec<Vec<&str>> = vec![Vec::new(); SHEETS.len()];
    for (i, page) in pages.iter().enumerate() {
        let footer = page
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .expect("footer");
        assert!(
            footer
                .trim_end()
                .ends_with(&format!("Page {} of {total}", i + 1)),
            "{footer}"
        );
        let sheet = SHEETS
            .iter()
            .position(|s| footer.trim_start().starts_with(s))
            .unwrap_or_else(|| panic!("page {}: {footer}", i + 1));
        mine[sheet].push(page);
    }
    let mut xlsx: Book = open_workbook(&book).expect("open");
    assert_readable(&pdf, &pages);
    for (n, sheet) in SHEETS.iter().enumerate() {
        assert!(!mine[n].is_empty(), "{sheet} prints");
        if n == 0 {
            assert_eq!(mine[n].len(), 1, "the Summary is one page");
            continue;
        }
        // One page wide with its header row: the first and the last column's headers
        // on every page of the sheet.
        let h = header(&rows(&mut xlsx, sheet));
        let (first, last) = (&h[0], h.last().expect("columns"));
        for page in &mine[n] {
            let head = page.lines().find(|l| !l.trim().is_empty()).expect("a line");
            assert!(
                head.trim_start().starts_with(first.as_str()) && head.contains(last.as_str()),
                "{sheet}: a page starts {head:?}"
            );
        }
    }

    // No text is cut by a row too short: every cell's text is in the PDF, whole (space
    // ignored, as wrapping moves it).
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    let printed = squeeze(&pdftotext(&pdf, "-raw"));
    for sheet in &SHEETS[1..] {
        for row in rows(&mut xlsx, sheet).iter().skip(1) {
            for cell in row {
                if let Data::String(s) = cell {
                    assert!(printed.contains(&squeeze(s)), "{sheet}: cut: {s:?}");
                }
            }
        }
    }
}

/// The smallest text a page may print, in points: Calibri 11 at 65 % (an auditor reads
/// 7 points on paper; 14 columns on one sheet printed at 40 %, 4.4 points).
const SMALLEST_TEXT: f64 = 7.0;

/// Asserts that every page of `pdf` prints its text at [`SMALLEST_TEXT`] or larger: a
/// sheet fitted to one page wide is scaled down as a whole, so a column too many shrinks
/// the text of the whole sheet. `pages` are the pages' text, footer last.
///
/// The size is read from `pdftohtml -xml`, which gives each font's size times its zoom
/// (3, its largest: a third of a point). It means something only when LibreOffice lays
/// the page out with Calibri's metrics, as Excel does: with another fallback font (DejaVu
/// Sans, wider) every column is a quarter wider and the page a quarter smaller. Carlito,
/// metric-compatible with Calibri, is required.
fn assert_readable(pdf: &Path, pages: &[String]) {
    const ZOOM: f64 = 3.0;
    let out = Command::new(tool("pdftohtml", "poppler-utils"))
        .args(["-xml", "-i", "-q", "-stdout", "-zoom", "3"])
        .arg(pdf)
        .output()
        .expect("run pdftohtml");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = String::from_utf8(out.stdout).expect("utf-8");
    // Font ids are numbered across the document; a page lists only its new ones.
    let mut fonts: BTreeMap<String, (f64, String)> = BTreeMap::new();
    for spec in xml.split("<fontspec").skip(1) {
        let id = attr(spec, "id").expect("font id").to_owned();
        let size: f64 = attr(spec, "size").expect("size").parse().expect("a number");
        let family = attr(spec, "family").expect("family").to_owned();
        fonts.insert(id, (size / ZOOM, family));
    }
    for (_, family) in fonts.values() {
        assert!(
            family.contains("Carlito") || family.contains("Calibri"),
            "LibreOffice printed the workbook in {family}, not Calibri or Carlito: its page \
             scale then says nothing of Excel's. `apt-get install fonts-crosextra-carlito` \
             (.ci/run does)"
        );
    }
    let printed: Vec<&str> = xml.split("<page ").skip(1).collect();
    assert_eq!(printed.len(), pages.len(), "pdftohtml and pdftotext pages");
    let mut report = Vec::new();
    for (page, text) in printed.iter().zip(pages) {
        let smallest = page
            .split("<text ")
            .skip(1)
            .filter_map(|t| fonts.get(attr(t, "font")?))
            .map(|(size, _)| *size)
            .fold(f64::INFINITY, f64::min);
        let footer = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .expect("footer");
        let footer = footer.split_whitespace().collect::<Vec<_>>().join(" ");
        report.push(format!(
            "{footer}: {smallest:.1} pt ({:.0} %)",
            smallest / 11.0 * 100.0
        ));
        assert!(
            smallest >= SMALLEST_TEXT,
            "{footer}: text printed at {smallest:.1} points (Calibri 11 at {:.0} %), less \
             than {SMALLEST_TEXT}: too many or too wide columns for one page wide",
            smallest / 11.0 * 100.0
        );
    }
    eprintln!("{}", report.join("\n"));
}
