//! Snapshots of what people read: `validate` (human and json), `status`, `controls` and
//! `actions`, on the fixture repositories. Paths in output are repository-relative, so
//! only file modification dates need masking.

use crate::support::{TestRepo, fixtures};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.add_filter(r"modified \d{4}-\d{2}-\d{2}", "modified [mtime]");
    s
}

#[test]
fn validate_human() {
    let repo = TestRepo::with_overlay(&fixtures().join("invalid/sync-out-of-sync"));
    let nist = repo.read("groups/default-group/office-365--nist-800-53-r5.yaml");
    repo.write(
        "groups/default-group/office-365--nist-800-53-r5.yaml",
        nist.replace(
            "    assigned_to: dave@example.com\n",
            "    assigned_to: dave@exmaple.com\n",
        ),
    );
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 1);
    settings().bind(|| insta::assert_snapshot!("validate_human", out.stdout));
}

#[test]
fn validate_json() {
    let repo = TestRepo::with_overlay(&fixtures().join("invalid/yaml-duplicate-key"));
    let out = repo.run(&["validate", "--format", "json"]);
    assert_eq!(out.code, 1);
    settings().bind(|| insta::assert_snapshot!("validate_json", out.stdout));
}

#[test]
fn validate_clean_human() {
    let out = TestRepo::base().run(&["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
}

#[test]
fn status() {
    let repo = TestRepo::base();
    repo.write("groups/old/group.yaml", "name: Old Work\n");
    repo.write(
        "groups/old/azure--gdpr.yaml",
        "service: azure\ncertification: gdpr\ncreated: 2018-03-01T08:00:00Z\ncreated_by: alice@example.com\narchived: 2019-01-01T00:00:00Z\n",
    );
    let out = repo.run(&["status"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    settings().bind(|| insta::assert_snapshot!("status", out.stdout));
    let out = repo.run(&["status", "--archived"]);
    settings().bind(|| insta::assert_snapshot!("status_archived", out.stdout));
}

#[test]
fn controls_filtered() {
    let repo = TestRepo::base();
    let out = repo.run(&[
        "controls",
        "default-group/office-365--gdpr",
        "--status",
        "implemented",
        "--status",
        "planned",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    settings().bind(|| insta::assert_snapshot!("controls_filtered", out.stdout));
    let out = repo.run(&[
        "controls",
        "default-group/office-365--gdpr",
        "--status",
        "implemented",
        "--assigned",
        "dave@example.com",
    ]);
    assert_eq!(out.code, 0);
    settings().bind(|| insta::assert_snapshot!("controls_no_match", out.stdout));
    let out = repo.run(&[
        "controls",
        "default-group/office-365--gdpr",
        "--article",
        "Article (32)",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(v["matches"].as_array().expect("matches").iter().all(|m| {
        m["articles"]
            .as_array()
            .expect("a")
            .iter()
            .any(|a| a.as_str().expect("s").contains("Article (32)"))
    }));
}

#[test]
fn controls_unknown_assessment_suggests() {
    let out = TestRepo::base().run(&["controls", "default-group/office-365--gpdr"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("did you mean `default-group/office-365--gdpr`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn actions() {
    let repo = TestRepo::base();
    let out = repo.run(&["actions", "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    settings().bind(|| insta::assert_snapshot!("actions", out.stdout));
    let out = repo.run(&[
        "actions",
        "--person",
        "dave@example.com",
        "--certification",
        "gdpr",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v.as_array().expect("list").len(), 1);
    assert_eq!(v[0]["control"], "6.2.1.1");
}

/// `actions` without --person is the acting person's list (--as, else git's
/// user.email), as the portal's "my items"; an unknown person or certification is an
/// error naming the closest known ones, never an empty list.
#[test]
fn actions_are_mine_by_default_and_unknown_names_are_errors() {
    let repo = TestRepo::base();
    let mine = repo.run(&["actions", "--as", "DAVE@example.com"]);
    assert_eq!(mine.code, 0, "{}", mine.stderr);
    assert!(
        mine.stdout.contains("Dave Contributor <dave@example.com>"),
        "{}",
        mine.stdout
    );
    assert!(!mine.stdout.contains("bob@example.com"), "{}", mine.stdout);
    // The portal's tabs: every certification of the person's items, with counts.
    assert!(
        mine.stdout
            .contains("tabs (--certification): all (2) | gdpr (1) | nist-800-53-r5 (1)"),
        "{}",
        mine.stdout
    );
    let by_person = repo.run(&["actions", "--person", "dave@example.com"]);
    assert_eq!(by_person.stdout, mine.stdout, "--person is the same list");

    for (args, named, hint) in [
        (
            &["actions", "--person", "nobody@example.test"][..],
            "`nobody@example.test` is not a person of assure.yaml",
            "known: ",
        ),
        (
            &["actions", "--person", "dave@exmaple.com"][..],
            "`dave@exmaple.com` is not a person",
            "did you mean `dave@example.com`?",
        ),
        (
            &["actions", "--all", "--certification", "gpdr"][..],
            "no certification `gpdr`",
            "did you mean `gdpr`?",
        ),
        (
            &["actions", "--as", "stranger@example.test"][..],
            "you are `stranger@example.test` by --as",
            "--all",
        ),
    ] {
        let out = repo.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains(named) && out.stderr.contains(hint),
            "{args:?}: {}",
            out.stderr
        );
    }
}

/// Within a person's certification, the most urgent first: priority high, medium, low,
/// then none; equal priorities by control id in natural order (AC-2 before AC-10).
#[test]
fn actions_are_sorted_by_priority_then_control() {
    let repo = TestRepo::base();
    let path = "groups/default-group/office-365--nist-800-53-r5.yaml";
    let mut text = repo.read(path);
    for (id, priority) in [
        ("AC-10", None),
        ("AC-2", Some("low")),
        ("AC-3", Some("high")),
        ("AU-2", None),
    ] {
        let action = priority.map_or(String::new(), |p| {
            format!("    action:\n      priority: {p}\n")
        });
        text.push_str(&format!(
            "  {id}:\n    assigned_to: dave@example.com\n{action}"
        ));
    }
    repo.write(path, text);
    let out = repo.run(&[
        "actions",
        "--person",
        "dave@example.com",
        "--certification",
        "nist-800-53-r5",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let order: Vec<&str> = v
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["control"].as_str().expect("control"))
        .collect();
    assert_eq!(order, ["AC-3", "AC-2", "CM-2", "AC-10", "AU-2"]);
}
