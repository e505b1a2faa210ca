//! `assure assessment show` (issue 18, item 1): one assessment as the portal's
//! assessment page shows it, in the terminal and as JSON, with the figures every other
//! view shows.

use serde_json::Value;

use crate::support::{GitRepo, TestRepo, unix};

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";

/// The base fixture with a control of each status in GDPR's first area (the one not in
/// scope tested, which counts nowhere), committed at a fixed time (so `modified` is
/// that commit's).
fn committed() -> TestRepo {
    let repo = TestRepo::base();
    let text = repo.read(GDPR_FILE);
    repo.write(
        GDPR_FILE,
        format!(
            "{text}  \"6.2.2.1\":\n    status: not-in-scope\n    test_date: 2019-05-01\n    test_result: passed\n  \"6.2.2.2\":\n    status: alternative-implementation\n    test_date: 2019-05-01\n    test_result: failed-medium-risk\n"
        ),
    );
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "Start", unix("2019-06-01T10:00:00Z"));
    repo
}

fn json(repo: &TestRepo, args: &[&str]) -> Value {
    let mut full = args.to_vec();
    full.extend(["--format", "json"]);
    let out = repo.run(&full);
    assert_eq!(out.code, 0, "{full:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

#[test]
fn shows_the_assessment_page() {
    let repo = committed();
    let out = repo.run(&["assessment", "show", GDPR]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout, @r#"
Office 365 - GDPR  (default-group/office-365--gdpr)

Group          Default Group (default-group)
Service        Office 365 (office-365)
Certification  GDPR (gdpr), version 2016/679
Created        2019-01-15 by Alice Admin <alice@example.com>
Modified       2019-06-01
Archived       no
Score          76 / 286
Progress       █░░░░░░░░░░░░░░░░░░░ 2 of 42 customer-managed controls in scope assessed (4%)

In-scope services (8)
  Exchange Online
  SharePoint Online
  OneDrive for Business
  Microsoft Teams
  Skype for Business Online
  Office Online
  Exchange Online Protection
  Yammer Enterprise

Provider-managed controls (17)
  Control   Title                                 Status       Test date   Result           Tested by
  6.6.2.2   Provider access to customer data      Implemented  2019-01-04  Passed           Independent third-party auditor
  6.7.1.2   Encryption of personal data at rest   Implemented  2018-12-24  Passed           Independent third-party auditor
  6.8.1.1   Physical security perimeter of proc…  Implemented  2018-12-21  Passed           Independent third-party auditor
  6.8.1.2   Physical entry controls               Implemented  2018-12-27  Passed           Independent third-party auditor
  6.8.2.1   Protection of equipment against env…  Implemented  2018-11-23  Passed           Independent third-party auditor
  6.8.2.2   Secure disposal or reuse of storage…  Implemented  2018-11-05  Passed           Independent third-party auditor
  6.9.1.1   Capacity management of processing i…  Implemented  2018-12-14  Failed-Low Risk  Independent third-party auditor
  6.9.2.1   Protection against malware            Implemented  2018-11-16  Passed           Independent third-party auditor
  6.10.1.1  Network security of the service inf…  Implemented  2018-12-28  Passed           Independent third-party auditor
  6.10.1.3  Isolation of customer environments    Implemented  2019-01-04  Passed           Independent third-party auditor
  6.12.1.3  Engagement of sub-processors          Implemented  2018-11-14  Passed           Independent third-party auditor
  6.12.2.2  Processor certifications and audit…   Implemented  2018-12-03  Passed           Independent third-party auditor
  6.13.1.4  Processor notification of breaches    Implemented  2018-11-30  Passed           Independent third-party auditor
  6.13.2.2  Redundancy of processing facilities   Implemented  2018-11-12  Passed           Independent third-party auditor
  7.2.2.3   Processor records of processing       Implemented  2018-11-12  Passed           Independent third-party auditor
  7.4.2.3   Return or deletion of data at the e…  Implemented  2019-01-03  Passed           Independent third-party auditor
  7.5.1.2   Location of processing by the provi…  Implemented  2018-11-09  Passed           Independent third-party auditor

Controls by area
  (statuses and test results of customer-managed controls; the score counts both kinds)
  Area                                      Controls Provider Not started Planned Implemented Alternative Not in scope Assessed Passed     Score
  Data protection governance                       5        0           2       1           0           1            1        1      0    0 / 16
  Access control                                   5        1           4       0           0           0            0        0      0    5 / 34
  Cryptography                                     3        1           2       0           0           0            0        0      0    8 / 14
  Physical and environmental security              4        4           0       0           0           0            0        0      0   18 / 18
  Operations security                              5        2           3       0           0           0            0        0      0    5 / 26
  Communications security                          4        2           1       0           1           0            0        1      1   18 / 21
  Processors and suppliers                         5        2           3       0           0           0            0        0      0    4 / 20
  Incident management and breach notifica…         6        2           4       0           0           0            0        0      0   11 / 37
  Lawful processing and accountability             7        1           6       0           0           0            0        0      0    1 / 32
  Data subject rights                              7        0           7       0           0           0            0        0      0    0 / 29
  Privacy by design and by default                 7        1           6       0           0           0            0        0      0    3 / 31
  International transfers                          2        1           1       0           0           0            0        0      0     3 / 8
  Total                                           60       17          39       1           1           1            1        2      1  76 / 286
"#);
}

#[test]
fn the_json_figures_add_up_and_agree_with_status() {
    let repo = committed();
    let board = json(&repo, &["status"]);
    let tiles = board["groups"][0]["tiles"].as_array().expect("tiles");
    for key in [GDPR, NIST] {
        let page = json(&repo, &["assessment", "show", key]);
        let tile = tiles
            .iter()
            .find(|t| t["assessment"] == key)
            .expect("a tile");
        let totals = &page["totals"];
        // The dashboard's figures, to the field.
        for f in ["score", "max", "assessed", "total"] {
            assert_eq!(totals[f], tile[f], "{key} {f}");
        }
        for f in ["created", "modified", "archived", "name"] {
            assert_eq!(page[f], tile[f], "{key} {f}");
        }
        assert_eq!(page["modified"], "2019-06-01T10:00:00Z");
        // Every count adds up: statuses to the customer-managed controls, results to those
        // in scope, provider plus customer to every control, the families to the totals.
        let n = |v: &Value| v.as_u64().expect("a count");
        let sum = |v: &Value| v.as_object().expect("counts").values().map(n).sum::<u64>();
        let families = page["families"].as_array().expect("families");
        assert!(!families.is_empty());
        for counts in families.iter().chain([totals]) {
            assert_eq!(sum(&counts["status"]), n(&counts["customer"]), "{counts}");
            assert_eq!(sum(&counts["result"]), n(&counts["total"]), "{counts}");
            assert_eq!(
                n(&counts["customer"]) - n(&counts["status"]["not-in-scope"]),
                n(&counts["total"])
            );
            assert_eq!(
                n(&counts["provider"]) + n(&counts["customer"]),
                n(&counts["controls"])
            );
            assert_eq!(
                n(&counts["result"]["not-tested"]),
                n(&counts["total"]) - n(&counts["assessed"])
            );
        }
        for f in [
            "controls", "provider", "customer", "score", "max", "assessed", "total",
        ] {
            let added: u64 = families.iter().map(|c| n(&c[f])).sum();
            assert_eq!(added, n(&totals[f]), "{key}: the families' {f}");
        }
        assert_eq!(
            page["provider_controls"].as_array().expect("list").len() as u64,
            n(&totals["provider"])
        );
    }
    // The certification's own word for a family.
    let nist = json(&repo, &["assessment", "show", NIST]);
    assert_eq!(nist["certification"]["family_term"], "Family");
    let human = repo.run(&["assessment", "show", NIST]);
    assert!(
        human.stdout.contains("\nControls by family\n"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("\n  Family "), "{}", human.stdout);
    let gdpr = json(&repo, &["assessment", "show", GDPR]);
    assert_eq!(gdpr["certification"]["family_term"], "Area");
    let area = &gdpr["families"][0];
    assert_eq!(area["name"], "Data protection governance");
    assert_eq!(
        area["status"],
        serde_json::json!({"implemented": 0, "alternative-implementation": 1, "planned": 1, "not-in-scope": 1, "not-started": 2})
    );
    assert_eq!(area["result"]["failed-medium-risk"], 1);
    // The passed result on the control out of scope counts nowhere.
    assert_eq!(
        area["result"],
        serde_json::json!({"passed": 0, "failed-low-risk": 0, "failed-medium-risk": 1, "failed-high-risk": 0, "not-tested": 3})
    );
    assert_eq!(
        (area["assessed"].clone(), area["total"].clone()),
        (1.into(), 4.into())
    );
}

#[test]
fn an_archived_assessment_says_so() {
    let repo = TestRepo::base();
    let text = repo.read(GDPR_FILE);
    repo.write(
        GDPR_FILE,
        text.replace(
            "created_by: alice@example.com\n",
            "created_by: alice@example.com\narchived: 2020-02-03T04:05:06Z\n",
        ),
    );
    let out = repo.run(&["assessment", "show", GDPR]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("\narchived 2020-02-03: read-only, and no longer synced with its group\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\nArchived       2020-02-03\n"));
    let page = json(&repo, &["assessment", "show", GDPR]);
    assert_eq!(page["archived"], "2020-02-03T04:05:06Z");
}

#[test]
fn an_unknown_assessment_is_an_error_with_the_closest_names() {
    let repo = TestRepo::base();
    let gdpr = repo.read(GDPR_FILE);
    for (name, hint) in [
        (
            "default-group/office-365--gdp",
            "did you mean `default-group/office-365--gdpr`?",
        ),
        // Other ways to spell a path to the same file are not names of it.
        (
            "default-group/../default-group/office-365--gdpr",
            "no assessment",
        ),
        (
            "groups/default-group/office-365--gdpr.yaml",
            "no assessment",
        ),
        ("default-group/office-365--gdpr/", "no assessment"),
        ("/etc/passwd", "no assessment"),
    ] {
        for format in ["human", "json"] {
            let out = repo.run(&["assessment", "show", name, "--format", format]);
            assert_eq!(out.code, 2, "{name}: {}", out.stdout);
            assert_eq!(out.stdout, "", "{name}: nothing on stdout");
            assert!(out.stderr.contains(hint), "{name}: {}", out.stderr);
        }
    }
    assert_eq!(repo.read(GDPR_FILE), gdpr, "nothing written");
}

#[cfg(unix)]
#[test]
fn an_assessment_file_that_is_a_link_is_not_shown() {
    // A link named like an assessment, leading to another one's file: the loader never
    // follows it, so there is no such assessment to show (and `validate` says why).
    let repo = TestRepo::base();
    let target = repo
        .path()
        .join("groups/default-group/office-365--nist-800-53-r5.yaml");
    let link = repo.path().join(GDPR_FILE);
    std::fs::remove_file(&link).expect("remove");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let out = repo.run(&["assessment", "show", GDPR]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("no assessment"), "{}", out.stderr);
    let validate = repo.run(&["validate"]);
    assert!(
        validate.stdout.contains("symbolic-link"),
        "{}",
        validate.stdout
    );
}

#[test]
fn show_needs_no_role_and_writes_nothing() {
    // A reader (and a guest) may look: `show` is no edit, and takes no edit lock.
    let repo = committed();
    let before = crate::support::snapshot(repo.path());
    for who in ["erin@example.com", "stranger@example.org"] {
        let out = repo.run(&["--as", who, "assessment", "show", GDPR]);
        assert_eq!(out.code, 0, "{who}: {}", out.stderr);
    }
    assert_eq!(crate::support::snapshot(repo.path()), before);
}
