//! The ratchet (issue 21, item 1): with `ratchet: true` in assure.yaml at the base,
//! `validate --base` refuses a change that lowers an assessment's compliance score or
//! fails a passed control, unless a commit in the range states why in a
//! `Compliance-Regression:` trailer; `diff` lists every regression with its reason, and
//! `log` shows the reason on the commit that states it.
//!
//! Each case starts from the gate tests' base (`crate::gate::Change`) plus one commit by
//! Carol (portal-admin, administrator) that switches the ratchet on and records GDPR
//! 6.2.1.1 (in no sync class) as implemented and passed: that commit is the base. Bob is
//! an assessor (he may record results), Alice an administrator (she may delete
//! assessments).

use crate::gate::{Change, Finding, GDPR_FILE};

const RATCHET_ON: &str = "ratchet: true\n";
const PLANNED: &str = "    status: planned\n";
const PASSED: &str =
    "    status: implemented\n    test_date: 2019-04-30\n    test_result: passed\n";
const FAILED: &str =
    "    status: implemented\n    test_date: 2019-05-03\n    test_result: failed-high-risk\n";
const REASON: &str = "Q3 pen test found TLS 1.0 still enabled on the legacy gateway";

/// The gate base with 6.2.1.1 passed, and the ratchet on (`on`), in a commit of its own:
/// the base.
fn history(on: bool) -> (Change, git2::Oid) {
    let c = Change::new();
    if on {
        let config = c.repo.read("assure.yaml");
        c.repo.write("assure.yaml", format!("{config}{RATCHET_ON}"));
    }
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let base = c.commit("carol@example.com", "Switch the ratchet on; 6.2.1.1 passed");
    (c, base)
}

/// A commit message whose last paragraph is the trailer.
fn stated(summary: &str, reason: &str) -> String {
    format!("{summary}\n\nThe control failed its retest.\n\nCompliance-Regression: {reason}\n")
}

fn fail_6_2_1_1(c: &Change) {
    c.edit(GDPR_FILE, PASSED, FAILED);
}

/// Only the ratchet's findings of `validate --base BASE --format json`.
fn ratchet(c: &Change, base: git2::Oid) -> (i32, Vec<Finding>) {
    let (code, found) = c.check_from(base, &[]);
    let found: Vec<Finding> = found
        .into_iter()
        .filter(|f| f.code == "compliance-regression")
        .collect();
    (code, found)
}

/// The line of 6.2.1.1's `test_result` in the work tree.
fn result_line(c: &Change) -> u64 {
    let gdpr = c.repo.read(GDPR_FILE);
    let control = gdpr.find("  \"6.2.1.1\":").expect("6.2.1.1");
    let at = control + gdpr[control..].find("    test_result: ").expect("a result");
    gdpr[..at].lines().count() as u64 + 1
}

/// The finding of 6.2.1.1 failing, with the GDPR score falling `from` → `to`.
fn regression(c: &Change, who: &str, from: u32, to: u32, tail: &str) -> Finding {
    Finding {
        code: "compliance-regression".into(),
        file: GDPR_FILE.into(),
        line: result_line(c),
        message: format!(
            "{who}: score of default-group/office-365--gdpr falls {from} → {to} (control 6.2.1.1: passed → failed-high-risk), {tail}"
        ),
    }
}

const NO_COMMIT: &str = "and no commit in the range states why";
const WHOLE: &str = "the change as a whole";

#[test]
fn a_regression_is_refused_then_accepted_with_a_trailer() {
    let (c, base) = history(true);
    fail_6_2_1_1(&c);
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(found, vec![regression(&c, WHOLE, 77, 76, NO_COMMIT)]);
    // The human output says how to state the reason, and that it is a deliberate act.
    let out = c.run(&["validate", "--base", &base.to_string()]);
    assert_eq!(out.code, 1);
    for words in [
        "error[compliance-regression]",
        "Compliance-Regression: <reason>",
        "uncommitted changes have no commit message and cannot carry one",
        "assure explain compliance-regression",
    ] {
        assert!(out.stdout.contains(words), "{words}: {}", out.stdout);
    }
    // The same change, stated: clean.
    let (c, base) = history(true);
    fail_6_2_1_1(&c);
    c.commit(
        "bob@example.com",
        &stated("Record the retest of 6.2.1.1", REASON),
    );
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
    // A statement in any commit of the range covers the change (here a later one).
    let (c, base) = history(true);
    fail_6_2_1_1(&c);
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    c.repo.write("notes.txt", "why\n");
    c.commit("bob@example.com", &stated("State the regression", REASON));
    assert_eq!(ratchet(&c, base), (0, vec![]));
}

#[test]
fn the_ratchet_is_read_at_the_base_and_is_off_by_default() {
    // Off at the base: the same change is clean.
    let (c, base) = history(false);
    fail_6_2_1_1(&c);
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
    // Switched on in the change itself: not yet.
    let config = c.repo.read("assure.yaml");
    c.repo.write("assure.yaml", format!("{config}{RATCHET_ON}"));
    c.commit("carol@example.com", "Switch the ratchet on");
    assert_eq!(c.check_from(base, &[]), (0, vec![]));

    // On at the base, switched off (by a portal-admin, who may) in the change: still on.
    let (c, base) = history(true);
    let config = c.repo.read("assure.yaml");
    c.repo.write("assure.yaml", config.replace(RATCHET_ON, ""));
    c.commit("carol@example.com", "Switch the ratchet off");
    fail_6_2_1_1(&c);
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(found, vec![regression(&c, WHOLE, 77, 76, NO_COMMIT)]);
    // `ratchet: false` is off too, and a raised score is no regression.
    let (c, base) = history(false);
    let config = c.repo.read("assure.yaml");
    c.repo
        .write("assure.yaml", format!("{config}ratchet: false\n"));
    let base_off = c.commit("carol@example.com", "ratchet: false");
    fail_6_2_1_1(&c);
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    assert_eq!(c.check_from(base_off, &[]), (0, vec![]));
    let _ = base;
}

#[test]
fn a_raised_score_and_a_repaired_regression_are_no_regression() {
    let (c, base) = history(true);
    // Fail, then pass again within the range: net, nothing fell.
    fail_6_2_1_1(&c);
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    c.edit(
        GDPR_FILE,
        FAILED,
        "    status: implemented\n    test_date: 2019-05-09\n    test_result: passed\n",
    );
    c.commit("bob@example.com", "Retest after the fix");
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
}

#[test]
fn a_trailer_outside_the_range_states_nothing() {
    // Before the base: the base itself states a reason.
    let c = Change::new();
    let config = c.repo.read("assure.yaml");
    c.repo.write("assure.yaml", format!("{config}{RATCHET_ON}"));
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let base = c.commit(
        "carol@example.com",
        &stated("Switch the ratchet on", REASON),
    );
    fail_6_2_1_1(&c);
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    let (code, found) = ratchet(&c, base);
    assert_eq!((code, found.len()), (1, 1), "{found:?}");

    // On a branch the change does not merge.
    let (c, base) = history(true);
    c.repo.write("notes.txt", "why\n");
    let elsewhere = c.commit("bob@example.com", &stated("State a regression", REASON));
    c.git.reset_hard(base);
    c.git
        .repo
        .branch(
            "elsewhere",
            &c.git.repo.find_commit(elsewhere).expect("commit"),
            true,
        )
        .expect("branch");
    fail_6_2_1_1(&c);
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    let (code, found) = ratchet(&c, base);
    assert_eq!((code, found.len()), (1, 1), "{found:?}");
}

#[test]
fn only_a_real_trailer_with_a_reason_states_one() {
    for message in [
        // A blank reason.
        "Record the retest\n\nCompliance-Regression:\n".to_owned(),
        "Record the retest\n\nCompliance-Regression:    \n".to_owned(),
        // Not in the last paragraph: prose, not a trailer.
        format!("Record the retest\n\nCompliance-Regression: {REASON}\n\nMore words.\n"),
        // In the summary line only.
        format!("Compliance-Regression: {REASON}\n"),
        // Another key.
        format!("Record the retest\n\nCompliance-Regressions: {REASON}\n"),
    ] {
        let (c, base) = history(true);
        fail_6_2_1_1(&c);
        c.commit("bob@example.com", &message);
        let (code, found) = ratchet(&c, base);
        assert_eq!((code, found.len()), (1, 1), "{message:?}: {found:?}");
    }
    // Git's trailer keys ignore case; other trailers may follow.
    let (c, base) = history(true);
    fail_6_2_1_1(&c);
    c.commit(
        "bob@example.com",
        &format!(
            "Record the retest\n\ncompliance-regression: {REASON}\nSigned-off-by: Bob <bob@example.com>\n"
        ),
    );
    assert_eq!(ratchet(&c, base), (0, vec![]));
}

#[test]
fn a_regression_split_over_two_commits_is_judged_as_a_whole() {
    let (c, base) = history(true);
    // First 6.2.1.1 stops earning (planned), then it fails: the finding is base → head.
    c.edit(
        GDPR_FILE,
        PASSED,
        "    status: planned\n    test_date: 2019-04-30\n    test_result: passed\n",
    );
    c.commit("bob@example.com", "6.2.1.1 is back to planned");
    c.edit(
        GDPR_FILE,
        "    status: planned\n    test_date: 2019-04-30\n    test_result: passed\n",
        FAILED,
    );
    c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    let (code, found) = ratchet(&c, base);
    assert_eq!(code, 1);
    assert_eq!(found, vec![regression(&c, WHOLE, 77, 76, NO_COMMIT)]);
}

#[test]
fn a_merge_brings_the_regression_in() {
    // Bob fails the control on a branch; Alice merges it: the merge's range holds Bob's
    // commit, so the regression is judged, and a reason on either commit states it.
    for (on_branch, on_merge) in [(false, false), (true, false), (false, true)] {
        let (c, base) = history(true);
        fail_6_2_1_1(&c);
        let message = if on_branch {
            stated("Record the retest of 6.2.1.1", REASON)
        } else {
            "Record the retest of 6.2.1.1".to_owned()
        };
        let failed = c.commit("bob@example.com", &message);
        c.git.reset_hard(base);
        c.repo.write("notes.txt", "meanwhile\n");
        let other = c.commit("alice@example.com", "Meanwhile on main");
        fail_6_2_1_1(&c);
        let message = if on_merge {
            stated("Merge the retest", REASON)
        } else {
            "Merge the retest".to_owned()
        };
        c.git
            .commit_with_parents("alice@example.com", &message, c.tick(), &[other, failed]);
        let (code, found) = ratchet(&c, base);
        if on_branch || on_merge {
            assert_eq!((code, found), (0, vec![]), "{on_branch} {on_merge}");
        } else {
            assert_eq!(code, 1);
            assert_eq!(found, vec![regression(&c, WHOLE, 77, 76, NO_COMMIT)]);
        }
    }
}

#[test]
fn deleting_or_emptying_an_assessment_with_a_score_is_a_regression() {
    let (c, base) = history(true);
    std::fs::remove_file(c.repo.path().join(GDPR_FILE)).expect("remove");
    c.commit("alice@example.com", "Delete the GDPR assessment");
    let (code, found) = ratchet(&c, base);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![Finding {
            code: "compliance-regression".into(),
            file: GDPR_FILE.into(),
            line: 1,
            message: format!(
                "{WHOLE}: score of default-group/office-365--gdpr falls 77 → none: the assessment is gone, {NO_COMMIT}"
            ),
        }]
    );
    // Stated, it may go.
    let (c, base) = history(true);
    std::fs::remove_file(c.repo.path().join(GDPR_FILE)).expect("remove");
    c.commit(
        "alice@example.com",
        &stated(
            "Delete the GDPR assessment",
            "Office 365 is out of the GDPR scope",
        ),
    );
    assert_eq!(ratchet(&c, base), (0, vec![]));
    // Marking a passed control not-in-scope lowers the score: named as such.
    let (c, base) = history(true);
    c.edit(
        GDPR_FILE,
        PASSED,
        "    status: not-in-scope\n    test_date: 2019-04-30\n    test_result: passed\n",
    );
    c.commit("bob@example.com", "6.2.1.1 is not in scope");
    let (code, found) = ratchet(&c, base);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains(
            "score of default-group/office-365--gdpr falls 77 → 76 (control 6.2.1.1: implemented → not-in-scope)"
        ),
        "{}",
        found[0].message
    );
}

#[test]
fn uncommitted_changes_cannot_state_a_reason() {
    // No commit at all: the work tree's regression is the change's.
    let (c, base) = history(true);
    fail_6_2_1_1(&c);
    let (code, found) = ratchet(&c, base);
    assert_eq!(code, 1);
    assert_eq!(found, vec![regression(&c, WHOLE, 77, 76, NO_COMMIT)]);
    // A stated commit in the range does not cover what the work tree adds to it.
    let (c, base) = history(true);
    c.edit(
        GDPR_FILE,
        PASSED,
        "    status: implemented\n    test_date: 2019-04-30\n    test_result: failed-low-risk\n",
    );
    c.commit("bob@example.com", &stated("Retest 6.2.1.1", REASON));
    assert_eq!(ratchet(&c, base), (0, vec![]));
    let (_, found) = c.check_from(base, &["--as", "bob@example.com"]);
    assert!(found.is_empty(), "{found:?}");
    c.edit(GDPR_FILE, "failed-low-risk", "failed-high-risk");
    // The score did not fall further, nor did a passed control fail: still stated.
    let as_bob = ["--as", "bob@example.com"];
    assert_eq!(c.check_from(base, &as_bob), (0, vec![]));
    // A second passed control failing in the work tree is the uncommitted changes' own.
    c.edit(
        GDPR_FILE,
        "    test_result: passed\n",
        "    test_result: failed-low-risk\n",
    );
    c.edit(
        crate::gate::NIST_FILE,
        "    test_result: passed\n",
        "    test_result: failed-low-risk\n",
    );
    let (code, found) = c.check_from(base, &["--as", "bob@example.com"]);
    let found: Vec<Finding> = found
        .into_iter()
        .filter(|f| f.code == "compliance-regression")
        .collect();
    assert_eq!(code, 1);
    assert_eq!(found.len(), 2, "{found:?}");
    for f in &found {
        assert!(
            f.message
                .starts_with("uncommitted changes by bob@example.com (assessor): ")
                && f.message
                    .ends_with("and uncommitted changes have no commit message to state why in"),
            "{}",
            f.message
        );
    }
}

#[test]
fn explain_says_how_to_state_the_reason() {
    let out = crate::support::assure(
        &["explain", "compliance-regression"],
        &crate::support::project_root(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for words in [
        "ratchet: true",
        "Compliance-Regression: <reason>",
        "Uncommitted changes have no commit message",
        "git commit --trailer",
    ] {
        assert!(out.stdout.contains(words), "{words}: {}", out.stdout);
    }
}

// `assure diff` and `assure log`: every regression with its reason.

#[test]
fn diff_lists_each_regression_with_its_reason_or_none() {
    let (c, base) = history(true);
    fail_6_2_1_1(&c);
    let failed = c.commit("bob@example.com", "Record the retest of 6.2.1.1");
    let range = format!("{base}..{failed}");
    let out = c.run(&["diff", &range]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "### 📉 Compliance regressions\n\n- score of default-group/office-365--gdpr falls 77 → 76 (control 6.2.1.1: passed → failed-high-risk) — **no reason given**\n"
        ),
        "{}",
        out.stdout
    );
    // Not a permission finding: the diff has a section for it.
    assert!(
        !out.stdout.contains("Permission findings"),
        "{}",
        out.stdout
    );
    let v = crate::json_output::check(c.repo.path(), &["diff", &range], "diff", &[0]);
    assert_eq!(
        v["regressions"],
        serde_json::json!([{
            "assessment": "default-group/office-365--gdpr",
            "score_before": 77,
            "score_after": 76,
            "controls": [{"control": "6.2.1.1", "before": "passed", "after": "failed-high-risk"}],
            "reasons": [],
        }])
    );
    // Stated (in the work tree's range too): the reason, with its commit.
    c.repo.write("notes.txt", "why\n");
    let why = c.commit("bob@example.com", &stated("State the regression", REASON));
    let short = &why.to_string()[..7];
    let out = c.run(&["diff", &base.to_string()]);
    assert!(
        out.stdout.contains(&format!(
            "(control 6.2.1.1: passed → failed-high-risk) — reason: \"{REASON}\" (commit {short})\n"
        )),
        "{}",
        out.stdout
    );
    let v = crate::json_output::check(c.repo.path(), &["diff", &base.to_string()], "diff", &[0]);
    assert_eq!(
        v["regressions"][0]["reasons"],
        serde_json::json!([{"commit": short, "reason": REASON}])
    );
    // No regression, no section; none in the JSON either.
    let v = crate::json_output::check(
        c.repo.path(),
        &["diff", &format!("{failed}..{why}")],
        "diff",
        &[0],
    );
    assert_eq!(v["regressions"], serde_json::json!([]));
    let out = c.run(&["diff", &format!("{failed}..{why}")]);
    assert!(!out.stdout.contains("regressions"), "{}", out.stdout);
}

#[test]
fn diff_lists_regressions_with_the_ratchet_off_too() {
    let (c, base) = history(false);
    fail_6_2_1_1(&c);
    let out = c.run(&["diff", &base.to_string()]);
    assert!(
        out.stdout
            .contains("(control 6.2.1.1: passed → failed-high-risk) — **no reason given**"),
        "{}",
        out.stdout
    );
}

#[test]
fn log_shows_the_reason_on_the_commit_that_states_it() {
    let (c, base) = history(true);
    fail_6_2_1_1(&c);
    let failed = c.commit("bob@example.com", &stated("Record the retest", REASON));
    // A reason in a commit of its own, changing no data, is shown too.
    c.repo.write("notes.txt", "why\n");
    let later = c.commit(
        "alice@example.com",
        &stated("State it again", "Confirmed by the CISO"),
    );
    let out = c.run(&["log"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let entry = |id: git2::Oid| {
        let short = &id.to_string()[..7];
        let at = out
            .stdout
            .find(short)
            .unwrap_or_else(|| panic!("{short}: {}", out.stdout));
        let rest = &out.stdout[at..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_owned()
    };
    assert!(
        entry(failed).contains(&format!("    compliance regression stated: {REASON}\n")),
        "{}",
        out.stdout
    );
    assert!(
        entry(later).ends_with("    compliance regression stated: Confirmed by the CISO"),
        "{}",
        out.stdout
    );
    assert!(
        !entry(base).contains("compliance regression"),
        "{}",
        out.stdout
    );
    let v = crate::json_output::check(c.repo.path(), &["log"], "log", &[0]);
    let entries = v["entries"].as_array().expect("entries");
    assert_eq!(entries[0]["regression_reason"], "Confirmed by the CISO");
    assert_eq!(entries[0]["changes"], serde_json::json!([]));
    assert_eq!(entries[1]["regression_reason"], REASON);
    assert!(
        entries[2].get("regression_reason").is_none(),
        "{:#}",
        entries[2]
    );
    // The log of the assessment shows the reason on its change, not the data-less commit.
    let out = c.run(&["log", "default-group/office-365--gdpr"]);
    assert!(out.stdout.contains(REASON), "{}", out.stdout);
    assert!(
        !out.stdout.contains("Confirmed by the CISO"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_demo_shows_a_stated_regression() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = crate::support::run_env(tmp.path(), &["demo", "demo"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let dir = tmp.path().join("demo");
    let config = std::fs::read_to_string(dir.join("assure.yaml")).expect("assure.yaml");
    assert!(config.contains("\nratchet: true\n"), "{config}");
    let log = crate::support::run_env(&dir, &["log"], &[]);
    let at = log
        .stdout
        .find("    compliance regression stated: ")
        .unwrap_or_else(|| panic!("{}", log.stdout));
    let entry = &log.stdout[log.stdout[..at].rfind("\n\n").map_or(0, |i| i + 2)..];
    let entry = &entry[..entry.find("\n\n").unwrap_or(entry.len())];
    assert!(
        entry.contains("Bob Okafor <bob@contoso.com>")
            && entry.contains("7.2.2.1 test_result: passed → failed-medium-risk"),
        "{entry}"
    );
    // Its diff names the regression with the reason; the gate accepts it.
    let commit = entry.split_whitespace().nth(2).expect("short id");
    let range = format!("{commit}~1..{commit}");
    let diff = crate::support::run_env(&dir, &["diff", &range], &[]);
    assert!(
        diff.stdout.contains(
            "(control 7.2.2.1: passed → failed-medium-risk) — reason: \"the retest found two HR SharePoint sites missing from the records of processing\""
        ),
        "{}",
        diff.stdout
    );
    let before = format!("{commit}~1");
    let (code, found) = crate::gate::json_findings(&crate::support::run_env(
        &dir,
        &["validate", "--base", &before, "--format", "json"],
        &[],
    ));
    // Evidence ages with the clock (the demo's documents expire): that is all it may say.
    let found: Vec<_> = found
        .into_iter()
        .filter(|f| !f.code.starts_with("evidence-exp"))
        .collect();
    assert_eq!((code, found), (0, vec![]));
}
