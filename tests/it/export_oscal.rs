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
