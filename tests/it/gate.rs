//! The review gate, `assure validate --base REV [--actor EMAIL]` (DESIGN.md §3, §4.6,
//! §6.3), on real git repositories made here with git2: each row of the permission table
//! allowed and refused, roles read from the base (nobody grants themselves a right in the
//! change that uses it), archived assessments, moves, merge commits, `--actor`, and the
//! inputs it cannot run on.
//!
//! Every case starts from the same base commit: `tests/fixtures/base` with one more person
//! (Frank, portal-admin but not a global admin), an empty group `spare` and an archived
//! assessment `old/azure--gdpr`. A refused change exits 1 with one finding per refused
//! part: its code, the file and line (`--format json`), and a message naming the commit,
//! its author with their role at the base, the change and the role it needs.

use std::cell::Cell;

use crate::support::{GitRepo, Output, TestRepo, git_cli, run_env, unix};

pub(crate) const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
pub(crate) const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
pub(crate) const GROUP_FILE: &str = "groups/default-group/group.yaml";
pub(crate) const OLD_FILE: &str = "groups/old/azure--gdpr.yaml";

pub(crate) const CONFIG: &str = "\
organization: Fixture Corp
people:
  - email: alice@example.com
    name: Alice Admin
    roles: [administrator]
  - email: bob@example.com
    name: Bob Assessor
    roles: [assessor]
  - email: carol@example.com
    name: Carol Portal
    roles: [portal-admin, administrator]
  - email: dave@example.com
    name: Dave Contributor
    roles: [contributor]
  - email: erin@example.com
    name: Erin Reader
    roles: [reader]
  - email: frank@example.com
    name: Frank Portal
    roles: [portal-admin]
global_admins: [carol@example.com]
";

pub(crate) const OLD: &str = "\
service: azure
certification: gdpr
created: 2018-03-01T08:00:00Z
created_by: alice@example.com
archived: 2019-01-01T00:00:00Z
controls:
  \"6.2.1.1\":
    status: planned
";

pub(crate) const DATA: &str =
    "editing data needs the contributor, assessor, administrator or portal-admin role";
pub(crate) const TESTS: &str =
    "editing test results needs the assessor, administrator or portal-admin role";
pub(crate) const MANAGE: &str =
    "managing assessments and groups needs the administrator or portal-admin role";
pub(crate) const USERS: &str = "managing people and roles needs the portal-admin role";
pub(crate) const GLOBAL: &str =
    "changing portal admins and global admins needs a global admin (listed in `global_admins`)";

/// A repository with the base commit, and commits made on top of it at increasing times.
pub(crate) struct Change {
    pub(crate) repo: TestRepo,
    pub(crate) git: GitRepo,
    pub(crate) base: git2::Oid,
    clock: Cell<i64>,
}

impl Change {
    pub(crate) fn new() -> Change {
        let repo = TestRepo::base();
        repo.write("assure.yaml", CONFIG);
        repo.write("groups/spare/group.yaml", "name: Spare Group\n");
        repo.write("groups/old/group.yaml", "name: Old Work\n");
        repo.write(OLD_FILE, OLD);
        let git = GitRepo::init(repo.path());
        let base = git.commit_all(
            "carol@example.com",
            "The base",
            unix("2019-05-01T09:00:00Z"),
        );
        Change {
            repo,
            git,
            base,
            clock: Cell::new(unix("2019-05-02T09:00:00Z")),
        }
    }

    pub(crate) fn tick(&self) -> i64 {
        let t = self.clock.get();
        self.clock.set(t + 3600);
        t
    }

    /// Commits the work tree as `email`.
    pub(crate) fn commit(&self, email: &str, message: &str) -> git2::Oid {
        self.git.commit_all(email, message, self.tick())
    }

    pub(crate) fn edit(&self, path: &str, from: &str, to: &str) {
        let text = self.repo.read(path);
        assert!(text.contains(from), "{path} holds {from:?}");
        self.repo.write(path, text.replacen(from, to, 1));
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        run_env(self.repo.path(), args, &[])
    }

    /// `validate --base <base> --format json ARGS`: the exit code and the findings.
    pub(crate) fn check(&self, args: &[&str]) -> (i32, Vec<Finding>) {
        self.check_from(self.base, args)
    }

    /// `validate --base BASE --format json ARGS`.
    pub(crate) fn check_from(&self, base: git2::Oid, args: &[&str]) -> (i32, Vec<Finding>) {
        let base = base.to_string();
        let mut full = vec!["validate", "--base", base.as_str(), "--format", "json"];
        full.extend_from_slice(args);
        json_findings(&self.run(&full))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) code: String,
    pub(crate) file: String,
    pub(crate) line: u64,
    pub(crate) message: String,
}

/// The test lines of 6.2.1.1 (a control in no sync class), for the attack tests.
pub(crate) const PASSED: &str =
    "    status: planned\n    test_date: 2019-04-30\n    test_result: passed\n";
pub(crate) const FAILED: &str =
    "    status: planned\n    test_date: 2019-05-01\n    test_result: failed-high-risk\n";
pub(crate) const PLANNED: &str = "    status: planned\n";

/// Only the findings of the change checks (the gate), as printed.
pub(crate) fn gate_only((code, findings): (i32, Vec<Finding>)) -> (i32, Vec<Finding>) {
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

pub(crate) fn finding(code: &str, file: &str, line: u64, message: impl Into<String>) -> Finding {
    Finding {
        code: code.into(),
        file: file.into(),
        line,
        message: message.into(),
    }
}

pub(crate) fn json_findings(out: &Output) -> (i32, Vec<Finding>) {
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json output ({e}): {}\n{}", out.stdout, out.stderr));
    let list = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| Finding {
            code: f["code"].as_str().expect("a string").to_owned(),
            file: f["file"].as_str().unwrap_or("").to_owned(),
            line: f["line"].as_u64().unwrap_or(0),
            message: f["message"].as_str().expect("a string").to_owned(),
        })
        .collect();
    (out.code, list)
}

pub(crate) fn short(id: git2::Oid) -> String {
    id.to_string()[..7].to_owned()
}

/// "commit abc1234 by dave@example.com (contributor)"
pub(crate) fn by(commit: git2::Oid, who: &str) -> String {
    let role = match who {
        "alice@example.com" => "administrator",
        "bob@example.com" => "assessor",
        "carol@example.com" => "portal-admin, administrator",
        "dave@example.com" => "contributor",
        "erin@example.com" => "reader",
        "frank@example.com" => "portal-admin",
        _ => {
            return format!(
                "commit {} by {who} (a guest: not listed in assure.yaml)",
                short(commit)
            );
        }
    };
    format!("commit {} by {who} ({role})", short(commit))
}

/// One row of DESIGN.md §3: a change, who may make it, who may not, and where each
/// refused part of it is reported.
struct Row {
    name: &'static str,
    make: fn(&Change),
    allowed: &'static str,
    refused: &'static str,
    /// (file, line, what the change is, what it needs)
    parts: &'static [(&'static str, u64, &'static str, &'static str)],
}

const ROWS: &[Row] = &[
    Row {
        name: "edit data",
        make: |c| {
            c.edit(
                GDPR_FILE,
                "    status: planned\n",
                "    status: implemented\n",
            )
        },
        allowed: "dave@example.com",
        refused: "erin@example.com",
        parts: &[(
            GDPR_FILE,
            21,
            "set `status` of 6.2.1.1 in default-group/office-365--gdpr",
            DATA,
        )],
    },
    Row {
        name: "edit test date and result",
        make: |c| {
            c.edit(
                GDPR_FILE,
                "    status: planned\n",
                "    status: planned\n    test_date: 2019-04-30\n    test_result: failed-low-risk\n",
            )
        },
        allowed: "bob@example.com",
        refused: "dave@example.com",
        parts: &[
            (
                GDPR_FILE,
                22,
                "set `test_date` of 6.2.1.1 in default-group/office-365--gdpr",
                TESTS,
            ),
            (
                GDPR_FILE,
                23,
                "set `test_result` of 6.2.1.1 in default-group/office-365--gdpr",
                TESTS,
            ),
        ],
    },
    Row {
        name: "create an assessment",
        make: |c| {
            c.repo.write(
                "groups/spare/azure--gdpr.yaml",
                "service: azure\ncertification: gdpr\ncreated: 2019-05-02T09:00:00Z\ncreated_by: alice@example.com\n",
            )
        },
        allowed: "alice@example.com",
        refused: "bob@example.com",
        parts: &[(
            "groups/spare/azure--gdpr.yaml",
            1,
            "create assessment spare/azure--gdpr",
            MANAGE,
        )],
    },
    Row {
        name: "archive an assessment",
        make: |c| {
            c.edit(
                GDPR_FILE,
                "created_by: alice@example.com\n",
                "created_by: alice@example.com\narchived: 2019-05-02T09:00:00Z\n",
            )
        },
        allowed: "alice@example.com",
        refused: "dave@example.com",
        parts: &[(
            GDPR_FILE,
            5,
            "archive assessment default-group/office-365--gdpr",
            MANAGE,
        )],
    },
    Row {
        name: "delete an assessment",
        make: |c| std::fs::remove_file(c.repo.path().join(NIST_FILE)).expect("remove the file"),
        allowed: "carol@example.com",
        refused: "bob@example.com",
        parts: &[(
            NIST_FILE,
            1,
            "delete assessment default-group/office-365--nist-800-53-r5",
            MANAGE,
        )],
    },
    Row {
        name: "create a group",
        make: |c| {
            c.repo
                .write("groups/new-work/group.yaml", "name: New Work\n")
        },
        allowed: "alice@example.com",
        refused: "dave@example.com",
        parts: &[(
            "groups/new-work/group.yaml",
            1,
            "create group `new-work`",
            MANAGE,
        )],
    },
    Row {
        name: "rename a group",
        make: |c| c.edit(GROUP_FILE, "name: Default Group\n", "name: Defaults\n"),
        allowed: "alice@example.com",
        refused: "bob@example.com",
        parts: &[(
            GROUP_FILE,
            1,
            "rename group `default-group` to \"Defaults\"",
            MANAGE,
        )],
    },
    Row {
        name: "add a person",
        make: |c| {
            c.edit(
                "assure.yaml",
                "global_admins:",
                "  - email: gina@example.com\n    name: Gina New\n    roles: [reader]\nglobal_admins:",
            )
        },
        allowed: "frank@example.com",
        refused: "alice@example.com",
        parts: &[("assure.yaml", 21, "add gina@example.com to people", USERS)],
    },
    Row {
        name: "remove a person",
        make: |c| {
            c.edit(
                "assure.yaml",
                "  - email: erin@example.com\n    name: Erin Reader\n    roles: [reader]\n",
                "",
            )
        },
        allowed: "carol@example.com",
        refused: "alice@example.com",
        parts: &[(
            "assure.yaml",
            // Found at the `people:` key of the new file (the person's entry is gone).
            2,
            "remove erin@example.com from people",
            USERS,
        )],
    },
    Row {
        name: "change a person's roles",
        make: |c| {
            c.edit(
                "assure.yaml",
                "roles: [contributor]",
                "roles: [contributor, assessor]",
            )
        },
        allowed: "frank@example.com",
        refused: "alice@example.com",
        parts: &[(
            "assure.yaml",
            12,
            "change the name or roles of dave@example.com",
            USERS,
        )],
    },
    Row {
        name: "grant portal-admin",
        make: |c| {
            c.edit(
                "assure.yaml",
                "roles: [administrator]\n",
                "roles: [administrator, portal-admin]\n",
            )
        },
        allowed: "carol@example.com",
        refused: "frank@example.com",
        parts: &[(
            "assure.yaml",
            3,
            "grant or remove portal-admin for alice@example.com",
            GLOBAL,
        )],
    },
    Row {
        name: "change global_admins",
        make: |c| {
            c.edit(
                "assure.yaml",
                "global_admins: [carol@example.com]",
                "global_admins: [carol@example.com, frank@example.com]",
            )
        },
        allowed: "carol@example.com",
        refused: "frank@example.com",
        parts: &[("assure.yaml", 21, "change global_admins", GLOBAL)],
    },
];

#[test]
fn the_base_is_clean() {
    let c = Change::new();
    assert_eq!(c.check(&[]), (0, vec![]));
    let out = c.run(&["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
}

#[test]
fn each_row_of_the_permission_table_allowed() {
    for row in ROWS {
        let c = Change::new();
        (row.make)(&c);
        c.commit(row.allowed, row.name);
        let (code, findings) = c.check(&[]);
        assert_eq!(
            (code, findings),
            (0, vec![]),
            "{}: allowed for {}",
            row.name,
            row.allowed
        );
        let out = c.run(&["validate", "--base", &c.base.to_string()]);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, "no problems found\n"),
            "{}",
            row.name
        );
    }
}

#[test]
fn each_row_of_the_permission_table_refused() {
    for row in ROWS {
        let c = Change::new();
        (row.make)(&c);
        let commit = c.commit(row.refused, row.name);
        let (code, findings) = c.check(&[]);
        let expected: Vec<Finding> = row
            .parts
            .iter()
            .map(|(file, line, what, needs)| {
                finding(
                    "permission-denied",
                    file,
                    *line,
                    format!("{}: {what}: {needs}", by(commit, row.refused)),
                )
            })
            .collect();
        assert_eq!(
            (code, findings),
            (1, expected),
            "{}: refused for {}",
            row.name,
            row.refused
        );
    }
}

#[test]
fn the_human_report_of_a_refusal() {
    let c = Change::new();
    (ROWS[1].make)(&c);
    let commit = c.commit("dave@example.com", "Dave records a test");
    let out = c.run(&["validate", "--base", &c.base.to_string()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let s = short(commit);
    assert_eq!(
        out.stdout,
        format!(
            "\
error[permission-denied]: commit {s} by dave@example.com (contributor): set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}
  --> groups/default-group/office-365--gdpr.yaml:22:16
   |
22 |     test_date: 2019-04-30
   |                ^^^^^^^^^^ changed here
   |
   = help: roles are read from the base revision, so a role granted in this change does not count yet; ask someone with the assessor, administrator or portal-admin role to make this change, or merge the role change first

error[permission-denied]: commit {s} by dave@example.com (contributor): set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}
  --> groups/default-group/office-365--gdpr.yaml:23:18
   |
23 |     test_result: failed-low-risk
   |                  ^^^^^^^^^^^^^^^ changed here
   |
   = help: roles are read from the base revision, so a role granted in this change does not count yet; ask someone with the assessor, administrator or portal-admin role to make this change, or merge the role change first

2 errors, 0 warnings
"
        )
    );
}

#[test]
fn a_guest_may_change_nothing() {
    let c = Change::new();
    (ROWS[0].make)(&c);
    let commit = c.commit("zed@elsewhere.example", "A stranger edits");
    let (code, findings) = c.check(&[]);
    assert_eq!(
        (code, findings),
        (
            1,
            vec![finding(
                "permission-denied",
                GDPR_FILE,
                21,
                format!(
                    "commit {} by zed@elsewhere.example (a guest: not listed in assure.yaml): set `status` of 6.2.1.1 in default-group/office-365--gdpr: {DATA}",
                    short(commit)
                )
            )]
        )
    );
}

#[test]
fn a_clean_change_of_several_commits() {
    let c = Change::new();
    c.edit(
        GDPR_FILE,
        "    status: planned\n",
        "    status: implemented\n    implementation: The policy is published.\n",
    );
    c.commit("dave@example.com", "Implement the policy");
    c.edit(
        GDPR_FILE,
        "    status: implemented\n    implementation: The policy is published.\n",
        "    status: implemented\n    implementation: The policy is published.\n    test_date: 2019-05-01\n    test_result: passed\n",
    );
    c.commit("bob@example.com", "Test the policy");
    c.repo
        .write("groups/new-work/group.yaml", "name: New Work\n");
    c.commit("alice@example.com", "A group for new work");
    let (code, findings) = c.check(&[]);
    assert_eq!((code, findings), (0, vec![]));
    // Nothing since the base: nothing to check.
    let head = c
        .git
        .repo
        .head()
        .expect("git")
        .target()
        .expect("git")
        .to_string();
    let out = c.run(&["validate", "--base", &head]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
}

#[test]
fn roles_are_read_from_the_base() {
    // Dave grants himself the assessor role, then records a test result: both refused.
    let c = Change::new();
    c.edit(
        "assure.yaml",
        "roles: [contributor]",
        "roles: [contributor, assessor]",
    );
    let grant = c.commit("dave@example.com", "I am an assessor now");
    c.edit(
        GDPR_FILE,
        "    status: planned\n",
        "    status: planned\n    test_date: 2019-04-30\n    test_result: failed-low-risk\n",
    );
    let test = c.commit("dave@example.com", "Record a test");
    let (code, findings) = c.check(&[]);
    let dave = "dave@example.com";
    assert_eq!(
        (code, findings),
        (
            1,
            vec![
                finding(
                    "permission-denied",
                    "assure.yaml",
                    12,
                    format!(
                        "{}: change the name or roles of dave@example.com: {USERS}",
                        by(grant, dave)
                    )
                ),
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    22,
                    format!(
                        "{}: set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}",
                        by(test, dave)
                    )
                ),
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    23,
                    format!(
                        "{}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}",
                        by(test, dave)
                    )
                ),
            ]
        )
    );
}

#[test]
fn a_role_granted_in_the_change_counts_only_after_it_is_merged() {
    let c = Change::new();
    c.edit(
        "assure.yaml",
        "roles: [contributor]",
        "roles: [contributor, assessor]",
    );
    let grant = c.commit("carol@example.com", "Dave becomes an assessor");
    c.edit(
        GDPR_FILE,
        "    status: planned\n",
        "    status: planned\n    test_date: 2019-04-30\n    test_result: failed-low-risk\n",
    );
    let test = c.commit("dave@example.com", "Record a test");
    let (code, findings) = c.check(&[]);
    assert_eq!(code, 1);
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            format!(
                "{}: set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}",
                by(test, "dave@example.com")
            ),
            format!(
                "{}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}",
                by(test, "dave@example.com")
            ),
        ],
        "Carol's grant is allowed; Dave is still a contributor at the base"
    );
    // With the grant merged first, it is the base, and Dave's test is his to record.
    let out = c.run(&["validate", "--base", &grant.to_string(), "--format", "json"]);
    assert_eq!(json_findings(&out), (0, vec![]));
}

#[test]
fn editing_an_archived_assessment() {
    for who in ["alice@example.com", "carol@example.com"] {
        let c = Change::new();
        c.edit(
            OLD_FILE,
            "    status: planned\n",
            "    status: implemented\n",
        );
        let commit = c.commit(who, "Finish old work");
        let (code, findings) = c.check(&[]);
        assert_eq!(
            (code, findings),
            (
                1,
                vec![finding(
                    "archived-modified",
                    OLD_FILE,
                    // The `archived` key of the file.
                    5,
                    format!(
                        "{}: change archived assessment old/azure--gdpr: an archived assessment is read-only forever",
                        by(commit, who)
                    )
                )]
            ),
            "{who}"
        );
    }
    // Changing the archiving date is a change too.
    let c = Change::new();
    c.edit(
        OLD_FILE,
        "archived: 2019-01-01T00:00:00Z",
        "archived: 2019-05-01T00:00:00Z",
    );
    c.commit("alice@example.com", "Archive it later");
    let (code, findings) = c.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings
            .iter()
            .map(|f| (f.code.as_str(), f.file.as_str()))
            .collect::<Vec<_>>(),
        [("archived-modified", OLD_FILE)]
    );
}

#[test]
fn un_archiving() {
    let c = Change::new();
    c.edit(OLD_FILE, "archived: 2019-01-01T00:00:00Z\n", "");
    let commit = c.commit("carol@example.com", "Bring the old work back");
    let (code, findings) = c.check(&[]);
    assert_eq!(
        (code, findings),
        (
            1,
            vec![finding(
                "unarchived",
                OLD_FILE,
                1,
                format!(
                    "{}: un-archive assessment old/azure--gdpr: an archived assessment cannot be un-archived",
                    by(commit, "carol@example.com")
                )
            )]
        )
    );
}

#[test]
fn deleting_an_archived_assessment_needs_an_administrator() {
    let c = Change::new();
    std::fs::remove_file(c.repo.path().join(OLD_FILE)).expect("remove the file");
    c.commit("alice@example.com", "Delete the old assessment");
    assert_eq!(c.check(&[]), (0, vec![]));

    let c = Change::new();
    std::fs::remove_file(c.repo.path().join(OLD_FILE)).expect("remove the file");
    let commit = c.commit("dave@example.com", "Delete the old assessment");
    assert_eq!(
        c.check(&[]),
        (
            1,
            vec![finding(
                "permission-denied",
                OLD_FILE,
                1,
                format!(
                    "{}: delete assessment old/azure--gdpr: {MANAGE}",
                    by(commit, "dave@example.com")
                )
            )]
        )
    );
}

#[test]
fn moving_an_assessment_between_groups() {
    let c = Change::new();
    let text = c.repo.read(NIST_FILE);
    std::fs::remove_file(c.repo.path().join(NIST_FILE)).expect("remove the file");
    c.repo
        .write("groups/spare/office-365--nist-800-53-r5.yaml", text);
    let commit = c.commit("alice@example.com", "Move NIST to the spare group");
    let (code, findings) = c.check(&[]);
    assert_eq!(
        (code, findings),
        (
            1,
            vec![finding(
                "assessment-moved",
                "groups/spare/office-365--nist-800-53-r5.yaml",
                1,
                format!(
                    "{}: move assessment default-group/office-365--nist-800-53-r5 to spare/office-365--nist-800-53-r5: an assessment can never move to another group; create a new one there with `assure assessment new --copy-from`",
                    by(commit, "alice@example.com")
                )
            )]
        ),
        "one finding for the move, not a deletion and a creation"
    );
}

/// A feature branch where Bob retests TLS (6.10.1.2 and SC-13) and a main line where Dave
/// changes the notes of 6.2.1.1 (in the same file when `same_file`, else the group's
/// description); then a merge commit by `merger` of both sides, with what `extra` changes
/// on top.
fn merge(same_file: bool, merger: &str, extra: impl Fn(&Change)) -> (Change, [git2::Oid; 3]) {
    let c = Change::new();
    c.edit(GDPR_FILE, "test_date: 2019-04-02", "test_date: 2019-04-30");
    c.edit(NIST_FILE, "test_date: 2019-04-02", "test_date: 2019-04-30");
    let feature = c.commit("bob@example.com", "Retest TLS");
    let (gdpr, nist) = (c.repo.read(GDPR_FILE), c.repo.read(NIST_FILE));
    c.git.reset_hard(c.base);
    let dave = |c: &Change| {
        if same_file {
            c.edit(
                GDPR_FILE,
                "Draft the policy by Q3.",
                "Draft the policy by Q4.",
            );
        } else {
            c.edit(
                GROUP_FILE,
                "description: The seed's grouped example.",
                "description: Everything we assess by default.",
            );
        }
    };
    dave(&c);
    let main = c.commit("dave@example.com", "Later policy");
    // The merge: Bob's files, with Dave's change applied again where both touched one.
    c.repo.write(GDPR_FILE, &gdpr);
    c.repo.write(NIST_FILE, &nist);
    if same_file {
        dave(&c);
    }
    extra(&c);
    let merge =
        c.git
            .commit_with_parents(merger, "Merge branch 'retest'", c.tick(), &[main, feature]);
    (c, [feature, main, merge])
}

#[test]
fn a_clean_merge_is_not_the_mergers_work() {
    // A reader merges: what the merge takes from either side is that side's work, which
    // its own commit is checked for.
    for same_file in [false, true] {
        let (c, [_, main, _]) = merge(same_file, "erin@example.com", |_| {});
        assert_eq!(
            c.check(&[]),
            (0, vec![]),
            "both sides changed {}",
            if same_file {
                "one file"
            } else {
                "different files"
            }
        );
        // Judged against its first parent: from the main line, only Bob's commit and the
        // merge are new.
        let out = c.run(&["validate", "--base", &main.to_string(), "--format", "json"]);
        assert_eq!(json_findings(&out), (0, vec![]), "same_file={same_file}");
    }
}

#[test]
fn a_merge_that_changes_something_itself() {
    for same_file in [false, true] {
        let (c, [_, _, merge]) = merge(same_file, "dave@example.com", |c| {
            c.edit(
                GDPR_FILE,
                "    status: planned\n",
                "    status: planned\n    test_date: 2019-04-30\n    test_result: failed-low-risk\n",
            )
        });
        let (code, findings) = c.check(&[]);
        let messages: Vec<(String, String, u64)> = findings
            .into_iter()
            .map(|f| (f.code, f.message, f.line))
            .collect();
        let merged = by(merge, "dave@example.com");
        assert_eq!(
            (code, messages),
            (
                1,
                vec![
                    (
                        "permission-denied".to_owned(),
                        format!(
                            "{merged}: set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
                        ),
                        22
                    ),
                    (
                        "permission-denied".to_owned(),
                        format!(
                            "{merged}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
                        ),
                        23
                    ),
                ]
            ),
            "only the merge's own change, not Bob's retest; same_file={same_file}"
        );
    }
}

#[test]
fn a_merge_that_edits_what_the_other_side_created() {
    // Alice creates an assessment on a branch; Dave merges it into a main line that has
    // his own work, and in the merge records a test result in the new assessment.
    let c = Change::new();
    let new_file = "groups/spare/azure--gdpr.yaml";
    let created = "service: azure\ncertification: gdpr\ncreated: 2019-05-02T09:00:00Z\ncreated_by: alice@example.com\n";
    c.repo.write(new_file, created);
    let feature = c.commit("alice@example.com", "A new assessment");
    c.git.reset_hard(c.base);
    c.edit(
        GDPR_FILE,
        "Draft the policy by Q3.",
        "Draft the policy by Q4.",
    );
    let main = c.commit("dave@example.com", "Later policy");
    c.repo.write(
        new_file,
        format!("{created}controls:\n  \"6.2.1.1\":\n    status: planned\n    test_date: 2019-04-30\n    test_result: failed-low-risk\n"),
    );
    let merge = c.git.commit_with_parents(
        "dave@example.com",
        "Merge the new assessment",
        c.tick(),
        &[main, feature],
    );
    let (code, findings) = c.check(&[]);
    let merged = by(merge, "dave@example.com");
    let what =
        |field: &str| format!("{merged}: set `{field}` of 6.2.1.1 in spare/azure--gdpr: {TESTS}");
    assert_eq!(
        (code, findings),
        (
            1,
            vec![
                finding("permission-denied", new_file, 8, what("test_date")),
                finding("permission-denied", new_file, 9, what("test_result")),
            ]
        ),
        "the merge's own test result, not Alice's creation"
    );
}

#[test]
fn the_whole_change_attributed_to_an_actor() {
    // Erin (a reader) authored every commit; `--actor` judges the change as one person's.
    let c = Change::new();
    (ROWS[1].make)(&c);
    c.commit("erin@example.com", "Record a test");
    (ROWS[3].make)(&c);
    c.commit("erin@example.com", "Archive GDPR");
    (ROWS[5].make)(&c);
    c.commit("erin@example.com", "A new group");
    assert_eq!(c.check(&["--actor", "alice@example.com"]), (0, vec![]));
    assert_eq!(c.check(&["--actor", "CAROL@example.com"]), (0, vec![]));

    let (code, findings) = c.check(&["--actor", "erin@example.com"]);
    let erin = "erin@example.com (reader)";
    assert_eq!(
        (code, findings),
        (
            1,
            vec![
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    5,
                    format!("{erin}: archive assessment default-group/office-365--gdpr: {MANAGE}")
                ),
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    23,
                    format!(
                        "{erin}: set `test_date` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
                    )
                ),
                finding(
                    "permission-denied",
                    GDPR_FILE,
                    24,
                    format!(
                        "{erin}: set `test_result` of 6.2.1.1 in default-group/office-365--gdpr: {TESTS}"
                    )
                ),
                finding(
                    "permission-denied",
                    "groups/new-work/group.yaml",
                    1,
                    format!("{erin}: create group `new-work`: {MANAGE}")
                ),
            ]
        )
    );
    // An assessor may record the test, not archive or create a group.
    let (code, findings) = c.check(&["--actor", "bob@example.com"]);
    let refused: Vec<String> = findings.into_iter().map(|f| f.message).collect();
    assert_eq!(
        (code, refused),
        (
            1,
            vec![
                format!(
                    "bob@example.com (assessor): archive assessment default-group/office-365--gdpr: {MANAGE}"
                ),
                format!("bob@example.com (assessor): create group `new-work`: {MANAGE}"),
            ]
        )
    );
}

#[test]
fn actor_needs_base() {
    let c = Change::new();
    let out = c.run(&["validate", "--actor", "alice@example.com"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--base"), "{}", out.stderr);
}

#[test]
fn a_base_that_does_not_exist() {
    let c = Change::new();
    for rev in ["no-such-branch", "0123456789abcdef0123456789abcdef01234567"] {
        let out = c.run(&["validate", "--base", rev]);
        assert_eq!(out.code, 2, "{rev}: {}{}", out.stdout, out.stderr);
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr.contains(&format!(
                "revision `{rev}` does not exist in this repository"
            )),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn a_base_without_assure_yaml() {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let config = repo.read("assure.yaml");
    std::fs::remove_file(repo.path().join("assure.yaml")).expect("remove the file");
    let first = git.commit_all(
        "alice@example.com",
        "Data first",
        unix("2019-01-01T00:00:00Z"),
    );
    repo.write("assure.yaml", config);
    git.commit_all(
        "alice@example.com",
        "Then people",
        unix("2019-01-02T00:00:00Z"),
    );
    let out = run_env(
        repo.path(),
        &["validate", "--base", &first.to_string()],
        &[],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("assure.yaml at") && out.stderr.contains("is missing or does not load"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_repository_without_commits() {
    let repo = TestRepo::base();
    GitRepo::init(repo.path());
    let out = run_env(repo.path(), &["validate", "--base", "HEAD"], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("the repository has no commits yet (unborn branch)"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_merge_in_progress() {
    let c = Change::new();
    c.edit(
        GDPR_FILE,
        "Draft the policy by Q3.",
        "Draft the policy by Q4.",
    );
    let theirs = c.commit("dave@example.com", "Q4");
    c.git
        .repo
        .branch(
            "other",
            &c.git.repo.find_commit(theirs).expect("git"),
            false,
        )
        .expect("git");
    c.git.reset_hard(c.base);
    c.edit(
        GDPR_FILE,
        "Draft the policy by Q3.",
        "Draft the policy by Q2.",
    );
    c.commit("dave@example.com", "Q2");
    let out = git_cli(c.repo.path(), &["merge", "--no-edit", "other"]);
    assert_eq!(out.code, 1, "a conflict: {}{}", out.stdout, out.stderr);
    assert!(c.repo.path().join(".git/MERGE_HEAD").is_file());

    let out = c.run(&["validate", "--base", &c.base.to_string()]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("a merge is in progress; finish or abort it first, then run the check again"),
        "{}",
        out.stderr
    );
}

#[test]
fn validate_base_needs_git() {
    let repo = TestRepo::base();
    let out = run_env(repo.path(), &["validate", "--base", "HEAD"], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("is not inside a git repository; this command needs git history"),
        "{}",
        out.stderr
    );
    // Without --base, validation needs no git.
    let out = run_env(repo.path(), &["validate"], &[]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
}

/// `validate --base` checks the groups the change touches and no others (DESIGN.md §10:
/// it costs what the change costs): a finding that stands at the base in a group the
/// change leaves alone is not repeated; once the change touches that group, or touches a
/// file outside the groups (which may be evidence), it is.
#[test]
fn validate_base_checks_only_the_groups_the_change_touches() {
    let c = Change::new();
    let stray = "groups/spare/azure--gdpr.yaml";
    c.repo.write(
        stray,
        "service: azure\ncertification: gdpr\ncreated: 2019-01-01T00:00:00Z\ncreated_by: nobody@example.com\n",
    );
    let base = c
        .commit("carol@example.com", "A stray assessment")
        .to_string();
    let check = || {
        let out = c.run(&["validate", "--base", &base, "--format", "json"]);
        let (code, findings) = json_findings(&out);
        (code, findings, out.stderr)
    };
    let (code, all) = json_findings(&c.run(&["validate", "--format", "json"]));
    assert_eq!(code, 1);
    assert!(
        all.iter()
            .any(|f| f.file == stray && f.code == "unknown-person"),
        "{all:?}"
    );

    // A change in another group: the stray file is not read.
    c.edit(
        GDPR_FILE,
        "    status: planned\n",
        "    status: implemented\n",
    );
    c.commit("dave@example.com", "Edit data");
    let (code, findings, stderr) = check();
    assert_eq!((code, findings), (0, vec![]));
    assert!(
        stderr.contains("checked the one group the change touches"),
        "{stderr}"
    );

    // An uncommitted change in the stray file's group: checked, and reported.
    c.edit(
        stray,
        "created: 2019-01-01T00:00:00Z",
        "created: 2019-01-02T00:00:00Z",
    );
    let (code, findings, stderr) = check();
    assert_eq!(code, 1);
    assert!(
        findings
            .iter()
            .any(|f| f.file == stray && f.code == "unknown-person"),
        "{findings:?}"
    );
    assert!(
        stderr.contains("checked the 2 groups the change touches"),
        "{stderr}"
    );

    // A file outside the groups: every group is checked.
    c.edit(
        stray,
        "created: 2019-01-02T00:00:00Z",
        "created: 2019-01-01T00:00:00Z",
    );
    c.repo.write("evidence/new.txt", "a document\n");
    let (code, findings, stderr) = check();
    assert_eq!(code, 1);
    assert!(findings.iter().any(|f| f.file == stray), "{findings:?}");
    assert!(!stderr.contains("checked the"), "{stderr}");
}
