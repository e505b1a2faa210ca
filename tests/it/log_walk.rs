//! `assure log` of one assessment or control walks only the commits whose tree entry for
//! the file (or its group's `group.yaml`) changed (issue 22, item 3): the entries must be
//! exactly those a full walk gives — checked here against git's own answer (`git diff
//! --quiet C^ C -- FILE GROUP`, every commit of the history, merges included), against
//! the whole-assessment log restricted to the control, and for `-n` and `--since`
//! against the full log's prefix and date filter.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{GitRepo, TestRepo, git_cli, run_env, unix};

const GDPR: &str = "default-group/office-365--gdpr";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const GROUP_FILE: &str = "groups/default-group/group.yaml";

pub(crate) fn log_json(repo: &TestRepo, args: &[&str]) -> Value {
    let mut full = vec!["log", "--format", "json"];
    full.extend_from_slice(args);
    let out = run_env(repo.path(), &full, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    serde_json::from_str(&out.stdout).expect("json")
}

fn ids(log: &Value) -> Vec<String> {
    log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["commit"]["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Replaces `from` by `to` in the file at `rel` (which must hold it).
fn edit(repo: &TestRepo, rel: &str, from: &str, to: &str) {
    let text = repo.read(rel);
    assert!(text.contains(from), "{rel} holds {from}");
    repo.write(rel, text.replacen(from, to, 1));
}

/// A history with a merge (a side branch changing the file, the main line another file),
/// a rename of the file's group, commits changing only another file, and a version of
/// the file that does not read as an assessment (another control's field of the wrong
/// type), at one commit a day from 2019-03-01.
fn history() -> TestRepo {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let mut day = 0;
    let mut at = || {
        day += 1;
        unix("2019-03-01T10:00:00Z") + day * 86_400
    };
    git.commit_all("carol@example.com", "Start", at());
    edit(&repo, GDPR_FILE, "status: planned", "status: implemented");
    git.commit_all("alice@example.com", "Implement the policy", at());
    let nist = repo.read(NIST_FILE);
    repo.write(NIST_FILE, format!("# Reviewed.\n{nist}"));
    git.commit_all("bob@example.com", "Another file only", at());
    edit(
        &repo,
        GROUP_FILE,
        "name: Default Group",
        "name: Office Group",
    );
    git.commit_all("bob@example.com", "Rename the group", at());
    // Side branch from here: the file's other control changes.
    let fork = git.repo.head().expect("head").target().expect("a commit");
    edit(&repo, GDPR_FILE, "priority: high", "priority: low");
    let side = git.commit_all("dave@example.com", "Lower the TLS action", at());
    // Back on the main line: another file only.
    let side_text = repo.read(GDPR_FILE);
    git.reset_hard(fork);
    edit(&repo, GROUP_FILE, "The seed's grouped example.", "Grouped.");
    let main = git.commit_all("carol@example.com", "Describe the group", at());
    repo.write(GDPR_FILE, &side_text);
    git.commit_with_parents(
        "carol@example.com",
        "Merge the TLS change",
        at(),
        &[main, side],
    );
    edit(&repo, GDPR_FILE, "test_result: passed", "test_result: 7");
    git.commit_all("alice@example.com", "A broken result", at());
    edit(
        &repo,
        GDPR_FILE,
        "test_result: 7",
        "test_result: failed-low-risk",
    );
    edit(
        &repo,
        GDPR_FILE,
        "notes: Draft the policy by Q3.",
        "notes: Publish it.",
    );
    git.commit_all("alice@example.com", "Fail the TLS test, publish", at());
    edit(
        &repo,
        GDPR_FILE,
        "status: implemented\n    assigned_to: dave",
        "status: planned\n    assigned_to: dave",
    );
    git.commit_all("bob@example.com", "Back to planned", at());
    repo
}

/// The commits (full ids) of the history whose file or group file differs from their
/// first parent's, as git says.
fn git_answer(repo: &TestRepo) -> BTreeSet<String> {
    let all = git_cli(repo.path(), &["rev-list", "HEAD"]);
    let mut out = BTreeSet::new();
    for id in all.stdout.lines() {
        let parent = format!("{id}^1");
        let has_parent = git_cli(repo.path(), &["rev-parse", "--verify", "-q", &parent]).code == 0;
        let base = if has_parent {
            parent
        } else {
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904".to_owned()
        };
        let diff = git_cli(
            repo.path(),
            &["diff", "--quiet", &base, id, "--", GDPR_FILE, GROUP_FILE],
        );
        if diff.code == 1 {
            out.insert(id.to_owned());
        }
    }
    out
}

#[test]
fn one_assessment_log_has_every_commit_that_changed_its_files_and_no_other() {
    let repo = history();
    let log = log_json(&repo, &[GDPR]);
    let got: BTreeSet<String> = ids(&log).into_iter().collect();
    assert_eq!(got, git_answer(&repo));
    assert!(got.len() >= 8, "{got:?}");
}

#[test]
fn a_control_log_is_the_assessment_log_restricted_to_that_control() {
    let repo = history();
    for control in ["6.2.1.1", "6.10.1.2"] {
        let expected = restricted(&log_json(&repo, &[GDPR]), control);
        let one = log_json(&repo, &[GDPR, control]);
        assert_eq!(one["entries"], Value::Array(expected), "{control}");
    }
}

#[test]
fn n_gives_the_newest_entries_and_since_the_later_ones() {
    let repo = history();
    let whole = log_json(&repo, &[GDPR]);
    let all = whole["entries"].as_array().expect("entries");
    for n in [0, 1, 3, 100] {
        let some = log_json(&repo, &[GDPR, "-n", &n.to_string()]);
        let want: Vec<Value> = all.iter().take(n).cloned().collect();
        assert_eq!(some["entries"], Value::Array(want), "-n {n}");
    }
    let since = log_json(&repo, &[GDPR, "--since", "2019-03-06"]);
    let want: Vec<Value> = all
        .iter()
        .filter(|e| e["commit"]["time"].as_str().expect("time") >= "2019-03-06")
        .cloned()
        .collect();
    assert!(!want.is_empty() && want.len() < all.len());
    assert_eq!(since["entries"], Value::Array(want));
    let repo_log = log_json(&repo, &["--max-count", "2"]);
    let full = log_json(&repo, &[]);
    let want: Vec<Value> = full["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .take(2)
        .cloned()
        .collect();
    assert_eq!(repo_log["entries"], Value::Array(want));
}

/// The entries of an assessment's log (`whole`, JSON) restricted to `control`'s changes
/// (and the group events, which every control's log shows): what `log A C` must give.
pub(crate) fn restricted(whole: &Value, control: &str) -> Vec<Value> {
    let mut expected = Vec::new();
    for e in whole["entries"].as_array().expect("entries") {
        let kept: Vec<Value> = e["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .filter(|c| {
                c["control"] == control || (c["control"].is_null() && !c["subject"].is_null())
            })
            .cloned()
            .collect();
        if !kept.is_empty() {
            let mut e = e.clone();
            e["changes"] = Value::Array(kept);
            expected.push(e);
        }
    }
    expected
}
