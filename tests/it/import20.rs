//! Issue 20, item 3: an OSCAL import always lands and reads like the publication, and an
//! imported catalog can be assessed at once.
//!
//! - untitled controls, groups and documents (what the OSCAL schema allows: `title: ""`;
//!   a missing key too) import to titles of labels, statements and ids, and the
//!   repository validates clean (the fixture `tests/fixtures/oscal/untitled/`);
//! - a label is the control id only when it is an identifier (SP 800-53's `AC-2` yes,
//!   the CSF's `Organizational Context (GV.OC)` no);
//! - a long title gives way to the file name for the default id;
//! - `assessment new` on a pair without a template file: every control customer-managed,
//!   said on stderr, and every view agrees; a template file wins;
//! - `import-oscal --template SERVICE` writes the template with the certification, all
//!   or nothing, never over another template;
//! - deleting a repository template is still a catalog change the review gate refuses
//!   for a person without the role.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assure::model::Certification;
use serde_json::Value;

use crate::gate::{Change, MANAGE, by, finding, gate_only};
use crate::support::{Output, TestRepo, fixtures, run_env};

fn untitled() -> PathBuf {
    fixtures().join("oscal/untitled/untitled-catalog.json")
}

fn missing_title() -> PathBuf {
    fixtures().join("oscal/untitled/missing-title.json")
}

fn csf_trimmed() -> PathBuf {
    fixtures().join("oscal/csf/NIST_CSF_v2.0_catalog-min.json")
}

fn sp800_53_trimmed() -> PathBuf {
    fixtures().join("oscal/sp800-53/json/NIST_SP-800-53_rev5_catalog.json")
}

fn reference() -> PathBuf {
    let root = crate::support::project_root().join("../shared/reference");
    assert!(
        root.is_dir(),
        "{} is missing: this test reads NIST's files from there",
        root.display()
    );
    root
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The base repository with its schema copies (so validate has nothing to warn of).
fn repo() -> TestRepo {
    let repo = TestRepo::base();
    let out = repo.run(&["schema", "--write"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    repo
}

fn run(repo: &TestRepo, args: &[&str]) -> Output {
    run_env(repo.path(), args, &[])
}

fn parse(yaml: &str) -> Certification {
    let json = assure::repo::yaml::parse_to_json(yaml).expect("YAML");
    serde_json::from_value(json).expect("a certification")
}

/// (family, id, title) of every control.
fn shape(cert: &Certification) -> Vec<(String, String, String)> {
    cert.families
        .iter()
        .flat_map(|f| {
            f.controls
                .iter()
                .map(move |c| (f.name.clone(), c.id.clone(), c.title.clone()))
        })
        .collect()
}

fn import_to(file: &Path, out_file: &Path, extra: &[&str]) -> Certification {
    let mut args = vec!["catalog", "import-oscal", s(file), "-o", s(out_file)];
    args.extend_from_slice(extra);
    let out = crate::support::assure(&args, out_file.parent().expect("a folder"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    parse(&std::fs::read_to_string(out_file).expect("written"))
}

fn triple(family: &str, id: &str, title: &str) -> (String, String, String) {
    (family.into(), id.into(), title.into())
}

// --- Untitled controls ----------------------------------------------------------------

#[test]
fn untitled_controls_import_and_the_repository_validates_clean() {
    let repo = repo();
    let out = run(
        &repo,
        &[
            "catalog",
            "import-oscal",
            s(&untitled()),
            "--id",
            "untitled",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = repo.read("catalog/certifications/untitled.yaml");
    assert!(!text.contains("title: \"\""), "{text}");
    let cert = parse(&text);
    assert_eq!(
        shape(&cert),
        vec![
            // Empty title, identifier label: the label is the id and the title.
            triple("Access Control", "AC-1", "AC-1"),
            // Empty title, a label that is not an identifier: the OSCAL id, titled by
            // the label (not by the statement).
            triple("Access Control", "ac-2", "Account Management (AC-2)"),
            // Empty title, no label: the statement's first sentence ("e.g." goes on).
            triple(
                "Access Control",
                "ac-3",
                "Enforce approved authorizations for logical access (e.g. role-based)"
            ),
            // An untitled group is named by its id; no label, no statement: the id.
            triple("au", "au-1", "au-1"),
            triple("au", "AU-2", "Event Logging"),
        ]
    );
    // Before issue 20 the importer wrote `title: ""`, which validate rejects.
    let out = run(&repo, &["validate"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "no problems found\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_title_key_imports_like_an_empty_title() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (a, b) = (tmp.path().join("a.yaml"), tmp.path().join("b.yaml"));
    import_to(&untitled(), &a, &["--id", "untitled"]);
    import_to(&missing_title(), &b, &["--id", "untitled"]);
    assert_eq!(
        std::fs::read(&a).expect("a"),
        std::fs::read(&b).expect("b"),
        "the same certification, byte for byte"
    );
}

#[test]
fn an_untitled_document_is_named_after_its_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(untitled()).expect("read")).expect("json");
    doc["catalog"]["metadata"]["title"] = Value::String(String::new());
    let file = tmp.path().join("Acme_Controls v3.json");
    std::fs::write(&file, serde_json::to_string(&doc).expect("json")).expect("write");
    let cert = import_to(&file, &tmp.path().join("out.yaml"), &[]);
    assert_eq!(cert.id, "acme-controls-v3");
    assert_eq!(cert.name, "Acme_Controls v3");
    assert_eq!(cert.title.as_deref(), Some("Acme_Controls v3"));
}

#[test]
fn the_untitled_fixture_is_valid_oscal_1_1_3() {
    // NIST's OSCAL 1.1.3 schema, as vendored for the export tests.
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(untitled()).expect("read")).expect("json");
    crate::support::oscal::assert_valid(&doc, "the untitled fixture");
    // The other fixture leaves out a key the schema requires, on purpose.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(missing_title()).expect("read"))
        .expect("json");
    assert!(!crate::support::oscal::schema_errors(&doc).is_empty());
}

// --- Labels and ids -------------------------------------------------------------------

#[test]
fn csf_category_labels_are_not_ids_and_sp_800_53_labels_are() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // Without --families-from the CSF's categories are controls, labelled
    // "Organizational Context (GV.OC)": their id is the OSCAL id.
    let csf = import_to(
        &csf_trimmed(),
        &tmp.path().join("csf.yaml"),
        &["--id", "csf"],
    );
    let ids: BTreeMap<String, String> = shape(&csf)
        .into_iter()
        .map(|(_, id, title)| (id, title))
        .collect();
    assert_eq!(
        ids.get("GV.OC").map(String::as_str),
        Some("Organizational Context")
    );
    assert!(ids.contains_key("GV.OC-01"));
    assert!(
        ids.keys().all(|id| !id.contains(char::is_whitespace)),
        "{ids:?}"
    );

    let nist = import_to(
        &sp800_53_trimmed(),
        &tmp.path().join("nist.yaml"),
        &["--id", "nist", "--no-statements"],
    );
    let ids: Vec<String> = shape(&nist).into_iter().map(|(_, id, _)| id).collect();
    for id in ["AC-1", "AC-2", "AC-2(1)", "AC-3(14)", "SC-13"] {
        assert!(ids.contains(&id.to_string()), "{id} in {ids:?}");
    }
    assert!(!ids.iter().any(|id| id.starts_with("ac-")), "{ids:?}");
}

#[test]
#[ignore = "needs ../shared/reference"]
fn full_catalogs_give_identifier_ids() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let r = reference().join("nist-oscal-content");
    let csf = import_to(
        &r.join("CSF/v2.0/json/NIST_CSF_v2.0_catalog-min.json"),
        &tmp.path().join("csf.yaml"),
        &["--id", "csf"],
    );
    let csf_ids: Vec<String> = shape(&csf).into_iter().map(|(_, id, _)| id).collect();
    // 22 active categories and 106 active subcategories, each its CSF id.
    assert_eq!(csf_ids.len(), 22 + 106);
    assert!(csf_ids.contains(&"GV.OC".to_string()));
    let nist = import_to(
        &r.join("SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json"),
        &tmp.path().join("nist.yaml"),
        &["--id", "nist", "--no-statements"],
    );
    let nist_ids: Vec<String> = shape(&nist).into_iter().map(|(_, id, _)| id).collect();
    assert_eq!(nist_ids.len(), 1014);
    for ids in [&csf_ids, &nist_ids] {
        for id in ids {
            let mut chars = id.chars();
            assert!(
                chars.next().is_some_and(char::is_alphanumeric)
                    && chars.all(|c| c.is_alphanumeric() || ".-_()".contains(c)),
                "{id}"
            );
        }
    }
    assert!(nist_ids.contains(&"AC-2(13)".to_string()));
}

#[test]
fn a_long_title_gives_way_to_the_file_name_for_the_default_id() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // "Electronic Version of NIST Cybersecurity Framework 2.0": 54 characters as a slug.
    let cert = import_to(&csf_trimmed(), &tmp.path().join("csf.yaml"), &[]);
    assert_eq!(cert.id, "nist-csf-v2-0-catalog-min");
    // A short title is the id, as before.
    let cert = import_to(&untitled(), &tmp.path().join("u.yaml"), &[]);
    assert_eq!(cert.id, "catalog-with-untitled-controls");
}

// --- Assessable at once ---------------------------------------------------------------

const NOTE: &str = "note: there is no template for office-365 and untitled: every control is customer-managed; to make some provider-managed, write catalog/templates/office-365--untitled.yaml (`assure catalog import-oscal FILE --template office-365` writes one with the certification)\n";
const KEY: &str = "default-group/office-365--untitled";

fn import_untitled(repo: &TestRepo, extra: &[&str]) -> Output {
    let file = untitled();
    let mut args = vec!["catalog", "import-oscal", s(&file), "--id", "untitled"];
    args.extend_from_slice(extra);
    run(repo, &args)
}

fn new_assessment(repo: &TestRepo) -> Output {
    run(
        repo,
        &[
            "--as",
            "alice@example.com",
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "office-365",
            "--certification",
            "untitled",
        ],
    )
}

fn json(out: &Output) -> Value {
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

#[test]
fn an_imported_catalog_is_assessed_at_once_every_control_customer_managed() {
    let repo = repo();
    assert_eq!(import_untitled(&repo, &[]).code, 0);
    let out = new_assessment(&repo);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, NOTE);
    assert_eq!(out.stdout, format!("created  groups/{KEY}.yaml\n"));
    let out = run(&repo, &["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));

    // The views agree: all five controls are the customer's.
    let show = json(&run(
        &repo,
        &["assessment", "show", KEY, "--format", "json"],
    ));
    assert_eq!(show["totals"]["controls"], 5);
    assert_eq!(show["totals"]["provider"], 0);
    assert_eq!(show["totals"]["customer"], 5);
    assert_eq!(show["in_scope_services"], serde_json::json!(["Office 365"]));
    let control = json(&run(
        &repo,
        &["control", "show", KEY, "au-1", "--format", "json"],
    ));
    assert_eq!(control["managed_by"], "customer");

    // Work can be recorded, scored and rendered.
    let out = run(
        &repo,
        &[
            "--as",
            "bob@example.com",
            "control",
            "test",
            KEY,
            "AC-1",
            "--result",
            "passed",
            "--date",
            "2025-12-01",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(
        &repo,
        &[
            "--as",
            "alice@example.com",
            "control",
            "set",
            KEY,
            "AC-1",
            "--status",
            "implemented",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let show = json(&run(
        &repo,
        &["assessment", "show", KEY, "--format", "json"],
    ));
    assert_eq!(show["totals"]["score"], 1);
    assert_eq!(show["totals"]["max"], 5);
    let out = run(&repo, &["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
    let out = run(&repo, &["sync", "--check"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let site = tempfile::tempdir().expect("temp dir");
    let out = run(&repo, &["report", "site", "-o", s(site.path())]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_template_file_wins_over_the_implicit_one() {
    let repo = repo();
    assert_eq!(import_untitled(&repo, &[]).code, 0);
    repo.write(
        "catalog/templates/office-365--untitled.yaml",
        "service: office-365\ncertification: untitled\nin_scope_services: [Exchange Online]\n\
         provider_controls:\n  AU-2:\n    status: implemented\n    test_date: 2025-01-10\n\
         \x20   test_result: passed\n    tested_by: Auditor\n    description: Logged by the platform.\n",
    );
    let out = new_assessment(&repo);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "", "no note: the pair has a template");
    let show = json(&run(
        &repo,
        &["assessment", "show", KEY, "--format", "json"],
    ));
    assert_eq!(show["totals"]["provider"], 1);
    assert_eq!(show["totals"]["customer"], 4);
    assert_eq!(
        show["in_scope_services"],
        serde_json::json!(["Exchange Online"])
    );
    let control = json(&run(
        &repo,
        &["control", "show", KEY, "AU-2", "--format", "json"],
    ));
    assert_eq!(control["managed_by"], "provider");
    let out = run(&repo, &["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
}

#[test]
fn an_unknown_service_or_certification_is_still_refused() {
    let repo = repo();
    let before = crate::support::snapshot(repo.path());
    let out = run(
        &repo,
        &[
            "--as",
            "alice@example.com",
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "office-356",
            "--certification",
            "gdpr",
        ],
    );
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("unknown service `office-356`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("office-365"), "{}", out.stderr);
    assert_eq!(crate::support::snapshot(repo.path()), before);
    // An assessment file of an unknown certification is a finding of its own (and of no
    // other code: `unknown-template` is retired).
    repo.write(
        "groups/default-group/office-365--nope.yaml",
        "service: office-365\ncertification: nope\ncreated: 2025-01-01T00:00:00Z\ncreated_by: alice@example.com\n",
    );
    let (code, found) = crate::support::findings(&repo);
    assert_eq!(code, 1);
    let codes: Vec<&str> = found.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(codes, ["unknown-certification"]);
    let out = run(&repo, &["explain", "unknown-template"]);
    assert_eq!(out.code, 2, "the code is retired");
}

// --- import-oscal --template ----------------------------------------------------------

const TEMPLATE: &str = "catalog/templates/office-365--untitled.yaml";
const CERT: &str = "catalog/certifications/untitled.yaml";

#[test]
fn import_writes_a_template_and_the_assessment_needs_no_note() {
    let repo = repo();
    let out = import_untitled(&repo, &["--template", "office-365", "--template", "azure"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "imported Catalog with untitled controls (untitled): 5 controls in 2 families → {}\n\
             template for office-365: every control customer-managed → {TEMPLATE} (written)\n\
             template for azure: every control customer-managed → catalog/templates/azure--untitled.yaml (written)\n",
            repo.path().join(CERT).display()
        )
    );
    assert_eq!(
        repo.read(TEMPLATE),
        "# yaml-language-server: $schema=../../schemas/template.schema.json\n\
         service: \"office-365\"\n\
         certification: \"untitled\"\n\
         in_scope_services: [\"Office 365\"]\n\
         provider_controls: {}   # none: the customer manages every control\n"
    );
    let out = new_assessment(&repo);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let out = run(&repo, &["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
    let list = json(&run(&repo, &["catalog", "list", "--format", "json"]));
    let untitled = list["certifications"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|c| c["id"] == "untitled")
        .expect("listed");
    assert_eq!(
        untitled["templates"],
        serde_json::json!(["azure", "office-365"])
    );

    // Again: the same template is left as it is; the certification is rewritten.
    let out = import_untitled(&repo, &["--template", "office-365"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.ends_with(&format!("→ {TEMPLATE} (unchanged)\n")),
        "{}",
        out.stdout
    );
}

#[test]
fn an_unknown_service_writes_nothing() {
    let repo = repo();
    let before = crate::support::snapshot(repo.path());
    let out = import_untitled(&repo, &["--template", "office-365", "--template", "azur"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: --template azur: no service `azur` in the catalog; did you mean `azure`?\n"
    );
    assert_eq!(crate::support::snapshot(repo.path()), before);
}

#[test]
fn an_existing_template_is_never_overwritten() {
    let repo = repo();
    let curated = "service: office-365\ncertification: untitled\nin_scope_services: [Exchange Online]\nprovider_controls: {}\n";
    repo.write(TEMPLATE, curated);
    repo.write(CERT, "old certification\n");
    let before = crate::support::snapshot(repo.path());
    let out = import_untitled(&repo, &["--template", "azure", "--template", "office-365"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!(
            "error: {TEMPLATE} exists, and import-oscal never overwrites a template (its provider-managed controls are someone's work); nothing was written. Leave out --template office-365, or delete the file first (git keeps it)\n"
        )
    );
    assert_eq!(
        crate::support::snapshot(repo.path()),
        before,
        "nothing written"
    );

    // A built-in template for the pair (the id of a built-in certification).
    let out = run(
        &repo,
        &[
            "catalog",
            "import-oscal",
            s(&untitled()),
            "--id",
            "gdpr",
            "--template",
            "azure",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the catalog already has a template for azure and gdpr"),
        "{}",
        out.stderr
    );
    assert_eq!(
        crate::support::snapshot(repo.path()),
        before,
        "nothing written"
    );
}

#[test]
fn all_or_nothing_when_a_template_cannot_be_written() {
    // `catalog/templates` is a file: the template cannot be written, so neither is the
    // certification (which exists and keeps its bytes).
    let repo = repo();
    repo.write("catalog/templates", "not a folder\n");
    repo.write(CERT, "old certification\n");
    let before = crate::support::snapshot(repo.path());
    let out = import_untitled(&repo, &["--template", "office-365"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(out.stderr.contains(TEMPLATE), "{}", out.stderr);
    assert_eq!(crate::support::snapshot(repo.path()), before);
    assert_eq!(repo.read(CERT), "old certification\n");
}

#[cfg(unix)]
#[test]
fn a_linked_templates_folder_is_refused_and_nothing_written() {
    let repo = repo();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(repo.path().join("catalog")).expect("mkdir");
    std::os::unix::fs::symlink(elsewhere.path(), repo.path().join("catalog/templates"))
        .expect("link");
    let before = crate::support::snapshot(repo.path());
    let out = import_untitled(&repo, &["--template", "office-365"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("catalog/templates"), "{}", out.stderr);
    assert_eq!(crate::support::snapshot(repo.path()), before);
    assert!(
        !repo.path().join(CERT).exists(),
        "the certification is not written either"
    );
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).expect("read").count(),
        0,
        "nothing lands where the link points"
    );
}

// --- The review gate ------------------------------------------------------------------

#[test]
fn deleting_a_repository_template_is_refused_for_a_contributor() {
    // The base: an imported certification, a repository template that leaves AU-2 to
    // the provider, and an assessment of the pair.
    let c = Change::new();
    assert_eq!(
        run_env(
            c.repo.path(),
            &[
                "catalog",
                "import-oscal",
                s(&untitled()),
                "--id",
                "untitled"
            ],
            &[]
        )
        .code,
        0
    );
    c.repo.write(
        TEMPLATE,
        "service: office-365\ncertification: untitled\nin_scope_services: [Exchange Online]\n\
         provider_controls:\n  AU-2:\n    status: implemented\n    test_date: 2025-01-10\n\
         \x20   test_result: passed\n    tested_by: Auditor\n    description: Logged by the platform.\n",
    );
    c.repo.write(
        &format!("groups/{KEY}.yaml"),
        "service: office-365\ncertification: untitled\ncreated: 2019-04-01T00:00:00Z\ncreated_by: alice@example.com\n",
    );
    let base = c.commit("carol@example.com", "Import a catalog");
    let managed = |c: &Change| {
        json(&c.run(&["control", "show", KEY, "AU-2", "--format", "json"]))["managed_by"].clone()
    };
    assert_eq!(managed(&c), "provider");

    // Dave deletes the template: AU-2 becomes the customer's.
    std::fs::remove_file(c.repo.path().join(TEMPLATE)).expect("delete");
    let commit = c.commit("dave@example.com", "Drop the template");
    assert_eq!(managed(&c), "customer");
    let (code, findings) = gate_only(c.check_from(base, &[]));
    assert_eq!(
        (code, findings),
        (
            1,
            vec![finding(
                "permission-denied",
                TEMPLATE,
                1,
                format!(
                    "{}: change the catalog file {TEMPLATE}: {MANAGE}",
                    by(commit, "dave@example.com")
                )
            )]
        )
    );

    // The same deletion by an administrator passes, and the repository stays valid:
    // the assessment now holds AU-2 as the customer's (no `unknown-template`).
    c.git.reset_hard(base);
    assert_eq!(managed(&c), "provider");
    std::fs::remove_file(c.repo.path().join(TEMPLATE)).expect("delete");
    c.commit("alice@example.com", "Drop the template");
    let (code, findings) = c.check_from(base, &[]);
    assert_eq!(code, 0, "{findings:?}");
    // (The base has no schemas/ copies: the imported file's schema line is a warning.)
    assert!(
        findings.iter().all(|f| f.code == "schema-modeline"),
        "{findings:?}"
    );
}
