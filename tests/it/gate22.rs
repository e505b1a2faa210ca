//! Issue 22: `diff` computes its permission findings from the files its review already read
//! (`gate::gate_prepared`), `validate --base` reads them itself (`gate::gate`). The two
//! must agree on every change — any difference is a hole in one of them — so each history
//! here, fixed or generated, is judged both ways over every pair of its commits (the
//! uncommitted changes too, where there are some), and the findings must be the same, in
//! the same order.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use assure::git::Git;
use assure::ops::gate::{self, Problem, Request};
use assure::ops::history::Versions;

use crate::gate::{Change, FAILED, GDPR_FILE, GROUP_FILE, NIST_FILE, OLD_FILE, PASSED, PLANNED};
use crate::gate_histories::{build, edit, step};
use crate::support::{git_cli, signing_key, ssh_sign};

/// What the old path (`validate --base BASE`, the library's `gate::gate`) finds in
/// `base..head` (`None`: HEAD and the uncommitted changes, by git's `user.email`), as
/// `diff` words them: regressions left out (`diff` has a section of its own for them).
fn by_the_gate(root: &std::path::Path, base: &str, head: Option<&str>) -> Vec<String> {
    let git = Git::require(root).expect("git");
    let acting = git.user_email();
    let request = Request {
        base,
        head,
        actor: None,
        acting: acting.as_deref(),
    };
    gate::gate(&mut Versions::new(&git, root), &request)
        .expect("the gate runs")
        .iter()
        .filter(|f| !matches!(f.problem, Problem::Regression(_)))
        .map(|f| format!("[{}] {}", f.code().name(), f.message()))
        .collect()
}

/// `permission_findings` of `assure diff BASE[..HEAD] --format json`.
fn by_diff(root: &std::path::Path, base: &str, head: Option<&str>) -> Vec<String> {
    let range = match head {
        Some(h) => format!("{base}..{h}"),
        None => base.to_owned(),
    };
    let out = crate::support::run_env(root, &["diff", &range, "--format", "json"], &[]);
    assert_eq!(out.code, 0, "diff {range}: {}{}", out.stdout, out.stderr);
    if out.stdout.trim().is_empty() {
        return Vec::new();
    }
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    v["permission_findings"]
        .as_array()
        .expect("permission_findings")
        .iter()
        .map(|f| f.as_str().expect("a string").to_owned())
        .collect()
}

/// Asserts that `diff` and the gate agree on `base..head`; returns the findings.
fn agree(root: &std::path::Path, base: git2::Oid, head: Option<git2::Oid>) -> Vec<String> {
    let (base, head) = (base.to_string(), head.map(|h| h.to_string()));
    let old = by_the_gate(root, &base, head.as_deref());
    let new = by_diff(root, &base, head.as_deref());
    assert_eq!(
        new,
        old,
        "diff and the gate differ on {}..{}",
        &base[..7],
        head.as_deref().map_or("the work tree", |h| &h[..7])
    );
    old
}

/// Every commit HEAD reaches, newest first.
fn commits(c: &Change) -> Vec<git2::Oid> {
    let mut walk = c.git.repo.revwalk().expect("walk");
    walk.push_head().expect("head");
    walk.map(|id| id.expect("id")).collect()
}

/// Asserts that `diff` and the gate agree on every range between two of HEAD's commits
/// (either way round, a base the head does not contain included) and, when the work tree
/// holds uncommitted changes, from every commit to the work tree. Returns the findings of
/// `c.base..HEAD` (or the work tree, when `work_tree`).
fn agree_everywhere(c: &Change, work_tree: bool) -> Vec<String> {
    let all = commits(c);
    for &base in &all {
        for &head in &all {
            agree(c.repo.path(), base, Some(head));
        }
        if work_tree {
            agree(c.repo.path(), base, None);
        }
    }
    agree(
        c.repo.path(),
        c.base,
        if work_tree { None } else { Some(all[0]) },
    )
}

/// The gate's findings of `validate --base BASE --format json` (HEAD, the work tree), as
/// `diff` words them, sorted.
fn by_validate(c: &Change, base: git2::Oid) -> Vec<String> {
    let (_, found) = crate::gate::gate_only(c.check_from(base, &[]));
    let mut out: Vec<String> = found
        .into_iter()
        .map(|f| format!("[{}] {}", f.code, f.message))
        .collect();
    out.sort();
    out
}

/// Asserts that `validate --base` prints what `diff` finds (in its own order).
fn validate_agrees(c: &Change, mut found: Vec<String>) {
    found.sort();
    assert_eq!(
        by_validate(c, c.base),
        found,
        "validate --base and diff differ"
    );
}

fn head(c: &Change) -> git2::Oid {
    c.git.repo.head().expect("HEAD").target().expect("a commit")
}

#[test]
fn a_change_without_the_permission_is_found_by_both() {
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.commit("dave@example.com", "6.2.1.1 passed");
    let found = agree_everywhere(&c, false);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|f| f.starts_with("[permission-denied]")));
    validate_agrees(&c, found);
}

#[test]
fn a_permitted_change_is_found_by_neither() {
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.edit(NIST_FILE, "status: implemented", "status: planned");
    c.commit("bob@example.com", "tests and status");
    assert_eq!(agree_everywhere(&c, false), Vec::<String>::new());
    validate_agrees(&c, Vec::new());
}

#[test]
fn a_change_undone_and_redone_is_judged_alike() {
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.commit("bob@example.com", "passed");
    c.edit(GDPR_FILE, PASSED, FAILED);
    c.commit("dave@example.com", "failed");
    c.edit(GDPR_FILE, FAILED, PASSED);
    c.commit("dave@example.com", "passed again");
    c.edit(GDPR_FILE, PASSED, PLANNED);
    c.commit("erin@example.com", "undone");
    let found = agree_everywhere(&c, false);
    assert!(!found.is_empty(), "the undoing commits are refused");
    validate_agrees(&c, found);
}

#[test]
fn merges_bringing_a_change_are_judged_alike() {
    // A side branch from the base (Bob's result, allowed; Erin's status, refused), merged
    // by Dave with the base as first parent and then the other way round, and a merge that
    // adds its own change.
    let c = Change::new();
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let bob = c.commit("bob@example.com", "passed");
    c.edit(NIST_FILE, "status: implemented", "status: planned");
    let erin = c.commit("erin@example.com", "status");
    c.git.reset_hard(c.base);
    let m1 = c
        .git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[c.base, erin]);
    agree(c.repo.path(), c.base, Some(m1));
    c.git.reset_hard(erin);
    let m2 = c
        .git
        .commit_with_parents("dave@example.com", "Merge", c.tick(), &[erin, c.base]);
    agree(c.repo.path(), c.base, Some(m2));
    c.git.reset_hard(bob);
    c.edit(
        GDPR_FILE,
        "assigned_to: dave@example.com",
        "assigned_to: erin@example.com",
    );
    c.git
        .commit_with_parents("erin@example.com", "Merge", c.tick(), &[c.base, bob]);
    let found = agree_everywhere(&c, false);
    assert!(
        found.iter().any(|f| f.contains("assigned_to")),
        "the merge's own change is Erin's: {found:?}"
    );
    validate_agrees(&c, found);
}

#[test]
fn a_moved_or_renamed_assessment_is_judged_alike() {
    let c = Change::new();
    let text = c.repo.read(GDPR_FILE);
    std::fs::remove_file(c.repo.path().join(GDPR_FILE)).expect("rm");
    c.repo.write("groups/spare/office-365--gdpr.yaml", &text);
    c.commit("alice@example.com", "move to spare");
    let found = agree_everywhere(&c, false);
    assert!(
        found.iter().any(|f| f.starts_with("[assessment-moved]")),
        "{found:?}"
    );
    // Renamed in its group, by a contributor, with a test result changed on the way.
    let c = Change::new();
    let text = c.repo.read(GDPR_FILE).replacen(PLANNED, PASSED, 1);
    std::fs::remove_file(c.repo.path().join(GDPR_FILE)).expect("rm");
    c.repo.write("groups/default-group/renamed.yaml", &text);
    c.commit("dave@example.com", "rename");
    let found = agree_everywhere(&c, false);
    assert!(!found.is_empty());
    validate_agrees(&c, found);
}

#[test]
fn a_file_that_does_not_parse_on_either_side_is_judged_alike() {
    // Broken by Alice at a commit used as a base, repaired by Dave with a test result.
    let c = Change::new();
    let text = c.repo.read(GDPR_FILE);
    c.repo.write(GDPR_FILE, "controls: [\n");
    c.commit("alice@example.com", "broken");
    c.repo.write(GDPR_FILE, text.replacen(PLANNED, PASSED, 1));
    c.commit("dave@example.com", "repaired, and passed");
    // Broken again by Erin (the new side does not parse), and an archived file touched.
    c.repo.write(NIST_FILE, "service: [\n");
    c.edit(OLD_FILE, "status: planned", "status: implemented");
    c.commit("erin@example.com", "broken");
    let found = agree_everywhere(&c, false);
    assert!(!found.is_empty());
    validate_agrees(&c, found);
}

#[test]
fn a_role_granted_in_the_range_is_judged_alike() {
    let c = Change::new();
    c.edit(
        "assure.yaml",
        "Dave Contributor\n    roles: [contributor]",
        "Dave Contributor\n    roles: [assessor]",
    );
    c.commit("carol@example.com", "Dave assesses");
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.commit("dave@example.com", "6.2.1.1 passed");
    c.edit(
        "assure.yaml",
        "Erin Reader\n    roles: [reader]",
        "Erin Reader\n    roles: [administrator]",
    );
    c.edit(GROUP_FILE, "name:", "description: more\nname:");
    c.commit("dave@example.com", "Erin administers");
    let found = agree_everywhere(&c, false);
    assert!(
        found.iter().any(|f| f.contains("erin@example.com")),
        "{found:?}"
    );
    validate_agrees(&c, found);
}

#[test]
fn a_group_folder_renamed_is_judged_alike() {
    for who in ["alice@example.com", "dave@example.com"] {
        let c = Change::new();
        std::fs::rename(
            c.repo.path().join("groups/default-group"),
            c.repo.path().join("groups/renamed-group"),
        )
        .expect("rename");
        c.commit(who, "rename the group");
        let found = agree_everywhere(&c, false);
        assert!(!found.is_empty(), "{who}");
        validate_agrees(&c, found);
    }
    // The group's name changed by a contributor.
    let c = Change::new();
    let text = c.repo.read(GROUP_FILE);
    let name = text.lines().find(|l| l.starts_with("name:")).expect("name");
    c.edit(GROUP_FILE, name, "name: Another Name");
    c.commit("dave@example.com", "rename");
    let found = agree_everywhere(&c, false);
    assert!(!found.is_empty());
    validate_agrees(&c, found);
}

#[test]
fn a_sync_field_changed_in_several_assessments_is_judged_alike() {
    // The implementation text 6.10.1.2 (GDPR) and SC-13 (NIST) share, changed in both by
    // a contributor (allowed), then by a reader (refused), then in the work tree.
    const TEXT: &str = "TLS 1.2 or later is enforced on every public endpoint.";
    let c = Change::new();
    for (who, to) in [
        ("dave@example.com", "TLS 1.3 is enforced."),
        ("erin@example.com", "TLS is enforced."),
    ] {
        let from = if who.starts_with("dave") {
            TEXT
        } else {
            "TLS 1.3 is enforced."
        };
        c.edit(GDPR_FILE, from, to);
        c.edit(NIST_FILE, from, to);
        c.commit(who, "implementation");
    }
    let found = agree_everywhere(&c, false);
    assert_eq!(found.len(), 2, "Erin's two edits: {found:?}");
    validate_agrees(&c, found);
    // Uncommitted, by Erin (git's user.email).
    assert_eq!(
        git_cli(c.repo.path(), &["config", "user.email", "erin@example.com"]).code,
        0
    );
    c.edit(GDPR_FILE, "TLS is enforced.", "TLS 1.2 is enforced.");
    c.edit(NIST_FILE, "TLS is enforced.", "TLS 1.2 is enforced.");
    c.edit(GDPR_FILE, PLANNED, PASSED);
    let found = agree_everywhere(&c, true);
    assert!(
        found.iter().any(|f| f.contains("uncommitted changes")),
        "{found:?}"
    );
}

#[test]
fn unsigned_commits_are_judged_alike() {
    let (c, signed) = crate::gate_attacks::signed_base();
    let bob = signing_key("bob");
    c.edit(GDPR_FILE, PLANNED, PASSED);
    c.git
        .commit_signed("bob@example.com", "Signed", c.tick(), &[signed], |data| {
            ssh_sign(&bob, data)
        });
    c.edit(NIST_FILE, "status: implemented", "status: planned");
    c.commit("bob@example.com", "Unsigned");
    agree_everywhere(&c, false);
    let found = agree(c.repo.path(), signed, Some(head(&c)));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("[unsigned-commit]"), "{found:?}");
}

/// The ranges of a generated history judged: from every commit to the head, from the
/// base to every commit, and each commit's own (from its first parent, where `diff`'s
/// reads stand in for the commit's).
fn ranges(b: &crate::gate_histories::Built) -> std::collections::BTreeSet<(git2::Oid, git2::Oid)> {
    let repo = git2::Repository::open(b.repo.path()).expect("open");
    let mut out = std::collections::BTreeSet::new();
    for &id in b.states.keys() {
        out.insert((id, b.head));
        out.insert((b.base, id));
        let commit = repo.find_commit(id).expect("commit");
        if let Ok(parent) = commit.parent_id(0) {
            out.insert((parent, id));
        }
    }
    out
}

/// Random histories (those of `gate_histories`: edits by every role, merges of old commits
/// in either parent order, branches, deletes and re-adds, an archived file touched, data
/// files turned into links), the same every run: the review's findings are the gate's for
/// every pair of their commits.
#[test]
fn generated_histories_are_judged_alike() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = (
        proptest::collection::vec(edit(), 3),
        proptest::collection::vec(step(), 1..7),
    );
    let mut found = 0;
    for _ in 0..30 {
        let (pre, steps) = strategy.new_tree(&mut runner).expect("a case").current();
        let b = build(&pre, &steps);
        let root = b.repo.path();
        for (base, head) in ranges(&b) {
            let (base, head) = (base.to_string(), head.to_string());
            let old = by_the_gate(root, &base, Some(&head));
            let review = assure::ops::review::review(root, Some(&base), Some(&head), &|_, _| {})
                .expect("review");
            assert_eq!(
                review.permission_findings, old,
                "{base}..{head} of {pre:?} {steps:?}"
            );
            found += old.len();
        }
        // The CLI's at the generated range itself.
        let (base, head) = (b.base.to_string(), b.head.to_string());
        assert_eq!(
            by_diff(root, &base, Some(&head)),
            by_the_gate(root, &base, Some(&head))
        );
    }
    assert!(found > 100, "the histories exercise the gate: {found}");
}

#[test]
fn a_file_over_the_size_limit_is_judged_alike() {
    // The limit set in the range: ranges from before it read the big files, ranges from
    // after it do not.
    let c = Change::new();
    c.edit(
        "assure.yaml",
        "global_admins:",
        "limits: { max_blob_bytes: 2000 }\nglobal_admins:",
    );
    let limited = c.commit("carol@example.com", "A small limit");
    c.repo.write(
        "groups/spare/group.yaml",
        format!("name: Spare Group\ndescription: {}\n", "x".repeat(3000)),
    );
    c.edit(
        GDPR_FILE,
        PLANNED,
        &format!("{PASSED}    notes: {}\n", "y".repeat(3000)),
    );
    c.commit("dave@example.com", "Long texts");
    agree_everywhere(&c, false);
    let found = agree(c.repo.path(), limited, Some(head(&c)));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|f| f.starts_with("[blob-too-large]")));
}

#[test]
fn header_archive_and_link_changes_are_judged_alike() {
    let c = Change::new();
    // An archived assessment un-archived by an administrator, a header edited by a
    // contributor, and an assessment made a link by an assessor.
    c.edit(OLD_FILE, "archived: 2019-01-01T00:00:00Z\n", "");
    c.commit("alice@example.com", "unarchive");
    c.edit(
        NIST_FILE,
        "created_by: alice@example.com",
        "created_by: dave@example.com",
    );
    c.commit("dave@example.com", "header");
    #[cfg(unix)]
    {
        let text = c.repo.read(GDPR_FILE);
        c.repo
            .write("evidence/gdpr.yaml", text.replacen(PLANNED, PASSED, 1));
        std::fs::remove_file(c.repo.path().join(GDPR_FILE)).expect("rm");
        std::os::unix::fs::symlink("../../evidence/gdpr.yaml", c.repo.path().join(GDPR_FILE))
            .expect("symlink");
        c.commit("bob@example.com", "a link");
    }
    let found = agree_everywhere(&c, false);
    assert!(
        found.iter().any(|f| f.starts_with("[unarchived]")),
        "{found:?}"
    );
    validate_agrees(&c, found);
}
