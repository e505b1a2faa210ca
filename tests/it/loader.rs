//! The one loader (`assure::ops::Project::load`): a git revision loads as a checkout of
//! it would — the same files, the same findings with the same labels — whatever the work
//! tree holds now; a scope reads only what it names; an overlay lays an edit over any
//! source. And the exit statuses decided in one place: a reader that goes away is not a
//! failure.

use assure::ops::Project;
use assure::ops::validate::check;
use assure::repo::{self as repo, Overlay, Scope, Source};

use crate::support::{GitRepo, TestRepo, closed_stdout, fixtures};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date")
}

/// Every finding of a project, as text: code, message, file, span and labels.
fn findings(project: &Project) -> Vec<String> {
    let sources = &project.ws.sources;
    let label =
        |l: &assure::diag::Label| format!("{}@{:?} {}", sources.path(l.file), l.span, l.message);
    check(project, today())
        .iter()
        .map(|d| {
            format!(
                "{} {} | {} | {}",
                d.code.name(),
                d.message,
                d.primary.as_ref().map(label).unwrap_or_default(),
                d.secondary.iter().map(label).collect::<Vec<_>>().join("; ")
            )
        })
        .collect()
}

/// What a project holds: every file's path and text, the groups and the assessments.
fn contents(project: &Project) -> Vec<String> {
    let ws = &project.ws;
    let mut out: Vec<String> = (0..ws.sources.len())
        .map(|i| {
            let f = ws.sources.get(assure::repo::source::FileId(i as u32));
            format!("{} {}", f.path, f.text.len())
        })
        .collect();
    out.extend(
        ws.groups
            .iter()
            .map(|g| format!("group {} {}", g.id, g.has_file)),
    );
    out.extend(
        ws.assessments
            .iter()
            .map(|a| format!("assessment {}", a.key())),
    );
    out
}

/// Commits `repo`'s work tree and returns the git repository.
fn committed(repo: &TestRepo) -> GitRepo {
    let git = GitRepo::init(repo.path());
    git.commit_all("ada@example.com", "state", 1_700_000_000);
    git
}

/// On every invalid fixture (each a repository with a finding of its own code), the
/// committed state loaded from git equals the work tree loaded from disk, files and
/// findings alike; and it stays what was committed after the work tree changes.
#[test]
fn a_revision_loads_as_its_checkout_does_on_every_invalid_fixture() {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("invalid"))
        .expect("invalid/")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    let mut compared = 0;
    for case in cases {
        let repo = TestRepo::with_overlay(&case);
        committed(&repo);
        let disk = Project::work_tree(repo.path()).expect("loads");
        let at_head = Project::at_revision(repo.path(), "HEAD", Scope::All).expect("loads");
        assert_eq!(contents(&at_head), contents(&disk), "{}", case.display());
        assert_eq!(findings(&at_head), findings(&disk), "{}", case.display());
        // The work tree moves on; the revision does not.
        std::fs::remove_dir_all(repo.path().join("groups")).expect("remove groups/");
        repo.write("assure.yaml", "not: [valid");
        let later = Project::at_revision(repo.path(), "HEAD", Scope::All).expect("loads");
        assert_eq!(findings(&later), findings(&disk), "{}", case.display());
        compared += 1;
    }
    assert!(compared > 30, "only {compared} fixtures");
}

/// What cannot be a file in a checkout is reported the same from git: a committed
/// symbolic link, a submodule, a YAML-named folder in a group, a file too large to read,
/// bytes that are not UTF-8.
#[test]
fn a_revision_reports_links_submodules_folders_and_odd_bytes_as_the_work_tree_does() {
    let repo = TestRepo::base();
    let gdpr = "groups/default-group/office-365--gdpr.yaml";
    let git = committed(&repo);
    // A link in place of an assessment, a folder named like a YAML file, and bytes that
    // are not UTF-8: the same as on disk.
    std::fs::remove_file(repo.path().join(gdpr)).expect("remove");
    std::os::unix::fs::symlink("../../assure.yaml", repo.path().join(gdpr)).expect("link");
    repo.write("groups/default-group/folder.yaml/inner.yaml", "a: 1\n");
    repo.write("catalog/certifications/bad.yaml", b"name: \xff\n");
    git.commit_all("ada@example.com", "odd", 1_700_000_100);
    let disk = Project::work_tree(repo.path()).expect("loads");
    let at_head = Project::at_revision(repo.path(), "HEAD", Scope::All).expect("loads");
    let codes = |p: &Project| -> Vec<String> {
        findings(p)
            .into_iter()
            .map(|f| f.split(' ').next().unwrap_or_default().to_owned())
            .collect()
    };
    for code in ["symbolic-link", "not-utf8", "file-unreadable"] {
        assert!(
            codes(&disk).iter().any(|c| c == code),
            "{code} on disk: {:#?}",
            findings(&disk)
        );
    }
    assert_eq!(findings(&at_head), findings(&disk));

    // A submodule where a group's assessment belongs (git's mode 160000): not a file.
    let mut index = git.repo.index().expect("index");
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o160000,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: git.repo.head().expect("head").target().expect("a commit"),
        flags: 0,
        flags_extended: 0,
        path: b"groups/default-group/sub.yaml".to_vec(),
    };
    index.add(&entry).expect("add the submodule entry");
    commit_index(&git, &mut index, "submodule", 1_700_000_200);
    let at_head = Project::at_revision(repo.path(), "HEAD", Scope::All).expect("loads");
    let sub: Vec<String> = findings(&at_head)
        .into_iter()
        .filter(|f| f.contains("groups/default-group/sub.yaml"))
        .collect();
    assert_eq!(sub.len(), 1, "{sub:#?}");
    assert!(
        sub[0].starts_with("file-unreadable") && sub[0].contains("a submodule"),
        "{sub:#?}"
    );

    // A file larger than assure reads (16 MiB) is refused unread, from git as on disk.
    repo.write(
        "groups/default-group/huge.yaml",
        vec![b'#'; 16 * 1024 * 1024 + 1],
    );
    git_add_commit(&git, "huge", 1_700_000_300);
    let at_head = Project::at_revision(repo.path(), "HEAD", Scope::All).expect("loads");
    let huge: Vec<String> = findings(&at_head)
        .into_iter()
        .filter(|f| f.contains("huge.yaml"))
        .collect();
    assert!(
        huge.len() == 1 && huge[0].starts_with("file-too-large"),
        "{huge:#?}"
    );
}

fn git_add_commit(git: &GitRepo, message: &str, time: i64) {
    let mut index = git.repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write index");
    commit_index(git, &mut index, message, time);
}

/// Commits what `index` holds on HEAD, as Ada at `time`.
fn commit_index(git: &GitRepo, index: &mut git2::Index, message: &str, time: i64) {
    let tree = git
        .repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let sig =
        git2::Signature::new("Ada", "ada@example.com", &git2::Time::new(time, 0)).expect("sig");
    let parent = git
        .repo
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("commit");
    git.repo
        .commit(Some("HEAD"), &sig, &sig, message, &tree, &[&parent])
        .expect("commit");
}

/// An older revision loads as it was: the assessment removed since is there, and a
/// revision that does not exist is an error naming it.
#[test]
fn any_revision_loads_and_an_unknown_one_is_an_error() {
    let repo = TestRepo::base();
    let git = committed(&repo);
    let first = git.repo.head().expect("head").target().expect("commit");
    let gdpr = "groups/default-group/office-365--gdpr.yaml";
    std::fs::remove_file(repo.path().join(gdpr)).expect("remove");
    git_add_commit(&git, "remove gdpr", 1_700_000_100);
    let now = Project::at_revision(repo.path(), "HEAD", Scope::All).expect("loads");
    let then = Project::at_revision(repo.path(), &first.to_string(), Scope::All).expect("loads");
    let has = |p: &Project| {
        p.ws.assessments
            .iter()
            .any(|a| a.stem == "office-365--gdpr")
    };
    assert!(has(&then) && !has(&now));
    let before = Project::at_revision(repo.path(), "HEAD~1", Scope::All).expect("loads");
    assert_eq!(contents(&before), contents(&then));
    let err = Project::at_revision(repo.path(), "no-such-branch", Scope::All)
        .err()
        .expect("an unknown revision is an error");
    assert!(err.to_string().contains("no-such-branch"), "{err}");
}

/// A scope reads what it names and nothing else: the catalog scope reads no group, a
/// groups scope reads the assessments of those groups only — from the work tree and from
/// a revision alike.
#[test]
fn a_scope_reads_only_what_it_names() {
    let repo = TestRepo::base();
    let gdpr = "groups/default-group/office-365--gdpr.yaml";
    repo.write("groups/other/group.yaml", "name: Other\n");
    repo.write("groups/other/office-365--gdpr.yaml", repo.read(gdpr));
    committed(&repo);
    let head = || {
        let git = assure::git::Git::require(repo.path()).expect("git");
        Source::Revision(std::sync::Arc::new(
            assure::ops::project::snapshot(&git, "HEAD").expect("snapshot"),
        ))
    };
    for source in [Source::WorkTree, head()] {
        let catalog = Project::load(repo.path(), source.clone(), Scope::Catalog).expect("loads");
        assert!(catalog.ws.assessments.is_empty() && catalog.ws.groups.is_empty());
        assert!(catalog.ws.config.is_some());
        assert!(!catalog.catalog.certifications.is_empty());
        let other = Scope::Groups(["other".to_owned()].into());
        let some = Project::load(repo.path(), source.clone(), other).expect("loads");
        let groups: Vec<&str> = some
            .ws
            .assessments
            .iter()
            .map(|a| a.group.as_str())
            .collect();
        assert_eq!(groups, ["other"]);
        assert_eq!(some.ws.groups.len(), 2, "every group is known");
        let all = Project::load(repo.path(), source, Scope::All).expect("loads");
        assert_eq!(all.ws.assessments.len(), 3);
    }
}

/// An overlay lays an edit over a revision as over the work tree: the edited file reads
/// as given, a removed one is gone, and the rest is the revision's.
#[test]
fn an_overlay_lays_an_edit_over_a_revision() {
    let repo = TestRepo::base();
    committed(&repo);
    let gdpr = "groups/default-group/office-365--gdpr.yaml";
    let at_head = Project::at_revision(repo.path(), "HEAD", Scope::All).expect("loads");
    let mut overlay = Overlay::default();
    let archived =
        repo.read(gdpr)
            .replacen("controls:", "archived: 2019-06-01T00:00:00Z\ncontrols:", 1);
    overlay.files.insert(gdpr.to_owned(), Some(archived));
    // The work tree changes after the revision was read: the overlay lays over the
    // revision, not over the disk.
    std::fs::remove_dir_all(repo.path().join("groups")).expect("remove");
    let after = at_head.with_overlay(&overlay).expect("loads");
    let a = after
        .ws
        .assessments
        .iter()
        .find(|a| a.stem == "office-365--gdpr")
        .expect("still there");
    assert!(a.is_archived());
    assert_eq!(after.ws.assessments.len(), at_head.ws.assessments.len());
    overlay.files.insert(gdpr.to_owned(), None);
    let removed = at_head.with_overlay(&overlay).expect("loads");
    assert_eq!(
        removed.ws.assessments.len(),
        at_head.ws.assessments.len() - 1
    );
}

/// A reader that stops reading (`assure … | head -1`) ends the command quietly with exit
/// status 0: the closed pipe is recognised by its error kind, not by words in a message.
#[test]
fn a_closed_pipe_is_not_a_failure() {
    let repo = TestRepo::base();
    for args in [
        &["catalog", "show", "nist-800-53-r5"][..],
        &["schema", "assessment"][..],
    ] {
        let (code, stderr) = closed_stdout(repo.path(), args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

/// A repository read one group at a time (`GroupWise`, what `status`, `sync --check` and
/// the reports go over) hands each group over as the project a load of that group's
/// scope gives: the same files, groups, assessments and findings, in the whole load's
/// order, from the work tree and from a revision.
#[test]
fn a_repository_read_group_by_group_gives_each_group_its_scoped_project() {
    use assure::ops::group_wise::GroupWise;
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let mut repos = vec![TestRepo::copy_of(&example)];
    for name in [
        "sync-out-of-sync",
        "missing-group-file",
        "invalid-value",
        "duplicate-assessment",
    ] {
        repos.push(TestRepo::with_overlay(
            &fixtures().join("invalid").join(name),
        ));
    }
    for repo in &repos {
        committed(repo);
        let whole = Project::work_tree(repo.path()).expect("loads");
        for (wise, source) in [
            (
                GroupWise::work_tree(repo.path()).expect("opens"),
                Source::WorkTree,
            ),
            (
                GroupWise::at_revision(repo.path(), "HEAD").expect("opens"),
                {
                    let git = assure::git::Git::require(repo.path()).expect("git");
                    Source::Revision(std::sync::Arc::new(
                        assure::ops::project::snapshot(&git, "HEAD").expect("snapshot"),
                    ))
                },
            ),
        ] {
            let seen = wise.map(repo::Values::Move, &|_, _| {}, |p| {
                let group = p.groups_in_scope().expect("one group").clone();
                let scoped =
                    Project::load(repo.path(), source.clone(), Scope::Groups(group.clone()))
                        .expect("loads");
                let keys =
                    |p: &Project| p.ws.assessments.iter().map(|a| a.key()).collect::<Vec<_>>();
                assert_eq!(keys(&p), keys(&scoped), "{group:?}");
                assert_eq!(p.ws.groups.len(), scoped.ws.groups.len());
                assert_eq!(
                    findings(&p),
                    findings(&scoped),
                    "{group:?} of {}",
                    repo.path().display()
                );
                keys(&p)
            });
            let keys: Vec<String> = whole.ws.assessments.iter().map(|a| a.key()).collect();
            assert_eq!(seen.concat(), keys, "group order is the whole load's");
            assert!(!seen.is_empty() && !keys.is_empty());
            assert_eq!(
                wise.catalog().certifications.len(),
                whole.catalog.certifications.len()
            );
        }
    }
}
