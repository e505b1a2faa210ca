//! Attacks on the review gate (DESIGN.md §3, SECURITY.md): each test walks around
//! `validate --base` another way — a merge of an old commit, a change spread over
//! commits, an edit that only touches bytes, a symbolic link, the work tree, a forged
//! identity, an unsigned or wrongly signed commit, a huge blob — and shows the refusal.
//! Each was reproduced on the gate before these checks; every repository is a real one,
//! made here with git2 (and, once, the git command line with ssh-keygen).

use crate::gate::{
    Change, FAILED, GDPR_FILE, MANAGE, OLD_FILE, PASSED, PLANNED, TESTS, USERS, by, finding,
    gate_only,
};
use crate::support::{git_cli, public_key, signing_key, ssh_sign};

fn test_of(merge: git2::Oid, who: &str, field: &str) -> String {
    format!(
        "{}: set `{field}` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}",
        by(merge, who)
    )
}

/// The history of the merge attacks: Bob passes 6.2.1.1 (commit `old`), then records
/// that it failed (`base`). Returns (change, old, base) with the work tree at `base`.
fn passed_then_failed() -> (Change, git2::Oid, git2::Oid) {
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let old = c.commit("bob@example.com", "6.2.1.1 passed");
    c.edit(GDPR_FILE, PASSED, FAILED);
    let base = c.commit("bob@example.com", "6.2.1.1 failed on retest");
    (c, old, base)
}

#[test]
fn a_merge_of_an_old_commit_cannot_bring_back_a_passed_result() {
    let (c, old, base) = passed_then_failed();
    // Dave (contributor) merges the old commit, taking its passed result.
    c.edit(GDPR_FILE, FAILED, PASSED);
    let merge = c
        .git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[base, old]);
    let dave = "dave@example.com";
    assert_eq!(
        c.check_from(base, &[]),
        (
            1,
            vec![
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    22,
                    test_of(merge, dave, "test_date")
                ),
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    23,
                    test_of(merge, dave, "test_result")
                ),
            ]
        ),
        "what a merge takes from a commit outside the range is the merger's own change"
    );
    // Bob, an assessor, may record that result himself, by a merge or otherwise.
    c.git.reset_hard(base);
    c.edit(GDPR_FILE, FAILED, PASSED);
    c.git
        .commit_with_parents("bob@example.com", "Merge", c.tick(), &[base, old]);
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
}

#[test]
fn a_merge_with_an_old_first_parent_cannot_bring_back_a_passed_result() {
    // The same attack with the parents the other way round: the old commit first, the
    // base second, the old tree. Against its first parent the merge changes nothing.
    let (c, old, base) = passed_then_failed();
    c.git.reset_hard(old);
    c.git
        .commit_with_parents("erin@example.com", "Merge", c.tick(), &[old, base]);
    let why = "no commit checked in the range made this change; it comes from history outside the range (a merge of an older commit?)";
    let net = |field: &str| {
        format!(
            "the change as a whole: set `{field}` of 6.2.1.1 in default-group/office-365--gdpr: {why}"
        )
    };
    assert_eq!(
        c.check_from(base, &[]),
        (
            1,
            vec![
                finding("unchecked-change", GDPR_FILE, 22, net("test_date")),
                finding("unchecked-change", GDPR_FILE, 23, net("test_result")),
            ]
        )
    );
}

#[test]
fn a_merge_of_an_old_commit_cannot_bring_back_an_old_role() {
    // Carol made Dave an assessor, then took it back; Dave merges the old commit.
    let c = Change::new();
    c.edit(
        "assure.yaml",
        "Dave Contributor\n    roles: [contributor]",
        "Dave Contributor\n    roles: [assessor]",
    );
    let old = c.commit("carol@example.com", "Dave assesses");
    c.edit(
        "assure.yaml",
        "Dave Contributor\n    roles: [assessor]",
        "Dave Contributor\n    roles: [contributor]",
    );
    let base = c.commit("carol@example.com", "Dave contributes again");
    c.edit(
        "assure.yaml",
        "Dave Contributor\n    roles: [contributor]",
        "Dave Contributor\n    roles: [assessor]",
    );
    let merge = c
        .git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[base, old]);
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found
            .iter()
            .map(|f| (f.code.as_str(), f.file.as_str(), f.message.clone()))
            .collect::<Vec<_>>(),
        vec![(
            "permission-denied",
            "assure.yaml",
            format!(
                "{}: change the name or roles of dave@example.com: {USERS}",
                by(merge, "dave@example.com")
            )
        )]
    );
}

#[test]
fn a_merge_of_an_old_commit_cannot_unarchive_or_restore_an_assessment() {
    // Alice creates an assessment, archives it (`archived`), and later deletes another;
    // Dave merges the commit from before, taking both files as they were.
    let c = Change::new();
    let spare = "groups/spare/azure--gdpr.yaml";
    let body = "service: azure\ncertification: gdpr\ncreated: 2019-05-02T09:00:00Z\ncreated_by: alice@example.com\n";
    c.repo.write(spare, body);
    let old = c.commit("alice@example.com", "A new assessment");
    c.repo
        .write(spare, format!("{body}archived: 2019-05-03T09:00:00Z\n"));
    std::fs::remove_file(c.repo.path().join(OLD_FILE)).expect("rm");
    let base = c.commit("alice@example.com", "Archive one, delete another");
    c.repo.write(spare, body);
    c.repo.write(OLD_FILE, crate::gate::OLD);
    let merge = c
        .git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[base, old]);
    let (code, found) = gate_only(c.check_from(base, &[]));
    let dave = by(merge, "dave@example.com");
    assert_eq!(code, 1);
    assert_eq!(
        found
            .iter()
            .map(|f| (f.code.as_str(), f.file.as_str(), f.message.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                "permission-denied",
                OLD_FILE,
                format!("{dave}: create assessment old/azure--gdpr: {MANAGE}")
            ),
            (
                "unarchived",
                spare,
                format!(
                    "{dave}: un-archive assessment spare/azure--gdpr: an archived assessment cannot be un-archived"
                )
            ),
        ]
    );
}

#[test]
fn merging_the_base_into_a_branch_is_nobodys_change() {
    // Bob records a test on a branch; the base moves on (Alice renames a group); Erin, a
    // reader, merges the base into the branch, and (as GitHub checks a pull request) the
    // branch is merged into the base by a merge whose first parent is the base.
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let branch = c.commit("bob@example.com", "6.2.1.1 passed");
    c.git.reset_hard(c.base);
    c.edit("groups/spare/group.yaml", "Spare Group", "Spare Group 2019");
    let base = c.commit("alice@example.com", "Rename");
    c.git.reset_hard(branch);
    c.edit("groups/spare/group.yaml", "Spare Group", "Spare Group 2019");
    let updated =
        c.git
            .commit_with_parents("erin@example.com", "Merge main", c.tick(), &[branch, base]);
    assert_eq!(
        c.check_from(base, &[]),
        (0, vec![]),
        "the branch brought up to date"
    );
    c.git.reset_hard(base);
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.git
        .commit_with_parents("erin@example.com", "Merge PR", c.tick(), &[base, updated]);
    assert_eq!(
        c.check_from(base, &[]),
        (0, vec![]),
        "the pull request's merge"
    );
}

#[test]
fn a_move_spread_over_two_commits_is_still_a_move() {
    // Alice may delete an assessment and may create one; together, in two commits, they
    // move it to another group, which nobody may do.
    let c = Change::new();
    let text = c.repo.read(GDPR_FILE);
    std::fs::remove_file(c.repo.path().join(GDPR_FILE)).expect("rm");
    c.commit("alice@example.com", "Delete");
    c.repo.write("groups/spare/office-365--gdpr.yaml", &text);
    c.commit("alice@example.com", "Create");
    let (code, found) = gate_only(c.check(&[]));
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![finding(
            "assessment-moved",
            "groups/spare/office-365--gdpr.yaml",
            1,
            "the change as a whole: move assessment default-group/office-365--gdpr to spare/office-365--gdpr: an assessment can never move to another group; create a new one there with `assure assessment new --copy-from`"
        )]
    );
}

#[test]
fn an_archived_path_is_not_reused() {
    // Alice deletes the archived assessment (allowed) and creates one at the same path
    // (allowed): together, the archived assessment is un-archived.
    let c = Change::new();
    std::fs::remove_file(c.repo.path().join(OLD_FILE)).expect("rm");
    c.commit("alice@example.com", "Delete the archived one");
    c.repo.write(
        OLD_FILE,
        crate::gate::OLD.replace("archived: 2019-01-01T00:00:00Z\n", ""),
    );
    c.commit("alice@example.com", "Start again");
    assert_eq!(
        gate_only(c.check(&[])),
        (
            1,
            vec![finding(
                "unarchived",
                OLD_FILE,
                1,
                "the change as a whole: un-archive assessment old/azure--gdpr: an archived assessment cannot be un-archived"
            )]
        )
    );
    // Deleting it for good is Alice's right.
    std::fs::remove_file(c.repo.path().join(OLD_FILE)).expect("rm");
    c.commit("alice@example.com", "Delete it again");
    assert_eq!(c.check(&[]), (0, vec![]));
}

#[test]
fn archived_means_bytes() {
    // A comment, a quoting change, white space: each leaves the values as they were and
    // still changes an archived file, which is read-only forever.
    for (what, from, to) in [
        ("a comment", "controls:\n", "# reviewed again\ncontrols:\n"),
        ("quoting", "\"6.2.1.1\":", "'6.2.1.1':"),
        ("white space", "status: planned\n", "status: planned   \n"),
    ] {
        let c = Change::new();
        c.edit(OLD_FILE, from, to);
        let commit = c.commit("carol@example.com", "Touch the archive");
        let (code, found) = c.check(&[]);
        assert_eq!(code, 1, "{what}");
        assert_eq!(
            found
                .iter()
                .map(|f| (f.code.as_str(), f.message.clone()))
                .collect::<Vec<_>>(),
            vec![(
                "archived-modified",
                format!(
                    "{}: change archived assessment old/azure--gdpr: an archived assessment is read-only forever",
                    by(commit, "carol@example.com")
                )
            )],
            "{what}"
        );
    }
}

#[cfg(unix)]
#[test]
fn an_assessment_committed_as_a_link_to_evidence_is_refused() {
    // Dave may change evidence; an assessment that is a link to an evidence file would
    // let him write test results as "evidence". Per commit and with --actor alike.
    let c = Change::new();
    let forged = c.repo.read(GDPR_FILE).replace(PLANNED, PASSED);
    c.repo.write("evidence/gdpr.yaml", forged);
    std::fs::remove_file(c.repo.path().join(GDPR_FILE)).expect("rm");
    std::os::unix::fs::symlink("../../evidence/gdpr.yaml", c.repo.path().join(GDPR_FILE))
        .expect("symlink");
    let commit = c.commit("dave@example.com", "Link");
    let kind = c
        .git
        .repo
        .find_commit(commit)
        .expect("commit")
        .tree()
        .expect("tree")
        .get_path(std::path::Path::new(GDPR_FILE))
        .expect("entry")
        .filemode();
    assert_eq!(kind, 0o120000, "committed as a symbolic link");
    let rule = "make groups/default-group/office-365--gdpr.yaml a symbolic link: assure.yaml and every file under catalog/ and groups/ must be a regular file, so that what is reviewed is what is read";
    let (code, found) = gate_only(c.check(&[]));
    assert_eq!(code, 1);
    assert_eq!(
        found
            .iter()
            .map(|f| (f.code.as_str(), f.message.clone()))
            .collect::<Vec<_>>(),
        vec![(
            "not-a-regular-file",
            format!("{}: {rule}", by(commit, "dave@example.com"))
        )]
    );
    let (code, found) = gate_only(c.check(&["--actor", "dave@example.com"]));
    assert_eq!(code, 1);
    assert_eq!(
        found
            .iter()
            .map(|f| (f.code.as_str(), f.message.clone()))
            .collect::<Vec<_>>(),
        vec![(
            "not-a-regular-file",
            format!("dave@example.com (contributor): {rule}")
        )]
    );
}

#[test]
fn uncommitted_changes_are_judged_too() {
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let dave = |field: &str| {
        format!(
            "uncommitted changes by dave@example.com (contributor): set `{field}` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
        )
    };
    let refused = (
        1,
        vec![
            finding("permission-denied", GDPR_FILE, 22, dave("test_date")),
            finding("permission-denied", GDPR_FILE, 23, dave("test_result")),
        ],
    );
    // The acting person: --as, else git's user.email.
    assert_eq!(c.check(&["--as", "dave@example.com"]), refused);
    git_cli(c.repo.path(), &["config", "user.email", "dave@example.com"]);
    assert_eq!(c.check(&[]), refused);
    assert_eq!(c.check(&["--as", "bob@example.com"]), (0, vec![]));
    // With --actor, the whole change, the work tree included, is the actor's.
    let actor = |field: &str| {
        format!(
            "dave@example.com (contributor): set `{field}` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
        )
    };
    assert_eq!(
        c.check(&["--actor", "dave@example.com"]),
        (
            1,
            vec![
                finding("permission-denied", GDPR_FILE, 22, actor("test_date")),
                finding("permission-denied", GDPR_FILE, 23, actor("test_result")),
            ]
        )
    );
}

#[test]
fn a_file_git_ignores_is_still_judged() {
    // The loader reads every file under groups/, ignored or not.
    let c = Change::new();
    c.repo.write(".gitignore", "groups/spare/*.yaml\n");
    let base = c.commit("carol@example.com", "Ignore");
    c.repo.write(
        "groups/spare/azure--gdpr.yaml",
        "service: azure\ncertification: gdpr\ncreated: 2019-05-02T09:00:00Z\ncreated_by: dave@example.com\n",
    );
    let (code, found) = gate_only(c.check_from(base, &["--as", "dave@example.com"]));
    assert_eq!(code, 1);
    assert_eq!(
        found
            .iter()
            .map(|f| (f.code.as_str(), f.message.clone()))
            .collect::<Vec<_>>(),
        vec![(
            "permission-denied",
            format!(
                "uncommitted changes by dave@example.com (contributor): create assessment spare/azure--gdpr: {MANAGE}"
            )
        )]
    );
}

/// The base with GitHub logins for Bob and Dave.
fn with_logins() -> (Change, git2::Oid) {
    let c = Change::new();
    c.edit(
        "assure.yaml",
        "Bob Assessor\n    roles: [assessor]\n",
        "Bob Assessor\n    roles: [assessor]\n    github: Bob-Assesses\n",
    );
    c.edit(
        "assure.yaml",
        "Dave Contributor\n    roles: [contributor]\n",
        "Dave Contributor\n    roles: [contributor]\n    github: dave-writes\n",
    );
    let base = c.commit("carol@example.com", "GitHub logins");
    (c, base)
}

#[test]
fn actor_takes_a_listed_github_login() {
    let (c, base) = with_logins();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.commit("bob@example.com", "6.2.1.1 passed");
    // Logins compare case-insensitively, as GitHub's do.
    assert_eq!(
        c.check_from(base, &["--actor", "bob-assesses"]),
        (0, vec![])
    );
    let (code, found) = c.check_from(base, &["--actor", "dave-writes"]);
    assert_eq!(code, 1);
    assert_eq!(
        found.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(),
        vec![
            format!(
                "dave@example.com (contributor): set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
            ),
            format!(
                "dave@example.com (contributor): set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
            ),
        ]
    );
    let (code, found) = c.check_from(base, &["--actor", "someone-else"]);
    assert_eq!(code, 1);
    assert!(
        found[0]
            .message
            .starts_with("someone-else (a guest: not listed in assure.yaml)"),
        "{found:?}"
    );
}

#[test]
fn a_login_typed_as_an_author_email_is_nobody() {
    // A commit's author field is a claim: only --actor takes logins.
    let (c, base) = with_logins();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let commit = c.commit("Bob-Assesses", "6.2.1.1 passed");
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found[0].message,
        format!(
            "{}: set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: editing test results needs the assessor, administrator or portal-admin role",
            by(commit, "Bob-Assesses")
        )
    );
}

/// The base with `require_signed_commits` and keys for Bob and Carol.
pub(crate) fn signed_base() -> (Change, git2::Oid) {
    let c = Change::new();
    c.edit(
        "assure.yaml",
        "Bob Assessor\n    roles: [assessor]\n",
        &format!(
            "Bob Assessor\n    roles: [assessor]\n    signing_keys: [\"{}\"]\n",
            public_key("bob")
        ),
    );
    c.edit(
        "assure.yaml",
        "Carol Portal\n    roles: [portal-admin, administrator]\n",
        &format!(
            "Carol Portal\n    roles: [portal-admin, administrator]\n    signing_keys: [\"{}\"]\n",
            public_key("carol")
        ),
    );
    c.edit(
        "assure.yaml",
        "global_admins:",
        "require_signed_commits: true\nglobal_admins:",
    );
    let base = c.commit("carol@example.com", "Sign commits");
    (c, base)
}

fn head(c: &Change) -> git2::Oid {
    c.git.repo.head().expect("HEAD").target().expect("a commit")
}

#[test]
fn signed_commits_verify_against_the_authors_keys_at_the_base() {
    let (c, base) = signed_base();
    assert_eq!(c.check_from(base, &[]), (0, vec![]), "nothing to check yet");
    let bob = signing_key("bob");
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.git
        .commit_signed("bob@example.com", "Signed", c.tick(), &[head(&c)], |data| {
            ssh_sign(&bob, data)
        });
    assert_eq!(
        c.check_from(base, &[]),
        (0, vec![]),
        "signed by the author's key"
    );
    // `assure log` says so.
    let log = c.run(&["log", "--format", "json"]);
    let log: serde_json::Value = serde_json::from_str(&log.stdout).expect("json");
    assert_eq!(log["entries"][0]["signature"]["status"], "verified");
    assert_eq!(log["entries"][1]["signature"]["status"], "unsigned");
    let human = c.run(&["log"]).stdout;
    assert!(human.contains("signature: verified"), "{human}");
    assert!(human.contains("signature: not signed"), "{human}");
}

#[test]
fn unsigned_and_wrongly_signed_commits_are_refused() {
    let (c, base) = signed_base();
    let bob = signing_key("bob");
    let carol = signing_key("carol");
    let unsigned = |c: &Change| -> (i32, Vec<String>) {
        let (code, found) = c.check_from(base, &[]);
        (
            code,
            found
                .into_iter()
                .filter(|f| f.code == "unsigned-commit")
                .map(|f| f.message)
                .collect(),
        )
    };
    let required = "assure.yaml at the base requires every commit to be SSH-signed by one of its author's signing_keys";
    // Unsigned.
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let plain = c.commit("bob@example.com", "Unsigned");
    assert_eq!(
        unsigned(&c),
        (
            1,
            vec![format!(
                "{}: not signed; {required}",
                by(plain, "bob@example.com")
            )]
        )
    );
    // Authored as Bob, signed by Carol's key.
    c.git.reset_hard(base);
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let forged = c
        .git
        .commit_signed("bob@example.com", "Forged", c.tick(), &[base], |data| {
            ssh_sign(&carol, data)
        });
    let (code, found) = unsigned(&c);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with(&format!(
            "{}: signed with SHA256:",
            by(forged, "bob@example.com")
        )) && found[0].contains("which is not one of their signing_keys"),
        "{found:?}"
    );
    // Bob's key over other bytes: the commit was changed after it was signed.
    c.git.reset_hard(base);
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let tampered = c
        .git
        .commit_signed("bob@example.com", "Tampered", c.tick(), &[base], |data| {
            ssh_sign(&bob, &[data, b"x"].concat())
        });
    let (code, found) = unsigned(&c);
    assert_eq!(code, 1);
    assert!(
        found[0].starts_with(&format!(
            "{}: signed, but the signature does not verify",
            by(tampered, "bob@example.com")
        )),
        "{found:?}"
    );
    // A key added in the change does not count yet: Carol adds a second key to Bob
    // (signed, allowed), and Bob signs with it.
    c.git.reset_hard(base);
    c.edit(
        "assure.yaml",
        &format!("signing_keys: [\"{}\"]\n", public_key("bob")),
        &format!(
            "signing_keys: [\"{}\", \"{}\"]\n",
            public_key("bob"),
            public_key("carol")
        ),
    );
    let grant = c.git.commit_signed(
        "carol@example.com",
        "Bob's new key",
        c.tick(),
        &[base],
        |data| ssh_sign(&carol, data),
    );
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let with_new_key = c.git.commit_signed(
        "bob@example.com",
        "With the new key",
        c.tick(),
        &[grant],
        |data| ssh_sign(&carol, data),
    );
    let (code, found) = unsigned(&c);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&by(with_new_key, "bob@example.com")),
        "{found:?}"
    );
    // Uncommitted changes cannot be signed.
    c.git.reset_hard(base);
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let (code, found) = c.check_from(base, &["--as", "bob@example.com"]);
    assert_eq!(code, 1);
    assert_eq!(
        found.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(),
        vec![format!(
            "uncommitted changes by bob@example.com (assessor): uncommitted changes cannot be signed; commit them (signed); {required}"
        )]
    );
}

#[test]
fn keys_and_the_signing_flag_are_managing_users() {
    let (c, base) = signed_base();
    let bob = signing_key("bob");
    c.edit(
        "assure.yaml",
        "require_signed_commits: true\n",
        "require_signed_commits: false\n",
    );
    c.git
        .commit_signed("bob@example.com", "Off", c.tick(), &[base], |data| {
            ssh_sign(&bob, data)
        });
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert!(
        found[0].message.ends_with(&format!(
            "change `require_signed_commits` in assure.yaml: {USERS}"
        )),
        "{found:?}"
    );
    c.git.reset_hard(base);
    c.edit(
        "assure.yaml",
        &format!("signing_keys: [\"{}\"]\n", public_key("bob")),
        &format!("signing_keys: [\"{}\"]\n", public_key("carol")),
    );
    c.git
        .commit_signed("bob@example.com", "Keys", c.tick(), &[base], |data| {
            ssh_sign(&bob, data)
        });
    let (code, found) = c.check_from(base, &[]);
    assert_eq!(code, 1);
    assert!(
        found[0].message.ends_with(&format!(
            "change the name or roles of bob@example.com: {USERS}"
        )),
        "{found:?}"
    );
}

#[cfg(unix)]
#[test]
#[ignore = "needs ssh-keygen (openssh-client); .ci/run installs it"]
fn a_commit_signed_by_git_and_ssh_keygen_verifies() {
    // Interoperability: what `git commit -S` with gpg.format=ssh writes is what the
    // check verifies.
    use std::os::unix::fs::PermissionsExt;
    let (c, base) = signed_base();
    let keys = tempfile::tempdir().expect("temp dir");
    let key = keys.path().join("bob");
    std::fs::copy(crate::support::fixtures().join("keys/bob"), &key).expect("copy key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let key = key.to_str().expect("utf-8");
    for args in [
        vec!["add", "-A"],
        vec![
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={key}"),
            "-c",
            "user.email=bob@example.com",
            "-c",
            "user.name=Bob",
            "commit",
            "-q",
            "-S",
            "-m",
            "Signed by git",
        ],
    ] {
        let out = git_cli(c.repo.path(), &args);
        assert_eq!(out.code, 0, "git {args:?}: {}", out.stderr);
    }
    let out = c.run(&["log", "--format", "json"]);
    let log: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    // git_cli's environment names the author tester@example.com; amend to Bob.
    assert_eq!(
        log["entries"][0]["commit"]["author_email"],
        "tester@example.com"
    );
    let out = git_cli(
        c.repo.path(),
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={key}"),
            "commit",
            "-q",
            "--amend",
            "--no-edit",
            "-S",
            "--author",
            "Bob <bob@example.com>",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(c.check_from(base, &[]), (0, vec![]));
}

#[test]
fn a_blob_over_the_limit_is_a_finding_and_never_read() {
    let c = Change::new();
    c.edit(
        "assure.yaml",
        "global_admins:",
        "limits: { max_blob_bytes: 2000 }\nglobal_admins:",
    );
    let base = c.commit("carol@example.com", "A small limit");
    c.repo.write(
        "groups/spare/group.yaml",
        format!("name: Spare Group\ndescription: {}\n", "x".repeat(3000)),
    );
    let commit = c.commit("dave@example.com", "A long description");
    let (code, found) = gate_only(c.check_from(base, &[]));
    assert_eq!(code, 1);
    assert_eq!(
        found
            .iter()
            .map(|f| (f.code.as_str(), f.message.clone()))
            .collect::<Vec<_>>(),
        vec![(
            "blob-too-large",
            format!(
                "{}: write 3032 bytes to groups/spare/group.yaml: the file is over the size limit that assure reads (`limits.max_blob_bytes` in assure.yaml, 64 MiB by default)",
                by(commit, "dave@example.com")
            )
        )]
    );
    // `assure log` and `assure diff` read history too: the same limit, the same refusal.
    let log = c.run(&["log", "--format", "json"]);
    let log: serde_json::Value = serde_json::from_str(&log.stdout).expect("json");
    assert_eq!(
        log["entries"][0]["changes"][0]["change"],
        "write 3032 bytes to groups/spare/group.yaml"
    );
    let range = format!("{base}..HEAD");
    let diff = c.run(&["diff", &range, "--format", "json"]);
    assert!(
        diff.stdout.contains("[blob-too-large]") && diff.stdout.contains("write 3032 bytes"),
        "{}{}",
        diff.stdout,
        diff.stderr
    );
}
