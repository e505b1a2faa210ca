//! Schemas travel with the data (issue 16, item 4), through the binary on real files:
//! `assure init` and `assure demo` put the JSON Schemas in the repository's `schemas/`;
//! every YAML file that assure creates starts with a `# yaml-language-server: $schema=…`
//! line that resolves, from the file's folder, to its kind's schema in that repository
//! (and `check-jsonschema` accepts the file against it, offline); `assure schema --write`
//! refreshes the copies all or nothing, touches nothing that is current and never writes
//! through a link; `assure validate` warns about an outdated copy and a line that leads
//! nowhere.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::support::oscal::check_jsonschema;
use crate::support::{Output, assure, fixtures, git_cli, run_env, snapshot};

const ADMIN: &str = "admin@example.com";
const PREFIX: &str = "# yaml-language-server: $schema=";
const KINDS: [&str; 7] = [
    "config",
    "group",
    "assessment",
    "services",
    "certification",
    "template",
    "mapping",
];

#[track_caller]
fn ok(out: &Output) -> &str {
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    &out.stdout
}

/// What `assure schema KIND` prints.
fn builtin(kind: &str) -> Vec<u8> {
    let out = assure(&["schema", kind], Path::new("."));
    ok(&out);
    out.stdout.into_bytes()
}

/// A git repository started with `assure init` in `<tmp>/repo`, holding what each
/// creating command makes: a group, an assessment and an imported certification.
fn initialised() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).expect("mkdir");
    git_cli(&dir, &["init", "-q"]);
    ok(&run_env(
        &dir,
        &["init", "--as", ADMIN, "--name", "Ada Admin"],
        &[],
    ));
    ok(&run_env(
        &dir,
        &["--as", ADMIN, "group", "new", "Cloud Team"],
        &[],
    ));
    ok(&run_env(
        &dir,
        &[
            "--as",
            ADMIN,
            "assessment",
            "new",
            "--group",
            "cloud-team",
            "--service",
            "office-365",
            "--certification",
            "gdpr",
        ],
        &[],
    ));
    let catalog = fixtures().join("oscal/basic-catalog.json");
    ok(&run_env(
        &dir,
        &[
            "catalog",
            "import-oscal",
            catalog.to_str().expect("utf-8"),
            "--id",
            "basic",
        ],
        &[],
    ));
    (tmp, dir)
}

/// A demo repository in `<tmp>/demo`.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    ok(&run_env(tmp.path(), &["demo", "demo"], &[]));
    let dir = tmp.path().join("demo");
    (tmp, dir)
}

/// The kind of the repository file `rel`, by where it sits.
fn kind_of(rel: &str) -> &'static str {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["assure.yaml"] => "config",
        ["groups", _, "group.yaml"] => "group",
        ["groups", _, _] => "assessment",
        ["catalog", "services.yaml"] => "services",
        ["catalog", "certifications", _] => "certification",
        ["catalog", "templates", _] => "template",
        ["catalog", "mappings", _] => "mapping",
        _ => panic!("{rel} is no assure file"),
    }
}

/// Every YAML data file of the repository at `root` (not .git), repository-relative.
fn yaml_files(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = snapshot(root)
        .into_keys()
        .filter(|p| p.ends_with(".yaml") && !p.starts_with("evidence/"))
        .collect();
    out.sort();
    out
}

/// For every YAML file of the repository at `root`: (file, the schema its first line
/// names), after checking that the line is there, resolves from the file's folder to an
/// existing file inside the repository — `schemas/<kind>.schema.json`, the binary's
/// schema byte for byte.
fn resolved_modelines(root: &Path) -> Vec<(PathBuf, PathBuf)> {
    let root = root.canonicalize().expect("root");
    let files = yaml_files(&root);
    assert!(!files.is_empty());
    let mut out = Vec::new();
    for rel in files {
        let path = root.join(&rel);
        let text = std::fs::read_to_string(&path).expect("read");
        let first = text.lines().next().unwrap_or("");
        let reference = first
            .strip_prefix(PREFIX)
            .unwrap_or_else(|| panic!("{rel} starts with `{first}`, not the schema line"));
        let target = path.parent().expect("folder").join(reference);
        let target = target
            .canonicalize()
            .unwrap_or_else(|e| panic!("{rel}: `{reference}` resolves to nothing ({e})"));
        let kind = kind_of(&rel);
        assert_eq!(
            target,
            root.join(format!("schemas/{kind}.schema.json")),
            "{rel}: `{reference}` is not the repository's {kind} schema"
        );
        assert!(
            !std::fs::symlink_metadata(root.join("schemas"))
                .expect("schemas/")
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read(&target).expect("schema"),
            builtin(kind),
            "{rel}: the copy is not the binary's schema"
        );
        out.push((path, target));
    }
    out
}

#[test]
fn init_writes_every_schema_as_the_binary_has_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_env(tmp.path(), &["init", "--as", ADMIN, "--name", "Ada"], &[]);
    assert!(ok(&out).contains("created  schemas/\n"), "{}", out.stdout);
    let listed: Vec<String> = snapshot(&tmp.path().join("schemas")).into_keys().collect();
    let want: Vec<String> = {
        let mut k: Vec<String> = KINDS.iter().map(|k| format!("{k}.schema.json")).collect();
        k.sort();
        k
    };
    assert_eq!(listed, want);
    for kind in KINDS {
        assert_eq!(
            std::fs::read(tmp.path().join(format!("schemas/{kind}.schema.json"))).expect("copy"),
            builtin(kind),
            "{kind}"
        );
    }
    // The config names its schema from the root.
    assert!(
        std::fs::read_to_string(tmp.path().join("assure.yaml"))
            .expect("assure.yaml")
            .starts_with("# yaml-language-server: $schema=schemas/config.schema.json\n")
    );
    assert_eq!(
        ok(&run_env(tmp.path(), &["validate"], &[])),
        "no problems found\n"
    );
}

#[test]
fn every_file_assure_creates_names_its_schema_in_the_repository() {
    let (_tmp, dir) = initialised();
    let files = resolved_modelines(&dir);
    let names: Vec<String> = files
        .iter()
        .map(|(f, _)| {
            f.strip_prefix(dir.canonicalize().expect("root"))
                .expect("inside")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "assure.yaml",
            "catalog/certifications/basic.yaml",
            "groups/cloud-team/group.yaml",
            "groups/cloud-team/office-365--gdpr.yaml",
            "groups/initial-group/group.yaml",
        ]
    );
    assert_eq!(
        ok(&run_env(&dir, &["validate"], &[])),
        "no problems found\n"
    );
}

#[test]
fn every_file_of_the_demo_names_its_schema_in_the_demo_repository() {
    let (_tmp, dir) = demo();
    let files = resolved_modelines(&dir);
    assert!(files.len() > 10, "{}", files.len());
    // Committed, like the rest: a clone has them.
    let tracked = git_cli(&dir, &["ls-files", "schemas"]);
    assert_eq!(
        tracked.stdout.lines().count(),
        KINDS.len(),
        "{}",
        tracked.stdout
    );
    // Clean: no finding at all, warnings included (on the day of the example's last
    // test: later its evidence ages, which the demo shows, tests/it/freshview21.rs).
    assert_eq!(
        ok(&run_env(&dir, &["validate", "--today", "2019-08-20"], &[])),
        "no problems found\n"
    );
}

#[test]
fn the_example_repository_holds_the_binarys_schemas() {
    // example-repo/ is what the demo ends in: its copies must be current (refresh them
    // with `assure schema --write -C example-repo` after changing schemas/).
    let root = crate::support::project_root().join("example-repo");
    for kind in KINDS {
        assert_eq!(
            std::fs::read(root.join(format!("schemas/{kind}.schema.json"))).expect("copy"),
            builtin(kind),
            "example-repo/schemas/{kind}.schema.json is outdated: run `assure schema --write -C example-repo`"
        );
    }
    resolved_modelines(&root);
}

#[test]
fn import_oscal_names_the_schema_from_where_the_file_lands() {
    let (tmp, dir) = initialised();
    let catalog = fixtures().join("oscal/basic-catalog.json");
    let catalog = catalog.to_str().expect("utf-8");
    // Deeper in the repository (through a folder that does not exist yet): one more `../`.
    let deep = dir.join("catalog/certifications/extra/deep.yaml");
    ok(&run_env(
        &dir,
        &[
            "catalog",
            "import-oscal",
            catalog,
            "-o",
            deep.to_str().expect("utf-8"),
        ],
        &[],
    ));
    assert!(
        std::fs::read_to_string(&deep)
            .expect("written")
            .starts_with(
                "# yaml-language-server: $schema=../../../schemas/certification.schema.json\n"
            )
    );
    // --schema-url still decides.
    let url = dir.join("catalog/certifications/url.yaml");
    ok(&run_env(
        &dir,
        &[
            "catalog",
            "import-oscal",
            catalog,
            "--id",
            "url",
            "-o",
            url.to_str().expect("utf-8"),
            "--schema-url",
            "https://example.com/certification.json",
        ],
        &[],
    ));
    assert!(std::fs::read_to_string(&url).expect("written").starts_with(
        "# yaml-language-server: $schema=https://example.com/certification.json\nid:"
    ));
    // Outside any repository there is no schema to name: no line.
    let outside = tmp.path().join("loose.yaml");
    ok(&run_env(
        tmp.path(),
        &[
            "catalog",
            "import-oscal",
            catalog,
            "-o",
            outside.to_str().expect("utf-8"),
        ],
        &[],
    ));
    assert!(
        std::fs::read_to_string(&outside)
            .expect("written")
            .starts_with("id: ")
    );
}

#[test]
fn an_edited_file_keeps_its_first_line() {
    let (_tmp, dir) = initialised();
    let group = dir.join("groups/cloud-team/group.yaml");
    let own =
        "# yaml-language-server: $schema=https://example.com/my-group.json\nname: Cloud Team\n";
    std::fs::write(&group, own).expect("write");
    ok(&run_env(
        &dir,
        &[
            "--as",
            ADMIN,
            "group",
            "rename",
            "cloud-team",
            "Cloud Platform",
        ],
        &[],
    ));
    assert_eq!(
        std::fs::read_to_string(&group).expect("read"),
        "# yaml-language-server: $schema=https://example.com/my-group.json\nname: Cloud Platform\n"
    );
}

/// Sets the modification time of every schema copy to a fixed past moment.
fn age(dir: &Path) -> SystemTime {
    let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for kind in KINDS {
        let path = dir.join(format!("schemas/{kind}.schema.json"));
        if path.exists() {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .expect("open")
                .set_modified(then)
                .expect("set mtime");
        }
    }
    then
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .expect("stat")
        .modified()
        .expect("mtime")
}

#[test]
fn schema_write_refreshes_stale_copies_and_validate_stops_warning() {
    let (_tmp, dir) = initialised();
    let schemas = dir.join("schemas");
    std::fs::write(schemas.join("group.schema.json"), "{}\n").expect("stale");
    std::fs::remove_file(schemas.join("mapping.schema.json")).expect("remove");
    let then = age(&dir);

    // validate: a located warning on the stale copy, still exit 0.
    let out = run_env(&dir, &["validate", "--format", "json"], &[]);
    let found = crate::support::located(&out);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, file, line, _, help) = &found[0];
    assert_eq!(
        (code.as_str(), file.as_str(), *line),
        ("schema-outdated", "schemas/group.schema.json", 1)
    );
    assert!(help.contains("assure schema --write"), "{help}");

    // Writes exactly the two, says so, from anywhere below the root (-C).
    let out = run_env(&dir.join("groups"), &["schema", "--write"], &[]);
    assert_eq!(
        ok(&out),
        "updated  schemas/group.schema.json\ncreated  schemas/mapping.schema.json\n"
    );
    for kind in KINDS {
        let path = schemas.join(format!("{kind}.schema.json"));
        assert_eq!(std::fs::read(&path).expect("copy"), builtin(kind), "{kind}");
        if kind != "group" && kind != "mapping" {
            assert_eq!(
                mtime(&path),
                then,
                "{kind} was current and must not be touched"
            );
        }
    }
    assert_eq!(
        ok(&run_env(&dir, &["validate"], &[])),
        "no problems found\n"
    );

    // Again: nothing to do, nothing touched (not even a modification time).
    age(&dir);
    let before = snapshot(&dir);
    assert_eq!(
        ok(&run_env(&dir, &["schema", "--write"], &[])),
        "schemas/ is current\n"
    );
    assert_eq!(snapshot(&dir), before);
    for kind in KINDS {
        assert_eq!(mtime(&schemas.join(format!("{kind}.schema.json"))), then);
    }
}

#[test]
fn schema_write_needs_a_repository_and_takes_no_name() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_env(tmp.path(), &["schema", "--write"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("assure.yaml"), "{}", out.stderr);
    assert!(!tmp.path().join("schemas").exists());
    let out = run_env(tmp.path(), &["schema", "--write", "group"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);
}

/// A folder outside the repository with a file in it, to prove nothing reaches it.
fn outside(tmp: &Path) -> PathBuf {
    let elsewhere = tmp.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::fs::write(elsewhere.join("group.schema.json"), "not a schema\n").expect("write");
    elsewhere
}

#[cfg(unix)]
#[test]
fn schema_write_never_writes_through_a_link() {
    use std::os::unix::fs::symlink;
    let (tmp, dir) = initialised();
    let elsewhere = outside(tmp.path());
    let schemas = dir.join("schemas");

    // schemas/ itself a link to a folder outside the repository.
    std::fs::remove_dir_all(&schemas).expect("rm");
    symlink(&elsewhere, &schemas).expect("link");
    let before = (snapshot(&dir), snapshot(&elsewhere));
    let out = run_env(&dir, &["schema", "--write"], &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("schemas/ is a symbolic link")
            && out.stderr.contains("never through a link"),
        "{}",
        out.stderr
    );
    assert_eq!((snapshot(&dir), snapshot(&elsewhere)), before);
    // validate reads nothing through it: no warning about the stale file out there, and
    // a line naming a copy "in" the linked folder resolves as an editor sees it.
    let out = run_env(&dir, &["validate", "--format", "json"], &[]);
    assert!(
        crate::support::located(&out)
            .iter()
            .all(|f| f.0 != "schema-outdated"),
        "{}",
        out.stdout
    );

    // One copy a link to a file outside, another copy stale: all or nothing.
    std::fs::remove_file(&schemas).expect("rm link");
    ok(&run_env(&dir, &["schema", "--write"], &[]));
    std::fs::remove_file(schemas.join("group.schema.json")).expect("rm");
    symlink(
        elsewhere.join("group.schema.json"),
        schemas.join("group.schema.json"),
    )
    .expect("link");
    std::fs::write(schemas.join("mapping.schema.json"), "{}\n").expect("stale");
    let before = (snapshot(&dir), snapshot(&elsewhere));
    let out = run_env(&dir, &["schema", "--write"], &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("schemas/group.schema.json is a symbolic link"),
        "{}",
        out.stderr
    );
    assert_eq!((snapshot(&dir), snapshot(&elsewhere)), before);
    assert_eq!(
        std::fs::read_to_string(schemas.join("mapping.schema.json")).expect("read"),
        "{}\n",
        "nothing is written when one copy is refused"
    );
}

#[cfg(unix)]
#[test]
fn schema_write_refuses_what_is_not_a_folder_or_a_file() {
    let (_tmp, dir) = initialised();
    let schemas = dir.join("schemas");

    // schemas/ a file.
    std::fs::remove_dir_all(&schemas).expect("rm");
    std::fs::write(&schemas, "a file\n").expect("write");
    let out = run_env(&dir, &["schema", "--write"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("schemas/ is a file"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&schemas).expect("read"), "a file\n");

    // A copy that is a named pipe: validate does not open it (it would wait forever for
    // a writer) and schema --write refuses it.
    std::fs::remove_file(&schemas).expect("rm");
    ok(&run_env(&dir, &["schema", "--write"], &[]));
    let pipe = schemas.join("group.schema.json");
    std::fs::remove_file(&pipe).expect("rm");
    let made = Command::new("mkfifo").arg(&pipe).output().expect("mkfifo");
    assert!(made.status.success());
    let validate = Command::new("timeout")
        .args(["60", env!("CARGO_BIN_EXE_assure"), "-C"])
        .arg(&dir)
        .arg("validate")
        .env("ASSURE_TODAY", crate::support::TODAY)
        .output()
        .expect("validate");
    assert_eq!(validate.status.code(), Some(0), "{validate:?}");
    let out = run_env(&dir, &["schema", "--write"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("schemas/group.schema.json is a named pipe"),
        "{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn init_refuses_a_linked_or_foreign_schemas_folder_and_writes_nothing() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().expect("temp dir");
    let elsewhere = outside(tmp.path());
    let dir = tmp.path().join("new");
    std::fs::create_dir(&dir).expect("mkdir");
    symlink(&elsewhere, dir.join("schemas")).expect("link");
    let before = snapshot(&elsewhere);
    let out = run_env(&dir, &["init", "--as", ADMIN, "--name", "Ada"], &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
    assert!(!dir.join("assure.yaml").exists());
    assert_eq!(snapshot(&elsewhere), before);

    // A schemas/ folder with someone else's file where a copy goes: left alone.
    std::fs::remove_file(dir.join("schemas")).expect("rm");
    std::fs::create_dir(dir.join("schemas")).expect("mkdir");
    std::fs::write(dir.join("schemas/group.schema.json"), "mine\n").expect("write");
    let out = run_env(&dir, &["init", "--as", ADMIN, "--name", "Ada"], &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("is not assure's schema"),
        "{}",
        out.stderr
    );
    assert!(!dir.join("assure.yaml").exists());
    assert_eq!(
        snapshot(&dir).into_keys().collect::<Vec<_>>(),
        ["schemas/group.schema.json"]
    );
}

/// Checks every file against the schema its first line names, one run per schema.
fn check_all(root: &Path) {
    let mut by_schema: std::collections::BTreeMap<PathBuf, Vec<PathBuf>> = Default::default();
    for (file, schema) in resolved_modelines(root) {
        by_schema.entry(schema).or_default().push(file);
    }
    for (schema, files) in by_schema {
        check_jsonschema(&schema, &files);
    }
}

#[test]
#[ignore = "needs check-jsonschema"]
fn check_jsonschema_accepts_every_file_of_an_initialised_repository() {
    let (_tmp, dir) = initialised();
    check_all(&dir);
}

#[test]
#[ignore = "needs check-jsonschema"]
fn check_jsonschema_accepts_every_file_of_the_demo() {
    let (_tmp, dir) = demo();
    check_all(&dir);
}

#[test]
fn schema_write_takes_the_edit_lock_and_plain_schema_does_not() {
    let (_tmp, dir) = initialised();
    std::fs::write(dir.join("schemas/group.schema.json"), "{}\n").expect("stale");
    // Another assure process editing the repository holds `.git/assure.lock`.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(dir.join(".git/assure.lock"))
        .expect("lock file");
    lock.lock().expect("lock");
    let before = snapshot(&dir);
    let out = run_env(
        &dir,
        &["schema", "--write"],
        &[("ASSURE_LOCK_TIMEOUT_MS", "200")],
    );
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("is editing this repository"),
        "{}",
        out.stderr
    );
    assert_eq!(
        snapshot(&dir),
        before,
        "nothing written while another edit runs"
    );
    // Printing a schema reads nothing of the repository and does not wait.
    ok(&run_env(
        &dir,
        &["schema", "group"],
        &[("ASSURE_LOCK_TIMEOUT_MS", "200")],
    ));
    drop(lock);
    assert_eq!(
        ok(&run_env(&dir, &["schema", "--write"], &[])),
        "updated  schemas/group.schema.json\n"
    );
}
