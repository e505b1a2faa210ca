//! `assure export oscal`: what every export shares — it states a commit, so it needs the
//! repository's whole history; it writes only the file asked for, never into the data;
//! and the schema it is checked against is NIST's own.

use sha2::Digest;

use crate::support::oscal::complete_schema_path;
use crate::support::{GitRepo, TestRepo, git_cli, snapshot, unix};

#[test]
fn the_vendored_schema_is_nists_oscal_1_1_3() {
    let bytes = std::fs::read(complete_schema_path()).expect("vendored");
    // The SHA-256 listed for oscal_complete_schema.json v1.1.3 in ../shared/reference/README.md.
    assert!(
        hex::encode(sha2::Sha256::digest(&bytes)).starts_with("7e8fb0820e72254e"),
        "tests/fixtures/oscal-schemas/v1.1.3/oscal_complete_schema.json is not NIST's file"
    );
    let schema: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(
        schema["$id"],
        "http://csrc.nist.gov/ns/oscal/1.0/1.1.3/oscal-complete-schema.json"
    );
}

#[test]
fn an_export_outside_git_or_before_the_first_commit_is_refused() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    for args in [
        &["export", "oscal", "--catalog", "gdpr"][..],
        &["export", "oscal", "g/s--c"][..],
    ] {
        let out = repo.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("is not in a git repository") && out.stderr.contains("git commit"),
            "{}",
            out.stderr
        );
    }
    GitRepo::init(repo.path());
    let out = repo.run(&["export", "oscal", "--catalog", "gdpr"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no commits yet"), "{}", out.stderr);
    // Nothing was written (the snapshot leaves out .git, which git init made).
    assert_eq!(snapshot(repo.path()), before);
    assert!(!repo.path().join(".git/oscal.json").exists());
}

#[test]
fn an_export_from_a_shallow_clone_is_refused_with_how_to_fetch_the_history() {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "first", unix("2024-01-01T10:00:00Z"));
    repo.write("notes.txt", "x");
    git.commit_all("alice@example.com", "second", unix("2024-01-02T10:00:00Z"));
    let parent = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", repo.path().display());
    let out = git_cli(parent.path(), &["clone", "--depth", "1", &url, "shallow"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let clone = parent.path().join("shallow");
    let out = crate::support::assure(
        &[
            "-C",
            clone.to_str().expect("utf-8 path"),
            "export",
            "oscal",
            "--catalog",
            "gdpr",
        ],
        &clone,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("shallow clone") && out.stderr.contains("fetch-depth: 0"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_export_is_never_written_into_the_repository_data_or_git() {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "first", unix("2024-01-01T10:00:00Z"));
    let before = snapshot(repo.path());
    for target in [
        "assure.yaml",
        "groups/oscal.json",
        "catalog/oscal.json",
        ".git/oscal.json",
    ] {
        let out = repo.run(&["export", "oscal", "--catalog", "gdpr", "-o", target]);
        assert_eq!(out.code, 2, "-o {target}: {}", out.stderr);
        assert!(
            out.stderr
                .contains(target.split('/').next().expect("a name")),
            "{}",
            out.stderr
        );
    }
    assert_eq!(snapshot(repo.path()), before);
    assert!(!repo.path().join(".git/oscal.json").exists());
}

#[test]
fn the_schema_check_accepts_nists_example_and_rejects_a_broken_copy() {
    let text = std::fs::read_to_string(crate::support::fixtures().join("oscal/basic-catalog.json"))
        .expect("NIST's example catalog");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    crate::support::oscal::assert_valid(&doc, "NIST's basic-catalog.json");
    // Each of these breaks a rule of the schema: a missing required field, a uuid that is
    // not one, a date-time without a time zone, an id that is not a token.
    let mut broken = doc.clone();
    broken["catalog"]["metadata"]
        .as_object_mut()
        .expect("an object")
        .remove("title");
    assert!(!crate::support::oscal::schema_errors(&broken).is_empty());
    let mut broken = doc.clone();
    broken["catalog"]["uuid"] = "not-a-uuid".into();
    assert!(!crate::support::oscal::schema_errors(&broken).is_empty());
    let mut broken = doc.clone();
    broken["catalog"]["metadata"]["last-modified"] = "2024-01-01T10:00:00".into();
    assert!(!crate::support::oscal::schema_errors(&broken).is_empty());
    doc["catalog"]["groups"][0]["id"] = "has space".into();
    assert!(!crate::support::oscal::schema_errors(&doc).is_empty());
}

/// The actor of the observation of `control` in an assessment-results export.
fn tester_of(doc: &serde_json::Value, control: &str) -> String {
    let observations = doc["assessment-results"]["results"][0]["observations"]
        .as_array()
        .expect("observations");
    let o = observations
        .iter()
        .find(|o| {
            o["props"].as_array().is_some_and(|p| {
                p.iter()
                    .any(|p| p["name"] == "control" && p["value"] == control)
            })
        })
        .unwrap_or_else(|| panic!("no observation of {control}"));
    o["origins"][0]["actors"][0]["actor-uuid"]
        .as_str()
        .expect("an actor")
        .to_owned()
}

#[test]
fn the_tester_is_who_committed_the_test_and_nobody_for_an_uncommitted_one() {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let first = git.commit_all("alice@example.com", "first", unix("2024-01-01T10:00:00Z"));
    // Bob re-tests CM-2: the same result, a new date.
    let path = "groups/default-group/office-365--nist-800-53-r5.yaml";
    repo.write(
        path,
        repo.read(path)
            .replace("test_date: 2019-05-10", "test_date: 2019-06-01"),
    );
    git.commit_all(
        "bob@example.com",
        "retest CM-2",
        unix("2024-01-02T10:00:00Z"),
    );
    let key = "default-group/office-365--nist-800-53-r5";
    let ids = assure::oscal::export::Ids::new(&first.to_string());
    let person = |email: &str| assure::oscal::export::person_uuid(&ids, email);
    let doc = crate::support::oscal::export(repo.path(), &[key]);
    // SC-13's result came with the file, in Alice's first commit; CM-2's is Bob's.
    assert_eq!(tester_of(&doc, "SC-13"), person("alice@example.com"));
    assert_eq!(tester_of(&doc, "CM-2"), person("bob@example.com"));
    // A result no commit holds yet has no tester: the organization stands for it.
    repo.write(
        path,
        repo.read(path)
            .replacen("test_result: passed", "test_result: failed-low-risk", 1),
    );
    let doc = crate::support::oscal::export(repo.path(), &[key]);
    let organization = doc["assessment-results"]["metadata"]["parties"][0]["uuid"].clone();
    assert_eq!(
        tester_of(&doc, "SC-13"),
        organization.as_str().expect("uuid")
    );
    assert_eq!(tester_of(&doc, "CM-2"), person("bob@example.com"));
    assert!(
        doc["assessment-results"]["metadata"]["version"]
            .as_str()
            .is_some_and(|v| v.ends_with("+uncommitted"))
    );
}

/// Every control id and part id of an exported catalog.
fn catalog_ids(doc: &serde_json::Value) -> (Vec<String>, Vec<String>) {
    fn walk(v: &serde_json::Value, controls: &mut Vec<String>, parts: &mut Vec<String>) {
        for c in v["controls"].as_array().into_iter().flatten() {
            controls.push(c["id"].as_str().expect("id").to_owned());
            for p in c["parts"].as_array().into_iter().flatten() {
                if let Some(id) = p["id"].as_str() {
                    parts.push(id.to_owned());
                }
            }
            walk(c, controls, parts);
        }
        for g in v["groups"].as_array().into_iter().flatten() {
            walk(g, controls, parts);
        }
    }
    let (mut controls, mut parts) = (Vec::new(), Vec::new());
    walk(&doc["catalog"], &mut controls, &mut parts);
    (controls, parts)
}

#[test]
fn the_package_joins_up_every_control_and_finding_resolves_in_the_exported_catalog() {
    let demo = crate::support::oscal::demo();
    let key = "default-group/office-365--nist-800-53-r5";
    let catalog = crate::support::oscal::export(demo, &["--catalog", "nist-800-53-r5"]);
    let (controls, parts) = catalog_ids(&catalog);
    assert!(controls.len() >= 1000, "{}", controls.len());
    let ar = crate::support::oscal::export(demo, &[key]);
    let result = &ar["assessment-results"]["results"][0];
    let reviewed = result["reviewed-controls"]["control-selections"][0]["include-controls"]
        .as_array()
        .expect("reviewed controls");
    for c in reviewed {
        let id = c["control-id"].as_str().expect("control-id");
        assert!(
            controls.iter().any(|x| x == id),
            "reviewed {id} not in the catalog"
        );
    }
    let findings = result["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for f in findings {
        let target = f["target"]["target-id"].as_str().expect("target-id");
        assert!(
            parts.iter().any(|p| p == target),
            "finding target {target} not in the catalog"
        );
    }
    let ssp = crate::support::oscal::export(demo, &[key, "--model", "ssp"]);
    for r in ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .expect("requirements")
    {
        let id = r["control-id"].as_str().expect("control-id");
        assert!(
            controls.iter().any(|x| x == id),
            "SSP's {id} not in the catalog"
        );
    }
    // The SSP's baseline names this catalog's uuid.
    let uuid = catalog["catalog"]["uuid"].as_str().expect("uuid");
    assert!(
        serde_json::to_string(&ssp["system-security-plan"]["back-matter"])
            .expect("JSON")
            .contains(uuid),
        "the SSP's baseline resource does not name the catalog's uuid {uuid}"
    );
    // The POA&M's findings are the assessment results' own.
    let poam = crate::support::oscal::export(demo, &[key, "--model", "poam"]);
    for f in poam["plan-of-action-and-milestones"]["findings"]
        .as_array()
        .expect("findings")
    {
        assert!(findings.contains(f), "{f}");
    }
}

#[test]
fn an_export_of_a_repository_with_errors_says_so_on_stderr() {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "first", unix("2024-01-01T10:00:00Z"));
    let key = "default-group/office-365--nist-800-53-r5";
    let clean = repo.run(&["export", "oscal", key]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(!clean.stderr.contains("warning"), "{}", clean.stderr);
    // The evidence no longer has the hash the assessment records (both assessments cite
    // it): two of validate's errors.
    repo.write("evidence/tls-scan.txt", "changed after the test\n");
    git.commit_all(
        "dave@example.com",
        "edit the scan",
        unix("2024-01-02T10:00:00Z"),
    );
    let out = repo.run(&["export", "oscal", key]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("`assure validate` finds 2 error(s)"),
        "{}",
        out.stderr
    );
}
