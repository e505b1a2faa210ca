//! `assure log` (DESIGN.md §6.1): the field-level audit trail, read from real git
//! repositories made here with git2 (commits by several authors at fixed times): one
//! control followed from its assessment's creation to its archiving, a renamed group, the
//! filters, and a shallow clone, where the log says where history stops.

use serde_json::{Value, json};

use crate::support::{GitRepo, Output, TestRepo, git_cli, run_env, unix};

const GDPR: &str = "default-group/office-365--gdpr";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const GROUP_FILE: &str = "groups/default-group/group.yaml";

fn run(repo: &TestRepo, args: &[&str]) -> Output {
    run_env(repo.path(), args, &[])
}

fn log_json(repo: &TestRepo, args: &[&str]) -> Value {
    let mut full = vec!["log", "--format", "json"];
    full.extend_from_slice(args);
    let out = run(repo, &full);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json output ({e}): {}", out.stdout))
}

fn short(id: git2::Oid) -> String {
    id.to_string()[..7].to_owned()
}

/// (short commit, author email, summary, time) of each entry, newest first.
fn entry_heads(log: &Value) -> Vec<(String, String, String, String)> {
    log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            let c = &e["commit"];
            (
                c["short"].as_str().expect("a string").to_owned(),
                c["author_email"].as_str().expect("a string").to_owned(),
                c["summary"].as_str().expect("a string").to_owned(),
                c["time"].as_str().expect("a string").to_owned(),
            )
        })
        .collect()
}

/// (change, control, field, old, new) of each change of an entry.
fn changes(entry: &Value) -> Vec<(String, Value, Value, Value, Value)> {
    entry["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["change"].as_str().expect("a string").to_owned(),
                c["control"].clone(),
                c["field"].clone(),
                c["old"].clone(),
                c["new"].clone(),
            )
        })
        .collect()
}

const GDPR_CREATED: &str = r#"service: office-365
certification: gdpr
created: 2019-01-15T09:30:00Z
created_by: alice@example.com
controls:
  "6.10.1.2":
    status: implemented
    test_date: 2019-01-10
    test_result: passed
"#;

/// The history of gdpr 6.2.1.1, one commit per step of its life, plus a commit that
/// changes another control (which the control's log leaves out).
struct Lifecycle {
    repo: TestRepo,
    start: git2::Oid,
    created: git2::Oid,
    assigned: git2::Oid,
    other: git2::Oid,
    implemented: git2::Oid,
    tested: git2::Oid,
    archived: git2::Oid,
}

fn lifecycle() -> Lifecycle {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    std::fs::remove_file(repo.path().join(GDPR_FILE)).expect("remove the file");
    let start = git.commit_all(
        "carol@example.com",
        "Start the compliance repository",
        unix("2019-01-10T08:00:00Z"),
    );
    repo.write(GDPR_FILE, GDPR_CREATED);
    let created = git.commit_all(
        "alice@example.com",
        "Create the GDPR assessment",
        unix("2019-01-15T09:30:00Z"),
    );
    let mut text = GDPR_CREATED.to_owned()
        + "  \"6.2.1.1\":\n    status: planned\n    assigned_to: dave@example.com\n    action:\n      priority: medium\n      notes: Draft the policy by Q3.\n";
    repo.write(GDPR_FILE, &text);
    let assigned = git.commit_all(
        "alice@example.com",
        "Assign the privacy policy to Dave",
        unix("2019-02-01T10:00:00Z"),
    );
    text = text.replace("test_date: 2019-01-10", "test_date: 2019-02-14");
    repo.write(GDPR_FILE, &text);
    let nist = repo.read(NIST_FILE);
    repo.write(
        NIST_FILE,
        nist.replace("test_date: 2019-04-02", "test_date: 2019-02-14"),
    );
    let other = git.commit_all(
        "bob@example.com",
        "Retest TLS",
        unix("2019-02-15T11:00:00Z"),
    );
    text = text.replace(
        "    status: planned\n    assigned_to: dave",
        "    status: implemented\n    implementation: |\n      The privacy policy is published on the intranet.\n      The board approved it on 2019-02-28.\n    assigned_to: dave",
    );
    repo.write(GDPR_FILE, &text);
    let implemented = git.commit_all(
        "dave@example.com",
        "Implement the privacy policy",
        unix("2019-03-01T14:15:00Z"),
    );
    text = text.replace(
        "    assigned_to: dave",
        "    test_date: 2019-04-02\n    test_result: passed\n    assigned_to: dave",
    );
    repo.write(GDPR_FILE, &text);
    let tested = git.commit_all(
        "bob@example.com",
        "Test the privacy policy",
        unix("2019-04-02T16:45:00Z"),
    );
    text = text.replace(
        "created_by: alice@example.com\n",
        "created_by: alice@example.com\narchived: 2019-06-30T12:00:00Z\n",
    );
    repo.write(GDPR_FILE, &text);
    let archived = git.commit_all(
        "alice@example.com",
        "Archive the 2019 GDPR assessment",
        unix("2019-06-30T12:00:00Z"),
    );
    Lifecycle {
        repo,
        start,
        created,
        assigned,
        other,
        implemented,
        tested,
        archived,
    }
}

#[test]
fn one_control_from_creation_to_archive() {
    let l = lifecycle();
    let log = log_json(&l.repo, &[GDPR, "6.2.1.1"]);
    assert_eq!(log["shallow_boundary"], Value::Null);
    let heads = entry_heads(&log);
    let expect = |id, who: &str, summary: &str, time: &str| {
        (
            short(id),
            who.to_owned(),
            summary.to_owned(),
            time.to_owned(),
        )
    };
    assert_eq!(
        heads,
        vec![
            expect(
                l.archived,
                "alice@example.com",
                "Archive the 2019 GDPR assessment",
                "2019-06-30T12:00:00Z"
            ),
            expect(
                l.tested,
                "bob@example.com",
                "Test the privacy policy",
                "2019-04-02T16:45:00Z"
            ),
            expect(
                l.implemented,
                "dave@example.com",
                "Implement the privacy policy",
                "2019-03-01T14:15:00Z"
            ),
            expect(
                l.assigned,
                "alice@example.com",
                "Assign the privacy policy to Dave",
                "2019-02-01T10:00:00Z"
            ),
            expect(
                l.created,
                "alice@example.com",
                "Create the GDPR assessment",
                "2019-01-15T09:30:00Z"
            ),
            // The assessment's group was created here: part of its history.
            expect(
                l.start,
                "carol@example.com",
                "Start the compliance repository",
                "2019-01-10T08:00:00Z"
            ),
        ],
        "Bob's retest of 6.10.1.2 ({}) is not in the log of 6.2.1.1",
        short(l.other)
    );
    let e = &log["entries"];
    assert_eq!(e[0]["commit"]["id"], l.archived.to_string());
    let s = |v: &str| Value::String(v.to_owned());
    let n = Value::Null;
    assert_eq!(
        changes(&e[0]),
        vec![(
            "archive assessment default-group/office-365--gdpr".to_owned(),
            n.clone(),
            n.clone(),
            n.clone(),
            n.clone()
        )]
    );
    assert_eq!(e[0]["changes"][0]["path"], GDPR_FILE);
    let field = |name: &str, old: Value, new: Value| {
        (
            format!("set `{name}` of 6.2.1.1 in default-group/office-365--gdpr"),
            s("6.2.1.1"),
            s(name),
            old,
            new,
        )
    };
    assert_eq!(
        changes(&e[1]),
        vec![
            field("test_date", n.clone(), s("2019-04-02")),
            field("test_result", n.clone(), s("passed")),
        ]
    );
    let implementation =
        "The privacy policy is published on the intranet.\nThe board approved it on 2019-02-28.\n";
    assert_eq!(
        changes(&e[2]),
        vec![
            field("implementation", n.clone(), s(implementation)),
            field("status", s("planned"), s("implemented")),
        ]
    );
    // Long text is shown as a diff.
    assert_eq!(
        e[2]["changes"][0]["diff"],
        "+The privacy policy is published on the intranet.\n+The board approved it on 2019-02-28.\n"
    );
    assert_eq!(e[2]["changes"][1]["diff"], Value::Null);
    assert_eq!(
        changes(&e[3]),
        vec![
            field(
                "action",
                n.clone(),
                json!({"priority": "medium", "notes": "Draft the policy by Q3."})
            ),
            field("assigned_to", n.clone(), s("dave@example.com")),
            field("status", n.clone(), s("planned")),
        ]
    );
    assert_eq!(
        changes(&e[4]),
        vec![(
            "create assessment default-group/office-365--gdpr".to_owned(),
            n.clone(),
            n.clone(),
            n.clone(),
            n.clone()
        )]
    );
    assert_eq!(
        changes(&e[5]),
        vec![(
            "create group `default-group`".to_owned(),
            n.clone(),
            n.clone(),
            n.clone(),
            n
        )]
    );
}

#[test]
fn one_control_human_output() {
    let l = lifecycle();
    let out = run(&l.repo, &["log", GDPR, "6.2.1.1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let expected = format!(
        "\
2019-06-30 12:00  {archived}  alice <alice@example.com>
    Archive the 2019 GDPR assessment
  archive assessment default-group/office-365--gdpr

2019-04-02 16:45  {tested}  bob <bob@example.com>
    Test the privacy policy
  default-group/office-365--gdpr 6.2.1.1 test_date: (not set) → 2019-04-02
  default-group/office-365--gdpr 6.2.1.1 test_result: (not set) → passed

2019-03-01 14:15  {implemented}  dave <dave@example.com>
    Implement the privacy policy
  default-group/office-365--gdpr 6.2.1.1 implementation:
      +The privacy policy is published on the intranet.
      +The board approved it on 2019-02-28.
  default-group/office-365--gdpr 6.2.1.1 status: planned → implemented

2019-02-01 10:00  {assigned}  alice <alice@example.com>
    Assign the privacy policy to Dave
  default-group/office-365--gdpr 6.2.1.1 action: (not set) → priority: medium, notes: Draft the policy by Q3.
  default-group/office-365--gdpr 6.2.1.1 assigned_to: (not set) → dave@example.com
  default-group/office-365--gdpr 6.2.1.1 status: (not set) → planned

2019-01-15 09:30  {created}  alice <alice@example.com>
    Create the GDPR assessment
  create assessment default-group/office-365--gdpr

2019-01-10 08:00  {start}  carol <carol@example.com>
    Start the compliance repository
  create group `default-group`

",
        archived = short(l.archived),
        tested = short(l.tested),
        implemented = short(l.implemented),
        assigned = short(l.assigned),
        created = short(l.created),
        start = short(l.start),
    );
    assert_eq!(out.stdout, expected);
}

#[test]
fn the_assessment_and_the_whole_repository() {
    let l = lifecycle();
    // The assessment's log has Bob's retest of another control too.
    let log = log_json(&l.repo, &[GDPR]);
    let ids: Vec<String> = entry_heads(&log).into_iter().map(|h| h.0).collect();
    assert_eq!(
        ids,
        [
            l.archived,
            l.tested,
            l.implemented,
            l.other,
            l.assigned,
            l.created,
            l.start
        ]
        .map(short)
    );
    assert_eq!(
        changes(&log["entries"][3]),
        vec![(
            "set `test_date` of 6.10.1.2 in default-group/office-365--gdpr".to_owned(),
            json!("6.10.1.2"),
            json!("test_date"),
            json!("2019-01-10"),
            json!("2019-02-14"),
        )],
        "only the asked-about assessment's changes of that commit"
    );
    // The whole repository: every commit, with every file's changes.
    let log = log_json(&l.repo, &[]);
    assert_eq!(entry_heads(&log).len(), 7);
    let retest: Vec<String> = changes(&log["entries"][3])
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(
        retest,
        [
            "set `test_date` of 6.10.1.2 in default-group/office-365--gdpr",
            "set `test_date` of SC-13 in default-group/office-365--nist-800-53-r5"
        ]
    );
    let first: Vec<String> = changes(&log["entries"][6])
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert!(
        first.contains(&"create group `default-group`".to_owned())
            && first
                .contains(&"create assessment default-group/office-365--nist-800-53-r5".to_owned()),
        "{first:?}"
    );
}

#[test]
fn since_and_author_filters() {
    let l = lifecycle();
    let log = log_json(&l.repo, &[GDPR, "6.2.1.1", "--since", "2019-03-01"]);
    let ids: Vec<String> = entry_heads(&log).into_iter().map(|h| h.0).collect();
    assert_eq!(ids, [l.archived, l.tested, l.implemented].map(short));
    let log = log_json(&l.repo, &["--author", "bob@"]);
    let ids: Vec<String> = entry_heads(&log).into_iter().map(|h| h.0).collect();
    assert_eq!(ids, [l.tested, l.other].map(short));
    let log = log_json(&l.repo, &["--since", "2020-01-01"]);
    assert_eq!(log["entries"], json!([]));
    let out = run(&l.repo, &["log", "--since", "2020-01-01"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no changes\n"));
}

#[test]
fn a_renamed_group() {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "Start", unix("2019-01-10T08:00:00Z"));
    repo.write(
        GROUP_FILE,
        "name: Default Group 2019\ndescription: The seed's grouped example.\n",
    );
    let first = git.commit_all(
        "alice@example.com",
        "Name the group after its year",
        unix("2019-02-01T09:00:00Z"),
    );
    repo.write(
        GROUP_FILE,
        "name: Contoso Defaults\ndescription: Everything Contoso assesses by default.\n",
    );
    let second = git.commit_all(
        "carol@example.com",
        "Rename the group again",
        unix("2019-03-01T09:00:00Z"),
    );

    let log = log_json(&repo, &[]);
    let heads = entry_heads(&log);
    assert_eq!(heads[0].0, short(second));
    assert_eq!(heads[1].0, short(first));
    let rename = &log["entries"][1]["changes"];
    assert_eq!(
        rename,
        &json!([{
            "path": GROUP_FILE,
            "change": "rename group `default-group` to \"Default Group 2019\"",
            "subject": "default-group",
            "control": null, "field": null,
            "old": "Default Group", "new": "Default Group 2019",
            "diff": null,
        }])
    );
    let again: Vec<(String, Value, Value)> = log["entries"][0]["changes"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| {
            (
                c["change"].as_str().expect("a string").to_owned(),
                c["old"].clone(),
                c["new"].clone(),
            )
        })
        .collect();
    assert_eq!(
        again,
        vec![
            (
                "rename group `default-group` to \"Contoso Defaults\"".to_owned(),
                json!("Default Group 2019"),
                json!("Contoso Defaults")
            ),
            (
                "change the description of group `default-group`".to_owned(),
                Value::Null,
                Value::Null
            ),
        ]
    );

    // The rename is an event in the history of each assessment of the group, and of
    // each of its controls.
    for args in [vec![GDPR], vec![GDPR, "6.10.1.2"]] {
        let log = log_json(&repo, &args);
        let ids: Vec<String> = entry_heads(&log).into_iter().map(|h| h.0).collect();
        assert_eq!(ids.len(), 3, "{args:?}: {ids:?}");
        assert_eq!(ids[..2], [second, first].map(short), "{args:?}");
        assert_eq!(
            log["entries"][1]["changes"][0]["change"],
            "rename group `default-group` to \"Default Group 2019\"",
            "{args:?}"
        );
    }
    let out = run(&repo, &["log", GDPR]);
    assert!(
        out.stdout.contains(&format!(
            "2019-03-01 09:00  {}  carol <carol@example.com>\n    Rename the group again\n  rename group `default-group` to \"Contoso Defaults\"\n  change the description of group `default-group`\n",
            short(second)
        )),
        "{}",
        out.stdout
    );
}

/// Four commits; a clone of depth 2 holds the last two.
fn shallow_clone() -> (TestRepo, tempfile::TempDir, [git2::Oid; 4]) {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let c1 = git.commit_all("carol@example.com", "Start", unix("2019-01-10T08:00:00Z"));
    let gdpr = repo.read(GDPR_FILE);
    repo.write(
        GDPR_FILE,
        gdpr.replace("Draft the policy by Q3.", "Draft the policy by Q4."),
    );
    let c2 = git.commit_all(
        "dave@example.com",
        "Later policy",
        unix("2019-02-01T09:00:00Z"),
    );
    let gdpr = repo.read(GDPR_FILE);
    repo.write(
        GDPR_FILE,
        gdpr.replace("    status: planned\n", "    status: implemented\n"),
    );
    let c3 = git.commit_all(
        "dave@example.com",
        "Policy in place",
        unix("2019-03-01T09:00:00Z"),
    );
    repo.write(GROUP_FILE, "name: Defaults\n");
    let c4 = git.commit_all(
        "alice@example.com",
        "Rename the group",
        unix("2019-04-01T09:00:00Z"),
    );
    let clone = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", repo.path().display());
    let out = git_cli(
        clone.path(),
        &["clone", "--quiet", "--depth", "2", &url, "shallow"],
    );
    assert_eq!(out.code, 0, "git clone: {}", out.stderr);
    (repo, clone, [c1, c2, c3, c4])
}

#[test]
fn a_shallow_clone_says_where_history_stops() {
    let (_origin, clone, [_, _, c3, c4]) = shallow_clone();
    let dir = clone.path().join("shallow");
    assert!(dir.join(".git/shallow").is_file(), "a shallow clone");

    let out = run_env(&dir, &["log"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "\
2019-04-01 09:00  {}  alice <alice@example.com>
    Rename the group
  rename group `default-group` to \"Defaults\"
  change the description of group `default-group`

history stops at {} (2019-03-01): this is a shallow clone; `git fetch --unshallow` brings the rest
",
            short(c4),
            short(c3)
        ),
        "the commit where history stops has no parent here, so its changes cannot be told \
         and it must not be shown as creating the whole repository"
    );

    let out = run_env(&dir, &["log", "--format", "json", GDPR], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let log: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(log["shallow_boundary"]["id"], c3.to_string());
    assert_eq!(log["shallow_boundary"]["author_email"], "dave@example.com");
    let ids: Vec<String> = entry_heads(&log).into_iter().map(|h| h.0).collect();
    assert_eq!(ids, [short(c4)]);
}

#[test]
fn a_full_clone_has_no_boundary() {
    let (origin, _clone, commits) = shallow_clone();
    let log = log_json(&origin, &[]);
    assert_eq!(log["shallow_boundary"], Value::Null);
    let ids: Vec<String> = entry_heads(&log).into_iter().map(|h| h.0).collect();
    let mut all = commits.map(short).to_vec();
    all.reverse();
    assert_eq!(ids, all);
    let out = run(&origin, &["log"]);
    assert!(!out.stdout.contains("history stops"), "{}", out.stdout);
}

#[test]
fn log_needs_git() {
    let repo = TestRepo::base();
    let out = run(&repo, &["log"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("is not inside a git repository; this command needs git history"),
        "{}",
        out.stderr
    );
}

#[test]
fn log_of_a_repository_without_commits() {
    let repo = TestRepo::base();
    GitRepo::init(repo.path());
    let out = run(&repo, &["log"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "no changes\n"),
        "{}",
        out.stderr
    );
}
