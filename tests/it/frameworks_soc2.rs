//! SOC 2 (issue 19, items 3 and 4): the built-in `soc2-tsc-2017` against the published
//! structure, and the categories an assessment chooses. The controls of a category not
//! chosen are not part of the assessment: not scored, not listed in reports, never
//! synced into, and a record of one is a finding; choosing categories changes the
//! maximum score, so the command and the review gate ask for the same role.

use std::collections::BTreeMap;

use assure::ops::Project;
use assure::report::site::{self, History, SiteOptions};
use calamine::{Reader, Xlsx, open_workbook};
use serde_json::Value;

use crate::gate::{Change, MANAGE, gate_only};
use crate::support::{Output, TestRepo, located, project_root, run_env, snapshot};

const CERT: &str = "soc2-tsc-2017";
const OFFICE: &str = "groups/default-group/office-365--soc2-tsc-2017.yaml";
const AZURE: &str = "groups/default-group/azure--soc2-tsc-2017.yaml";
const OFFICE_KEY: &str = "default-group/office-365--soc2-tsc-2017";
const AZURE_KEY: &str = "default-group/azure--soc2-tsc-2017";

const HEAD: &str = "created: 2019-01-15T09:30:00Z\ncreated_by: alice@example.com\n";

/// Office 365 covers availability and has worked on A1.3 (customer-managed in both
/// templates); Azure covers no optional category. The same control in two assessments
/// of one group is a shared sync class, so only the categories keep A1.3 apart.
fn office() -> String {
    format!(
        "service: office-365\ncertification: {CERT}\n{HEAD}categories:\n  - availability\ncontrols:\n  CC6.1:\n    status: planned\n  A1.3:\n    status: implemented\n    implementation: The recovery plan is tested every quarter.\n"
    )
}

fn azure() -> String {
    format!(
        "service: azure\ncertification: {CERT}\n{HEAD}controls:\n  CC6.1:\n    status: planned\n"
    )
}

fn repo() -> TestRepo {
    let repo = TestRepo::base();
    repo.write(OFFICE, office());
    repo.write(AZURE, azure());
    repo
}

fn run(repo: &TestRepo, args: &[&str]) -> Output {
    run_env(repo.path(), args, &[])
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}\n{}", out.stdout, out.stderr))
}

/// The certification as its file holds it (`catalog show --format json`).
fn catalog() -> Value {
    let repo = TestRepo::base();
    let out = run(&repo, &["catalog", "show", CERT, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&out)
}

/// Control id → (family category, score), from the certification file.
fn scores() -> BTreeMap<String, (String, u64)> {
    let mut out = BTreeMap::new();
    for f in catalog()["families"].as_array().expect("families") {
        let category = f["category"].as_str().unwrap_or("").to_owned();
        for c in f["controls"].as_array().expect("controls") {
            out.insert(
                c["id"].as_str().expect("id").to_owned(),
                (category.clone(), c["score"].as_u64().expect("score")),
            );
        }
    }
    out
}

/// The provider-managed controls of a built-in SOC 2 template, read from its file.
fn provider(service: &str) -> Vec<String> {
    let path = project_root().join(format!("catalog/templates/{service}--{CERT}.yaml"));
    let text = std::fs::read_to_string(path).expect("template");
    text.lines()
        .filter_map(|l| {
            l.strip_prefix("  \"")?
                .strip_suffix("\":")
                .map(str::to_owned)
        })
        .collect()
}

/// The maximum score of an assessment covering `categories`: the sum of their controls'
/// scores, provider-managed ones included (they earn theirs from the template).
fn maximum(categories: &[&str]) -> u64 {
    scores()
        .values()
        .filter(|(cat, _)| categories.contains(&cat.as_str()))
        .map(|(_, s)| s)
        .sum()
}

/// The customer-managed controls of `service` in `categories`: the progress total.
fn customer(service: &str, categories: &[&str]) -> u64 {
    let provider = provider(service);
    scores()
        .iter()
        .filter(|(id, (cat, _))| categories.contains(&cat.as_str()) && !provider.contains(id))
        .count() as u64
}

/// `status --format json`: the tile of `key` (its score and maximum).
fn tile(repo: &TestRepo, key: &str) -> Value {
    let v = json(&run(repo, &["status", "--format", "json"]));
    v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["tiles"].as_array().expect("tiles").iter())
        .find(|t| t["assessment"] == key)
        .unwrap_or_else(|| panic!("no tile {key}: {v}"))
        .clone()
}

#[test]
fn ids_and_counts_are_the_published_structure() {
    let range = |prefix: &str, series: u32, n: u32| -> Vec<String> {
        (1..=n).map(|i| format!("{prefix}{series}.{i}")).collect()
    };
    let mut common = Vec::new();
    for (series, n) in [
        (1, 5),
        (2, 3),
        (3, 4),
        (4, 2),
        (5, 3),
        (6, 8),
        (7, 5),
        (8, 1),
        (9, 2),
    ] {
        common.extend(range("CC", series, n));
    }
    let mut privacy = Vec::new();
    for (series, n) in [
        (1, 1),
        (2, 1),
        (3, 2),
        (4, 3),
        (5, 2),
        (6, 7),
        (7, 1),
        (8, 1),
    ] {
        privacy.extend(range("P", series, n));
    }
    let expected: Vec<(&str, Vec<String>)> = vec![
        ("security", common),
        ("availability", range("A", 1, 3)),
        ("confidentiality", range("C", 1, 2)),
        ("processing-integrity", range("PI", 1, 5)),
        ("privacy", privacy),
    ];
    let cert = catalog();
    assert_eq!(cert["name"], "SOC 2");
    assert_eq!(cert["family_term"], "Series");
    let categories: Vec<(&str, bool)> = cert["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| (c["id"].as_str().expect("id"), c["required"] == true))
        .collect();
    assert_eq!(
        categories,
        [
            ("security", true),
            ("availability", false),
            ("confidentiality", false),
            ("processing-integrity", false),
            ("privacy", false)
        ]
    );
    // Every family names its category; the ids of each category in catalog order.
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let families = cert["families"].as_array().expect("families");
    for f in families {
        let category = f["category"].as_str().expect("every family has a category");
        for c in f["controls"].as_array().expect("controls") {
            found
                .entry(category.to_owned())
                .or_default()
                .push(c["id"].as_str().expect("id").to_owned());
        }
    }
    for (category, ids) in &expected {
        assert_eq!(found[*category], *ids, "{category}");
    }
    let counts: Vec<usize> = expected.iter().map(|(_, ids)| ids.len()).collect();
    assert_eq!(counts, [33, 3, 2, 5, 18]);
    assert_eq!(found.values().map(Vec::len).sum::<usize>(), 61);
    // Nine common-criteria series, one per additional category but privacy's eight.
    assert_eq!(families.len(), 9 + 1 + 1 + 1 + 8);
    // Each service has a template, and the catalog validates clean with them.
    let list = run(&TestRepo::base(), &["catalog", "list"]);
    assert!(list.stdout.contains("soc2-tsc-2017"), "{}", list.stdout);
    for service in ["office-365", "azure", "dynamics-365"] {
        let p = provider(service);
        assert!(
            p.contains(&"CC6.4".to_owned()),
            "{service}: physical access"
        );
        assert!(
            !p.contains(&"A1.3".to_owned()),
            "{service}: recovery tests are the customer's"
        );
    }
}

#[test]
fn without_categories_only_the_common_criteria_count_and_choosing_one_adds_its_controls() {
    let repo = repo();
    let out = run(&repo, &["validate"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let common = maximum(&["security"]);
    assert_eq!(tile(&repo, AZURE_KEY)["max"].as_u64(), Some(common));
    assert_eq!(
        tile(&repo, AZURE_KEY)["total"].as_u64(),
        Some(customer("azure", &["security"]))
    );
    let listed = json(&run(&repo, &["controls", AZURE_KEY, "--format", "json"])).to_string();
    assert!(
        listed.contains("\"CC6.1\"") && !listed.contains("\"A1.3\""),
        "{listed}"
    );

    let before = repo.read(AZURE);
    let out = run(
        &repo,
        &[
            "assessment",
            "scope",
            AZURE_KEY,
            "--add",
            "availability",
            "--as",
            "alice@example.com",
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // A minimal diff: the list goes in before `controls`, and the newly covered A1.3
    // joins its sync class, filled from Office 365's as `assessment new` would.
    assert_eq!(
        repo.read(AZURE),
        before.replace("controls:", "categories:\n  - availability\ncontrols:")
            + "  A1.3:\n    status: implemented\n    implementation: The recovery plan is tested every quarter.\n"
    );
    let grown = maximum(&["security", "availability"]);
    assert!(grown > common);
    assert_eq!(tile(&repo, AZURE_KEY)["max"].as_u64(), Some(grown));
    assert_eq!(
        tile(&repo, AZURE_KEY)["total"].as_u64(),
        Some(customer("azure", &["security", "availability"]))
    );
    let listed = json(&run(&repo, &["controls", AZURE_KEY, "--format", "json"])).to_string();
    assert!(listed.contains("\"A1.3\""), "{listed}");
    let show = json(&run(
        &repo,
        &["assessment", "show", AZURE_KEY, "--format", "json"],
    ));
    let ids: Vec<&str> = show["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["security", "availability"]);
    let text = run(&repo, &["assessment", "show", AZURE_KEY]).stdout;
    assert!(
        text.contains(
            "Categories     Security (common criteria) (security), Availability (availability)"
        ),
        "{text}"
    );

    // A new assessment chooses them with --category; an unknown one is refused.
    let out = run(
        &repo,
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "dynamics-365",
            "--certification",
            CERT,
            "--category",
            "privacy",
            "--as",
            "alice@example.com",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let dynamics = "default-group/dynamics-365--soc2-tsc-2017";
    assert_eq!(
        tile(&repo, dynamics)["max"].as_u64(),
        Some(maximum(&["security", "privacy"]))
    );
    let before = snapshot(repo.path());
    let out = run(
        &repo,
        &[
            "assessment",
            "scope",
            dynamics,
            "--add",
            "availabilty",
            "--as",
            "alice@example.com",
        ],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `availability`?"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn a_record_outside_the_categories_is_a_finding_that_names_the_category() {
    let repo = repo();
    repo.write(AZURE, azure() + "  A1.1:\n    status: implemented\n");
    let out = run(&repo, &["validate", "--format", "json"]);
    assert_eq!(out.code, 1);
    let findings = located(&out);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let (code, file, line, column, help) = &findings[0];
    assert_eq!(
        (code.as_str(), file.as_str(), *line, *column),
        ("control-outside-categories", AZURE, 8, 3)
    );
    assert!(
        help.contains(&format!(
            "assure assessment scope {AZURE_KEY} --add availability"
        )),
        "{help}"
    );
    let text = run(&repo, &["validate"]).stdout;
    assert!(
        text.contains("`A1.1` is in the Availability category of SOC 2"),
        "{text}"
    );
    // The record counts nowhere: the maximum is still the common criteria's.
    assert_eq!(
        tile(&repo, AZURE_KEY)["max"].as_u64(),
        Some(maximum(&["security"]))
    );
    // The editing commands do not write there either.
    let before = snapshot(repo.path());
    let out = run(
        &repo,
        &[
            "control",
            "set",
            AZURE_KEY,
            "A1.3",
            "--status",
            "planned",
            "--as",
            "alice@example.com",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--add availability"), "{}", out.stderr);
    assert_eq!(snapshot(repo.path()), before);

    // `categories:` on a certification without any is a finding too.
    let repo = TestRepo::base();
    let gdpr = "groups/default-group/office-365--gdpr.yaml";
    let text = repo
        .read(gdpr)
        .replacen("controls:", "categories: [privacy]\ncontrols:", 1);
    repo.write(gdpr, text);
    let findings = located(&run(&repo, &["validate", "--format", "json"]));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].0, "unknown-category");
    assert!(
        findings[0].4.contains("GDPR has no categories to choose"),
        "{:?}",
        findings[0]
    );
}

#[test]
fn sync_never_writes_into_a_category_the_assessment_does_not_cover() {
    let repo = repo();
    let azure_before = repo.read(AZURE);
    let out = run(&repo, &["sync", "--as", "alice@example.com"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(repo.read(AZURE), azure_before, "{}", out.stdout);
    // An edit of A1.3 in Office 365 syncs its group, and leaves Azure alone.
    let out = run(
        &repo,
        &[
            "control",
            "set",
            OFFICE_KEY,
            "A1.3",
            "--implementation",
            "Tested twice a year.",
            "--as",
            "dave@example.com",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(repo.read(AZURE), azure_before);
    assert!(repo.read(OFFICE).contains("Tested twice a year."));

    // Once Azure covers availability, A1.3 is one class again and sync fills it: the
    // fixture is a real class that only the categories kept apart.
    let out = run(
        &repo,
        &[
            "assessment",
            "scope",
            AZURE_KEY,
            "--add",
            "availability",
            "--as",
            "alice@example.com",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(&repo, &["sync", "--as", "alice@example.com"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        repo.read(AZURE).contains("Tested twice a year."),
        "{}",
        out.stdout
    );
}

#[test]
fn removing_a_category_whose_controls_hold_work_is_refused_and_nothing_is_written() {
    let repo = repo();
    let before = snapshot(repo.path());
    let out = run(
        &repo,
        &[
            "assessment",
            "scope",
            OFFICE_KEY,
            "--remove",
            "availability",
            "--as",
            "alice@example.com",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("the controls A1.3 of"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("`controls:` in {OFFICE}")),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
    // Without the work, the category goes.
    repo.write(OFFICE, office().split("  A1.3:").next().expect("head"));
    let out = run(
        &repo,
        &[
            "assessment",
            "scope",
            OFFICE_KEY,
            "--remove",
            "availability",
            "--as",
            "alice@example.com",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !repo.read(OFFICE).contains("availability"),
        "{}",
        repo.read(OFFICE)
    );
}

#[test]
fn choosing_categories_needs_the_role_that_creates_assessments_in_the_command_and_the_gate() {
    let c = Change::new();
    c.repo.write(AZURE, azure());
    c.commit("carol@example.com", "SOC 2 for Azure");
    let base = c.git.repo.head().expect("head").target().expect("oid");

    // The command refuses Dave (contributor), and writes nothing.
    let before = snapshot(c.repo.path());
    let out = c.run(&[
        "assessment",
        "scope",
        AZURE_KEY,
        "--add",
        "availability",
        "--as",
        "dave@example.com",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(&format!(
            "change `categories` of assessment {AZURE_KEY}: {MANAGE}"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(c.repo.path()), before);

    // Dave's hand edit of the same line is refused by the gate, for the same reason.
    c.edit(AZURE, "controls:", "categories: [availability]\ncontrols:");
    c.commit("dave@example.com", "Add availability");
    let (code, findings) = gate_only(c.check_from(base, &[]));
    assert_eq!(code, 1, "{findings:?}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].code, "permission-denied");
    assert_eq!(findings[0].file, AZURE);
    assert!(
        findings[0]
            .message
            .contains("change `categories` of assessment"),
        "{:?}",
        findings[0]
    );
    assert!(findings[0].message.contains(MANAGE), "{:?}", findings[0]);

    // Alice (administrator) may, through the gate and through the command alike.
    c.git.reset_hard(base);
    c.edit(AZURE, "controls:", "categories: [availability]\ncontrols:");
    c.commit("alice@example.com", "Add availability");
    let (code, findings) = gate_only(c.check_from(base, &[]));
    assert_eq!((code, findings), (0, vec![]));
}

#[test]
fn the_site_and_the_workbook_leave_out_controls_of_categories_not_chosen() {
    let repo = repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let ctx = assure::ops::report::context(&project, chrono::Utc::now());
    let files = site::render(
        &project,
        &ctx,
        &SiteOptions::default(),
        &History::default(),
        &|_, _| {},
    )
    .expect("render");
    // The page and the controls its script draws from the group's data.
    let page = |key: &str| {
        let name = format!("assessments/{}.html", key.replace('/', "--"));
        crate::support::site_data::page_text_with(&|p| files.get(p).cloned(), &name)
    };
    assert!(page(OFFICE_KEY).contains("A1.3"));
    assert!(page(AZURE_KEY).contains("CC6.1"));
    assert!(!page(AZURE_KEY).contains("A1.3"), "{}", page(AZURE_KEY));
    assert!(!page(AZURE_KEY).contains("Availability"));

    let cells = |key: &str| -> Vec<String> {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("book.xlsx");
        let out = run(
            &repo,
            &["report", "excel", key, "-o", file.to_str().expect("utf-8")],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let mut book: Xlsx<_> = open_workbook(&file).expect("open");
        let mut all = Vec::new();
        for sheet in book.sheet_names() {
            let range = book.worksheet_range(&sheet).expect("sheet");
            all.extend(range.rows().flatten().map(|c| c.to_string()));
        }
        all
    };
    assert!(cells(OFFICE_KEY).iter().any(|c| c == "A1.3"));
    let azure = cells(AZURE_KEY);
    assert!(azure.iter().any(|c| c == "CC6.1"));
    assert!(!azure.iter().any(|c| c.starts_with("A1.")), "{azure:?}");
}

#[test]
fn filtering_on_a_control_of_a_category_not_covered_names_the_category() {
    let repo = repo();
    // Azure covers no optional category: A1.3 is SOC 2's, but not this assessment's.
    let out = run(&repo, &["controls", AZURE_KEY, "--control", "A1.3"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("`A1.3` is a control of the category Availability")
            && out.stderr.contains(&format!(
                "assure assessment scope {AZURE_KEY} --add availability"
            )),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "no listing: {}", out.stdout);
    // Office 365 covers availability: the same filter lists the control.
    let out = run(
        &repo,
        &[
            "controls",
            OFFICE_KEY,
            "--control",
            "A1.3",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listing = json(&out);
    let ids: Vec<&str> = listing["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(ids, ["A1.3"]);
}
