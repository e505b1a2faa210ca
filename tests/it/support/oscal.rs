//! OSCAL export checks shared by the export tests: NIST's official OSCAL 1.1.3 JSON schema
//! (vendored: tests/fixtures/oscal-schemas/, public domain) in Rust and with
//! `check-jsonschema`, and one demo repository (a real git history) to export from.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use super::{fixtures, run_env};

/// NIST's OSCAL 1.1.3 "complete" JSON schema (every model), as vendored.
pub fn complete_schema_path() -> PathBuf {
    fixtures().join("oscal-schemas/v1.1.3/oscal_complete_schema.json")
}

/// What NIST's OSCAL 1.1.3 schema says is wrong with `doc` (empty: valid), checked by the
/// jsonschema crate, formats included.
pub fn schema_errors(doc: &Value) -> Vec<String> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let text = std::fs::read_to_string(complete_schema_path()).expect("vendored schema");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .build(&schema)
            .expect("the OSCAL schema compiles")
    });
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Asserts that `doc` is valid OSCAL 1.1.3, listing every error when not.
pub fn assert_valid(doc: &Value, what: &str) {
    let errors = schema_errors(doc);
    assert!(
        errors.is_empty(),
        "{what} is not valid OSCAL 1.1.3:\n{}",
        errors.join("\n")
    );
}

/// Runs `check-jsonschema --schemafile SCHEMA FILE…` with every proxy pointing at a
/// closed loopback port, so that any attempt to fetch something fails the run.
pub fn check_jsonschema(schema: &Path, files: &[PathBuf]) {
    let closed = "http://127.0.0.1:9";
    let out = Command::new("check-jsonschema")
        .arg("--schemafile")
        .arg(schema)
        .args(files)
        .env("HTTP_PROXY", closed)
        .env("HTTPS_PROXY", closed)
        .env("ALL_PROXY", closed)
        .env("http_proxy", closed)
        .env("https_proxy", closed)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .expect("check-jsonschema is installed (`python3 -m pip install check-jsonschema`)");
    assert!(
        out.status.success(),
        "check-jsonschema --schemafile {} {files:?}:\n{}{}",
        schema.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The demo repository (`assure demo`: the example with its git history), made once per
/// test run and shared: tests only read it (exports go to stdout or outside it).
pub fn demo() -> &'static Path {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, dir) = DEMO.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = run_env(tmp.path(), &["demo", "demo"], &[]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let dir = tmp.path().join("demo");
        (tmp, dir)
    });
    dir
}

/// `assure -C DIR export oscal ARGS` as JSON; fails the test unless it exits 0.
pub fn export(dir: &Path, args: &[&str]) -> Value {
    // run_env gives the `-C DIR` itself.
    let mut full = vec!["export", "oscal"];
    full.extend_from_slice(args);
    let out = run_env(dir, &full, &[]);
    assert_eq!(out.code, 0, "export oscal {args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("the export is JSON")
}
