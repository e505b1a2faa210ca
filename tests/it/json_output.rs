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

/// (arguments, schema): `--format json` is added to the arguments; the schema is
/// `schemas/output/<schema>.schema.json`, named after the command's path (`assessment
/// show` → `assessment-show`). One row per command, and a second where its output has
/// another shape (each command takes a second or two in a debug build).
const ROWS: &[(&[&str], &str)] = &[
    (&["actions", "--all"], "actions"),
    (&["actions", "--all", "--as-of", "HEAD~1"], "actions"),
    (&["--as", "bob@contoso.com", "actions"], "actions"),
    (&["assessment", "list", "--archived"], "assessment-list"),
    (
        &[
            "--as",
            "alice@contoso.com",
            "assessment",
            "migrate",
            "data-security-and-privacy/office-365--iso-27001-2013",
            "--to",
            "nist-800-53-r5",
            "--dry-run",
        ],
        "assessment-migrate",
    ),
    (&["assessment", "show", GDPR], "assessment-show"),
    (
        &["assessment", "show", GDPR, "--as-of", "HEAD~1"],
        "assessment-show",
    ),
    (&["catalog", "list"], "catalog-list"),
    (&["catalog", "show", "gdpr"], "catalog-show"),
    (&["control", "show", GDPR, "6.10.1.2"], "control-show"),
    // A provider-managed control.
    (&["control", "show", GDPR, "6.6.2.2"], "control-show"),
    (&["controls", GDPR], "controls"),
    (&["controls", GDPR, "--as-of", "HEAD~1"], "controls"),
    (&["diff", "HEAD~5"], "diff"),
    (&["explain"], "explain"),
    (&["explain", "yaml-syntax"], "explain"),
    (&["group", "list"], "group-list"),
    (&["log"], "log"),
    (&["people"], "people"),
    (&["status", "--archived"], "status"),
    (&["status", "--archived", "--as-of", "HEAD~1"], "status"),
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
pub(crate) fn check(dir: &Path, args: &[&str], schema: &str, codes: &[i32]) -> Value {
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

    // What a clean demo leaves empty: findings (an unknown field), and a diff of the work
    // tree. (Sync's files, members and conflicts: the sync tests below.)
    let path = dir.join("groups/default-group/office-365--gdpr.yaml");
    let text = std::fs::read_to_string(&path).expect("assessment");
    std::fs::write(&path, format!("{text}colour: blue\n")).expect("write");
    let found = check(&dir, &["validate"], "validate", &[1]);
    assert_eq!(found["errors"], 1, "{found}");
    // Beside the demo's ageing evidence (warnings and notes).
    assert!(
        found["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "unknown-field"),
        "{found}"
    );
    std::fs::write(&path, &text).expect("restore");

    // A work-tree change for `diff` to review: a test result changed by hand.
    std::fs::write(
        &path,
        text.replace("test_result: passed", "test_result: failed-low-risk"),
    )
    .expect("write");
    let review = check(&dir, &["diff", "HEAD"], "diff", &[0, 1]);
    assert!(
        !review["assessments"][0]["controls"]
            .as_array()
            .expect("controls")
            .is_empty(),
        "{review}"
    );
    check(&dir, &["log", GDPR, "6.10.1.2"], "log", &[0]);
}

/// Every subcommand path (`assessment show`) with a `--format` that offers `json`.
/// Commands whose JSON is a standard's, described by its own schema rather than one of
/// schemas/output/: `export oscal` writes NIST OSCAL 1.1.3, checked against NIST's
/// schema by tests/it/export_*.rs. docs/json.md still has a section for each, saying so.
const EXTERNAL: [&str; 1] = ["export-oscal"];

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
    for c in commands.iter().filter(|c| !EXTERNAL.contains(&c.as_str())) {
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
        if EXTERNAL.contains(&c.as_str()) {
            continue;
        }
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

#[test]
fn explain_lists_every_code_with_its_one_line_meaning() {
    use assure::diag::Code;
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_env(tmp.path(), &["explain"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for code in Code::ALL {
        let line = out
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(code.name()))
            .unwrap_or_else(|| panic!("{} is not listed", code.name()));
        assert!(
            line.ends_with(&format!(" {}", code.summary())),
            "{}: {line}",
            code.name()
        );
        assert!(line.contains(&format!(" {} ", code.severity().as_str())));
    }
    let yaml = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("yaml-duplicate-key "))
        .expect("listed");
    assert_eq!(
        yaml,
        "  yaml-duplicate-key           error   A key appears twice in one mapping."
    );

    let all = check(tmp.path(), &["explain"], "explain", &[0]);
    let all = all.as_array().expect("a list");
    assert_eq!(all.len(), Code::ALL.len());
    for (v, code) in all.iter().zip(Code::ALL) {
        assert_eq!(v["code"], code.name());
        assert_eq!(v["summary"], code.summary());
        assert_eq!(v["explanation"], code.explanation());
    }
    let one = check(tmp.path(), &["explain", "[unarchived]"], "explain", &[0]);
    assert_eq!(one["code"], "unarchived");
    assert_eq!(one["severity"], "error");
    assert_eq!(one["family"], "change");

    let out = run_env(
        tmp.path(),
        &["explain", "unarchive", "--format", "json"],
        &[],
    );
    assert_eq!((out.code, out.stdout.as_str()), (2, ""));
    assert!(
        out.stderr.contains("did you mean `unarchived`"),
        "{}",
        out.stderr
    );
}

/// The base fixture in git, as committed; the GDPR control 6.10.1.2 and NIST's SC-13 are
/// one sync class.
fn base_in_git() -> crate::support::TestRepo {
    let repo = crate::support::TestRepo::base();
    crate::support::GitRepo::init(repo.path()).commit_all(
        "alice@example.com",
        "Start",
        crate::support::unix("2019-06-01T10:00:00Z"),
    );
    repo
}

const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";

#[test]
fn sync_reports_its_work_as_json() {
    let repo = base_in_git();
    let dir = repo.path();
    let in_sync = check(dir, &["sync"], "sync", &[0]);
    assert_eq!(
        in_sync,
        serde_json::json!({"check": false, "written": false, "files": [], "synced": [], "conflicts": []})
    );

    repo.write(
        GDPR_FILE,
        repo.read(GDPR_FILE)
            .replace("test_date: 2019-04-02", "test_date: 2019-04-05"),
    );
    let nist = repo.read(NIST_FILE);
    let would = check(dir, &["sync", "--check"], "sync", &[1]);
    assert_eq!(would["written"], false);
    assert_eq!(repo.read(NIST_FILE), nist, "--check writes nothing");
    let files = would["files"].as_array().expect("files");
    assert_eq!(files.len(), 1, "{would}");
    assert_eq!(files[0]["path"], NIST_FILE);
    assert_eq!(files[0]["change"], "updated");
    let diff = files[0]["diff"].as_str().expect("diff");
    assert!(
        diff.starts_with(&format!("--- a/{NIST_FILE}\n+++ b/{NIST_FILE}\n")),
        "{diff}"
    );
    assert!(diff.contains("\n+    test_date: 2019-04-05\n"), "{diff}");
    assert_eq!(
        would["synced"],
        serde_json::json!([{
            "assessment": "default-group/office-365--nist-800-53-r5",
            "control": "SC-13",
            "source": "default-group/office-365--gdpr 6.10.1.2",
            "values": {"test_date": "2019-04-05"}
        }])
    );

    let done = check(dir, &["sync"], "sync", &[0]);
    assert_eq!(done["written"], true);
    assert_eq!(done["synced"], would["synced"]);
    assert!(repo.read(NIST_FILE).contains("test_date: 2019-04-05"));
}

#[test]
fn a_sync_conflict_is_reported_as_json_and_nothing_is_written() {
    let repo = base_in_git();
    let dir = repo.path();
    repo.write(
        GDPR_FILE,
        repo.read(GDPR_FILE)
            .replace("test_date: 2019-04-02", "test_date: 2019-04-05"),
    );
    repo.write(
        NIST_FILE,
        repo.read(NIST_FILE)
            .replace("test_date: 2019-04-02", "test_date: 2019-04-07"),
    );
    let before = crate::support::snapshot(dir);
    let out = check(dir, &["sync"], "sync", &[1]);
    assert_eq!(out["written"], false);
    assert_eq!(out["files"], serde_json::json!([]));
    let conflict = &out["conflicts"][0];
    assert_eq!(conflict["group"], "default-group");
    let members: Vec<(&str, bool, &str)> = conflict["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            (
                m["member"].as_str().expect("member"),
                m["changed"].as_bool().expect("changed"),
                m["values"]["test_date"].as_str().expect("date"),
            )
        })
        .collect();
    assert_eq!(
        members,
        [
            (
                "default-group/office-365--gdpr 6.10.1.2",
                true,
                "2019-04-05"
            ),
            (
                "default-group/office-365--nist-800-53-r5 SC-13",
                true,
                "2019-04-07"
            )
        ]
    );
    assert_eq!(crate::support::snapshot(dir), before);
}
