//! Editing commands given bad input: each names what is wrong (and, where it can, what
//! was probably meant), exits 2 when the request cannot run (1 when it is refused), and
//! writes nothing — every file of the repository stays byte for byte as it was.

use crate::support::{Output, TestRepo, run_env, snapshot};

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";

/// Runs `assure --as WHO ARGS` (clock pinned) in `repo`, and checks that it exits
/// `code`, that stderr holds every one of `expected`, and that no file changed.
#[track_caller]
fn fails(repo: &TestRepo, who: &str, args: &[&str], code: i32, expected: &[&str]) -> Output {
    let before = snapshot(repo.path());
    let mut full = vec!["--as", who];
    full.extend_from_slice(args);
    let out = run_env(repo.path(), &full, &[]);
    assert_eq!(
        out.code, code,
        "exit code of {args:?}\nstdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    for e in expected {
        assert!(
            out.stderr.contains(e),
            "stderr of {args:?} should contain {e:?}:\n{}",
            out.stderr
        );
    }
    assert!(
        !out.stdout.contains("updated") && !out.stdout.contains("created"),
        "{args:?} reports a write:\n{}",
        out.stdout
    );
    assert!(snapshot(repo.path()) == before, "{args:?} changed files");
    out
}

const ALICE: &str = "alice@example.com";

#[test]
fn unknown_assessment_suggests_the_close_name() {
    let repo = TestRepo::base();
    let out = fails(
        &repo,
        ALICE,
        &[
            "control",
            "set",
            "default-group/office-365--gpdr",
            "6.2.1.1",
            "--status",
            "implemented",
        ],
        2,
        &[
            "no assessment `default-group/office-365--gpdr`",
            "did you mean `default-group/office-365--gdpr`?",
        ],
    );
    assert_eq!(
        out.stderr,
        "error: no assessment `default-group/office-365--gpdr` (assessments are named group/service--certification); did you mean `default-group/office-365--gdpr`?\n"
    );
    // Nothing close: every assessment is listed.
    fails(
        &repo,
        ALICE,
        &[
            "assign",
            "nogroup/office-365--gdpr",
            "6.2.1.1",
            "--to",
            "bob@example.com",
        ],
        2,
        &[
            "no assessment `nogroup/office-365--gdpr`",
            "default-group/office-365--gdpr",
            NIST,
        ],
    );
    // The other commands use the same lookup.
    for args in [
        &[
            "control",
            "test",
            "default-group/office-365--gdp",
            "6.2.1.1",
            "--result",
            "passed",
            "--date",
            "2019-05-01",
        ][..],
        &["unassign", "default-group/office-365--gdp", "6.2.1.1"],
        &[
            "doc",
            "remove",
            "default-group/office-365--gdp",
            "6.10.1.2",
            "evidence/tls-scan.txt",
        ],
        &[
            "assessment",
            "archive",
            "default-group/office-365--gdp",
            "--yes",
        ],
        &[
            "assessment",
            "delete",
            "default-group/office-365--gdp",
            "--yes",
        ],
    ] {
        fails(
            &repo,
            ALICE,
            args,
            2,
            &["did you mean `default-group/office-365--gdpr`?"],
        );
    }
}

#[test]
fn unknown_group_suggests_the_close_id() {
    let repo = TestRepo::base();
    fails(
        &repo,
        ALICE,
        &[
            "assessment",
            "new",
            "--group",
            "default-grop",
            "--service",
            "azure",
            "--certification",
            "gdpr",
        ],
        2,
        &[
            "no group `default-grop`",
            "did you mean `default-group`?",
            "`assure group new NAME` creates one",
        ],
    );
    fails(
        &repo,
        ALICE,
        &["group", "rename", "defualt-group", "New Name"],
        2,
        &["no group `defualt-group`", "did you mean `default-group`?"],
    );
    fails(
        &repo,
        ALICE,
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "azure",
            "--certification",
            "gdpr",
            "--copy-from",
            "old-group",
        ],
        2,
        &["no group `old-group`"],
    );
}

#[test]
fn unknown_control_suggests_a_close_id() {
    let repo = TestRepo::base();
    let out = fails(
        &repo,
        ALICE,
        &["control", "set", GDPR, "6.2.1.9", "--status", "implemented"],
        2,
        &[],
    );
    assert_eq!(
        out.stderr,
        "error: `6.2.1.9` is not a control of GDPR; did you mean `6.2.1.1`?\n"
    );
    fails(
        &repo,
        ALICE,
        &[
            "control",
            "test",
            NIST,
            "SC-133",
            "--result",
            "passed",
            "--date",
            "2019-05-01",
        ],
        2,
        &[
            "`SC-133` is not a control of NIST 800-53",
            "did you mean `SC-13`?",
        ],
    );
    // Case counts least: not `AU-13`, which is as far from `sc-13` by plain edit distance.
    fails(
        &repo,
        ALICE,
        &["control", "set", NIST, "sc-13", "--status", "planned"],
        2,
        &["`sc-13` is not a control of NIST 800-53; did you mean `SC-13`?"],
    );
    fails(
        &repo,
        ALICE,
        &["assign", GDPR, "6.2.11", "--to", "bob@example.com"],
        2,
        &[
            "`6.2.11` is not a control of GDPR",
            "did you mean `6.2.1.1`?",
        ],
    );
    fails(
        &repo,
        ALICE,
        &["doc", "add", GDPR, "6.10.12", "evidence/tls-scan.txt"],
        2,
        &["`6.10.12` is not a control of GDPR"],
    );
}

#[test]
fn unknown_person_suggests_the_close_email() {
    let repo = TestRepo::base();
    let out = fails(
        &repo,
        ALICE,
        &["assign", GDPR, "6.2.1.1", "--to", "bobb@example.com"],
        2,
        &[],
    );
    assert_eq!(
        out.stderr,
        "error: `bobb@example.com` is not a person of assure.yaml; did you mean `bob@example.com`? (`assure people` lists them)\n"
    );
}

#[test]
fn unknown_service_or_certification_for_a_new_assessment() {
    let repo = TestRepo::base();
    fails(
        &repo,
        ALICE,
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "azur",
            "--certification",
            "gdpr",
        ],
        2,
        &["unknown service `azur`; did you mean `azure`?"],
    );
    fails(
        &repo,
        ALICE,
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "azure",
            "--certification",
            "gdrp",
        ],
        2,
        &["unknown certification `gdrp`; did you mean `gdpr`?"],
    );
}

#[test]
fn a_provider_managed_control_is_not_the_customers_to_record() {
    let repo = TestRepo::base();
    let message = "`6.10.1.1` is managed by the provider in Office 365 - GDPR, so there is nothing for the customer to record";
    for args in [
        &[
            "control",
            "set",
            GDPR,
            "6.10.1.1",
            "--status",
            "implemented",
        ][..],
        &[
            "control",
            "test",
            GDPR,
            "6.10.1.1",
            "--result",
            "passed",
            "--date",
            "2019-05-01",
        ],
        &["assign", GDPR, "6.10.1.1", "--to", "bob@example.com"],
        &["unassign", GDPR, "6.10.1.1"],
        &["doc", "add", GDPR, "6.10.1.1", "evidence/tls-scan.txt"],
        &["doc", "remove", GDPR, "6.10.1.1", "evidence/tls-scan.txt"],
    ] {
        fails(&repo, ALICE, args, 2, &[message]);
    }
}

#[test]
fn doc_add_of_a_missing_file() {
    let repo = TestRepo::base();
    fails(
        &repo,
        ALICE,
        &["doc", "add", GDPR, "6.2.1.1", "evidence/nope.txt"],
        2,
        &["no such file:", "evidence/nope.txt"],
    );
    // A folder is not a document either.
    fails(
        &repo,
        ALICE,
        &["doc", "add", GDPR, "6.2.1.1", "evidence"],
        2,
        &["is not a file"],
    );
}

#[test]
fn doc_remove_of_a_path_not_attached() {
    let repo = TestRepo::base();
    let out = fails(
        &repo,
        ALICE,
        &["doc", "remove", GDPR, "6.10.1.2", "evidence/tls-scan.tx"],
        2,
        &[],
    );
    assert_eq!(
        out.stderr,
        "error: 6.10.1.2 has no document `evidence/tls-scan.tx`; did you mean `evidence/tls-scan.txt`?\n"
    );
    let out = fails(
        &repo,
        ALICE,
        &["doc", "remove", GDPR, "6.2.1.1", "evidence/tls-scan.txt"],
        2,
        &[],
    );
    assert_eq!(out.stderr, "error: 6.2.1.1 has no documents\n");
}

#[test]
fn a_test_date_in_the_future_is_refused() {
    let repo = TestRepo::base();
    let out = fails(
        &repo,
        "bob@example.com",
        &[
            "control",
            "test",
            GDPR,
            "6.2.1.1",
            "--result",
            "passed",
            "--date",
            "2026-01-02",
        ],
        2,
        &[],
    );
    assert_eq!(
        out.stderr,
        "error: the test date 2026-01-02 is in the future (today is 2026-01-01); record a test after it is performed\n"
    );
    // Not a date at all: clap refuses it.
    fails(
        &repo,
        "bob@example.com",
        &[
            "control",
            "test",
            GDPR,
            "6.2.1.1",
            "--result",
            "passed",
            "--date",
            "2026-13-01",
        ],
        2,
        &["invalid value '2026-13-01' for '--date <DATE>'"],
    );
}

#[test]
fn an_archived_assessment_is_read_only() {
    let repo = TestRepo::base();
    let out = run_env(
        repo.path(),
        &["--as", ALICE, "assessment", "archive", GDPR, "--yes"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.read("groups/default-group/office-365--gdpr.yaml")
            .contains("\narchived: 2026-01-01T12:00:00Z\n")
    );
    let archived = "default-group/office-365--gdpr is archived, and an archived assessment is read-only forever";
    for args in [
        &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"][..],
        &[
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--implementation",
            "Done.",
        ],
        &[
            "control",
            "test",
            GDPR,
            "6.2.1.1",
            "--result",
            "passed",
            "--date",
            "2019-05-01",
        ],
        &["assign", GDPR, "6.2.1.1", "--to", "bob@example.com"],
        &["unassign", GDPR, "6.2.1.1"],
        &["doc", "add", GDPR, "6.2.1.1", "evidence/tls-scan.txt"],
        &["doc", "remove", GDPR, "6.10.1.2", "evidence/tls-scan.txt"],
        &["assessment", "archive", GDPR, "--yes"],
    ] {
        fails(
            &repo,
            ALICE,
            args,
            1,
            &[archived, "create a new assessment"],
        );
    }
    // It left the sync class: SC-13 changes alone.
    let out = run_env(
        repo.path(),
        &[
            "--as", ALICE, "control", "set", NIST, "SC-13", "--status", "planned",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "updated  groups/default-group/office-365--nist-800-53-r5.yaml\n"
    );
}

#[test]
fn one_assessment_per_pair_in_a_group() {
    let repo = TestRepo::base();
    fails(
        &repo,
        ALICE,
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "office-365",
            "--certification",
            "gdpr",
        ],
        2,
        &[
            "group `default-group` already has an assessment of office-365 and gdpr (default-group/office-365--gdpr); a group holds one per pair",
        ],
    );
}

#[test]
fn group_names_are_unique_ignoring_case() {
    let repo = TestRepo::base();
    // Another id, the same name in other case and spacing.
    fails(
        &repo,
        ALICE,
        &["group", "new", "  DEFAULT group ", "--id", "other"],
        2,
        &[
            "group `default-group` is already named \"Default Group\"; group names are unique (ignoring case)",
        ],
    );
    // The same name makes the same id.
    fails(
        &repo,
        ALICE,
        &["group", "new", "Default Group"],
        2,
        &["a group with id `default-group` already exists; choose another with --id"],
    );
    // Renaming another group to it.
    let out = run_env(
        repo.path(),
        &["--as", ALICE, "group", "new", "Second Group"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    fails(
        &repo,
        ALICE,
        &["group", "rename", "second-group", "default group"],
        2,
        &["group `default-group` is already named \"Default Group\""],
    );
    // Bad ids and empty names.
    fails(
        &repo,
        ALICE,
        &["group", "new", "Third", "--id", "Third_Group"],
        2,
        &["`Third_Group` is not a valid group id"],
    );
    fails(
        &repo,
        ALICE,
        &["group", "new", "   "],
        2,
        &["a group needs a name"],
    );
    fails(
        &repo,
        ALICE,
        &["group", "rename", "second-group", ""],
        2,
        &["a group needs a name"],
    );
}

#[test]
fn init_refuses_an_existing_repository() {
    let repo = TestRepo::base();
    fails(
        &repo,
        ALICE,
        &["init"],
        2,
        &["already has an assure.yaml; it is a compliance repository already"],
    );
    fails(
        &repo,
        ALICE,
        &["init", "."],
        2,
        &["already has an assure.yaml"],
    );
}

/// `assure -C DIR init` starts the repository in DIR itself (a relative -C used to be
/// joined to itself: `-C x init` wrote x/x/assure.yaml).
#[test]
fn init_with_a_relative_folder_writes_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("x")).expect("mkdir");
    let out = crate::support::assure(
        &["-C", "x", "--as", ALICE, "init", "--organization", "Acme"],
        dir.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("x/assure.yaml").is_file());
    assert!(!dir.path().join("x/x").exists());
    let out = crate::support::assure(&["-C", "x", "--as", ALICE, "init", "sub"], dir.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("x/sub/assure.yaml").is_file());
    assert!(!dir.path().join("sub").exists());
}

#[test]
fn archive_and_delete_without_a_terminal_need_yes() {
    let repo = TestRepo::base();
    // The tests' stdin is not a terminal.
    fails(
        &repo,
        ALICE,
        &["assessment", "archive", GDPR],
        2,
        &[
            "archive default-group/office-365--gdpr? — there is no terminal to ask on; pass --yes to confirm",
        ],
    );
    fails(
        &repo,
        ALICE,
        &["assessment", "delete", GDPR],
        2,
        &[
            "delete default-group/office-365--gdpr? — there is no terminal to ask on; pass --yes to confirm",
        ],
    );
}

#[test]
fn requests_that_change_nothing_or_make_no_sense() {
    let repo = TestRepo::base();
    fails(
        &repo,
        ALICE,
        &["control", "set", GDPR, "6.2.1.1"],
        2,
        &["nothing to set: give --status, --implementation, --test-plan or --management-response"],
    );
    fails(
        &repo,
        ALICE,
        &["unassign", GDPR, "6.2.2.1"],
        2,
        &["6.2.2.1 is not assigned to anyone"],
    );
    fails(
        &repo,
        ALICE,
        &["control", "set", GDPR, "6.2.1.1", "--status", "done"],
        2,
        &["invalid value 'done' for '--status <STATUS>'"],
    );
    fails(
        &repo,
        ALICE,
        &[
            "assign",
            GDPR,
            "6.2.1.1",
            "--to",
            "bob@example.com",
            "--priority",
            "urgent",
        ],
        2,
        &["invalid value 'urgent'"],
    );
}

#[test]
fn an_edit_needs_to_know_who_is_acting() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    // No --as, and no git configuration in the clean environment.
    let out = run_env(
        repo.path(),
        &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"],
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("who is making this change?") && out.stderr.contains("--as EMAIL"),
        "{}",
        out.stderr
    );
    assert!(snapshot(repo.path()) == before);
}

// Regressions: bugs found while writing these tests, now fixed.

/// An assessment file that exists but does not load (a YAML error elsewhere in it)
/// is named as such, not reported as unknown (which would send the user looking for a
/// typo that is not there).
#[test]
fn an_assessment_that_does_not_load_is_not_called_unknown() {
    let repo = TestRepo::base();
    let path = "groups/default-group/office-365--gdpr.yaml";
    repo.write(path, format!("{}  bad: [\n", repo.read(path)));
    let out = fails(
        &repo,
        ALICE,
        &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"],
        2,
        &[path],
    );
    assert!(!out.stderr.contains("no assessment"), "{}", out.stderr);
}

/// `ASSURE_TODAY` pins "today" for the editing commands as for `assure validate`, so an
/// edit never records a test date that `validate` then reports as in the future.
#[test]
fn editing_commands_and_validate_agree_on_today() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    // `run` sets ASSURE_TODAY=2026-01-01 only.
    let out = repo.run(&[
        "--as",
        ALICE,
        "control",
        "test",
        GDPR,
        "6.2.1.1",
        "--result",
        "passed",
        "--date",
        "2026-01-02",
    ]);
    let after = snapshot(repo.path());
    let check = repo.run(&["validate"]);
    assert!(
        (out.code == 2 && after == before) || check.code == 0,
        "the edit exited {} and validate then says:\n{}",
        out.code,
        check.stdout
    );
}
