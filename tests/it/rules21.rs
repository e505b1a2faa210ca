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
