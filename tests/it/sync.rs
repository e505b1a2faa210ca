//! Sync (DESIGN.md §4.4–4.5) through the CLI and the library: the seed's groups example
//! end to end, sources from git, conflicts, idempotence, order independence, archived
//! assessments, related controls inside one assessment, filling new assessments, and
//! all-or-nothing writes.

use std::collections::BTreeMap;

use assure::model::{Assessment, ControlRecord, Status, SyncField, TestResult};
use assure::ops::sync::plan;
use assure::rules::sync::Item;
use proptest::prelude::*;

use crate::support::{GitRepo, TestRepo, run_env, snapshot};

const GDPR: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";

fn score(dir: &std::path::Path, key: &str) -> u64 {
    let out = run_env(dir, &["status", "--format", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["tiles"].as_array().expect("tiles").iter())
        .find(|t| t["assessment"] == key)
        .expect("tile")["score"]
        .as_u64()
        .expect("score")
}

#[test]
fn the_seeds_groups_example_end_to_end() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let alice = ["--as", "alice@contoso.com"];
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&alice);
        let out = run_env(d, &all, &[]);
        assert_eq!(out.code, 0, "{args:?}: {}{}", out.stdout, out.stderr);
        out
    };
    run(&["init", "--organization", "Contoso", "--name", "Alice Ng"]);
    run(&["group", "new", "Default Group"]);
    run(&[
        "assessment",
        "new",
        "--group",
        "default-group",
        "--service",
        "office-365",
        "--certification",
        "gdpr",
    ]);
    run(&[
        "assessment",
        "new",
        "--group",
        "default-group",
        "--service",
        "office-365",
        "--certification",
        "nist-800-53-r5",
    ]);
    let (gdpr0, nist0) = (
        score(d, "default-group/office-365--gdpr"),
        score(d, "default-group/office-365--nist-800-53-r5"),
    );

    run(&[
        "control",
        "set",
        "default-group/office-365--gdpr",
        "6.10.1.2",
        "--status",
        "implemented",
        "--implementation",
        "TLS 1.2 or later on every endpoint.",
    ]);
    let out = run(&[
        "control",
        "test",
        "default-group/office-365--gdpr",
        "6.10.1.2",
        "--result",
        "passed",
        "--date",
        "2019-04-02",
    ]);
    assert!(out.stdout.contains("synced   default-group/office-365--nist-800-53-r5 SC-13 from default-group/office-365--gdpr 6.10.1.2 (test_date, test_result)"), "{}", out.stdout);

    let nist: Assessment = read(d, NIST);
    let sc13 = &nist.controls["SC-13"];
    assert_eq!(sc13.status, Some(Status::Implemented));
    assert_eq!(sc13.test_result, Some(TestResult::Passed));
    assert_eq!(
        sc13.test_date.map(|x| x.to_string()).as_deref(),
        Some("2019-04-02")
    );
    assert_eq!(
        sc13.implementation.as_deref(),
        Some("TLS 1.2 or later on every endpoint.")
    );
    assert_eq!(score(d, "default-group/office-365--gdpr"), gdpr0 + 8);
    assert_eq!(
        score(d, "default-group/office-365--nist-800-53-r5"),
        nist0 + 8
    );
    let out = run_env(d, &["validate"], &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

fn read<T: serde::de::DeserializeOwned>(dir: &std::path::Path, path: &str) -> T {
    let text = std::fs::read_to_string(dir.join(path)).expect("read");
    serde_json::from_value(assure::repo::yaml::parse_to_json(&text).expect("yaml")).expect("model")
}

/// The base fixture in a git repository with everything committed.
fn committed() -> (TestRepo, GitRepo) {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "base", 1_700_000_000);
    (repo, git)
}

#[test]
fn changed_member_is_the_source_and_is_copied() {
    let (repo, _git) = committed();
    let nist = repo.read(NIST);
    repo.write(
        NIST,
        nist.replace("test_date: 2019-04-02", "test_date: 2019-04-09"),
    );
    let out = run_env(repo.path(), &["sync"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("synced   default-group/office-365--gdpr 6.10.1.2 from default-group/office-365--nist-800-53-r5 SC-13 (test_date)"), "{}", out.stdout);
    assert!(repo.read(GDPR).contains("    test_date: 2019-04-09\n"));
    // Idempotent: a second run changes nothing.
    let before = snapshot(repo.path());
    let out = run_env(repo.path(), &["sync"], &[]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "in sync\n"));
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn sources_that_disagree_are_a_conflict_and_nothing_is_written() {
    let (repo, _git) = committed();
    repo.write(
        GDPR,
        repo.read(GDPR)
            .replace("test_date: 2019-04-02", "test_date: 2019-04-05"),
    );
    repo.write(
        NIST,
        repo.read(NIST)
            .replace("test_date: 2019-04-02", "test_date: 2019-04-07"),
    );
    let before = snapshot(repo.path());
    let out = run_env(repo.path(), &["sync"], &[]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("sync conflict"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("default-group/office-365--gdpr 6.10.1.2 (changed)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("default-group/office-365--nist-800-53-r5 SC-13 (changed)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("test_date: \"2019-04-05\"")
            && out.stderr.contains("test_date: \"2019-04-07\""),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn base_revision_decides_the_sources() {
    let (repo, git) = committed();
    let base = git
        .repo
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("commit")
        .id()
        .to_string();
    repo.write(
        NIST,
        repo.read(NIST)
            .replace("test_date: 2019-04-02", "test_date: 2019-04-09"),
    );
    git.commit_all("bob@example.com", "retest", 1_700_000_100);
    // Against HEAD nothing changed and the latest date wins; against the base, SC-13 changed.
    let out = run_env(repo.path(), &["sync", "--check", "--base", &base], &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("-    test_date: 2019-04-02\n+    test_date: 2019-04-09\n"),
        "{}",
        out.stdout
    );
    let out = run_env(repo.path(), &["sync", "--base", "no-such-rev"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("revision `no-such-rev` does not exist"),
        "{}",
        out.stderr
    );
}

#[test]
fn without_history_the_latest_test_date_wins_and_a_tie_is_a_conflict() {
    let repo = TestRepo::base();
    repo.write(
        NIST,
        repo.read(NIST).replace(
            "test_date: 2019-04-02\n    test_result: passed",
            "test_date: 2019-05-01\n    test_result: failed-low-risk",
        ),
    );
    let out = run_env(repo.path(), &["sync", "--check"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("+++ b/groups/default-group/office-365--gdpr.yaml"),
        "{}",
        out.stdout
    );
    let out = run_env(repo.path(), &["sync"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let gdpr: Assessment = read(repo.path(), GDPR);
    assert_eq!(
        gdpr.controls["6.10.1.2"].test_result,
        Some(TestResult::FailedLowRisk)
    );

    let repo = TestRepo::base();
    repo.write(
        NIST,
        repo.read(NIST).replace(
            "test_result: passed\n    assigned_to: bob",
            "test_result: failed-low-risk\n    assigned_to: bob",
        ),
    );
    let before = snapshot(repo.path());
    let out = run_env(repo.path(), &["sync"], &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("latest test date differ"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn archived_assessments_are_never_touched() {
    let (repo, _git) = committed();
    let nist = repo.read(NIST).replace(
        "created_by: alice@example.com\n",
        "created_by: alice@example.com\narchived: 2020-01-01T00:00:00Z\n",
    );
    repo.write(NIST, &nist);
    repo.write(
        GDPR,
        repo.read(GDPR)
            .replace("test_date: 2019-04-02", "test_date: 2019-04-09"),
    );
    let out = run_env(repo.path(), &["sync"], &[]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "in sync\n"),
        "{}",
        out.stderr
    );
    assert_eq!(repo.read(NIST), nist);
}

#[test]
fn a_related_control_inside_one_assessment_follows() {
    let repo = TestRepo::base();
    repo.write(
        "catalog/mappings/internal.yaml",
        "related:\n  - [gdpr:6.2.1.1, gdpr:6.2.2.1]\n",
    );
    // 6.2.1.1 is planned and assigned; 6.2.2.1 not started: out of sync until synced.
    let out = run_env(
        repo.path(),
        &[
            "control",
            "set",
            "default-group/office-365--gdpr",
            "6.2.1.1",
            "--implementation",
            "Policy drafted.",
            "--as",
            "dave@example.com",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let gdpr: Assessment = read(repo.path(), GDPR);
    assert_eq!(
        gdpr.controls["6.2.2.1"].implementation.as_deref(),
        Some("Policy drafted.")
    );
    assert_eq!(gdpr.controls["6.2.2.1"].status, Some(Status::Planned));
    assert_eq!(
        gdpr.controls["6.2.2.1"].assigned_to.as_deref(),
        Some("dave@example.com")
    );
    assert_eq!(
        gdpr.controls["6.2.2.1"].action, None,
        "the action item is not a sync field"
    );
}

#[test]
fn a_failed_write_leaves_every_file_as_it_was() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    // Passing nothing new: change the shared control, so two files are written; fail
    // after the first has been replaced.
    let args = [
        "control",
        "set",
        "default-group/office-365--gdpr",
        "6.10.1.2",
        "--test-plan",
        "Quarterly scan.",
        "--as",
        "dave@example.com",
    ];
    let out = run_env(repo.path(), &args, &[("ASSURE_FAIL_AFTER_WRITES", "1")]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("nothing was written"), "{}", out.stderr);
    assert_eq!(snapshot(repo.path()), before);
    // And without the injected failure both files change.
    let out = run_env(repo.path(), &args, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.read(GDPR).contains("test_plan: Quarterly scan.")
            && repo.read(NIST).contains("test_plan: Quarterly scan.")
    );
}

#[test]
fn a_new_assessment_is_filled_from_its_group_and_copy_from_another() {
    let repo = TestRepo::base();
    let out = run_env(
        repo.path(),
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "azure",
            "--certification",
            "gdpr",
            "--as",
            "alice@example.com",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let azure: Assessment = read(repo.path(), "groups/default-group/azure--gdpr.yaml");
    let gdpr: Assessment = read(repo.path(), GDPR);
    let shared = &azure.controls["6.10.1.2"];
    assert_eq!(
        (shared.status, shared.test_result, shared.test_date),
        (
            gdpr.controls["6.10.1.2"].status,
            gdpr.controls["6.10.1.2"].test_result,
            gdpr.controls["6.10.1.2"].test_date
        )
    );
    assert_eq!(shared.documents, gdpr.controls["6.10.1.2"].documents);
    assert_eq!(shared.action, None);
    assert_eq!(azure.created_by, "alice@example.com");
    assert_eq!(run_env(repo.path(), &["validate"], &[]).code, 0);

    run_env(
        repo.path(),
        &["group", "new", "Next Year", "--as", "alice@example.com"],
        &[],
    );
    let out = run_env(
        repo.path(),
        &[
            "assessment",
            "new",
            "--group",
            "next-year",
            "--service",
            "dynamics-365",
            "--certification",
            "nist-800-53-r5",
            "--copy-from",
            "default-group",
            "--as",
            "alice@example.com",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let copied: Assessment = read(
        repo.path(),
        "groups/next-year/dynamics-365--nist-800-53-r5.yaml",
    );
    // SC-13 directly, and through the gdpr 6.10.1.2 relation; CM-2 as it was.
    assert_eq!(
        copied.controls["SC-13"].test_result,
        Some(TestResult::Passed)
    );
    assert_eq!(
        copied.controls["CM-2"].test_result,
        Some(TestResult::FailedMediumRisk)
    );
}

fn record(status: u8, date: u8, implementation: u8) -> Option<ControlRecord> {
    if status == 0 && date == 0 && implementation == 0 {
        return None;
    }
    Some(ControlRecord {
        status: [None, Some(Status::Implemented), Some(Status::Planned)][status as usize % 3],
        test_date: (date > 0)
            .then(|| chrono::NaiveDate::from_ymd_opt(2019, 1, u32::from(date)).expect("date")),
        test_result: (date > 0).then_some(TestResult::Passed),
        implementation: (implementation > 0).then(|| format!("text {implementation}")),
        ..ControlRecord::default()
    })
}

fn assessment(cert: &str, service: &str, controls: &[(&str, Option<ControlRecord>)]) -> Assessment {
    Assessment {
        service: service.into(),
        certification: cert.into(),
        created: chrono::DateTime::from_timestamp(1_546_300_800, 0).expect("time"),
        created_by: "a@x".into(),
        archived: None,
        categories: Vec::new(),
        controls: controls
            .iter()
            .filter_map(|(id, r)| r.clone().map(|r| (id.to_string(), r)))
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// The plan (updates and conflicts) is the same whatever order the assessments come in.
    #[test]
    fn sync_does_not_depend_on_file_order(
        values in proptest::collection::vec((0u8..3, 0u8..4, 0u8..3), 6),
        changed in proptest::collection::vec(any::<bool>(), 3),
        rotation in 0usize..3,
        reverse in any::<bool>(),
    ) {
        let repo = TestRepo::base();
        let project = assure::ops::Project::work_tree(repo.path()).expect("open");
        let r = |i: usize| record(values[i].0, values[i].1, values[i].2);
        // Three assessments of one group: two GDPR (shared controls), one NIST (related).
        let current = [
            ("g/office-365--gdpr", assessment("gdpr", "office-365", &[("6.10.1.2", r(0)), ("6.2.1.1", r(1))])),
            ("g/azure--gdpr", assessment("gdpr", "azure", &[("6.10.1.2", r(2)), ("6.2.1.1", r(3))])),
            ("g/office-365--nist-800-53-r5", assessment("nist-800-53-r5", "office-365", &[("SC-13", r(4)), ("CM-2", r(5))])),
        ];
        let empty = [assessment("gdpr", "office-365", &[]), assessment("gdpr", "azure", &[]), assessment("nist-800-53-r5", "office-365", &[])];
        let mut order: Vec<usize> = (0..3).collect();
        order.rotate_left(rotation);
        if reverse { order.reverse(); }
        let fields = SyncField::all();
        let run = |order: &[usize]| {
            let items: Vec<Item> = order.iter().map(|&i| Item { group: "g", key: current[i].0, value: &current[i].1 }).collect();
            let base: Vec<Option<&Assessment>> = order.iter().map(|&i| Some(if changed[i] { &empty[i] } else { &current[i].1 })).collect();
            let p = plan(&items, &base, &project.catalog, &fields);
            let updates: BTreeMap<(String, String), String> = p.updates.iter().map(|u| ((u.assessment.clone(), u.control.clone()), format!("{:?}", u.values))).collect();
            let conflicts: Vec<String> = p.conflicts.iter().map(|c| { let mut m: Vec<String> = c.members.iter().map(|m| m.member.clone()).collect(); m.sort(); m.join(",") }).collect();
            (updates, conflicts)
        };
        prop_assert_eq!(run(&[0, 1, 2]), run(&order));
    }
}

#[test]
fn an_edit_that_would_break_validation_is_refused_and_nothing_is_written() {
    // No command produces such an edit; the check is a safety net, tested here through
    // the library: a test result left without its date.
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let project = assure::ops::Project::work_tree(repo.path()).expect("open");
    let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let mut s =
        assure::ops::edit::Session::new(&project, "alice@example.com", now).expect("session");
    let i = s
        .find("default-group/office-365--nist-800-53-r5")
        .expect("found");
    s.record(i, "CM-2").expect("record").test_date = None;
    match s.finish(false) {
        Err(assure::ops::edit::EditError::WouldBreak(findings)) => {
            assert!(
                findings.contains("[test-result-without-date]"),
                "{findings}"
            );
            assert!(
                findings.contains("groups/default-group/office-365--nist-800-53-r5.yaml:"),
                "{findings}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(snapshot(repo.path()), before);
}
