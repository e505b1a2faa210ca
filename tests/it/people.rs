//! `assure people` and its edits of assure.yaml (issue 18, item 2), and the built-in
//! group that `assure init` creates (item 4).
//!
//! The edits are tried against the review gate: each change is made by each kind of
//! person, and then committed by that person and checked with `validate --base`; the
//! command refuses exactly when the gate refuses, with the same reason. The refusals of
//! the command's own (the last portal-admin or global admin, a person still named by
//! assessments), the errors (unknown names, a duplicate, odd characters) and the
//! minimal diff are each checked with the bytes on disk.

use crate::gate::{Change, gate_only};
use crate::support::{TestRepo, run_env, snapshot};

const CONFIG: &str = "assure.yaml";

fn as_(who: &str, repo: &std::path::Path, args: &[&str]) -> crate::support::Output {
    let mut full = vec!["--as", who];
    full.extend_from_slice(args);
    run_env(repo, &full, &[])
}

#[test]
fn people_lists_everyone_with_roles_and_global_admins() {
    let repo = TestRepo::base();
    let out = run_env(repo.path(), &["people"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "\
Fixture Corp: 5 people
alice@example.com  Alice Admin       administrator
bob@example.com    Bob Assessor      assessor
carol@example.com  Carol Portal      portal-admin, administrator  global admin
dave@example.com   Dave Contributor  contributor
erin@example.com   Erin Reader       reader
global admins (may grant and remove portal-admin): carol@example.com
"
    );
}

#[test]
fn people_as_json_follows_its_schema() {
    let repo = TestRepo::base();
    let out = run_env(repo.path(), &["people", "--format", "json"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            crate::support::project_root().join("schemas/output/people.schema.json"),
        )
        .expect("schema"),
    )
    .expect("schema is json");
    let validator = jsonschema::options().build(&schema).expect("compiles");
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{v:#}");
    assert_eq!(v["organization"], "Fixture Corp");
    assert_eq!(v["global_admins"], serde_json::json!(["carol@example.com"]));
    assert_eq!(
        v["people"][2],
        serde_json::json!({
            "email": "carol@example.com",
            "name": "Carol Portal",
            "roles": ["portal-admin", "administrator"],
            "global_admin": true,
            "github": null,
        })
    );
    assert_eq!(v["people"][4]["global_admin"], false);
}

/// The edits tried against the gate, each with what it needs.
const EDITS: &[(&str, &[&str])] = &[
    (
        "add a contributor",
        &[
            "people",
            "add",
            "new@example.com",
            "--name",
            "New Person",
            "--role",
            "contributor",
        ],
    ),
    (
        "add a portal-admin",
        &[
            "people",
            "add",
            "pa@example.com",
            "--name",
            "New Portal",
            "--role",
            "portal-admin",
        ],
    ),
    (
        "grant contributor",
        &["people", "grant", "erin@example.com", "contributor"],
    ),
    (
        "grant portal-admin",
        &["people", "grant", "erin@example.com", "portal-admin"],
    ),
    (
        "revoke administrator",
        &["people", "revoke", "alice@example.com", "administrator"],
    ),
    (
        "revoke portal-admin",
        &["people", "revoke", "frank@example.com", "portal-admin"],
    ),
    ("remove a reader", &["people", "remove", "erin@example.com"]),
    (
        "remove a portal-admin",
        &["people", "remove", "frank@example.com"],
    ),
];

/// "change: reason" of each refused part, from the command's stderr.
fn command_reasons(stderr: &str) -> Vec<String> {
    let mut r: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  - "))
        .map(str::to_owned)
        .collect();
    r.sort();
    r
}

/// "change: reason" of each permission finding of the gate (the message past "commit
/// abc1234 by who (roles): ").
fn gate_reasons(findings: &[crate::gate::Finding]) -> Vec<String> {
    let mut r: Vec<String> = findings
        .iter()
        .filter(|f| f.code == "permission-denied")
        .map(|f| {
            f.message
                .split_once("): ")
                .map_or(f.message.clone(), |(_, rest)| rest.to_owned())
        })
        .collect();
    r.sort();
    r
}

/// Makes edit `name` as `actor` in a fresh repository, commits it as `actor` (made by
/// Carol when the command refuses it), and checks it with the gate: whether the command
/// refused it, after checking that it agrees with the gate.
fn refused_by_both(name: &str, args: &[&str], actor: &str) -> bool {
    let c = Change::new();
    let before = snapshot(c.repo.path());
    let out = as_(actor, c.repo.path(), args);
    let refused = match out.code {
        0 => false,
        1 => true,
        _ => panic!("{name} by {actor}: {}{}", out.stdout, out.stderr),
    };
    if refused {
        assert_eq!(
            snapshot(c.repo.path()),
            before,
            "{name} by {actor}: refused, nothing written"
        );
        assert!(
            out.stderr.contains("may not make this change"),
            "{name} by {actor}: {}",
            out.stderr
        );
        // The same change, made by someone allowed to, is what `actor` commits.
        let made = as_("carol@example.com", c.repo.path(), args);
        assert_eq!(made.code, 0, "{name} by carol: {}", made.stderr);
    } else {
        assert!(
            out.stdout.contains("updated  assure.yaml"),
            "{}",
            out.stdout
        );
    }
    c.commit(actor, name);
    let (code, findings) = gate_only(c.check(&[]));
    let gate_refused = code != 0;
    assert_eq!(
        refused,
        gate_refused,
        "{name} by {actor}: command {} but the gate {}: {}\n{findings:?}",
        if refused { "refuses" } else { "allows" },
        if gate_refused { "refuses" } else { "allows" },
        out.stderr
    );
    assert_eq!(
        command_reasons(&out.stderr),
        gate_reasons(&findings),
        "{name} by {actor}: the same reasons"
    );
    refused
}

#[test]
fn each_edit_is_refused_exactly_when_the_gate_refuses_it() {
    // Carol: portal-admin and global admin. Frank: portal-admin only. Alice:
    // administrator. Zed: a guest. (A reader is refused like Alice: the permission
    // table's unit test has every role.)
    let actors = [
        "carol@example.com",
        "frank@example.com",
        "alice@example.com",
        "zed@example.com",
    ];
    // One thread per edit: each case is a repository of its own.
    let table: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = EDITS
            .iter()
            .map(|(name, args)| {
                scope.spawn(move || {
                    actors
                        .iter()
                        .map(|actor| {
                            let refused = refused_by_both(name, args, actor);
                            format!(
                                "{name} by {actor}: {}",
                                if refused { "refused" } else { "allowed" }
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("case"))
            .collect()
    });
    // What the table of DESIGN.md §3 says: people and roles need portal-admin;
    // portal-admin itself needs a global admin.
    let allowed: Vec<&String> = table.iter().filter(|l| l.ends_with("allowed")).collect();
    assert_eq!(
        allowed,
        [
            "add a contributor by carol@example.com: allowed",
            "add a contributor by frank@example.com: allowed",
            "add a portal-admin by carol@example.com: allowed",
            "grant contributor by carol@example.com: allowed",
            "grant contributor by frank@example.com: allowed",
            "grant portal-admin by carol@example.com: allowed",
            "revoke administrator by carol@example.com: allowed",
            "revoke administrator by frank@example.com: allowed",
            "revoke portal-admin by carol@example.com: allowed",
            "remove a reader by carol@example.com: allowed",
            "remove a reader by frank@example.com: allowed",
            "remove a portal-admin by carol@example.com: allowed",
        ]
    );
}

#[test]
fn a_refusal_names_the_change_and_the_role_it_needs() {
    let c = Change::new();
    let out = as_(
        "frank@example.com",
        c.repo.path(),
        &["people", "grant", "erin@example.com", "portal-admin"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!(
            "error: frank@example.com (portal-admin) may not make this change:\n  - grant or remove portal-admin for erin@example.com: {}\n",
            crate::gate::GLOBAL
        )
    );
}

#[test]
fn the_last_portal_admin_and_global_admin_stay() {
    // The base fixture: Carol is the only portal-admin and the only global admin.
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let carol = "carol@example.com";
    let out = as_(
        carol,
        repo.path(),
        &["people", "revoke", carol, "portal-admin"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("revoking portal-admin from carol@example.com would leave no portal-admin")
            && out
                .stderr
                .contains("grant portal-admin to another person first"),
        "{}",
        out.stderr
    );
    let out = as_(carol, repo.path(), &["people", "remove", carol]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("carol@example.com is the last global admin"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
    // With another portal-admin, Carol may give the role up.
    let out = as_(
        carol,
        repo.path(),
        &["people", "grant", "alice@example.com", "portal-admin"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = as_(
        carol,
        repo.path(),
        &["people", "revoke", carol, "portal-admin"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.read(CONFIG)
            .contains("    name: Carol Portal\n    roles: [administrator]\n"),
        "{}",
        repo.read(CONFIG)
    );
}

#[test]
fn a_person_with_action_items_is_not_removed_until_they_are_reassigned() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let carol = "carol@example.com";
    let out = as_(
        carol,
        repo.path(),
        &["people", "remove", "dave@example.com"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "dave@example.com still has 2 action item(s): default-group/office-365--gdpr "
        ) && out
            .stderr
            .contains("default-group/office-365--nist-800-53-r5 ")
            && out
                .stderr
                .contains("`assure assign default-group/office-365--gdpr ")
            && out.stderr.contains("--to OTHER`"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
    assert!(
        out.stderr
            .contains("default-group/office-365--gdpr 6.2.1.1")
            && out
                .stderr
                .contains("default-group/office-365--nist-800-53-r5 CM-2"),
        "{}",
        out.stderr
    );
    // Once the items are unassigned, Dave can go.
    for (a, c) in [
        ("default-group/office-365--gdpr", "6.2.1.1"),
        ("default-group/office-365--nist-800-53-r5", "CM-2"),
    ] {
        let out = as_(carol, repo.path(), &["unassign", a, c]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    }
    let out = as_(
        carol,
        repo.path(),
        &["people", "remove", "dave@example.com"],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!repo.read(CONFIG).contains("dave"), "{}", repo.read(CONFIG));
}

#[test]
fn the_creator_of_an_assessment_stays_listed() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let out = as_(
        "carol@example.com",
        repo.path(),
        &["people", "remove", "alice@example.com"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("created default-group/office-365--gdpr")
            && out.stderr.contains(
                "revoke their roles instead (`assure people revoke alice@example.com ROLE…`)"
            ),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
    // Revoking every role leaves her listed, allowed nothing.
    let out = as_(
        "carol@example.com",
        repo.path(),
        &["people", "revoke", "alice@example.com", "administrator"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.read(CONFIG)
            .contains("    name: Alice Admin\n    roles: []\n")
    );
    let out = as_(
        "alice@example.com",
        repo.path(),
        &["group", "new", "Alice's"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("alice@example.com (no role) may not"),
        "{}",
        out.stderr
    );
}

#[test]
fn unknown_names_are_errors_with_the_closest_known_one() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let carol = "carol@example.com";
    for (args, says) in [
        (
            &["people", "grant", "erin@example.com", "portal_admin"][..],
            "unknown role `portal_admin`; did you mean `portal-admin`?",
        ),
        (
            &[
                "people",
                "add",
                "x@example.com",
                "--name",
                "X",
                "--role",
                "admin",
            ][..],
            "unknown role `admin`; known: reader, contributor, assessor, administrator, portal-admin",
        ),
        (
            &["people", "grant", "erin@exampel.com", "assessor"][..],
            "`erin@exampel.com` is not a person of assure.yaml; did you mean `erin@example.com`?",
        ),
        (
            &["people", "revoke", "bobb@example.com", "assessor"][..],
            "did you mean `bob@example.com`?",
        ),
        (
            &["people", "remove", "nobody@example.test"][..],
            "`nobody@example.test` is not a person of assure.yaml; known: alice@example.com",
        ),
    ] {
        let out = as_(carol, repo.path(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn someone_listed_already_is_not_added_again_whatever_the_case() {
    // Exit 2, like `group new` with an id taken: the request names a person who is
    // there, not a change that breaks a rule; the message says which command to use.
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let out = as_(
        "carol@example.com",
        repo.path(),
        &["people", "add", " BOB@Example.com ", "--name", "Bob Again"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "error: bob@example.com is already listed (as Bob Assessor, assessor); change their roles with `assure people grant` or `assure people revoke`\n"
    );
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn emails_are_matched_ignoring_case() {
    let repo = TestRepo::base();
    let out = as_(
        "CAROL@example.com",
        repo.path(),
        &["people", "grant", "Erin@EXAMPLE.com", "contributor"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.read(CONFIG).contains(
            "  - email: erin@example.com\n    name: Erin Reader\n    roles: [reader, contributor]\n"
        ),
        "{}",
        repo.read(CONFIG)
    );
    // Granting what the person has changes nothing.
    let before = snapshot(repo.path());
    let out = as_(
        "carol@example.com",
        repo.path(),
        &["people", "grant", "erin@example.com", "reader"],
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, "nothing to change\n"));
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn odd_characters_in_an_email_or_a_name_are_refused() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    for (email, name, says) in [
        // A right-to-left override: shows as another address.
        ("eve\u{202E}moc.elpmaxe@x.com", "Eve", "U+202E"),
        // A zero-width space: two addresses that look the same.
        ("bob\u{200B}@example.com", "Bob Twin", "U+200B"),
        ("eve\u{1b}[2J@example.com", "Eve", "U+001B"),
        ("eve example.com", "Eve", "it holds a blank"),
        ("eve.example.com", "Eve", "write it as name@example.com"),
        ("eve@example.com", "Eve\nBcc: all", "U+000A"),
        ("eve@example.com", "Eve \u{2067}", "U+2067"),
        ("eve@example.com", "  ", "a person needs a name"),
    ] {
        let out = as_(
            "carol@example.com",
            repo.path(),
            &["people", "add", email, "--name", name],
        );
        assert_eq!(out.code, 2, "{email:?} {name:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(says),
            "{email:?} {name:?}: {}",
            out.stderr
        );
        // What is printed carries no raw control character.
        assert!(
            !out.stderr.contains(['\u{1b}', '\u{202E}', '\u{2067}']),
            "{:?}",
            out.stderr
        );
    }
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn edits_change_only_the_persons_lines() {
    let repo = TestRepo::base();
    let text = repo.read(CONFIG);
    // A comment beside the person stays.
    let text = text.replace(
        "    name: Erin Reader\n",
        "    name: Erin Reader   # joined in May\n",
    );
    repo.write(CONFIG, &text);
    let carol = "carol@example.com";
    let out = as_(
        carol,
        repo.path(),
        &[
            "people",
            "add",
            "gus@example.com",
            "--name",
            "Gus Green",
            "--role",
            "assessor",
            "--role",
            "contributor",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let added = repo.read(CONFIG);
    let (head, tail) = text.split_at(text.find("global_admins").expect("global_admins"));
    assert!(added.starts_with(head) && added.ends_with(tail), "{added}");
    let new_lines = &added[head.len()..added.len() - tail.len()];
    assert!(
        new_lines.starts_with("  - email: gus@example.com\n    name: Gus Green\n    roles:\n")
            && new_lines.contains("- assessor\n")
            && new_lines.contains("- contributor\n"),
        "{new_lines}"
    );
    let out = as_(
        carol,
        repo.path(),
        &["people", "revoke", "erin@example.com", "reader"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        repo.read(CONFIG),
        added.replace(
            "    name: Erin Reader   # joined in May\n    roles: [reader]\n",
            "    name: Erin Reader   # joined in May\n    roles: []\n"
        )
    );
    let before = repo.read(CONFIG);
    let out = as_(
        carol,
        repo.path(),
        &["people", "remove", "erin@example.com"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        repo.read(CONFIG),
        before.replace(
            "  - email: erin@example.com\n    name: Erin Reader   # joined in May\n    roles: []\n",
            ""
        )
    );
    // The new person is a person: assign works.
    let out = as_(
        carol,
        repo.path(),
        &[
            "assign",
            "default-group/office-365--gdpr",
            "6.2.1.1",
            "--to",
            "GUS@example.com",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(run_env(repo.path(), &["validate"], &[]).code, 0);
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let out = as_(
        "carol@example.com",
        repo.path(),
        &[
            "people",
            "grant",
            "dave@example.com",
            "assessor",
            "--dry-run",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("--- a/assure.yaml\n+++ b/assure.yaml\n")
            && out
                .stdout
                .contains("\n-    roles: [contributor]\n+    roles: [contributor, assessor]\n")
            && out.stdout.ends_with("(dry run: nothing written)\n"),
        "{}",
        out.stdout
    );
    assert_eq!(snapshot(repo.path()), before);
}

#[cfg(unix)]
#[test]
fn a_linked_assure_yaml_is_not_written_through() {
    let repo = TestRepo::base();
    let outside = tempfile::tempdir().expect("temp dir");
    let target = outside.path().join("config.yaml");
    std::fs::copy(repo.path().join(CONFIG), &target).expect("copy");
    std::fs::remove_file(repo.path().join(CONFIG)).expect("rm");
    std::os::unix::fs::symlink(&target, repo.path().join(CONFIG)).expect("link");
    let before = std::fs::read(&target).expect("read");
    let out = as_(
        "carol@example.com",
        repo.path(),
        &["people", "add", "x@example.com", "--name", "X"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("assure.yaml does not load"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(&target).expect("read"), before);
    assert!(
        std::fs::symlink_metadata(repo.path().join(CONFIG))
            .expect("meta")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn init_creates_the_initial_group_where_new_assessments_go() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let ada = "ada@example.com";
    let out = as_(ada, dir, &["init", "--name", "Ada Admin"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("created  groups/initial-group/group.yaml\n"),
        "{}",
        out.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("groups/initial-group/group.yaml")).expect("group"),
        "# yaml-language-server: $schema=../../schemas/group.schema.json\n\
         # The built-in group: `assure assessment new` without --group adds assessments here.\n\
         name: Initial Group\n"
    );
    let out = run_env(dir, &["group", "list"], &[]);
    assert!(out.stdout.starts_with("initial-group "), "{}", out.stdout);
    assert!(out.stdout.contains("Initial Group"), "{}", out.stdout);
    let out = as_(
        ada,
        dir,
        &[
            "assessment",
            "new",
            "--service",
            "office-365",
            "--certification",
            "gdpr",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "created  groups/initial-group/office-365--gdpr.yaml\n"
    );
    let out = run_env(dir, &["validate"], &[]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
}

#[test]
fn without_the_initial_group_assessment_new_asks_for_a_group() {
    // A repository made before init created the built-in group.
    let repo = TestRepo::base();
    let before = snapshot(repo.path());
    let out = as_(
        "carol@example.com",
        repo.path(),
        &[
            "assessment",
            "new",
            "--service",
            "azure",
            "--certification",
            "gdpr",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "no --group given, and this repository has no built-in group `initial-group`"
        ) && out.stderr.contains("pass --group GROUP")
            && out.stderr.contains("`assure group new \"Initial Group\"`"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before);
    // Which is what the message says.
    let out = as_(
        "carol@example.com",
        repo.path(),
        &["group", "new", "Initial Group"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = as_(
        "carol@example.com",
        repo.path(),
        &[
            "assessment",
            "new",
            "--service",
            "azure",
            "--certification",
            "gdpr",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        repo.path()
            .join("groups/initial-group/azure--gdpr.yaml")
            .is_file()
    );
}
