//! The example repository is what the README promises: the seed's groups, every status
//! and test result in use, action items, evidence, two archived assessments (one of them
//! migrated to ISO/IEC 27001:2022, issue 19).

use std::collections::BTreeSet;

use assure::model::{Status, TestResult};
use assure::ops::Project;
use assure::ops::score::score;

fn example() -> Project {
    Project::work_tree(&crate::support::project_root().join("example-repo")).expect("example-repo")
}

#[test]
fn has_exactly_the_seeds_groups() {
    let p = example();
    let mut groups: Vec<(String, Vec<String>)> =
        p.ws.groups
            .iter()
            .map(|g| {
                let mut files: Vec<String> =
                    p.ws.assessments
                        .iter()
                        .filter(|a| a.group == g.id)
                        .map(|a| a.stem.clone())
                        .collect();
                files.sort();
                (
                    g.doc.as_ref().expect("group.yaml").value.name.clone(),
                    files,
                )
            })
            .collect();
    groups.sort();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        groups,
        vec![
            (
                "Azure Assessments - 2019".into(),
                s(&[
                    "azure--gdpr",
                    "azure--iso-27001-2013",
                    "azure--iso-27018-2014"
                ])
            ),
            (
                "Data Security and Privacy Assessments".into(),
                s(&[
                    "azure--iso-27001-2013",
                    "azure--iso-27018-2014",
                    "office-365--iso-27001-2013",
                    "office-365--iso-27001-2022",
                    "office-365--iso-27018-2014"
                ])
            ),
            (
                "Default Group".into(),
                s(&["office-365--gdpr", "office-365--nist-800-53-r5"])
            ),
            (
                "GDPR Assessments - 2019".into(),
                s(&["azure--gdpr", "dynamics-365--gdpr", "office-365--gdpr"])
            ),
        ]
    );
}

#[test]
fn is_realistic_work_in_progress() {
    let p = example();
    let records: Vec<_> =
        p.ws.assessments
            .iter()
            .flat_map(|a| a.doc.value.controls.values())
            .collect();
    let statuses: BTreeSet<Status> = records.iter().filter_map(|r| r.status).collect();
    assert_eq!(statuses, Status::ALL.into_iter().collect());
    let results: BTreeSet<TestResult> = records.iter().filter_map(|r| r.test_result).collect();
    assert_eq!(results, TestResult::ALL.into_iter().collect());
    let priorities: BTreeSet<_> = records
        .iter()
        .filter_map(|r| r.action.as_ref()?.priority)
        .collect();
    assert_eq!(priorities.len(), 3);
    assert!(
        records
            .iter()
            .any(|r| r.action.as_ref().is_some_and(|a| a.notes.is_some()))
    );
    assert!(records.iter().filter(|r| !r.documents.is_empty()).count() >= 5);
    let mut archived: Vec<String> =
        p.ws.assessments
            .iter()
            .filter(|a| a.is_archived())
            .map(|a| format!("{}/{}", a.group, a.stem))
            .collect();
    archived.sort();
    assert_eq!(
        archived,
        [
            "azure-assessments-2019/azure--iso-27018-2014",
            "data-security-and-privacy/office-365--iso-27001-2013"
        ]
    );
    let config = &p.ws.config.as_ref().expect("assure.yaml").value;
    let roles: BTreeSet<_> = config
        .people
        .iter()
        .flat_map(|x| x.roles.iter().copied())
        .collect();
    assert_eq!(
        roles,
        assure::model::Role::ALL.into_iter().collect(),
        "people in every role"
    );
}

#[test]
fn the_seeds_shared_control_is_passed_equal_and_worth_8_in_both() {
    let p = example();
    let gdpr = p
        .assessment("default-group/office-365--gdpr")
        .expect("gdpr");
    let nist = p
        .assessment("default-group/office-365--nist-800-53-r5")
        .expect("nist");
    let a = &gdpr.doc.value.controls["6.10.1.2"];
    let b = &nist.doc.value.controls["SC-13"];
    assert_eq!(
        (a.status, a.test_result),
        (Some(Status::Implemented), Some(TestResult::Passed))
    );
    for f in assure::model::SyncField::all() {
        assert_eq!(
            assure::rules::sync::field_value(Some(a), f),
            assure::rules::sync::field_value(Some(b), f),
            "{}",
            f.as_str()
        );
    }
    assert_eq!(
        p.catalog.certifications["gdpr"]
            .control("6.10.1.2")
            .expect("c")
            .1
            .score,
        8
    );
    assert_eq!(
        p.catalog.certifications["nist-800-53-r5"]
            .control("SC-13")
            .expect("c")
            .1
            .score,
        8
    );
    // Un-passing both lowers both scores by 8.
    for (doc, id) in [(gdpr, "6.10.1.2"), (nist, "SC-13")] {
        let before = score(&doc.doc.value, &p.catalog).expect("s").total.score;
        let mut v = doc.doc.value.clone();
        v.controls.get_mut(id).expect("c").test_result = Some(TestResult::FailedLowRisk);
        assert_eq!(score(&v, &p.catalog).expect("s").total.score, before - 8);
    }
}
