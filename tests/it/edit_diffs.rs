//! Minimal diffs (DESIGN.md §8 (a)): every editing command, run on hand-written files
//! (`tests/fixtures/commented`: comments above and beside values, blank lines between
//! controls, `|` block text, a flow-style action and a flow-style document, quoted,
//! single-quoted and plain keys, and a file indented with four spaces), changes only the
//! lines that carry changed values. Each test pins the exact unified diff of every file
//! the command changed, and that nothing else changed.

use std::collections::BTreeMap;

use crate::support::{Output, TestRepo, fixtures, run_env, snapshot};

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const GROUP_FILE: &str = "groups/default-group/group.yaml";

fn commented() -> TestRepo {
    TestRepo::copy_of(&fixtures().join("commented"))
}

/// A unified diff with one line of context, without file headers.
fn udiff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(1)
        .to_string()
}

/// Expected diff lines, as one text.
fn lines(diff: &[&str]) -> String {
    diff.iter().map(|l| format!("{l}\n")).collect()
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    files
        .get(path)
        .map(|b| String::from_utf8(b.clone()).expect("utf-8"))
        .unwrap_or_default()
}

fn alice(repo: &TestRepo, args: &[&str]) -> Output {
    let mut full = vec!["--as", "alice@example.com"];
    full.extend_from_slice(args);
    run_env(repo.path(), &full, &[])
}

/// Runs an edit as Alice in `repo` and checks that it succeeds, that exactly the files
/// of `expected` changed, each by exactly its diff, and that the repository still
/// validates clean. Returns the command's output.
#[track_caller]
fn edit_in(repo: &TestRepo, args: &[&str], expected: &[(&str, &[&str])]) -> Output {
    let before = snapshot(repo.path());
    let out = alice(repo, args);
    assert_eq!(
        out.code, 0,
        "{args:?}\nstdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    let after = snapshot(repo.path());
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys().filter(|k| !before.contains_key(*k)))
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    let mut want: Vec<&str> = expected.iter().map(|(p, _)| *p).collect();
    want.sort_unstable();
    let mut got: Vec<&str> = changed.iter().map(|s| s.as_str()).collect();
    got.sort_unstable();
    let mut report = String::new();
    for p in &got {
        report.push_str(&format!(
            "=== {p}\n{}",
            udiff(&text(&before, p), &text(&after, p))
        ));
    }
    assert_eq!(got, want, "{args:?} changed other files:\n{report}");
    let mut wrong = String::new();
    for (path, diff) in expected {
        let actual = udiff(&text(&before, path), &text(&after, path));
        let diff = lines(diff);
        if actual != diff {
            wrong.push_str(&format!(
                "the diff of {path} is:\n{actual}<<<\nexpected:\n{diff}<<<\n"
            ));
        }
    }
    assert!(wrong.is_empty(), "{args:?}:\n{wrong}");
    let check = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(
        check.code, 0,
        "{args:?} left the repository invalid:\n{}",
        check.stdout
    );
    out
}

#[track_caller]
fn edit(args: &[&str], expected: &[(&str, &[&str])]) -> Output {
    edit_in(&commented(), args, expected)
}

#[test]
fn the_fixture_is_valid() {
    let repo = commented();
    let out = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "no problems found\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn status_changes_in_place_and_keeps_its_comment() {
    edit(
        &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"],
        &[(
            GDPR_FILE,
            &[
                "@@ -15,3 +15,3 @@",
                "   \"6.2.1.1\":",
                "-    status: planned          # legal has the draft",
                "+    status: implemented          # legal has the draft",
                "     assigned_to: dave@example.com",
            ],
        )],
    );
}

#[test]
fn multi_line_implementation_is_new_block_text_after_status() {
    edit(
        &[
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--implementation",
            "The policy is approved by the board.\nIt is reviewed every year.\n",
        ],
        &[(
            GDPR_FILE,
            &[
                "@@ -16,2 +16,5 @@",
                "     status: planned          # legal has the draft",
                "+    implementation: |",
                "+      The policy is approved by the board.",
                "+      It is reviewed every year.",
                "     assigned_to: dave@example.com",
            ],
        )],
    );
}

#[test]
fn block_text_is_replaced_in_a_four_space_file() {
    edit(
        &[
            "control",
            "set",
            NIST,
            "AC-1",
            "--implementation",
            "Policy v2 approved.\nProcedures published.\n",
        ],
        &[(
            NIST_FILE,
            &[
                "@@ -12,4 +12,4 @@",
                "         implementation: |",
                "-            Access control policy v2 is in review.",
                "-            Procedures follow once it is approved.",
                "+            Policy v2 approved.",
                "+            Procedures published.",
                "         assigned_to: erin@example.com    # reads only, but owns the policy text",
            ],
        )],
    );
}

#[test]
fn block_text_becomes_one_line_and_an_empty_text_removes_its_line() {
    edit(
        &[
            "control",
            "set",
            GDPR,
            "6.2.2.1",
            "--implementation",
            "One line now.",
            "--management-response",
            "",
        ],
        &[(
            GDPR_FILE,
            &[
                "@@ -21,6 +21,3 @@",
                "     status: implemented",
                "-    implementation: |",
                "-      The DPO owns this register.",
                "-      Each business unit names a privacy champion.",
                "-    management_response: \"Accepted: roles reviewed yearly.\"",
                "+    implementation: One line now.",
                " ",
            ],
        )],
    );
}

#[test]
fn text_that_needs_quotes_is_quoted() {
    edit(
        &[
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--test-plan",
            "Run: the scanner # weekly",
        ],
        &[(
            GDPR_FILE,
            &[
                "@@ -16,2 +16,3 @@",
                "     status: planned          # legal has the draft",
                "+    test_plan: \"Run: the scanner # weekly\"",
                "     assigned_to: dave@example.com",
            ],
        )],
    );
}

#[test]
fn a_test_result_goes_after_the_status() {
    edit(
        &[
            "control",
            "test",
            GDPR,
            "6.2.1.1",
            "--result",
            "failed-low-risk",
            "--date",
            "2019-05-01",
        ],
        &[(
            GDPR_FILE,
            &[
                "@@ -16,2 +16,4 @@",
                "     status: planned          # legal has the draft",
                "+    test_date: 2019-05-01",
                "+    test_result: failed-low-risk",
                "     assigned_to: dave@example.com",
            ],
        )],
    );
}

#[test]
fn a_new_test_result_replaces_the_old_in_place() {
    edit(
        &[
            "control",
            "test",
            NIST,
            "CM-2",
            "--result",
            "passed",
            "--date",
            "2019-06-01",
        ],
        &[(
            NIST_FILE,
            &[
                "@@ -18,4 +18,4 @@",
                "         status: implemented",
                "-        test_date: 2019-05-10",
                "-        test_result: failed-medium-risk    # drift on two hosts",
                "+        test_date: 2019-06-01",
                "+        test_result: passed    # drift on two hosts",
                "         assigned_to: dave@example.com",
            ],
        )],
    );
}

#[test]
fn assigning_a_control_not_started_adds_it_in_catalog_order() {
    edit(
        &[
            "assign",
            GDPR,
            "6.2.3.1",
            "--to",
            "dave@example.com",
            "--priority",
            "high",
            "--notes",
            "Collect the signed NDAs.",
        ],
        &[(
            GDPR_FILE,
            &[
                // The controls are separated by blank lines, and so is the new one.
                "@@ -26,2 +26,8 @@",
                " ",
                "+  \"6.2.3.1\":",
                "+    assigned_to: dave@example.com",
                "+    action:",
                "+      priority: high",
                "+      notes: Collect the signed NDAs.",
                "+",
                "   # --- Communications security ------------------------------------",
            ],
        )],
    );
}

#[test]
fn assigning_the_last_control_in_catalog_order_appends_it() {
    edit(
        &["assign", GDPR, "7.2.1.1", "--to", "bob@example.com"],
        &[(
            GDPR_FILE,
            &[
                "@@ -59 +59,4 @@",
                "     implementation: Standard contractual clauses with every processor.",
                "+",
                "+  \"7.2.1.1\":",
                "+    assigned_to: bob@example.com",
            ],
        )],
    );
}

#[test]
fn reassigning_edits_the_flow_action_in_place() {
    edit(
        &[
            "assign",
            GDPR,
            "6.2.1.1",
            "--to",
            "bob@example.com",
            "--priority",
            "high",
        ],
        &[(
            GDPR_FILE,
            &[
                "@@ -16,4 +16,4 @@",
                "     status: planned          # legal has the draft",
                "-    assigned_to: dave@example.com",
                "-    action: { priority: medium, notes: Draft the policy by Q3. }",
                "+    assigned_to: bob@example.com",
                "+    action: { priority: high, notes: Draft the policy by Q3. }",
                " ",
            ],
        )],
    );
}

#[test]
fn reassigning_with_notes_and_notify_edits_the_block_action_and_syncs() {
    let out = edit(
        &[
            "assign",
            GDPR,
            "6.10.1.2",
            "--to",
            "dave@example.com",
            "--notes",
            "Attach the Q2 report too.",
            "--notify",
        ],
        &[
            (
                GDPR_FILE,
                &[
                    "@@ -37,6 +37,7 @@",
                    "     test_result: passed",
                    "-    assigned_to: bob@example.com",
                    "+    assigned_to: dave@example.com",
                    "     action:",
                    "       priority: high         # auditors asked twice",
                    "-      notes: Please attach the scanner report.",
                    "+      notes: Attach the Q2 report too.",
                    "+      notify: true",
                    "     documents:",
                ],
            ),
            (
                NIST_FILE,
                &[
                    "@@ -37,3 +37,3 @@",
                    "         test_result: passed",
                    "-        assigned_to: bob@example.com",
                    "+        assigned_to: dave@example.com",
                    "         documents:",
                ],
            ),
        ],
    );
    assert_eq!(
        out.stdout,
        "updated  groups/default-group/office-365--gdpr.yaml\n\
         updated  groups/default-group/office-365--nist-800-53-r5.yaml\n\
         synced   default-group/office-365--nist-800-53-r5 SC-13 from default-group/office-365--gdpr 6.10.1.2 (assigned_to)\n"
    );
}

#[test]
fn unassigning_removes_the_assignee_line_only() {
    edit(
        &["unassign", GDPR, "6.2.1.1"],
        &[(
            GDPR_FILE,
            &[
                "@@ -16,3 +16,2 @@",
                "     status: planned          # legal has the draft",
                "-    assigned_to: dave@example.com",
                "     action: { priority: medium, notes: Draft the policy by Q3. }",
            ],
        )],
    );
    edit(
        &["unassign", NIST, "CM-2"],
        &[(
            NIST_FILE,
            &[
                "@@ -20,3 +20,2 @@",
                "         test_result: failed-medium-risk    # drift on two hosts",
                "-        assigned_to: dave@example.com",
                "         action:",
            ],
        )],
    );
}

#[test]
fn a_first_document_starts_a_list() {
    edit(
        &[
            "doc",
            "add",
            GDPR,
            "6.2.1.1",
            "evidence/policy-draft.txt",
            "--purpose",
            "implementation",
        ],
        &[(
            GDPR_FILE,
            &[
                "@@ -18,2 +18,6 @@",
                "     action: { priority: medium, notes: Draft the policy by Q3. }",
                "+    documents:",
                "+      - path: evidence/policy-draft.txt",
                "+        sha256: 85661993485a62bb2971faaffd26fe42ddda14d55a9b73aed351bee05b7f9ad5",
                "+        purpose: implementation",
                " ",
            ],
        )],
    );
}

#[test]
fn a_document_is_appended_to_a_list_of_flow_and_block_items() {
    edit(
        &["doc", "add", GDPR, "6.12.1.1", "evidence/policy-draft.txt"],
        &[(
            GDPR_FILE,
            &[
                "@@ -55,2 +55,4 @@",
                "         sha256: ed87557a4a70858813dabccb9a1049435027487cb179043ab0a7fe27a87a072f",
                "+      - path: evidence/policy-draft.txt",
                "+        sha256: 85661993485a62bb2971faaffd26fe42ddda14d55a9b73aed351bee05b7f9ad5",
                " ",
            ],
        )],
    );
}

#[test]
fn a_document_outside_the_repository_is_copied_under_evidence() {
    let outside = tempfile::tempdir().expect("temp dir");
    let file = outside.path().join("pen-test 2019.txt");
    std::fs::write(&file, "Penetration test summary.\n").expect("write");
    let repo = commented();
    let before = snapshot(repo.path());
    let out = alice(
        &repo,
        &[
            "doc",
            "add",
            GDPR,
            "6.2.2.1",
            file.to_str().expect("utf-8"),
            "--purpose",
            "testing",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "copied   evidence/pen-test 2019.txt\nupdated  groups/default-group/office-365--gdpr.yaml\n"
    );
    assert_eq!(
        repo.read("evidence/pen-test 2019.txt"),
        "Penetration test summary.\n"
    );
    let after = snapshot(repo.path());
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(
        udiff(&text(&before, GDPR_FILE), &text(&after, GDPR_FILE)),
        lines(&[
            "@@ -25,2 +25,6 @@",
            "     management_response: \"Accepted: roles reviewed yearly.\"",
            "+    documents:",
            "+      - path: evidence/pen-test 2019.txt",
            "+        sha256: 26c64e92cabf4bd0f761d48a7ccef2aee68659136b3919ac1751945357fb4140",
            "+        purpose: testing",
            " ",
        ])
    );
    assert_eq!(run_env(repo.path(), &["validate"], &[]).code, 0);
}

#[test]
fn removing_a_flow_item_or_a_block_item_removes_its_lines() {
    edit(
        &["doc", "remove", GDPR, "6.12.1.1", "evidence/processors.txt"],
        &[(
            GDPR_FILE,
            &[
                "@@ -52,3 +52,2 @@",
                "     documents:",
                "-      - { path: evidence/processors.txt, sha256: 3e44a4a7a2390f44cf0e06a55b9a588533fd8260c6c2f2b3765be6f9db362626, purpose: implementation }",
                "       - path: evidence/dpa-template.txt   # the signed template",
            ],
        )],
    );
    edit(
        &[
            "doc",
            "remove",
            GDPR,
            "6.12.1.1",
            "evidence/dpa-template.txt",
        ],
        &[(
            GDPR_FILE,
            &[
                "@@ -53,4 +53,2 @@",
                "       - { path: evidence/processors.txt, sha256: 3e44a4a7a2390f44cf0e06a55b9a588533fd8260c6c2f2b3765be6f9db362626, purpose: implementation }",
                "-      - path: evidence/dpa-template.txt   # the signed template",
                "-        sha256: ed87557a4a70858813dabccb9a1049435027487cb179043ab0a7fe27a87a072f",
                " ",
            ],
        )],
    );
}

#[test]
fn removing_the_last_document_removes_the_list_in_both_related_controls() {
    edit(
        &["doc", "remove", GDPR, "6.10.1.2", "evidence/tls-scan.txt"],
        &[
            (
                GDPR_FILE,
                &[
                    "@@ -41,7 +41,2 @@",
                    "       notes: Please attach the scanner report.",
                    "-    documents:",
                    "-      # the scanner's raw output",
                    "-      - path: evidence/tls-scan.txt",
                    "-        sha256: abedf288ea8d15853dfa10559c4943163de555494e1be10aa06776747f6c17f1",
                    "-        purpose: testing",
                    " ",
                ],
            ),
            (
                NIST_FILE,
                &[
                    "@@ -38,5 +38 @@",
                    "         assigned_to: bob@example.com",
                    "-        documents:",
                    "-            - path: evidence/tls-scan.txt",
                    "-              sha256: abedf288ea8d15853dfa10559c4943163de555494e1be10aa06776747f6c17f1",
                    "-              purpose: testing",
                ],
            ),
        ],
    );
}

#[test]
fn archiving_adds_one_line_after_created_by() {
    edit(
        &["assessment", "archive", GDPR, "--yes"],
        &[(
            GDPR_FILE,
            &[
                "@@ -9,2 +9,3 @@",
                " created_by: alice@example.com",
                "+archived: 2026-01-01T12:00:00Z",
                " ",
            ],
        )],
    );
}

#[test]
fn renaming_a_group_changes_its_name_only() {
    edit(
        &["group", "rename", "default-group", "Default Group 2019"],
        &[(
            GROUP_FILE,
            &[
                "@@ -3,3 +3,3 @@",
                " ",
                "-name: Default Group    # shown on the dashboard",
                "+name: Default Group 2019    # shown on the dashboard",
                " description: >-",
            ],
        )],
    );
}

#[test]
fn a_synced_change_edits_the_related_control_in_the_other_file_minimally() {
    let out = edit(
        &[
            "control",
            "set",
            NIST,
            "SA-9",
            "--status",
            "implemented",
            "--implementation",
            "Clauses signed.\nAudited yearly.\n",
        ],
        &[
            (
                GDPR_FILE,
                &[
                    "@@ -57,3 +57,5 @@",
                    "   \"6.12.1.2\":",
                    "-    status: alternative-implementation",
                    "-    implementation: Standard contractual clauses with every processor.",
                    "+    status: implemented",
                    "+    implementation: |",
                    "+      Clauses signed.",
                    "+      Audited yearly.",
                ],
            ),
            (
                NIST_FILE,
                &[
                    "@@ -25,4 +25,6 @@",
                    "     SA-9:",
                    "-        status: alternative-implementation",
                    "-        implementation: Standard contractual clauses with every processor.",
                    "+        status: implemented",
                    "+        implementation: |",
                    "+            Clauses signed.",
                    "+            Audited yearly.",
                    " ",
                ],
            ),
        ],
    );
    assert!(
        out.stdout.ends_with(
            "synced   default-group/office-365--gdpr 6.12.1.2 from default-group/office-365--nist-800-53-r5 SA-9 (status, implementation)\n"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn a_synced_test_result_keeps_the_comment_beside_the_date() {
    edit(
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
        &[
            (
                GDPR_FILE,
                &[
                    "@@ -35,4 +35,4 @@",
                    "     test_plan: Scan every public endpoint with an external TLS scanner.",
                    "-    test_date: 2019-04-02    # the Q1 scan",
                    "-    test_result: passed",
                    "+    test_date: 2019-06-01    # the Q1 scan",
                    "+    test_result: failed-low-risk",
                    "     assigned_to: bob@example.com",
                ],
            ),
            (
                NIST_FILE,
                &[
                    "@@ -35,4 +35,4 @@",
                    "         test_plan: Scan every public endpoint with an external TLS scanner.",
                    "-        test_date: 2019-04-02",
                    "-        test_result: passed",
                    "+        test_date: 2019-06-01",
                    "+        test_result: failed-low-risk",
                    "         assigned_to: bob@example.com",
                ],
            ),
        ],
    );
}

#[test]
fn a_synced_assignment_starts_the_related_control() {
    edit(
        &[
            "assign",
            NIST,
            "AC-2",
            "--to",
            "bob@example.com",
            "--priority",
            "low",
        ],
        &[
            (
                GDPR_FILE,
                &[
                    "@@ -26,2 +26,5 @@",
                    " ",
                    "+  \"6.6.1.1\":",
                    "+    assigned_to: bob@example.com",
                    "+",
                    "   # --- Communications security ------------------------------------",
                ],
            ),
            (
                NIST_FILE,
                &[
                    // The controls are spaced by empty lines (their comments are
                    // part of them), so the new one is too.
                    "@@ -16,2 +16,7 @@",
                    " ",
                    "+    AC-2:",
                    "+        assigned_to: bob@example.com",
                    "+        action:",
                    "+            priority: low",
                    "+",
                    "     CM-2:",
                ],
            ),
        ],
    );
}

/// What `--dry-run` prints for a change: each file's diff (as `git diff` shows it), then
/// the sync report. Computed from the files the real command writes.
fn dry_run_text(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    report: &str,
) -> String {
    let mut out = String::new();
    for line in report.lines() {
        let Some(path) = ["updated  ", "created  ", "deleted  "]
            .iter()
            .find_map(|verb| line.strip_prefix(verb))
        else {
            continue;
        };
        // Created and deleted files are compared with /dev/null, as git shows them.
        let (old, new) = (text(before, path), text(after, path));
        let a = if old.is_empty() {
            "/dev/null".to_owned()
        } else {
            format!("a/{path}")
        };
        let b = if new.is_empty() {
            "/dev/null".to_owned()
        } else {
            format!("b/{path}")
        };
        out.push_str(
            &similar::TextDiff::from_lines(&old, &new)
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string(),
        );
    }
    out.push_str("(dry run: nothing written)\n");
    for line in report.lines().filter(|l| l.starts_with("synced ")) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn a_dry_run_prints_the_diff_it_would_write_and_writes_nothing() {
    let cases: &[&[&str]] = &[
        &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"],
        &[
            "control",
            "set",
            NIST,
            "SA-9",
            "--status",
            "implemented",
            "--implementation",
            "Clauses signed.\nAudited yearly.\n",
        ],
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
        &[
            "assign",
            NIST,
            "AC-2",
            "--to",
            "bob@example.com",
            "--priority",
            "low",
        ],
        &["unassign", GDPR, "6.2.1.1"],
        &["doc", "add", GDPR, "6.12.1.1", "evidence/policy-draft.txt"],
        &["doc", "remove", GDPR, "6.10.1.2", "evidence/tls-scan.txt"],
        &["assessment", "archive", GDPR, "--yes"],
        &["assessment", "delete", GDPR, "--yes"],
        &[
            "assessment",
            "new",
            "--group",
            "default-group",
            "--service",
            "azure",
            "--certification",
            "iso-27001-2013",
        ],
        &[
            "group",
            "new",
            "Second Group",
            "--description",
            "Another one.",
        ],
        &["group", "rename", "default-group", "Default Group 2019"],
    ];
    for args in cases {
        let real = commented();
        let before = snapshot(real.path());
        let done = alice(&real, args);
        assert_eq!(done.code, 0, "{args:?}: {}", done.stderr);
        let after = snapshot(real.path());
        assert_ne!(before, after, "{args:?} changes something");

        let dry = commented();
        let mut with_flag = args.to_vec();
        with_flag.push("--dry-run");
        let out = alice(&dry, &with_flag);
        assert_eq!(out.code, 0, "{with_flag:?}: {}", out.stderr);
        assert_eq!(
            out.stdout,
            dry_run_text(&before, &after, &done.stdout),
            "{with_flag:?}"
        );
        assert!(snapshot(dry.path()) == before, "{with_flag:?} wrote files");
    }
}

#[test]
fn a_dry_run_of_archive_needs_no_confirmation() {
    let repo = commented();
    let before = snapshot(repo.path());
    let out = alice(&repo, &["assessment", "archive", GDPR, "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("+archived: 2026-01-01T12:00:00Z\n"),
        "{}",
        out.stdout
    );
    assert!(snapshot(repo.path()) == before);
}

#[test]
fn a_change_to_the_same_value_writes_nothing() {
    for args in [
        &["control", "set", GDPR, "6.2.1.1", "--status", "planned"][..],
        &[
            "control",
            "set",
            NIST,
            "AC-1",
            "--implementation",
            "Access control policy v2 is in review.\nProcedures follow once it is approved.\n",
        ],
        &[
            "control",
            "test",
            NIST,
            "CM-2",
            "--result",
            "failed-medium-risk",
            "--date",
            "2019-05-10",
        ],
        &["assign", GDPR, "6.2.1.1", "--to", "dave@example.com"],
        &["doc", "add", GDPR, "6.10.1.2", "evidence/tls-scan.txt"],
        &["group", "rename", "default-group", "Default Group"],
    ] {
        let repo = commented();
        let before = snapshot(repo.path());
        let out = alice(&repo, args);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, "nothing to change\n"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(snapshot(repo.path()) == before, "{args:?} wrote files");
    }
}

#[test]
fn edits_in_a_row_stay_minimal() {
    let repo = commented();
    let original = repo.read(GDPR_FILE);
    for args in [
        &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"][..],
        &[
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--implementation",
            "Approved by the board.\nReviewed yearly.\n",
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
        &[
            "assign",
            GDPR,
            "6.2.1.1",
            "--to",
            "bob@example.com",
            "--priority",
            "low",
        ],
        &[
            "doc",
            "add",
            GDPR,
            "6.2.1.1",
            "evidence/policy-draft.txt",
            "--purpose",
            "implementation",
        ],
    ] {
        let out = alice(&repo, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    assert_eq!(
        udiff(&original, &repo.read(GDPR_FILE)),
        lines(&[
            "@@ -15,5 +15,14 @@",
            "   \"6.2.1.1\":",
            "-    status: planned          # legal has the draft",
            "-    assigned_to: dave@example.com",
            "-    action: { priority: medium, notes: Draft the policy by Q3. }",
            "+    status: implemented          # legal has the draft",
            "+    implementation: |",
            "+      Approved by the board.",
            "+      Reviewed yearly.",
            "+    test_date: 2019-05-01",
            "+    test_result: passed",
            "+    assigned_to: bob@example.com",
            "+    action: { priority: low, notes: Draft the policy by Q3. }",
            "+    documents:",
            "+      - path: evidence/policy-draft.txt",
            "+        sha256: 85661993485a62bb2971faaffd26fe42ddda14d55a9b73aed351bee05b7f9ad5",
            "+        purpose: implementation",
            " ",
        ])
    );
}

// Regressions: bugs found while writing these tests, now fixed.

/// DESIGN.md §8 (b): an edit runs sync "for what they changed". Here a class the edit
/// does not touch is out of sync (SC-13 was edited by hand, with no git history): an
/// edit of 6.2.1.1 must change the 6.2.1.1 line only, and a contributor may make it.
/// (It used to also sync 6.10.1.2 from SC-13, and refuse the contributor for the test
/// fields that brought along.)
#[test]
fn an_edit_leaves_unrelated_sync_classes_alone() {
    let repo = commented();
    let nist = repo.read(NIST_FILE);
    repo.write(
        NIST_FILE,
        nist.replace(
            "        test_date: 2019-04-02\n",
            "        test_date: 2019-04-03\n",
        ),
    );
    let gdpr = repo.read(GDPR_FILE);
    let out = run_env(
        repo.path(),
        &[
            "--as",
            "dave@example.com",
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--status",
            "implemented",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "updated  groups/default-group/office-365--gdpr.yaml\n"
    );
    assert_eq!(
        repo.read(GDPR_FILE),
        gdpr.replace("    status: planned   ", "    status: implemented   ")
    );
}

/// The same with members that tie on the test date: today an unrelated edit fails with
/// "sync conflict" (exit 1) until someone fixes the other class by hand.
#[test]
fn an_edit_is_not_blocked_by_an_unrelated_sync_conflict() {
    let repo = commented();
    let nist = repo.read(NIST_FILE);
    repo.write(
        NIST_FILE,
        nist.replace(
            "            Older protocols are disabled at the load balancers.\n",
            "            Older protocols are off.\n",
        ),
    );
    let out = alice(
        &repo,
        &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "updated  groups/default-group/office-365--gdpr.yaml\n"
    );
}

/// A file with CRLF line breaks (saved on Windows) keeps them in the lines an edit
/// inserts, rather than ending up with mixed line endings.
#[test]
fn a_crlf_file_keeps_crlf_line_breaks() {
    let repo = commented();
    let crlf = repo.read(GDPR_FILE).replace('\n', "\r\n");
    repo.write(GDPR_FILE, &crlf);
    let out = alice(
        &repo,
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
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let after = repo.read(GDPR_FILE);
    let bare: Vec<&str> = after
        .split_inclusive('\n')
        .filter(|l| !l.ends_with("\r\n"))
        .collect();
    assert!(bare.is_empty(), "lines ending in a bare LF: {bare:?}");
    assert_eq!(
        after,
        crlf.replace(
            "    assigned_to: dave@example.com\r\n",
            "    test_date: 2019-05-01\r\n    test_result: passed\r\n    assigned_to: dave@example.com\r\n"
        )
    );
}

/// A comment after the `:` of a value written on the following lines belongs to that
/// line: replacing the value keeps it.
#[test]
fn a_comment_after_the_colon_survives_a_new_value() {
    let repo = commented();
    let gdpr = repo.read(GDPR_FILE);
    let hand = gdpr.replace(
        "    management_response: \"Accepted: roles reviewed yearly.\"\n",
        "    management_response:   # from the audit committee\n      Accepted, roles\n      reviewed yearly.\n",
    );
    repo.write(GDPR_FILE, &hand);
    let out = alice(
        &repo,
        &[
            "control",
            "set",
            GDPR,
            "6.2.2.1",
            "--management-response",
            "Accepted.",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.read(GDPR_FILE).contains("# from the audit committee"),
        "{}",
        repo.read(GDPR_FILE)
    );
}

/// A new control that goes before the first one goes before that one's comment too: the
/// comment lines right above a key are about it (`# Related to …` stays with its
/// control). `--dry-run` shows the same diff the command then writes.
#[test]
fn a_new_control_goes_above_the_comment_of_the_control_after_it() {
    let repo = TestRepo::base();
    let text = repo.read(NIST_FILE);
    repo.write(
        NIST_FILE,
        text.replacen(
            "controls:\n  SC-13:",
            "controls:\n  # Related to GDPR 6.10.1.2: synced by `assure sync`.\n  SC-13:",
            1,
        ),
    );
    // AC-3 sorts before SC-13, the first control of the file, and syncs with nothing.
    let expected: &[&str] = &[
        "@@ -5,2 +5,4 @@",
        " controls:",
        "+  AC-3:",
        "+    status: implemented",
        "   # Related to GDPR 6.10.1.2: synced by `assure sync`.",
    ];
    let args = ["control", "set", NIST, "AC-3", "--status", "implemented"];
    let dry = alice(&repo, &[&args[..], &["--dry-run"]].concat());
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let shown: Vec<&str> = dry.stdout.lines().collect();
    let at = shown
        .iter()
        .position(|l| *l == "+  AC-3:")
        .unwrap_or_else(|| panic!("the new control in\n{}", dry.stdout));
    assert_eq!(
        &shown[at - 1..at + 3],
        &expected[1..],
        "the dry run shows the comment below the new control:\n{}",
        dry.stdout
    );
    edit_in(&repo, &args, &[(NIST_FILE, expected)]);
}
