//! `assure export oscal A --model ssp`: the system security plan. Checked against NIST's
//! OSCAL 1.1.3 schema, and for its facts: one requirement per control of the assessment
//! with the status, text and role the repository records, the service as the system and
//! its in-scope services as components, ids that stay put, and hostile text escaped.

use std::collections::BTreeSet;
use std::path::Path;

use assure::oscal::export::{Ids, control_id};
use serde_json::Value;
use sha2::Digest;

use crate::support::oscal::{assert_valid, check_jsonschema, complete_schema_path, demo};
use crate::support::{GitRepo, TestRepo, copy_tree, git_cli, project_root, run_env, unix};

const KEY: &str = "default-group/office-365--nist-800-53-r5";

/// The SSP of `key` in `dir`, exported to standard output (support::oscal::export passes
/// `-C DIR` twice, which clap refuses).
fn export_ssp(dir: &Path, key: &str) -> Value {
    let out = run_env(dir, &["export", "oscal", key, "--model", "ssp"], &[]);
    assert_eq!(
        out.code, 0,
        "export oscal {key} --model ssp: {}",
        out.stderr
    );
    let doc: Value = serde_json::from_str(&out.stdout).expect("the export is JSON");
    assert!(doc["system-security-plan"].is_object(), "{doc}");
    doc
}

/// The root commit of HEAD's first-parent history: the repository's identity.
fn root_commit(dir: &Path) -> String {
    let out = git_cli(
        dir,
        &["rev-list", "--first-parent", "--max-parents=0", "HEAD"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout.trim().to_owned()
}

/// A YAML file of the repository (or of the project, for the built-in catalog) as JSON.
fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("readable");
    assure::repo::yaml::parse_to_json(&text).expect("valid YAML")
}

fn requirements(doc: &Value) -> &Vec<Value> {
    doc["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .expect("implemented-requirements")
}

/// The requirement of the control with our id `id`.
fn requirement<'a>(doc: &'a Value, id: &str) -> &'a Value {
    let token = control_id(id);
    requirements(doc)
        .iter()
        .find(|r| r["control-id"] == token.as_str())
        .unwrap_or_else(|| panic!("no requirement for {id}"))
}

fn prop<'a>(v: &'a Value, name: &str) -> &'a str {
    v["props"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .and_then(|p| p["value"].as_str())
        .unwrap_or_else(|| panic!("no prop {name} in {v}"))
}

/// The back-matter resource a `#uuid` link points at.
fn resource<'a>(doc: &'a Value, href: &str) -> &'a Value {
    let uuid = href.strip_prefix('#').expect("a link into the back matter");
    doc["system-security-plan"]["back-matter"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["uuid"] == uuid)
        .unwrap_or_else(|| panic!("no resource {href}"))
}

/// The OSCAL state of an assure status, written out independently of the builder.
fn state_of(status: Option<&str>) -> &'static str {
    match status {
        Some("implemented") => "implemented",
        Some("alternative-implementation") => "alternative",
        Some("planned") | None => "planned",
        Some("not-in-scope") => "not-applicable",
        Some(other) => panic!("unknown status {other}"),
    }
}

/// Every role, party, component and back-matter link the document refers to exists in it.
fn assert_references_resolve(doc: &Value) {
    let ssp = &doc["system-security-plan"];
    let set = |list: &Value, key: &str| -> BTreeSet<String> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|x| x[key].as_str().expect("a string").to_owned())
            .collect()
    };
    let roles = set(&ssp["metadata"]["roles"], "id");
    let parties = set(&ssp["metadata"]["parties"], "uuid");
    let components = set(&ssp["system-implementation"]["components"], "uuid");
    let resources = set(&ssp["back-matter"]["resources"], "uuid");
    let mut uuids = Vec::new();
    walk(ssp, &mut |key, v| match key {
        "role-id" => assert!(roles.contains(v), "role {v}"),
        "party-uuids" => assert!(parties.contains(v), "party {v}"),
        "component-uuid" => assert!(components.contains(v), "component {v}"),
        "href" if v.starts_with('#') => assert!(resources.contains(&v[1..]), "resource {v}"),
        "uuid" => uuids.push(v.to_owned()),
        _ => {}
    });
    let distinct: BTreeSet<_> = uuids.iter().collect();
    assert_eq!(distinct.len(), uuids.len(), "every uuid names one thing");
}

/// Calls `f(key, string)` for every string in `v` (array items get their array's key).
fn walk(v: &Value, f: &mut dyn FnMut(&str, &str)) {
    fn go(key: &str, v: &Value, f: &mut dyn FnMut(&str, &str)) {
        match v {
            Value::String(s) => f(key, s),
            Value::Array(a) => a.iter().for_each(|x| go(key, x, f)),
            Value::Object(m) => m.iter().for_each(|(k, x)| go(k, x, f)),
            _ => {}
        }
    }
    go("", v, f);
}

#[test]
fn each_control_is_a_requirement_with_the_status_text_role_and_evidence_recorded() {
    let dir = demo();
    let doc = export_ssp(dir, KEY);
    assert_valid(&doc, "the SSP of the demo");
    assert_references_resolve(&doc);
    let metadata = &doc["system-security-plan"]["metadata"];
    let organization = &metadata["parties"][0];
    assert_eq!(organization["name"], "Contoso");
    let provider = metadata["responsible-parties"]
        .as_array()
        .expect("responsible parties")
        .iter()
        .find(|p| p["role-id"] == "provider")
        .expect("a provider")["party-uuids"][0]
        .clone();

    // One requirement per control of the assessment, as `assessment show` counts them.
    let show = run_env(dir, &["assessment", "show", KEY, "--format", "json"], &[]);
    let show: Value = serde_json::from_str(&show.stdout).expect("JSON");
    assert_eq!(
        requirements(&doc).len() as u64,
        show["totals"]["controls"].as_u64().expect("a count")
    );
    let role = |r: &Value| r["responsible-roles"][0]["role-id"].clone();
    let by = |r: &Value| r["by-components"][0].clone();

    // Provider-managed: the template's description and status, the provider's role.
    let template = yaml(&project_root().join("catalog/templates/office-365--nist-800-53-r5.yaml"));
    let provided = template["provider_controls"].as_object().expect("a map");
    for (id, p) in provided {
        let r = requirement(&doc, id);
        assert_eq!(role(r), "provider", "{id}");
        assert_eq!(
            r["responsible-roles"][0]["party-uuids"][0], provider,
            "{id}"
        );
        assert_eq!(by(r)["description"], p["description"], "{id}");
        assert_eq!(
            by(r)["implementation-status"]["state"],
            state_of(p["status"].as_str()),
            "{id}"
        );
    }
    assert_eq!(
        by(requirement(&doc, "AU-8"))["description"],
        "Time Stamps: The provider implements this in the Office 365 infrastructure."
    );

    // Customer-managed: the assessment's implementation and status, the organization's role,
    // the implementation documents (not the testing ones) as back-matter resources.
    let assessment = yaml(&dir.join(format!("groups/{KEY}.yaml")));
    let records = assessment["controls"].as_object().expect("a map");
    for (id, rec) in records {
        let r = requirement(&doc, id);
        assert_eq!(role(r), "customer", "{id}");
        assert_eq!(
            r["responsible-roles"][0]["party-uuids"][0],
            organization["uuid"]
        );
        assert_eq!(
            prop(r, "status"),
            rec["status"].as_str().unwrap_or("not-started")
        );
        assert_eq!(
            by(r)["implementation-status"]["state"],
            state_of(rec["status"].as_str())
        );
        if let Some(text) = rec["implementation"].as_str() {
            assert_eq!(by(r)["description"], text.trim_end(), "{id}");
        }
        let docs: Vec<&Value> = rec["documents"]
            .as_array()
            .map(|d| d.iter().filter(|d| d["purpose"] != "testing").collect())
            .unwrap_or_default();
        let links = by(r)["links"].as_array().cloned().unwrap_or_default();
        assert_eq!(links.len(), docs.len(), "{id}");
        for (link, d) in links.iter().zip(docs) {
            assert_eq!(link["text"], d["path"]);
            let res = resource(&doc, link["href"].as_str().expect("href"));
            assert_eq!(res["title"], d["path"]);
            assert_eq!(res["rlinks"][0]["hashes"][0]["value"], d["sha256"]);
        }
    }
    // A few facts by hand, so that a mapping wrong in both places still fails.
    let r = requirement(&doc, "AC-2(1)");
    assert_eq!(r["control-id"], "AC-2.1");
    assert_eq!(by(r)["implementation-status"]["state"], "implemented");
    assert!(
        by(r)["description"]
            .as_str()
            .expect("text")
            .starts_with("Azure AD accounts are created")
    );
    assert!(
        by(r).get("links").is_none(),
        "its only document is testing evidence"
    );
    let r = requirement(&doc, "PM-5(1)");
    assert_eq!(by(r)["implementation-status"]["state"], "alternative");
    let res = resource(&doc, by(r)["links"][0]["href"].as_str().expect("href"));
    assert_eq!(res["title"], "evidence/records-of-processing-2019.csv");
    assert_eq!(
        res["rlinks"][0]["hashes"][0]["value"],
        "36650bbe256989efeb8ec315f8522f0cd1249de6b7fe0f020621e69d3eafb70a"
    );
    assert_eq!(
        by(requirement(&doc, "AC-18"))["implementation-status"]["state"],
        "not-applicable"
    );
    assert_eq!(prop(requirement(&doc, "IA-2(1)"), "status"), "planned");
    // A control with nothing recorded is planned in OSCAL's terms, and says it is not started.
    let r = requirement(&doc, "AC-1");
    assert!(!records.contains_key("AC-1") && !provided.contains_key("AC-1"));
    assert_eq!(prop(r, "status"), "not-started");
    assert_eq!(role(r), "customer");
    assert_eq!(by(r)["implementation-status"]["state"], "planned");
    assert!(
        by(r)["implementation-status"]["remarks"]
            .as_str()
            .expect("remarks")
            .starts_with("Not started")
    );
    assert_eq!(by(r)["description"], "No implementation is recorded.");
}

#[test]
fn the_service_is_the_system_and_its_in_scope_services_are_components() {
    let dir = demo();
    let ids = Ids::new(&root_commit(dir));
    let doc = export_ssp(dir, KEY);
    let ssp = &doc["system-security-plan"];
    assert_eq!(ssp["uuid"], ids.uuid("system-security-plan", &[KEY]));
    let system = &ssp["system-characteristics"];
    assert_eq!(system["system-name"], "Office 365");
    assert_eq!(
        system["system-ids"][0]["identifier-type"],
        "https://ietf.org/rfc/rfc4122"
    );
    assert_eq!(system["system-ids"][0]["id"], ids.uuid("system", &[KEY]));
    assert_eq!(system["status"]["state"], "operational");
    assert_eq!(prop(system, "assessment"), KEY);
    let info = &system["system-information"]["information-types"];
    assert_eq!(info.as_array().expect("a list").len(), 1);
    assert_eq!(prop(&info[0], "placeholder"), "true");

    // The components: the service (described as the services file describes it), then
    // each in-scope service of the template, in its order.
    let components = ssp["system-implementation"]["components"]
        .as_array()
        .expect("a list");
    let services = yaml(&project_root().join("catalog/services.yaml"));
    let office = services["services"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|s| s["id"] == "office-365")
        .expect("office-365");
    assert_eq!(components[0]["type"], "this-system");
    assert_eq!(components[0]["title"], "Office 365");
    assert_eq!(components[0]["description"], office["description"]);
    let template = yaml(&project_root().join("catalog/templates/office-365--nist-800-53-r5.yaml"));
    let titles: Vec<&Value> = components[1..].iter().map(|c| &c["title"]).collect();
    let in_scope: Vec<&Value> = template["in_scope_services"]
        .as_array()
        .expect("a list")
        .iter()
        .collect();
    assert_eq!(titles, in_scope);
    assert!(in_scope.iter().any(|s| *s == "Exchange Online"));
    assert!(components[1..].iter().all(|c| c["type"] == "service"));
    // Every requirement is implemented by the system component.
    for r in requirements(&doc) {
        assert_eq!(
            r["by-components"][0]["component-uuid"],
            components[0]["uuid"]
        );
    }

    // The baseline: a back-matter resource naming the certification's catalog by the
    // uuid `export oscal --catalog` gives it.
    let href = ssp["import-profile"]["href"].as_str().expect("href");
    let catalog = resource(&doc, href);
    assert_eq!(prop(catalog, "certification"), "nist-800-53-r5");
    assert_eq!(
        prop(catalog, "catalog-uuid"),
        ids.uuid("catalog", &["nist-800-53-r5"])
    );

    // Another assessment of the same service: the same service components, another system.
    let other = export_ssp(dir, "default-group/office-365--gdpr");
    let other = &other["system-security-plan"];
    assert_eq!(
        other["system-implementation"]["components"][0]["uuid"],
        components[0]["uuid"]
    );
    assert_ne!(
        other["system-characteristics"]["system-ids"],
        system["system-ids"]
    );
    assert_ne!(other["uuid"], ssp["uuid"]);
}

#[test]
fn an_archived_assessment_says_so_rather_than_claim_the_system_operational() {
    let doc = export_ssp(
        demo(),
        "data-security-and-privacy/office-365--iso-27001-2013",
    );
    assert_valid(&doc, "the SSP of an archived assessment");
    let status = &doc["system-security-plan"]["system-characteristics"]["status"];
    assert_eq!(status["state"], "other");
    assert!(
        status["remarks"]
            .as_str()
            .expect("remarks")
            .contains("archived on 2025-09-30")
    );
}

#[test]
fn the_same_commit_exports_the_same_bytes_and_yaml_is_the_same_tree() {
    let dir = demo();
    let args = ["export", "oscal", KEY, "--model", "ssp"];
    let first = run_env(dir, &args, &[]);
    let second = run_env(dir, &args, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, second.stdout);
    let yaml_args = ["export", "oscal", KEY, "--model", "ssp", "--format", "yaml"];
    let out = run_env(dir, &yaml_args, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, run_env(dir, &yaml_args, &[]).stdout);
    let from_yaml = assure::repo::yaml::parse_to_json(&out.stdout).expect("valid YAML");
    let from_json: Value = serde_json::from_str(&first.stdout).expect("JSON");
    assert_eq!(from_yaml, from_json);
}

#[test]
fn a_re_export_after_a_change_differs_only_where_the_data_did() {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_tree(demo(), tmp.path());
    let dir = tmp.path();
    let before = export_ssp(dir, KEY);
    let path = dir.join(format!("groups/{KEY}.yaml"));
    let text = std::fs::read_to_string(&path).expect("readable");
    let at = text
        .find("\"IA-2(1)\":\n    status: planned")
        .expect("IA-2(1) is planned");
    let changed = format!(
        "{}{}",
        &text[..at],
        text[at..].replacen("status: planned", "status: implemented", 1)
    );
    std::fs::write(&path, changed).expect("write");
    let git = GitRepo {
        repo: git2::Repository::open(dir).expect("the demo is a git repository"),
    };
    git.commit_all(
        "dave@contoso.com",
        "IA-2(1) is implemented",
        unix("2025-10-01T09:00:00Z"),
    );
    let mut after = export_ssp(dir, KEY);
    assert_valid(&after, "the re-export");

    // The commit's facts and the control's status changed; put them back and nothing else
    // differs (every uuid included).
    let (m_after, m_before) = (
        &mut after["system-security-plan"]["metadata"],
        &before["system-security-plan"]["metadata"],
    );
    assert_ne!(m_after["version"], m_before["version"]);
    assert_eq!(m_after["last-modified"], "2025-10-01T09:00:00Z");
    for key in ["version", "last-modified", "props"] {
        m_after[key] = m_before[key].clone();
    }
    let token = control_id("IA-2(1)");
    let r = after["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array_mut()
        .expect("a list")
        .iter_mut()
        .find(|r| r["control-id"] == token.as_str())
        .expect("IA-2(1)");
    assert_eq!(r["props"][0]["value"], "implemented");
    assert_eq!(
        r["by-components"][0]["implementation-status"]["state"],
        "implemented"
    );
    let old = requirement(&before, "IA-2(1)");
    r["props"] = old["props"].clone();
    r["by-components"][0]["implementation-status"] =
        old["by-components"][0]["implementation-status"].clone();
    assert_eq!(after, before);
}

/// A repository of its own service: a name over two lines, in-scope services with a
/// bidi override (one listed twice, with other spacing), an implementation with a bidi override and a NUL,
/// an implementation document whose path has a space and a `#`.
fn hostile_repo() -> TestRepo {
    let repo = TestRepo::base();
    repo.write(
        "catalog/services.yaml",
        "services:\n  - id: acme-mail\n    name: \"Acme\\n Mail \"\n    description: \"Mail \\u202Efor\\u202C Acme.\"\n",
    );
    repo.write(
        "catalog/templates/acme-mail--gdpr.yaml",
        "service: acme-mail\ncertification: gdpr\nin_scope_services: [\"Web \\u202Email\", \"Web  \\u202Email\", Calendar]\nprovider_controls:\n  \"6.2.1.1\":\n    status: implemented\n    test_date: 2024-01-02\n    test_result: passed\n    tested_by: An auditor\n    description: \"Provider \\u202Etext\\0.\"\n",
    );
    let evidence = b"key rotation log\n";
    repo.write("evidence/a b#1.md", evidence);
    let sha = hex::encode(sha2::Sha256::digest(evidence));
    repo.write(
        "groups/default-group/acme-mail--gdpr.yaml",
        format!(
            "service: acme-mail\ncertification: gdpr\ncreated: 2024-01-01T10:00:00Z\ncreated_by: alice@example.com\ncontrols:\n  \"6.2.2.1\":\n    status: implemented\n    implementation: \"Keys \\u202Erotate\\0 yearly.\"\n    documents:\n      - path: \"evidence/a b#1.md\"\n        sha256: {sha}\n        purpose: implementation\n      - path: evidence/tls-scan.txt\n        sha256: abedf288ea8d15853dfa10559c4943163de555494e1be10aa06776747f6c17f1\n        purpose: testing\n"
        ),
    );
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "first", unix("2024-01-03T10:00:00Z"));
    repo
}

#[test]
fn hostile_text_comes_out_escaped_and_the_document_stays_valid() {
    let repo = hostile_repo();
    let key = "default-group/acme-mail--gdpr";
    let out = repo.run(&["export", "oscal", key, "--model", "ssp"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Nothing hostile reaches the terminal raw; the escapes mean the same characters.
    assert!(
        !out.stdout.contains(['\u{202e}', '\u{202c}', '\0']),
        "raw hostile text"
    );
    assert!(out.stdout.contains("\\u202e") && out.stdout.contains("\\u0000"));
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_valid(&doc, "the SSP with hostile text");
    assert_references_resolve(&doc);
    let ssp = &doc["system-security-plan"];
    // Names OSCAL wants on one line are put on one.
    assert_eq!(ssp["system-characteristics"]["system-name"], "Acme Mail");
    assert_eq!(
        ssp["metadata"]["parties"][1]["name"],
        "Provider of Acme Mail"
    );
    let components = ssp["system-implementation"]["components"]
        .as_array()
        .expect("a list");
    assert_eq!(
        components[0]["description"],
        "Mail \u{202e}for\u{202c} Acme."
    );
    let titles: Vec<&Value> = components[1..].iter().map(|c| &c["title"]).collect();
    assert_eq!(
        titles,
        ["Web \u{202e}mail", "Calendar"],
        "one component per service"
    );

    let by = &requirement(&doc, "6.2.2.1")["by-components"][0];
    assert_eq!(by["description"], "Keys \u{202e}rotate\0 yearly.");
    assert_eq!(requirement(&doc, "6.2.2.1")["control-id"], "_6.2.2.1");
    let links = by["links"].as_array().expect("links");
    assert_eq!(
        links.len(),
        1,
        "the testing document is not implementation evidence"
    );
    let res = resource(&doc, links[0]["href"].as_str().expect("href"));
    assert_eq!(res["title"], "evidence/a b#1.md");
    assert_eq!(res["rlinks"][0]["href"], "evidence/a%20b%231.md");
    let resources = ssp["back-matter"]["resources"].as_array().expect("a list");
    assert_eq!(
        resources.len(),
        2,
        "the catalog and the one implementation document"
    );
    assert_eq!(
        requirement(&doc, "6.2.1.1")["by-components"][0]["description"],
        "Provider \u{202e}text\0."
    );

    // The file is the same bytes as standard output.
    let target = tempfile::tempdir().expect("temp dir");
    let file = target.path().join("ssp.json");
    let written = repo.run(&[
        "export",
        "oscal",
        key,
        "--model",
        "ssp",
        "-o",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("written"), out.stdout);
}

#[test]
#[ignore = "needs check-jsonschema (installed by .ci/run)"]
fn check_jsonschema_accepts_the_ssp_in_json_and_yaml() {
    let out = tempfile::tempdir().expect("temp dir");
    let hostile = hostile_repo();
    let mut files = Vec::new();
    for (dir, key) in [
        (demo(), KEY),
        (
            demo(),
            "data-security-and-privacy/office-365--iso-27001-2013",
        ),
        (hostile.path(), "default-group/acme-mail--gdpr"),
    ] {
        for format in ["json", "yaml"] {
            let file = out.path().join(format!("ssp-{}.{format}", files.len()));
            let args = [
                "export",
                "oscal",
                key,
                "--model",
                "ssp",
                "--format",
                format,
                "-o",
                file.to_str().expect("utf-8 path"),
            ];
            let run = run_env(dir, &args, &[]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            files.push(file);
        }
    }
    check_jsonschema(&complete_schema_path(), &files);
}
