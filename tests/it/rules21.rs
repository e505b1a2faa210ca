//! Testing rules as data (issue 21, item 3): `rules:` in assure.yaml switches each rule
//! on; off (the default) the same data is clean. `failed_high_risk_needs_action` and
//! `not_in_scope_needs_reason` are checked by plain `validate`.

use crate::support::{TestRepo, findings, located};

const NIST: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";

/// The base fixture with `rules_yaml` appended to assure.yaml and CM-2 recorded as `cm2`.
fn repo(rules_yaml: &str, cm2: &str) -> TestRepo {
    let repo = TestRepo::base();
    let config = repo.read("assure.yaml");
    repo.write("assure.yaml", format!("{config}{rules_yaml}"));
    let nist = repo.read(NIST);
    let at = nist.find("  CM-2:\n").expect("CM-2 in the base");
    repo.write(NIST, format!("{}  CM-2:\n{cm2}", &nist[..at]));
    repo
}

const HIGH_RISK_UNASSIGNED: &str = "    status: implemented
    test_date: 2019-05-10
    test_result: failed-high-risk
";

const OUT_OF_SCOPE_SILENT: &str = "    status: not-in-scope
";

#[test]
fn rules_are_off_by_default_and_when_false() {
    for rules in [
        "",
        "rules: {}\n",
        "rules:\n  failed_high_risk_needs_action: false\n  not_in_scope_needs_reason: false\n  tester_is_not_implementer: false\n",
    ] {
        for cm2 in [HIGH_RISK_UNASSIGNED, OUT_OF_SCOPE_SILENT] {
            let (code, found) = findings(&repo(rules, cm2));
            assert_eq!((code, found), (0, vec![]), "{rules:?} {cm2:?}");
        }
    }
}

#[test]
fn a_failed_high_risk_control_needs_a_person_and_a_priority() {
    let on = "rules:\n  failed_high_risk_needs_action: true\n";
    let r = repo(on, HIGH_RISK_UNASSIGNED);
    let out = r.run(&["validate", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let found = located(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, file, line, column, help) = &found[0];
    assert_eq!(
        (code.as_str(), file.as_str(), *line, *column),
        ("high-risk-without-action", NIST, 20, 18)
    );
    assert!(
        help.contains(
            "assure assign default-group/office-365--nist-800-53-r5 CM-2 --to EMAIL --priority high"
        ),
        "{help}"
    );
    let human = r.run(&["validate"]);
    assert!(
        human.stdout.contains(
            "control `CM-2` failed with high risk but has no action item: `assigned_to` and `action.priority` missing"
        ),
        "{}",
        human.stdout
    );
    // Half an action item is not one: a person without a priority, a priority without a
    // person.
    for (cm2, missing) in [
        (
            "    status: implemented\n    test_date: 2019-05-10\n    test_result: failed-high-risk\n    assigned_to: dave@example.com\n    action:\n      notes: soon\n",
            "`action.priority` missing",
        ),
        (
            "    status: implemented\n    test_date: 2019-05-10\n    test_result: failed-high-risk\n    action:\n      priority: high\n",
            "`assigned_to` missing",
        ),
    ] {
        let out = repo(on, cm2).run(&["validate"]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(
            out.stdout.contains("high-risk-without-action"),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains(&format!("no action item: {missing}")),
            "{}",
            out.stdout
        );
    }
    // The whole action item, or a lower risk, is clean.
    for cm2 in [
        "    status: implemented\n    test_date: 2019-05-10\n    test_result: failed-high-risk\n    assigned_to: dave@example.com\n    action:\n      priority: low\n",
        "    status: implemented\n    test_date: 2019-05-10\n    test_result: failed-medium-risk\n",
    ] {
        assert_eq!(findings(&repo(on, cm2)), (0, vec![]), "{cm2}");
    }
    // The other rule on does not switch this one on.
    let other = "rules:\n  not_in_scope_needs_reason: true\n";
    assert_eq!(findings(&repo(other, HIGH_RISK_UNASSIGNED)), (0, vec![]));
}

#[test]
fn a_control_out_of_scope_needs_a_reason() {
    let on = "rules:\n  not_in_scope_needs_reason: true\n";
    for cm2 in [
        OUT_OF_SCOPE_SILENT,
        "    status: not-in-scope\n    management_response: \"\"\n",
        // Blank is not a reason either.
        "    status: not-in-scope\n    management_response: \" \\t \"\n",
    ] {
        let out = repo(on, cm2).run(&["validate", "--format", "json"]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        let found = located(&out);
        assert_eq!(found.len(), 1, "{found:?}");
        let (code, file, line, column, help) = &found[0];
        assert_eq!(
            (code.as_str(), file.as_str(), *line, *column),
            ("not-in-scope-without-reason", NIST, 18, 13),
            "{cm2}"
        );
        assert!(
            help.contains("assure control set default-group/office-365--nist-800-53-r5 CM-2 --management-response TEXT"),
            "{help}"
        );
    }
    let reasoned = "    status: not-in-scope\n    management_response: The provider runs configuration baselines.\n";
    assert_eq!(findings(&repo(on, reasoned)), (0, vec![]));
    let other = "rules:\n  failed_high_risk_needs_action: true\n";
    assert_eq!(findings(&repo(other, OUT_OF_SCOPE_SILENT)), (0, vec![]));
}

#[test]
fn an_archived_assessment_is_not_held_to_a_rule_switched_on_later() {
    let on = "rules:\n  failed_high_risk_needs_action: true\n  not_in_scope_needs_reason: true\n";
    let r = repo(on, HIGH_RISK_UNASSIGNED);
    let nist = r.read(NIST);
    r.write(
        NIST,
        nist.replace(
            "created_by: alice@example.com\n",
            "created_by: alice@example.com\narchived: 2020-01-01T00:00:00Z\n",
        ),
    );
    assert_eq!(findings(&r), (0, vec![]));
}

#[test]
fn an_unknown_rule_is_a_schema_finding_naming_it() {
    let r = repo(
        "rules:\n  tester_is_not_implementor: true\n",
        OUT_OF_SCOPE_SILENT,
    );
    let out = r.run(&["validate", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let found = located(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "unknown-field");
    assert_eq!(found[0].1, "assure.yaml");
    assert!(
        found[0].4.contains("tester_is_not_implementer"),
        "{:?}",
        found[0]
    );
    // A rule is switched on with a boolean, not with a word.
    let r = repo(
        "rules:\n  not_in_scope_needs_reason: yes-please\n",
        OUT_OF_SCOPE_SILENT,
    );
    let (code, found) = findings(&r);
    assert_eq!(code, 1);
    assert_eq!(found, vec![("wrong-type".into(), "assure.yaml".into(), 21)]);
}

#[test]
fn explain_describes_each_rule() {
    for (code, words) in [
        ("high-risk-without-action", "failed_high_risk_needs_action"),
        ("not-in-scope-without-reason", "not_in_scope_needs_reason"),
    ] {
        let out = crate::support::assure(&["explain", code], &crate::support::project_root());
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains(words), "{}", out.stdout);
    }
}

// `tester_is_not_implementer`: judged by `validate --base` from git history, with the
// rule as it stands at the base. Each case starts from the gate tests' base commit plus
// one commit by Carol (portal-admin, administrator) that sets the rule; the control is
// GDPR 6.2.1.1 (planned, in no sync class). Bob is an assessor, Alice an administrator
// (both may record results), Dave a contributor.

use crate::gate::{Change, Finding, GDPR_FILE, by, short};

const RULE_ON: &str = "rules:\n  tester_is_not_implementer: true\n";
const PLANNED_1: &str = "  \"6.2.1.1\":\n    status: planned\n";

/// The gate base with the rule set (`on`) in a commit of its own, which is the base.
fn history(on: bool) -> (Change, git2::Oid) {
    let c = Change::new();
    if on {
        let config = c.repo.read("assure.yaml");
        c.repo.write("assure.yaml", format!("{config}{RULE_ON}"));
    }
    let base = c.commit("carol@example.com", "Switch the testing rules on");
    (c, base)
}

fn write_implementation(c: &Change, text: &str) {
    let gdpr = c.repo.read(GDPR_FILE);
    let at = gdpr.find(PLANNED_1).expect("6.2.1.1 planned") + PLANNED_1.len();
    // The control's other lines, without an implementation written before (6.2.1.1 is the
    // last control of the file).
    let rest: String = gdpr[at..]
        .lines()
        .filter(|l| !l.starts_with("    implementation: "))
        .map(|l| format!("{l}\n"))
        .collect();
    c.repo.write(
        GDPR_FILE,
        format!("{}    implementation: {text}\n{rest}", &gdpr[..at]),
    );
}

fn record_result(c: &Change, result: &str) {
    c.edit(
        GDPR_FILE,
        PLANNED_1,
        &format!("{PLANNED_1}    test_date: 2019-05-01\n    test_result: {result}\n"),
    );
}

/// The line of `test_result` under 6.2.1.1 in the work tree.
fn result_line(c: &Change) -> u64 {
    let gdpr = c.repo.read(GDPR_FILE);
    let control = gdpr.find(PLANNED_1).expect("6.2.1.1");
    let at = control + gdpr[control..].find("    test_result: ").expect("a result");
    gdpr[..at].lines().count() as u64 + 1
}

fn only_rule(findings: Vec<Finding>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| f.code == "tester-is-implementer")
        .collect()
}

fn self_tested(c: &Change, tester: git2::Oid, who: &str, wrote: &[git2::Oid]) -> Finding {
    let name = who.split('@').next().expect("local part");
    let writers: Vec<String> = wrote
        .iter()
        .map(|w| format!("{name} <{who}> in commit {}", short(*w)))
        .collect();
    Finding {
        code: "tester-is-implementer".into(),
        file: GDPR_FILE.into(),
        line: result_line(c),
        message: format!(
            "{}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: the tester also wrote the control's implementation: {}",
            by(tester, who),
            writers.join("; ")
        ),
    }
}

#[test]
fn one_person_writing_and_testing_in_one_commit_is_refused() {
    let (c, base) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    record_result(&c, "passed");
    let both = c.commit("bob@example.com", "Implement and test 6.2.1.1");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![self_tested(&c, both, "bob@example.com", &[both])]
    );
    // The human output says what to do.
    let out = c.run(&["validate", "--base", &base.to_string()]);
    assert!(
        out.stdout.contains("error[tester-is-implementer]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("ask another assessor to test the control"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_rule_is_read_at_the_base_and_is_off_by_default() {
    // Off at the base: the same history is clean.
    let (c, base) = history(false);
    write_implementation(&c, "Policies are reviewed yearly.");
    record_result(&c, "passed");
    c.commit("bob@example.com", "Implement and test 6.2.1.1");
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
    // Switched on in the change itself: not yet (the change is judged by the base's rules).
    let config = c.repo.read("assure.yaml");
    c.repo.write("assure.yaml", format!("{config}{RULE_ON}"));
    c.commit("carol@example.com", "Switch the rule on");
    assert_eq!(c.check_from(base, &[]), (0, vec![]));

    // On at the base, switched off in the change: still judged.
    let (c, base) = history(true);
    let config = c.repo.read("assure.yaml");
    c.repo.write("assure.yaml", config.replace(RULE_ON, ""));
    c.commit("carol@example.com", "Switch the rule off");
    write_implementation(&c, "Policies are reviewed yearly.");
    record_result(&c, "passed");
    let both = c.commit("bob@example.com", "Implement and test 6.2.1.1");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        only_rule(found),
        vec![self_tested(&c, both, "bob@example.com", &[both])]
    );
}

#[test]
fn two_people_may_write_and_test() {
    let (c, base) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    c.commit("dave@example.com", "Implement 6.2.1.1");
    record_result(&c, "passed");
    c.commit("bob@example.com", "Test 6.2.1.1");
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
    // Removing a result is no test; a result on another control is not this one's.
    c.edit(
        GDPR_FILE,
        "    test_date: 2019-05-01\n    test_result: passed\n",
        "",
    );
    c.commit(
        "bob@example.com",
        "Implementation changed: the result no longer holds",
    );
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
}

#[test]
fn two_commits_instead_of_one_are_the_same_person() {
    let (c, base) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    // The author's address in another case is the same person.
    let wrote = c.commit("Bob@Example.com", "Implement 6.2.1.1");
    record_result(&c, "passed");
    let tested = c.commit("bob@example.com", "Test 6.2.1.1");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    let mut expected = self_tested(&c, tested, "bob@example.com", &[]);
    expected.message = format!(
        "{}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: the tester also wrote the control's implementation: Bob <Bob@Example.com> in commit {}",
        by(tested, "bob@example.com"),
        short(wrote)
    );
    assert_eq!(found, vec![expected]);
}

#[test]
fn an_implementation_written_before_the_base_counts() {
    let c = Change::new();
    write_implementation(&c, "Policies are reviewed yearly.");
    let wrote = c.commit("bob@example.com", "Implement 6.2.1.1");
    let config = c.repo.read("assure.yaml");
    c.repo.write("assure.yaml", format!("{config}{RULE_ON}"));
    let base = c.commit("carol@example.com", "Switch the rule on");
    // Dave rewrites the text later; Bob still wrote part of what it became.
    write_implementation(&c, "Policies are reviewed yearly by the board.");
    let dave = c.commit("dave@example.com", "Reword 6.2.1.1");
    record_result(&c, "passed");
    let tested = c.commit("bob@example.com", "Test 6.2.1.1");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![self_tested(&c, tested, "bob@example.com", &[wrote])]
    );
    // Alice, who wrote none of it, may test it.
    c.git.reset_hard(dave);
    record_result(&c, "passed");
    c.commit("alice@example.com", "Test 6.2.1.1");
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
}

#[test]
fn a_merge_of_two_branches_by_a_third_person_is_no_way_around() {
    let (c, base) = history(true);
    // Bob implements on one branch and tests on another that does not contain it; Alice
    // merges both. The test commit's own history holds no implementation at all.
    write_implementation(&c, "Policies are reviewed yearly.");
    let wrote = c.commit("bob@example.com", "Implement 6.2.1.1");
    c.git.reset_hard(base);
    record_result(&c, "passed");
    let tested = c.commit("bob@example.com", "Test 6.2.1.1");
    write_implementation(&c, "Policies are reviewed yearly.");
    c.git
        .commit_with_parents("alice@example.com", "Merge", c.tick(), &[tested, wrote]);
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(
        found,
        vec![self_tested(&c, tested, "bob@example.com", &[wrote])]
    );
    // The merger took Bob's text: Alice wrote none of it (she is named nowhere).
    assert!(!found[0].message.contains("alice"), "{}", found[0].message);
}

#[test]
fn a_merge_that_takes_a_text_writes_nothing_and_one_that_resolves_it_does() {
    // Dave implements on a branch; Alice merges it (taking his text) and then tests: she
    // wrote none of it.
    let (c, base) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    let dave = c.commit("dave@example.com", "Implement 6.2.1.1");
    c.git.reset_hard(base);
    c.repo.write("evidence/note.txt", "unrelated\n");
    let main = c.commit("carol@example.com", "Unrelated work");
    write_implementation(&c, "Policies are reviewed yearly.");
    c.git
        .commit_with_parents("alice@example.com", "Merge", c.tick(), &[main, dave]);
    record_result(&c, "passed");
    c.commit("alice@example.com", "Test 6.2.1.1");
    assert_eq!(c.check_from(base, &[]), (0, vec![]));

    // Both sides wrote a text; Alice's merge resolves the conflict with a text of her
    // own, and then she tests: she wrote it in the merge.
    let (c, base) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    let dave = c.commit("dave@example.com", "Implement 6.2.1.1");
    c.git.reset_hard(base);
    write_implementation(&c, "Policies are reviewed monthly.");
    let main = c.commit("carol@example.com", "Implement 6.2.1.1 differently");
    write_implementation(&c, "Policies are reviewed every quarter.");
    let merge = c
        .git
        .commit_with_parents("alice@example.com", "Merge", c.tick(), &[main, dave]);
    record_result(&c, "passed");
    let tested = c.commit("alice@example.com", "Test 6.2.1.1");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![self_tested(&c, tested, "alice@example.com", &[merge])]
    );
}

#[test]
fn a_merge_that_records_the_result_itself_is_its_authors_test() {
    // Bob implements on a branch; Carol's main line goes on; Bob merges main into his
    // branch and records the result in the merge commit itself.
    let (c, base) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    let wrote = c.commit("bob@example.com", "Implement 6.2.1.1");
    c.git.reset_hard(base);
    c.repo.write("evidence/note.txt", "unrelated\n");
    let main = c.commit("carol@example.com", "Unrelated work");
    write_implementation(&c, "Policies are reviewed yearly.");
    record_result(&c, "passed");
    let merge =
        c.git
            .commit_with_parents("bob@example.com", "Merge main", c.tick(), &[wrote, main]);
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![self_tested(&c, merge, "bob@example.com", &[wrote])]
    );
}

#[test]
fn with_an_actor_the_whole_change_is_theirs() {
    let (c, base) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    c.commit("dave@example.com", "Implement 6.2.1.1");
    record_result(&c, "passed");
    c.commit("bob@example.com", "Test 6.2.1.1");
    // Per commit: two people.
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
    // As Alice's pull request: she made both.
    let (code, found) = c.check_from(base, &["--actor", "alice@example.com"]);
    assert_eq!(code, 1);
    let found = only_rule(found);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.starts_with(
            "alice@example.com (administrator): set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: the tester also wrote the control's implementation: <alice@example.com> in commit "
        ),
        "{}",
        found[0].message
    );
}

#[test]
fn uncommitted_changes_are_the_acting_persons() {
    let (c, base) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    let wrote = c.commit("bob@example.com", "Implement 6.2.1.1");
    record_result(&c, "passed");
    let (code, found) = c.check_from(base, &["--as", "bob@example.com"]);
    assert_eq!(code, 1);
    let found = only_rule(found);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].message,
        format!(
            "uncommitted changes by bob@example.com (assessor): set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: the tester also wrote the control's implementation: bob <bob@example.com> in commit {}",
            short(wrote)
        )
    );
    assert_eq!(
        c.check_from(base, &["--as", "alice@example.com"]),
        (0, vec![])
    );
}

#[test]
fn a_new_test_with_the_same_result_is_a_test_too() {
    // Alice tested Dave's implementation; Bob rewrites the implementation and then records
    // a new test with the same result: only the date changes.
    let (c, _) = history(true);
    write_implementation(&c, "Policies are reviewed yearly.");
    c.commit("dave@example.com", "Implement 6.2.1.1");
    record_result(&c, "passed");
    c.commit("alice@example.com", "Test 6.2.1.1");
    // The change under review starts here.
    let base = c.git.repo.head().expect("head").target().expect("a commit");
    write_implementation(&c, "Policies are reviewed yearly by the board.");
    let wrote = c.commit("bob@example.com", "Reword 6.2.1.1");
    c.edit(
        GDPR_FILE,
        "    test_date: 2019-05-01\n",
        "    test_date: 2019-05-02\n",
    );
    let tested = c.commit("bob@example.com", "Test 6.2.1.1 again");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1, "{found:?}");
    let gdpr = c.repo.read(GDPR_FILE);
    let at = gdpr
        .find("    test_date: 2019-05-02")
        .expect("the new date");
    assert_eq!(
        (found[0].code.as_str(), found[0].line),
        (
            "tester-is-implementer",
            gdpr[..at].lines().count() as u64 + 1
        )
    );
    assert_eq!(
        found[0].message,
        format!(
            "{}: set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: the tester also wrote the control's implementation: bob <bob@example.com> in commit {}",
            by(tested, "bob@example.com"),
            short(wrote)
        )
    );
}

#[test]
fn writing_the_implementation_after_the_test_counts_too() {
    let (c, base) = history(true);
    record_result(&c, "passed");
    let tested = c.commit("bob@example.com", "Test 6.2.1.1");
    write_implementation(&c, "Policies are reviewed yearly.");
    let wrote = c.commit("bob@example.com", "Implement 6.2.1.1");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![self_tested(&c, tested, "bob@example.com", &[wrote])]
    );
}

#[test]
fn a_shallow_history_that_hides_the_writer_is_not_judged_clean() {
    let c = Change::new();
    write_implementation(&c, "Policies are reviewed yearly.");
    c.commit("bob@example.com", "Implement 6.2.1.1");
    let config = c.repo.read("assure.yaml");
    c.repo.write("assure.yaml", format!("{config}{RULE_ON}"));
    let base = c.commit("carol@example.com", "Switch the rule on");
    record_result(&c, "passed");
    let tested = c.commit("bob@example.com", "Test 6.2.1.1");
    // A clone of depth 2 holds the base and the test, not Bob's implementation commit.
    let clone = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", c.repo.path().display());
    let out = crate::support::git_cli(
        clone.path(),
        &["clone", "--quiet", "--depth", "2", &url, "shallow"],
    );
    assert_eq!(out.code, 0, "git clone: {}", out.stderr);
    let dir = clone.path().join("shallow");
    let out = crate::support::run_env(
        &dir,
        &["validate", "--base", &base.to_string(), "--format", "json"],
        &[],
    );
    let (code, found) = crate::gate::json_findings(&out);
    assert_eq!(code, 1, "{}", out.stdout);
    let found = only_rule(found);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].message,
        format!(
            "{}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: the history is shallow and stops at commit {}, which holds the control's implementation, so who wrote it is unknown; fetch the whole history (`git fetch --unshallow`)",
            by(tested, "bob@example.com"),
            short(base)
        )
    );
    // The whole history judges it: Bob wrote it.
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert!(
        found[0].message.contains("the tester also wrote"),
        "{found:?}"
    );
}
