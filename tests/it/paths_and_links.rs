//! Paths and links (issue 15, items 4, 10 and 11), through the binary on real files: a
//! symbolic link where data belongs is a located error and is never followed nor written
//! through; evidence paths are canonical repository-relative paths naming regular files;
//! hyperlinks in reports are web or relative links only; and a file named on the command
//! line that is not a regular file, or is too large, is refused before it is read.
//!
//! Each defence has its attack beside it: a link that stays inside the repository, a
//! linked folder, an odd byte or case in a scheme, a named pipe or a device.

use std::path::Path;

use crate::support::{Located, Output, TestRepo, snapshot};

const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const ALICE: &str = "alice@example.com";

/// `validate --format json` as (exit code, findings).
fn located(repo: &TestRepo) -> (i32, Vec<Located>) {
    let out = repo.run(&["validate", "--format", "json"]);
    (out.code, crate::support::located(&out))
}

/// Just (code, file, line) of every finding, and the exit code.
fn codes(repo: &TestRepo) -> (i32, Vec<(String, String, u64)>) {
    let (code, found) = located(repo);
    (
        code,
        found.into_iter().map(|(c, f, l, _, _)| (c, f, l)).collect(),
    )
}

fn finding(code: &str, file: &str, line: u64) -> (String, String, u64) {
    (code.to_owned(), file.to_owned(), line)
}

#[cfg(unix)]
fn link(target: impl AsRef<Path>, at: &Path) {
    if std::fs::symlink_metadata(at).is_ok() {
        if at.is_dir() && !at.is_symlink() {
            std::fs::remove_dir_all(at).expect("rm -r");
        } else {
            std::fs::remove_file(at).expect("rm");
        }
    }
    std::fs::create_dir_all(at.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(target, at).expect("symlink");
}

/// Asserts the command failed with `code` and every file is byte for byte as before.
fn refused_untouched(
    out: &Output,
    code: i32,
    before: &std::collections::BTreeMap<String, Vec<u8>>,
    dir: &Path,
) {
    assert_eq!(
        out.code, code,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    assert_eq!(&snapshot(dir), before, "files changed: {}", out.stderr);
}

// ---------------------------------------------------------------------------------------
// Item 4 (work tree): data files are regular files

/// A link where a data file belongs is an error at that file, even when it points at a
/// valid file inside the repository, and the file it points at is never read.
#[cfg(unix)]
#[test]
fn a_data_file_that_is_a_link_inside_the_repository_is_an_error_and_not_read() {
    for (path, target) in [
        (GDPR_FILE, "../../evidence/notes.yaml"),
        (
            "groups/default-group/group.yaml",
            "../../evidence/notes.yaml",
        ),
        ("catalog/services.yaml", "../evidence/notes.yaml"),
        ("assure.yaml", "evidence/notes.yaml"),
    ] {
        let repo = TestRepo::base();
        // The linked-to file is the real content (so following the link would pass),
        // plus a marker that must never show up in the output.
        let real = repo.read(if path == "catalog/services.yaml" {
            GDPR_FILE
        } else {
            path
        });
        repo.write("evidence/notes.yaml", format!("{real}# NEVER-READ\n"));
        // For catalog/services.yaml the target is not a services file: read, it would be
        // a schema finding.
        link(target, &repo.path().join(path));
        let (code, found) = located(&repo);
        assert_eq!(code, 1, "{path}: {found:?}");
        assert!(
            found.contains(&(
                "symbolic-link".into(),
                path.into(),
                1,
                1,
                "replace the link with the file or folder itself (a copy of what it points to), or remove it".into()
            )),
            "{path}: {found:?}"
        );
        if path != "assure.yaml" {
            // Nothing else: the link is not read as the file it points at.
            assert_eq!(found.len(), 1, "{path}: {found:?}");
        }
        let out = repo.run(&["validate"]);
        assert!(
            out.stdout
                .contains("this is a symbolic link, so assure does not follow it"),
            "{path}: {}",
            out.stdout
        );
        assert!(!out.stdout.contains("NEVER-READ"), "{}", out.stdout);
    }
}

/// A link out of the repository, and a dangling link, are the same finding: what a link
/// points at is not looked at.
#[cfg(unix)]
#[test]
fn a_link_out_of_the_repository_or_dangling_is_the_same_finding() {
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(
        outside.path().join("secret.yaml"),
        "name: x\npassword: hunter2\n",
    )
    .expect("write");
    for target in [
        outside.path().join("secret.yaml"),
        Path::new("/nonexistent/assure-test").to_owned(),
    ] {
        let repo = TestRepo::base();
        link(
            &target,
            &repo.path().join("groups/default-group/group.yaml"),
        );
        assert_eq!(
            codes(&repo),
            (
                1,
                vec![finding(
                    "symbolic-link",
                    "groups/default-group/group.yaml",
                    1
                )]
            )
        );
        assert!(!repo.run(&["validate"]).stdout.contains("hunter2"));
    }
}

/// A linked folder — a group, `groups/` itself, `catalog/`, or a catalog subfolder — is
/// an error at the folder, and nothing under it is read.
#[cfg(unix)]
#[test]
fn a_linked_folder_is_an_error_and_nothing_under_it_is_read() {
    // A second group, as a link to a folder under evidence/ holding a valid group.
    let repo = TestRepo::base();
    std::fs::create_dir_all(repo.path().join("evidence/g")).expect("mkdir");
    for f in ["group.yaml", "office-365--gdpr.yaml"] {
        std::fs::copy(
            repo.path().join("groups/default-group").join(f),
            repo.path().join("evidence/g").join(f),
        )
        .expect("copy");
    }
    link("../evidence/g", &repo.path().join("groups/other"));
    assert_eq!(
        codes(&repo),
        (1, vec![finding("symbolic-link", "groups/other", 1)])
    );
    // No assessment of the linked group is listed.
    let out = repo.run(&["status", "--format", "json"]);
    assert!(!out.stdout.contains("other/"), "{}", out.stdout);

    // `groups/` itself.
    let repo = TestRepo::base();
    std::fs::rename(
        repo.path().join("groups"),
        repo.path().join("evidence/groups"),
    )
    .expect("mv");
    link("evidence/groups", &repo.path().join("groups"));
    let (code, found) = codes(&repo);
    assert_eq!(code, 1);
    assert_eq!(found, vec![finding("symbolic-link", "groups", 1)]);

    // `catalog/` and `catalog/certifications`: a certification under a linked folder is
    // not known, so the assessment that uses it is not valid either.
    for (link_at, target) in [
        ("catalog", "evidence/catalog"),
        (
            "catalog/certifications",
            "../evidence/catalog/certifications",
        ),
    ] {
        let repo = TestRepo::base();
        repo.write(
            "evidence/catalog/certifications/own-cert.yaml",
            "id: own-cert\nname: Own\nfamilies: []\n",
        );
        link(target, &repo.path().join(link_at));
        let (code, found) = codes(&repo);
        assert_eq!(code, 1, "{link_at}");
        assert_eq!(
            found,
            vec![finding("symbolic-link", link_at, 1)],
            "{link_at}"
        );
    }
}

/// An editing command never writes through a link: not into a linked `evidence/` (which
/// would put a file wherever the link points, here outside the repository), not over a
/// linked assessment.
#[cfg(unix)]
#[test]
fn an_edit_never_writes_through_a_link() {
    let repo = TestRepo::base();
    let outside = tempfile::tempdir().expect("tmp");
    let target = outside.path().join("evidence");
    std::fs::create_dir(&target).expect("mkdir");
    std::fs::rename(
        repo.path().join("evidence/tls-scan.txt"),
        target.join("tls-scan.txt"),
    )
    .expect("mv");
    std::fs::remove_dir(repo.path().join("evidence")).expect("rmdir");
    link(&target, &repo.path().join("evidence"));
    let doc = outside.path().join("report.pdf");
    std::fs::write(&doc, "a report").expect("write");
    let before = snapshot(repo.path());
    let outside_before = snapshot(outside.path());
    let out = repo.run(&[
        "doc",
        "add",
        "--as",
        ALICE,
        NIST,
        "CM-2",
        doc.to_str().expect("utf-8"),
    ]);
    refused_untouched(&out, 2, &before, repo.path());
    assert!(
        out.stderr.contains("evidence is a symbolic link")
            && out.stderr.contains("assure never writes through a link"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(outside.path()), outside_before);
    assert!(!target.join("report.pdf").exists());

    // A linked assessment is not loaded, so an edit of it finds no such assessment and
    // writes nothing (neither the link nor the file it points at).
    let repo = TestRepo::base();
    std::fs::rename(
        repo.path().join(NIST_FILE),
        repo.path().join("evidence/nist.yaml"),
    )
    .expect("mv");
    link("../../evidence/nist.yaml", &repo.path().join(NIST_FILE));
    let before = snapshot(repo.path());
    let out = repo.run(&[
        "control", "set", "--as", ALICE, NIST, "CM-2", "--status", "planned",
    ]);
    assert_ne!(out.code, 0);
    assert_eq!(snapshot(repo.path()), before, "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------
// Item 10: evidence paths are canonical and name regular files

/// The base repository with one more document on NIST's CM-2, at `path` with the hash of
/// `file` (repository-relative) when it exists; the finding's line is 25.
fn with_document(repo: &TestRepo, path: &str, file: &str) {
    let hash = assure::rules::evidence::hash_file(&repo.path().join(file))
        .unwrap_or_else(|_| "0".repeat(64));
    let nist = repo.read(NIST_FILE);
    repo.write(
        NIST_FILE,
        format!("{nist}    documents:\n      - path: \"{path}\"\n        sha256: \"{hash}\"\n"),
    );
}

/// Paths that reach a real file with the right hash, but not by its canonical path, or
/// inside git's own folder: each a located error at the `path:` value (line 25, column
/// 15), where today they pass.
#[test]
fn an_evidence_path_that_is_not_canonical_is_refused_even_with_the_right_hash() {
    for (path, file) in [
        (".git/config", ".git/config"),
        (".Git/config", ".git/config"),
        ("evidence//tls-scan.txt", "evidence/tls-scan.txt"),
        ("./evidence/tls-scan.txt", "evidence/tls-scan.txt"),
        ("evidence/./tls-scan.txt", "evidence/tls-scan.txt"),
        ("evidence/sub/.git/HEAD", "evidence/sub/.git/HEAD"),
    ] {
        let repo = TestRepo::base();
        repo.write(".git/config", "[core]\n\tbare = false\n");
        repo.write("evidence/sub/.git/HEAD", "ref: refs/heads/main\n");
        with_document(&repo, path, file);
        let (code, found) = located(&repo);
        assert_eq!(code, 1, "{path}: {found:?}");
        assert_eq!(found.len(), 1, "{path}: {found:?}");
        let (c, f, line, column, help) = &found[0];
        assert_eq!(
            (c.as_str(), f.as_str(), *line, *column),
            ("evidence-path-invalid", NIST_FILE, 25, 15),
            "{path}"
        );
        assert!(help.contains("e.g. `evidence/report.pdf`"), "{help}");
    }
    // The canonical path to the same file passes.
    let repo = TestRepo::base();
    with_document(&repo, "evidence/tls-scan.txt", "evidence/tls-scan.txt");
    assert_eq!(codes(&repo), (0, vec![]));
}

/// An evidence file, or a folder on the way to it, that is a symbolic link inside the
/// repository is not followed (today it is): the document checked is the one at its path.
#[cfg(unix)]
#[test]
fn an_evidence_path_through_a_link_inside_the_repository_is_refused() {
    // The file is a link.
    let repo = TestRepo::base();
    link("tls-scan.txt", &repo.path().join("evidence/alias.txt"));
    with_document(&repo, "evidence/alias.txt", "evidence/tls-scan.txt");
    let out = repo.run(&["validate"]);
    assert!(
        out.stdout.contains(
            "evidence path `evidence/alias.txt` goes through a symbolic link: `evidence/alias.txt` is a link"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(
        codes(&repo),
        (1, vec![finding("evidence-symbolic-link", NIST_FILE, 25)])
    );

    // A folder on the way is a link (to another folder of the repository).
    let repo = TestRepo::base();
    link("evidence", &repo.path().join("docs"));
    with_document(&repo, "docs/tls-scan.txt", "evidence/tls-scan.txt");
    let out = repo.run(&["validate"]);
    assert!(out.stdout.contains("`docs` is a link"), "{}", out.stdout);
    assert_eq!(
        codes(&repo),
        (1, vec![finding("evidence-symbolic-link", NIST_FILE, 25)])
    );

    // A link out of the repository stays what it was: outside the repository.
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(outside.path().join("x.txt"), "x").expect("write");
    let repo = TestRepo::base();
    link(outside.path(), &repo.path().join("evidence/out"));
    with_document(&repo, "evidence/out/x.txt", "evidence/out/x.txt");
    assert_eq!(
        codes(&repo),
        (
            1,
            vec![finding("evidence-outside-repository", NIST_FILE, 25)]
        )
    );
}

/// `doc add` records only a path `validate` accepts: a file in `.git/` is refused and
/// nothing is written; a file named through a link or `..` is recorded by its canonical
/// path.
#[test]
fn doc_add_records_only_canonical_paths() {
    let repo = TestRepo::base();
    repo.write(".git/config", "[core]\n");
    let before = snapshot(repo.path());
    let out = repo.run(&["doc", "add", "--as", ALICE, NIST, "CM-2", ".git/config"]);
    refused_untouched(&out, 2, &before, repo.path());
    assert!(
        out.stderr.contains(
            "would be recorded as `.git/config`, which is inside git's own folder `.git`"
        ),
        "{}",
        out.stderr
    );

    let repo = TestRepo::base();
    repo.write("evidence/sub/report.txt", "a report");
    let out = repo.run(&[
        "doc",
        "add",
        "--as",
        ALICE,
        NIST,
        "CM-2",
        "evidence/./sub/../sub//report.txt",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.read(NIST_FILE)
            .contains("- path: evidence/sub/report.txt\n")
    );
    assert_eq!(codes(&repo), (0, vec![]));
}

// ---------------------------------------------------------------------------------------
// Item 10: links in reports

/// `link_base` values that must never become a hyperlink, each as written in YAML (in
/// double quotes): schemes in any case, with a leading space or control character, a
/// protocol-relative address, and a placeholder first (the document path chooses).
const UNSAFE_BASES: &[&str] = &[
    "javascript:alert(1)//{path}",
    "JavaScript:alert(1)//{commit}/{path}",
    " javascript:alert(1)//{path}",
    "\\u0001javascript:alert(1)//{path}",
    "java\\tscript:alert(1)//{path}",
    "data:text/html,<script>alert(1)</script>{path}",
    "file:///etc/{path}",
    "vbscript:msgbox//{path}",
    "//evil.example.com/{path}",
    "/\\\\evil.example.com/{path}",
    "{path}?javascript:alert(1)",
];

/// The base repository with `report.link_base: "<base>"` and a second document on
/// NIST's CM-2 at `doc`, committed to git (a link is pinned to a commit only in git).
fn committed_with(base: &str, doc: &str) -> TestRepo {
    let repo = TestRepo::base();
    repo.write(
        "assure.yaml",
        format!(
            "{}report:\n  link_base: \"{base}\"\n",
            repo.read("assure.yaml")
        ),
    );
    with_document(&repo, doc, "evidence/tls-scan.txt");
    let git = crate::support::GitRepo::init(repo.path());
    git.commit_all(ALICE, "data", crate::support::unix("2025-01-01T00:00:00Z"));
    repo
}

/// Whether `href` is a link a report may make: a web address, or a relative path (the
/// site's own pages, `#anchors`, the workbook's `file:///` relative links).
fn safe(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return !lower.contains("javascript") && !lower.contains("evil");
    }
    let rel = lower.strip_prefix("file:///").unwrap_or(&lower);
    let first = rel.split(['/', '?', '#']).next().unwrap_or("");
    !rel.starts_with('/') && !first.contains(':') && !rel.chars().any(|c| c.is_control())
}

#[test]
fn validate_refuses_an_unsafe_link_base_at_its_line() {
    for base in UNSAFE_BASES {
        let repo = TestRepo::base();
        repo.write(
            "assure.yaml",
            format!(
                "{}report:\n  link_base: \"{base}\"\n",
                repo.read("assure.yaml")
            ),
        );
        let (code, found) = located(&repo);
        assert_eq!(code, 1, "{base}");
        assert_eq!(
            found
                .iter()
                .map(|(c, f, l, col, _)| (c.as_str(), f.as_str(), *l, *col))
                .collect::<Vec<_>>(),
            vec![("unsafe-link", "assure.yaml", 21, 14)],
            "{base}"
        );
    }
    for base in [
        "https://git.example.com/org/c/blob/{commit}/{path}",
        "HTTP://git.example.com/{path}",
        "../{path}",
        "{path}",
    ] {
        let repo = TestRepo::base();
        repo.write(
            "assure.yaml",
            format!(
                "{}report:\n  link_base: \"{base}\"\n",
                repo.read("assure.yaml")
            ),
        );
        assert_eq!(codes(&repo), (0, vec![]), "{base}");
    }
}

/// The workbook makes a hyperlink only of a web address or a relative path, whatever
/// `link_base` and the document path say (the report may run on a tree nobody
/// validated); the good `link_base` still makes its link.
#[test]
fn the_workbook_never_links_another_scheme() {
    use calamine::Reader;
    let cases: Vec<(&str, &str)> = UNSAFE_BASES
        .iter()
        .map(|b| (*b, "evidence/tls-scan.txt"))
        .chain([
            ("{path}", "javascript:alert(1)"),
            ("{path}", "JAVASCRIPT:alert(1)//x"),
        ])
        .collect();
    for (base, doc) in cases {
        let repo = committed_with(base, doc);
        let book = repo.path().join("out.xlsx");
        let out = crate::support::run_env(
            repo.path(),
            &["report", "excel", NIST, "-o", book.to_str().expect("utf-8")],
            &[],
        );
        assert_eq!(out.code, 0, "{base} {doc}: {}", out.stderr);
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).expect("open");
        for sheet in wb.sheet_names() {
            for h in wb.hyperlinks_by_sheet_name(&sheet).expect("links") {
                if let Some(target) = h.target {
                    assert!(safe(&target), "{base} {doc}: {sheet} links {target:?}");
                }
            }
        }
        // The document is still listed, as text.
        let docs = wb.worksheet_range("Documents").expect("Documents");
        assert!(
            docs.rows()
                .any(|r| r.iter().any(|c| *c == calamine::Data::String(doc.into()))),
            "{base} {doc}"
        );
    }
    let repo = committed_with(
        "https://git.example.com/c/blob/{commit}/{path}",
        "evidence/tls-scan.txt",
    );
    let book = repo.path().join("out.xlsx");
    let out = crate::support::run_env(
        repo.path(),
        &["report", "excel", NIST, "-o", book.to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).expect("open");
    let targets: Vec<String> = wb
        .hyperlinks_by_sheet_name("Documents")
        .expect("links")
        .into_iter()
        .filter_map(|h| h.target)
        .collect();
    assert!(
        targets
            .iter()
            .any(|t| t.starts_with("https://git.example.com/c/blob/")
                && t.ends_with("/evidence/tls-scan.txt")),
        "{targets:?}"
    );
}

/// Every `href="…"` value in the site's pages.
fn hrefs(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (file, bytes) in snapshot(dir) {
        let text = String::from_utf8_lossy(&bytes);
        // A group's data script (the controls its pages draw): every "href" in its JSON.
        if let Some(json) = text.strip_prefix("window.assureData = ") {
            let data: serde_json::Value =
                serde_json::from_str(json.trim_end().trim_end_matches(';')).expect("data");
            json_hrefs(&data, &mut |h| out.push((file.clone(), h.to_owned())));
            continue;
        }
        for part in text.split("href=\"").skip(1) {
            let value = part.split('"').next().unwrap_or("");
            // minijinja escapes `/` too.
            let value = value
                .replace("&#x2f;", "/")
                .replace("&#x27;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            out.push((file.clone(), value));
        }
    }
    out
}

fn json_hrefs(v: &serde_json::Value, found: &mut dyn FnMut(&str)) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    ("href", Some(h)) => found(h),
                    _ => json_hrefs(v, found),
                }
            }
        }
        serde_json::Value::Array(list) => list.iter().for_each(|v| json_hrefs(v, found)),
        _ => {}
    }
}

/// The site links a document only by a web address, whatever `link_base` and the
/// document path say; the good `link_base` still makes its link.
#[test]
fn the_site_never_links_another_scheme() {
    for (base, doc) in UNSAFE_BASES
        .iter()
        .map(|b| (*b, "evidence/tls-scan.txt"))
        .chain([("{path}", "javascript:alert(1)")])
    {
        let repo = committed_with(base, doc);
        let site = repo.path().join("out-site");
        let out = crate::support::run_env(
            repo.path(),
            &[
                "report",
                "site",
                "--quiet",
                "-o",
                site.to_str().expect("utf-8"),
            ],
            &[],
        );
        assert_eq!(out.code, 0, "{base}: {}", out.stderr);
        for (file, href) in hrefs(&site) {
            assert!(safe(&href), "{base} {doc}: {file} links {href:?}");
        }
    }
    let repo = committed_with(
        "https://git.example.com/c/blob/{commit}/{path}",
        "evidence/tls-scan.txt",
    );
    let site = repo.path().join("out-site");
    let out = crate::support::run_env(
        repo.path(),
        &[
            "report",
            "site",
            "--quiet",
            "-o",
            site.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        hrefs(&site)
            .iter()
            .any(|(_, h)| h.starts_with("https://git.example.com/c/blob/")),
        "the good link_base makes links"
    );
}

// ---------------------------------------------------------------------------------------
// Item 11: a file named on the command line is bounded

/// `assure -C DIR ARGS` under `timeout`, so a read that never ends fails the test
/// instead of stalling it.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let out = std::process::Command::new("timeout")
        .args(["--kill-after=5", "60"])
        .arg(env!("CARGO_BIN_EXE_assure"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ASSURE_TODAY", crate::support::TODAY)
        .env("NO_COLOR", "1")
        .output()
        .expect("run assure");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A small NIST OSCAL file vendored under `tests/fixtures/oscal/`.
fn oscal_fixture(name: &str) -> String {
    crate::support::fixtures()
        .join("oscal")
        .join(name)
        .to_str()
        .expect("utf-8")
        .to_owned()
}

/// `catalog import-oscal` refuses a device, a named pipe, a folder or a file over the
/// limit — as the input, `--catalog`, `--profile` or `--score-from` — with exit 2, a
/// message naming the file and what it is, and nothing written. Today `/dev/zero` is
/// read until memory runs out.
#[cfg(unix)]
#[test]
fn import_oscal_refuses_what_is_not_a_bounded_file() {
    let repo = TestRepo::base();
    let tmp = tempfile::tempdir().expect("tmp");
    let fifo = tmp.path().join("pipe.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // Sparse: 65 MiB long, no disk used.
    let big = tmp.path().join("big.json");
    std::fs::File::create(&big)
        .expect("create")
        .set_len(65 * 1024 * 1024)
        .expect("set_len");
    let (fifo, big, folder) = (
        fifo.to_str().expect("utf-8"),
        big.to_str().expect("utf-8"),
        tmp.path().to_str().expect("utf-8"),
    );
    let catalog = oscal_fixture("basic-catalog.json");
    let profile = oscal_fixture("NIST_SP-800-53_rev5_LOW-baseline_profile.json");
    let score_big = format!("{big}=5");
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (vec!["/dev/zero"], "/dev/zero", "it is a device, not a file"),
        (vec![fifo], fifo, "it is a named pipe (FIFO), not a file"),
        (vec![folder], folder, "it is a folder, not a file"),
        (vec![big], big, "the file is larger than 64 MiB"),
        (
            vec![&profile, "--catalog", "/dev/zero"],
            "/dev/zero",
            "it is a device, not a file",
        ),
        (
            vec![&catalog, "--profile", fifo],
            fifo,
            "it is a named pipe (FIFO), not a file",
        ),
        (
            vec![&catalog, "--score-from", &score_big],
            big,
            "the file is larger than 64 MiB",
        ),
    ];
    let before = snapshot(repo.path());
    for (args, file, why) in cases {
        let mut full = vec!["catalog", "import-oscal"];
        full.extend(args.iter().copied());
        let out = run_bounded(repo.path(), &full);
        refused_untouched(&out, 2, &before, repo.path());
        assert!(
            out.stderr
                .contains(&format!("{file}: cannot read the file: {why}")),
            "{args:?}: {}",
            out.stderr
        );
    }
    // The same files, bounded, still import.
    let out = run_bounded(repo.path(), &["catalog", "import-oscal", &catalog]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// `doc add` hashes the file it is given: a named pipe or a device is refused unopened
/// (opening a pipe would wait for a writer), with exit 2 and nothing written.
#[cfg(unix)]
#[test]
fn doc_add_refuses_a_pipe_or_a_device_unopened() {
    let repo = TestRepo::base();
    let fifo = repo.path().join("evidence/pipe.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let before = snapshot(repo.path());
    for file in [fifo.to_str().expect("utf-8"), "/dev/zero"] {
        let out = run_bounded(
            repo.path(),
            &["doc", "add", "--as", ALICE, NIST, "CM-2", file],
        );
        refused_untouched(&out, 2, &before, repo.path());
        assert!(
            out.stderr.contains(&format!("{file} is not a file")),
            "{}",
            out.stderr
        );
    }
}
