//! Score, progress, filters and action items through the library API (DESIGN.md §4.2,
//! §4.3, §4.7), on the seed's "Groups example".

use assure::model::{Status, TestResult};
use assure::ops::Project;
use assure::ops::actions::action_items;
use assure::ops::filter::{Filter, ResultIs, StatusIs};
use assure::ops::score::{Progress, earns, score};

use crate::support::TestRepo;

fn progress(repo: &TestRepo, key: &str) -> Progress {
    let project = Project::work_tree(repo.path()).expect("open");
    let a = project.assessment(key).expect("assessment");
    score(&a.doc.value, &project.catalog)
        .expect("known certification")
        .total
}

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";

#[test]
fn passing_the_shared_control_raises_both_assessments_by_8() {
    let passed = TestRepo::base();
    let failed = TestRepo::base();
    for file in ["office-365--gdpr.yaml", "office-365--nist-800-53-r5.yaml"] {
        let path = format!("groups/default-group/{file}");
        let text = failed.read(&path);
        // Only the shared control's result line follows `test_date: 2019-04-02`.
        failed.write(
            &path,
            text.replace(
                "test_date: 2019-04-02\n    test_result: passed",
                "test_date: 2019-04-02\n    test_result: failed-low-risk",
            ),
        );
    }
    for key in [GDPR, NIST] {
        let (p, f) = (progress(&passed, key), progress(&failed, key));
        assert_eq!(p.score, f.score + 8, "{key}");
        assert_eq!(
            p.max, f.max,
            "{key}: the maximum does not depend on results"
        );
        assert_eq!(
            p.assessed, f.assessed,
            "{key}: a failed test still counts as assessed"
        );
    }
}

#[test]
fn score_counts_provider_controls_and_progress_counts_customer_controls() {
    let repo = TestRepo::base();
    let project = Project::work_tree(repo.path()).expect("open");
    let a = project.assessment(GDPR).expect("gdpr");
    let s = score(&a.doc.value, &project.catalog).expect("score");
    let cert = &project.catalog.certifications["gdpr"];
    let template = project
        .catalog
        .template("office-365", "gdpr")
        .expect("template");
    let provider_earned: u32 = template
        .template
        .provider_controls
        .iter()
        .filter(|(_, p)| earns(Some(p.status), Some(p.test_result)))
        .map(|(id, _)| cert.control(id).expect("exists").1.score)
        .sum();
    // 6.10.1.2 (8) is the only customer control implemented and passed.
    assert_eq!(s.total.score, provider_earned + 8);
    let not_in_scope: u32 = template
        .template
        .provider_controls
        .iter()
        .filter(|(_, p)| p.status == Status::NotInScope)
        .map(|(id, _)| cert.control(id).expect("exists").1.score)
        .sum();
    let all: u32 = cert.controls().map(|(_, c)| c.score).sum();
    assert_eq!(s.total.max, all - not_in_scope);
    assert_eq!(
        s.total.total,
        cert.controls().count() - template.template.provider_controls.len()
    );
    assert_eq!(s.total.assessed, 1, "only 6.10.1.2 has a test result");
    let family_assessed: usize = s.families.iter().map(|f| f.progress.assessed).sum();
    let family_total: usize = s.families.iter().map(|f| f.progress.total).sum();
    assert_eq!(
        (family_assessed, family_total),
        (s.total.assessed, s.total.total)
    );
}

#[test]
fn not_in_scope_leaves_the_maximum() {
    let repo = TestRepo::base();
    let before = progress(&repo, GDPR);
    let text = repo.read("groups/default-group/office-365--gdpr.yaml");
    repo.write(
        "groups/default-group/office-365--gdpr.yaml",
        text.replace("    status: planned\n", "    status: not-in-scope\n"),
    );
    let after = progress(&repo, GDPR);
    let project = Project::work_tree(repo.path()).expect("open");
    let value = project.catalog.certifications["gdpr"]
        .control("6.2.1.1")
        .expect("control")
        .1
        .score;
    assert_eq!(after.max, before.max - value);
}

#[test]
fn earning_needs_implemented_or_alternative_and_passed() {
    assert!(earns(Some(Status::Implemented), Some(TestResult::Passed)));
    assert!(earns(
        Some(Status::AlternativeImplementation),
        Some(TestResult::Passed)
    ));
    assert!(!earns(Some(Status::Planned), Some(TestResult::Passed)));
    assert!(!earns(
        Some(Status::Implemented),
        Some(TestResult::FailedLowRisk)
    ));
    assert!(!earns(None, Some(TestResult::Passed)));
    assert!(!earns(Some(Status::Implemented), None));
}

/// Ids of the customer controls of GDPR matching `filter`, in catalog order.
fn matching(filter: &Filter) -> Vec<String> {
    let repo = TestRepo::base();
    let project = Project::work_tree(repo.path()).expect("open");
    let a = project.assessment(GDPR).expect("gdpr");
    assure::ops::score::controls(&a.doc.value, &project.catalog)
        .expect("views")
        .into_iter()
        .filter_map(|v| match v.managed {
            assure::ops::score::Managed::Customer(r) if filter.matches(v.control, r) => {
                Some(v.control.id.clone())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn filters_or_within_and_across() {
    let by_status = |s: Vec<StatusIs>| Filter {
        statuses: s,
        ..Filter::default()
    };
    assert_eq!(
        matching(&by_status(vec![StatusIs::Implemented])),
        vec!["6.10.1.2"]
    );
    assert_eq!(
        matching(&by_status(vec![StatusIs::Planned])),
        vec!["6.2.1.1"]
    );
    // OR within one filter.
    let mut both = matching(&by_status(vec![StatusIs::Planned, StatusIs::Implemented]));
    both.sort();
    assert_eq!(both, vec!["6.10.1.2", "6.2.1.1"]);
    // AND across filters: implemented AND assigned to dave matches nothing.
    let none = Filter {
        statuses: vec![StatusIs::Implemented],
        assigned: vec!["dave@example.com".into()],
        ..Filter::default()
    };
    assert_eq!(matching(&none), Vec::<String>::new());
    let some = Filter {
        statuses: vec![StatusIs::Planned],
        assigned: vec!["DAVE@example.com".into()],
        ..Filter::default()
    };
    assert_eq!(matching(&some), vec!["6.2.1.1"]);
    // Article substring: "Article (32)(1)(a)" is on 6.10.1.2, among others.
    let art = matching(&Filter {
        articles: vec!["(32)(1)(a)".into()],
        ..Filter::default()
    });
    assert!(art.contains(&"6.10.1.2".to_owned()), "{art:?}");
    // A control prefix and an exact id, OR over the two values.
    let ctl = matching(&Filter {
        controls: vec!["6.10.1*".into(), "6.2.1.1".into()],
        ..Filter::default()
    });
    assert_eq!(
        ctl,
        vec!["6.2.1.1", "6.10.1.2"],
        "6.10.1.1 and 6.10.1.3 are provider-managed, so not listed"
    );
    // Result filter.
    assert_eq!(
        matching(&Filter {
            results: vec![ResultIs::Passed],
            ..Filter::default()
        }),
        vec!["6.10.1.2"]
    );
    assert_eq!(
        matching(&Filter {
            results: vec![ResultIs::FailedHighRisk],
            ..Filter::default()
        }),
        Vec::<String>::new()
    );
    // An exact id is that control alone: 6.10.1 is no control, 6.2.1 is not 6.2.1.1.
    for exact in ["6.10.1", "6.2.1"] {
        let none = matching(&Filter {
            controls: vec![exact.into()],
            ..Filter::default()
        });
        assert_eq!(none, Vec::<String>::new(), "{exact}");
    }
    // Nothing recorded: not started and not tested are values of the filters.
    let not_started = matching(&by_status(vec![StatusIs::NotStarted]));
    let all = matching(&Filter::default());
    assert_eq!(
        not_started.len(),
        all.len() - 2,
        "all but 6.10.1.2 and 6.2.1.1"
    );
    assert!(!not_started.contains(&"6.10.1.2".to_owned()));
    let not_tested = matching(&Filter {
        results: vec![ResultIs::NotTested],
        ..Filter::default()
    });
    assert_eq!(
        not_tested.len(),
        all.len() - 1,
        "all but the passed 6.10.1.2"
    );
    // No filter: every customer control.
    assert!(matching(&Filter::default()).len() > 40);
}

#[test]
fn action_items_per_person_and_certification() {
    let repo = TestRepo::base();
    let project = Project::work_tree(repo.path()).expect("open");
    let all = action_items(&project, None, None);
    let keys: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|i| {
            (
                i.person.as_str(),
                i.certification.as_str(),
                i.control.as_str(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        vec![
            ("bob@example.com", "gdpr", "6.10.1.2"),
            ("bob@example.com", "nist-800-53-r5", "SC-13"),
            ("dave@example.com", "gdpr", "6.2.1.1"),
            ("dave@example.com", "nist-800-53-r5", "CM-2"),
        ]
    );
    let dave_gdpr = action_items(&project, Some("dave@example.com"), Some("gdpr"));
    assert_eq!(dave_gdpr.len(), 1);
    assert_eq!(
        dave_gdpr[0].notes.as_deref(),
        Some("Draft the policy by Q3.")
    );
    assert_eq!(dave_gdpr[0].priority, Some(assure::model::Priority::Medium));
    assert!(action_items(&project, Some("erin@example.com"), None).is_empty());
}

/// A test result on a control out of scope counts nowhere: not in the maximum, not in
/// progress (neither assessed nor in the total), the same in `status`, the workbook's
/// data and the site's families; `validate` warns of it.
#[test]
fn a_test_result_out_of_scope_counts_nowhere_and_is_a_warning() {
    let repo = TestRepo::base();
    let before = progress(&repo, GDPR);
    let path = "groups/default-group/office-365--gdpr.yaml";
    let text = repo.read(path);
    repo.write(
        path,
        text.replacen(
            "\"6.2.1.1\":\n    status: planned\n",
            "\"6.2.1.1\":\n    status: not-in-scope\n    test_date: 2019-04-02\n    test_result: passed\n",
            1,
        ),
    );
    let after = progress(&repo, GDPR);
    assert_eq!(after.total, before.total - 1, "out of the total");
    assert_eq!(after.assessed, before.assessed, "not assessed");
    assert_eq!(after.score, before.score, "earns nothing");
    assert!(after.max < before.max, "out of the maximum");
    // The same figures per family: the family of 6.2.1.1 loses one control.
    let project = Project::work_tree(repo.path()).expect("open");
    let a = project.assessment(GDPR).expect("gdpr");
    let families = score(&a.doc.value, &project.catalog)
        .expect("score")
        .families;
    let sum: usize = families.iter().map(|f| f.progress.total).sum();
    assert_eq!(sum, after.total, "families add up to the total");
    // `status --format json` shows the same progress.
    let out = repo.run(&["status", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let shown = json.to_string();
    assert!(
        shown.contains(&format!("\"assessed\":{}", after.assessed))
            && shown.contains(&format!("\"total\":{}", after.total)),
        "status shows {} / {}: {shown}",
        after.assessed,
        after.total
    );
    // The site's assessment page says the same figures, as controls in scope.
    let out = repo.run(&["report", "site", "-o", "site"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = std::fs::read_to_string(
        repo.path()
            .join("site/assessments/default-group--office-365--gdpr.html"),
    )
    .expect("the assessment's page");
    let shown = format!(
        "<span id=\"count-assessed\">{}</span> of <span id=\"count-customer\">{}</span> customer-managed controls in scope assessed",
        after.assessed, after.total
    );
    assert!(page.contains(&shown), "{shown} in the page");
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 0, "a warning, not an error: {}", out.stdout);
    assert!(
        out.stdout.contains("warning[tested-not-in-scope]")
            && out.stdout.contains("control `6.2.1.1` is not in scope"),
        "{}",
        out.stdout
    );
}
