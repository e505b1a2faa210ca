//! `assure diff [BASE[..HEAD]]` (DESIGN.md §6.2): the review summary of a change, on real
//! git repositories made here with git2. Passing a shared control raises both
//! assessments' scores by its value; the markdown a pull request shows (snapshots, with
//! commit hashes masked); the JSON; nothing at all when nothing changed; a change's cost
//! (files read) does not grow with the repository; and the inputs it cannot run on.

use serde_json::{Value, json};

use crate::support::{GitRepo, Output, TestRepo, run_env, unix};

const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const GROUP_FILE: &str = "groups/default-group/group.yaml";

/// The score value of gdpr 6.10.1.2 and of NIST SC-13, related and equal in the fixture.
const TLS_VALUE: u64 = 8;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.add_filter(r"\([0-9a-f]{7}\.\.", "([base]..");
    s.add_filter(r"\.\.[0-9a-f]{7}\)", "..[head])");
    s.add_filter(r"commit [0-9a-f]{7} by", "commit [hash] by");
    s
}

fn run(repo: &TestRepo, args: &[&str]) -> Output {
    run_env(repo.path(), args, &[])
}

fn diff_json(repo: &TestRepo, range: &str) -> Value {
    let out = run(repo, &["diff", range, "--format", "json"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json output ({e}): {}", out.stdout))
}

fn edit(repo: &TestRepo, path: &str, from: &str, to: &str) {
    let text = repo.read(path);
    assert!(text.contains(from), "{path} holds {from:?}");
    repo.write(path, text.replacen(from, to, 1));
}

/// The score of each active assessment, as `assure status` shows the work tree.
fn status_scores(repo: &TestRepo) -> Vec<(String, u64, u64)> {
    let out = run(repo, &["status", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    v["groups"]
        .as_array()
        .expect("an array")
        .iter()
        .flat_map(|g| g["tiles"].as_array().expect("an array").clone())
        .map(|t| {
            (
                t["assessment"].as_str().expect("a string").to_owned(),
                t["score"].as_u64().expect("a number"),
                t["max"].as_u64().expect("a number"),
            )
        })
        .collect()
}

/// The base fixture where TLS (gdpr 6.10.1.2, NIST SC-13) failed its last test, committed
/// by Carol; then Bob's commit that passes it in both assessments.
fn tls_passes() -> (TestRepo, GitRepo, git2::Oid, git2::Oid) {
    let repo = TestRepo::base();
    for f in [GDPR_FILE, NIST_FILE] {
        edit(
            &repo,
            f,
            "    test_date: 2019-04-02\n    test_result: passed\n",
            "    test_date: 2019-04-02\n    test_result: failed-low-risk\n",
        );
    }
    let git = GitRepo::init(repo.path());
    let base = git.commit_all(
        "carol@example.com",
        "TLS failed",
        unix("2019-05-01T09:00:00Z"),
    );
    for f in [GDPR_FILE, NIST_FILE] {
        edit(
            &repo,
            f,
            "    test_date: 2019-04-02\n    test_result: failed-low-risk\n",
            "    test_date: 2019-06-03\n    test_result: passed\n",
        );
    }
    let head = git.commit_all(
        "bob@example.com",
        "TLS passes the retest",
        unix("2019-06-03T15:00:00Z"),
    );
    (repo, git, base, head)
}

#[test]
fn passing_a_shared_control_raises_both_scores() {
    let (repo, git, base, head) = tls_passes();
    let after = status_scores(&repo);
    git.reset_hard(base);
    let before = status_scores(&repo);
    git.reset_hard(head);

    let range = format!("{base}..{head}");
    let r = diff_json(&repo, &range);
    assert_eq!(r["base"], base.to_string()[..7]);
    assert_eq!(r["head"], head.to_string()[..7]);
    let list = r["assessments"].as_array().expect("an array");
    assert_eq!(list.len(), 2, "{r:#}");
    for (i, (key, title, control)) in [
        (
            "default-group/office-365--gdpr",
            "Office 365 - GDPR",
            "6.10.1.2",
        ),
        (
            "default-group/office-365--nist-800-53-r5",
            "Office 365 - NIST 800-53",
            "SC-13",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let a = &list[i];
        assert_eq!(
            (a["assessment"].as_str(), a["name"].as_str()),
            (Some(key), Some(title))
        );
        assert_eq!(a["state"], "changed");
        let (b, n) = (&a["before"], &a["after"]);
        assert_eq!(
            n["score"].as_u64().expect("a number"),
            b["score"].as_u64().expect("a number") + TLS_VALUE,
            "{key}: passing {control} earns its value, 8"
        );
        assert_eq!(b["max"], n["max"], "{key}");
        assert_eq!(
            (b["assessed"].clone(), b["total"].clone()),
            (n["assessed"].clone(), n["total"].clone()),
            "{key}: it had a result before, so progress is unchanged"
        );
        // The same numbers as `assure status` before and after.
        let find = |list: &[(String, u64, u64)]| {
            list.iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, s, m)| json!({"score": s, "max": m}))
                .expect("the assessment in `status`")
        };
        assert_eq!(
            find(&before),
            json!({"score": b["score"], "max": b["max"]}),
            "{key}"
        );
        assert_eq!(
            find(&after),
            json!({"score": n["score"], "max": n["max"]}),
            "{key}"
        );
        assert_eq!(
            a["controls"].as_array().expect("an array").len(),
            1,
            "{key}"
        );
        assert_eq!(a["controls"][0]["control"], control);
        assert_eq!(
            a["controls"][0]["changes"],
            json!([
                {"field": "test_date", "old": "2019-04-02", "new": "2019-06-03"},
                {"field": "test_result", "old": "failed-low-risk", "new": "passed"},
            ]),
            "{key}"
        );
        assert_eq!(a["text_edits"], 0);
    }
    assert_eq!(r["groups"], json!([]));
    assert_eq!(r["out_of_sync"], json!([]));
    assert_eq!(r["permission_findings"], json!([]), "Bob is an assessor");

    // BASE alone compares with the work tree, which is HEAD here: the same summary.
    let out = run(&repo, &["diff", &base.to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    settings().bind(|| insta::assert_snapshot!("diff_shared_control_passes", out.stdout));
    let with_head = run(&repo, &["diff", &range]);
    assert_eq!(
        with_head
            .stdout
            .replace(&head.to_string()[..7], "work tree"),
        out.stdout
    );
}

/// Many kinds of change at once, by several people: a new group with a new assessment, a
/// renamed group, an archived assessment, a control reassigned and its text edited, a
/// shared control left out of sync, and a test result recorded by a contributor.
#[test]
fn a_change_of_every_kind() {
    let repo = TestRepo::base();
    repo.write("groups/old-work/group.yaml", "name: Old Work\n");
    repo.write(
        "groups/old-work/azure--gdpr.yaml",
        "service: azure\ncertification: gdpr\ncreated: 2018-03-01T08:00:00Z\ncreated_by: alice@example.com\ncontrols:\n  \"6.2.1.1\":\n    status: implemented\n    test_date: 2018-06-01\n    test_result: passed\n",
    );
    let git = GitRepo::init(repo.path());
    let base = git.commit_all("carol@example.com", "Base", unix("2019-05-01T09:00:00Z"));

    repo.write("groups/new-work/group.yaml", "name: New Work\n");
    repo.write(
        "groups/new-work/azure--iso-27001-2013.yaml",
        "service: azure\ncertification: iso-27001-2013\ncreated: 2019-05-02T09:00:00Z\ncreated_by: alice@example.com\n",
    );
    git.commit_all(
        "alice@example.com",
        "New work",
        unix("2019-05-02T09:00:00Z"),
    );
    edit(
        &repo,
        GROUP_FILE,
        "name: Default Group",
        "name: Default Group 2019",
    );
    edit(
        &repo,
        "groups/old-work/azure--gdpr.yaml",
        "created_by: alice@example.com\n",
        "created_by: alice@example.com\narchived: 2019-05-03T09:00:00Z\n",
    );
    git.commit_all(
        "alice@example.com",
        "Rename; archive old work",
        unix("2019-05-03T09:00:00Z"),
    );
    edit(
        &repo,
        GDPR_FILE,
        "    status: planned\n    assigned_to: dave@example.com\n",
        "    status: planned\n    implementation: A draft is with legal.\n    assigned_to: bob@example.com\n",
    );
    edit(
        &repo,
        NIST_FILE,
        "    test_result: passed\n    assigned_to: bob@example.com\n",
        "    test_result: passed\n    assigned_to: dave@example.com\n",
    );
    edit(
        &repo,
        NIST_FILE,
        "test_result: failed-medium-risk",
        "test_result: failed-low-risk",
    );
    git.commit_all(
        "dave@example.com",
        "Dave's edits",
        unix("2019-05-04T09:00:00Z"),
    );

    let r = diff_json(&repo, &base.to_string());
    assert_eq!(r["head"], "work tree");
    assert_eq!(
        r["groups"],
        json!([
            {"group": "default-group", "state": "renamed", "name": "Default Group 2019", "previous_name": "Default Group"},
            {"group": "new-work", "state": "created", "name": "New Work", "previous_name": null},
        ])
    );
    let states: Vec<(&str, &str)> = r["assessments"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|a| {
            (
                a["assessment"].as_str().expect("a string"),
                a["state"].as_str().expect("a string"),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("default-group/office-365--gdpr", "changed"),
            ("default-group/office-365--nist-800-53-r5", "changed"),
            ("new-work/azure--iso-27001-2013", "new"),
            ("old-work/azure--gdpr", "archived"),
        ]
    );
    let new = &r["assessments"][2];
    assert_eq!(new["before"], Value::Null);
    assert_eq!(new["after"]["assessed"], 0);
    let gdpr = &r["assessments"][0];
    assert_eq!(gdpr["text_edits"], 1, "the implementation text of 6.2.1.1");
    assert_eq!(
        gdpr["controls"][0]["changes"],
        json!([{"field": "assigned_to", "old": "dave@example.com", "new": "bob@example.com"}])
    );
    let out_of_sync = r["out_of_sync"].as_array().expect("an array");
    assert_eq!(out_of_sync.len(), 1, "{out_of_sync:?}");
    assert!(
        out_of_sync[0]
            .as_str()
            .expect("a string")
            .starts_with("default-group: "),
        "{out_of_sync:?}"
    );
    assert!(
        out_of_sync[0]
            .as_str()
            .expect("a string")
            .contains("assigned_to"),
        "{out_of_sync:?}"
    );
    let findings: Vec<&str> = r["permission_findings"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| f.as_str().expect("a string"))
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(
        findings[0].starts_with("[permission-denied] commit ")
            && findings[0].ends_with(
                " by dave@example.com (contributor): set `test_result` of CM-2 in default-group/office-365--nist-800-53-r5: editing test results needs the assessor, administrator or portal-admin role"
            ),
        "{findings:?}"
    );

    let out = run(&repo, &["diff", &base.to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    settings().bind(|| insta::assert_snapshot!("diff_every_kind", out.stdout));
}

#[test]
fn a_moved_assessment() {
    // Moved into a group whose id sorts after the old one, and into one before it.
    for to in ["spare", "aaa"] {
        let repo = TestRepo::base();
        repo.write(&format!("groups/{to}/group.yaml"), "name: Elsewhere\n");
        let git = GitRepo::init(repo.path());
        let base = git.commit_all("alice@example.com", "Base", unix("2019-05-01T09:00:00Z"));
        let text = repo.read(NIST_FILE);
        std::fs::remove_file(repo.path().join(NIST_FILE)).expect("remove the file");
        let moved = format!("{to}/office-365--nist-800-53-r5");
        repo.write(&format!("groups/{moved}.yaml"), text);
        git.commit_all("alice@example.com", "Move", unix("2019-05-02T09:00:00Z"));
        let r = diff_json(&repo, &base.to_string());
        let states: Vec<(&str, &str)> = r["assessments"]
            .as_array()
            .expect("an array")
            .iter()
            .map(|a| {
                (
                    a["assessment"].as_str().expect("a string"),
                    a["state"].as_str().expect("a string"),
                )
            })
            .collect();
        assert!(
            states.contains(&(moved.as_str(), "moved")) && !states.iter().any(|s| s.1 == "new"),
            "the assessment at its new place is the one moved: {states:?}"
        );
        let findings = r["permission_findings"].as_array().expect("an array");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0]
                .as_str()
                .expect("a string")
                .starts_with("[assessment-moved] commit "),
            "{findings:?}"
        );
    }
}

#[test]
fn a_file_that_does_not_parse_is_not_deleted() {
    let (repo, _, _, _) = tls_passes();
    // An uncommitted edit that breaks the YAML (as a merge conflict would).
    edit(
        &repo,
        GDPR_FILE,
        "    status: planned\n",
        "<<<<<<< HEAD\n    status: planned\n=======\n",
    );
    std::fs::remove_file(repo.path().join(NIST_FILE)).expect("remove the file");
    let r = diff_json(&repo, "HEAD");
    let states: Vec<(&str, &str, bool)> = r["assessments"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|a| {
            (
                a["assessment"].as_str().expect("a string"),
                a["state"].as_str().expect("a string"),
                a["after"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("default-group/office-365--gdpr", "changed", true),
            ("default-group/office-365--nist-800-53-r5", "deleted", true),
        ]
    );
}

#[test]
fn nothing_changed_prints_nothing() {
    let (repo, git, _, head) = tls_passes();
    for args in [
        vec!["diff", "HEAD"],
        vec!["diff", "HEAD..HEAD"],
        vec!["diff", "HEAD..", "--format", "markdown"],
    ] {
        let out = run(&repo, &args);
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, "", ""),
            "{args:?}"
        );
    }
    // A commit that changes no compliance data: nothing to say either.
    repo.write("README.md", "Our compliance data.\n");
    let readme = git.commit_all(
        "alice@example.com",
        "A README",
        unix("2019-07-01T09:00:00Z"),
    );
    let out = run(&repo, &["diff", &format!("{head}..{readme}")]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    // The JSON form still prints the (empty) summary.
    let r = diff_json(&repo, "HEAD");
    assert_eq!(
        (
            &r["assessments"],
            &r["groups"],
            &r["out_of_sync"],
            &r["permission_findings"]
        ),
        (&json!([]), &json!([]), &json!([]), &json!([]))
    );
    assert_eq!(r["head"], "work tree");
}

#[test]
fn uncommitted_changes_and_the_default_base() {
    let (repo, git, base, head) = tls_passes();
    // `main` is the default branch; the change is on a branch made at the base.
    let r = &git.repo;
    r.branch("feature", &r.find_commit(head).expect("head"), true)
        .expect("branch");
    r.set_head("refs/heads/feature").expect("switch");
    r.reference("refs/heads/main", base, true, "main at the base")
        .expect("main");
    // An uncommitted edit in the work tree is part of the change.
    edit(
        &repo,
        GDPR_FILE,
        "    status: planned\n",
        "    status: implemented\n",
    );
    let out = run(&repo, &["diff", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["base"], base.to_string()[..7], "the merge base with main");
    assert_eq!(v["head"], "work tree");
    let gdpr = &v["assessments"][0];
    assert_eq!(gdpr["assessment"], "default-group/office-365--gdpr");
    let controls: Vec<&str> = gdpr["controls"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| c["control"].as_str().expect("a string"))
        .collect();
    let mut sorted = controls.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["6.10.1.2", "6.2.1.1"],
        "Bob's commit and the uncommitted edit"
    );
}

/// A repository with `groups` groups of three assessments each (office-365, azure and
/// dynamics-365 against gdpr) and a group `small` with one assessment; a commit by Bob
/// changes one control of the small group's assessment.
fn many_files(groups: usize) -> (TestRepo, git2::Oid, git2::Oid) {
    let repo = TestRepo::base();
    for g in 0..groups {
        repo.write(
            &format!("groups/g{g:02}/group.yaml"),
            format!("name: Group {g:02}\n"),
        );
        for service in ["office-365", "azure", "dynamics-365"] {
            repo.write(
                &format!("groups/g{g:02}/{service}--gdpr.yaml"),
                format!(
                    "service: {service}\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: alice@example.com\ncontrols:\n  \"6.2.1.1\":\n    status: planned\n"
                ),
            );
        }
    }
    repo.write("groups/small/group.yaml", "name: Small\n");
    repo.write(
        "groups/small/azure--iso-27018-2014.yaml",
        "service: azure\ncertification: iso-27018-2014\ncreated: 2019-02-01T09:30:00Z\ncreated_by: alice@example.com\ncontrols: {}\n",
    );
    let git = GitRepo::init(repo.path());
    let base = git.commit_all("carol@example.com", "Many", unix("2019-05-01T09:00:00Z"));
    let control = catalog_control(&repo);
    edit(
        &repo,
        "groups/small/azure--iso-27018-2014.yaml",
        "controls: {}\n",
        &format!("controls:\n  \"{control}\":\n    status: implemented\n"),
    );
    let head = git.commit_all(
        "bob@example.com",
        "One control",
        unix("2019-05-02T09:00:00Z"),
    );
    (repo, base, head)
}

/// A customer-managed control of the azure × ISO 27018 template.
fn catalog_control(repo: &TestRepo) -> String {
    let out = run(
        repo,
        &[
            "controls",
            "small/azure--iso-27018-2014",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    v["matches"][0]["id"]
        .as_str()
        .expect("a customer-managed control")
        .to_owned()
}

#[test]
fn the_cost_grows_with_the_change_not_the_repository() {
    let mut reads = Vec::new();
    for groups in [10, 30] {
        let (repo, base, head) = many_files(groups);
        let files = std::fs::read_dir(repo.path().join("groups"))
            .expect("groups/")
            .count();
        assert_eq!(files, groups + 2);
        let r = assure::ops::review::review(
            repo.path(),
            Some(&base.to_string()),
            Some(&head.to_string()),
            &|_, _| {},
        )
        .expect("review");
        assert_eq!(r.assessments.len(), 1);
        assert_eq!(r.assessments[0].assessment, "small/azure--iso-27018-2014");
        assert_eq!(r.assessments[0].controls.len(), 1);
        assert!(
            r.permission_findings.is_empty(),
            "{:?}",
            r.permission_findings
        );
        reads.push(r.files_read);
    }
    // Both versions of the changed file (its group has no other assessment to read),
    // and assure.yaml at the base, for the roles the permission check reads.
    assert_eq!(reads[0], 3, "files read: {reads:?}");
    assert_eq!(
        reads[0], reads[1],
        "30 or 90 assessments: the same files are read"
    );
}

#[test]
fn diff_needs_git() {
    let repo = TestRepo::base();
    for args in [vec!["diff"], vec!["diff", "HEAD"]] {
        let out = run(&repo, &args);
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr
                .contains("is not inside a git repository; this command needs git history"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn diff_without_commits() {
    let repo = TestRepo::base();
    GitRepo::init(repo.path());
    for args in [
        vec!["diff"],
        vec!["diff", "HEAD"],
        vec!["diff", "--format", "json"],
    ] {
        let out = run(&repo, &args);
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr.contains(
                "the repository has no commits yet (unborn branch), so there is no `HEAD` to compare with"
            ),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_base_that_does_not_exist() {
    let (repo, _, _, _) = tls_passes();
    for (args, rev) in [
        (vec!["diff", "nope"], "nope"),
        (vec!["diff", "nope..HEAD"], "nope"),
        (vec!["diff", "HEAD..nope"], "nope"),
        (vec!["diff", "HEAD~5"], "HEAD~5"),
    ] {
        let out = run(&repo, &args);
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr.contains(&format!(
                "revision `{rev}` does not exist in this repository"
            )),
            "{args:?}: {}",
            out.stderr
        );
    }
}

/// On the default branch itself, `diff` with no revision compares with the merge base
/// with it, HEAD: the change under review is the work tree's, not the last commit
/// (which is already on main). Without a default branch it asks for a base.
#[test]
fn on_the_default_branch_diff_reviews_the_work_tree_only() {
    let (repo, git, _base, head) = tls_passes();
    let r = &git.repo;
    let branch = r.head().expect("head");
    let name = branch.shorthand().expect("name").to_owned();
    if name != "main" {
        r.reference("refs/heads/main", head, true, "main")
            .expect("main");
        r.set_head("refs/heads/main").expect("switch");
        r.find_reference(&format!("refs/heads/{name}"))
            .expect("old branch")
            .delete()
            .expect("delete");
    }
    // A clean work tree: nothing to review (the last commit is on main already).
    let out = run(&repo, &["diff"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    edit(
        &repo,
        GDPR_FILE,
        "    status: planned\n",
        "    status: implemented\n",
    );
    let out = run(&repo, &["diff", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["base"], head.to_string()[..7], "HEAD, not HEAD~1");
    assert_eq!(v["base_from"], "merge base with main");
    let controls: Vec<&str> = v["assessments"][0]["controls"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| c["control"].as_str().expect("a string"))
        .collect();
    assert_eq!(controls, ["6.2.1.1"], "the uncommitted edit alone");
    let md = run(&repo, &["diff"]);
    assert!(
        md.stdout.contains("..work tree, merge base with main)"),
        "{}",
        md.stdout
    );

    // No default branch: an error that asks for a base, not a guess.
    r.reference("refs/heads/trunk", head, true, "trunk")
        .expect("trunk");
    r.set_head("refs/heads/trunk").expect("switch");
    r.find_reference("refs/heads/main")
        .expect("main")
        .delete()
        .expect("delete");
    let out = run(&repo, &["diff"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("no default branch") && out.stderr.contains("name a base"),
        "{}",
        out.stderr
    );
}
