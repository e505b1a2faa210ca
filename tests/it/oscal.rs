//! The OSCAL importer against NIST's published files and small hand-written documents.
//! Expected counts are computed from the JSON here, independently of the importer.
//!
//! Every test runs in a plain `cargo test` against the trimmed copies vendored under
//! `tests/fixtures/oscal/` (see its README: what was kept, by `trim.py`). The same checks
//! over NIST's full files, with the numbers NIST states, are the `full_*` tests:
//! `#[ignore = "needs ../shared/reference"]`, run by `.ci/run` when that folder is beside
//! the clone. Run by hand without it, they fail: they never pass by skipping.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assure::model::{CatalogControl, Certification};
use assure::ops::import_oscal::{ImportRequest, import_oscal};
use assure::oscal::{ImportOptions, write::certification_yaml};
use serde_json::Value;

/// NIST's full OSCAL content, beside the clone (not in a user's clone).
fn reference(rel: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
    assert!(
        root.is_dir(),
        "{} is missing: this test reads NIST's full OSCAL content from there \
         (the plain `cargo test` uses the trimmed copies in tests/fixtures/oscal/)",
        root.display()
    );
    root.join(rel)
}

/// A file vendored under `tests/fixtures/oscal/`.
fn fixture(rel: &str) -> PathBuf {
    crate::support::fixtures().join("oscal").join(rel)
}

/// One copy of NIST's SP 800-53 rev5 files (catalog, baseline profiles, LOW resolved
/// catalog) in NIST's `json/` and `yaml/` layout, with what is known about it.
struct Nist {
    /// The folder holding `json/` and `yaml/`.
    dir: fn() -> PathBuf,
    /// Controls in the catalog (withdrawn ones too), and those not withdrawn.
    controls: usize,
    active: usize,
    families: usize,
    /// `with-ids` per baseline profile.
    baselines: [(&'static str, usize); 4],
    json: OnceLock<Value>,
    cert: OnceLock<Certification>,
}

/// The trimmed copies `tests/fixtures/oscal/trim.py` made (3 families, 28 controls, of
/// which 7 are withdrawn); counted with Python's json module.
static TRIMMED: Nist = Nist {
    dir: || fixture("sp800-53"),
    controls: 28,
    active: 21,
    families: 3,
    baselines: [("LOW", 4), ("MODERATE", 10), ("HIGH", 12), ("PRIVACY", 4)],
    json: OnceLock::new(),
    cert: OnceLock::new(),
};

/// NIST's full files in `../shared/reference`, with the numbers NIST states for 5.2.0
/// (catalog) and 5.1.1+u4 (profiles).
static FULL: Nist = Nist {
    dir: || reference("nist-oscal-content/SP800-53/rev5"),
    controls: 1196,
    active: 1014,
    families: 20,
    baselines: [
        ("LOW", 149),
        ("MODERATE", 287),
        ("HIGH", 370),
        ("PRIVACY", 96),
    ],
    json: OnceLock::new(),
    cert: OnceLock::new(),
};

impl Nist {
    fn catalog_path(&self) -> PathBuf {
        (self.dir)().join("json/NIST_SP-800-53_rev5_catalog.json")
    }

    fn profile_path(&self, baseline: &str, format: &str) -> PathBuf {
        (self.dir)().join(format!(
            "{format}/NIST_SP-800-53_rev5_{baseline}-baseline_profile.{format}"
        ))
    }

    /// The catalog as plain JSON, read once.
    fn catalog_json(&self) -> &Value {
        self.json.get_or_init(|| read_json(&self.catalog_path()))
    }

    /// The catalog imported with statements, once.
    fn catalog(&self) -> &Certification {
        self.cert.get_or_init(|| {
            import_oscal(&request(self.catalog_path())).expect("the NIST catalog imports")
        })
    }

    /// (OSCAL id, label without class, title, innermost group title, withdrawn) of every
    /// control in the catalog, walked directly from the JSON.
    fn controls(&self) -> Vec<(String, String, String, String, bool)> {
        fn walk(
            controls: &Value,
            family: &str,
            out: &mut Vec<(String, String, String, String, bool)>,
        ) {
            for c in controls.as_array().into_iter().flatten() {
                let props = c["props"].as_array().cloned().unwrap_or_default();
                let label = props
                    .iter()
                    .find(|p| p["name"] == "label" && p.get("class").is_none())
                    .and_then(|p| p["value"].as_str())
                    .unwrap_or_default()
                    .to_string();
                let withdrawn = props
                    .iter()
                    .any(|p| p["name"] == "status" && p["value"] == "withdrawn");
                out.push((
                    c["id"].as_str().unwrap_or_default().to_string(),
                    label,
                    c["title"].as_str().unwrap_or_default().trim().to_string(),
                    family.to_string(),
                    withdrawn,
                ));
                walk(&c["controls"], family, out);
            }
        }
        let mut out = Vec::new();
        for g in self.catalog_json()["catalog"]["groups"]
            .as_array()
            .into_iter()
            .flatten()
        {
            walk(
                &g["controls"],
                g["title"].as_str().unwrap_or_default(),
                &mut out,
            );
        }
        out
    }

    /// The `with-ids` a baseline profile lists, read from its JSON.
    fn profile_ids(&self, baseline: &str) -> BTreeSet<String> {
        let json = read_json(&self.profile_path(baseline, "json"));
        let mut ids = BTreeSet::new();
        for import in json["profile"]["imports"].as_array().into_iter().flatten() {
            for include in import["include-controls"].as_array().into_iter().flatten() {
                for id in include["with-ids"].as_array().into_iter().flatten() {
                    ids.insert(id.as_str().unwrap_or_default().to_string());
                }
            }
        }
        ids
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("reference JSON parses")
}

fn request(input: PathBuf) -> ImportRequest {
    ImportRequest {
        input,
        catalog: None,
        profile: None,
        score_profiles: Vec::new(),
        options: ImportOptions::default(),
    }
}

fn controls(cert: &Certification) -> BTreeMap<String, (String, CatalogControl)> {
    let mut map = BTreeMap::new();
    for family in &cert.families {
        for control in &family.controls {
            let previous = map.insert(control.id.clone(), (family.name.clone(), control.clone()));
            assert!(previous.is_none(), "control id {} twice", control.id);
        }
    }
    map
}

fn count(cert: &Certification) -> usize {
    cert.families.iter().map(|f| f.controls.len()).sum()
}

fn error(req: &ImportRequest) -> String {
    match import_oscal(req) {
        Ok(cert) => panic!("expected an error, got {}", cert.id),
        Err(e) => e.to_string(),
    }
}

#[test]
fn nist_catalog_imports_every_active_control() {
    nist_catalog_imports_every_active_control_in(&TRIMMED);
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_nist_catalog_imports_every_active_control() {
    nist_catalog_imports_every_active_control_in(&FULL);
}

fn nist_catalog_imports_every_active_control_in(nist: &Nist) {
    let cert = nist.catalog();
    let walked = nist.controls();
    let active: Vec<_> = walked.iter().filter(|c| !c.4).collect();
    assert_eq!(walked.len(), nist.controls, "controls in the catalog");
    assert_eq!(active.len(), nist.active, "controls not withdrawn");
    assert_eq!(count(cert), active.len());

    // Same ids, titles and families as the JSON says, in document order.
    let imported: Vec<(String, String, String)> = cert
        .families
        .iter()
        .flat_map(|f| {
            f.controls
                .iter()
                .map(|c| (c.id.clone(), c.title.clone(), f.name.clone()))
        })
        .collect();
    let expected: Vec<(String, String, String)> = active
        .iter()
        .map(|c| (c.1.clone(), c.2.clone(), c.3.clone()))
        .collect();
    if let Some(i) =
        (0..imported.len().max(expected.len())).find(|&i| imported.get(i) != expected.get(i))
    {
        panic!(
            "control {i} differs: imported {:?}, JSON {:?}",
            imported.get(i),
            expected.get(i)
        );
    }
    assert_eq!(cert.families.len(), nist.families);

    let by_id = controls(cert);
    let (family, sc13) = &by_id["SC-13"];
    assert_eq!(
        (family.as_str(), sc13.title.as_str()),
        (
            "System and Communications Protection",
            "Cryptographic Protection"
        )
    );
    let (family, ac21) = &by_id["AC-2(1)"];
    assert_eq!(
        (family.as_str(), ac21.title.as_str()),
        ("Access Control", "Automated System Account Management")
    );
    assert!(
        walked.iter().any(|c| c.1 == "AC-2(10)" && c.4),
        "AC-2(10) is withdrawn in the catalog"
    );
    assert!(
        !by_id.contains_key("AC-2(10)"),
        "withdrawn controls are left out"
    );
    assert!(
        walked.iter().any(|c| c.1 == "AC-13" && c.4) && !by_id.contains_key("AC-13"),
        "a withdrawn base control is left out too"
    );
    assert!(
        !by_id.contains_key("AC-02"),
        "the zero-padded label is not the id"
    );

    // The title's slug is over 40 characters: the file name's.
    assert_eq!(cert.id, "nist-sp-800-53-rev5-catalog");
    assert_eq!(cert.version, "5.2.0");
    assert!(cert.source.as_deref().is_some_and(|s| {
        s.starts_with("OSCAL catalog 'Electronic (OSCAL) Version of NIST SP 800-53 Rev 5.2.0")
            && s.ends_with("version 5.2.0, imported by assure")
    }));
    assert!(
        cert.families
            .iter()
            .flat_map(|f| &f.controls)
            .all(|c| c.score == 1 && c.articles.is_empty())
    );
}

#[test]
fn nist_statements_read_like_the_publication() {
    nist_statements_read_like_the_publication_in(&TRIMMED);
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_nist_statements_read_like_the_publication() {
    nist_statements_read_like_the_publication_in(&FULL);
}

fn nist_statements_read_like_the_publication_in(nist: &Nist) {
    let by_id = controls(nist.catalog());
    let ac1 = by_id["AC-1"].1.description.clone().unwrap_or_default();
    let mut lines = ac1.lines();
    assert_eq!(
        lines.next(),
        Some(
            "a. Develop, document, and disseminate to [Assignment: organization-defined personnel or roles]:"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "  1. [Selection (one or more): organization-level; mission/business process-level; system-level] access control policy that:"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "    (a) Addresses purpose, scope, roles, responsibilities, management commitment, coordination among organizational entities, and compliance; and"
        )
    );
    assert!(
        ac1.contains("b. Designate an [Assignment: organization-defined official] to manage"),
        "{ac1}"
    );
    assert!(ac1.contains("  1. Policy [Assignment: organization-defined frequency] and following [Assignment: organization-defined events]; and"), "{ac1}");
    let sc13 = by_id["SC-13"].1.description.clone().unwrap_or_default();
    assert_eq!(
        sc13,
        "a. Determine the [Assignment: organization-defined cryptographic uses]; and\n\
         b. Implement the following types of cryptography required for each specified cryptographic use: [Assignment: organization-defined types of cryptography]."
    );
    // No insertion is left unrendered, and every active control has a statement.
    for (id, (_, c)) in &by_id {
        let d = c
            .description
            .as_deref()
            .unwrap_or_else(|| panic!("{id} has no statement"));
        assert!(!d.contains("{{"), "{id}: {d}");
    }

    let mut req = request(nist.catalog_path());
    req.options.statements = false;
    req.options.id = Some("nist-800-53-r5".into());
    req.options.name = Some("NIST 800-53".into());
    let cert = import_oscal(&req).expect("imports");
    assert_eq!(
        (cert.id.as_str(), cert.name.as_str()),
        ("nist-800-53-r5", "NIST 800-53")
    );
    assert!(
        cert.families
            .iter()
            .flat_map(|f| &f.controls)
            .all(|c| c.description.is_none())
    );
}

#[test]
fn baseline_profiles_resolve_their_catalog_by_file_name() {
    baseline_profiles_resolve_their_catalog_by_file_name_in(&TRIMMED);
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_baseline_profiles_resolve_their_catalog_by_file_name() {
    baseline_profiles_resolve_their_catalog_by_file_name_in(&FULL);
}

fn baseline_profiles_resolve_their_catalog_by_file_name_in(nist: &Nist) {
    for (baseline, n) in nist.baselines {
        let ids = nist.profile_ids(baseline);
        assert_eq!(ids.len(), n, "{baseline}: {n} ids");
        let cert = import_oscal(&request(nist.profile_path(baseline, "json")))
            .unwrap_or_else(|e| panic!("{baseline}: {e}"));
        assert_eq!(count(&cert), ids.len(), "{baseline}");
        // The imported controls are exactly the listed ids, by their labels.
        let labels: BTreeSet<String> = nist
            .controls()
            .into_iter()
            .filter(|c| ids.contains(&c.0))
            .map(|c| c.1)
            .collect();
        assert_eq!(
            controls(&cert).keys().cloned().collect::<BTreeSet<_>>(),
            labels,
            "{baseline}"
        );
        assert!(
            cert.families.iter().all(|f| !f.controls.is_empty()),
            "{baseline}: no empty family"
        );
        assert_eq!(cert.version, "5.1.1+u4");
        let title = format!("NIST Special Publication 800-53 Revision 5.1.1 {baseline}");
        assert!(cert.name.starts_with(&title), "{}", cert.name);
        assert!(
            cert.source
                .as_deref()
                .is_some_and(|s| s.starts_with(&format!("OSCAL profile '{title}")))
        );
    }
}

#[test]
fn low_profile_matches_nists_resolved_catalog() {
    low_profile_matches_nists_resolved_catalog_in(&TRIMMED);
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_low_profile_matches_nists_resolved_catalog() {
    low_profile_matches_nists_resolved_catalog_in(&FULL);
}

fn low_profile_matches_nists_resolved_catalog_in(nist: &Nist) {
    let profile = import_oscal(&request(nist.profile_path("LOW", "json"))).expect("imports");
    let resolved =
        (nist.dir)().join("json/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json");
    let resolved = import_oscal(&request(resolved)).expect("imports");
    let ids = |c: &Certification| controls(c).keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(ids(&profile), ids(&resolved));
}

#[test]
fn catalog_restricted_by_a_profile_equals_the_profile() {
    catalog_restricted_by_a_profile_equals_the_profile_in(&TRIMMED);
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_catalog_restricted_by_a_profile_equals_the_profile() {
    catalog_restricted_by_a_profile_equals_the_profile_in(&FULL);
}

fn catalog_restricted_by_a_profile_equals_the_profile_in(nist: &Nist) {
    let mut req = request(nist.catalog_path());
    req.profile = Some(nist.profile_path("LOW", "json"));
    let restricted = import_oscal(&req).expect("imports");
    let direct = import_oscal(&request(nist.profile_path("LOW", "json"))).expect("imports");
    assert_eq!(restricted, direct);
}

#[test]
fn yaml_profile_needs_its_catalog_named() {
    yaml_profile_needs_its_catalog_named_in(&TRIMMED);
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_yaml_profile_needs_its_catalog_named() {
    yaml_profile_needs_its_catalog_named_in(&FULL);
}

fn yaml_profile_needs_its_catalog_named_in(nist: &Nist) {
    let yaml = nist.profile_path("LOW", "yaml");
    let e = error(&request(yaml.clone()));
    assert!(
        e.contains("NIST_SP-800-53_rev5_LOW-baseline_profile.yaml"),
        "{e}"
    );
    assert!(
        e.contains("cannot resolve the profile's import `#84cbf061-eb87-4ec1-8112-1f529232e907`"),
        "{e}"
    );
    assert!(
        e.contains("NIST_SP-800-53_rev5_catalog.json"),
        "tried the .json stem: {e}"
    );
    assert!(e.contains("--catalog FILE"), "{e}");

    let mut req = request(yaml);
    req.catalog = Some(nist.catalog_path());
    let from_yaml = import_oscal(&req).expect("imports");
    assert_eq!(count(&from_yaml), nist.baselines[0].1);
    let from_json = import_oscal(&request(nist.profile_path("LOW", "json"))).expect("imports");
    assert_eq!(from_yaml, from_json);
}

#[test]
fn basic_catalog_json_and_yaml_import_alike() {
    let json = import_oscal(&request(fixture("basic-catalog.json"))).expect("imports");
    let yaml = import_oscal(&request(fixture("basic-catalog.yaml"))).expect("imports");
    assert_eq!(json, yaml);
    // The title's slug is over 40 characters: the file name's.
    assert_eq!(json.id, "basic-catalog");
    assert_eq!(
        json.name,
        "Sample Security Catalog for Demonstration and Testing"
    );
    assert_eq!(json.version, "1.1");
    let shape: Vec<(&str, Vec<&str>)> = json
        .families
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.controls.iter().map(|c| c.id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("Internal Organization", vec!["1.1.1", "1.1.2"]),
            (
                "Business requirements of access control",
                vec!["2.1.1", "2.1.2"]
            ),
        ]
    );
    let first = &json.families[0].controls[0];
    assert_eq!(
        first.description.as_deref(),
        Some(
            "All information security responsibilities should be defined and allocated.\n\
             A value has been assigned to [Selection (one or more): initiating a device lock after \
             [Assignment: organization-defined a duration] of inactivity; requiring the user to initiate \
             a device lock before leaving the system unattended].\n\
             A cross link has been established with a choppy syntax: (choppy)."
        )
    );
}

#[test]
fn score_profiles_take_the_highest_score() {
    score_profiles_take_the_highest_score_in(&TRIMMED);
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_score_profiles_take_the_highest_score() {
    score_profiles_take_the_highest_score_in(&FULL);
}

fn score_profiles_take_the_highest_score_in(nist: &Nist) {
    let mut req = request(nist.catalog_path());
    req.options.default_score = 1;
    req.options.statements = false;
    req.score_profiles = vec![
        (nist.profile_path("LOW", "json"), 8),
        (nist.profile_path("MODERATE", "json"), 5),
        (nist.profile_path("HIGH", "json"), 3),
    ];
    let cert = import_oscal(&req).expect("imports");
    let by_id = controls(&cert);
    let (low, moderate, high) = (
        nist.profile_ids("LOW"),
        nist.profile_ids("MODERATE"),
        nist.profile_ids("HIGH"),
    );
    let label_of: BTreeMap<String, String> =
        nist.controls().into_iter().map(|c| (c.0, c.1)).collect();
    let pick = |pred: &dyn Fn(&String) -> bool| {
        let id = label_of
            .keys()
            .find(|id| pred(id))
            .expect("such a control exists");
        label_of[id].clone()
    };
    let high_only = pick(&|id| high.contains(id) && !moderate.contains(id) && !low.contains(id));
    let moderate_only = pick(&|id| moderate.contains(id) && !low.contains(id));
    let none = pick(&|id| {
        !high.contains(id)
            && !moderate.contains(id)
            && !low.contains(id)
            && by_id.contains_key(&label_of[id])
    });

    assert_eq!(by_id["SC-13"].1.score, 8);
    assert_eq!(by_id[&high_only].1.score, 3, "{high_only}");
    assert_eq!(by_id[&moderate_only].1.score, 5, "{moderate_only}");
    assert_eq!(by_id[&none].1.score, 1, "{none}");
    // Every score is the maximum over the baselines that select the control.
    for (oscal_id, label) in &label_of {
        let Some((_, c)) = by_id.get(label) else {
            continue;
        };
        let want = if low.contains(oscal_id) {
            8
        } else if moderate.contains(oscal_id) {
            5
        } else if high.contains(oscal_id) {
            3
        } else {
            1
        };
        assert_eq!(c.score, want, "{label}");
    }
}

#[test]
fn bad_input_says_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };

    let e = error(&request(write(
        "ssp.json",
        r#"{"system-security-plan": {"uuid": "x"}}"#,
    )));
    assert!(
        e.ends_with(
            "ssp.json: not an OSCAL catalog or profile: it is an OSCAL system-security-plan"
        ),
        "{e}"
    );
    let e = error(&request(write("other.yaml", "name: x\nitems: []\n")));
    assert!(e.ends_with("other.yaml: not an OSCAL catalog or profile: its root has `name`, `items` but no `catalog` or `profile` key"), "{e}");

    let e = error(&request(write(
        "broken.json",
        "{\n  \"catalog\": {\n    \"metadata\": ,\n  }\n}\n",
    )));
    assert!(
        e.contains("broken.json:3:17: invalid JSON: expected value"),
        "{e}"
    );
    let e = error(&request(write(
        "broken.yaml",
        "catalog:\n  metadata: [a, b\n  groups: x\n",
    )));
    assert!(
        e.contains("broken.yaml:") && e.contains("invalid YAML"),
        "{e}"
    );
    let e = error(&request(write(
        "nometa.json",
        r#"{"catalog": {"uuid": "x", "groups": []}}"#,
    )));
    assert!(
        e.ends_with(
            "nometa.json: not a valid OSCAL catalog: at `catalog`: missing field `metadata`"
        ),
        "{e}"
    );

    let orphan = write(
        "orphan.json",
        r#"{"profile": {"metadata": {"title": "Orphan"}, "imports": [{"href": "https://example.org/oscal/missing-catalog.json", "include-all": {}}]}}"#,
    );
    let e = error(&request(orphan));
    assert!(e.contains("orphan.json: cannot resolve the profile's import `https://example.org/oscal/missing-catalog.json`"), "{e}");
    assert!(
        e.contains("missing-catalog.json") && e.contains("Pass the catalog with --catalog FILE"),
        "{e}"
    );

    let e = error(&request(dir.path().join("absent.json")));
    assert!(e.contains("absent.json: cannot read the file"), "{e}");

    let mut req = request(TRIMMED.profile_path("LOW", "json"));
    req.profile = Some(TRIMMED.profile_path("HIGH", "json"));
    assert!(error(&req).contains("is a profile; --profile restricts a catalog"));
}

/// A small catalog, a profile of it, and a tailoring profile of that profile.
#[test]
fn profiles_of_profiles_and_selectors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    write(
        "cat.json",
        r#"{"catalog": {"uuid": "u", "metadata": {"title": "Small", "version": "1"},
            "groups": [{"id": "a", "title": "Alpha", "controls": [
                {"id": "a-1", "title": "A one", "controls": [{"id": "a-1.1", "title": "A one one"}, {"id": "a-1.2", "title": "A one two"}]},
                {"id": "a-2", "title": "A two"}]},
              {"id": "b", "title": "Beta", "controls": [{"id": "b-1", "title": "B one"}, {"id": "b-10", "title": "B ten"}]}]}}"#,
    );
    write(
        "base.yaml",
        "profile:\n  metadata:\n    title: Base\n    version: 2\n  imports:\n    - href: '#r'\n      include-controls:\n        - with-ids: [a-1]\n          with-child-controls: yes\n        - matching:\n            - pattern: b-?\n  back-matter:\n    resources:\n      - uuid: r\n        rlinks:\n          - href: https://example.org/cat.yaml\n",
    );
    let tailored = write(
        "tailored.json",
        r#"{"profile": {"metadata": {"title": "Tailored Profile"}, "imports": [{"href": "base.yaml", "include-all": {}, "exclude-controls": [{"with-ids": ["a-1.2"]}]}]}}"#,
    );

    let base = import_oscal(&request(dir.path().join("base.yaml"))).expect("imports");
    let ids = |c: &Certification| {
        c.families
            .iter()
            .flat_map(|f| f.controls.iter().map(|c| c.id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&base), ["a-1", "a-1.1", "a-1.2", "b-1"]);
    assert_eq!((base.id.as_str(), base.version.as_str()), ("base", "2"));

    let cert = import_oscal(&request(tailored)).expect("imports");
    assert_eq!(ids(&cert), ["a-1", "a-1.1", "b-1"]);
    assert_eq!(cert.id, "tailored-profile");
    assert_eq!(
        cert.source.as_deref(),
        Some("OSCAL profile 'Tailored Profile' version unknown, imported by assure")
    );
}

#[test]
fn written_yaml_reads_back_equal() {
    written_yaml_reads_back_equal_in(&TRIMMED);
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_written_yaml_reads_back_equal() {
    written_yaml_reads_back_equal_in(&FULL);
}

fn written_yaml_reads_back_equal_in(nist: &Nist) {
    let schema = Some("../../schemas/certification.json");
    for cert in [
        nist.catalog().clone(),
        import_oscal(&request(fixture("basic-catalog.json"))).expect("imports"),
    ] {
        let text = certification_yaml(&cert, schema);
        assert!(
            text.starts_with("# yaml-language-server: $schema=../../schemas/certification.json\n")
        );
        let json = assure::repo::yaml::parse_to_json(&text).expect("valid YAML");
        let back: Certification = serde_json::from_value(json).expect("a certification");
        assert_eq!(back, cert);
        assert_eq!(certification_yaml(&back, schema), text, "deterministic");
    }
}
