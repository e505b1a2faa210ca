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
