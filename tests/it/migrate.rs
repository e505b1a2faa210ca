//! `assure assessment migrate A --to CERT` and the cross-certification suggestions of
//! `assessment new --copy-from` (issue 19, items 6 and 7), on `tests/fixtures/migrate`: a
//! repository whose own `catalog/` adds `iso-27001-2022-mini` (templates for Office 365
//! and Azure, A.7.1 provider-managed) and a crosswalk from the built-in ISO/IEC
//! 27001:2013 to it with 1→1 (A.6.1.1 → A.5.2), n→1 (A.5.1.1, A.5.1.2 → A.5.1, statuses
//! agreeing; A.8.1.1, A.8.1.2 → A.5.9, statuses and people disagreeing), 1→n (A.6.1.2 →
//! A.5.3, A.5.4), a provider-managed source (A.7.1.1 → A.6.1), a not-started source
//! (A.9.1.1 → A.8.1) and a control without source (A.5.7). Group `g` holds the 2013
//! assessment of Office 365.

use std::path::Path;

use assure::model::{Assessment, Priority, Status};

use crate::support::{GitRepo, Output, TestRepo, fixtures, run_env, snapshot, unix};

const OLD: &str = "g/office-365--iso-27001-2013";
const OLD_FILE: &str = "groups/g/office-365--iso-27001-2013.yaml";
const NEW_FILE: &str = "groups/g/office-365--iso-27001-2022-mini.yaml";
const TO: &str = "iso-27001-2022-mini";

fn repo() -> TestRepo {
    TestRepo::copy_of(&fixtures().join("migrate"))
}

fn migrate(dir: &Path, who: &str, extra: &[&str]) -> Output {
    let mut args = vec!["assessment", "migrate", OLD, "--to", TO, "--as", who];
    args.extend_from_slice(extra);
    run_env(dir, &args, &[])
}

/// `assessment migrate FROM --to TO` by the administrator.
fn migrate_pair(dir: &Path, from: &str, to: &str) -> Output {
    let args = [
        "assessment",
        "migrate",
        from,
        "--to",
        to,
        "--as",
        "alice@example.com",
    ];
    run_env(dir, &args, &[])
}

fn read(dir: &Path, path: &str) -> Assessment {
    let text = std::fs::read_to_string(dir.join(path)).expect("read");
    serde_json::from_value(assure::repo::yaml::parse_to_json(&text).expect("yaml")).expect("model")
}

const NOTE_5_1: &str =
    "Carried from ISO/IEC 27001:2013 A.5.1.1, A.5.1.2 (groups/g/office-365--iso-27001-2013.yaml).";

#[test]
fn migrate_carries_texts_documents_and_assignments_but_no_test() {
    let repo = repo();
    let old_bytes = std::fs::read(repo.path().join(OLD_FILE)).expect("old");
    let out = migrate(repo.path(), "alice@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let new = read(repo.path(), NEW_FILE);
    assert_eq!(
        (new.service.as_str(), new.certification.as_str()),
        ("office-365", TO)
    );
    assert_eq!(new.created_by, "alice@example.com");

    // 1→1: text with the note, documents, assignee, status.
    let c = &new.controls["A.5.2"];
    assert_eq!(
        c.implementation.as_deref(),
        Some(
            "Roles are written down in the RACI.\n\nCarried from ISO/IEC 27001:2013 A.6.1.1 (groups/g/office-365--iso-27001-2013.yaml)."
        )
    );
    assert_eq!(c.status, Some(Status::Implemented));
    assert_eq!(c.assigned_to.as_deref(), Some("dave@example.com"));
    let docs: Vec<&str> = c.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(docs, ["evidence/raci.txt"]);
    // A test result, its date and the management response stay behind.
    assert_eq!(
        (c.test_result, c.test_date, c.management_response.as_deref()),
        (None, None, None)
    );

    // n→1, sources agreeing: both texts marked with their ids, documents once each, one
    // assignee with the highest priority and both notes, their shared status.
    let c = &new.controls["A.5.1"];
    assert_eq!(
        c.implementation.as_deref(),
        Some(
            format!(
                "A.5.1.1: The policy set is approved by management.\n\nA.5.1.2: Policies are reviewed every year.\n\n{NOTE_5_1}"
            )
            .as_str()
        )
    );
    let docs: Vec<&str> = c.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(docs, ["evidence/policy.txt", "evidence/review.txt"]);
    assert_eq!(c.assigned_to.as_deref(), Some("bob@example.com"));
    let action = c.action.as_ref().expect("action");
    assert_eq!(action.priority, Some(Priority::High));
    assert_eq!(
        action.notes.as_deref(),
        Some("A.5.1.1: Yearly review.\nA.5.1.2: Attach the minutes.")
    );
    assert_eq!(c.status, Some(Status::Implemented));
    assert_eq!((c.test_plan.as_deref(), c.test_result), (None, None));

    // n→1, sources disagreeing: planned, the identical text once, nobody assigned.
    let c = &new.controls["A.5.9"];
    assert_eq!(c.status, Some(Status::Planned));
    assert_eq!(
        c.implementation.as_deref(),
        Some(
            "Assets are listed in the CMDB.\n\nCarried from ISO/IEC 27001:2013 A.8.1.1, A.8.1.2 (groups/g/office-365--iso-27001-2013.yaml)."
        )
    );
    assert_eq!((c.assigned_to.as_deref(), c.action.as_ref()), (None, None));
    assert!(
        out.stdout.contains("left unassigned (1):\n  A.5.9: the source controls are assigned to different people (A.8.1.1 bob@example.com, A.8.1.2 dave@example.com)"),
        "{}",
        out.stdout
    );

    // 1→n: the same work in each.
    assert_eq!(new.controls["A.5.3"], new.controls["A.5.4"]);
    assert_eq!(new.controls["A.5.3"].status, Some(Status::Planned));

    // Nothing for the provider-managed A.7.1, the new A.5.7, A.6.1 (its source is the
    // provider's) and A.8.1 (its source not started); no test anywhere.
    let ids: Vec<&str> = new.controls.keys().map(String::as_str).collect();
    assert_eq!(ids, ["A.5.1", "A.5.2", "A.5.3", "A.5.4", "A.5.9", "A.8.24"]);
    let text = repo.read(NEW_FILE);
    assert!(
        !text.contains("test_") && !text.contains("management_response"),
        "{text}"
    );

    // The report: what carried, from where, and what has no source.
    for line in [
        "g/office-365--iso-27001-2022-mini (ISO/IEC 27001:2022 mini) from g/office-365--iso-27001-2013 (ISO/IEC 27001:2013)",
        "  A.5.1 <- A.5.1.1, A.5.1.2  (status, implementation, documents, assigned_to; status: Implemented)",
        "  A.5.9 <- A.8.1.1, A.8.1.2  (status, implementation; status: Planned)",
        "nothing to carry, the linked controls are not started (1):\n  A.8.1 <- A.9.1.1",
        "no source in ISO/IEC 27001:2013 (2):\n  A.5.7, A.6.1\n",
        "not carried: test results, test dates, test plans and management responses",
        "created  groups/g/office-365--iso-27001-2022-mini.yaml",
        "g/office-365--iso-27001-2013 is unchanged; archive it when g/office-365--iso-27001-2022-mini takes over: assure assessment archive g/office-365--iso-27001-2013",
    ] {
        assert!(out.stdout.contains(line), "{line}\n---\n{}", out.stdout);
    }

    // The old assessment is untouched; the repository validates and is in sync.
    assert_eq!(
        std::fs::read(repo.path().join(OLD_FILE)).expect("old"),
        old_bytes
    );
    let v = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    let sync = run_env(repo.path(), &["sync", "--check"], &[]);
    assert_eq!(sync.code, 0, "{}{}", sync.stdout, sync.stderr);
}

#[test]
fn migrate_dry_run_prints_the_same_and_writes_nothing() {
    let repo = repo();
    let before = snapshot(repo.path());
    let out = migrate(repo.path(), "alice@example.com", &["--dry-run"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("  A.5.1 <- A.5.1.1, A.5.1.2  (")
            && out
                .stdout
                .contains("+++ b/groups/g/office-365--iso-27001-2022-mini.yaml")
            && out.stdout.contains(&format!("+      {NOTE_5_1}"))
            && out.stdout.contains("(dry run: nothing written)"),
        "{}",
        out.stdout
    );
    // Every byte as it was, and no lock file left (outside git it sits at the root).
    assert_eq!(snapshot(repo.path()), before);

    let json = migrate(
        repo.path(),
        "alice@example.com",
        &["--dry-run", "--format", "json"],
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_eq!(snapshot(repo.path()), before);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v["assessment"], "g/office-365--iso-27001-2022-mini");
    assert_eq!(v["from"], OLD);
    assert_eq!(
        (v["dry_run"].clone(), v["written"].clone()),
        (true.into(), false.into())
    );
    assert_eq!(v["without_source"], serde_json::json!(["A.5.7", "A.6.1"]));
    assert_eq!(
        v["carried"][0],
        serde_json::json!({"control": "A.5.1", "sources": ["A.5.1.1", "A.5.1.2"],
            "fields": ["status", "implementation", "documents", "assigned_to"], "status": "implemented"})
    );
    assert_eq!(
        v["files"],
        serde_json::json!([{"path": NEW_FILE, "change": "created"}])
    );
}

#[test]
fn unknown_names_cannot_run_and_say_what_is_there() {
    let repo = repo();
    let before = snapshot(repo.path());
    let out = migrate_pair(repo.path(), OLD, "iso-27001-2022-mnii");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("unknown certification `iso-27001-2022-mnii`")
            && out.stderr.contains("did you mean `iso-27001-2022-mini`"),
        "{}",
        out.stderr
    );
    let out = migrate_pair(repo.path(), "g/office-365--iso-27001-2031", TO);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("no assessment `g/office-365--iso-27001-2031`")
            && out
                .stderr
                .contains("did you mean `g/office-365--iso-27001-2013`"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn a_pair_without_template_migrates_the_same_certification_and_a_second_migration_are_refused() {
    let repo = repo();
    repo.write(
        "groups/g/dynamics-365--iso-27001-2013.yaml",
        "service: dynamics-365\ncertification: iso-27001-2013\ncreated: 2024-01-10T09:00:00Z\ncreated_by: alice@example.com\ncontrols:\n  A.5.1.1:\n    status: planned\n",
    );
    let before = snapshot(repo.path());
    // A pair without a template file has the implicit one (issue 20): every control
    // customer-managed, so the migration goes through (here as a dry run).
    let out = run_env(
        repo.path(),
        &[
            "assessment",
            "migrate",
            "g/dynamics-365--iso-27001-2013",
            "--to",
            TO,
            "--as",
            "alice@example.com",
            "--dry-run",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("(dry run: nothing written)"),
        "{}",
        out.stdout
    );
    let out = migrate_pair(repo.path(), OLD, "iso-27001-2013");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("is already an assessment of iso-27001-2013"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);

    assert_eq!(migrate(repo.path(), "alice@example.com", &[]).code, 0);
    let after = snapshot(repo.path());
    let out = migrate(repo.path(), "alice@example.com", &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("group `g` already has an assessment of office-365 and iso-27001-2022-mini"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), after);
}

#[test]
fn the_groups_work_wins_over_carried_work_and_both_stay_in_sync() {
    let repo = repo();
    // The group already holds the 2022 assessment of Azure, with A.8.24 (shared with the
    // new Office 365 one) implemented and tested.
    repo.write(
        "groups/g/azure--iso-27001-2022-mini.yaml",
        "service: azure\ncertification: iso-27001-2022-mini\ncreated: 2025-01-10T09:00:00Z\ncreated_by: alice@example.com\ncontrols:\n  A.8.24:\n    status: implemented\n    implementation: Keys are held in Azure Key Vault.\n    test_date: 2025-05-01\n    test_result: passed\n",
    );
    let out = migrate(repo.path(), "alice@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let new = read(repo.path(), NEW_FILE);
    let azure = read(repo.path(), "groups/g/azure--iso-27001-2022-mini.yaml");
    assert_eq!(new.controls["A.8.24"], azure.controls["A.8.24"]);
    assert!(
        out.stdout.contains(
            "  A.8.24 <- g/azure--iso-27001-2022-mini A.8.24 (not carried from A.10.1.1)"
        ),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("  A.8.24 <- A.10.1.1"),
        "{}",
        out.stdout
    );
    // Carried work on a control the group shares is synced to it, as any edit is (the
    // sync fields; an action item is the assessment's own).
    let (n, a) = (&new.controls["A.5.1"], &azure.controls["A.5.1"]);
    assert_eq!(
        (&n.status, &n.implementation, &n.assigned_to, &n.documents),
        (&a.status, &a.implementation, &a.assigned_to, &a.documents)
    );
    assert!(
        out.stdout.contains("synced   g/azure--iso-27001-2022-mini A.5.1 from g/office-365--iso-27001-2022-mini A.5.1"),
        "{}",
        out.stdout
    );
    assert_eq!(run_env(repo.path(), &["validate"], &[]).code, 0);
    assert_eq!(run_env(repo.path(), &["sync", "--check"], &[]).code, 0);
}

#[test]
fn an_archived_assessment_can_be_migrated_and_stays_as_it_was() {
    let repo = repo();
    let text = repo.read(OLD_FILE).replace(
        "created_by: alice@example.com\n",
        "created_by: alice@example.com\narchived: 2025-12-01T00:00:00Z\n",
    );
    repo.write(OLD_FILE, &text);
    let out = migrate(repo.path(), "alice@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(repo.read(OLD_FILE), text);
    assert!(
        out.stdout
            .contains("g/office-365--iso-27001-2013 is unchanged (it is archived, and stays so)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        read(repo.path(), NEW_FILE).controls["A.5.2"]
            .assigned_to
            .as_deref(),
        Some("dave@example.com")
    );
    assert_eq!(run_env(repo.path(), &["validate"], &[]).code, 0);
}

#[test]
fn migrating_needs_the_role_of_assessment_new_here_and_at_the_gate() {
    let repo = repo();
    let git = GitRepo::init(repo.path());
    let start = git.commit_all("alice@example.com", "Start", unix("2025-12-01T10:00:00Z"));

    // A contributor may not create the assessment.
    let before = snapshot(repo.path());
    let out = migrate(repo.path(), "dave@example.com", &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("may not make this change"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);

    // An administrator may; the gate accepts the commit the command made...
    let out = migrate(repo.path(), "alice@example.com", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let base = start.to_string();
    git.commit_all("alice@example.com", "Migrate", unix("2025-12-02T10:00:00Z"));
    let gate = run_env(repo.path(), &["validate", "--base", &base], &[]);
    assert_eq!(gate.code, 0, "{}{}", gate.stdout, gate.stderr);

    // ...and refuses the same change committed by the contributor.
    let text = repo.read(NEW_FILE);
    git.reset_hard(start);
    repo.write(NEW_FILE, &text);
    git.commit_all("dave@example.com", "Migrate", unix("2025-12-02T10:00:00Z"));
    let gate = run_env(repo.path(), &["validate", "--base", &base], &[]);
    assert_eq!(gate.code, 1, "{}{}", gate.stdout, gate.stderr);
    assert!(
        gate.stdout.contains("dave@example.com") && gate.stdout.contains(NEW_FILE),
        "{}",
        gate.stdout
    );
}

#[test]
fn copy_from_suggests_related_controls_of_other_certifications_and_writes_none() {
    let repo = repo();
    let out = run_env(
        repo.path(),
        &["group", "new", "Next", "--as", "alice@example.com"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run_env(
        repo.path(),
        &[
            "assessment",
            "new",
            "--group",
            "next",
            "--service",
            "office-365",
            "--certification",
            TO,
            "--copy-from",
            "g",
            "--as",
            "alice@example.com",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for line in [
        "not copied: controls of other certifications in g the crosswalks relate to empty controls of next/office-365--iso-27001-2022-mini",
        "  A.5.1 ~ g/office-365--iso-27001-2013 A.5.1.1, g/office-365--iso-27001-2013 A.5.1.2\n",
        "  A.5.9 ~ g/office-365--iso-27001-2013 A.8.1.1, g/office-365--iso-27001-2013 A.8.1.2\n",
        "assure assessment migrate ASSESSMENT --to iso-27001-2022-mini",
    ] {
        assert!(out.stdout.contains(line), "{line}\n---\n{}", out.stdout);
    }
    // A.8.1's source is not started, A.5.7 has none: not suggested.
    assert!(!out.stdout.contains("  A.8.1 ~") && !out.stdout.contains("  A.5.7 ~"));
    // Suggested, not written.
    let new = read(
        repo.path(),
        "groups/next/office-365--iso-27001-2022-mini.yaml",
    );
    assert!(new.controls.is_empty(), "{:?}", new.controls);
}
