//! A security review of the review gate (`assure validate --base REV [--actor WHO]`): more
//! ways around it, tried as a contributor, reader or guest of the base would, on real git
//! repositories. Six of them got through the first version of the merge and net-change
//! checks (a merge reviving a value its own side had undone, an old first parent behind a
//! change to the same person or file, a file broken and repaired, a file git was told to
//! treat as unchanged, a deleted group) and one was refused wrongly (a person removed and
//! added back); each is a test here of what the gate reports now. The others are refusals
//! that no other test shows.

use crate::gate::{
    Change, FAILED, Finding, GDPR_FILE, PASSED, PLANNED, TESTS, by, finding, gate_only,
};
use crate::support::git_cli;

/// Whether some gate finding's message mentions `what` (a change, as the gate describes
/// it): the fix may report it at the commit that brought it or on the change as a whole.
fn refuses(result: &(i32, Vec<Finding>), what: &str) -> bool {
    result.0 == 1
        && result.1.iter().any(|f| {
            matches!(
                f.code.as_str(),
                "permission-denied" | "unchecked-change" | "unarchived" | "archived-modified"
            ) && f.message.contains(what)
        })
}

// --- Merges -----------------------------------------------------------------------------

#[test]

fn a_merge_of_an_in_range_ancestor_cannot_revive_an_undone_result() {
    // In one pull request Bob (assessor) records 6.2.1.1 passed (B1), then, after review,
    // failed (B2). Dave (contributor) adds a merge commit with parents [B2, B1] and B1's
    // tree: `git commit-tree -p B2 -p B1 B1^{tree}` (`git merge` would say "already up to
    // date"). The test result is passed again, and nobody who may set it set it last.
    //
    // Today: exit 0. The merge's change against its first parent (failed -> passed) is
    // exempt because its value equals the second parent's and a checked commit (B1) once
    // "made" that value (`own_changes`: `made_here && !touches(against B1)`); the net
    // check finds the same fingerprint in `made`. But B1's value is not something the
    // merged side changed since the merge base of the parents (B1 itself): a 3-way merge
    // would keep B2's value. The revival is Dave's own change.
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let b1 = c.commit("bob@example.com", "6.2.1.1 passed");
    c.edit(GDPR_FILE, PASSED, FAILED);
    let b2 = c.commit("bob@example.com", "6.2.1.1 failed after all");
    c.git.reset_hard(b1);
    let merge = c
        .git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[b2, b1]);
    let result = gate_only(c.check(&[]));
    // With --actor the whole change is Dave's, and refused: the hole is per-commit only.
    assert!(refuses(
        &gate_only(c.check(&["--actor", "dave@example.com"])),
        "set `test_result` of 6.2.1.1"
    ));
    assert_eq!(
        result,
        (
            1,
            vec![
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    22,
                    format!(
                        "{}: set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}",
                        by(merge, "dave@example.com")
                    )
                ),
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    23,
                    format!(
                        "{}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}",
                        by(merge, "dave@example.com")
                    )
                ),
            ]
        ),
        "the merge revives what B2 undid"
    );
}

#[test]

fn an_old_first_parent_cannot_bring_back_a_role_behind_a_name_change() {
    // Carol made Dave an assessor (O) and took it back (the base). In the pull request,
    // Carol (portal-admin) fixes Dave's name (C1, allowed). Dave then adds a merge with
    // parents [O, C1] and O's tree: Dave is an assessor again, his name as before.
    //
    // Today: exit 0. Against its first parent O the merge changes nothing. The net change
    // (base -> head) is "change the name or roles of dave@example.com", and C1 made a
    // change with that same fingerprint: `fingerprint` keeps the value only for control
    // fields, so any in-range change to a person (or a setting, global_admins,
    // portal-admin, an assessment's creation or header) vouches for whatever value of it
    // the head holds, old history included.
    let c = Change::new();
    let contributor = "Dave Contributor\n    roles: [contributor]";
    let assessor = "Dave Contributor\n    roles: [assessor]";
    c.edit("assure.yaml", contributor, assessor);
    let old = c.commit("carol@example.com", "Dave assesses");
    c.edit("assure.yaml", assessor, contributor);
    let base = c.commit("carol@example.com", "Dave contributes again");
    c.edit(
        "assure.yaml",
        "name: Dave Contributor",
        "name: Dave Writer-Contributor",
    );
    let rename = c.commit("carol@example.com", "Dave's full name");
    c.git.reset_hard(old);
    c.git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[old, rename]);
    assert!(
        c.repo.read("assure.yaml").contains(assessor),
        "Dave is an assessor at the head"
    );
    let result = gate_only(c.check_from(base, &[]));
    assert!(
        refuses(&result, "change the name or roles of dave@example.com"),
        "an old role brought back is refused: {result:?}"
    );
}

#[test]

fn an_old_first_parent_cannot_restore_a_deleted_assessment_behind_a_new_one() {
    // Alice deleted the GDPR assessment (the base). In the pull request she starts a new
    // one at the same path (C1: a header, no controls; allowed). Dave then adds a merge
    // with parents [the old commit, C1] and the old tree: the old assessment, its passed
    // test of 6.10.1.2 included, is back.
    //
    // Today: exit 0. The net change is "create assessment default-group/office-365--gdpr",
    // and C1 made a change with that fingerprint; what the file holds is not compared.
    let c = Change::new();
    let old = c.base;
    let text = c.repo.read(GDPR_FILE);
    std::fs::remove_file(c.repo.path().join(GDPR_FILE)).expect("rm");
    let base = c.commit("alice@example.com", "Retire the GDPR assessment");
    c.repo.write(
        GDPR_FILE,
        "service: office-365\ncertification: gdpr\ncreated: 2019-05-02T09:00:00Z\ncreated_by: alice@example.com\n",
    );
    let fresh = c.commit("alice@example.com", "Start the GDPR assessment again");
    c.git.reset_hard(old);
    c.git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[old, fresh]);
    assert_eq!(c.repo.read(GDPR_FILE), text, "the old assessment is back");
    let result = gate_only(c.check_from(base, &[]));
    assert!(
        refuses(&result, "office-365--gdpr"),
        "the old content is nobody's checked change: {result:?}"
    );
}

// --- Per-commit classification ------------------------------------------------------------

#[test]

fn a_file_broken_then_repaired_cannot_carry_a_test_result() {
    // Bob records 6.2.1.1 passed (B1), then failed (B2). Dave breaks the file (D1: not
    // YAML) and repairs it with the passed result (D2).
    //
    // Today: exit 0. Per commit, a version that does not load is compared as a whole file
    // (`file_changes`: old exists, new or old does not parse -> `OtherFile`, which needs
    // only the contributor role), so D2's test result is checked as "editing data". The
    // net check alone stands guard (`unchecked-change`), and it is satisfied because B1
    // once made the same value (see the first test). Without B1, the net check does
    // catch it: that case is `..._without_an_earlier_value` below.
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.commit("bob@example.com", "6.2.1.1 passed");
    c.edit(GDPR_FILE, PASSED, FAILED);
    c.commit("bob@example.com", "6.2.1.1 failed after all");
    let failed = c.repo.read(GDPR_FILE);
    c.repo.write(GDPR_FILE, format!("{failed}  - [unclosed\n"));
    c.commit("dave@example.com", "WIP");
    c.repo.write(GDPR_FILE, failed.replace(FAILED, PASSED));
    let repair = c.commit("dave@example.com", "Fix the file");
    let result = gate_only(c.check(&[]));
    assert!(
        result
            .1
            .iter()
            .any(|f| f.message.starts_with(&by(repair, "dave@example.com"))
                && f.message.contains("set `test_result` of 6.2.1.1")),
        "the repair sets a test result: {result:?}"
    );
}

#[test]
fn a_file_broken_then_repaired_without_an_earlier_value() {
    // The same two commits by Dave, with no earlier commit that made the value: the repair
    // is compared with the base's version, so it is Dave's test result.
    let c = Change::new();
    let text = c.repo.read(GDPR_FILE);
    c.repo.write(GDPR_FILE, format!("{text}  - [unclosed\n"));
    c.commit("dave@example.com", "WIP");
    c.repo.write(GDPR_FILE, text.replace(PLANNED, PASSED));
    let repair = c.commit("dave@example.com", "Fix the file");
    let dave = |field: &str| {
        format!(
            "{}: set `{field}` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}",
            by(repair, "dave@example.com")
        )
    };
    assert_eq!(
        gate_only(c.check(&[])),
        (
            1,
            vec![
                finding("permission-denied", GDPR_FILE, 22, dave("test_date")),
                finding("permission-denied", GDPR_FILE, 23, dave("test_result")),
            ]
        )
    );
}

// --- Merges the gate stops ----------------------------------------------------------------

#[test]
fn an_octopus_merge_cannot_bring_an_old_value_in_a_third_parent() {
    // Bob passed 6.2.1.1 (old), then failed it (the base). In the pull request Bob retests
    // TLS (X). Dave merges the base, X and the old commit in one octopus merge, taking
    // X's change and the old passed result: the third parent is outside the range, so
    // what comes from it is Dave's own change.
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let old = c.commit("bob@example.com", "6.2.1.1 passed");
    c.edit(GDPR_FILE, PASSED, FAILED);
    let base = c.commit("bob@example.com", "6.2.1.1 failed on retest");
    c.edit(GDPR_FILE, "test_date: 2019-04-02", "test_date: 2019-05-03");
    let retest = c.commit("bob@example.com", "Retest TLS");
    c.edit(GDPR_FILE, FAILED, PASSED);
    let merge = c.git.commit_with_parents(
        "dave@example.com",
        "Octopus",
        c.tick(),
        &[base, retest, old],
    );
    let dave = by(merge, "dave@example.com");
    assert_eq!(
        gate_only(c.check_from(base, &[])),
        (
            1,
            vec![
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    22,
                    format!(
                        "{dave}: set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
                    )
                ),
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    23,
                    format!(
                        "{dave}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
                    )
                ),
            ]
        )
    );
}

// --- The work tree ------------------------------------------------------------------------

#[test]

fn a_file_git_is_told_to_treat_as_unchanged_is_still_judged() {
    // SECURITY.md: "a local run checks exactly what `validate` reads". Git can be told
    // not to look at a tracked file (`update-index --assume-unchanged`, or
    // `--skip-worktree`); libgit2's diff of the work tree honours both, so the gate's
    // list of changed files (`Git::changed_files` with `new = None`) leaves the file out,
    // while the loader reads it from disk.
    //
    // Today: exit 0 with `--actor dave`. A local run only (CI's
    // checkout sets no such flag), which SECURITY.md calls advice; still a gap against
    // the stated guarantee. Fix: in the work-tree pass, also compare (by hashing, as
    // `Git::hash_blob` can) every tracked data file whose index entry has the
    // assume-valid or skip-worktree flag, or refuse to run when any data file has one.
    for flag in ["--assume-unchanged", "--skip-worktree"] {
        let c = Change::new();
        let out = git_cli(c.repo.path(), &["update-index", flag, GDPR_FILE]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        c.edit(GDPR_FILE, PLANNED, PASSED);
        let status = git_cli(c.repo.path(), &["status", "--porcelain"]);
        assert_eq!(status.stdout, "", "git sees nothing to commit ({flag})");
        let result = gate_only(c.check(&["--actor", "dave@example.com"]));
        assert!(
            refuses(&result, "set `test_result` of 6.2.1.1"),
            "{flag}: {result:?}"
        );
    }
}

// --- Inputs -------------------------------------------------------------------------------

#[test]
fn a_base_whose_assure_yaml_does_not_parse_cannot_run() {
    // Nobody's role at such a base is known: the check cannot run (exit 2), rather than
    // treating everyone as a guest or everyone as allowed.
    let c = Change::new();
    c.repo.write("assure.yaml", "organization: [unclosed\n");
    let base = c.commit("carol@example.com", "Broken");
    c.repo.write("assure.yaml", crate::gate::CONFIG);
    c.commit("dave@example.com", "Fixed");
    let base = base.to_string();
    let out = c.run(&["validate", "--base", &base]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("does not load") && out.stderr.contains(&base),
        "{}",
        out.stderr
    );
}

#[test]

fn a_guest_cannot_delete_a_group() {
    // README: a guest "may change nothing". Deleting `groups/spare/group.yaml` (the
    // group's only file) removes the group. `group_changes` gives no change for
    // (Some, None), and `file_changes` adds a `GroupDescription` only when the new
    // version exists, so the deletion is no change at all: any role, a guest included,
    // passes. Fix: a `GroupDeleted` change (needs managing assessments, like creating
    // and renaming groups).
    let c = Change::new();
    std::fs::remove_file(c.repo.path().join("groups/spare/group.yaml")).expect("rm");
    std::fs::remove_dir(c.repo.path().join("groups/spare")).expect("rmdir");
    c.commit("zed@elsewhere.com", "Tidy up");
    let result = gate_only(c.check(&["--actor", "zed@elsewhere.com"]));
    assert_eq!(result.0, 1, "{result:?}");
    assert!(
        result.1.iter().any(|f| f.file == "groups/spare/group.yaml"),
        "{result:?}"
    );
}

#[test]
fn a_submodule_in_groups_is_refused_even_when_not_checked_out() {
    // A group folder committed as a submodule (git mode 160000): a local `git submodule
    // update` would fill it with files nobody reviewed as data. CI's checkout leaves the
    // folder empty, and the gate still refuses it, per commit and with --actor.
    let c = Change::new();
    let target = c.base.to_string();
    let out = git_cli(
        c.repo.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{target},groups/elsewhere"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = git_cli(c.repo.path(), &["commit", "-q", "-m", "A submodule"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::create_dir_all(c.repo.path().join("groups/elsewhere")).expect("mkdir");
    let rule = "assure.yaml and every file under catalog/ and groups/ must be a regular file, so that what is reviewed is what is read";
    for args in [&["--actor", "dave@example.com"][..], &[][..]] {
        let (code, found) = gate_only(c.check(args));
        assert_eq!(code, 1, "{args:?}");
        assert!(
            found.iter().any(|f| f.code == "not-a-regular-file"
                && f.file == "groups/elsewhere"
                && f.message.contains(rule)),
            "{args:?}: {found:?}"
        );
    }
}

// --- People -------------------------------------------------------------------------------

#[test]

fn removing_and_re_adding_a_person_is_the_portal_admins_change() {
    // Not a way around the gate, but the same root cause as the holes above, the other
    // way round: Carol (portal-admin) removes Dave, then adds him back as an assessor.
    // Each commit is hers to make; the net change, "change the name or roles of
    // dave@example.com", has no fingerprint in `made` ("remove…", "add…"), so it is an
    // `unchecked-change` and the pull request cannot pass, though every part of it was
    // checked and allowed.
    let c = Change::new();
    let dave =
        "  - email: dave@example.com\n    name: Dave Contributor\n    roles: [contributor]\n";
    c.edit("assure.yaml", dave, "");
    c.commit("carol@example.com", "Dave leaves");
    c.edit(
        "assure.yaml",
        "global_admins:",
        "  - email: dave@example.com\n    name: Dave Contributor\n    roles: [assessor]\nglobal_admins:",
    );
    c.commit("carol@example.com", "Dave is back, as an assessor");
    assert_eq!(gate_only(c.check(&[])), (0, vec![]));
}

#[test]
fn look_alike_identities_are_nobody() {
    // E-mails compare without regard to ASCII case and surrounding space (as mail does);
    // anything else that only looks like a person is a guest: a Cyrillic "а", a
    // zero-width space, a login whose letters are not ASCII.
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    for (author, allowed) in [
        ("BOB@EXAMPLE.COM", true),
        ("bob@example.com ", true),
        ("b\u{043e}b@example.com", false),
        ("bob\u{200b}@example.com", false),
    ] {
        c.git.reset_hard(c.base);
        c.edit(GDPR_FILE, PLANNED, PASSED);
        c.commit(author, "6.2.1.1 passed");
        let (code, _) = gate_only(c.check(&[]));
        assert_eq!(code == 0, allowed, "{author:?}");
        let (code, _) = gate_only(c.check(&["--actor", author]));
        assert_eq!(code == 0, allowed, "--actor {author:?}");
    }
    // GitHub logins: ASCII case only.
    c.edit(
        "assure.yaml",
        "Bob Assessor\n    roles: [assessor]\n",
        "Bob Assessor\n    roles: [assessor]\n    github: bob-assesses\n",
    );
    let base = c.commit("carol@example.com", "Bob's login");
    c.edit(GDPR_FILE, PASSED, FAILED);
    c.commit("bob@example.com", "6.2.1.1 failed");
    for (login, allowed) in [
        ("BOB-ASSESSES", true),
        ("bob-assesses\u{200b}", false),
        ("b\u{043e}b-assesses", false),
        ("bob\u{2010}assesses", false),
    ] {
        let (code, found) = gate_only(c.check_from(base, &["--actor", login]));
        assert_eq!(code == 0, allowed, "--actor {login:?}: {found:?}");
    }
}
