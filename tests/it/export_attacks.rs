//! `assure export oscal` attacked the way a hostile or careless user would: data that
//! `assure validate` accepts but OSCAL's plain strings do not (spaces at an end, a line
//! break in a name, a control id with spaces), a merge that brings another person's test,
//! and an evidence path that leaves the repository.

use std::path::Path;

use serde_json::Value;

use crate::support::oscal::{assert_valid, demo};
use crate::support::{GitRepo, copy_tree, run_env, unix};

const ODD: &str = "default-group/mail--odd";
const NS: &str = "https://github.com/assure-compliance/assure/ns/oscal";

/// A copy of the demo repository (its history too) with a service, a certification, a
/// template and an assessment of the repository's own, all of whose names and ids
/// `assure validate` accepts but that have spaces at an end or a line break, committed
/// by Bob.
fn odd_repo() -> (tempfile::TempDir, GitRepo) {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_tree(demo(), tmp.path());
    let dir = tmp.path();
    let config = std::fs::read_to_string(dir.join("assure.yaml")).expect("config");
    let config = config
        .replace("organization: Contoso", "organization: \" Contoso \"")
        .replace("name: Bob Okafor", "name: \" Bob Okafor \"");
    write(dir, "assure.yaml", &config);
    write(
        dir,
        "catalog/services.yaml",
        "services:\n  - id: mail\n    name: Mail\n    description: The mail service.\n",
    );
    write(
        dir,
        "catalog/certifications/odd.yaml",
        "id: odd\nname: Odd\nversion: \"1\"\nfamilies:\n  - name: Fam\n    controls:\n      - { id: \" X 1 \", title: Spaced, score: 1 }\n      - { id: Y-2, title: Plain, score: 2 }\n      - { id: Z-3, title: Provided, score: 3 }\n",
    );
    write(
        dir,
        "catalog/templates/mail--odd.yaml",
        "service: mail\ncertification: odd\nin_scope_services: [Exchange]\nprovider_controls:\n  Z-3:\n    status: implemented\n    test_date: 2025-01-02\n    test_result: failed-high-risk\n    tested_by: \"Acme\\nauditors \"\n    description: The provider does it.\n",
    );
    write(
        dir,
        &format!("groups/{ODD}.yaml"),
        &assessment("passed", ""),
    );
    let git = GitRepo::init(dir);
    git.commit_all("bob@contoso.com", "Test mail", unix("2026-02-01T00:00:00Z"));
    let out = run_env(dir, &["validate"], &[]);
    assert_eq!(out.code, 0, "the odd data is valid: {}", out.stdout);
    (tmp, git)
}

/// The assessment `ODD` with Y-2's result `y` and `extra` lines at the end of " X 1 ".
fn assessment(y: &str, extra: &str) -> String {
    format!(
        "service: mail\ncertification: odd\ncreated: 2025-06-15T00:00:00Z\ncreated_by: alice@contoso.com\ncontrols:\n  \"Y-2\":\n    status: implemented\n    test_result: {y}\n    test_date: 2025-06-20\n  \" X 1 \":\n    status: planned\n    test_result: failed-low-risk\n    test_date: 2025-06-20\n    assigned_to: bob@contoso.com\n    action: {{ priority: high, notes: Fix it. }}\n{extra}"
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn export(dir: &Path, args: &[&str]) -> Value {
    crate::support::oscal::export(dir, args)
}

/// The names of the parties of `doc`'s metadata.
fn party_names(doc: &Value) -> Vec<String> {
    let model = doc
        .as_object()
        .expect("object")
        .values()
        .next()
        .expect("model");
    model["metadata"]["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The name of the actor of the observation of `control` (its `control` prop's value).
fn tester_of(doc: &Value, control: &str) -> String {
    let ar = &doc["assessment-results"];
    let o = ar["results"][0]["observations"]
        .as_array()
        .expect("observations")
        .iter()
        .find(|o| o["props"][0]["value"] == control)
        .unwrap_or_else(|| panic!("an observation of {control}"));
    let actor = &o["origins"][0]["actors"][0]["actor-uuid"];
    let party = ar["metadata"]["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| &p["uuid"] == actor)
        .expect("the actor is a party");
    party["name"].as_str().expect("name").to_owned()
}

#[test]
fn names_and_ids_with_spaces_at_an_end_or_line_breaks_still_pass_the_schema() {
    let (tmp, _git) = odd_repo();
    let dir = tmp.path();
    for model in ["assessment-results", "poam", "ssp"] {
        let doc = export(dir, &[ODD, "--model", model]);
        assert_valid(&doc, model);
        let names = party_names(&doc);
        assert!(names.contains(&"Contoso".to_owned()), "{model}: {names:?}");
        if model != "ssp" {
            assert!(names.contains(&"Bob Okafor".to_owned()), "{names:?}");
            assert!(names.contains(&"Acme auditors".to_owned()), "{names:?}");
        }
    }
    assert_valid(&export(dir, &["--catalog", "odd"]), "the catalog");
    // The exact id survives as a JSON string literal, as in the exported catalog.
    let doc = export(dir, &[ODD]);
    let finding = doc["assessment-results"]["results"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["props"][0]["class"] == "json-string")
        .expect("the finding of \" X 1 \"");
    assert_eq!(finding["props"][0]["ns"], NS);
    let id: String = serde_json::from_str(finding["props"][0]["value"].as_str().expect("a value"))
        .expect("a JSON string literal");
    assert_eq!(id, " X 1 ");
    // Titles and texts read on one line too: no raw padding or line break from the data.
    fn titles(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("title" | "name", Value::String(s)) => out.push(s.clone()),
                        _ => titles(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| titles(v, out)),
            _ => {}
        }
    }
    for model in ["assessment-results", "poam"] {
        let mut all = Vec::new();
        titles(&export(dir, &[ODD, "--model", model]), &mut all);
        for t in &all {
            assert!(
                t.trim() == t && !t.contains('\n') && !t.contains("  "),
                "{model}: the title {t:?} is not on one line"
            );
        }
    }
}

#[test]
fn a_merge_is_not_the_tester_of_the_tests_it_brings() {
    let (tmp, git) = odd_repo();
    let dir = tmp.path();
    let base = git.repo.head().expect("HEAD").target().expect("a commit");
    // Dave re-tests Y-2 on a branch; Alice commits elsewhere and merges his branch, and in
    // the merge sets a new date on " X 1 " that neither side had.
    write(
        dir,
        &format!("groups/{ODD}.yaml"),
        &assessment("failed-low-risk", ""),
    );
    let side = git.commit_all(
        "dave@contoso.com",
        "Re-test Y-2",
        unix("2026-02-02T00:00:00Z"),
    );
    git.reset_hard(base);
    write(dir, "README.md", "Compliance.\n");
    let main = git.commit_all("alice@contoso.com", "Readme", unix("2026-02-03T00:00:00Z"));
    let merged = assessment("failed-low-risk", "").replace(
        "test_result: failed-low-risk\n    test_date: 2025-06-20\n    assigned_to",
        "test_result: failed-low-risk\n    test_date: 2025-07-04\n    assigned_to",
    );
    write(dir, &format!("groups/{ODD}.yaml"), &merged);
    git.commit_with_parents(
        "alice@contoso.com",
        "Merge the re-test",
        unix("2026-02-04T00:00:00Z"),
        &[main, side],
    );
    let doc = export(dir, &[ODD]);
    assert_eq!(
        tester_of(&doc, "Y-2"),
        "Dave Kowalski",
        "Dave made the test"
    );
    let spaced = serde_json::to_string(" X 1 ").expect("literal");
    assert_eq!(
        tester_of(&doc, &spaced),
        "Alice Ng",
        "the merge made this one"
    );
}

#[test]
fn an_evidence_path_that_leaves_the_repository_is_refused() {
    let (tmp, git) = odd_repo();
    let dir = tmp.path();
    let docs = "    documents:\n      - path: evidence/../../../etc/passwd\n        sha256: d102bc0c47cec3c72073e2f0a0d6036bd3993792a7ce4d96ba568b7ad1b12569\n";
    write(
        dir,
        &format!("groups/{ODD}.yaml"),
        &assessment("passed", docs),
    );
    git.commit_all("bob@contoso.com", "Evidence", unix("2026-02-05T00:00:00Z"));
    let out_dir = tempfile::tempdir().expect("temp dir");
    let target = out_dir.path().join("ar.json");
    for model in ["assessment-results", "poam", "ssp"] {
        let target = target.to_str().expect("utf-8");
        let out = run_env(
            dir,
            &["export", "oscal", ODD, "--model", model, "-o", target],
            &[],
        );
        assert_eq!(out.code, 2, "{model}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("evidence/../../../etc/passwd")
                && out.stderr.contains(&format!("groups/{ODD}.yaml")),
            "{}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
    }
    assert!(!target.exists(), "nothing is written");
}
