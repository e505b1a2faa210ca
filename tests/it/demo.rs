//! `assure demo [DIR]` (DESIGN.md §8, README quick start): the example repository built
//! into a git history by its people, ending exactly in `example-repo/`, with one rejected
//! pull request on a branch; replacing an earlier demo, refusing any other folder.
//!
//! And the CI recipe (DESIGN.md §6.5): `assure init --ci github` and the shipped
//! `.pre-commit-hooks.yaml`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::support::{GitRepo, Output, TestRepo, project_root, run_env, snapshot};

const BRANCH: &str = "review/dave-marks-ac-tested";

/// Runs `assure demo ARGS` in `cwd`.
fn demo(cwd: &Path, args: &[&str]) -> Output {
    let mut full = vec!["demo"];
    full.extend_from_slice(args);
    run_env(cwd, &full, &[])
}

/// A demo built in a fresh temporary folder (`<tmp>/demo`).
fn built() -> (tempfile::TempDir, std::path::PathBuf, Output) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = demo(tmp.path(), &["demo"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let dir = tmp.path().join("demo");
    (tmp, dir, out)
}

/// Every file of a commit's tree, with its bytes.
fn tree_files(repo: &git2::Repository, commit: git2::Oid) -> BTreeMap<String, Vec<u8>> {
    let tree = repo
        .find_commit(commit)
        .expect("commit")
        .tree()
        .expect("tree");
    let mut out = BTreeMap::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            let blob = repo.find_blob(entry.id()).expect("blob");
            out.insert(
                format!("{dir}{}", entry.name().expect("utf-8 name")),
                blob.content().to_vec(),
            );
        }
        git2::TreeWalkResult::Ok
    })
    .expect("walk");
    out
}

/// The first-parent history of `main`, newest first.
fn main_history(repo: &git2::Repository) -> Vec<git2::Commit<'_>> {
    let mut out = Vec::new();
    let mut c = repo
        .find_branch("main", git2::BranchType::Local)
        .expect("branch main")
        .get()
        .peel_to_commit()
        .expect("main commit");
    loop {
        out.push(c.clone());
        match c.parent(0) {
            Ok(p) => c = p,
            Err(_) => break,
        }
    }
    out
}

fn people(dir: &Path) -> BTreeMap<String, String> {
    let config = assure::repo::yaml::parse_to_json(
        &std::fs::read_to_string(dir.join("assure.yaml")).expect("assure.yaml"),
    )
    .expect("yaml");
    config["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| {
            (
                p["email"].as_str().expect("email").to_owned(),
                p["name"].as_str().expect("name").to_owned(),
            )
        })
        .collect()
}

fn validate_json(dir: &Path, extra: &[&str]) -> (i32, Vec<Value>, String) {
    let mut args = vec!["validate", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_env(dir, &args, &[]);
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}\n{}", out.stdout, out.stderr));
    let findings = v["findings"].as_array().expect("findings").clone();
    (out.code, findings, out.stderr)
}

// ---------------------------------------------------------------------------------------
// The demo

#[test]
fn demo_builds_the_example_with_a_history_by_its_people() {
    let (_tmp, dir, out) = built();
    assert!(
        out.stdout.contains("commits on main") && out.stdout.contains("Contoso"),
        "{}",
        out.stdout
    );

    let repo = git2::Repository::open(&dir).expect("a git repository");
    assert_eq!(
        repo.head().expect("head").shorthand(),
        Some("main"),
        "main is checked out"
    );
    let history = main_history(&repo);
    assert!(history.len() >= 30, "{} commits on main", history.len());
    assert!(
        history.iter().all(|c| c.parent_count() <= 1),
        "main is linear"
    );
    assert_eq!(
        history.last().expect("root").parent_count(),
        0,
        "one root commit"
    );
    // Chronological: each commit is no older than its parent.
    for w in history.windows(2) {
        assert!(
            w[0].time().seconds() >= w[1].time().seconds(),
            "{} is older than its parent {}",
            w[0].id(),
            w[1].id()
        );
    }
    assert!(
        history
            .iter()
            .all(|c| !c.message().unwrap_or("").trim().is_empty()),
        "every commit has a message"
    );

    // Authored by several people of its assure.yaml, under their names.
    let people = people(&dir);
    let mut authors = BTreeSet::new();
    for c in &history {
        let email = c.author().email().expect("utf-8 email").to_owned();
        let name = people
            .get(&email)
            .unwrap_or_else(|| panic!("{email} (commit {}) is not in assure.yaml", c.id()));
        assert_eq!(c.author().name(), Some(name.as_str()), "{}", c.id());
        authors.insert(email);
    }
    assert!(
        authors.len() >= 4,
        "several people made the history: {authors:?}"
    );

    // The work tree is clean and is main's tree.
    let statuses = repo
        .statuses(Some(git2::StatusOptions::new().include_untracked(true)))
        .expect("status");
    let dirty: Vec<String> = statuses
        .iter()
        .map(|s| s.path().unwrap_or("?").to_owned())
        .collect();
    assert!(dirty.is_empty(), "the work tree is clean: {dirty:?}");
}

#[test]
fn demo_main_ends_exactly_in_example_repo() {
    let (_tmp, dir, _) = built();
    let repo = git2::Repository::open(&dir).expect("repo");
    let tip = main_history(&repo)[0].id();
    let committed = tree_files(&repo, tip);
    let example = snapshot(&project_root().join("example-repo"));
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        names(&committed),
        names(&example),
        "the same files in main's last commit as in example-repo/"
    );
    for (path, bytes) in &example {
        assert!(
            committed[path] == *bytes,
            "{path} differs between main and example-repo/"
        );
    }
    // And on disk.
    assert!(
        without_reports(snapshot(&dir)) == example,
        "the work tree is example-repo/ (and the untracked reports/)"
    );
}

#[test]
fn demo_validates_clean() {
    let (_tmp, dir, out) = built();
    let (code, findings, stderr) = validate_json(&dir, &[]);
    assert_eq!(code, 0, "{findings:#?}\n{stderr}");
    assert!(
        findings.is_empty(),
        "no errors and no warnings: {findings:#?}"
    );
    assert!(
        out.stdout.contains("0 error(s), 0 warning(s)"),
        "{}",
        out.stdout
    );
    // The audit trail reads the history.
    let log = run_env(
        &dir,
        &["log", "default-group/office-365--gdpr", "6.10.1.2"],
        &[],
    );
    assert_eq!(log.code, 0, "{}{}", log.stdout, log.stderr);
    assert!(
        log.stdout.contains("bob@contoso.com") || log.stdout.contains("Bob"),
        "{}",
        log.stdout
    );
}

#[test]
fn demo_leaves_a_rejected_pull_request_on_a_branch() {
    let (_tmp, dir, out) = built();
    let repo = git2::Repository::open(&dir).expect("repo");
    let main_tip = main_history(&repo)[0].id();
    let branch = repo
        .find_branch(BRANCH, git2::BranchType::Local)
        .unwrap_or_else(|_| panic!("branch {BRANCH}"));
    let commit = branch.get().peel_to_commit().expect("branch commit");
    assert_eq!(
        commit.parent_id(0).expect("parent"),
        main_tip,
        "one commit on main"
    );
    assert_eq!(commit.author().email(), Some("dave@contoso.com"));
    // Dave is a contributor.
    let config = assure::repo::yaml::parse_to_json(
        &std::fs::read_to_string(dir.join("assure.yaml")).expect("read"),
    )
    .expect("yaml");
    let dave = config["people"]
        .as_array()
        .expect("people")
        .iter()
        .find(|p| p["email"] == "dave@contoso.com")
        .expect("dave");
    assert_eq!(dave["roles"], serde_json::json!(["contributor"]));
    // It changes one assessment file.
    let changed: Vec<String> = {
        let diff = repo
            .diff_tree_to_tree(
                Some(
                    &repo
                        .find_commit(main_tip)
                        .expect("main")
                        .tree()
                        .expect("tree"),
                ),
                Some(&commit.tree().expect("tree")),
                None,
            )
            .expect("diff");
        diff.deltas()
            .map(|d| d.new_file().path().expect("path").display().to_string())
            .collect()
    };
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].starts_with("groups/"), "{changed:?}");

    // The demo's own output shows the refusal.
    assert!(
        out.stdout.contains(BRANCH) && out.stdout.contains("permission-denied"),
        "{}",
        out.stdout
    );

    // Check the branch out, as the README says (`git switch`), and run the gate.
    let obj = repo
        .revparse_single(&format!("refs/heads/{BRANCH}"))
        .expect("rev");
    repo.checkout_tree(&obj, Some(git2::build::CheckoutBuilder::new().safe()))
        .expect("checkout");
    repo.set_head(&format!("refs/heads/{BRANCH}"))
        .expect("switch");

    // Without --base the files are valid: only the permission rule refuses it.
    let (code, findings, stderr) = validate_json(&dir, &[]);
    assert_eq!(code, 0, "{findings:#?}\n{stderr}");

    let (code, findings, stderr) = validate_json(&dir, &["--base", "main"]);
    assert_eq!(code, 1, "{findings:#?}\n{stderr}");
    assert!(!findings.is_empty());
    for f in &findings {
        assert_eq!(f["code"], "permission-denied", "{f:#}");
        let msg = f["message"].as_str().expect("message");
        assert!(msg.contains("dave@contoso.com"), "{msg}");
        assert!(msg.contains("contributor"), "{msg}");
        assert_eq!(f["file"].as_str(), Some(changed[0].as_str()), "{f:#}");
    }
    assert!(
        findings
            .iter()
            .any(|f| f["message"].as_str().unwrap_or("").contains("test_result")),
        "the test result is named: {findings:#?}"
    );

    // The human form names them too.
    let human = run_env(&dir, &["validate", "--base", "main"], &[]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains("permission-denied")
            && human.stdout.contains("dave@contoso.com")
            && human.stdout.contains("test_result"),
        "{}{}",
        human.stdout,
        human.stderr
    );
}

#[test]
fn demo_again_replaces_the_earlier_one() {
    let (tmp, dir, _) = built();
    let first = git2::Repository::open(&dir)
        .expect("repo")
        .refname_to_id("refs/heads/main")
        .expect("main");
    std::fs::write(dir.join("scratch.txt"), "left by the user\n").expect("write");
    let out = demo(tmp.path(), &["demo"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!dir.join("scratch.txt").exists(), "the folder was replaced");
    let repo = git2::Repository::open(&dir).expect("repo");
    // Built the same way: the same commits (fixed authors and times).
    assert_eq!(repo.refname_to_id("refs/heads/main").expect("main"), first);
    assert!(repo.find_branch(BRANCH, git2::BranchType::Local).is_ok());
    assert_eq!(
        without_reports(snapshot(&dir)),
        snapshot(&project_root().join("example-repo"))
    );
}

#[test]
fn demo_refuses_a_folder_that_is_not_an_earlier_demo() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let other = tmp.path().join("notes");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::fs::write(other.join("todo.txt"), "keep me\n").expect("write");
    let before = snapshot(&other);
    let out = demo(tmp.path(), &["notes"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("not empty") && out.stderr.contains("notes"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(&other), before, "nothing touched");
    assert!(!other.join(".git").exists());

    // Nor an unrelated git repository (a compliance repository, say).
    let repo = TestRepo::base();
    GitRepo::init(repo.path()).commit_all("alice@example.com", "Start", 1_700_000_000);
    let before = snapshot(repo.path());
    let out = demo(repo.path(), &["."]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn demo_builds_in_an_empty_existing_folder_and_by_default_in_assure_demo() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(tmp.path().join("empty")).expect("mkdir");
    let out = demo(tmp.path(), &["empty"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(tmp.path().join("empty/assure.yaml").is_file());

    let out = demo(tmp.path(), &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(tmp.path().join("assure-demo/assure.yaml").is_file());
    assert!(tmp.path().join("assure-demo/.git").is_dir());
}

// ---------------------------------------------------------------------------------------
// The CI recipe: `assure init --ci github`

const WORKFLOW: &str = ".github/workflows/compliance.yml";

fn workflow(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join(WORKFLOW)).expect("the workflow");
    assure::repo::yaml::parse_to_json(&text)
        .unwrap_or_else(|e| panic!("the workflow is YAML: {}", e.message))
}

/// Every (job id, job, step) of a workflow.
fn steps(wf: &Value) -> Vec<(String, Value, Value)> {
    wf["jobs"]
        .as_object()
        .expect("jobs")
        .iter()
        .flat_map(|(id, job)| {
            job["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .map(|s| (id.clone(), job.clone(), s.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn run_of(step: &Value) -> &str {
    step["run"].as_str().unwrap_or("")
}

/// The id of the job with a step whose `run` contains `needle`.
fn job_running(wf: &Value, needle: &str) -> String {
    steps(wf)
        .into_iter()
        .find(|(_, _, s)| run_of(s).contains(needle))
        .map(|(id, _, _)| id)
        .unwrap_or_else(|| panic!("no step runs {needle:?}"))
}

#[test]
fn init_ci_github_in_a_fresh_folder() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_env(
        tmp.path(),
        &["init", "--ci", "github", "--as", "alice@example.com"],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(WORKFLOW), "{}", out.stdout);
    assert!(tmp.path().join("assure.yaml").is_file());
    let v = run_env(tmp.path(), &["validate"], &[]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);

    let wf = workflow(tmp.path());
    // Triggers: pull requests, and pushes to the default branch.
    assert!(
        wf["on"].get("pull_request").is_some(),
        "a pull_request trigger: {:#}",
        wf["on"]
    );
    assert!(wf["on"].get("push").is_some(), "{:#}", wf["on"]);

    // The pull-request job: validate --base, with the whole history checked out, and the
    // diff summary.
    let check = job_running(&wf, "assure validate --format github --base");
    let job = &wf["jobs"][&check];
    assert!(
        job["if"]
            .as_str()
            .unwrap_or("pull_request")
            .contains("pull_request"),
        "{job:#}"
    );
    let checkout = job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .unwrap_or("")
                .starts_with("actions/checkout")
        })
        .expect("a checkout step");
    assert_eq!(
        checkout["with"]["fetch-depth"],
        serde_json::json!(0),
        "validate --base reads every commit of the change: {checkout:#}"
    );
    assert_eq!(
        job_running(&wf, "assure diff"),
        check,
        "the diff is posted by the pull-request job"
    );

    // The site job renders the report site.
    let site = job_running(&wf, "assure report site");
    assert_ne!(site, check);
    let job = &wf["jobs"][&site];
    assert!(
        job["if"].as_str().unwrap_or("push").contains("push"),
        "{job:#}"
    );
}

#[test]
fn init_ci_github_in_an_existing_repository_writes_only_the_workflow() {
    let repo = TestRepo::base();
    GitRepo::init(repo.path()).commit_all("alice@example.com", "Start", 1_700_000_000);
    let before = snapshot(repo.path());
    // No --as: nothing is written for a person.
    let out = run_env(repo.path(), &["init", "--ci", "github"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let mut after = snapshot(repo.path());
    assert!(after.remove(WORKFLOW).is_some(), "the workflow is written");
    assert_eq!(after, before, "nothing else changed");
    workflow(repo.path());
}

#[test]
fn init_ci_github_refuses_to_overwrite_the_workflow() {
    let repo = TestRepo::base();
    GitRepo::init(repo.path()).commit_all("alice@example.com", "Start", 1_700_000_000);
    let out = run_env(repo.path(), &["init", "--ci", "github"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // The team edits it.
    let edited = format!("{}# our own step\n", repo.read(WORKFLOW));
    repo.write(WORKFLOW, &edited);
    let before = snapshot(repo.path());
    let out = run_env(repo.path(), &["init", "--ci", "github"], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("compliance.yml") && out.stderr.contains("exists"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(repo.path()), before, "nothing changed");
}

#[test]
fn init_ci_github_without_an_identity_writes_nothing() {
    // A fresh folder, no git identity and no --as: `init` cannot say who the
    // administrator is. It must not leave the workflow behind, or the retry with --as
    // is refused ("compliance.yml exists already").
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_env(tmp.path(), &["init", "--ci", "github"], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("--as"), "{}", out.stderr);
    assert!(
        !tmp.path().join(WORKFLOW).exists(),
        "a failed init leaves no workflow behind"
    );
    let out = run_env(
        tmp.path(),
        &["init", "--ci", "github", "--as", "alice@example.com"],
        &[],
    );
    assert_eq!(out.code, 0, "the retry works: {}{}", out.stdout, out.stderr);
    assert!(tmp.path().join(WORKFLOW).is_file());
    assert!(tmp.path().join("assure.yaml").is_file());
}

#[test]
fn init_ci_github_in_a_subfolder_of_a_git_repository() {
    // The compliance repository is `compliance/` inside a larger git repository: GitHub
    // reads workflows at the git root, and the workflow's assure commands must run in
    // `compliance/` (where assure.yaml is).
    let top = tempfile::tempdir().expect("temp dir");
    GitRepo::init(top.path());
    let sub = top.path().join("compliance");
    crate::support::copy_tree(&crate::support::fixtures().join("base"), &sub);
    let out = run_env(&sub, &["init", "--ci", "github"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(top.path().join(WORKFLOW).is_file(), "at the git root");
    assert!(!sub.join(WORKFLOW).exists());

    let wf = workflow(top.path());
    let dir_of = |job: &Value, step: &Value| -> Option<String> {
        step["working-directory"]
            .as_str()
            .or_else(|| job["defaults"]["run"]["working-directory"].as_str())
            .or_else(|| wf["defaults"]["run"]["working-directory"].as_str())
            .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_owned())
    };
    for (id, job, step) in steps(&wf) {
        let run = run_of(&step);
        if !run.contains("assure ") || run.contains("$ASSURE_INSTALL") {
            continue;
        }
        assert!(
            dir_of(&job, &step).as_deref() == Some("compliance") || run.contains("-C compliance"),
            "job {id}: `{run}` runs in compliance/"
        );
    }
}

/// Runs the workflow's assure steps (`run:` with `assure `) as GitHub would, in a clone
/// of a base repository with one change on a branch: `${{ github.base_ref }}` is `main`,
/// `origin/main` the base.
#[test]
fn the_workflow_steps_run() {
    let repo = TestRepo::base();
    // Bob's GitHub login, by which the workflow names the pull request's author.
    let config = repo.read("assure.yaml").replace(
        "Bob Assessor\n    roles: [assessor]\n",
        "Bob Assessor\n    roles: [assessor]\n    github: bob-example\n",
    );
    assert!(config.contains("github: bob-example"));
    repo.write("assure.yaml", config);
    let git = GitRepo::init(repo.path());
    let base = git.commit_all("alice@example.com", "Start", 1_700_000_000);
    git.repo
        .reference("refs/remotes/origin/main", base, true, "origin")
        .expect("origin/main");
    // The change: bob (assessor) records a test.
    let path = "groups/default-group/office-365--gdpr.yaml";
    let text = repo.read(path);
    repo.write(
        path,
        text.replace(
            "    status: planned\n",
            "    status: planned\n    test_date: 2019-06-01\n    test_result: failed-low-risk\n",
        ),
    );
    git.commit_all("bob@example.com", "Test 6.2.1.1", 1_700_000_100);
    let out = run_env(repo.path(), &["init", "--ci", "github"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let wf = workflow(repo.path());
    // The check attributes the pull request to its author as GitHub authenticated them.
    let (_, _, check) = steps(&wf)
        .into_iter()
        .find(|(_, _, s)| run_of(s).contains("assure validate") && run_of(s).contains("--base"))
        .expect("a validate --base step");
    assert!(
        run_of(&check).ends_with(r#"--actor "$PR_AUTHOR""#),
        "{check}"
    );
    assert_eq!(
        check["env"]["PR_AUTHOR"],
        "${{ github.event.pull_request.user.login }}"
    );

    let bin_dir = Path::new(env!("CARGO_BIN_EXE_assure"))
        .parent()
        .expect("bin dir")
        .to_owned();
    let path_var = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let mut ran = Vec::new();
    for (id, _, step) in steps(&wf) {
        let run = run_of(&step);
        if !run.contains("assure ") || run.contains("$ASSURE_INSTALL") {
            continue;
        }
        let script = run
            .replace("${{ github.base_ref }}", "main")
            .replace("${{ github.event.before }}", "HEAD~1")
            .replace("${{ github.repository_owner }}", "contoso")
            .replace("${{ github.event.repository.name }}", "compliance");
        assert!(
            !script.contains("${{"),
            "job {id}: unknown expression in {run}"
        );
        let mut cmd = std::process::Command::new("sh");
        cmd.env_clear();
        // The step's own environment, with the pull request's author.
        if let Some(env) = step["env"].as_object() {
            for (k, v) in env {
                let v = v.as_str().unwrap_or_default();
                if v == "${{ github.event.pull_request.user.login }}" {
                    cmd.env(k, "bob-example");
                }
            }
        }
        let out = cmd
            .arg("-c")
            .arg(&script)
            .current_dir(repo.path())
            .env("PATH", &path_var)
            .env("HOME", repo.path())
            .env("ASSURE_TODAY", crate::support::TODAY)
            .env("NO_COLOR", "1")
            .output()
            .expect("sh");
        assert!(
            out.status.success(),
            "job {id}: `{script}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran.push(script);
    }
    assert!(ran.len() >= 3, "{ran:?}");
    let summary = repo.read("compliance-summary.md");
    assert!(
        summary.contains("6.2.1.1"),
        "the PR comment names the change:\n{summary}"
    );
    assert!(repo.path().join("_site/index.html").is_file(), "the site");
}

// ---------------------------------------------------------------------------------------
// pre-commit

#[test]
fn pre_commit_hooks_are_defined() {
    let text = std::fs::read_to_string(project_root().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    let hooks =
        assure::repo::yaml::parse_to_json(&text).unwrap_or_else(|e| panic!("YAML: {}", e.message));
    let hooks = hooks.as_array().expect("a list of hooks");
    let hook = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("hook {id}"))
    };
    let validate = hook("assure-validate");
    assert_eq!(validate["entry"], "assure validate");
    for h in hooks {
        for key in ["id", "name", "entry", "language"] {
            assert!(h[key].is_string(), "{key} in {h:#}");
        }
        // The commands check the whole repository and take no file names.
        assert_eq!(h["pass_filenames"], serde_json::json!(false), "{h:#}");
    }
    let sync = hook("assure-sync-check");
    assert_eq!(sync["entry"], "assure sync --check");

    // The entries run, clean, on a valid repository.
    let repo = TestRepo::base();
    for h in hooks {
        let entry = h["entry"].as_str().expect("entry");
        let args: Vec<&str> = entry.split_whitespace().skip(1).collect();
        let out = run_env(repo.path(), &args, &[]);
        assert_eq!(out.code, 0, "{entry}: {}{}", out.stdout, out.stderr);
    }
}

/// The demo's files without the rendered reports (kept out of git by .git/info/exclude).
fn without_reports(
    mut files: std::collections::BTreeMap<String, Vec<u8>>,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    files.retain(|path, _| !path.starts_with("reports/"));
    files
}

#[test]
fn demo_renders_the_site_and_a_workbook_per_active_assessment() {
    let (_tmp, dir, out) = built();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let site = dir.join("reports/site/index.html");
    assert!(site.is_file(), "the site's dashboard");
    assert!(
        out.stdout
            .contains(&format!("Report site: {}", site.display())),
        "{}",
        out.stdout
    );
    let workbooks: Vec<_> = std::fs::read_dir(dir.join("reports"))
        .expect("reports/")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "xlsx"))
        .collect();
    // Eleven active assessments; the archived one is not rendered.
    assert_eq!(workbooks.len(), 11);
    assert!(
        !dir.join("reports/azure-assessments-2019--azure--iso-27018-2014.xlsx")
            .exists()
    );
    // The reports are not part of the repository: its work tree stays clean.
    let repo = git2::Repository::open(&dir).expect("repo");
    let mut opts = git2::StatusOptions::new();
    opts.include_ignored(false).include_untracked(true);
    let statuses = repo.statuses(Some(&mut opts)).expect("status");
    assert_eq!(statuses.len(), 0, "no untracked or changed files");
    // The site is `report site`'s own: rendering it again replaces it.
    let again = run_env(&dir, &["report", "site", "-o", "reports/site"], &[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(site.is_file());
}
