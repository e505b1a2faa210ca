//! Each role tried on each kind of change, allowed and refused (DESIGN.md §3, §8).
//!
//! Every case runs in its own copy of `tests/fixtures/base` (with one more person, Pat,
//! whose only role is portal-admin). An allowed change exits 0 and changes exactly the
//! files it should; a refused one exits 1, names the person, the change and the roles it
//! needs, and leaves every file of the repository byte for byte as it was.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{Output, TestRepo, run_env, snapshot};

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const GROUP_FILE: &str = "groups/default-group/group.yaml";

const DATA: &str =
    "editing data needs the contributor, assessor, administrator or portal-admin role";
const TESTS: &str = "editing test results needs the assessor, administrator or portal-admin role";
const MANAGE: &str = "managing assessments and groups needs the administrator or portal-admin role";

/// The permissions of DESIGN.md §3 that editing commands need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Data,
    Tests,
    Manage,
}

/// One kind of change: the command, what it needs, the files it changes when allowed
/// (with a line the changed file must then hold; `None` = the file is gone), and the
/// change lines a refusal lists.
struct Kind {
    name: &'static str,
    args: &'static [&'static str],
    needs: Needs,
    effect: &'static [(&'static str, Option<&'static str>)],
    refusal: &'static [&'static str],
}

/// gdpr 6.2.1.1 is in no sync class of the group (its only related control is in ISO
/// 27001, which the group does not assess), so each edit of it changes one file.
const KINDS: &[Kind] = &[
    Kind {
        name: "control set --status",
        args: &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"],
        needs: Needs::Data,
        effect: &[(GDPR_FILE, Some("  \"6.2.1.1\":\n    status: implemented\n"))],
        refusal: &["set `status` of 6.2.1.1 in default-group/office-365--gdpr"],
    },
    Kind {
        name: "control set --implementation",
        args: &[
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--implementation",
            "A policy approved by the board.",
        ],
        needs: Needs::Data,
        effect: &[(
            GDPR_FILE,
            Some("    implementation: A policy approved by the board.\n"),
        )],
        refusal: &["set `implementation` of 6.2.1.1 in default-group/office-365--gdpr"],
    },
    Kind {
        name: "assign",
        args: &["assign", GDPR, "6.2.1.1", "--to", "bob@example.com"],
        needs: Needs::Data,
        effect: &[(
            GDPR_FILE,
            Some("    status: planned\n    assigned_to: bob@example.com\n"),
        )],
        refusal: &["set `assigned_to` of 6.2.1.1 in default-group/office-365--gdpr"],
    },
    Kind {
        name: "doc add",
        args: &[
            "doc",
            "add",
            GDPR,
            "6.2.1.1",
            "evidence/tls-scan.txt",
            "--purpose",
            "implementation",
        ],
        needs: Needs::Data,
        effect: &[(
            GDPR_FILE,
            Some("    documents:\n      - path: evidence/tls-scan.txt\n"),
        )],
        refusal: &["set `documents` of 6.2.1.1 in default-group/office-365--gdpr"],
    },
    Kind {
        name: "control test",
        args: &[
            "control",
            "test",
            GDPR,
            "6.2.1.1",
            "--result",
            "passed",
            "--date",
            "2019-05-01",
        ],
        needs: Needs::Tests,
        effect: &[(
            GDPR_FILE,
            Some("    status: planned\n    test_date: 2019-05-01\n    test_result: passed\n"),
        )],
        refusal: &[
            "set `test_date` of 6.2.1.1 in default-group/office-365--gdpr",
            "set `test_result` of 6.2.1.1 in default-group/office-365--gdpr",
        ],
    },
    Kind {
        name: "assessment new",
        args: &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "azure",
            "--certification",
            "gdpr",
        ],
        needs: Needs::Manage,
        effect: &[(
            "groups/default-group/azure--gdpr.yaml",
            Some("service: azure\ncertification: gdpr\ncreated: 2026-01-01T12:00:00Z\n"),
        )],
        refusal: &["create assessment default-group/azure--gdpr"],
    },
    Kind {
        name: "assessment archive",
        args: &["assessment", "archive", GDPR, "--yes"],
        needs: Needs::Manage,
        effect: &[(
            GDPR_FILE,
            Some("created_by: alice@example.com\narchived: 2026-01-01T12:00:00Z\n"),
        )],
        refusal: &["archive assessment default-group/office-365--gdpr"],
    },
    Kind {
        name: "assessment delete",
        args: &["assessment", "delete", GDPR, "--yes"],
        needs: Needs::Manage,
        effect: &[(GDPR_FILE, None)],
        refusal: &["delete assessment default-group/office-365--gdpr"],
    },
    Kind {
        name: "group new",
        args: &["group", "new", "Second Group"],
        needs: Needs::Manage,
        effect: &[(
            "groups/second-group/group.yaml",
            Some("name: Second Group\n"),
        )],
        refusal: &["create group `second-group`"],
    },
    Kind {
        name: "group rename",
        args: &["group", "rename", "default-group", "Renamed Group"],
        needs: Needs::Manage,
        effect: &[(GROUP_FILE, Some("name: Renamed Group\n"))],
        refusal: &["rename group `default-group` to \"Renamed Group\""],
    },
];

/// The base fixture plus Pat, whose only role is portal-admin (Carol is also an
/// administrator, so she alone would not show what portal-admin grants).
fn repo() -> TestRepo {
    let repo = TestRepo::base();
    let config = repo.read("assure.yaml");
    assert!(config.contains("global_admins:"), "{config}");
    repo.write(
        "assure.yaml",
        config.replace(
            "global_admins:",
            "  - email: pat@example.com\n    name: Pat Portal\n    roles: [portal-admin]\nglobal_admins:",
        ),
    );
    repo
}

/// Runs `assure --as WHO ARGS` with the clock pinned.
fn act(repo: &TestRepo, who: &str, args: &[&str]) -> Output {
    let mut full = vec!["--as", who];
    full.extend_from_slice(args);
    run_env(repo.path(), &full, &[])
}

/// The paths whose bytes differ between two snapshots (added, changed or removed).
fn changed(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> BTreeSet<String> {
    before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .cloned()
        .collect()
}

/// Tries every kind of change as `who` and checks each against `allowed`; `described` is
/// how a refusal names the person. Collects every mismatch before failing.
fn check_role(who: &str, described: &str, allowed: &[Needs]) {
    let mut failures = Vec::new();
    for kind in KINDS {
        let repo = repo();
        let before = snapshot(repo.path());
        let out = act(&repo, who, kind.args);
        let after = snapshot(repo.path());
        let diff = changed(&before, &after);
        let context = format!(
            "{who} `{}`: exit {}\nstdout: {}\nstderr: {}",
            kind.name, out.code, out.stdout, out.stderr
        );
        if allowed.contains(&kind.needs) {
            if out.code != 0 {
                failures.push(format!("expected allowed — {context}"));
                continue;
            }
            let expected: BTreeSet<String> =
                kind.effect.iter().map(|(p, _)| (*p).to_owned()).collect();
            if diff != expected {
                failures.push(format!(
                    "changed {diff:?}, expected {expected:?} — {context}"
                ));
                continue;
            }
            for (path, line) in kind.effect {
                match (line, after.get(*path)) {
                    (None, None) => {}
                    (Some(line), Some(bytes)) if String::from_utf8_lossy(bytes).contains(line) => {}
                    (_, now) => failures.push(format!(
                        "{path} should {} — {context}\nfile now: {:?}",
                        line.map_or_else(|| "be gone".to_owned(), |l| format!("hold {l:?}")),
                        now.map(|b| String::from_utf8_lossy(b).into_owned())
                    )),
                }
            }
        } else {
            if out.code != 1 {
                failures.push(format!("expected refused with exit 1 — {context}"));
            }
            if !diff.is_empty() {
                failures.push(format!("a refused change wrote {diff:?} — {context}"));
            }
            let needs = match kind.needs {
                Needs::Data => DATA,
                Needs::Tests => TESTS,
                Needs::Manage => MANAGE,
            };
            let head = format!("error: {described} may not make this change:\n");
            if !out.stderr.contains(&head) {
                failures.push(format!(
                    "stderr should start the refusal with {head:?} — {context}"
                ));
            }
            for change in kind.refusal {
                let line = format!("  - {change}: {needs}");
                if !out.stderr.contains(&line) {
                    failures.push(format!("stderr should list {line:?} — {context}"));
                }
            }
            if !out.stdout.is_empty() {
                failures.push(format!("a refusal prints nothing on stdout — {context}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} changes wrong:\n\n{}",
        failures.len(),
        KINDS.len(),
        failures.join("\n\n")
    );
}

#[test]
fn reader_may_change_nothing() {
    check_role("erin@example.com", "erin@example.com (reader)", &[]);
}

#[test]
fn contributor_may_edit_data_but_not_test_results_or_assessments() {
    check_role(
        "dave@example.com",
        "dave@example.com (contributor)",
        &[Needs::Data],
    );
}

#[test]
fn assessor_may_edit_data_and_test_results() {
    check_role(
        "bob@example.com",
        "bob@example.com (assessor)",
        &[Needs::Data, Needs::Tests],
    );
}

#[test]
fn administrator_may_make_every_change() {
    check_role(
        "alice@example.com",
        "alice@example.com (administrator)",
        &[Needs::Data, Needs::Tests, Needs::Manage],
    );
}

#[test]
fn portal_admin_alone_may_make_every_change() {
    check_role(
        "pat@example.com",
        "pat@example.com (portal-admin)",
        &[Needs::Data, Needs::Tests, Needs::Manage],
    );
}

#[test]
fn portal_admin_and_administrator_may_make_every_change() {
    check_role(
        "carol@example.com",
        "carol@example.com (portal-admin, administrator)",
        &[Needs::Data, Needs::Tests, Needs::Manage],
    );
}

#[test]
fn guest_may_change_nothing() {
    check_role(
        "zed@example.com",
        "zed@example.com (a guest: not listed in assure.yaml)",
        &[],
    );
}

#[test]
fn the_acting_email_is_matched_ignoring_case_and_stamped_as_listed() {
    let repo = repo();
    let out = act(
        &repo,
        "ALICE@Example.COM",
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "azure",
            "--certification",
            "gdpr",
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        repo.read("groups/default-group/azure--gdpr.yaml")
            .contains("\ncreated_by: alice@example.com\n"),
        "{}",
        repo.read("groups/default-group/azure--gdpr.yaml")
    );
}

/// A change that syncs to a related control is that change too: the reader is refused
/// for both members, the contributor may set a status in both, but not a test result.
#[test]
fn a_synced_change_needs_the_permission_for_every_member() {
    let repo = repo();
    let before = snapshot(repo.path());
    let out = act(
        &repo,
        "erin@example.com",
        &["control", "set", GDPR, "6.10.1.2", "--status", "planned"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!(
            "error: erin@example.com (reader) may not make this change:\n  \
             - set `status` of 6.10.1.2 in default-group/office-365--gdpr: {DATA}\n  \
             - set `status` of SC-13 in default-group/office-365--nist-800-53-r5: {DATA}\n"
        )
    );
    assert_eq!(
        snapshot(repo.path()),
        before,
        "a refused change writes nothing"
    );

    let out = act(
        &repo,
        "dave@example.com",
        &[
            "control",
            "test",
            GDPR,
            "6.10.1.2",
            "--result",
            "failed-low-risk",
            "--date",
            "2019-06-01",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    for line in [
        format!("  - set `test_date` of 6.10.1.2 in default-group/office-365--gdpr: {TESTS}"),
        format!("  - set `test_result` of 6.10.1.2 in default-group/office-365--gdpr: {TESTS}"),
        format!(
            "  - set `test_date` of SC-13 in default-group/office-365--nist-800-53-r5: {TESTS}"
        ),
        format!(
            "  - set `test_result` of SC-13 in default-group/office-365--nist-800-53-r5: {TESTS}"
        ),
    ] {
        assert!(
            out.stderr.contains(&line),
            "missing {line:?} in:\n{}",
            out.stderr
        );
    }
    assert_eq!(
        snapshot(repo.path()),
        before,
        "a refused change writes nothing"
    );

    let out = act(
        &repo,
        "dave@example.com",
        &["control", "set", GDPR, "6.10.1.2", "--status", "planned"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        changed(&before, &snapshot(repo.path())),
        BTreeSet::from([GDPR_FILE.to_owned(), NIST_FILE.to_owned()])
    );
    assert!(
        repo.read(NIST_FILE)
            .contains("  SC-13:\n    status: planned\n"),
        "{}",
        repo.read(NIST_FILE)
    );
    assert!(
        out.stdout.contains("synced   default-group/office-365--nist-800-53-r5 SC-13 from default-group/office-365--gdpr 6.10.1.2 (status)"),
        "{}",
        out.stdout
    );

    let out = act(
        &repo,
        "bob@example.com",
        &[
            "control",
            "test",
            NIST,
            "SC-13",
            "--result",
            "failed-low-risk",
            "--date",
            "2019-06-01",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for file in [GDPR_FILE, NIST_FILE] {
        assert!(
            repo.read(file)
                .contains("    test_date: 2019-06-01\n    test_result: failed-low-risk\n"),
            "{file}:\n{}",
            repo.read(file)
        );
    }
}

/// A dry run is checked like the change: it reports the refusal, so nobody is shown a
/// diff for a change they may not make.
#[test]
fn a_dry_run_is_refused_like_the_change() {
    let repo = repo();
    let before = snapshot(repo.path());
    let out = act(
        &repo,
        "erin@example.com",
        &[
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--status",
            "implemented",
            "--dry-run",
        ],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "  - set `status` of 6.2.1.1 in default-group/office-365--gdpr: {DATA}"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
    assert_eq!(snapshot(repo.path()), before);
}
