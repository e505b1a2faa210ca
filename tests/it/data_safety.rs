//! No command destroys what it was not asked to touch (issue 15, items 7 and 8).
//!
//! Crash recovery: an interrupted edit is rolled back only where the files still hold
//! what it wrote; a file edited since is left as it is, named, and nothing else moves.
//! Every failure mode leaves no temporary file or backup behind.
//!
//! Output folders (`report site -o`, `report excel --all -o`, `notify --dry-run`, `demo`):
//! a folder is replaced only when it is new, empty, or was written by the same command
//! (its marker file); never the repository, its data folders or a git folder, however
//! the path reaches them (a link, `..`); and a failure leaves the earlier output as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{GitRepo, Output, TestRepo, run_env};

const ALICE: &str = "alice@example.com";
const GDPR: &str = "default-group/office-365--gdpr";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";

/// Every file, folder and link under `dir`, `.git` included, with its bytes (a link: its
/// target), to prove that nothing at all changed; but the edit lock, which every editing
/// command takes (and writes its process id into).
fn everything(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path() != dir && e.file_name() != "assure.lock")
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("under dir");
            let bytes = if e.file_type().is_symlink() {
                std::fs::read_link(e.path())
                    .expect("link")
                    .to_string_lossy()
                    .into_owned()
                    .into_bytes()
            } else if e.file_type().is_file() {
                std::fs::read(e.path()).expect("read")
            } else {
                b"<folder>".to_vec()
            };
            (rel.to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// Names of the temporary files and backups assure may leave under `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            (n.starts_with(".assure") && n != ".assure-site" && n != ".assure-output")
                || n.starts_with("assure-journal")
        })
        .collect()
}

#[track_caller]
fn expect(out: &Output, code: i32, parts: &[&str]) {
    assert_eq!(out.code, code, "{}{}", out.stdout, out.stderr);
    for p in parts {
        assert!(
            out.stderr.contains(p) || out.stdout.contains(p),
            "missing {p:?} in:\n{}{}",
            out.stdout,
            out.stderr
        );
    }
}

/// The base fixture committed to git (the journal then lives in `.git`), a document
/// outside it, and the arguments of `doc add`, which writes three files: the document,
/// then the GDPR and NIST assessments (a related control carries it to both).
fn three_files() -> (TestRepo, tempfile::TempDir, Vec<String>) {
    let repo = TestRepo::base();
    GitRepo::init(repo.path()).commit_all(ALICE, "Start", 1_700_000_000);
    let outside = tempfile::tempdir().expect("tmp");
    let doc = outside.path().join("scan.pdf");
    std::fs::write(&doc, "a scanner report\n").expect("write");
    let args = vec![
        "--as".to_owned(),
        ALICE.to_owned(),
        "doc".to_owned(),
        "add".to_owned(),
        GDPR.to_owned(),
        "6.10.1.2".to_owned(),
        doc.to_str().expect("utf-8").to_owned(),
    ];
    (repo, outside, args)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn journal(repo: &TestRepo) -> PathBuf {
    repo.path().join(".git/assure-journal.json")
}

/// Another editing command, on a file the interrupted edit did not touch.
fn other_edit(repo: &TestRepo, env: &[(&str, &str)]) -> Output {
    run_env(
        repo.path(),
        &[
            "--as",
            ALICE,
            "control",
            "set",
            GDPR,
            "6.2.1.1",
            "--status",
            "implemented",
        ],
        env,
    )
}

// ---------------------------------------------------------------------------------------
// Item 8: crash recovery

#[test]
fn a_file_edited_by_hand_after_a_crash_is_not_rolled_back() {
    let (repo, _outside, args) = three_files();
    // The crash comes after the document and the GDPR file are in place.
    let out = run_env(
        repo.path(),
        &strs(&args),
        &[("ASSURE_CRASH_AFTER_WRITES", "2")],
    );
    assert_eq!(out.code, -1, "aborted: {}{}", out.stdout, out.stderr);
    assert!(repo.read(GDPR_FILE).contains("evidence/scan.pdf"));

    // Someone fixes the half-written file by hand before running assure again.
    let hand = format!(
        "{}# reviewed by hand after the crash\n",
        repo.read(GDPR_FILE)
    );
    repo.write(GDPR_FILE, &hand);
    let before = everything(repo.path());

    let out = other_edit(&repo, &[]);
    expect(
        &out,
        2,
        &[
            "an earlier assure edit was interrupted before it finished",
            &format!(
                "changed by something else: {GDPR_FILE} (its content from before that edit is in groups/default-group/.assure-"
            ),
            "assure did not roll that edit back, so as not to lose those changes, and touched no file",
            &format!("then remove {}", journal(&repo).display()),
        ],
    );
    assert!(!out.stderr.contains(NIST_FILE), "{}", out.stderr);
    assert!(everything(repo.path()) == before, "nothing changed");
    assert_eq!(repo.read(GDPR_FILE), hand, "the hand edit survives");

    // The message's backup holds the file as it was before the interrupted edit.
    let kept = out
        .stderr
        .split("is in ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("a backup named");
    let original = git_show(repo.path(), GDPR_FILE);
    assert_eq!(
        std::fs::read_to_string(repo.path().join(kept)).expect("backup"),
        original
    );

    // Every further edit stops the same way until a person has looked.
    let again = other_edit(&repo, &[]);
    assert_eq!(again.code, 2);
    assert_eq!(again.stderr, out.stderr);

    // Doing what it says (remove the journal and the files it lists) lets edits go on,
    // and leaves nothing of assure's behind.
    let listed = out
        .stderr
        .split("then remove ")
        .nth(1)
        .and_then(|s| s.split(" and run the command again").next())
        .expect("the files to remove");
    for p in listed.split(' ') {
        let path = repo.path().join(p);
        std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    assert_eq!(leftovers(repo.path()), Vec::<String>::new());
    let out = other_edit(&repo, &[]);
    expect(&out, 0, &[&format!("updated  {GDPR_FILE}")]);
    assert!(
        repo.read(GDPR_FILE)
            .contains("# reviewed by hand after the crash")
    );
}

fn git_show(dir: &Path, path: &str) -> String {
    let out = crate::support::git_cli(dir, &["show", &format!("HEAD:{path}")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

#[test]
fn an_edit_of_a_file_the_crash_had_not_reached_is_kept_and_the_rest_rolled_back() {
    let (repo, _outside, args) = three_files();
    let out = run_env(
        repo.path(),
        &strs(&args),
        &[("ASSURE_CRASH_AFTER_WRITES", "2")],
    );
    assert_eq!(out.code, -1, "aborted: {}{}", out.stdout, out.stderr);
    // The NIST file was not replaced yet; an editor saves it as a new file.
    let hand = format!("{}# my own note\n", repo.read(NIST_FILE));
    let swap = repo.path().join("nist.swp");
    std::fs::write(&swap, &hand).expect("write");
    std::fs::rename(&swap, repo.path().join(NIST_FILE)).expect("rename");

    let out = other_edit(&repo, &[]);
    expect(
        &out,
        0,
        &[&format!(
            "it was rolled back, so every file is as it was before it (evidence/scan.pdf, {GDPR_FILE})"
        )],
    );
    assert_eq!(repo.read(NIST_FILE), hand, "the user's edit is kept");
    assert!(!repo.path().join("evidence/scan.pdf").exists());
    assert!(!repo.read(GDPR_FILE).contains("scan.pdf"));
    assert_eq!(leftovers(repo.path()), Vec::<String>::new());
}

#[test]
fn after_every_failure_mode_no_temporary_file_or_backup_is_left() {
    // A failure after each rename: rolled back at once.
    for n in 0..=3 {
        let (repo, _outside, args) = three_files();
        let before = everything(repo.path());
        let out = run_env(
            repo.path(),
            &strs(&args),
            &[("ASSURE_FAIL_AFTER_WRITES", &n.to_string())],
        );
        if n < 3 {
            expect(&out, 2, &["injected failure (test)"]);
            assert!(everything(repo.path()) == before, "fail after {n}");
        } else {
            // Three files: a fault after the third rename never fires.
            expect(&out, 0, &[]);
        }
        assert_eq!(
            leftovers(repo.path()),
            Vec::<String>::new(),
            "fail after {n}"
        );
    }
    // A crash after each rename: the next edit rolls back, then does its own work.
    for n in 0..=2 {
        let (repo, _outside, args) = three_files();
        let before = crate::support::snapshot(repo.path());
        let out = run_env(
            repo.path(),
            &strs(&args),
            &[("ASSURE_CRASH_AFTER_WRITES", &n.to_string())],
        );
        assert_eq!(out.code, -1, "crash after {n}: {}", out.stderr);
        assert!(
            !leftovers(repo.path()).is_empty(),
            "the crash left its files"
        );
        let out = run_env(repo.path(), &["sync", "--check"], &[]);
        expect(&out, 0, &["it was rolled back"]);
        assert!(
            crate::support::snapshot(repo.path()) == before,
            "crash after {n}"
        );
        assert_eq!(
            leftovers(repo.path()),
            Vec::<String>::new(),
            "crash after {n}"
        );
    }
    // A refusal, and a folder where a file must be written.
    let (repo, _outside, args) = three_files();
    let mut guest = args.clone();
    guest[1] = "nobody@example.com".into();
    let out = run_env(repo.path(), &strs(&guest), &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(leftovers(repo.path()), Vec::<String>::new());
    std::fs::create_dir_all(repo.path().join("evidence/scan.pdf")).expect("mkdir");
    let out = run_env(repo.path(), &strs(&args), &[]);
    expect(&out, 2, &["evidence/scan.pdf: it is a folder"]);
    assert_eq!(leftovers(repo.path()), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Item 7: output folders

/// The base fixture committed to git.
fn git_repo() -> TestRepo {
    let repo = TestRepo::base();
    GitRepo::init(repo.path()).commit_all(ALICE, "Start", 1_700_000_000);
    repo
}

/// The commands that write an output folder, with the folder's argument last.
const FOLDER_COMMANDS: &[&[&str]] = &[
    &["report", "site", "--quiet", "-o"],
    &["report", "excel", "--all", "-o"],
    &["notify", "--base", "HEAD", "--dry-run"],
    &["demo"],
];

#[cfg(unix)]
fn symlink(to: &Path, at: &Path) {
    std::os::unix::fs::symlink(to, at).expect("symlink");
}

/// A folder outside the repository with things in it: a user's folder, a link to the
/// repository, a link to its groups/, a file, a folder whose marker is a link, an earlier
/// site made into a git checkout.
fn outside(repo: &TestRepo) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tmp");
    let o = out.path();
    std::fs::create_dir(o.join("notes")).expect("mkdir");
    std::fs::write(o.join("notes/todo.txt"), "keep me\n").expect("write");
    std::fs::write(o.join("a-file"), "a file\n").expect("write");
    #[cfg(unix)]
    {
        symlink(repo.path(), &o.join("repo-link"));
        symlink(&repo.path().join("groups"), &o.join("groups-link"));
        std::fs::create_dir(o.join("fake")).expect("mkdir");
        std::fs::write(o.join("fake/keep.txt"), "keep me\n").expect("write");
        for marker in [".assure-site", ".assure-workbooks", ".assure-outbox"] {
            symlink(&o.join("a-file"), &o.join("fake").join(marker));
        }
    }
    std::fs::create_dir_all(o.join("published/.git")).expect("mkdir");
    std::fs::write(o.join("published/.git/HEAD"), "ref: refs/heads/gh-pages\n").expect("w");
    for marker in [".assure-site", ".assure-workbooks", ".assure-outbox"] {
        std::fs::write(o.join("published").join(marker), "written by assure\n").expect("w");
    }
    out
}

/// (the folder argument, a part of the message) for every folder no command may replace.
fn refused(repo: &Path, out: &Path) -> Vec<(String, &'static str)> {
    let s = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let mut cases = vec![
        (".".to_owned(), "is the repository"),
        (s(repo), "is the repository"),
        (format!("{}/groups/..", s(repo)), "is the repository"),
        ("..".to_owned(), "contains the repository"),
        (".git".to_owned(), "is inside a git folder"),
        (".git/site".to_owned(), "is inside a git folder"),
        ("groups".to_owned(), "is inside the repository's groups/"),
        (
            "groups/default-group/site".to_owned(),
            "is inside the repository's groups/",
        ),
        (
            "evidence".to_owned(),
            "is inside the repository's evidence/",
        ),
        (
            "catalog/site".to_owned(),
            "is inside the repository's catalog/",
        ),
        (
            "assure.yaml".to_owned(),
            "is a file, where a folder is to be written",
        ),
        (
            s(&out.join("a-file")),
            "is a file, where a folder is to be written",
        ),
        (s(&out.join("notes")), "is not empty and was not written by"),
        (s(&out.join("published")), "holds a git repository"),
    ];
    if cfg!(unix) {
        cases.extend([
            (s(&out.join("repo-link")), "is a symbolic link"),
            (s(&out.join("repo-link/")), "is a symbolic link"),
            (s(&out.join("repo-link/site/..")), "is the repository"),
            (
                s(&out.join("groups-link/site")),
                "is inside the repository's groups/",
            ),
            (s(&out.join("fake")), "is not empty and was not written by"),
        ]);
    }
    cases
}

#[test]
fn no_command_replaces_a_folder_it_did_not_write_or_the_repository() {
    let repo = git_repo();
    let out = outside(&repo);
    let repo_before = everything(repo.path());
    let out_before = everything(out.path());
    for command in FOLDER_COMMANDS {
        for (dir, message) in refused(repo.path(), out.path()) {
            // The demo's folder is a repository by design: its own refusal is checked
            // below.
            if command[0] == "demo" && message == "holds a git repository" {
                continue;
            }
            let mut args: Vec<&str> = command.to_vec();
            args.push(&dir);
            let run = run_env(repo.path(), &args, &[]);
            assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
            assert!(
                run.stderr.contains(message) && run.stderr.contains(&dir),
                "{args:?}: want {message:?} naming the folder, got {}",
                run.stderr
            );
            assert!(
                everything(repo.path()) == repo_before,
                "{args:?} changed the repository"
            );
            assert!(
                everything(out.path()) == out_before,
                "{args:?} changed {dir}"
            );
        }
    }
}

#[test]
fn a_single_workbook_is_never_written_over_data_or_into_git() {
    let repo = git_repo();
    let before = everything(repo.path());
    let cases = [
        ("assure.yaml", "is the repository's assure.yaml"),
        (
            "groups/default-group/office-365--gdpr.yaml",
            "is inside the repository's groups/",
        ),
        ("groups/x.xlsx", "is inside the repository's groups/"),
        ("evidence/x.xlsx", "is inside the repository's evidence/"),
        (".git/x.xlsx", "is inside a git folder"),
        ("groups", "is inside the repository's groups/"),
        (".", "is the repository"),
    ];
    for (file, message) in cases {
        let run = run_env(repo.path(), &["report", "excel", GDPR, "-o", file], &[]);
        assert_eq!(run.code, 2, "{file}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(message), "{file}: {}", run.stderr);
        assert!(everything(repo.path()) == before, "{file}");
    }
    // A folder where the file goes, outside the repository.
    let out = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(out.path().join("book.xlsx")).expect("mkdir");
    let path = out.path().join("book.xlsx");
    let run = run_env(
        repo.path(),
        &["report", "excel", GDPR, "-o", path.to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("is a folder, where a file is to be written"),
        "{}",
        run.stderr
    );
    assert!(path.is_dir());
    // Beside the data it is fine.
    let run = run_env(
        repo.path(),
        &["report", "excel", GDPR, "-o", "gdpr.xlsx"],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(repo.path().join("gdpr.xlsx").is_file());
}

/// The names in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_second_run_replaces_its_own_output_whole_and_leaves_nothing_beside_it() {
    let repo = git_repo();
    let out = tempfile::tempdir().expect("tmp");
    for (command, marker, page) in [
        (
            &["report", "site", "--quiet", "-o"][..],
            ".assure-site",
            "index.html",
        ),
        (
            &["report", "excel", "--all", "-o"][..],
            ".assure-workbooks",
            "default-group--office-365--gdpr.xlsx",
        ),
    ] {
        let dir = out.path().join(marker.trim_start_matches('.'));
        let mut args = command.to_vec();
        args.push(dir.to_str().expect("utf-8"));
        // Into an empty folder the user made.
        std::fs::create_dir(&dir).expect("mkdir");
        let run = run_env(repo.path(), &args, &[]);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(dir.join(page).is_file() && dir.join(marker).is_file());
        std::fs::write(dir.join("stale.txt"), "from an older render\n").expect("write");

        let run = run_env(repo.path(), &args, &[]);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(dir.join(page).is_file());
        assert!(!dir.join("stale.txt").exists(), "the old output is gone");
        // Nothing of the swap is left beside it.
        assert_eq!(
            names(out.path())
                .into_iter()
                .filter(|n| n.starts_with('.'))
                .collect::<Vec<_>>(),
            Vec::<String>::new()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_failure_half_way_through_a_render_leaves_the_earlier_output_as_it_was() {
    let repo = git_repo();
    let out = tempfile::tempdir().expect("tmp");
    let site = out.path().join("site");
    let arg = site.to_str().expect("utf-8");
    let run = run_env(repo.path(), &["report", "site", "--quiet", "-o", arg], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let before = everything(out.path());
    // A file-size limit just under the largest page: the smaller pages are written, the
    // largest one fails (EFBIG, the signal ignored) half-way through the render.
    let largest = before.values().map(Vec::len).max().expect("pages");
    let kib = largest.div_ceil(1024) - 1;
    assert!(
        kib > 0 && before.values().any(|b| b.len() < kib * 1024),
        "pages of different sizes"
    );
    let script = format!("trap '' XFSZ; ulimit -f {kib} && exec \"$@\"");
    let run = std::process::Command::new("bash")
        .args(["-c", &script, "limit", env!("CARGO_BIN_EXE_assure")])
        .args(["-C", repo.path().to_str().expect("utf-8")])
        .args(["report", "site", "--quiet", "-o", arg])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", repo.path())
        .env("ASSURE_TODAY", crate::support::TODAY)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(
        everything(out.path()) == before,
        "the earlier site is whole"
    );
    assert_eq!(names(out.path()), vec!["site".to_owned()]);
}

#[test]
fn demo_replaces_only_a_demo_and_never_the_repository_it_runs_in() {
    let repo = git_repo();
    let before = everything(repo.path());
    // In the repository: the default ./assure-demo is beside the data, and is fine; the
    // root itself and its data are not.
    for (dir, message) in [
        (".", "is the repository"),
        ("groups/demo", "is inside the repository's groups/"),
    ] {
        let run = run_env(repo.path(), &["demo", dir], &[]);
        assert_eq!(run.code, 2, "{dir}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(message), "{dir}: {}", run.stderr);
        assert!(everything(repo.path()) == before);
    }
    // A demo whose .git marker is a link to a real one elsewhere is not a demo.
    #[cfg(unix)]
    {
        let out = tempfile::tempdir().expect("tmp");
        let real = out.path().join("real");
        std::fs::create_dir_all(real.join(".git")).expect("mkdir");
        std::fs::write(real.join(".git/assure-demo"), "demo\n").expect("write");
        let fake = out.path().join("fake");
        std::fs::create_dir(&fake).expect("mkdir");
        symlink(&real.join(".git"), &fake.join(".git"));
        std::fs::write(fake.join("work.txt"), "mine\n").expect("write");
        let snapshot = everything(out.path());
        let run = run_env(repo.path(), &["demo", fake.to_str().expect("utf-8")], &[]);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("was not written by `assure demo`"),
            "{}",
            run.stderr
        );
        assert!(everything(out.path()) == snapshot);
    }
}
