//! A security review of the review gate (`assure validate --base REV [--actor WHO]`): more
//! ways around it, tried as a contributor, reader or guest of the base would, on real git
//! repositories. A test marked `#[ignore = "HOLE: …"]` is a way that gets through today:
//! it asserts what the gate should report, and fails until the gate is fixed. The others
//! are refusals that no other test shows.
//!
//! Most holes are in per-commit mode (no `--actor`), where a merge's own change and the
//! net change are judged by what commits in the range "made": a change is matched to a
//! checked commit by what it is about (and, for control fields only, the value it leaves),
//! not by where the merge's value came from.

use crate::gate::{Change, Finding, GDPR_FILE, MANAGE, OLD_FILE, TESTS, USERS, by, finding};
use crate::support::git_cli;

/// The test lines of 6.2.1.1 (a control in no sync class).
const PASSED: &str = "    status: planned\n    test_date: 2019-04-30\n    test_result: passed\n";
const FAILED: &str =
    "    status: planned\n    test_date: 2019-05-01\n    test_result: failed-high-risk\n";
const PLANNED: &str = "    status: planned\n";

/// Only the findings of the change checks (the gate), as printed.
fn gate_only((code, findings): (i32, Vec<Finding>)) -> (i32, Vec<Finding>) {
    const GATE: &[&str] = &[
        "permission-denied",
        "archived-modified",
        "unarchived",
        "assessment-moved",
        "unchecked-change",
        "not-a-regular-file",
        "blob-too-large",
        "unsigned-commit",
    ];
    (
        code,
        findings
            .into_iter()
            .filter(|f| GATE.contains(&f.code.as_str()))
            .collect(),
    )
}

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
#[ignore = "HOLE: a merge of an ancestor inside the range revives an undone change (per-commit mode)"]
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
#[ignore = "HOLE: an old role comes back through a merge's old first parent when anyone in the range changed that person (per-commit mode)"]
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
#[ignore = "HOLE: a deleted assessment comes back with its old content through a merge's old first parent when an administrator creates one at that path (per-commit mode)"]
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
#[ignore = "HOLE: an assessment broken in one commit and repaired in the next changes test results as 'editing data' (per-commit mode)"]
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
        result.1.iter().any(|f| f.message.starts_with(&by(repair, "dave@example.com"))
            && f.message.contains("set `test_result` of 6.2.1.1")),
        "the repair sets a test result: {result:?}"
    );
}

#[test]
fn a_file_broken_then_repaired_without_an_earlier_value() {
    // The same two commits by Dave, with no earlier commit that made the value: the net
    // change is made of no checked change.
    let c = Change::new();
    let text = c.repo.read(GDPR_FILE);
    c.repo.write(GDPR_FILE, format!("{text}  - [unclosed\n"));
    c.commit("dave@example.com", "WIP");
    c.repo.write(GDPR_FILE, text.replace(PLANNED, PASSED));
    c.commit("dave@example.com", "Fix the file");
    let why = "no commit checked in the range made this change; it comes from history outside the range (a merge of an older commit?)";
    let net = |field: &str| {
        format!(
            "the change as a whole: set `{field}` of 6.2.1.1 in default-group/office-365--gdpr: {why}"
        )
    };
    assert_eq!(
        gate_only(c.check(&[])),
        (
            1,
            vec![
                finding("unchecked-change", GDPR_FILE, 22, net("test_date")),
                finding("unchecked-change", GDPR_FILE, 23, net("test_result")),
            ]
        )
    );
}
