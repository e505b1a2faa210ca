//! JSON everywhere (issue 18, item 13): every command that prints data takes
//! `--format json`, and what it prints is described by its schema,
//! `schemas/output/<command>.schema.json` (docs/json.md). Each row of [`ROWS`] runs a
//! command on the demo repository and validates its output against its schema with the
//! `jsonschema` crate; a test walks the command line itself, so a command given
//! `--format json` without a row (and a schema) fails here.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use serde_json::Value;

use crate::support::{Output, project_root, run_env};

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";

/// (arguments, schema): `--format json` is added to the arguments; the schema is
/// `schemas/output/<schema>.schema.json`, named after the command's path (`assessment
/// show` → `assessment-show`).
const ROWS: &[(&[&str], &str)] = &[
    (&["actions"], "actions"),
    (&["actions", "--person", "alice@contoso.com"], "actions"),
    (&["assessment", "list", "--archived"], "assessment-list"),
    (&["assessment", "show", GDPR], "assessment-show"),
    (&["assessment", "show", NIST], "assessment-show"),
    (&["catalog", "list"], "catalog-list"),
    (&["catalog", "show", "gdpr"], "catalog-show"),
    (&["catalog", "show", "nist-800-53-r5"], "catalog-show"),
    (&["control", "show", GDPR, "6.10.1.2"], "control-show"),
    // A provider-managed control.
    (&["control", "show", GDPR, "6.6.2.2"], "control-show"),
    (&["controls", GDPR], "controls"),
    (&["controls", NIST, "--status", "implemented"], "controls"),
    (&["diff", "HEAD~5"], "diff"),
    (&["explain"], "explain"),
    (&["explain", "yaml-syntax"], "explain"),
    (&["group", "list"], "group-list"),
    (&["log"], "log"),
    (&["log", GDPR], "log"),
    // `people` (issue 18, item 2) gets its row here: (&["people"], "people").
    (&["status"], "status"),
    (&["status", "--archived"], "status"),
    (&["sync", "--check"], "sync"),
    (&["validate"], "validate"),
];

fn schema_path(name: &str) -> PathBuf {
    project_root().join(format!("schemas/output/{name}.schema.json"))
}

/// Reads the file-kind schemas an output schema refers to (`../assessment.schema.json`):
/// from the project's `schemas/`, nothing else, never the network.
struct LocalSchemas;

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let path = uri.path().as_str();
        let rel = path
            .strip_prefix("/schemas/")
            .filter(|r| !r.contains(".."))
            .ok_or_else(|| format!("{uri}: only schemas/ is read"))?;
        let text = std::fs::read_to_string(project_root().join("schemas").join(rel))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn validator(name: &str) -> jsonschema::Validator {
    let path = schema_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{name}: draft 2020-12"
    );
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_base_uri(format!("file:///schemas/output/{name}.schema.json"))
        .with_retriever(LocalSchemas)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: the schema does not compile: {e}"))
}

/// Runs `assure ARGS --format json` in `dir` and checks the output against `schema`;
/// returns the output as JSON.
fn check(dir: &Path, args: &[&str], schema: &str, codes: &[i32]) -> Value {
    let mut full = args.to_vec();
    full.extend(["--format", "json"]);
    let out: Output = run_env(dir, &full, &[("ASSURE_TODAY", crate::support::TODAY)]);
    assert!(
        codes.contains(&out.code),
        "assure {full:?}: exit {}\n{}{}",
        out.code,
        out.stdout,
        out.stderr
    );
    let value: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("assure {full:?} printed no JSON ({e}):\n{}", out.stdout));
    let errors: Vec<String> = validator(schema)
        .iter_errors(&value)
        .map(|e| format!("  at {}: {e}", e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "assure {full:?} does not match schemas/output/{schema}.schema.json:\n{}",
        errors.join("\n")
    );
    value
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_env(tmp.path(), &["demo", "demo"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let dir = tmp.path().join("demo");
    (tmp, dir)
}

#[test]
fn every_json_output_matches_its_schema() {
    let (_tmp, dir) = demo();
    for (args, schema) in ROWS {
        check(&dir, args, schema, &[0]);
    }

    // What a clean demo leaves empty: findings, sync's files and members, a work-tree
    // diff. A second control of a shared pair changed by hand, and an unknown field.
    let path = dir.join("groups/default-group/office-365--gdpr.yaml");
    let text = std::fs::read_to_string(&path).expect("assessment");
    std::fs::write(&path, format!("{text}colour: blue\n")).expect("write");
    let found = check(&dir, &["validate"], "validate", &[1]);
    assert_eq!(found["errors"], 1, "{found}");
    assert_eq!(found["findings"][0]["code"], "unknown-field");
    std::fs::write(&path, &text).expect("restore");

    let nist = dir.join("groups/default-group/office-365--nist-800-53-r5.yaml");
    let before = std::fs::read_to_string(&nist).expect("nist");
    let shared = shared_change(&dir);
    let check_only = check(&dir, &["sync", "--check"], "sync", &[1]);
    assert_eq!(check_only["written"], false);
    assert!(!check_only["files"].as_array().expect("files").is_empty());
    assert_eq!(std::fs::read_to_string(&nist).expect("nist"), before);
    let synced = check(&dir, &["sync"], "sync", &[0]);
    assert_eq!(synced["written"], true, "{synced}");
    assert_eq!(synced["synced"][0]["control"], shared.1, "{synced}");
    check(&dir, &["diff", "HEAD"], "diff", &[0, 1]);
    check(&dir, &["log", GDPR, "6.10.1.2"], "log", &[0]);
}

/// Changes a GDPR control that the NIST assessment of the same group shares through a
/// related-controls mapping (`6.10.1.2` ↔ `SC-13` in the demo): returns the changed
/// (assessment, control).
fn shared_change(dir: &Path) -> (String, String) {
    let out = run_env(
        dir,
        &["control", "show", GDPR, "6.10.1.2", "--format", "json"],
        &[],
    );
    let shown: Value = serde_json::from_str(&out.stdout).expect("json");
    let with = shown["in_sync_with"][0]
        .as_str()
        .expect("6.10.1.2 is synced in the demo")
        .to_owned();
    let path = dir.join("groups/default-group/office-365--gdpr.yaml");
    let text = std::fs::read_to_string(&path).expect("assessment");
    let marker = "  \"6.10.1.2\":\n";
    let at = text.find(marker).expect("6.10.1.2 is recorded in the demo");
    let edited = format!(
        "{}{marker}    management_response: Reviewed again.\n{}",
        &text[..at],
        &text[at + marker.len()..]
    );
    std::fs::write(&path, edited).expect("write");
    let (assessment, control) = with.split_once(' ').expect("`assessment control`");
    (assessment.to_owned(), control.to_owned())
}

/// Every subcommand path (`assessment show`) with a `--format` that offers `json`.
fn json_commands() -> Vec<String> {
    fn walk(cmd: &clap::Command, path: &mut Vec<String>, out: &mut Vec<String>) {
        let json = cmd.get_arguments().any(|a| {
            a.get_long() == Some("format")
                && a.get_possible_values()
                    .iter()
                    .any(|v| v.get_name() == "json")
        });
        if json {
            out.push(path.join("-"));
        }
        for sub in cmd.get_subcommands() {
            path.push(sub.get_name().to_owned());
            walk(sub, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(&assure::cli::Cli::command(), &mut Vec::new(), &mut out);
    out
}

#[test]
fn every_command_with_json_output_has_a_schema_and_a_row() {
    let commands = json_commands();
    // The walk sees the commands (a guard against a walk that finds nothing).
    for known in ["status", "assessment-show", "explain", "sync", "validate"] {
        assert!(commands.iter().any(|c| c == known), "{known}: {commands:?}");
    }
    let rows: std::collections::BTreeSet<&str> = ROWS.iter().map(|(_, s)| *s).collect();
    for c in &commands {
        assert!(
            schema_path(c).is_file(),
            "`assure {}` prints JSON, but schemas/output/{c}.schema.json does not describe it (docs/json.md)",
            c.replace('-', " ")
        );
        assert!(
            rows.contains(c.as_str()),
            "`assure {}` prints JSON, but no row of ROWS checks it against its schema",
            c.replace('-', " ")
        );
    }
    // And no schema describes a command that does not exist.
    for entry in std::fs::read_dir(project_root().join("schemas/output")).expect("schemas/output") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        let command = name
            .strip_suffix(".schema.json")
            .expect("<command>.schema.json");
        assert!(
            commands.iter().any(|c| c == command),
            "schemas/output/{name} describes no command with --format json"
        );
    }
}

#[test]
fn docs_json_documents_every_command() {
    let doc = std::fs::read_to_string(project_root().join("docs/json.md")).expect("docs/json.md");
    for c in json_commands() {
        let heading = format!("## `assure {}`", c.replace('-', " "));
        assert!(doc.contains(&heading), "docs/json.md has no `{heading}`");
        assert!(
            doc.contains(&format!("schemas/output/{c}.schema.json")),
            "docs/json.md does not name schemas/output/{c}.schema.json"
        );
    }
}

#[test]
fn output_schemas_are_no_file_kinds() {
    // `assure schema` lists the seven file kinds, nothing of schemas/output/.
    let tmp = tempfile::tempdir().expect("temp dir");
    let listed = run_env(tmp.path(), &["schema"], &[]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let kinds: Vec<&str> = listed
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        kinds,
        [
            "config",
            "group",
            "assessment",
            "services",
            "certification",
            "template",
            "mapping"
        ]
    );
    for name in ["output/status", "status", "../output/status"] {
        let out = run_env(tmp.path(), &["schema", name], &[]);
        assert_eq!(out.code, 2, "{name}: {}", out.stdout);
        assert!(out.stderr.contains("no schema"), "{}", out.stderr);
    }
    // Neither `init` nor `schema --write` copies them into a repository.
    let out = run_env(
        tmp.path(),
        &["init", "--as", "ada@example.com", "--name", "Ada"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run_env(tmp.path(), &["schema", "--write"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!tmp.path().join("schemas/output").exists());
    let copies = std::fs::read_dir(tmp.path().join("schemas"))
        .expect("schemas/")
        .count();
    assert_eq!(copies, kinds.len());
}
