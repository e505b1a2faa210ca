//! Evidence freshness (issue 21, item 2): `collected_on` / `valid_until` on documents,
//! judged at a date the CLI gives (`--today`, or the harness's pinned `ASSURE_TODAY`):
//! expired evidence is a warning (an error under `validate --strict`), evidence within
//! `evidence.warn_days` a note, a passed result on expired evidence is called out, and
//! `doc add` records the dates as a minimal diff that sync copies.

use crate::support::{Output, TestRepo, snapshot};

const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const ALICE: &str = "alice@example.com";
const PURPOSE: &str = "        purpose: testing\n";

/// The base fixture with `lines` after the purpose of the shared TLS scan document, in
/// both members of its sync class (so they stay in sync).
fn dated(lines: &str) -> TestRepo {
    let repo = TestRepo::base();
    for file in [NIST_FILE, GDPR_FILE] {
        let text = repo.read(file);
        assert_eq!(text.matches(PURPOSE).count(), 1, "{file}");
        repo.write(file, text.replace(PURPOSE, &format!("{PURPOSE}{lines}")));
    }
    repo
}

/// `validate --format json ARGS` as (exit code, the JSON).
fn validate(repo: &TestRepo, args: &[&str]) -> (i32, serde_json::Value) {
    let mut full = vec!["validate", "--format", "json"];
    full.extend_from_slice(args);
    let out = repo.run(&full);
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}\n{}", out.stdout, out.stderr));
    (out.code, json)
}

/// The findings as (code, severity, file, line).
fn found(json: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
                f["file"].as_str().unwrap_or("").to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn f(code: &str, severity: &str, file: &str, line: u64) -> (String, String, String, u64) {
    (code.into(), severity.into(), file.into(), line)
}

fn messages(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["message"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn valid_expiring_and_expired_at_pinned_dates() {
    // valid_until 2026-03-01 is line 20 of the GDPR file and 17 of the NIST file.
    let repo = dated("        valid_until: 2026-03-01\n");
    // 59 days ahead: outside the default 30-day window.
    let (code, json) = validate(&repo, &["--today", "2026-01-01"]);
    assert_eq!((code, found(&json)), (0, vec![]));

    // 31 days ahead: still nothing; 30 days ahead: a note on each document.
    let (code, json) = validate(&repo, &["--today", "2026-01-29"]);
    assert_eq!((code, found(&json)), (0, vec![]));
    let (code, json) = validate(&repo, &["--today", "2026-01-30"]);
    assert_eq!(code, 0, "notes never fail a run");
    assert_eq!(
        found(&json),
        vec![
            f("evidence-expiring", "note", GDPR_FILE, 20),
            f("evidence-expiring", "note", NIST_FILE, 17),
        ]
    );
    assert_eq!(
        (
            json["errors"].as_u64(),
            json["warnings"].as_u64(),
            json["notes"].as_u64()
        ),
        (Some(0), Some(0), Some(2))
    );
    assert!(
        messages(&json)[1]
            .contains("evidence `evidence/tls-scan.txt` of control `SC-13` expires in 30 days (2026-03-01 is its last valid day)"),
        "{json}"
    );

    // The last valid day itself is still valid (expiring today).
    let (code, json) = validate(&repo, &["--today", "2026-03-01"]);
    assert_eq!(code, 0);
    assert_eq!(
        found(&json)
            .iter()
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>(),
        ["evidence-expiring", "evidence-expiring"]
    );
    assert!(messages(&json)[0].contains("expires today"), "{json}");

    // The day after: expired, and both controls are passed on that evidence only.
    let (code, json) = validate(&repo, &["--today", "2026-03-02"]);
    assert_eq!(code, 0, "warnings do not fail a run without --strict");
    assert_eq!(
        found(&json),
        vec![
            f("passed-on-expired-evidence", "warning", GDPR_FILE, 11),
            f("evidence-expired", "warning", GDPR_FILE, 20),
            f("passed-on-expired-evidence", "warning", NIST_FILE, 11),
            f("evidence-expired", "warning", NIST_FILE, 17),
        ]
    );
    assert!(
        messages(&json)[1].contains(
            "evidence `evidence/tls-scan.txt` of control `6.10.1.2` expired on 2026-03-01 (1 day ago)"
        ),
        "{json}"
    );
}

#[test]
fn strict_makes_expired_evidence_an_error_but_not_expiring_evidence() {
    let repo = dated("        valid_until: 2026-03-01\n");
    let (code, json) = validate(&repo, &["--strict", "--today", "2026-03-02"]);
    assert_eq!(code, 1);
    assert!(
        found(&json).iter().all(|x| x.1 == "error") && found(&json).len() == 4,
        "{json}"
    );
    assert_eq!(json["errors"].as_u64(), Some(4));

    let (code, json) = validate(&repo, &["--strict", "--today", "2026-02-15"]);
    assert_eq!(code, 0, "a note stays a note under --strict: {json}");
    assert_eq!(json["notes"].as_u64(), Some(2));

    // Without any dates there is nothing to expire, whatever the date.
    let repo = TestRepo::base();
    let (code, json) = validate(&repo, &["--strict", "--today", "2999-01-01"]);
    assert_eq!((code, found(&json)), (0, vec![]));
}

#[test]
fn other_formats_show_the_severities() {
    let repo = dated("        valid_until: 2026-01-20\n");
    // The harness pins today at 2026-01-01: 19 days ahead.
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("note[evidence-expiring]: evidence `evidence/tls-scan.txt` of control `SC-13` expires in 19 days"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.ends_with("0 errors, 0 warnings, 2 notes\n"),
        "{}",
        out.stdout
    );
    let out = repo.run(&["validate", "--format", "github"]);
    assert!(
        out.stdout.lines().all(|l| l.starts_with("::notice file=")),
        "GitHub's workflow command for a note is `notice`: {}",
        out.stdout
    );
    let out = repo.run(&["validate", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("sarif");
    assert_eq!(v["runs"][0]["results"][0]["level"], "note");

    let out = repo.run(&[
        "validate",
        "--format",
        "github",
        "--strict",
        "--today",
        "2026-01-21",
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout.lines().count(), 4, "{}", out.stdout);
    assert!(
        out.stdout.lines().all(|l| l.starts_with("::error file=")),
        "{}",
        out.stdout
    );
}

#[test]
fn warn_days_comes_from_assure_yaml() {
    let repo = dated("        valid_until: 2026-03-01\n");
    let config = repo.read("assure.yaml");
    repo.write(
        "assure.yaml",
        format!("{config}evidence:\n  warn_days: 59\n"),
    );
    let (code, json) = validate(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(json["notes"].as_u64(), Some(2), "{json}");
    repo.write(
        "assure.yaml",
        format!("{config}evidence:\n  warn_days: 58\n"),
    );
    let (_, json) = validate(&repo, &[]);
    assert_eq!(found(&json), vec![]);
    // Zero: a note only on the last valid day.
    repo.write(
        "assure.yaml",
        format!("{config}evidence:\n  warn_days: 0\n"),
    );
    let (_, json) = validate(&repo, &["--today", "2026-02-28"]);
    assert_eq!(found(&json), vec![]);
    let (_, json) = validate(&repo, &["--today", "2026-03-01"]);
    assert_eq!(json["notes"].as_u64(), Some(2), "{json}");
    // A negative or misspelt setting is a schema finding in assure.yaml.
    repo.write(
        "assure.yaml",
        format!("{config}evidence:\n  warn_days: -1\n"),
    );
    let (code, json) = validate(&repo, &[]);
    assert_eq!(code, 1);
    assert!(
        found(&json)
            .iter()
            .any(|x| x.2 == "assure.yaml" && x.0 == "invalid-value"),
        "{json}"
    );
    repo.write(
        "assure.yaml",
        format!("{config}evidence:\n  warn_day: 10\n"),
    );
    let (code, json) = validate(&repo, &[]);
    assert_eq!(code, 1);
    assert!(
        found(&json)
            .iter()
            .any(|x| x.2 == "assure.yaml" && x.0 == "unknown-field"),
        "{json}"
    );
}

#[test]
fn a_passed_result_is_called_out_only_when_all_its_testing_evidence_expired() {
    // A second, current testing document: the expired one is reported, the result is not.
    let repo = dated(
        "        valid_until: 2025-06-30\n      - path: evidence/fresh.txt\n        sha256: d8a07dc2bd5df7ee8ff2f4d3a1958e8caf8a4e8d01d66e8f0a7b0e3263db4d68\n        purpose: testing\n        valid_until: 2027-01-01\n",
    );
    repo.write("evidence/fresh.txt", "fresh\n");
    let hash = sha256_hex(b"fresh\n");
    for file in [NIST_FILE, GDPR_FILE] {
        let text = repo.read(file).replace(
            "d8a07dc2bd5df7ee8ff2f4d3a1958e8caf8a4e8d01d66e8f0a7b0e3263db4d68",
            &hash,
        );
        repo.write(file, text);
    }
    let (code, json) = validate(&repo, &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        found(&json)
            .iter()
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>(),
        ["evidence-expired", "evidence-expired"],
        "{json}"
    );

    // An expired implementation document does not carry a test result.
    let repo = TestRepo::base();
    for file in [NIST_FILE, GDPR_FILE] {
        let text = repo.read(file).replace(
            PURPOSE,
            "        purpose: implementation\n        valid_until: 2025-06-30\n",
        );
        repo.write(file, text);
    }
    let (_, json) = validate(&repo, &[]);
    assert_eq!(
        found(&json)
            .iter()
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>(),
        ["evidence-expired", "evidence-expired"],
        "{json}"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn archived_assessments_are_not_checked_for_freshness() {
    let repo = dated("        valid_until: 2025-06-30\n");
    let text = repo.read(NIST_FILE).replace(
        "created_by: alice@example.com\n",
        "created_by: alice@example.com\narchived: 2020-02-01T12:00:00Z\n",
    );
    repo.write(NIST_FILE, text);
    let (_, json) = validate(&repo, &[]);
    assert_eq!(
        found(&json),
        vec![
            f("passed-on-expired-evidence", "warning", GDPR_FILE, 11),
            f("evidence-expired", "warning", GDPR_FILE, 20),
        ]
    );
}

#[test]
fn impossible_dates_are_errors_and_bad_dates_are_schema_findings() {
    let repo = dated("        collected_on: 2026-02-01\n        valid_until: 2026-01-31\n");
    let (code, json) = validate(&repo, &["--today", "2026-02-01"]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&json)
            .iter()
            .filter(|x| x.0 == "evidence-dates")
            .count(),
        2,
        "{json}"
    );
    assert!(
        messages(&json)
            .iter()
            .any(|m| m
                .contains("was collected on 2026-02-01, after its valid_until date 2026-01-31")),
        "{json}"
    );

    for bad in ["2026-02-30", "tomorrow", "2026-1-5", "[2026-01-05]"] {
        let repo = dated(&format!("        valid_until: {bad}\n"));
        let (code, json) = validate(&repo, &[]);
        assert_eq!(code, 1, "{bad}: {json}");
        let first = &found(&json)[0];
        assert!(
            ["invalid-value", "wrong-type"].contains(&first.0.as_str())
                && first.2 == GDPR_FILE
                && first.3 == 20,
            "{bad}: {json}"
        );
    }
}

#[test]
fn today_comes_from_the_command_line() {
    let repo = dated("        valid_until: 2026-03-01\n");
    // --today wins over the harness's ASSURE_TODAY (2026-01-01), before or after the
    // subcommand.
    let (_, json) = validate(&repo, &["--today", "2026-03-05"]);
    assert_eq!(json["warnings"].as_u64(), Some(4));
    let out = repo.run(&["--today", "2026-03-05", "validate"]);
    assert!(
        out.stdout.ends_with("0 errors, 4 warnings\n"),
        "{}",
        out.stdout
    );
    let out = repo.run(&["validate", "--today", "2026-13-01"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--today"), "{}", out.stderr);
}

fn assert_untouched(
    out: &Output,
    before: &std::collections::BTreeMap<String, Vec<u8>>,
    repo: &TestRepo,
) {
    // A bad argument, as `doc add`'s other refusals of what it was given.
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(&snapshot(repo.path()), before, "nothing written");
}

#[test]
fn doc_add_records_the_dates_as_a_minimal_diff_copied_by_sync() {
    let repo = TestRepo::base();
    let before_nist = repo.read(NIST_FILE);
    let before_gdpr = repo.read(GDPR_FILE);
    let out = repo.run(&[
        "doc",
        "add",
        "--as",
        ALICE,
        NIST,
        "SC-13",
        "evidence/tls-scan.txt",
        "--collected-on",
        "2025-12-01",
        "--valid-until",
        "2026-12-01",
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let lines = "        collected_on: 2025-12-01\n        valid_until: 2026-12-01\n";
    assert_eq!(
        repo.read(NIST_FILE),
        before_nist.replace(PURPOSE, &format!("{PURPOSE}{lines}"))
    );
    // 6.10.1.2 shares SC-13's documents (a sync class): sync copies the dates.
    assert_eq!(
        repo.read(GDPR_FILE),
        before_gdpr.replace(PURPOSE, &format!("{PURPOSE}{lines}"))
    );
    let (code, json) = validate(&repo, &[]);
    assert_eq!((code, found(&json)), (0, vec![]));

    // Attaching it again with only a new valid-until keeps the collection date.
    let out = repo.run(&[
        "doc",
        "add",
        "--as",
        ALICE,
        NIST,
        "SC-13",
        "evidence/tls-scan.txt",
        "--valid-until",
        "2026-01-15",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.read(NIST_FILE)
            .contains("        collected_on: 2025-12-01\n        valid_until: 2026-01-15\n")
    );
    let (_, json) = validate(&repo, &[]);
    assert_eq!(json["notes"].as_u64(), Some(2), "{json}");

    // doc remove drops the whole entry, dates included.
    let out = repo.run(&[
        "doc",
        "remove",
        "--as",
        ALICE,
        NIST,
        "SC-13",
        "evidence/tls-scan.txt",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!repo.read(NIST_FILE).contains("valid_until"));
    assert!(!repo.read(GDPR_FILE).contains("valid_until"));
}

#[test]
fn doc_add_refuses_impossible_dates_and_writes_nothing() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let out = repo.run(&[
        "doc",
        "add",
        "--as",
        ALICE,
        NIST,
        "SC-13",
        "evidence/tls-scan.txt",
        "--collected-on",
        "2025-12-01",
        "--valid-until",
        "2025-11-30",
    ]);
    assert_untouched(&out, &before, &repo);
    assert!(
        out.stderr
            .contains("would be valid until 2025-11-30, before it was collected on 2025-12-01"),
        "{}",
        out.stderr
    );
    // After today (the harness pins 2026-01-01).
    let out = repo.run(&[
        "doc",
        "add",
        "--as",
        ALICE,
        NIST,
        "SC-13",
        "evidence/tls-scan.txt",
        "--collected-on",
        "2026-01-02",
    ]);
    assert_untouched(&out, &before, &repo);
    assert!(
        out.stderr
            .contains("the collection date 2026-01-02 is in the future"),
        "{}",
        out.stderr
    );
    // A date clap cannot read is a usage error.
    let out = repo.run(&[
        "doc",
        "add",
        "--as",
        ALICE,
        NIST,
        "SC-13",
        "evidence/tls-scan.txt",
        "--valid-until",
        "next-year",
    ]);
    assert_eq!(out.code, 2);
    assert_eq!(snapshot(repo.path()), before);
}
