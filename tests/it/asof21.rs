//! As-of views (issue 21, item 4): `--as-of REV|DATE` on `status`, `controls`,
//! `actions`, `assessment show`, `report site`, `report excel` and `export oscal` shows
//! the repository as a commit holds it, read through the loader's revision source.
//!
//! Every case runs on the same real history, made here with fixed committer times:
//!
//! | commit | committed (UTC)      | tag          | 6.10.1.2 (GDPR)          |
//! |--------|----------------------|--------------|--------------------------|
//! | c1     | 2024-01-10 10:00     | v2024-audit  | implemented              |
//! | c2     | 2024-03-15 10:00     |              | planned                  |
//! | c3     | 2024-06-30 23:30     | v2024-q2     | planned, note on AC-1    |
//! | work   | (uncommitted)        |              | alternative-implementation |
//!
//! A date is the last commit of the branch's first-parent history at or before the end
//! of that day (UTC); a ref of the same name wins over the date; what names no commit is
//! an error (exit 2) saying what to do; nothing in the work tree or index moves.

use std::path::Path;

use crate::support::{GitRepo, Output, TestRepo, git_cli, run_env, snapshot, unix};

const GDPR: &str = "default-group/office-365--gdpr";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const ALICE: &str = "alice@example.com";

/// The history of the module docs; returns the repository and (c1, c2, c3).
fn history() -> (TestRepo, [git2::Oid; 3]) {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let c1 = git.commit_all(ALICE, "Initial import", unix("2024-01-10T10:00:00Z"));
    tag(repo.path(), "v2024-audit", c1);
    set_status(&repo, "planned");
    let c2 = git.commit_all(ALICE, "Q1 rework", unix("2024-03-15T10:00:00Z"));
    let nist = repo.read(NIST_FILE);
    repo.write(NIST_FILE, format!("{nist}# reviewed in Q2\n"));
    let c3 = git.commit_all(ALICE, "Q2 review", unix("2024-06-30T23:30:00Z"));
    tag(repo.path(), "v2024-q2", c3);
    set_status(&repo, "alternative-implementation");
    (repo, [c1, c2, c3])
}

/// Sets the status of GDPR's 6.10.1.2 (implemented in the fixture) in the work tree.
fn set_status(repo: &TestRepo, status: &str) {
    let text = repo.read(GDPR_FILE);
    let at = text
        .find("  \"6.10.1.2\":\n")
        .expect("6.10.1.2 in the fixture");
    let line = text[at..].find("    status: ").expect("its status") + at;
    let end = text[line..].find('\n').expect("line end") + line;
    repo.write(
        GDPR_FILE,
        format!("{}    status: {status}{}", &text[..line], &text[end..]),
    );
}

fn tag(dir: &Path, name: &str, at: git2::Oid) {
    let out = git_cli(dir, &["tag", name, &at.to_string()]);
    assert_eq!(out.code, 0, "git tag: {}", out.stderr);
}

fn short(id: git2::Oid) -> String {
    id.to_string()[..7].to_owned()
}

fn run(repo: &TestRepo, args: &[&str]) -> Output {
    run_env(repo.path(), args, &[])
}

/// `controls GDPR --control 6.10.1.2 ARGS`: (the first line, the control's line).
fn control_line(repo: &TestRepo, args: &[&str]) -> (String, String) {
    let mut full = vec!["controls", GDPR, "--control", "6.10.1.2"];
    full.extend_from_slice(args);
    let out = run(repo, &full);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    let row = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("6.10.1.2"))
        .unwrap_or_else(|| panic!("{args:?}: no row in\n{}", out.stdout))
        .to_owned();
    (out.stdout.lines().next().unwrap_or("").to_owned(), row)
}

/// The commit a JSON view says it is as of.
fn as_of_commit(repo: &TestRepo, args: &[&str]) -> String {
    let mut full = args.to_vec();
    full.extend_from_slice(&["--format", "json"]);
    let out = run(repo, &full);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    json["as_of"]["commit"]
        .as_str()
        .unwrap_or_else(|| panic!("{args:?}: no as_of.commit in {json}"))
        .to_owned()
}

#[test]
fn controls_as_of_a_tag_shows_the_old_value_and_says_which_commit() {
    let (repo, [c1, _, c3]) = history();
    let (first, row) = control_line(&repo, &["--as-of", "v2024-audit"]);
    assert_eq!(
        first,
        format!(
            "as of {} (2024-01-10, \"Initial import\") — tag v2024-audit",
            short(c1)
        )
    );
    assert!(row.contains("Implemented"), "{row}");
    // Today's view is the work tree: no as-of line, the uncommitted value.
    let (first, row) = control_line(&repo, &[]);
    assert!(!first.starts_with("as of"), "{first}");
    assert!(row.contains("Alternative"), "{row}");
    // HEAD as a revision is the last commit, not the work tree.
    let (first, row) = control_line(&repo, &["--as-of", "HEAD"]);
    assert!(
        first.starts_with(&format!("as of {}", short(c3))),
        "{first}"
    );
    assert!(row.contains("Planned"), "{row}");
    // A commit id and a relative revision work as well.
    let (first, _) = control_line(&repo, &["--as-of", &c1.to_string()]);
    assert!(
        first.starts_with(&format!("as of {}", short(c1))),
        "{first}"
    );
    let (first, _) = control_line(&repo, &["--as-of", "HEAD~2"]);
    assert!(
        first.starts_with(&format!("as of {}", short(c1))),
        "{first}"
    );
}

#[test]
fn controls_as_of_a_date_is_the_last_commit_by_the_end_of_that_day() {
    let (repo, [c1, c2, c3]) = history();
    for (date, commit, status) in [
        // The day of a commit includes it (10:00 UTC).
        ("2024-01-10", c1, "Implemented"),
        ("2024-03-14", c1, "Implemented"),
        ("2024-03-15", c2, "Planned"),
        // Between commits: the earlier one.
        ("2024-05-01", c2, "Planned"),
        // c3 was committed at 23:30 UTC: the end of the day includes it...
        ("2024-06-30", c3, "Planned"),
        ("2030-01-01", c3, "Planned"),
        // ...an instant before it does not.
        ("2024-06-30T23:00:00Z", c2, "Planned"),
        ("2024-06-30T23:30:00Z", c3, "Planned"),
        // An offset is honoured: 2024-07-01 01:00 at +02:00 is 23:00 UTC.
        ("2024-07-01T01:00:00+02:00", c2, "Planned"),
    ] {
        let (first, row) = control_line(&repo, &["--as-of", date]);
        assert!(
            first.starts_with(&format!("as of {} (", short(commit))),
            "{date}: {first}"
        );
        assert!(row.contains(status), "{date}: {row}");
    }
    assert_eq!(
        as_of_commit(&repo, &["controls", GDPR, "--as-of", "2024-05-01"]),
        c2.to_string()
    );
}

#[test]
fn a_date_goes_by_the_first_parent_history_and_the_committer_time() {
    let (repo, [_, c2, c3]) = history();
    let git = GitRepo::init(repo.path());
    // A side branch from c2 with a commit on 2024-04-01, merged on 2024-08-01: as of
    // 2024-05-01 the branch (first parents: c3, c2) had c2, not the side commit.
    let side = {
        git.reset_hard(c2);
        set_status(&repo, "not-in-scope");
        git.commit_all(ALICE, "side work", unix("2024-04-01T10:00:00Z"))
    };
    git.reset_hard(c3);
    let merge = git.commit_with_parents(
        ALICE,
        "merge side",
        unix("2024-08-01T10:00:00Z"),
        &[c3, side],
    );
    let (first, row) = control_line(&repo, &["--as-of", "2024-05-01"]);
    assert!(
        first.starts_with(&format!("as of {} (", short(c2))),
        "{first}"
    );
    assert!(row.contains("Planned"), "{row}");
    let (first, _) = control_line(&repo, &["--as-of", "2024-08-01"]);
    assert!(
        first.starts_with(&format!("as of {} (", short(merge))),
        "{first}"
    );
}

#[test]
fn a_tag_named_like_a_date_is_the_tag() {
    let (repo, [_, c2, _]) = history();
    // Before the first commit as a date, but a tag of that name exists.
    tag(repo.path(), "2023-12-31", c2);
    let (first, _) = control_line(&repo, &["--as-of", "2023-12-31"]);
    assert_eq!(
        first,
        format!(
            "as of {} (2024-03-15, \"Q1 rework\") — tag 2023-12-31",
            short(c2)
        )
    );
}

#[test]
fn what_names_no_commit_is_an_error_that_says_what_to_do() {
    let (repo, _) = history();
    let before = snapshot(repo.path());
    for (asked, says) in [
        (
            "2023-12-31",
            "the repository's first commit (2024-01-10 10:00:00 UTC) is later; give a date on or after 2024-01-10",
        ),
        ("no-such-tag", "revision `no-such-tag` does not exist"),
        ("HEAD~9", "revision `HEAD~9` does not exist"),
        ("HEAD^{tree}", "names a tree, not a commit"),
        ("2024-13-01", "revision `2024-13-01` does not exist"),
    ] {
        let out = run(&repo, &["controls", GDPR, "--as-of", asked]);
        assert_eq!(out.code, 2, "{asked}: {}", out.stdout);
        assert!(out.stdout.is_empty(), "{asked}: {}", out.stdout);
        assert!(
            out.stderr.contains(&format!("--as-of {asked}: ")),
            "{asked}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(says), "{asked}: {}", out.stderr);
    }
    // The same for every command that takes it (one shared resolver).
    let out_dir = tempfile::tempdir().expect("temp dir");
    let site = out_dir.path().join("site");
    let book = out_dir.path().join("book.xlsx");
    for args in [
        vec!["status"],
        vec!["actions", "--all"],
        vec!["assessment", "show", GDPR],
        vec!["report", "site", "-o", site.to_str().expect("utf-8")],
        vec!["report", "excel", GDPR, "-o", book.to_str().expect("utf-8")],
        vec!["export", "oscal", GDPR],
    ] {
        let mut full = args.clone();
        full.extend_from_slice(&["--as-of", "2023-06-01"]);
        let out = run(&repo, &full);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("first commit"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(!site.exists() && !book.exists());
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn outside_git_and_before_the_first_commit_as_of_is_refused() {
    let repo = TestRepo::base();
    let out = run(&repo, &["status", "--as-of", "HEAD"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not inside a git repository"),
        "{}",
        out.stderr
    );
    GitRepo::init(repo.path());
    let out = run(&repo, &["status", "--as-of", "2024-01-01"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no commits yet"), "{}", out.stderr);
}

#[test]
fn a_shallow_clone_that_stops_after_the_date_says_to_fetch_more() {
    let (repo, [_, _, c3]) = history();
    let clone = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", repo.path().display());
    let out = git_cli(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let shallow = clone.path().join("shallow");
    let out = run_env(&shallow, &["status", "--as-of", "2024-02-01"], &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains(&format!(
            "shallow clone whose history stops at {}",
            short(c3)
        )) && out.stderr.contains("git fetch --deepen"),
        "{}",
        out.stderr
    );
    // What the clone holds still works.
    let out = run_env(&shallow, &["status", "--as-of", "2024-07-01"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(&format!("as of {}", short(c3))),
        "{}",
        out.stdout
    );
}

#[test]
fn no_view_touches_the_work_tree_or_the_index() {
    let (repo, _) = history();
    let before = snapshot(repo.path());
    let index = std::fs::read(repo.path().join(".git/index")).expect("index");
    let head = std::fs::read(repo.path().join(".git/HEAD")).expect("HEAD");
    let status = git_cli(
        repo.path(),
        &["--no-optional-locks", "status", "--porcelain"],
    )
    .stdout;
    assert!(
        status.contains(GDPR_FILE),
        "the work tree differs: {status}"
    );
    let out_dir = tempfile::tempdir().expect("temp dir");
    let site = out_dir.path().join("site");
    let book = out_dir.path().join("book.xlsx");
    let oscal = out_dir.path().join("ar.json");
    for args in [
        vec!["status"],
        vec!["controls", GDPR],
        vec!["actions", "--all"],
        vec!["assessment", "show", GDPR],
        vec![
            "report",
            "site",
            "--quiet",
            "-o",
            site.to_str().expect("utf-8"),
        ],
        vec!["report", "excel", GDPR, "-o", book.to_str().expect("utf-8")],
        vec![
            "export",
            "oscal",
            GDPR,
            "-o",
            oscal.to_str().expect("utf-8"),
        ],
    ] {
        let mut full = args.clone();
        full.extend_from_slice(&["--as-of", "v2024-audit"]);
        let out = run(&repo, &full);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_eq!(snapshot(repo.path()), before, "{args:?}");
        assert_eq!(
            std::fs::read(repo.path().join(".git/index")).expect("index"),
            index,
            "{args:?}"
        );
        assert_eq!(
            std::fs::read(repo.path().join(".git/HEAD")).expect("HEAD"),
            head,
            "{args:?}"
        );
        assert_eq!(
            git_cli(
                repo.path(),
                &["--no-optional-locks", "status", "--porcelain"]
            )
            .stdout,
            status
        );
    }
}

#[test]
fn json_views_carry_the_commit_and_todays_views_do_not() {
    let (repo, [c1, _, c3]) = history();
    for args in [
        vec!["status", "--archived"],
        vec!["controls", GDPR],
        vec!["assessment", "show", GDPR],
    ] {
        let mut full = args.clone();
        full.extend_from_slice(&["--as-of", "v2024-audit"]);
        assert_eq!(as_of_commit(&repo, &full), c1.to_string(), "{args:?}");
        let mut today = args.clone();
        today.extend_from_slice(&["--format", "json"]);
        let out = run(&repo, &today);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert!(json.get("as_of").is_none(), "{args:?}: {json}");
    }
    let out = run(
        &repo,
        &["status", "--as-of", "v2024-q2", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let at = &json["as_of"];
    assert_eq!(at["short"], short(c3).as_str());
    assert_eq!(at["summary"], "Q2 review");
    assert_eq!(at["tags"], serde_json::json!(["v2024-q2"]));
    assert_eq!(at["time"], "2024-06-30T23:30:00Z");
    assert_eq!(at["date"], "2024-06-30");
    // "modified" is read from the as-of commit's history: c2 was the GDPR file's last
    // change by the tag, though the work tree has changed it since.
    let tile = &json["groups"][0]["tiles"]
        .as_array()
        .expect("tiles")
        .iter()
        .find(|t| t["assessment"] == GDPR)
        .cloned()
        .expect("GDPR tile");
    assert_eq!(tile["modified"], "2024-03-15T10:00:00Z");
    // Actions are a list: each item carries it.
    let out = run(
        &repo,
        &[
            "actions",
            "--all",
            "--as-of",
            "v2024-audit",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let items = json.as_array().expect("a list");
    assert!(!items.is_empty());
    for item in items {
        assert_eq!(item["as_of"]["commit"], c1.to_string().as_str());
    }
}

#[test]
fn human_views_start_with_the_as_of_line() {
    let (repo, [c1, ..]) = history();
    let line = format!(
        "as of {} (2024-01-10, \"Initial import\") — tag v2024-audit",
        short(c1)
    );
    for args in [
        vec!["status"],
        vec!["actions", "--all"],
        vec!["assessment", "show", GDPR],
    ] {
        let mut full = args.clone();
        full.extend_from_slice(&["--as-of", "v2024-audit"]);
        let out = run(&repo, &full);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout.lines().next(), Some(line.as_str()), "{args:?}");
    }
    // The page's "Modified" is the as-of commit's, not the work tree's.
    let out = run(
        &repo,
        &["assessment", "show", GDPR, "--as-of", "v2024-audit"],
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("Modified") && l.ends_with("2024-01-10")),
        "{}",
        out.stdout
    );
}

#[test]
fn the_site_and_the_workbook_show_the_past_view_prominently() {
    use calamine::Reader;
    let (repo, [c1, ..]) = history();
    let out_dir = tempfile::tempdir().expect("temp dir");
    let site = out_dir.path().join("site");
    let out = run(
        &repo,
        &[
            "report",
            "site",
            "--quiet",
            "-o",
            site.to_str().expect("utf-8"),
            "--as-of",
            "v2024-audit",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let banner = format!(
        "<p class=\"banner as-of\" role=\"note\">A past view, as of {} (2024-01-10, &quot;Initial import&quot;) — tag v2024-audit",
        short(c1)
    );
    for page in ["index.html", "actions.html"] {
        let html = std::fs::read_to_string(site.join(page)).expect(page);
        assert!(html.contains(&banner), "{page}: {html}");
        assert!(html.contains(&format!("commit {}", short(c1))), "{page}");
    }
    // Today's site has no banner.
    let today = out_dir.path().join("today");
    let out = run(
        &repo,
        &[
            "report",
            "site",
            "--quiet",
            "-o",
            today.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(today.join("index.html")).expect("index");
    assert!(!html.contains("banner as-of"));

    let book = out_dir.path().join("book.xlsx");
    let out = run(
        &repo,
        &[
            "report",
            "excel",
            GDPR,
            "-o",
            book.to_str().expect("utf-8"),
            "--as-of",
            "v2024-audit",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).expect("open");
    let summary = wb.worksheet_range("Summary").expect("Summary");
    let rows: Vec<Vec<String>> = summary
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    let first = rows
        .iter()
        .find(|r| r.iter().any(|c| !c.is_empty()))
        .expect("a row");
    assert_eq!(first[0], "As of", "{rows:?}");
    assert!(
        first[1].starts_with(&format!("as of {} (2024-01-10", short(c1))),
        "{first:?}"
    );
    // The commit row names the as-of commit, and no uncommitted changes.
    let commit = rows.iter().find(|r| r[0] == "Commit").expect("Commit row");
    assert_eq!(commit[1], c1.to_string());
    assert!(commit.get(2).is_none_or(String::is_empty), "{commit:?}");
    // The workbook's data is the commit's: 6.10.1.2 is implemented there.
    let controls = wb
        .worksheet_range("Customer controls")
        .expect("Customer controls");
    let row: Vec<String> = controls
        .rows()
        .find(|r| {
            r.iter()
                .any(|c| *c == calamine::Data::String("6.10.1.2".into()))
        })
        .expect("6.10.1.2's row")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(row.iter().any(|c| c == "Implemented"), "{row:?}");
}

#[test]
fn an_export_as_of_a_commit_names_it_and_leaves_uncommitted_changes_out() {
    let (repo, [c1, ..]) = history();
    let out = run(&repo, &["export", "oscal", GDPR, "--as-of", "v2024-audit"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let meta = &doc["assessment-results"]["metadata"];
    assert_eq!(meta["version"], c1.to_string().as_str(), "{meta}");
    assert!(
        meta["last-modified"]
            .as_str()
            .is_some_and(|t| t.starts_with("2024-01-10T10:00:00")),
        "{meta}"
    );
    assert!(meta.get("remarks").is_none(), "{meta}");
    // Today's export has the uncommitted change and says so.
    let out = run(&repo, &["export", "oscal", GDPR]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let version = doc["assessment-results"]["metadata"]["version"]
        .as_str()
        .expect("version")
        .to_owned();
    assert!(version.ends_with("+uncommitted"), "{version}");
}

#[test]
fn today_is_the_as_of_day_unless_given() {
    // Evidence collected on 2025-12-01, committed (oddly) on 2024-06-30: judged as of the
    // commit's day, its collection date lies in the future (an `evidence-dates` error,
    // which the export warns of); judged today (2026-01-01), it does not.
    let repo = TestRepo::base();
    for file in [GDPR_FILE, NIST_FILE] {
        let text = repo.read(file);
        let purpose = "        purpose: testing\n";
        assert_eq!(text.matches(purpose).count(), 1, "{file}");
        repo.write(
            file,
            text.replace(
                purpose,
                &format!("{purpose}        collected_on: 2025-12-01\n"),
            ),
        );
    }
    let git = GitRepo::init(repo.path());
    let c = git.commit_all(ALICE, "evidence", unix("2024-06-30T10:00:00Z"));
    tag(repo.path(), "then", c);
    let warned = |args: &[&str]| {
        let mut full = vec!["export", "oscal", GDPR];
        full.extend_from_slice(args);
        let out = run(&repo, &full);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stderr.contains("`assure validate` finds")
    };
    assert!(!warned(&[]));
    assert!(warned(&["--as-of", "then"]));
    assert!(!warned(&["--as-of", "then", "--today", "2026-01-01"]));
    // A date's day is the date asked for, not the commit's.
    assert!(!warned(&["--as-of", "2025-12-02"]));
    assert!(warned(&["--as-of", "2025-11-30"]));
}

#[test]
fn a_hostile_commit_subject_is_shown_as_text() {
    // The subject is repository text like any other: escaped on the terminal, escaped
    // in the site's HTML.
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let c = git.commit_all(
        ALICE,
        "Q2 <script>alert(1)</script> \u{1b}[31mred\u{202e}",
        unix("2024-01-10T10:00:00Z"),
    );
    let out = run(&repo, &["status", "--as-of", "HEAD"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first = out.stdout.lines().next().expect("a first line");
    assert!(
        first.starts_with(&format!("as of {} (", short(c))),
        "{first}"
    );
    assert!(
        !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{202e}'),
        "{first:?}"
    );
    let out_dir = tempfile::tempdir().expect("temp dir");
    let site = out_dir.path().join("site");
    let out = run(
        &repo,
        &[
            "report",
            "site",
            "--quiet",
            "-o",
            site.to_str().expect("utf-8"),
            "--as-of",
            "HEAD",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains('\u{1b}'), "{:?}", out.stderr);
    let html = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "{html}");
}
