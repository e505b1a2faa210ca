//! Attacks on issue 19's features (SOC 2 categories and the review gate, `assessment
//! migrate`, catalog attributes and examples, `import-oscal --families-from`): each test
//! tries another path to a state the defence forbids — a hand edit, a merge, the
//! repository's own catalog, a link, an odd byte — and checks the refusal and that
//! nothing was written; the tests named for a hole failed before its fix.

use std::path::Path;

use crate::gate::{Change, MANAGE, gate_only};
use crate::support::{GitRepo, Output, TestRepo, fixtures, run_env, snapshot, unix};

const AZURE: &str = "groups/default-group/azure--soc2-tsc-2017.yaml";
const AZURE_KEY: &str = "default-group/azure--soc2-tsc-2017";

/// Azure's SOC 2 assessment covering `categories` (a YAML flow list).
fn azure(categories: &str) -> String {
    format!(
        "service: azure\ncertification: soc2-tsc-2017\ncreated: 2019-01-15T09:30:00Z\ncreated_by: alice@example.com\ncategories: {categories}\ncontrols:\n  CC6.1:\n    status: planned\n"
    )
}

/// The gate repository with Azure's SOC 2 assessment (privacy only) committed by Carol:
/// the base the attacks start from.
fn soc2() -> (Change, git2::Oid) {
    let c = Change::new();
    c.repo.write(AZURE, azure("[privacy]"));
    let base = c.commit("carol@example.com", "SOC 2 for Azure, privacy");
    (c, base)
}

fn codes(findings: &[crate::gate::Finding]) -> Vec<(&str, &str)> {
    findings
        .iter()
        .map(|f| (f.code.as_str(), f.file.as_str()))
        .collect()
}

// --- 1. categories and the review gate ---------------------------------------------

#[test]
fn reordering_or_repeating_categories_an_administrator_set_is_no_scope_change() {
    // Alice adds availability; Dave then writes the same set in another order, with a
    // repeat. The scope is unchanged by Dave, so nothing is his to answer for — and
    // the net change is Alice's (it was refused as "unchecked" before the gate compared
    // categories as a set in its atoms too).
    let (c, base) = soc2();
    c.edit(AZURE, "[privacy]", "[privacy, availability]");
    c.commit("alice@example.com", "Add availability");
    c.edit(
        AZURE,
        "[privacy, availability]",
        "[availability, privacy, availability]",
    );
    c.commit("dave@example.com", "Reorder");
    assert_eq!(gate_only(c.check_from(base, &[])), (0, vec![]));

    // The same reorder in a merge of Alice's branch by Dave is no change of his either.
    c.git.reset_hard(base);
    c.edit(AZURE, "[privacy]", "[privacy, availability]");
    let side = c.commit("alice@example.com", "Add availability");
    c.git.reset_hard(base);
    c.repo.write("evidence/note.txt", "a note\n");
    let main = c.commit("dave@example.com", "A note");
    c.repo.write(AZURE, azure("[availability, privacy]"));
    c.git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[main, side]);
    assert_eq!(gate_only(c.check_from(base, &[])), (0, vec![]));
}

#[test]
fn a_contributor_cannot_change_the_categories_by_any_spelling_or_path() {
    let (c, base) = soc2();
    let refused = |c: &Change, what: &str| {
        let (code, findings) = gate_only(c.check_from(base, &[]));
        assert_eq!(code, 1, "{what}: {findings:?}");
        assert!(
            findings.iter().any(|f| f.code == "permission-denied"
                && f.file == AZURE
                && f.message.contains(&format!(
                    "change `categories` of assessment {AZURE_KEY}: {MANAGE}"
                ))),
            "{what}: {findings:?}"
        );
    };
    // Each spelling Dave might try, committed on its own.
    for (what, list) in [
        ("add one", "[privacy, availability]"),
        ("remove all", "[]"),
        ("the required category", "[privacy, security]"),
        ("a case variant", "[Privacy]"),
        ("a look-alike", "[privаcy]"), // Cyrillic а
        ("white space", "[\" privacy\"]"),
    ] {
        c.git.reset_hard(base);
        c.repo.write(AZURE, azure(list));
        c.commit("dave@example.com", what);
        refused(&c, what);
    }
    // The block form with no categories at all is a removal too.
    c.git.reset_hard(base);
    c.edit(AZURE, "categories: [privacy]\n", "");
    c.commit("dave@example.com", "No categories");
    refused(&c, "the key removed");

    // In two commits: the first breaks the file, the second writes the new scope.
    c.git.reset_hard(base);
    c.edit(AZURE, "categories: [privacy]", "categories: [privacy");
    c.commit("dave@example.com", "Broken");
    c.repo.write(AZURE, azure("[privacy, availability]"));
    c.commit("dave@example.com", "Repaired");
    refused(&c, "broken then repaired");

    // In a merge: Alice's branch adds availability; Dave's merge adds confidentiality.
    c.git.reset_hard(base);
    c.edit(AZURE, "[privacy]", "[privacy, availability]");
    let side = c.commit("alice@example.com", "Add availability");
    c.git.reset_hard(base);
    c.repo.write("evidence/note.txt", "a note\n");
    let main = c.commit("dave@example.com", "A note");
    c.repo
        .write(AZURE, azure("[privacy, availability, confidentiality]"));
    c.git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[main, side]);
    refused(&c, "a merge");

    // Deleted and created again with other categories: both need the role.
    c.git.reset_hard(base);
    std::fs::remove_file(c.repo.path().join(AZURE)).expect("rm");
    c.commit("dave@example.com", "Delete");
    c.repo.write(AZURE, azure("[availability]"));
    c.commit("dave@example.com", "Create again");
    let (code, findings) = gate_only(c.check_from(base, &[]));
    assert_eq!(code, 1);
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("delete assessment {AZURE_KEY}: {MANAGE}"))),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("create assessment {AZURE_KEY}: {MANAGE}"))),
        "{messages:?}"
    );
}

#[test]
fn a_contributor_cannot_rescope_through_the_repositorys_own_catalog() {
    let (c, base) = soc2();
    let soc2 = std::fs::read_to_string(
        crate::support::project_root().join("catalog/certifications/soc2-tsc-2017.yaml"),
    )
    .expect("built-in SOC 2");
    // A copy that makes privacy's series part of security (always in): refused as a
    // second definition of the id, and as a catalog change by Dave.
    c.repo.write(
        "catalog/certifications/soc2-tsc-2017.yaml",
        soc2.replace("required: true", "required: false"),
    );
    c.commit("dave@example.com", "Our SOC 2");
    let (code, findings) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    let found = codes(&findings);
    assert!(
        found.contains(&(
            "duplicate-catalog-id",
            "catalog/certifications/soc2-tsc-2017.yaml"
        )),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.code == "permission-denied"
            && f.message.contains(
                "change the catalog file catalog/certifications/soc2-tsc-2017.yaml: managing assessments"
            )),
        "{findings:?}"
    );

    // A mapping that joins a covered control to one of an uncovered category: a catalog
    // change Dave may not make, and even for Alice sync never writes into A1.1.
    c.git.reset_hard(base);
    c.repo.write(
        "catalog/mappings/join.yaml",
        "related:\n  - [soc2-tsc-2017:CC6.1, soc2-tsc-2017:A1.1]\n",
    );
    c.commit("dave@example.com", "Join");
    let (code, findings) = gate_only(c.check_from(base, &[]));
    assert_eq!(code, 1);
    assert_eq!(
        codes(&findings),
        vec![("permission-denied", "catalog/mappings/join.yaml")]
    );
    c.edit(AZURE, "    status: planned", "    status: implemented");
    let before = c.repo.read(AZURE);
    let out = c.run(&["sync", "--as", "alice@example.com"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(c.repo.read(AZURE), before, "sync wrote into A1.1");
    let out = c.run(&["sync", "--check"]);
    assert_eq!(
        (out.code, out.stdout.trim()),
        (0, "in sync"),
        "{}",
        out.stderr
    );
}

#[test]
fn no_edit_command_writes_a_record_outside_the_categories_whatever_the_spelling() {
    let (c, _) = soc2();
    let before = snapshot(c.repo.path());
    c.repo.write("evidence/plan.txt", "the plan\n");
    let plan = c.repo.path().join("evidence/plan.txt");
    let plan = plan.to_str().expect("utf-8");
    for id in ["A1.1", " A1.1", "A1.1 ", "a1.1", "A1.1\u{200b}", "Ａ1.1"] {
        for args in [
            vec!["assign", AZURE_KEY, id, "--to", "bob@example.com"],
            vec!["control", "set", AZURE_KEY, id, "--status", "planned"],
            vec!["control", "test", AZURE_KEY, id, "--result", "passed"],
            vec!["doc", "add", AZURE_KEY, id, plan],
        ] {
            let mut full = args.clone();
            full.extend(["--as", "carol@example.com"]);
            let out = c.run(&full);
            assert_ne!(out.code, 0, "{args:?} {id:?}: {}", out.stdout);
            assert!(
                out.stderr.contains("in the Availability category of SOC 2")
                    || out.stderr.contains("is not a control of SOC 2"),
                "{args:?} {id:?}: {}",
                out.stderr
            );
        }
    }
    std::fs::remove_file(c.repo.path().join("evidence/plan.txt")).expect("rm");
    assert_eq!(snapshot(c.repo.path()), before);
    // Removing a category with an odd spelling is refused, never a silent no-op.
    for spelled in ["Privacy", "privacy\u{200b}", "priv"] {
        let out = c.run(&[
            "assessment",
            "scope",
            AZURE_KEY,
            "--remove",
            spelled,
            "--as",
            "carol@example.com",
        ]);
        assert_eq!(out.code, 2, "{spelled:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("is not a category of SOC 2"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(snapshot(c.repo.path()), before);
}

// --- 2. assessment migrate ---------------------------------------------------------

const OLD: &str = "g/office-365--iso-27001-2013";
const OLD_FILE: &str = "groups/g/office-365--iso-27001-2013.yaml";
const NEW_FILE: &str = "groups/g/office-365--iso-27001-2022-mini.yaml";
const TO: &str = "iso-27001-2022-mini";

/// The migration fixture, committed.
fn migrate_repo() -> (TestRepo, GitRepo) {
    let repo = TestRepo::copy_of(&fixtures().join("migrate"));
    let git = GitRepo::init(repo.path());
    git.commit_all("carol@example.com", "base", unix("2025-01-01T00:00:00Z"));
    (repo, git)
}

fn migrate(dir: &Path, to: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "assessment",
        "migrate",
        OLD,
        "--to",
        to,
        "--as",
        "alice@example.com",
    ];
    args.extend_from_slice(extra);
    run_env(dir, &args, &[])
}

/// Every file under `dir`, `.git` included (but the edit lock, which every editing
/// command creates), with its bytes.
fn everything(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != "assure.lock")
        .map(|e| {
            (
                e.path().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

#[test]
fn migrate_dry_run_leaves_every_byte_git_included() {
    let (repo, _git) = migrate_repo();
    let before = everything(repo.path());
    let out = migrate(repo.path(), TO, &["--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(NEW_FILE), "{}", out.stdout);
    assert_eq!(everything(repo.path()), before);
}

#[test]
fn migrate_never_writes_through_a_link_or_over_a_folder() {
    let (repo, _git) = migrate_repo();
    let outside = tempfile::tempdir().expect("temp dir");
    let target = repo.path().join(NEW_FILE);
    let check = |what: &str, expect: &str| {
        let before = everything(repo.path());
        let out_before = everything(outside.path());
        let out = migrate(repo.path(), TO, &[]);
        assert_eq!(out.code, 2, "{what}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(expect), "{what}: {}", out.stderr);
        assert_eq!(everything(repo.path()), before, "{what}");
        assert_eq!(everything(outside.path()), out_before, "{what}");
    };
    // The new file exists as a link, to nothing or to a valid assessment outside.
    std::os::unix::fs::symlink(outside.path().join("x.yaml"), &target).expect("link");
    check("a dangling link", "exists but does not load");
    std::fs::write(
        outside.path().join("x.yaml"),
        repo.read(OLD_FILE).replace("iso-27001-2013", TO),
    )
    .expect("write");
    check("a link to an assessment", "exists but does not load");
    std::fs::remove_file(&target).expect("rm");
    // As a folder.
    std::fs::create_dir(&target).expect("mkdir");
    check("a folder", "exists but does not load");
    std::fs::remove_dir(&target).expect("rmdir");
    // The old assessment is a link (to its own bytes, outside).
    let old = repo.path().join(OLD_FILE);
    std::fs::rename(&old, outside.path().join("old.yaml")).expect("mv");
    std::os::unix::fs::symlink(outside.path().join("old.yaml"), &old).expect("link");
    check(
        "a linked old assessment",
        "does not load, so it cannot be edited",
    );
    std::fs::remove_file(&old).expect("rm");
    std::fs::rename(outside.path().join("old.yaml"), &old).expect("mv");
    // The group folder is a link.
    let group = repo.path().join("groups/g");
    std::fs::rename(&group, outside.path().join("g")).expect("mv");
    std::os::unix::fs::symlink(outside.path().join("g"), &group).expect("link");
    check(
        "a linked group folder",
        "no assessment `g/office-365--iso-27001-2013`",
    );
}

#[test]
fn migrate_refuses_odd_names_and_prints_them_escaped() {
    let (repo, _git) = migrate_repo();
    let before = everything(repo.path());
    for (name, to, expect) in [
        (
            "dot-dot",
            TO,
            "no assessment `g/../g/office-365--iso-27001-2013`",
        ),
        (
            "escape and bidi",
            "x\u{1b}[31mred\u{202e}",
            "unknown certification `x\\u001b[31mred\\u202e`",
        ),
        (
            "a path",
            "../../catalog/x",
            "unknown certification `../../catalog/x`",
        ),
        (
            "trailing space",
            "iso-27001-2022-mini ",
            "did you mean `iso-27001-2022-mini`?",
        ),
    ] {
        let from = if name == "dot-dot" {
            "g/../g/office-365--iso-27001-2013"
        } else {
            OLD
        };
        let out = run_env(
            repo.path(),
            &[
                "assessment",
                "migrate",
                from,
                "--to",
                to,
                "--as",
                "alice@example.com",
            ],
            &[],
        );
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(out.stderr.contains(expect), "{name}: {}", out.stderr);
        assert!(
            !out.stderr.contains('\u{1b}') && !out.stderr.contains('\u{202e}'),
            "{name}: raw control character in {:?}",
            out.stderr
        );
    }
    assert_eq!(everything(repo.path()), before);
}

#[test]
fn migrate_while_another_edit_holds_the_lock_is_busy_and_writes_nothing() {
    let (repo, _git) = migrate_repo();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(repo.path().join(".git/assure.lock"))
        .expect("open lock");
    lock.lock().expect("hold the lock");
    let before = snapshot(repo.path());
    let out = run_env(
        repo.path(),
        &[
            "assessment",
            "migrate",
            OLD,
            "--to",
            TO,
            "--as",
            "alice@example.com",
        ],
        &[("ASSURE_LOCK_TIMEOUT_MS", "100")],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("is editing this repository and was still at it after 100 ms; nothing was read or written"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
    drop(lock);
}

#[test]
fn migrate_with_changed_evidence_or_twice_is_refused_and_writes_nothing() {
    let (repo, _git) = migrate_repo();
    // Evidence changed since it was recorded: the new assessment would fail validation.
    let policy = repo.read("evidence/policy.txt");
    repo.write("evidence/policy.txt", format!("{policy}changed\n"));
    let before = snapshot(repo.path());
    let out = migrate(repo.path(), TO, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "the change would make the repository fail validation, so nothing was written"
        ) && out
            .stderr
            .contains("evidence file `evidence/policy.txt` has changed"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);

    // Restored, it migrates; a second migration is refused and changes nothing.
    repo.write("evidence/policy.txt", policy);
    assert_eq!(migrate(repo.path(), TO, &[]).code, 0);
    let before = snapshot(repo.path());
    let out = migrate(repo.path(), TO, &[]);
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert_eq!(snapshot(repo.path()), before);
}

// --- 3. catalog attributes and examples --------------------------------------------

const ODD_TEMPLATE: &str =
    "service: azure\ncertification: odd\nin_scope_services: [Azure]\nprovider_controls: {}\n";
const ODD_ASSESSMENT: &str = "service: azure\ncertification: odd\ncreated: 2019-01-15T09:30:00Z\ncreated_by: alice@example.com\ncontrols: {}\n";

#[test]
fn attribute_names_and_values_with_odd_bytes_or_an_equals_sign_are_findings_at_their_line() {
    let repo = TestRepo::base();
    repo.write(
        "catalog/certifications/odd.yaml",
        "id: odd\nname: Odd\nversion: \"1\"\nfamilies:\n  - name: F\n    controls:\n      - id: O-1\n        title: One\n        score: 1\n        attributes:\n          \"ty\\u001bpe\": [a]\n          kind: [\"pre\\u202eventive\", \"a=b\"]\n",
    );
    let out = run_env(repo.path(), &["validate", "--format", "json"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (_, findings) = crate::gate::json_findings(&out);
    let at: Vec<(&str, &str, u64)> = findings
        .iter()
        .map(|f| (f.code.as_str(), f.file.as_str(), f.line))
        .collect();
    let file = "catalog/certifications/odd.yaml";
    assert!(at.contains(&("invalid-value", file, 11)), "{findings:?}");
    assert!(at.contains(&("invalid-value", file, 12)), "{findings:?}");
    assert!(
        !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{202e}'),
        "{}",
        out.stdout
    );
}

#[test]
fn hostile_examples_and_titles_reach_no_terminal_raw() {
    let repo = TestRepo::base();
    let huge = "v".repeat(100_000);
    repo.write(
        "catalog/certifications/odd.yaml",
        format!(
            "id: odd\nname: Odd\nversion: \"1\"\nfamilies:\n  - name: F\n    controls:\n      - id: O-1\n        title: \"One\\u202e\\u009b31m\"\n        score: 1\n        attributes:\n          kind: [preventive, {huge}]\n        examples:\n          - \"Ring \\u0007 the \\u001b]0;title\\u0007 bell\"\n"
        ),
    );
    repo.write("catalog/templates/azure--odd.yaml", ODD_TEMPLATE);
    repo.write("groups/default-group/azure--odd.yaml", ODD_ASSESSMENT);
    let out = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for args in [
        vec!["catalog", "show", "odd"],
        vec!["control", "show", "default-group/azure--odd", "O-1"],
        vec!["controls", "default-group/azure--odd"],
        vec![
            "controls",
            "default-group/azure--odd",
            "--attribute",
            "kind=preventive",
        ],
    ] {
        let out = run_env(repo.path(), &args, &[]);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains("O-1"), "{args:?}: {}", out.stdout);
        for raw in ['\u{1b}', '\u{9b}', '\u{202e}', '\u{7}'] {
            assert!(
                !out.stdout.contains(raw) && !out.stderr.contains(raw),
                "{args:?}: raw {raw:?} in {}{}",
                out.stdout,
                out.stderr
            );
        }
    }
    let out = run_env(
        repo.path(),
        &["control", "show", "default-group/azure--odd", "O-1"],
        &[],
    );
    assert!(
        out.stdout
            .contains("Ring \\u0007 the \\u001b]0;title\\u0007 bell"),
        "{}",
        out.stdout
    );
}

// --- 4. import-oscal --families-from -----------------------------------------------

/// An OSCAL catalog: `groups` as JSON text.
fn oscal(groups: &str) -> String {
    format!(
        r#"{{"catalog":{{"uuid":"00000000-0000-4000-8000-000000000000","metadata":{{"title":"Hostile","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.1.2"}},"groups":{groups}}}}}"#
    )
}

fn control(id: &str, class: &str, inner: &str) -> String {
    format!(r#"{{"id":"{id}","class":"{class}","title":"T {id}","controls":[{inner}]}}"#)
}

fn import(dir: &Path, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "catalog",
        "import-oscal",
        file.to_str().expect("utf-8"),
        "--families-from",
        "category",
        "--id",
        "hostile",
    ];
    args.extend_from_slice(extra);
    run_env(dir, &args, &[])
}

#[test]
fn import_oscal_never_writes_through_a_linked_catalog_folder() {
    let repo = TestRepo::base();
    let outside = tempfile::tempdir().expect("temp dir");
    let file = outside.path().join("in.json");
    std::fs::write(
        &file,
        oscal(&format!(
            r#"[{{"id":"g","title":"G","controls":[{}]}}]"#,
            control("c-1", "category", &control("c-1.1", "subcategory", ""))
        )),
    )
    .expect("write");
    let elsewhere = outside.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    std::fs::create_dir_all(repo.path().join("catalog")).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, repo.path().join("catalog/certifications"))
        .expect("link");
    let out = import(repo.path(), &file, &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "catalog/certifications is a symbolic link, and assure never writes through a link"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_dir(&elsewhere).expect("ls").count(), 0);

    // The target file itself a link: never replaced.
    std::fs::remove_file(repo.path().join("catalog/certifications")).expect("rm");
    let target = repo.path().join("catalog/certifications/hostile.yaml");
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(elsewhere.join("x.yaml"), &target).expect("link");
    let out = import(repo.path(), &file, &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("it is a symbolic link"),
        "{}",
        out.stderr
    );
    assert!(
        std::fs::symlink_metadata(&target)
            .expect("stat")
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_dir(&elsewhere).expect("ls").count(), 0);

    // A plain folder is imported into, as before.
    std::fs::remove_file(&target).expect("rm");
    let out = import(repo.path(), &file, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(target.is_file());
}

#[test]
fn hostile_oscal_is_refused_with_a_clear_error_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out_file = tmp.path().join("out.yaml");
    let o = out_file.to_str().expect("utf-8").to_owned();
    // Deep nesting: refused by the parser's depth limit, never a stack overflow.
    let mut deep = String::new();
    for i in 0..2000 {
        deep = control(&format!("d-{i}"), "subcategory", &deep);
    }
    let deep = oscal(&format!(
        r#"[{{"id":"g","title":"G","controls":[{}]}}]"#,
        control("c-1", "category", &deep)
    ));
    // The same id under two families.
    let dup = oscal(&format!(
        r#"[{{"id":"g","title":"G","controls":[{},{}]}}]"#,
        control("c-1", "category", &control("x-1", "subcategory", "")),
        control("c-2", "category", &control("x-1", "subcategory", ""))
    ));
    for (what, text, expect) in [
        ("deep nesting", deep, "recursion limit"),
        ("a duplicate id", dup, "`x-1`"),
    ] {
        let file = tmp.path().join("in.json");
        std::fs::write(&file, text).expect("write");
        let out = import(tmp.path(), &file, &["-o", &o]);
        assert_eq!(out.code, 2, "{what}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(expect), "{what}: {}", out.stderr);
        assert!(!out_file.exists(), "{what}");
    }

    // One class on thousands of controls and markup in an example: imported as text.
    let many: Vec<String> = (0..3000)
        .map(|i| control(&format!("s-{i}"), "subcategory", ""))
        .collect();
    let example = r#"{"id":"m-1","class":"subcategory","title":"M","parts":[{"id":"m-1_ex","name":"example","prose":"<script>alert(1)</script> **bold**"}]}"#;
    let text = oscal(&format!(
        r#"[{{"id":"g","title":"G","controls":[{{"id":"c-1","class":"category","title":"C","controls":[{},{example}]}}]}}]"#,
        many.join(",")
    ));
    let file = tmp.path().join("in.json");
    std::fs::write(&file, text).expect("write");
    let out = import(tmp.path(), &file, &["-o", &o]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("3001 controls in 1 families"),
        "{}",
        out.stdout
    );
    let written = std::fs::read_to_string(&out_file).expect("read");
    assert!(written.contains("<script>alert(1)</script>"), "{written}");
}
