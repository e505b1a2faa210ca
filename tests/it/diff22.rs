//! Issue 22: `diff` of a change to every assessment of several groups, reviewed group by
//! group on every core, gives what whole loads of both sides give.

use std::collections::BTreeMap;
use std::path::Path;

use assure::model::Assessment;
use assure::ops::Project;
use assure::ops::score::score;
use assure::repo::Scope;

use crate::support::{assure, git_cli};

/// Every assessment of the whole repository at `rev`, by `group/stem`.
fn whole(root: &Path, rev: &str) -> (Project, BTreeMap<String, Assessment>) {
    let project = Project::at_revision(root, rev, Scope::All).expect("loads");
    let all = project
        .ws
        .assessments
        .iter()
        .map(|a| (format!("{}/{}", a.group, a.stem), a.doc.value.clone()))
        .collect();
    (project, all)
}

#[test]
fn a_change_to_every_assessment_of_three_groups_reviews_as_whole_loads_say() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("gen");
    let args = ["generate", root.to_str().expect("utf-8"), "--groups", "3"];
    let more = ["--assessments", "4", "--controls", "40", "--commits", "1"];
    let out = assure(&[&args[..], &more[..]].concat(), dir.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut files = 0;
    for group in std::fs::read_dir(root.join("groups")).expect("groups") {
        for file in std::fs::read_dir(group.expect("group").path()).expect("files") {
            let path = file.expect("file").path();
            if path.ends_with("group.yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            // A passed control fails (a regression), and a text edit.
            let changed = text
                .replacen("test_result: passed", "test_result: failed-high-risk", 1)
                .replace("Implemented by team", "Done by team");
            assert_ne!(text, changed);
            std::fs::write(&path, changed).expect("write");
            files += 1;
        }
    }
    assert_eq!(files, 12);
    for args in [&["add", "-A"][..], &["commit", "-qm", "every assessment"]] {
        assert_eq!(git_cli(&root, args).code, 0);
    }
    let r = assure::ops::review::review(&root, Some("HEAD~1"), Some("HEAD"), &|_, _| {})
        .expect("review");
    let (before_project, before) = whole(&root, "HEAD~1");
    let (after_project, after) = whole(&root, "HEAD");
    assert_eq!(r.assessments.len(), 12);
    let reviewed: Vec<&str> = r
        .assessments
        .iter()
        .map(|a| a.assessment.as_str())
        .collect();
    let keys: Vec<&str> = after.keys().map(String::as_str).collect();
    assert_eq!(reviewed, keys, "every assessment, in path order");
    for a in &r.assessments {
        let (old, new) = (&before[&a.assessment], &after[&a.assessment]);
        let old_score = score(old, &before_project.catalog).map(|s| s.total);
        let new_score = score(new, &after_project.catalog).map(|s| s.total);
        assert_eq!(
            a.before.as_ref().map(|p| p.score),
            old_score.map(|p| p.score)
        );
        assert_eq!(
            a.after.as_ref().map(|p| p.score),
            new_score.map(|p| p.score)
        );
        let changes = assure::ops::changes::assessment_changes(&a.assessment, Some(old), Some(new));
        let shown: std::collections::BTreeSet<String> = changes
            .iter()
            .filter_map(|c| match c {
                assure::ops::changes::Change::ControlField { control, field, .. }
                    if field == "test_result" =>
                {
                    Some(control.clone())
                }
                _ => None,
            })
            .collect();
        let rows: std::collections::BTreeSet<String> =
            a.controls.iter().map(|c| c.control.clone()).collect();
        assert_eq!(rows, shown, "{}", a.assessment);
        assert!(a.text_edits > 0, "{}", a.assessment);
    }
    // Each assessment's passed control now fails: one regression each, in path order.
    let regressed: Vec<&str> = r
        .regressions
        .iter()
        .map(|g| g.regression.assessment.as_str())
        .collect();
    assert_eq!(regressed, keys);
}
