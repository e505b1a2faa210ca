//! `assure demo [DIR]` (DESIGN.md §8, README quick start): the example repository built
//! into a git history by its people, ending exactly in `example-repo/`, with one rejected
//! pull request on a branch; replacing an earlier demo, refusing any other folder.
//! (The CI recipes, `init --ci github` and pre-commit, are tested in `recipes`.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::support::{GitRepo, Output, TestRepo, closed_stdout, project_root, run_env, snapshot};

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

/// `assure validate --format json EXTRA`, judging evidence on the day of the checked-out
/// commit (the story's day, not the clock's: the example's evidence ages in its story).
fn validate_json(dir: &Path, extra: &[&str]) -> (i32, Vec<Value>, String) {
    let day = head_day(dir);
    let mut args = vec!["validate", "--format", "json", "--today", &day];
    args.extend_from_slice(extra);
    let out = run_env(dir, &args, &[]);
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}\n{}", out.stdout, out.stderr));
    let findings = v["findings"].as_array().expect("findings").clone();
    (out.code, findings, out.stderr)
}

/// The author date (UTC, YYYY-MM-DD) of the commit checked out in `dir`.
fn head_day(dir: &Path) -> String {
    let repo = git2::Repository::open(dir).expect("repo");
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    chrono::DateTime::from_timestamp(head.author().when().seconds(), 0)
        .expect("time")
        .format("%Y-%m-%d")
        .to_string()
}

/// The example's evidence as it ages, and nothing else: the quarterly vulnerability scan
/// (valid until 2019-12-31) and the cryptography standard (valid until 2025-10-20),
/// expiring and then expired, each judged on the day of the commit. Every other finding
/// is a fault of the demo.
fn ageing_evidence(f: &Value) -> bool {
    let message = f["message"].as_str().unwrap_or("");
    matches!(
        f["code"].as_str(),
        Some("evidence-expired" | "evidence-expiring")
    ) && (message.contains("evidence/vulnerability-scan-summary-2019-08.csv")
        || message.contains("evidence/cryptography-standard-v1.3.md"))
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
        findings.iter().all(ageing_evidence),
        "no errors, and no warnings but the expired scan: {findings:#?}"
    );
    // The demo judges on the story's last day: the scan expired, the standard expiring.
    assert!(
        out.stdout.contains("0 error(s), 2 warning(s)"),
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
    // Beside the ageing evidence: the contributor set a test result (which needs an
    // assessor) of a control whose implementation he wrote himself (the demo turns on
    // `rules.tester_is_not_implementer`).
    let refused: Vec<&Value> = findings.iter().filter(|f| !ageing_evidence(f)).collect();
    let codes: BTreeSet<&str> = refused.iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(
        codes,
        BTreeSet::from(["permission-denied", "tester-is-implementer"]),
        "{findings:#?}"
    );
    for f in refused {
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
    // Eleven active assessments; the two archived ones are not rendered.
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
    // The OSCAL package: valid OSCAL 1.1.3, and what `export oscal` writes for the commit.
    let key = "default-group/office-365--nist-800-53-r5";
    assert!(
        out.stdout.contains(&format!("OSCAL package of {key}")),
        "{}",
        out.stdout
    );
    for (file, args) in [
        ("catalog", vec!["--catalog", "nist-800-53-r5"]),
        ("ssp", vec![key, "--model", "ssp"]),
        ("assessment-results", vec![key]),
        ("poam", vec![key, "--model", "poam"]),
    ] {
        let written = std::fs::read_to_string(dir.join(format!("reports/oscal/{file}.json")))
            .expect("the demo's OSCAL file");
        let doc: Value = serde_json::from_str(&written).expect("JSON");
        crate::support::oscal::assert_valid(&doc, file);
        let mut full = vec!["export", "oscal"];
        full.extend(args);
        let exported = run_env(&dir, &full, &[]);
        assert_eq!(exported.code, 0, "{}", exported.stderr);
        assert_eq!(exported.stdout, written, "{file}");
    }
}

/// `assure demo | head`: the reader goes away after a few lines (here, before the first).
/// The demo still finishes: the repository, the site and every workbook are there, the
/// same files as a demo whose output was read, and a closed pipe is not a failure.
#[test]
fn demo_finishes_when_its_output_is_cut() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, stderr) = closed_stdout(tmp.path(), &["demo", "cut"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");

    let whole = demo(tmp.path(), &["whole"]);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    let files = |dir: &str| -> BTreeSet<String> {
        walkdir::WalkDir::new(tmp.path().join(dir))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(tmp.path().join(dir))
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|p| !p.starts_with(".git/"))
            .collect()
    };
    let (cut, whole) = (files("cut"), files("whole"));
    assert_eq!(cut, whole, "the same repository and reports");
    let workbooks = cut.iter().filter(|p| p.ends_with(".xlsx")).count();
    assert_eq!(workbooks, 11, "{cut:?}");
    assert!(cut.contains("reports/site/index.html"), "{cut:?}");
    let repo = git2::Repository::open(tmp.path().join("cut")).expect("a repository");
    assert_eq!(
        main_history(&repo).len(),
        main_history(&git2::Repository::open(tmp.path().join("whole")).expect("repo")).len()
    );
}

// ---------------------------------------------------------------------------------------
// Every commit, and the migration to ISO/IEC 27001:2022 (issue 19)

const OLD_2013: &str = "data-security-and-privacy/office-365--iso-27001-2013";
const NEW_2022: &str = "data-security-and-privacy/office-365--iso-27001-2022";
const OLD_2013_FILE: &str = "groups/data-security-and-privacy/office-365--iso-27001-2013.yaml";
const NEW_2022_FILE: &str = "groups/data-security-and-privacy/office-365--iso-27001-2022.yaml";

/// Checks out `commit` in the demo's work tree (detached, forced: the tree is clean).
fn check_out(repo: &git2::Repository, commit: git2::Oid) {
    let c = repo.find_commit(commit).expect("commit");
    repo.checkout_tree(
        c.as_object(),
        Some(
            git2::build::CheckoutBuilder::new()
                .force()
                .remove_untracked(false),
        ),
    )
    .expect("checkout");
    repo.set_head_detached(commit).expect("detach");
}

/// The one commit of main whose summary starts with `prefix`.
fn commit_named<'r>(history: &[git2::Commit<'r>], prefix: &str) -> git2::Commit<'r> {
    let found: Vec<_> = history
        .iter()
        .filter(|c| c.summary().unwrap_or("").starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "one commit named {prefix:?}");
    found[0].clone()
}

/// A commit's author time as RFC 3339 (`ASSURE_NOW`).
fn rfc3339(c: &git2::Commit) -> String {
    chrono::DateTime::from_timestamp(c.author().when().seconds(), 0)
        .expect("time")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn file_at(repo: &git2::Repository, commit: git2::Oid, path: &str) -> Option<Vec<u8>> {
    tree_files(repo, commit).remove(path)
}

/// The module doc's promise: every commit's files are valid, not only the last one's.
/// (Evidence was once added in the order of the group folders, not in time order, and
/// Grace assigned action items months before she was listed: 20 commits failed.)
#[test]
fn demo_every_commit_of_main_validates() {
    let (_tmp, dir, _) = built();
    let repo = git2::Repository::open(&dir).expect("repo");
    let history: Vec<git2::Oid> = main_history(&repo).iter().map(|c| c.id()).collect();
    let mut failed = Vec::new();
    for id in &history {
        check_out(&repo, *id);
        let (code, findings, stderr) = validate_json(&dir, &[]);
        if code != 0 || !findings.iter().all(ageing_evidence) {
            let summary = repo
                .find_commit(*id)
                .expect("commit")
                .summary()
                .unwrap_or("")
                .to_owned();
            failed.push(format!("{summary}: {findings:#?}{stderr}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} commits do not validate:\n{}",
        failed.len(),
        history.len(),
        failed.join("\n")
    );
}

/// The demo's 2022 assessment is what `assure assessment migrate` writes: run it on the
/// commit before the migration, at the migration commit's time and as its author, and the
/// bytes are the migration commit's. What it carried, and what it could not.
#[test]
fn demo_2022_assessment_is_what_migrate_writes_from_the_2013_one() {
    let (_tmp, dir, _) = built();
    let repo = git2::Repository::open(&dir).expect("repo");
    let history = main_history(&repo);
    let migration = commit_named(
        &history,
        &format!("Migrate {OLD_2013} to ISO/IEC 27001:2022 (assure assessment migrate)"),
    );
    assert_eq!(migration.author().email(), Some("alice@contoso.com"));
    let expected = file_at(&repo, migration.id(), NEW_2022_FILE).expect("the migration's file");
    let before = migration.parent_id(0).expect("parent");
    assert_eq!(
        file_at(&repo, before, NEW_2022_FILE),
        None,
        "new in that commit"
    );
    let changed: Vec<String> = tree_files(&repo, migration.id())
        .into_iter()
        .filter(|(p, b)| tree_files(&repo, before).get(p) != Some(b))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(changed, [NEW_2022_FILE], "the migration writes one file");

    check_out(&repo, before);
    let now = rfc3339(&migration);
    assert_eq!(now, "2025-03-03T09:30:00Z");
    let out = run_env(
        &dir,
        &[
            "assessment",
            "migrate",
            OLD_2013,
            "--to",
            "iso-27001-2022",
            "--as",
            "alice@contoso.com",
        ],
        &[("ASSURE_NOW", &now)],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let written = std::fs::read(dir.join(NEW_2022_FILE)).expect("written");
    assert!(
        written == expected,
        "the demo's file differs from the command's:\n--- demo\n{}\n--- migrate\n{}",
        String::from_utf8_lossy(&expected),
        String::from_utf8_lossy(&written)
    );

    // What carried: A.7.2.2 (awareness training) became A.6.3, with its implementation,
    // documents and assignee, the note naming the old control; its test did not.
    let old = assure::repo::yaml::parse_to_json(
        &String::from_utf8(file_at(&repo, before, OLD_2013_FILE).expect("old")).expect("utf-8"),
    )
    .expect("yaml");
    let new = assure::repo::yaml::parse_to_json(&String::from_utf8(written).expect("utf-8"))
        .expect("yaml");
    let (a, b) = (&old["controls"]["A.7.2.2"], &new["controls"]["A.6.3"]);
    assert_eq!(a["test_result"], "failed-medium-risk", "tested in 2013");
    assert_eq!(
        b["implementation"].as_str().expect("implementation"),
        format!(
            "{}\n\nCarried from ISO/IEC 27001:2013 A.7.2.2 ({OLD_2013_FILE}).",
            a["implementation"].as_str().expect("old text")
        )
    );
    assert_eq!(b["documents"], a["documents"]);
    assert_eq!(b["assigned_to"], "carol@contoso.com");
    assert_eq!(b["status"], "implemented");
    for field in [
        "test_result",
        "test_date",
        "test_plan",
        "management_response",
    ] {
        assert!(b.get(field).is_none(), "{field} does not carry: {b:#}");
    }
    assert_eq!(new["created"], "2025-03-03T09:30:00Z");
    assert_eq!(new["created_by"], "alice@contoso.com");
    // Every record of the new file is carried from the 2013 one: the command's report.
    let records = new["controls"].as_object().expect("controls");
    assert_eq!(records.len(), 8, "{records:#?}");
    assert!(
        out.stdout.contains(&format!("carried ({}):\n", records.len()))
            && out.stdout.contains("  A.6.3 <- A.7.2.2  (status, implementation, documents, assigned_to; status: Implemented)"),
        "{}",
        out.stdout
    );
    // What has no source: the 11 controls new in 2022, A.5.7 threat intelligence among them.
    assert!(
        out.stdout.contains(
            "no source in ISO/IEC 27001:2013 (11):\n  A.5.7, A.5.23, A.5.30, A.7.4, A.8.9, A.8.10, A.8.11, A.8.12, A.8.16, A.8.23\n  A.8.28\n"
        ),
        "{}",
        out.stdout
    );
    assert!(!records.contains_key("A.5.7"));
    // The 2013 assessment is untouched, and the repository validates and is in sync.
    assert_eq!(
        std::fs::read(dir.join(OLD_2013_FILE)).expect("old"),
        file_at(&repo, before, OLD_2013_FILE).expect("old")
    );
    let (code, findings, stderr) = validate_json(&dir, &[]);
    assert_eq!(code, 0, "{findings:#?}\n{stderr}");
    assert!(findings.iter().all(ageing_evidence), "{findings:#?}");
    let sync = run_env(&dir, &["sync", "--check"], &[]);
    assert_eq!(sync.code, 0, "{}{}", sync.stdout, sync.stderr);
}

/// After the migration: a contributor starts a control new in 2022, the administrator
/// archives the 2013 assessment, each a commit the CI gate accepts; `log` tells it; the
/// reports show the 2022 assessment and no longer the archived one; the demo says where
/// to look; the rejected change still is one.
#[test]
fn demo_continues_the_2022_work_and_archives_the_2013_assessment() {
    let (_tmp, dir, out) = built();
    let repo = git2::Repository::open(&dir).expect("repo");
    let history = main_history(&repo);
    let migration = commit_named(&history, &format!("Migrate {OLD_2013} to "));
    let started = commit_named(&history, &format!("Document A.5.7 in {NEW_2022}, new in"));
    let archived = commit_named(
        &history,
        &format!("Archive {OLD_2013} after the migration to ISO/IEC 27001:2022"),
    );
    assert_eq!(started.author().email(), Some("dave@contoso.com"));
    assert_eq!(archived.author().email(), Some("alice@contoso.com"));
    assert_eq!(
        (history[0].id(), history[1].id(), history[2].id()),
        (archived.id(), started.id(), migration.id()),
        "the last three commits of main, in that order"
    );
    let a57 = &assure::repo::yaml::parse_to_json(
        &std::fs::read_to_string(dir.join(NEW_2022_FILE)).expect("read"),
    )
    .expect("yaml")["controls"]["A.5.7"];
    assert_eq!(a57["status"], "planned");
    assert!(
        a57["implementation"]
            .as_str()
            .is_some_and(|t| !t.contains("Carried from"))
    );
    let old = std::fs::read_to_string(dir.join(OLD_2013_FILE)).expect("read");
    assert!(old.contains("\narchived: 2025-09-30T16:00:00Z\n"), "{old}");

    // Each of the three is its author's to make: the gate over them finds nothing.
    let base = migration.parent_id(0).expect("parent").to_string();
    let (code, findings, stderr) = validate_json(&dir, &["--base", &base]);
    assert_eq!(code, 0, "{findings:#?}\n{stderr}");
    assert!(findings.iter().all(ageing_evidence), "{findings:#?}");

    // The audit trail of the new assessment: the migration, then Dave's work.
    let log = run_env(&dir, &["log", NEW_2022], &[]);
    assert_eq!(log.code, 0, "{}{}", log.stdout, log.stderr);
    let at = |needle: &str| {
        log.stdout
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in\n{}", log.stdout))
    };
    assert!(
        at("Dave Kowalski") < at("Migrate data-security-and-privacy/office-365--iso-27001-2013")
    );
    assert!(
        log.stdout
            .contains(&format!("create assessment {NEW_2022}")),
        "{}",
        log.stdout
    );
    assert!(
        log.stdout.contains("A.5.7 status: (not set) → planned"),
        "{}",
        log.stdout
    );

    // The reports: a workbook for the 2022 assessment, none for the archived 2013 one.
    assert!(
        dir.join("reports/data-security-and-privacy--office-365--iso-27001-2022.xlsx")
            .is_file()
    );
    assert!(
        !dir.join("reports/data-security-and-privacy--office-365--iso-27001-2013.xlsx")
            .exists()
    );
    let site = snapshot(&dir.join("reports/site"));
    assert!(
        site.keys()
            .any(|p| p.contains("office-365--iso-27001-2022")),
        "{:?}",
        site.keys().collect::<Vec<_>>()
    );
    // The demo points to it.
    assert!(
        out.stdout
            .contains(&format!("assure assessment show {NEW_2022}"))
            && out.stdout.contains(&format!("assure log {NEW_2022}")),
        "{}",
        out.stdout
    );

    // The rejected change is on an active assessment, after main's last commit.
    let branch = repo
        .find_branch(BRANCH, git2::BranchType::Local)
        .expect("branch")
        .get()
        .peel_to_commit()
        .expect("commit");
    assert!(branch.time().seconds() > archived.time().seconds());
    let tip = tree_files(&repo, archived.id());
    let changed: Vec<(String, Vec<u8>)> = tree_files(&repo, branch.id())
        .into_iter()
        .filter(|(p, b)| tip.get(p) != Some(b))
        .collect();
    assert_eq!(changed.len(), 1);
    let text = String::from_utf8(changed[0].1.clone()).expect("utf-8");
    assert!(!text.contains("\narchived:"), "{}: {text}", changed[0].0);
}
