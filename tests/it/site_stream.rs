//! `assure report site` written group by group (issue 22): the streamed site is the
//! site `report::site_files` renders from the whole project, byte for byte, on any
//! number of cores, today and as of a commit.

use std::collections::BTreeMap;
use std::path::Path;

use assure::ops::Project;
use assure::report::site::SiteOptions;

use crate::support::{TestRepo, project_root, run_env};

/// Every file under `dir`: relative path → bytes (the site's marker file left out).
fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = crate::support::snapshot(dir);
    files.remove(".assure-site");
    files
}

/// The site the CLI writes of `repo` with `RAYON_NUM_THREADS=threads` and `extra` args.
fn cli_site(repo: &Path, threads: &str, extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().expect("out dir");
    let dir = out.path().join("site");
    let mut args = vec!["report", "site", "--quiet", "--today", "2025-01-01", "-o"];
    args.push(dir.to_str().expect("utf-8"));
    args.extend_from_slice(extra);
    let run = run_env(repo, &args, &[("RAYON_NUM_THREADS", threads)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    files_of(&dir)
}

/// The example repository (several groups, history) committed in git.
fn example() -> TestRepo {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    let git = crate::support::GitRepo::init(repo.path());
    git.commit_all(
        "alice@example.com",
        "Start",
        crate::support::unix("2024-03-01T10:00:00Z"),
    );
    repo
}

#[test]
fn the_streamed_site_is_the_whole_render_on_any_number_of_cores() {
    let repo = example();
    let project = Project::work_tree(repo.path()).expect("open");
    let now = chrono::Utc::now();
    let ctx = assure::report::ReportContext {
        today: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        ..assure::ops::report::context(&project, now)
    };
    let whole =
        assure::ops::report::site_files(&project, &ctx, &SiteOptions::default(), &|_, _| {})
            .expect("render");
    let one = cli_site(repo.path(), "1", &[]);
    let two = cli_site(repo.path(), "2", &[]);
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        whole.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &whole {
        assert!(one[path] == *bytes, "{path} differs from the whole render");
        assert!(two[path] == *bytes, "{path} differs with 2 threads");
    }
    // Every assessment has its page.
    let pages = one.keys().filter(|k| k.starts_with("assessments/")).count();
    assert_eq!(pages, project.ws.assessments.len());
}

#[test]
fn the_streamed_site_as_of_a_commit_is_that_commits_site() {
    let repo = example();
    let before = cli_site(repo.path(), "2", &[]);
    // A later change does not show in the view as of the first commit.
    std::fs::remove_dir_all(
        repo.path().join("groups").join(
            std::fs::read_dir(repo.path().join("groups"))
                .expect("groups")
                .next()
                .expect("a group")
                .expect("entry")
                .file_name(),
        ),
    )
    .expect("remove a group");
    let now = cli_site(repo.path(), "2", &[]);
    assert!(now.len() < before.len());
    let past = cli_site(repo.path(), "2", &["--as-of", "HEAD"]);
    assert_eq!(
        past.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(
        past.keys()
            .filter(|k| k.starts_with("assessments/"))
            .all(|k| { String::from_utf8_lossy(&past[k]).contains("as of ") })
    );
}

#[test]
fn the_action_page_lists_every_action_item_once_in_its_panel() {
    let repo = example();
    let project = Project::work_tree(repo.path()).expect("open");
    let items = assure::ops::actions::action_items(&project, None, None);
    assert!(!items.is_empty(), "the example has action items");
    let site = cli_site(repo.path(), "2", &[]);
    let page = String::from_utf8_lossy(&site["actions.html"]).into_owned();
    // Each row was rendered with its group and put in its certification's panel.
    assert!(
        !page.contains("<!--rows-->"),
        "a panel was left without its rows"
    );
    assert_eq!(
        page.matches("<tr class=\"action-item\"").count(),
        items.len()
    );
    for panel in page.split("<div class=\"panel\"").skip(1) {
        let heading = panel.split("<tbody>").next().expect("a head");
        let rows = panel.split("</tbody>").next().expect("a body");
        assert!(heading.contains("panel-heading"));
        assert!(rows.contains("<tr class=\"action-item\""), "an empty panel");
    }
    for item in &items {
        assert!(
            page.contains(&format!("data-control=\"{}\"", item.control)),
            "{} is missing",
            item.control
        );
    }
}

#[test]
fn the_action_rows_scratch_files_leave_nothing_behind() {
    let repo = example();
    let out = tempfile::tempdir().expect("out dir");
    let dir = out.path().join("site");
    for _ in 0..2 {
        let run = run_env(
            repo.path(),
            &[
                "report",
                "site",
                "--quiet",
                "-o",
                dir.to_str().expect("utf-8"),
            ],
            &[("RAYON_NUM_THREADS", "2")],
        );
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
    // Only the site beside it, and in it only its pages, assets and marker: the rows
    // spooled for the action page (one scratch file per group) are gone.
    let beside: Vec<_> = std::fs::read_dir(out.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("site")]);
    let files = files_of(&dir);
    let project = Project::work_tree(repo.path()).expect("open");
    // A data script per group (the controls its pages draw).
    let groups: std::collections::BTreeSet<&str> = project
        .ws
        .assessments
        .iter()
        .map(|a| a.group.as_str())
        .collect();
    assert_eq!(files.len(), 4 + project.ws.assessments.len() + groups.len());
    for g in &groups {
        assert!(files.contains_key(&format!("data/{g}.js")), "{g}");
    }
    assert!(files.keys().all(|k| k.starts_with("assessments/")
        || k.starts_with("data/")
        || ["index.html", "actions.html", "style.css", "app.js"].contains(&k.as_str())));
    let page = String::from_utf8_lossy(&files["actions.html"]).into_owned();
    assert!(page.trim_end().ends_with("</html>"));
}
