//! Issue 22: `status` and `sync --check` read the whole repository group by group and
//! give what a whole load gives; progress bars never reach a stderr that is not a
//! terminal.

use std::path::{Path, PathBuf};

use assure::ops::Project;
use assure::ops::edit::{EditError, Outcome, Session};
use assure::ops::group_wise::GroupWise;

use crate::support::{TODAY, assure};

/// A generated repository of `groups` groups, committed once.
fn generated(dir: &Path, groups: &str) -> PathBuf {
    let root = dir.join("gen");
    let out = assure(
        &[
            "generate",
            root.to_str().expect("utf-8"),
            "--groups",
            groups,
            "--assessments",
            "4",
            "--controls",
            "40",
            "--commits",
            "1",
        ],
        dir,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    root
}

/// The assessment files of `root`, sorted.
fn assessment_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root.join("groups"))
        .into_iter()
        .map(|e| e.expect("walk").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.ends_with("group.yaml"))
        .collect();
    files.sort();
    files
}

/// Changes every implementation text of `file` (uncommitted), with `mark` in it.
fn change_implementations(file: &Path, mark: &str) {
    let text = std::fs::read_to_string(file).expect("read");
    let changed = text.replace(
        "Implemented by team",
        &format!("({mark}) Implemented by team"),
    );
    assert_ne!(text, changed, "{} has implementation texts", file.display());
    std::fs::write(file, changed).expect("write");
}

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-01-01T12:00:00Z".parse().expect("time")
}

/// What `sync --check` finds, comparable: the files with their new text and the
/// members copied, or the conflicts.
fn comparable(result: Result<Outcome, EditError>) -> String {
    match result {
        Ok(done) => {
            let files: Vec<(String, Option<String>, Option<String>)> = done
                .files
                .into_iter()
                .map(|f| (f.path, f.before, f.after))
                .collect();
            // `item` indexes the session's own assessments: left out.
            let synced: Vec<_> = done
                .synced
                .into_iter()
                .map(|u| (u.assessment, u.control, u.source, u.values))
                .collect();
            format!("files {files:?}\nsynced {synced:?}")
        }
        Err(EditError::Conflict(c)) => format!("conflicts {c:?}"),
        Err(e) => format!("error {e}"),
    }
}

/// `sync --check` over the whole project in one session, as before issue 22.
fn whole_check(root: &Path) -> String {
    let project = Project::work_tree(root).expect("loads");
    let result = Session::new(&project, "assure-sync", now()).and_then(|mut s| {
        assure::ops::commands::sync_base(&mut s, None)?;
        s.finish(true)
    });
    comparable(result)
}

fn wise_check(root: &Path) -> String {
    let wise = GroupWise::work_tree(root).expect("opens");
    comparable(assure::ops::sync::check_wise(
        &wise,
        "assure-sync",
        now(),
        None,
        &|_, _| {},
    ))
}

#[test]
fn group_wise_sync_check_equals_the_whole_project_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = generated(dir.path(), "3");
    assert!(
        whole_check(&root).starts_with("files []"),
        "in sync as made"
    );
    assert_eq!(wise_check(&root), whole_check(&root));

    // One member per group changed: copied to the others of its classes.
    let files = assessment_files(&root);
    let firsts: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "svc-0--gen-cert-0.yaml"))
        .collect();
    assert_eq!(firsts.len(), 3, "{files:?}");
    for f in &firsts {
        change_implementations(f, "new");
    }
    let whole = whole_check(&root);
    assert!(!whole.starts_with("files []"), "something to sync: {whole}");
    assert_eq!(wise_check(&root), whole);
    let out = crate::support::run_env(&root, &["sync", "--check", "--format", "json"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let paths: std::collections::BTreeSet<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            f["path"]
                .as_str()
                .expect("path")
                .split('/')
                .nth(1)
                .unwrap_or("")
        })
        .collect();
    assert_eq!(paths.len(), 3, "every group syncs its own: {paths:?}");

    // Every member changed differently: conflicts, every group's.
    for (i, f) in files.iter().enumerate() {
        change_implementations(f, &format!("m{i}"));
    }
    let whole = whole_check(&root);
    assert!(whole.starts_with("conflicts"), "{whole}");
    assert_eq!(wise_check(&root), whole);
}

#[test]
fn group_wise_status_equals_the_whole_project_dashboard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = generated(dir.path(), "4");
    let today: chrono::NaiveDate = TODAY.parse().expect("date");
    let project = Project::work_tree(&root).expect("loads");
    for archived in [false, true] {
        let whole = assure::ops::status::dashboard(&project, archived, today);
        let wise = GroupWise::work_tree(&root).expect("opens");
        let (by_group, broken) =
            assure::ops::status::dashboard_wise(&wise, archived, today, &|_, _| {});
        assert!(broken.is_empty());
        assert_eq!(by_group.groups.len(), 4);
        assert_eq!(
            serde_json::to_value(&by_group).expect("json"),
            serde_json::to_value(&whole).expect("json")
        );
        let mut args = vec!["status", "--format", "json"];
        if archived {
            args.push("--archived");
        }
        let out = crate::support::run_env(&root, &args, &[]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let printed: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert_eq!(printed, serde_json::to_value(&whole).expect("json"));
    }
}

#[test]
fn progress_bars_stay_off_a_stderr_that_is_not_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = generated(dir.path(), "3");
    for args in [
        &["validate"][..],
        &["status"],
        &["status", "--format", "json"],
        &["sync", "--check"],
        &["diff", "HEAD"],
    ] {
        let out = crate::support::run_env(&root, args, &[]);
        assert_eq!(out.stderr, "", "{args:?} wrote to stderr");
        assert!(!out.stdout.contains('\r'), "{args:?}");
    }
}
