//! ISO/IEC 27001:2022 in the built-in catalog: its published structure (93 controls in
//! four themes), ISO/IEC 27002:2022's attributes and the `--attribute` filter over them,
//! the 2013→2022 correspondence and the 2022→SP 800-53 crosswalk, and the templates.

use std::collections::{BTreeMap, BTreeSet};

use assure::catalog::CertInfo;
use assure::model::Coverage;
use assure::ops::Project;

use crate::support::{Output, TestRepo, project_root, run_env};

const CERT: &str = "iso-27001-2022";
const OLD: &str = "iso-27001-2013";
/// The eleven controls ISO/IEC 27002:2022 added: no 2013 control leads to them.
const NEW_IN_2022: [&str; 11] = [
    "A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11", "A.8.12", "A.8.16",
    "A.8.23", "A.8.28",
];
const ADMIN: &str = "alice@contoso.com";

fn project() -> (TestRepo, Project) {
    let repo = TestRepo::base();
    let project = Project::work_tree(repo.path()).expect("open");
    (repo, project)
}

fn cert<'p>(project: &'p Project, id: &str) -> &'p CertInfo {
    &project.catalog.certifications[id]
}

/// The example repository with an ISO/IEC 27001:2022 assessment of `service` in its
/// default group, made by `assessment new`.
fn example_with(service: &str) -> (TestRepo, String) {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    let out = as_admin(
        &repo,
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            service,
            "--certification",
            CERT,
        ],
    );
    assert_eq!(out.code, 0, "assessment new: {}", out.stderr);
    (repo, format!("default-group/{service}--{CERT}"))
}

fn as_admin(repo: &TestRepo, args: &[&str]) -> Output {
    let mut full = vec!["--as", ADMIN];
    full.extend_from_slice(args);
    run_env(repo.path(), &full, &[])
}

fn json(out: &Output) -> serde_json::Value {
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("json")
}

/// The ids of the `controls --format json` listing.
fn matched(repo: &TestRepo, key: &str, filters: &[&str]) -> BTreeSet<String> {
    let mut args = vec!["controls", key, "--format", "json"];
    args.extend_from_slice(filters);
    json(&repo.run(&args))["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn the_2022_annex_has_93_controls_in_four_themes_numbered_without_gaps() {
    let (_repo, project) = project();
    let c = cert(&project, CERT);
    assert_eq!(c.cert.family_term(), "Theme");
    let themes: Vec<(&str, usize)> = c
        .cert
        .families
        .iter()
        .map(|f| (f.name.as_str(), f.controls.len()))
        .collect();
    assert_eq!(
        themes,
        vec![
            ("A.5 Organizational controls", 37),
            ("A.6 People controls", 8),
            ("A.7 Physical controls", 14),
            ("A.8 Technological controls", 34),
        ]
    );
    for (family, (theme, count)) in c
        .cert
        .families
        .iter()
        .zip([(5, 37), (6, 8), (7, 14), (8, 34)])
    {
        let ids: Vec<&str> = family.controls.iter().map(|x| x.id.as_str()).collect();
        let expected: Vec<String> = (1..=count).map(|n| format!("A.{theme}.{n}")).collect();
        assert_eq!(
            ids, expected,
            "theme A.{theme}: A.{theme}.1 … in order, no gaps"
        );
    }
    assert_eq!(c.control_ids().count(), 93);
    assert!(
        c.controls()
            .all(|(_, x)| (1..=8).contains(&x.score) && !x.title.is_empty()),
        "every control has a title and a score value of the catalog's scale"
    );
}

#[test]
fn every_2022_control_has_a_control_type_and_a_security_property_from_the_standards_sets() {
    let (_repo, project) = project();
    let allowed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::from([
        (
            "control-type",
            BTreeSet::from(["preventive", "detective", "corrective"]),
        ),
        (
            "security-property",
            BTreeSet::from(["confidentiality", "integrity", "availability"]),
        ),
    ]);
    let c = cert(&project, CERT);
    for (_, control) in c.controls() {
        let names: BTreeSet<&str> = control.attributes.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            allowed.keys().copied().collect(),
            "{}: both attributes, no other",
            control.id
        );
        for (name, values) in &control.attributes {
            assert!(!values.is_empty(), "{} {name}", control.id);
            let unique: BTreeSet<&str> = values.iter().map(String::as_str).collect();
            assert_eq!(
                unique.len(),
                values.len(),
                "{} {name}: no repeats",
                control.id
            );
            assert!(
                unique.is_subset(&allowed[name.as_str()]),
                "{} {name}: {values:?}",
                control.id
            );
        }
    }
    // Facts of ISO/IEC 27002:2022 Table A.1, spot-checked.
    let of = |id: &str, name: &str| -> Vec<String> {
        c.control(id).expect(id).1.attributes[name].clone()
    };
    assert_eq!(
        of("A.5.7", "control-type"),
        ["preventive", "detective", "corrective"]
    );
    assert_eq!(of("A.5.30", "security-property"), ["availability"]);
    assert_eq!(of("A.8.13", "control-type"), ["corrective"]);
    assert_eq!(of("A.8.17", "security-property"), ["integrity"]);
    assert_eq!(
        of("A.7.12", "security-property"),
        ["confidentiality", "availability"]
    );
}

#[test]
fn catalog_list_and_show_have_the_2022_annex_and_its_attributes() {
    let repo = TestRepo::base();
    let list = repo.run(&["catalog", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let line = list
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("iso-27001-2022 "))
        .expect("listed");
    assert!(
        line.contains("ISO/IEC 27001:2022") && line.contains("93 controls in 4 themes"),
        "{line}"
    );
    // Every certification's families are counted in its own word, in the plural.
    for (id, words) in [
        ("gdpr", "in 12 areas"),
        ("iso-27001-2013", "in 14 clauses"),
        ("nist-800-53-r5", "in 20 families"),
        ("nist-csf-2", "in 22 categories"),
        ("soc2-tsc-2017", "in 20 series"),
    ] {
        assert!(
            list.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{id} ")) && l.ends_with(words)),
            "{id} {words}:\n{}",
            list.stdout
        );
    }

    let show = repo.run(&["catalog", "show", CERT]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let a526 = show
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("A.5.26 "))
        .expect("A.5.26 shown");
    assert!(
        a526.ends_with(
            "control-type=corrective security-property=confidentiality,integrity,availability"
        ),
        "{a526}"
    );
    let v = json(&repo.run(&["catalog", "show", CERT, "--format", "json"]));
    assert_eq!(
        v["families"][3]["controls"][16]["id"], "A.8.17",
        "the fourth theme's seventeenth control"
    );
    assert_eq!(
        v["families"][3]["controls"][16]["attributes"],
        serde_json::json!({"control-type": ["detective"], "security-property": ["integrity"]})
    );
}

#[test]
fn the_attribute_filter_selects_what_the_catalog_says() {
    let (repo, key) = example_with("office-365");
    let project = Project::work_tree(repo.path()).expect("open");
    let c = cert(&project, CERT);
    let provider: BTreeSet<&String> = project
        .catalog
        .template("office-365", CERT)
        .expect("template")
        .template
        .provider_controls
        .keys()
        .collect();
    let has = |id: &str, name: &str, value: &str| {
        c.control(id).expect(id).1.attributes[name]
            .iter()
            .any(|v| v == value)
    };
    let expect = |pred: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
        c.control_ids()
            .filter(|id| !provider.contains(&id.to_string()))
            .filter(|id| pred(id))
            .map(str::to_owned)
            .collect()
    };

    let corrective = matched(&repo, &key, &["--attribute", "control-type=corrective"]);
    assert_eq!(
        corrective,
        expect(&|id| has(id, "control-type", "corrective"))
    );
    assert!(corrective.contains("A.5.26") && !corrective.contains("A.5.1"));

    // Two values of one name: either (OR).
    let either = matched(
        &repo,
        &key,
        &[
            "--attribute",
            "control-type=corrective",
            "--attribute",
            "control-type=detective",
        ],
    );
    assert_eq!(
        either,
        expect(&|id| has(id, "control-type", "corrective") || has(id, "control-type", "detective"))
    );
    assert!(either.len() > corrective.len());

    // Two names: both (AND), and with another filter too.
    let both = matched(
        &repo,
        &key,
        &[
            "--attribute",
            "control-type=detective",
            "--attribute",
            "security-property=confidentiality",
        ],
    );
    assert_eq!(
        both,
        expect(&|id| has(id, "control-type", "detective")
            && has(id, "security-property", "confidentiality"))
    );
    assert!(
        !both.is_empty() && !both.contains("A.8.6"),
        "A.8.6 is integrity, availability"
    );
    let in_a8 = matched(
        &repo,
        &key,
        &[
            "--attribute",
            "security-property=availability",
            "--control",
            "A.8.1*",
        ],
    );
    assert_eq!(
        in_a8,
        expect(&|id| id.starts_with("A.8.1") && has(id, "security-property", "availability"))
    );
    // Case and spaces as a user types them: the same answer.
    assert_eq!(
        matched(&repo, &key, &["--attribute", " Control-Type = CORRECTIVE "]),
        corrective
    );

    // The listing's JSON says which attributes were asked for.
    let v = json(&repo.run(&[
        "controls",
        &key,
        "--attribute",
        "control-type=corrective",
        "--format",
        "json",
    ]));
    assert_eq!(
        v["filter"]["attributes"],
        serde_json::json!(["control-type=corrective"])
    );
    assert_eq!(
        v["matches"].as_array().expect("list").len(),
        corrective.len()
    );
}

#[test]
fn an_attribute_or_value_that_names_nothing_is_a_usage_error_with_a_hint() {
    let (repo, key) = example_with("azure");
    let cases: [(&str, &str); 5] = [
        ("control-typ=preventive", "did you mean `control-type`?"),
        ("control-type=preventative", "did you mean `preventive`?"),
        ("security-property=", "has security-property ``"),
        ("preventive", "is not NAME=VALUE"),
        (
            "control-type=preventive=yes",
            "has control-type `preventive=yes`",
        ),
    ];
    for (value, hint) in cases {
        let out = repo.run(&["controls", &key, "--attribute", value]);
        assert_eq!(out.code, 2, "{value}: {}", out.stderr);
        assert!(out.stderr.contains(hint), "{value}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{value}: no listing");
    }
    let gdpr = repo.run(&[
        "controls",
        "default-group/office-365--gdpr",
        "--attribute",
        "control-type=preventive",
    ]);
    assert_eq!(gdpr.code, 2);
    assert!(
        gdpr.stderr
            .contains("the controls of GDPR declare no attributes"),
        "{}",
        gdpr.stderr
    );
}

#[test]
fn control_show_gives_the_attributes_in_text_and_json() {
    let (repo, key) = example_with("dynamics-365");
    let text = repo.run(&["control", "show", &key, "A.8.16"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(
            "attributes: control-type=detective,corrective security-property=confidentiality,integrity,availability"
        ),
        "{}",
        text.stdout
    );
    let v = json(&repo.run(&["control", "show", &key, "A.8.16", "--format", "json"]));
    assert_eq!(
        v["attributes"],
        serde_json::json!({
            "control-type": ["detective", "corrective"],
            "security-property": ["confidentiality", "integrity", "availability"],
        })
    );
    // A control of a certification without attributes: an empty object, no text line.
    let gdpr = json(&repo.run(&[
        "control",
        "show",
        "default-group/office-365--gdpr",
        "6.10.1.2",
        "--format",
        "json",
    ]));
    assert_eq!(gdpr["attributes"], serde_json::json!({}));
}

#[test]
fn the_correspondence_leads_every_2013_control_to_2022_and_leaves_the_new_ones_without_a_source() {
    let (_repo, project) = project();
    let cat = &project.catalog;
    let old = cert(&project, OLD);
    let new = cert(&project, CERT);
    let to_2022 = |id: &str| -> Vec<(String, Coverage)> {
        cat.informative(OLD, id)
            .iter()
            .filter(|(r, _)| r.starts_with("iso-27001-2022:"))
            .cloned()
            .collect()
    };
    assert_eq!(old.control_ids().count(), 114);
    for id in old.control_ids() {
        assert!(!to_2022(id).is_empty(), "{id} leads to a 2022 control");
    }
    // Published facts of Table B.2, with the coverage rule: one-to-one is full, a merge
    // or a split partial.
    assert_eq!(
        to_2022("A.18.2.3"),
        vec![
            ("iso-27001-2022:A.5.36".to_owned(), Coverage::Partial),
            ("iso-27001-2022:A.8.8".to_owned(), Coverage::Partial),
        ]
    );
    assert_eq!(
        to_2022("A.6.1.2"),
        vec![("iso-27001-2022:A.5.3".to_owned(), Coverage::Full)]
    );
    assert_eq!(
        to_2022("A.13.2.3"),
        vec![("iso-27001-2022:A.5.14".to_owned(), Coverage::Partial)]
    );
    assert_eq!(
        to_2022("A.12.7.1"),
        vec![("iso-27001-2022:A.8.34".to_owned(), Coverage::Full)]
    );

    let without_source: Vec<&str> = new
        .control_ids()
        .filter(|id| {
            !cat.informative(CERT, id)
                .iter()
                .any(|(r, _)| r.starts_with("iso-27001-2013:"))
        })
        .collect();
    assert_eq!(without_source, NEW_IN_2022);
}

/// The `from`/`to` references of a built-in mapping file, read from its text.
fn mapping_refs(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(project_root().join("catalog/mappings").join(file))
        .expect("mapping file");
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- { from: "))
        .map(|l| {
            let (from, rest) = l.split_once(", to: ").expect("to");
            let (to, _) = rest.split_once(", coverage: ").expect("coverage");
            (from.to_owned(), to.to_owned())
        })
        .collect()
}

#[test]
fn every_id_of_the_2022_mappings_exists_on_both_sides() {
    let (_repo, project) = project();
    assert_eq!(project.diagnostics, vec![], "the catalog loads clean");
    for (file, from, to, at_least) in [
        ("iso-27001-2013--iso-27001-2022.yaml", OLD, CERT, 115),
        (
            "iso-27001-2022--nist-800-53-r5.yaml",
            CERT,
            "nist-800-53-r5",
            400,
        ),
    ] {
        let refs = mapping_refs(file);
        assert!(refs.len() >= at_least, "{file}: {} pairs", refs.len());
        for (f, t) in &refs {
            assert!(f.starts_with(&format!("{from}:")), "{file}: {f}");
            assert!(t.starts_with(&format!("{to}:")), "{file}: {t}");
            assert!(project.catalog.has_ref(f), "{file}: {f} exists");
            assert!(project.catalog.has_ref(t), "{file}: {t} exists");
        }
        let unique: BTreeSet<_> = refs.iter().collect();
        assert_eq!(unique.len(), refs.len(), "{file}: no pair twice");
    }
}

#[test]
fn assessment_new_works_from_each_2022_template_and_validates_clean() {
    for service in ["office-365", "azure", "dynamics-365"] {
        let (repo, key) = example_with(service);
        // On the day of the example's last test: before its evidence ages (the demo shows
        // it expired, tests/it/freshview21.rs).
        let validate = repo.run(&["validate", "--today", "2019-08-20"]);
        assert_eq!(
            validate.code, 0,
            "{service}: {}{}",
            validate.stdout, validate.stderr
        );
        assert!(
            validate.stdout.contains("no problems found"),
            "{service}: {}",
            validate.stdout
        );

        let project = Project::work_tree(repo.path()).expect("open");
        let template = project.catalog.template(service, CERT).expect("template");
        let provider = &template.template.provider_controls;
        // Physical security moved with the correspondence to the A.7 theme.
        for id in ["A.7.1", "A.7.2", "A.7.8", "A.7.11", "A.7.14"] {
            assert!(
                provider.contains_key(id),
                "{service}: {id} is provider-managed"
            );
        }
        let all = json(&repo.run(&["controls", &key, "--format", "json"]));
        assert_eq!(
            all["customer_controls"].as_u64().expect("count") as usize,
            93 - provider.len(),
            "{service}"
        );
        let shown = json(&repo.run(&["control", "show", &key, "A.7.1", "--format", "json"]));
        assert_eq!(shown["managed_by"], "provider", "{service}");
    }
}
