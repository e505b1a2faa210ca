//! `diff` reads each changed file's version at the head commit as its version at the base
//! with the touched controls' entries re-read (issue 22): a review feeds the permission
//! gate, so over random histories of several assessment files — every edit of
//! `log_cut`'s histories (block scalars, quoted and multi-line text, CRLF, an anchor and
//! alias, comments, controls added, removed, renamed and reordered, fields reordered,
//! versions broken and repaired), one commit changing every file, a file renamed and
//! back — a review with incremental reading must equal the review with every version
//! parsed whole: its JSON byte for byte and everything the markdown is rendered from,
//! for each commit against its parent and for ranges of several commits; the CLI's JSON
//! equals the whole-parsing review's; and the versions read agree, keys in order.

use assure::git::Git;
use assure::ops::history::{Side, Versions};
use assure::ops::review::{Review, review_with};

use crate::log_cut::{Control, File, Rng, body, faulty, repair, step};
use crate::support::{GitRepo, TestRepo, run_env, unix};

const SERVICES: [&str; 3] = ["office-365", "slack", "zoom"];

/// A file's path: under its service's name, or (renamed) another one.
fn path(service: &str, renamed: bool) -> String {
    let stem = if renamed { "-old" } else { "" };
    format!("groups/default-group/{service}{stem}--gdpr.yaml")
}

/// One commit's edit of `file`, of a kind chosen at random (see `log_cut::step`).
fn edit(file: &mut File, rng: &mut Rng) {
    let before = file.render();
    if faulty(file) && rng.below(2) == 0 {
        repair(file);
    }
    while file.render() == before {
        step(file, rng, "6.10.1.2");
    }
}

/// A history of `commits` random commits over three assessment files: most edit one
/// file, some every file, some rename a file (or rename it back), some touch another
/// file only.
fn history(seed: u64, commits: usize) -> TestRepo {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let mut rng = Rng(seed);
    let mut files: Vec<(File, bool)> = SERVICES
        .iter()
        .map(|service| {
            let controls = ["6.6.2.1", "6.10.1.2", "7.2.1.1", "6.8.1.1", "6.8.1.2"]
                .iter()
                .map(|key| Control {
                    key: (*key).to_owned(),
                    quoted: rng.below(2) == 0,
                    comment: None,
                    body: body(&mut rng),
                })
                .collect();
            let file = File {
                service: (*service).to_owned(),
                created_by: "alice@example.com".to_owned(),
                controls,
                crlf: false,
                broken: false,
            };
            (file, false)
        })
        .collect();
    let write = |files: &[(File, bool)]| {
        for (file, renamed) in files {
            repo.write(&path(&file.service, *renamed), file.render());
        }
    };
    write(&files);
    let start = unix("2019-03-01T10:00:00Z");
    git.commit_all("carol@example.com", "Start", start);
    for n in 1..commits {
        match rng.below(10) {
            0 => repo.write("groups/default-group/other.txt", format!("{n}\n")),
            1 => files.iter_mut().for_each(|(f, _)| edit(f, &mut rng)),
            2 => {
                let (file, renamed) = &mut files[rng.below(SERVICES.len())];
                let old = repo.path().join(path(&file.service, *renamed));
                std::fs::remove_file(old).expect("remove");
                *renamed = !*renamed;
                if rng.below(2) == 0 {
                    edit(file, &mut rng);
                }
            }
            _ => {
                let i = rng.below(SERVICES.len());
                edit(&mut files[i].0, &mut rng);
            }
        }
        write(&files);
        let message = format!("Step {n}");
        git.commit_all("alice@example.com", &message, start + n as i64 * 60);
    }
    repo
}

/// The review of `base..head`, with incremental reading on or off.
fn review(repo: &TestRepo, base: &str, head: &str, incremental: bool) -> Review {
    review_with(repo.path(), Some(base), Some(head), &|_, _| {}, incremental)
        .unwrap_or_else(|e| panic!("review {base}..{head}: {e}"))
}

/// The two reviews of `base..head` agree: the JSON byte for byte, and every field (the
/// markdown is rendered from them alone). Returns the JSON.
fn reviews_agree(repo: &TestRepo, base: &str, head: &str) -> String {
    let on = review(repo, base, head, true);
    let off = review(repo, base, head, false);
    let json = serde_json::to_string_pretty(&off).expect("json");
    assert_eq!(
        serde_json::to_string_pretty(&on).expect("json"),
        json,
        "{base}..{head}"
    );
    assert_eq!(format!("{on:?}"), format!("{off:?}"), "{base}..{head}");
    json
}

/// Every changed file's versions at `base` and `head`, read with incremental reading on
/// and off, are the same JSON, keys in the same order; returns how many versions were
/// read incrementally and how many were read.
fn versions_agree(git: &Git, repo: &TestRepo, base: &str, head: &str) -> (usize, usize) {
    let (b, h) = (
        git.resolve(base).expect("base"),
        git.resolve(head).expect("head"),
    );
    let (b, h) = (Side::Commit(b), Side::Commit(h));
    let on = Versions::new(git, repo.path());
    let mut off = Versions::new(git, repo.path());
    off.set_incremental(false);
    let paths = on.changed_files(b, h).expect("changed");
    let a = on.file_versions(b, h, &paths).expect("read");
    let z = off.file_versions(b, h, &paths).expect("read");
    let text = |v: &Option<serde_json::Value>| serde_json::to_string(v).expect("json");
    for (a, z) in a.iter().zip(&z) {
        assert_eq!(text(&a.old), text(&z.old), "{} at {base}", a.path);
        assert_eq!(text(&a.new), text(&z.new), "{} at {head}", a.path);
        assert_eq!((a.old_blob, a.new_blob), (z.old_blob, z.new_blob));
    }
    assert_eq!(off.incremental.get(), 0);
    (on.incremental.get(), on.parsed.get())
}

#[test]
fn a_diff_read_incrementally_is_the_diff_of_whole_versions() {
    for (seed, commits) in [(0x9E37_79B9_7F4A_7C15, 70), (0x0DDB_1A5E_5BAD_5EED, 70)] {
        let repo = history(seed, commits);
        let git = Git::require(repo.path()).expect("git");
        let (mut incremental, mut read) = (0, 0);
        for k in 0..commits - 1 {
            let (base, head) = (format!("HEAD~{}", k + 1), format!("HEAD~{k}"));
            reviews_agree(&repo, &base, &head);
            let (i, r) = versions_agree(&git, &repo, &base, &head);
            (incremental, read) = (incremental + i, read + r);
        }
        // Ranges of several commits, and the CLI's JSON of some.
        let mut rng = Rng(seed ^ 0x5555);
        for n in 0..24 {
            let head = rng.below(commits - 2);
            let base = head + 2 + rng.below(commits - 2 - head);
            let (base, head) = (format!("HEAD~{base}"), format!("HEAD~{head}"));
            let json = reviews_agree(&repo, &base, &head);
            versions_agree(&git, &repo, &base, &head);
            if n % 4 == 0 {
                let range = format!("{base}..{head}");
                let out = run_env(repo.path(), &["diff", &range, "--format", "json"], &[]);
                assert_eq!(out.code, 0, "{}", out.stderr);
                assert_eq!(out.stdout, format!("{json}\n"), "{range}");
            }
        }
        // Many single-commit changes are within the controls' entries and keep their
        // keys (an added, removed, renamed or moved control reads the version whole).
        assert!(
            incremental >= 15 && incremental * 10 >= read,
            "{incremental} of {read} read incrementally"
        );
    }
}
