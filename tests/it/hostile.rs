//! Hostile input and faults (DESIGN.md §10, "Bad input" and "No data lost"), through the
//! binary: git repositories that are shallow, unborn, mid-merge or detached, or missing;
//! a file replaced by a folder, a named pipe or a link out of the repository; every kind
//! of bad file as a located finding that says how to fix it while edits elsewhere go on;
//! a write that meets a read-only folder, a full disk, a file-size limit or a crash; and
//! several assure processes editing one repository at once.
//!
//! Every case checks the exit code, the message, and that the files are byte for byte as
//! they were, with no temporary file left behind. Each command runs under `timeout`, so a
//! hang fails the test instead of stalling it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{Output, TestRepo, git_cli, snapshot};

const GDPR: &str = "default-group/office-365--gdpr";

/// Creates `default-group/azure--gdpr`, whose file the tests put something else in the way of.
const NEW_AZURE_GDPR: &[&str] = &[
    "assessment",
    "new",
    "--group",
    "default-group",
    "--service",
    "azure",
    "--certification",
    "gdpr",
];
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const ALICE: &str = "alice@example.com";

/// Seconds any one command may take before it counts as hung.
const HANG: &str = "60";

/// `assure -C DIR ARGS` in a clean environment with the clock pinned, under `timeout`,
/// behind `prefix` (e.g. `setpriv …` or a shell that sets a limit).
fn command(prefix: &[&str], dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.args(["--kill-after=5", HANG]);
    cmd.args(prefix);
    cmd.arg(env!("CARGO_BIN_EXE_assure"));
    cmd.arg("-C").arg(dir).args(args);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ASSURE_TODAY", crate::support::TODAY)
        .env("ASSURE_NOW", "2026-01-01T12:00:00Z")
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn output(mut cmd: Command) -> Output {
    let out = cmd.output().expect("run assure");
    let out = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_ne!(out.code, 124, "assure hung: {cmd:?}\n{}", out.stderr);
    out
}

/// Runs `assure -C DIR ARGS`.
fn run(dir: &Path, args: &[&str]) -> Output {
    output(command(&[], dir, args, &[]))
}

/// Runs `assure -C DIR --as alice ARGS` with extra environment variables.
fn edit_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut full = vec!["--as", ALICE];
    full.extend_from_slice(args);
    output(command(&[], dir, &full, env))
}

fn edit(dir: &Path, args: &[&str]) -> Output {
    edit_env(dir, args, &[])
}

/// Checks the exit code and that stderr holds each of `expected`.
#[track_caller]
fn expect(out: &Output, code: i32, expected: &[&str]) {
    assert_eq!(
        out.code, code,
        "exit code\nstdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    for e in expected {
        assert!(
            out.stderr.contains(e),
            "stderr should contain {e:?}:\n{}",
            out.stderr
        );
    }
}

/// assure's temporary files, backups, journals and lock files under `dir` (`.git`
/// included).
fn leftovers(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".assure") || n.starts_with("assure-journal"))
        .collect()
}

/// The first `n` hex digits of a commit id, as git shows it short.
fn short(dir: &Path, rev: &str) -> String {
    let out = git_cli(dir, &["rev-parse", "--short=7", rev]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout.trim().to_owned()
}

/// `git ARGS` in `dir`, which must succeed.
#[track_caller]
fn git(dir: &Path, args: &[&str]) {
    let out = git_cli(dir, args);
    assert_eq!(out.code, 0, "git {args:?}: {}{}", out.stdout, out.stderr);
}

/// The base fixture as a git repository on `main`, with two commits (the second changes
/// the GDPR action notes).
fn git_repo() -> TestRepo {
    let repo = TestRepo::base();
    git(repo.path(), &["init", "--quiet", "--initial-branch=main"]);
    git(repo.path(), &["add", "--all"]);
    git(repo.path(), &["commit", "--quiet", "--message", "base"]);
    replace(
        &repo,
        GDPR_FILE,
        "Draft the policy by Q3.",
        "Draft the policy by Q4.",
    );
    git(
        repo.path(),
        &["commit", "--quiet", "--all", "--message", "Q4"],
    );
    repo
}

#[track_caller]
fn replace(repo: &TestRepo, path: &str, from: &str, to: &str) {
    let text = repo.read(path);
    assert!(text.contains(from), "{path} holds {from:?}");
    repo.write(path, text.replacen(from, to, 1));
}

fn mkfifo(path: &Path) {
    let out = Command::new("mkfifo").arg(path).output().expect("mkfifo");
    assert!(out.status.success(), "mkfifo {}", path.display());
}

/// `validate --format json`: the exit code and each finding's (code, file, line, column,
/// help).
/// A finding as (code, file, line, column, help).
type Finding = crate::support::Located;

fn findings(dir: &Path) -> (i32, Vec<Finding>) {
    let out = run(dir, &["validate", "--format", "json"]);
    (out.code, crate::support::located(&out))
}

/// The message of the first finding with `code`.
fn findings_messages(dir: &Path, code: &str) -> String {
    let out = run(dir, &["validate", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == code)
        .and_then(|f| f["message"].as_str())
        .unwrap_or("")
        .to_owned()
}

/// An edit that changes two files (GDPR 6.10.1.2 and, by sync, NIST SC-13).
const TWO_FILES: &[&str] = &[
    "control",
    "set",
    GDPR,
    "6.10.1.2",
    "--implementation",
    "Changed.",
];

// ---------------------------------------------------------------------------------------
// Git repositories in unusual states

#[test]
fn a_shallow_clone_says_where_history_stops_and_how_to_fetch_more() {
    let origin = git_repo();
    let tmp = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", origin.path().display());
    git(
        tmp.path(),
        &["clone", "--quiet", "--depth", "1", &url, "shallow"],
    );
    let dir = tmp.path().join("shallow");
    let tip = short(&dir, "HEAD");

    // log: what there is, and where it stops.
    let out = run(&dir, &["log"]);
    expect(&out, 0, &[]);
    assert!(
        out.stdout
            .contains(&format!("history stops at {tip} (2026-01-01)"))
            || out.stdout.contains(&format!("history stops at {tip}")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("git fetch --unshallow"),
        "{}",
        out.stdout
    );

    // diff and validate --base need the commit before: each says it is not in the clone
    // and how to fetch it.
    let missing = format!("which is a shallow clone whose history stops at {tip}");
    // (`diff` alone compares with the merge base with main, HEAD itself here: the
    // clone has it, and the clean work tree changes nothing.)
    let out = run(&dir, &["diff"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    for args in [
        &["diff", "HEAD~1"][..],
        &["diff", "HEAD~1..HEAD"],
        &["validate", "--base", "HEAD~1"],
        &["sync", "--check", "--base", "HEAD~1"],
    ] {
        let out = run(&dir, args);
        expect(
            &out,
            2,
            &[
                "revision `HEAD~1` is not in this repository",
                &missing,
                "git fetch --deepen=50",
                "git fetch --unshallow",
                "fetch-depth: 0",
            ],
        );
        assert_eq!(out.stdout, "", "{args:?}");
    }

    // What needs no older history works as in a full clone.
    expect(&run(&dir, &["validate", "--base", "HEAD"]), 0, &[]);
    let out = run(&dir, &["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
    let out = run(&dir, &["status"]);
    expect(&out, 0, &[]);
    assert!(
        out.stdout.contains("2 active assessments"),
        "{}",
        out.stdout
    );
    let out = edit(&dir, TWO_FILES);
    expect(&out, 0, &[]);
    assert!(out.stdout.contains("updated  "), "{}", out.stdout);
}

#[test]
fn an_unborn_branch_validates_and_edits_and_history_says_there_is_no_commit() {
    let repo = TestRepo::base();
    git(repo.path(), &["init", "--quiet"]);
    let dir = repo.path();

    let out = run(dir, &["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
    expect(&run(dir, &["status"]), 0, &[]);

    let out = run(dir, &["log"]);
    expect(&out, 0, &["the repository has no commits yet"]);
    assert_eq!(out.stdout, "no changes\n");
    for args in [&["diff"][..], &["validate", "--base", "HEAD"]] {
        let out = run(dir, args);
        expect(
            &out,
            2,
            &[
                "the repository has no commits yet (unborn branch), so there is no `HEAD` to compare with",
            ],
        );
        assert_eq!(out.stdout, "");
    }

    // Editing needs no history.
    let out = edit(dir, TWO_FILES);
    expect(&out, 0, &[]);
    assert!(repo.read(NIST_FILE).contains("implementation: Changed."));
    assert_eq!(leftovers(dir), Vec::<String>::new());
}

/// The base fixture in git, on `main`, with a branch `other`: both change the same notes
/// of the GDPR file, so merging or cherry-picking `other` stops on a conflict.
fn conflicting_branches() -> TestRepo {
    let repo = TestRepo::base();
    let dir = repo.path();
    git(dir, &["init", "--quiet", "--initial-branch=main"]);
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "--message", "base"]);
    git(dir, &["switch", "--quiet", "--create", "other"]);
    replace(
        &repo,
        GDPR_FILE,
        "Draft the policy by Q3.",
        "Draft the policy by Q4.",
    );
    git(dir, &["commit", "--quiet", "--all", "--message", "Q4"]);
    git(dir, &["switch", "--quiet", "main"]);
    replace(
        &repo,
        GDPR_FILE,
        "Draft the policy by Q3.",
        "Draft the policy by Q2.",
    );
    git(dir, &["commit", "--quiet", "--all", "--message", "Q2"]);
    repo
}

/// The base fixture in git with a merge of branch `other` into `main` stopped on a
/// conflict in the GDPR file (both changed the same notes).
fn mid_merge() -> TestRepo {
    let repo = conflicting_branches();
    let dir = repo.path();
    let out = git_cli(dir, &["merge", "--no-edit", "other"]);
    assert_eq!(out.code, 1, "a conflict: {}{}", out.stdout, out.stderr);
    assert!(dir.join(".git/MERGE_HEAD").is_file());
    repo
}

#[test]
fn conflict_markers_are_a_located_finding_that_names_them() {
    let repo = mid_merge();
    let dir = repo.path();
    let text = repo.read(GDPR_FILE);
    let line = text
        .lines()
        .position(|l| l.starts_with("<<<<<<< "))
        .expect("conflict markers") as u64
        + 1;

    let (code, found) = findings(dir);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![(
            "yaml-syntax".into(),
            GDPR_FILE.into(),
            line,
            1,
            "resolve the conflict: keep the lines that should stay from each side, delete the marker lines (<<<<<<<, =======, >>>>>>>), then `git add` the file".into()
        )]
    );
    let out = run(dir, &["validate"]);
    assert_eq!(out.code, 1);
    for expected in [
        "error[yaml-syntax]: unresolved merge conflict: the file still has git's conflict markers",
        &format!("--> {GDPR_FILE}:{line}:1"),
        "<<<<<<< HEAD",
        "the conflict starts here",
        "the other side's lines follow",
        ">>>>>>> other",
        "the conflict ends here",
    ] {
        assert!(
            out.stdout.contains(expected),
            "{expected:?}:\n{}",
            out.stdout
        );
    }

    // The dashboard shows what loads and says what it left out.
    let out = run(dir, &["status"]);
    expect(
        &out,
        0,
        &[&format!(
            "note: left out, because this file does not load: {GDPR_FILE} (`assure validate` shows why)"
        )],
    );
    assert!(
        out.stdout.contains("1 active assessments"),
        "{}",
        out.stdout
    );
}

#[test]
fn editing_is_refused_while_a_merge_is_in_progress() {
    let repo = mid_merge();
    let dir = repo.path();
    let before = snapshot(dir);
    // Even an edit of a file the merge did not touch: the merge commit would take it in.
    for args in [
        &["control", "set", NIST, "CM-2", "--status", "planned"][..],
        &["assign", NIST, "CM-2", "--to", "bob@example.com"],
        &["group", "new", "Second Group"],
        NEW_AZURE_GDPR,
        &["sync"],
    ] {
        let out = edit(dir, args);
        expect(
            &out,
            2,
            &[
                "a git merge is in progress in this repository, so assure changes nothing",
                "resolve the conflicts, `git add` the files, `git commit`",
                "`git merge --abort`",
            ],
        );
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(snapshot(dir) == before, "{args:?} changed files");
    }
    // Showing a change writes nothing, so it may run (a pre-commit hook runs
    // `sync --check` while the merge is being committed).
    let out = edit(
        dir,
        &[
            "control",
            "set",
            NIST,
            "CM-2",
            "--status",
            "planned",
            "--dry-run",
        ],
    );
    expect(&out, 0, &[]);
    assert!(
        out.stdout.contains("(dry run: nothing written)"),
        "{}",
        out.stdout
    );
    let out = edit(dir, &["sync", "--check"]);
    expect(&out, 0, &[]);
    assert!(snapshot(dir) == before);

    // Once the merge is concluded, editing works again.
    replace(&repo, GDPR_FILE, "<<<<<<< HEAD\n", "");
    let text = repo.read(GDPR_FILE);
    let resolved: String = text
        .lines()
        .filter(|l| !l.starts_with("=======") && !l.starts_with(">>>>>>> "))
        .filter(|l| !l.contains("Draft the policy by Q4."))
        .map(|l| format!("{l}\n"))
        .collect();
    repo.write(GDPR_FILE, resolved);
    git(dir, &["commit", "--quiet", "--all", "--no-edit"]);
    expect(
        &edit(
            dir,
            &["control", "set", NIST, "CM-2", "--status", "planned"],
        ),
        0,
        &[],
    );
}

#[test]
fn editing_is_refused_during_a_cherry_pick_and_says_how_to_go_on() {
    let repo = conflicting_branches();
    let dir = repo.path();
    assert_eq!(git_cli(dir, &["cherry-pick", "other"]).code, 1);
    let before = snapshot(dir);
    let out = edit(
        dir,
        &["control", "set", NIST, "CM-2", "--status", "planned"],
    );
    expect(
        &out,
        2,
        &[
            "a git cherry-pick is in progress",
            "`git cherry-pick --continue`",
            "`git cherry-pick --abort`",
        ],
    );
    assert!(snapshot(dir) == before);
}

#[test]
fn a_detached_head_reads_history_and_edits() {
    let repo = git_repo();
    let dir = repo.path();
    git(dir, &["switch", "--quiet", "--detach", "HEAD~1"]);
    let first = short(dir, "HEAD");

    let out = run(dir, &["log", "--format", "json"]);
    expect(&out, 0, &[]);
    let log: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let ids: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["commit"]["short"].as_str())
        .collect();
    assert_eq!(
        ids,
        [first.as_str()],
        "only the history up to the detached HEAD"
    );
    // The default base is the merge base with `main`: the detached HEAD itself.
    let out = run(dir, &["diff"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    expect(&run(dir, &["validate", "--base", "main"]), 0, &[]);
    expect(&edit(dir, TWO_FILES), 0, &[]);
    let out = run(dir, &["diff", "--format", "json"]);
    expect(&out, 0, &[]);
    let review: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(review["base"], short(dir, "HEAD"));
    assert_eq!(review["assessments"][0]["state"], "changed");
}

#[test]
fn without_git_edits_work_and_history_commands_say_they_need_git() {
    let repo = TestRepo::base();
    let dir = repo.path();
    expect(&edit(dir, TWO_FILES), 0, &[]);
    // The lock file outside git is removed once the edit is done.
    assert_eq!(leftovers(dir), Vec::<String>::new());
    for args in [
        &["log"][..],
        &["diff"],
        &["validate", "--base", "HEAD"],
        &["sync", "--base", "HEAD"],
        &["notify", "--base", "HEAD", "--dry-run", "mail"],
    ] {
        let out = edit(dir, args);
        expect(
            &out,
            2,
            &[
                "is not inside a git repository; this command needs git history (run `git init` and commit first)",
            ],
        );
        assert_eq!(out.stdout, "", "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------
// A file replaced by something else

#[test]
fn a_folder_where_a_file_belongs() {
    for path in [
        "groups/default-group/azure--gdpr.yaml",
        "groups/default-group/group.yaml",
        "catalog/services.yaml",
    ] {
        let repo = TestRepo::base();
        let _ = std::fs::remove_file(repo.path().join(path));
        std::fs::create_dir_all(repo.path().join(path).join("inner")).expect("mkdir");
        let (code, found) = findings(repo.path());
        let expected = if path.starts_with("catalog/") {
            // assure does not look into the catalog's sub-folders.
            (0, vec![])
        } else {
            (
                1,
                vec![(
                    "file-unreadable".into(),
                    path.into(),
                    1,
                    1,
                    "put the YAML file here, or remove what is in its place".into(),
                )],
            )
        };
        assert_eq!((code, found), expected, "{path}");
        if code == 1 {
            let out = run(repo.path(), &["validate"]);
            assert!(
                out.stdout.contains(&format!(
                    "error[file-unreadable]: this is a folder, not a file, so assure does not read it\n  --> {path}"
                )),
                "{}",
                out.stdout
            );
        }
    }

    // An edit that would write where a folder is refuses, naming it.
    let repo = TestRepo::base();
    let target = "groups/default-group/azure--gdpr.yaml";
    std::fs::create_dir(repo.path().join(target)).expect("mkdir");
    let before = snapshot(repo.path());
    let out = edit(repo.path(), NEW_AZURE_GDPR);
    expect(
        &out,
        2,
        &[&format!(
            "error: {target} exists but does not load, so assure will not overwrite it; `assure validate` shows what is wrong with it — fix it, or remove it if it should go"
        )],
    );
    assert!(snapshot(repo.path()) == before);
    assert!(repo.path().join(target).is_dir());

    // assure.yaml itself.
    let repo = TestRepo::base();
    std::fs::remove_file(repo.path().join("assure.yaml")).expect("rm");
    std::fs::create_dir(repo.path().join("assure.yaml")).expect("mkdir");
    let out = run(repo.path(), &["validate"]);
    expect(
        &out,
        2,
        &[
            "assure.yaml is a folder, not a file; assure.yaml must be the repository's YAML configuration file",
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_never_opened() {
    // Each would block a reader forever; each is a finding instead.
    for (path, finding) in [
        (GDPR_FILE, None),
        ("groups/default-group/group.yaml", None),
        ("assure.yaml", Some("")),
        ("catalog/certifications/extra.yaml", None),
        (
            "evidence/tls-scan.txt",
            Some(
                "evidence file `evidence/tls-scan.txt` cannot be read: it is a named pipe (FIFO), not a file",
            ),
        ),
    ] {
        let repo = TestRepo::base();
        let full = repo.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        let _ = std::fs::remove_file(&full);
        mkfifo(&full);
        let out = run(repo.path(), &["validate"]);
        match finding {
            Some("") => expect(&out, 2, &["assure.yaml is a named pipe (FIFO), not a file"]),
            Some(message) => {
                assert_eq!(out.code, 1, "{path}: {}", out.stdout);
                assert!(out.stdout.contains(message), "{path}: {}", out.stdout);
            }
            None => {
                assert_eq!(out.code, 1, "{path}: {}{}", out.stdout, out.stderr);
                assert!(
                    out.stdout.contains(&format!(
                        "error[file-unreadable]: this is a named pipe (FIFO), not a file, so assure does not read it\n  --> {path}\n"
                    )),
                    "{path}: {}",
                    out.stdout
                );
            }
        }
    }

    // An edit whose target is a pipe refuses, and leaves the pipe alone.
    let repo = TestRepo::base();
    let target = "groups/default-group/azure--gdpr.yaml";
    mkfifo(&repo.path().join(target));
    let before = snapshot(repo.path());
    let out = edit(repo.path(), NEW_AZURE_GDPR);
    expect(
        &out,
        2,
        &[&format!(
            "{target} exists but does not load, so assure will not overwrite it"
        )],
    );
    assert!(snapshot(repo.path()) == before);
    // A pipe as a document to attach.
    let outside = tempfile::tempdir().expect("tmp");
    let pipe = outside.path().join("scan.pdf");
    mkfifo(&pipe);
    let out = edit(
        repo.path(),
        &["doc", "add", GDPR, "6.2.1.1", pipe.to_str().expect("utf-8")],
    );
    expect(&out, 2, &["is not a file"]);
    assert!(snapshot(repo.path()) == before);

    // The review summary reads changed files from the work tree: a pipe in place of a
    // committed file is not opened either.
    let repo = git_repo();
    let full = repo.path().join(GDPR_FILE);
    std::fs::remove_file(&full).expect("rm");
    mkfifo(&full);
    let out = run(repo.path(), &["diff", "HEAD"]);
    expect(&out, 0, &[]);
    assert!(out.stdout.contains("office-365--gdpr"), "{}", out.stdout);
}

#[cfg(unix)]
#[test]
fn a_yaml_file_linked_out_of_the_repository_is_not_read() {
    let outside = tempfile::tempdir().expect("tmp");
    let secret = outside.path().join("secret.yaml");
    std::fs::write(
        &secret,
        "service: azure\ncertification: gdpr\npassword: hunter2\n",
    )
    .expect("write");
    for path in [
        "groups/default-group/azure--gdpr.yaml",
        "groups/default-group/group.yaml",
        "catalog/services.yaml",
    ] {
        let repo = TestRepo::base();
        let full = repo.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        let _ = std::fs::remove_file(&full);
        std::os::unix::fs::symlink(&secret, &full).expect("symlink");
        let (code, found) = findings(repo.path());
        assert_eq!(
            (code, found),
            (
                1,
                vec![(
                    "symbolic-link".into(),
                    path.into(),
                    1,
                    1,
                    "replace the link with the file or folder itself (a copy of what it points to), or remove it".into()
                )]
            ),
            "{path}"
        );
        let out = run(repo.path(), &["validate"]);
        assert!(
            out.stdout
                .contains("this is a symbolic link, so assure does not follow it"),
            "{}",
            out.stdout
        );
        assert!(!out.stdout.contains("hunter2"), "{}", out.stdout);
    }
    // A link that stays inside the repository is not followed either (issue 15: the
    // file it points at is not reviewed as data; paths_and_links.rs has the rest).
    let repo = TestRepo::base();
    std::fs::rename(
        repo.path().join(GDPR_FILE),
        repo.path().join("evidence/gdpr.yaml"),
    )
    .expect("mv");
    std::os::unix::fs::symlink("../../evidence/gdpr.yaml", repo.path().join(GDPR_FILE))
        .expect("symlink");
    let out = run(repo.path(), &["validate"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("symbolic-link"), "{}", out.stdout);
}

// ---------------------------------------------------------------------------------------
// Every kind of bad file: a located finding with a fix, and edits elsewhere go on

#[test]
fn each_bad_file_is_located_with_a_fix_and_edits_elsewhere_still_work() {
    let deep = format!("name: x\nd: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let mut bomb = String::from(
        "name: x\na0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let huge = format!(
        "name: x\n{}",
        "description: padding padding padding\n".repeat(17 * 1024 * 1024 / 36)
    );
    let group = "groups/default-group/group.yaml";
    let gdpr = |from: &str, to: &str| {
        let text = std::fs::read_to_string(crate::support::fixtures().join("base").join(GDPR_FILE))
            .expect("fixture");
        assert!(text.contains(from));
        text.replacen(from, to, 1).into_bytes()
    };
    // (what, file, content, code, line, column)
    type Case<'a> = (&'a str, &'a str, Vec<u8>, &'a str, u64, u64);
    let cases: Vec<Case> = vec![
        (
            "malformed YAML",
            group,
            b"name: [Default Group\ndescription: unclosed\n".to_vec(),
            "yaml-syntax",
            2,
            12,
        ),
        (
            "a duplicate key",
            group,
            b"name: A\nname: B\n".to_vec(),
            "yaml-duplicate-key",
            2,
            1,
        ),
        (
            "an alias bomb",
            group,
            bomb.into_bytes(),
            "yaml-alias-bomb",
            6,
            10,
        ),
        (
            "nesting 10,000 deep",
            group,
            deep.into_bytes(),
            "yaml-too-deep",
            2,
            259,
        ),
        (
            "a file over 16 MiB",
            group,
            huge.into_bytes(),
            "file-too-large",
            1,
            1,
        ),
        (
            "bytes that are not UTF-8",
            group,
            b"name: ok\ndescription: \xff\xfe\n".to_vec(),
            "not-utf8",
            2,
            14,
        ),
        (
            "a wrong type",
            group,
            b"name:\n  - a list\n".to_vec(),
            "wrong-type",
            2,
            3,
        ),
        (
            "an unknown field",
            group,
            b"name: Default Group\ncolour: blue\n".to_vec(),
            "unknown-field",
            2,
            1,
        ),
        (
            "an evidence path with `..`",
            GDPR_FILE,
            gdpr(
                "path: evidence/tls-scan.txt",
                "path: evidence/../../etc/passwd",
            ),
            "evidence-outside-repository",
            17,
            15,
        ),
        (
            "an absolute evidence path",
            GDPR_FILE,
            gdpr("path: evidence/tls-scan.txt", "path: /etc/passwd"),
            "invalid-value",
            17,
            15,
        ),
        (
            "conflict markers",
            group,
            b"<<<<<<< HEAD\nname: A\n=======\nname: B\n>>>>>>> theirs\n".to_vec(),
            "yaml-syntax",
            1,
            1,
        ),
    ];
    for (what, path, content, code, line, column) in cases {
        let repo = TestRepo::base();
        repo.write(path, &content);
        let (exit, found) = findings(repo.path());
        assert_eq!(exit, 1, "{what}: {found:?}");
        let f = found
            .iter()
            .find(|f| f.0 == code)
            .unwrap_or_else(|| panic!("{what}: no {code} in {found:?}"));
        assert_eq!(
            (f.1.as_str(), f.2, f.3),
            (path, line, column),
            "{what}: {found:?}"
        );
        // How to fix it: the help, or the message itself for the YAML bounds (which say
        // "remove this", "merge the two", "write the values out").
        let message = findings_messages(repo.path(), code);
        assert!(
            !f.4.is_empty()
                || ["remove", "merge", "write the values out"]
                    .iter()
                    .any(|w| message.contains(w)),
            "{what}: says how to fix it: {message}"
        );

        // An edit elsewhere does not touch the bad file; one of the bad file is refused.
        let bad = std::fs::read(repo.path().join(path)).expect("read");
        let out = edit(
            repo.path(),
            &["control", "set", NIST, "CM-2", "--status", "planned"],
        );
        expect(&out, 0, &[]);
        assert_eq!(
            std::fs::read(repo.path().join(path)).expect("read"),
            bad,
            "{what}"
        );
        if code != "evidence-outside-repository" {
            // A file that does not load is never edited or overwritten.
            let before = snapshot(repo.path());
            let (args, message): (&[&str], _) = if path == group {
                (
                    &["group", "rename", "default-group", "Renamed"],
                    "groups/default-group/group.yaml exists but does not load, so assure will not overwrite it",
                )
            } else {
                (
                    &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"],
                    "groups/default-group/office-365--gdpr.yaml does not load, so it cannot be edited",
                )
            };
            expect(&edit(repo.path(), args), 2, &[message]);
            assert!(snapshot(repo.path()) == before, "{what}: changed files");
        } else {
            // A file that loads may be edited; the bad reference stays as it was.
            let line = String::from_utf8_lossy(&bad)
                .lines()
                .nth(line as usize - 1)
                .expect("the finding's line")
                .to_owned();
            let out = edit(
                repo.path(),
                &["control", "set", GDPR, "6.2.1.1", "--status", "implemented"],
            );
            expect(&out, 0, &[]);
            assert!(repo.read(path).contains(&line), "{what}");
        }
    }
}

#[test]
fn paths_in_arguments_never_leave_the_repository() {
    let repo = TestRepo::base();
    let dir = repo.path();
    let before = snapshot(dir);
    for (args, message) in [
        (
            &["group", "new", "Evil", "--id", "../../evil"][..],
            "`../../evil` is not a valid group id: use lower-case letters, digits and `-`",
        ),
        (
            &["group", "new", "Evil", "--id", "/tmp/evil"],
            "`/tmp/evil` is not a valid group id",
        ),
        (
            &["group", "rename", "../default-group", "Evil"],
            "no group `../default-group`",
        ),
        (
            &[
                "assessment",
                "new",
                "--group",
                "../..",
                "--service",
                "azure",
                "--certification",
                "gdpr",
            ],
            "no group `../..`",
        ),
        (
            &[
                "assessment",
                "new",
                "--group",
                "default-group",
                "--service",
                "../../x",
                "--certification",
                "gdpr",
            ],
            "unknown service `../../x`",
        ),
        (
            &[
                "control",
                "set",
                "../../../etc/passwd",
                "6.2.1.1",
                "--status",
                "planned",
            ],
            "no assessment `../../../etc/passwd`",
        ),
        (
            &["doc", "remove", GDPR, "6.10.1.2", "../../etc/passwd"],
            "6.10.1.2 has no document `../../etc/passwd`",
        ),
    ] {
        expect(&edit(dir, args), 2, &[message]);
        assert!(snapshot(dir) == before, "{args:?} changed files");
    }
    let parent = dir.parent().expect("parent");
    assert!(!parent.join("evil").exists());
}

// ---------------------------------------------------------------------------------------
// Faults while writing several files

/// Whether this process runs as root (where file permissions do not bite).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Whether `program` is on the PATH.
fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The base fixture with a document outside it to attach: `doc add` copies it under
/// `evidence/` and updates both assessments (6.10.1.2 and its related SC-13), so three
/// files are written.
fn three_files() -> (TestRepo, tempfile::TempDir, Vec<String>) {
    let repo = TestRepo::base();
    let outside = tempfile::tempdir().expect("tmp");
    let doc = outside.path().join("scan.pdf");
    std::fs::write(&doc, "a scanner report\n").expect("write");
    let args = vec![
        "--as".into(),
        ALICE.into(),
        "doc".into(),
        "add".into(),
        GDPR.into(),
        "6.10.1.2".into(),
        doc.to_str().expect("utf-8").to_owned(),
    ];
    (repo, outside, args)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// What a successful three-file write leaves.
#[track_caller]
fn written(repo: &TestRepo) {
    assert!(repo.path().join("evidence/scan.pdf").is_file());
    assert!(repo.read(GDPR_FILE).contains("evidence/scan.pdf"));
    assert!(repo.read(NIST_FILE).contains("evidence/scan.pdf"));
    assert_eq!(leftovers(repo.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn permission_denied_half_way_leaves_every_file_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let (repo, _outside, args) = three_files();
    let dir = repo.path();
    let group = dir.join("groups/default-group");
    // The evidence folder is writable, the group folder is not: the document is staged,
    // then staging the assessments fails.
    let prefix: Vec<String> = if is_root() {
        // Root may write anywhere: run assure as `nobody`, who owns the repository.
        assert!(
            have("setpriv"),
            "run as root, this test runs assure as `nobody` with setpriv (util-linux), \
             which is not on the PATH: install util-linux, or run the tests as a normal user"
        );
        for entry in walkdir::WalkDir::new(dir) {
            let entry = entry.expect("walk");
            std::os::unix::fs::chown(entry.path(), Some(65534), Some(65534)).expect("chown");
        }
        std::os::unix::fs::chown(_outside.path(), Some(65534), Some(65534)).expect("chown");
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
        ]
        .map(String::from)
        .to_vec()
    } else {
        Vec::new()
    };
    std::fs::set_permissions(&group, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let before = snapshot(dir);
    let out = output(command(&strs(&prefix), dir, &strs(&args), &[]));
    expect(
        &out,
        2,
        &[
            "cannot write the change, so nothing was written",
            "groups/default-group/office-365--gdpr.yaml: Permission denied",
        ],
    );
    assert_eq!(out.stdout, "");
    assert!(snapshot(dir) == before);
    assert_eq!(leftovers(dir), Vec::<String>::new());
    assert!(!dir.join("evidence/scan.pdf").exists());

    // With the folder writable again, the same command writes all three.
    std::fs::set_permissions(&group, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = output(command(&strs(&prefix), dir, &strs(&args), &[]));
    expect(&out, 0, &[]);
    written(&repo);
}

#[cfg(unix)]
#[test]
#[ignore = "needs root with CAP_LINUX_IMMUTABLE, chattr (e2fsprogs) and a temp folder on a file system with the immutable flag (ext4, xfs, btrfs)"]
fn a_file_that_cannot_be_replaced_half_way_rolls_back_the_others() {
    // An immutable file (chattr +i) cannot be renamed over, even by root: the first
    // assessment is replaced, the second is not, and the first gets its content back.
    // The same rollback is proven everywhere by ASSURE_FAIL_AFTER_WRITES (below).
    let (repo, _outside, args) = three_files();
    let nist = repo.path().join(NIST_FILE);
    let chattr = Command::new("chattr")
        .arg("+i")
        .arg(&nist)
        .output()
        .unwrap_or_else(|e| panic!("cannot run chattr (e2fsprogs): {e}"));
    assert!(
        chattr.status.success(),
        "cannot make a file immutable here (chattr +i {}): {}",
        nist.display(),
        String::from_utf8_lossy(&chattr.stderr)
    );
    let before = snapshot(repo.path());
    let out = output(command(&[], repo.path(), &strs(&args), &[]));
    let _ = Command::new("chattr").arg("-i").arg(&nist).status();
    expect(
        &out,
        2,
        &[
            "cannot write the change, so nothing was written",
            &format!("{NIST_FILE}: Operation not permitted"),
        ],
    );
    assert!(snapshot(repo.path()) == before);
    assert_eq!(leftovers(repo.path()), Vec::<String>::new());
}

#[test]
fn a_failure_after_each_rename_rolls_back_every_file() {
    let (repo, _outside, args) = three_files();
    let before = snapshot(repo.path());
    for n in 0..3 {
        let out = output(command(
            &[],
            repo.path(),
            &strs(&args),
            &[("ASSURE_FAIL_AFTER_WRITES", &n.to_string())],
        ));
        expect(
            &out,
            2,
            &["cannot write the change, so nothing was written: injected failure (test)"],
        );
        assert!(snapshot(repo.path()) == before, "after {n} renames");
        assert_eq!(leftovers(repo.path()), Vec::<String>::new());
    }
}

/// Runs `assure ARGS` in `dir` under a file-size limit of `kib` KiB (`ulimit -f`), with
/// SIGXFSZ ignored (`ignore`: a write past the limit fails with EFBIG) or not (the
/// process is killed by the signal, as by a crash). The POSIX shell, which every Unix
/// has, so the test needs no other tool; its `ulimit -f` counts 512-byte blocks.
fn under_size_limit(dir: &Path, args: &[String], kib: u32, ignore: bool) -> Output {
    let trap = if ignore { "trap '' XFSZ; " } else { "" };
    let script = format!("{trap}ulimit -f {} && exec \"$@\"", kib * 2);
    let prefix = ["sh", "-c", script.as_str(), "limit"];
    let mut cmd = command(&prefix, dir, &strs(args), &[]);
    // `timeout` must not be under the limit; the shell sets it for assure only.
    cmd.stdin(Stdio::null());
    output(cmd)
}

/// Pads the NIST file (written last) with a comment, so that it alone is over `kib` KiB.
fn pad_last_file(repo: &TestRepo, kib: usize) {
    let text = repo.read(NIST_FILE);
    repo.write(
        NIST_FILE,
        format!("{text}# {}\n", "padding ".repeat(kib * 1024 / 8 + 64)),
    );
}

#[cfg(unix)]
#[test]
fn a_write_past_the_file_size_limit_leaves_every_file_as_it_was() {
    let (repo, _outside, args) = three_files();
    pad_last_file(&repo, 64);
    let before = snapshot(repo.path());
    // The document, the journal and the GDPR file fit; the NIST file does not.
    let out = under_size_limit(repo.path(), &args, 32, true);
    expect(
        &out,
        2,
        &[
            "cannot write the change, so nothing was written",
            &format!("{NIST_FILE}: File too large"),
        ],
    );
    assert!(snapshot(repo.path()) == before);
    assert_eq!(leftovers(repo.path()), Vec::<String>::new());
    let out = output(command(&[], repo.path(), &strs(&args), &[]));
    expect(&out, 0, &[]);
    written(&repo);
}

#[cfg(unix)]
#[test]
fn a_crash_while_staging_changes_nothing_and_the_next_edit_cleans_up() {
    let (repo, _outside, args) = three_files();
    pad_last_file(&repo, 64);
    let before = snapshot(repo.path());
    // SIGXFSZ kills assure half-way through writing its temporary files.
    let out = under_size_limit(repo.path(), &args, 32, false);
    assert_eq!(
        out.code, -1,
        "killed by a signal: {}{}",
        out.stdout, out.stderr
    );
    let now = snapshot(repo.path());
    let (left, kept): (BTreeMap<_, _>, BTreeMap<_, _>) = now
        .into_iter()
        .partition(|(p, _)| p.contains("/.assure-") || p.starts_with(".assure"));
    assert!(kept == before, "no file changed");
    assert!(!left.is_empty(), "the crash left temporary files");

    // The next editing command rolls back what the journal lists, then does its work.
    let out = output(command(&[], repo.path(), &strs(&args), &[]));
    expect(
        &out,
        0,
        &[
            "note: an earlier assure edit was interrupted before it finished; it was rolled back, so every file is as it was before it (no file had changed yet)",
        ],
    );
    written(&repo);
}

#[test]
fn a_crash_between_renames_is_rolled_back_by_the_next_edit() {
    let (repo, _outside, args) = three_files();
    let before = snapshot(repo.path());
    // The process aborts after the document and the GDPR file are in place.
    let out = output(command(
        &[],
        repo.path(),
        &strs(&args),
        &[("ASSURE_CRASH_AFTER_WRITES", "2")],
    ));
    assert_eq!(out.code, -1, "aborted: {}{}", out.stdout, out.stderr);
    assert!(
        repo.path().join("evidence/scan.pdf").exists(),
        "half-written"
    );
    assert!(repo.read(GDPR_FILE).contains("scan.pdf"), "half-written");

    // Any editing command first restores every file; a dry run then shows the whole
    // change again.
    let out = edit(repo.path(), &["sync", "--check"]);
    expect(
        &out,
        0,
        &[&format!(
            "it was rolled back, so every file is as it was before it (evidence/scan.pdf, {GDPR_FILE})"
        )],
    );
    assert!(snapshot(repo.path()) == before);
    assert_eq!(leftovers(repo.path()), Vec::<String>::new());
    let out = output(command(&[], repo.path(), &strs(&args), &[]));
    expect(&out, 0, &[]);
    assert!(!out.stderr.contains("interrupted"), "{}", out.stderr);
    written(&repo);
}

#[cfg(unix)]
#[test]
#[ignore = "needs unshare (util-linux), bash and a mount namespace: root, or unprivileged user namespaces"]
fn a_full_disk_half_way_leaves_every_file_as_it_was() {
    // A small tmpfs in a private mount namespace (as root, or in a user namespace), filled
    // so that the document and the GDPR file fit and the padded NIST file does not. The
    // file-size limit test above fails a write the same way without privileges.
    let (repo, _outside, args) = three_files();
    pad_last_file(&repo, 64);
    let work = tempfile::tempdir().expect("tmp");
    let mnt = work.path().join("mnt");
    std::fs::create_dir(&mnt).expect("mkdir");
    let report = work.path().join("report");
    std::fs::create_dir(&report).expect("mkdir");
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        r#"set -e
mount -t tmpfs -o size=1m tmpfs "$M"
cp -R "$SRC" "$M/repo"
hash() {{ (cd "$M/repo" && find . -type f | LC_ALL=C sort | xargs sha256sum); }}
hash > "$R/before"
avail=$(df -B1 --output=avail "$M" | tail -n 1)
head -c $((avail - 32 * 1024)) /dev/zero > "$M/fill" || true
set +e
"$ASSURE" -C "$M/repo" {args} > "$R/stdout" 2> "$R/stderr"
echo $? > "$R/code"
hash > "$R/after"
find "$M/repo" -name '.assure*' > "$R/left"
rm "$M/fill"
"$ASSURE" -C "$M/repo" {args} > "$R/stdout2" 2> "$R/stderr2"
echo $? > "$R/code2"
"#,
        args = quoted.join(" ")
    );
    let mut cmd = Command::new("timeout");
    cmd.args(["--kill-after=5", HANG, "unshare"]);
    if !is_root() {
        cmd.arg("--map-root-user");
    }
    cmd.args(["--mount", "bash", "-c", &script])
        .env("M", &mnt)
        .env("SRC", repo.path())
        .env("R", &report)
        .env("ASSURE", env!("CARGO_BIN_EXE_assure"))
        .env("ASSURE_TODAY", crate::support::TODAY)
        .env("ASSURE_NOW", "2026-01-01T12:00:00Z")
        .env("NO_COLOR", "1");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run timeout and unshare (util-linux): {e}"));
    assert!(
        report.join("code").exists(),
        "cannot mount a private tmpfs here (the kernel or a container's seccomp profile \
         refuses mount namespaces): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(report.join(name)).expect("report");
    assert_eq!(read("code").trim(), "2", "{}", read("stderr"));
    assert!(
        read("stderr").contains("cannot write the change, so nothing was written")
            && read("stderr").contains("No space left on device"),
        "{}",
        read("stderr")
    );
    assert_eq!(read("before"), read("after"), "no file changed");
    assert_eq!(read("left"), "", "no temporary file left");
    assert_eq!(read("code2").trim(), "0", "{}", read("stderr2"));
}

#[cfg(unix)]
#[test]
fn an_edit_keeps_the_files_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::base();
    let mode = |p: &str| {
        std::fs::metadata(repo.path().join(p))
            .expect("stat")
            .permissions()
            .mode()
            & 0o777
    };
    std::fs::set_permissions(
        repo.path().join(GDPR_FILE),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    let nist = mode(NIST_FILE);
    expect(&edit(repo.path(), TWO_FILES), 0, &[]);
    assert_eq!((mode(GDPR_FILE), mode(NIST_FILE)), (0o640, nist));
    // A new file gets what any new file gets (not a temporary file's 0600).
    std::fs::write(repo.path().join("probe"), "").expect("write");
    let fresh = mode("probe");
    expect(
        &edit(
            repo.path(),
            &[
                "assessment",
                "new",
                "--group",
                "default-group",
                "--service",
                "azure",
                "--certification",
                "gdpr",
            ],
        ),
        0,
        &[],
    );
    assert_eq!(mode("groups/default-group/azure--gdpr.yaml"), fresh);
}

// ---------------------------------------------------------------------------------------
// Several assure processes at once

/// The lock file of a git repository at `dir`.
fn lock_file(dir: &Path) -> PathBuf {
    dir.join(".git/assure.lock")
}

/// Eight processes at once in `dir`, each setting the implementation of a different
/// control of the same two assessments; two of them (6.2.2.2 and 6.6.1.1) sync into
/// related NIST controls (PM-19, AC-2), so they write both files. Each process either
/// succeeds, and then its text is in every file it writes, or is refused as busy (exit 3)
/// and its text is nowhere: never a lost update, never half an edit. Returns how many
/// were refused.
fn race(dir: &Path, timeout_ms: &str) -> usize {
    let controls = [
        (GDPR, "6.2.2.1", None),
        (GDPR, "6.2.2.2", Some("PM-19")),
        (GDPR, "6.2.3.1", None),
        (GDPR, "6.6.1.1", Some("AC-2")),
        (NIST, "AC-2(1)", None),
        (NIST, "AC-2(2)", None),
        (NIST, "AC-2(3)", None),
        (NIST, "AC-2(4)", None),
    ];
    let children: Vec<_> = controls
        .iter()
        .enumerate()
        .map(|(i, (a, c, _))| {
            let text = format!("Implemented by process {i}.");
            let mut cmd = command(
                &[],
                dir,
                &[
                    "--as",
                    ALICE,
                    "control",
                    "set",
                    a,
                    c,
                    "--implementation",
                    &text,
                ],
                &[("ASSURE_LOCK_TIMEOUT_MS", timeout_ms)],
            );
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            (text, cmd.spawn().expect("spawn"))
        })
        .collect();
    let outcomes: Vec<(i32, String, String)> = children
        .into_iter()
        .map(|(text, child)| {
            let out = child.wait_with_output().expect("wait");
            let code = out.status.code().unwrap_or(-1);
            (
                code,
                text,
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect();
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).expect("read");
    let (gdpr, nist) = (read(GDPR_FILE), read(NIST_FILE));
    let mut refused = 0;
    for (i, ((code, text, stderr), (a, _, synced))) in outcomes.iter().zip(controls).enumerate() {
        let own = if a == GDPR { &gdpr } else { &nist };
        let present = own.contains(text.as_str());
        match code {
            0 => assert!(
                present,
                "process {i} succeeded but its edit is gone: {stderr}"
            ),
            3 => {
                refused += 1;
                assert!(!present, "process {i} was refused but its edit is there");
                assert!(
                    stderr.contains("another assure process"),
                    "process {i}: {stderr}"
                );
            }
            _ => panic!("process {i} exited {code}: {stderr}"),
        }
        if synced.is_some() {
            assert_eq!(
                nist.contains(text.as_str()),
                present,
                "process {i}: both files or neither"
            );
        }
    }
    assert!(refused < controls.len(), "at least one edit went through");
    let out = run(dir, &["validate"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "no problems found\n"));
    assert_eq!(leftovers(dir), Vec::<String>::new());
    refused
}

#[test]
fn concurrent_edits_are_serialised_and_none_is_lost() {
    let repo = git_repo();
    // With time to wait, every edit goes through, one after the other.
    assert_eq!(race(repo.path(), "60000"), 0);
    assert!(
        lock_file(repo.path()).is_file(),
        "the lock file stays in .git"
    );
}

#[test]
fn concurrent_edits_that_may_not_wait_are_refused_whole() {
    // Outside git (the lock file is created and removed each time), and no waiting: the
    // processes that find the repository busy are refused, the others go through.
    for _ in 0..3 {
        let repo = TestRepo::base();
        race(repo.path(), "0");
    }
}

#[test]
fn a_held_lock_makes_an_edit_wait_then_refuse() {
    let repo = git_repo();
    let dir = repo.path();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(lock_file(dir))
        .expect("lock file");
    lock.lock().expect("lock");
    std::fs::write(lock_file(dir), "4242\n").expect("pid");
    let before = snapshot(dir);
    let out = edit_env(dir, TWO_FILES, &[("ASSURE_LOCK_TIMEOUT_MS", "300")]);
    expect(
        &out,
        3,
        &[
            "waiting for another assure process (pid 4242) editing this repository…\n",
            "error: another assure process (pid 4242) is editing this repository and was still at it after 300 ms; nothing was read or written — run the command again when it has finished",
        ],
    );
    assert_eq!(out.stderr.matches("waiting for").count(), 1, "said once");
    assert_eq!(out.stdout, "");
    assert!(snapshot(dir) == before);
    // A dry run waits too (it reads what another process may be writing)…
    expect(
        &edit_env(
            dir,
            &[
                "control",
                "set",
                NIST,
                "CM-2",
                "--status",
                "planned",
                "--dry-run",
            ],
            &[("ASSURE_LOCK_TIMEOUT_MS", "100")],
        ),
        3,
        &[],
    );
    // …but commands that only read do not take the lock.
    expect(&run(dir, &["validate"]), 0, &[]);
    expect(&run(dir, &["status"]), 0, &[]);
    drop(lock);
    expect(&edit(dir, TWO_FILES), 0, &[]);
}

#[test]
fn a_waiting_edit_goes_ahead_once_the_lock_is_released() {
    let repo = TestRepo::base();
    let dir = repo.path().to_owned();
    // Outside git the lock is `.assure.lock` at the root.
    let path = dir.join(".assure.lock");
    let lock = std::fs::File::create(&path).expect("lock file");
    lock.lock().expect("lock");
    let mut cmd = command(
        &[],
        &dir,
        &[
            "--as", ALICE, "control", "set", NIST, "CM-2", "--status", "planned",
        ],
        &[("ASSURE_LOCK_TIMEOUT_MS", "60000")],
    );
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    // It says it waits (and has read nothing, written nothing)…
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).expect("read stderr");
    assert_eq!(
        line,
        "waiting for another assure process editing this repository…\n"
    );
    assert!(!repo.read(NIST_FILE).contains("CM-2:\n    status: planned"));
    // …and goes ahead as soon as the lock is released.
    drop(lock);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("read stderr");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{rest}");
    assert_eq!(rest, "");
    assert!(repo.read(NIST_FILE).contains("CM-2:\n    status: planned"));
    assert_eq!(
        leftovers(&dir),
        Vec::<String>::new(),
        "the lock file is removed"
    );
}
