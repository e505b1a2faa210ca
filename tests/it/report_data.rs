//! Reports render data and never open git (issue 17, item 3): `ops::report` reads where
//! a report comes from and the site's history, `report::site` renders what it is given.
//! Also the layout rules of `src/report/` a reader checks with grep (item 6).

use std::path::Path;

use assure::ops::Project;
use assure::ops::report;
use assure::report::ReportContext;
use assure::report::site::{self, History, SiteOptions};

use crate::support::{GitRepo, TestRepo, project_root, unix};

const GDPR: &str = "groups/default-group/office-365--gdpr.yaml";
const GDPR_PAGE: &str = "assessments/default-group--office-365--gdpr.html";

fn text(files: &std::collections::BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(files[name].clone()).expect("utf-8")
}

/// A context no git repository could have given: a made-up commit at a made-up time.
fn made_up_context() -> ReportContext {
    ReportContext {
        organization: "Given Org".into(),
        commit: Some("feedfacefeedfacefeedfacefeedfacefeedface".into()),
        generated_at: chrono::DateTime::parse_from_rfc3339("2001-02-03T04:05:00Z")
            .expect("time")
            .into(),
        dirty: true,
        has_git: true,
        today: chrono::NaiveDate::from_ymd_opt(2001, 2, 3).expect("date"),
        link_base: None,
        last_changed: Default::default(),
        as_of: None,
    }
}

/// The base repository, committed twice (so it has a score history).
fn committed_repo() -> (TestRepo, GitRepo) {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "first", unix("2024-01-02T10:00:00Z"));
    let yaml = repo.read(GDPR);
    repo.write(GDPR, format!("{yaml}\n"));
    git.commit_all("alice@example.com", "second", unix("2024-01-03T10:00:00Z"));
    (repo, git)
}

#[test]
fn the_site_shows_the_context_and_history_it_is_given_not_what_git_says() {
    // The repository has history, but the site is handed none and a made-up commit: a
    // site that opened git itself would show a chart and the real HEAD.
    let (repo, _git) = committed_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let history = History {
        missing: Some("history withheld by the caller".into()),
        ..History::default()
    };
    let files = site::render(
        &project,
        &made_up_context(),
        &SiteOptions::default(),
        &history,
        &|_, _| {},
    )
    .expect("render");
    let index = text(&files, "index.html");
    assert!(index.contains("history withheld by the caller"), "{index}");
    assert!(!index.contains("<svg"), "no chart without history: {index}");
    assert!(
        index.contains("2001-02-03 04:05 UTC, commit feedfac, with uncommitted changes"),
        "{index}"
    );
    let page = text(&files, GDPR_PAGE);
    assert!(page.contains("history withheld by the caller"), "{page}");
}

#[test]
fn ops_reads_the_history_from_git_and_the_site_draws_it() {
    let (repo, git) = committed_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let ctx = report::context(&project, chrono::Utc::now());
    let head = git.repo.head().expect("head").target().expect("oid");
    assert_eq!(ctx.commit.as_deref(), Some(head.to_string().as_str()));
    assert_eq!(ctx.generated_at.timestamp(), unix("2024-01-03T10:00:00Z"));
    assert!(!ctx.dirty);
    let history = report::site_history(&project, &ctx).expect("history");
    assert_eq!(history.missing, None);
    let scores = &history.histories.files[GDPR].scores;
    assert_eq!(
        scores.len(),
        2,
        "one score per commit that changed the file"
    );
    let files =
        report::site_files(&project, &ctx, &SiteOptions::default(), &|_, _| {}).expect("render");
    assert!(text(&files, "index.html").contains("<svg"));
}

#[test]
fn without_commits_or_without_git_the_history_says_why() {
    let repo = TestRepo::base();
    let project = Project::work_tree(repo.path()).expect("open");
    let ctx = report::context(&project, chrono::Utc::now());
    assert!(!ctx.has_git && ctx.commit.is_none());
    let history = report::site_history(&project, &ctx).expect("history");
    assert_eq!(history.missing.as_deref(), Some("no history (not in git)"));

    GitRepo::init(repo.path());
    let project = Project::work_tree(repo.path()).expect("open");
    let ctx = report::context(&project, chrono::Utc::now());
    assert!(ctx.has_git && ctx.commit.is_none());
    let history = report::site_history(&project, &ctx).expect("history");
    assert_eq!(
        history.missing.as_deref(),
        Some("no history (no commits yet)")
    );
}

#[test]
fn a_context_claiming_no_git_is_believed_and_no_history_is_read() {
    // The caller decides: a context that says "not in git" gets no history even inside
    // a repository, so a report never reaches past the data it was handed.
    let (repo, _git) = committed_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let ctx = ReportContext {
        has_git: false,
        commit: None,
        ..report::context(&project, chrono::Utc::now())
    };
    let history = report::site_history(&project, &ctx).expect("history");
    assert_eq!(history.missing.as_deref(), Some("no history (not in git)"));
    assert!(history.histories.files.is_empty());
}

#[test]
fn the_public_site_reads_no_history_even_where_git_is_broken() {
    // A HEAD that points at a missing commit makes any history walk fail; the public
    // site, built from the catalog alone, does not walk it.
    let (repo, git) = committed_repo();
    let branch = git
        .repo
        .head()
        .expect("head")
        .name()
        .expect("name")
        .to_owned();
    std::fs::write(
        repo.path().join(".git").join(branch),
        "1111111111111111111111111111111111111111\n",
    )
    .expect("break HEAD");
    let project = Project::work_tree(repo.path()).expect("open");
    let ctx = report::context(&project, chrono::Utc::now());
    let files = report::site_files(&project, &ctx, &SiteOptions { public: true }, &|_, _| {})
        .expect("the public site renders");
    assert!(files.contains_key("index.html"));
    let private = report::site_files(&project, &ctx, &SiteOptions::default(), &|_, _| {});
    assert!(private.is_err(), "the organization's site does walk it");
}

#[test]
fn a_workbook_for_a_missing_assessment_names_it_and_writes_nothing() {
    let repo = TestRepo::base();
    let project = Project::work_tree(repo.path()).expect("open");
    let out = tempfile::tempdir().expect("dir");
    let err = report::write_workbook(
        &project,
        chrono::Utc::now(),
        chrono::NaiveDate::from_ymd_opt(2001, 2, 3).expect("date"),
        out.path(),
        "default-group/office-365--gdp",
        None,
    )
    .expect_err("no such assessment");
    let message = err.to_string();
    assert!(
        message.contains("no assessment `default-group/office-365--gdp`"),
        "{message}"
    );
    assert!(
        message.contains("office-365--gdpr"),
        "did you mean: {message}"
    );
    assert_eq!(std::fs::read_dir(out.path()).expect("list").count(), 0);
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).expect("read");
            (e.path().display().to_string(), text)
        })
        .collect()
}

#[test]
fn report_code_never_names_git() {
    let found: Vec<String> = sources(&project_root().join("src/report"))
        .into_iter()
        .filter(|(_, text)| text.contains("git::") || text.contains("git2"))
        .map(|(path, _)| path)
        .collect();
    assert!(found.is_empty(), "reports open git in {found:?}");
}
#[test]
fn no_report_source_file_is_over_a_thousand_lines() {
    let long: Vec<(String, usize)> = sources(&project_root().join("src/report"))
        .into_iter()
        .chain(sources(&project_root().join("src/ops")))
        .map(|(path, text)| (path, text.lines().count()))
        .filter(|(_, n)| *n > 1000)
        .collect();
    assert!(long.is_empty(), "{long:?}");
}

// ---------------------------------------------------------------------------------------
// One spelling of an empty value per kind of output (`assure::text::empty`).

#[test]
fn the_site_shows_a_value_that_was_not_set_as_a_dash_like_its_tables() {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "first", unix("2024-01-02T10:00:00Z"));
    let yaml = repo.read(GDPR);
    let dated = yaml.replacen(
        "    status: planned\n",
        "    status: planned\n    test_date: 2019-05-01\n",
        1,
    );
    assert_ne!(yaml, dated);
    repo.write(GDPR, dated);
    git.commit_all("alice@example.com", "date", unix("2024-01-03T10:00:00Z"));
    let out = tempfile::tempdir().expect("dir");
    let site = out.path().join("site");
    let run = repo.run(&["report", "site", "-o", site.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The change as the page's script draws it (old → new, see
    // `site::controls_are_drawn_from_the_groups_data_in_a_browser`): the unset date a dash.
    let page = crate::support::site_data::controls(&site, GDPR_PAGE);
    let changes: Vec<&serde_json::Value> = crate::support::site_data::customer(&page)
        .into_iter()
        .flat_map(|c| c["history"]["recent"].as_array().into_iter().flatten())
        .flat_map(|e| e["changes"].as_array().into_iter().flatten())
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| c["old"] == "\u{2014}" && c["new"] == "2019-05-01"),
        "{changes:#?}"
    );
    let text = page.to_string();
    assert!(!text.contains("(none)"), "{text}");
    // The same spelling where a table cell is empty: a control without a test date has
    // none in its data, and the script writes the dash.
    assert!(
        crate::support::site_data::customer(&page)
            .iter()
            .any(|c| c["test_date"].is_null()),
        "{text}"
    );
}

#[test]
fn the_terminal_shows_a_status_that_is_not_set_as_the_site_does() {
    let repo = TestRepo::base();
    let yaml = repo.read(GDPR);
    let unset = yaml.replacen("    status: planned\n", "", 1);
    assert_ne!(yaml, unset);
    repo.write(GDPR, unset);
    let out = repo.run(&[
        "control",
        "show",
        "default-group/office-365--gdpr",
        "6.2.1.1",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("\nstatus:       Not started\n"),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------
// One list of schema kinds (`assure::schema::Kind`).

#[test]
fn the_schema_kinds_are_the_schema_files_and_what_assure_schema_lists() {
    use assure::schema::Kind;
    let on_disk: std::collections::BTreeSet<String> =
        std::fs::read_dir(project_root().join("schemas"))
            .expect("schemas/")
            .map(|e| e.expect("entry"))
            // (schemas/output/ describes what commands print, not files of a repository.)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
    let kinds: std::collections::BTreeSet<String> = Kind::ALL
        .iter()
        .map(|k| format!("{}.schema.json", k.name()))
        .collect();
    assert_eq!(on_disk, kinds, "one kind per schema file");
    let out = crate::support::assure(&["schema"], &project_root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listed: Vec<(String, String)> = out
        .stdout
        .lines()
        .map(|l| {
            let (name, files) = l.split_once(' ').expect("name and files");
            (name.to_owned(), files.trim().to_owned())
        })
        .collect();
    let expected: Vec<(String, String)> = Kind::ALL
        .iter()
        .map(|k| (k.name().to_owned(), k.files().to_owned()))
        .collect();
    assert_eq!(listed, expected);
    for kind in Kind::ALL {
        assert_eq!(Kind::from_name(kind.name()), Some(kind));
        let schema: serde_json::Value = serde_json::from_str(kind.schema()).expect("json");
        assert!(schema["title"].is_string(), "{}", kind.name());
    }
    // A name that is not a kind is refused with the kinds to choose from, even where
    // it would reach a file by path.
    let out = crate::support::assure(&["schema", "../schemas/config"], &project_root());
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let out = crate::support::assure(&["schema", "grup"], &project_root());
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no schema `grup`"), "{}", out.stderr);
    assert!(out.stderr.contains("`group`"), "{}", out.stderr);
}
