//! Hostile and broken input: each is a located finding or a clear error, never a panic,
//! a hang or a partial result.

use crate::support::{TestRepo, assure, findings};

fn only(repo: &TestRepo) -> (String, String, u64) {
    let (code, found) = findings(repo);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().expect("one")
}

#[test]
fn a_50_mb_file_is_refused_unread() {
    let repo = TestRepo::base();
    let line = "description: padding padding padding padding padding padding padding\n";
    repo.write(
        "groups/default-group/group.yaml",
        format!(
            "name: Default Group\n{}",
            line.repeat(50 * 1024 * 1024 / line.len())
        ),
    );
    assert_eq!(
        only(&repo),
        (
            "file-too-large".into(),
            "groups/default-group/group.yaml".into(),
            1
        )
    );
}

#[test]
fn nesting_10000_deep_is_refused() {
    let repo = TestRepo::base();
    repo.write(
        "groups/default-group/group.yaml",
        format!("name: x\nd: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
    );
    assert_eq!(
        only(&repo),
        (
            "yaml-too-deep".into(),
            "groups/default-group/group.yaml".into(),
            2
        )
    );
    let repo = TestRepo::base();
    // Block style too: a sequence of sequences, 10,000 deep, on one line.
    repo.write(
        "groups/default-group/group.yaml",
        format!("name: x\nd:\n  {}x\n", "- ".repeat(10_000)),
    );
    assert_eq!(only(&repo).0, "yaml-too-deep");
}

#[test]
fn billion_laughs_is_refused() {
    let repo = TestRepo::base();
    let mut text = String::from(
        "name: x\na0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    repo.write("groups/default-group/group.yaml", text);
    let (code, file, line) = only(&repo);
    assert_eq!(
        (code.as_str(), file.as_str()),
        ("yaml-alias-bomb", "groups/default-group/group.yaml")
    );
    assert!(line >= 3, "located at an alias, line {line}");
}

#[test]
fn non_utf8_points_at_the_byte() {
    let repo = TestRepo::base();
    repo.write(
        "groups/default-group/group.yaml",
        b"name: ok\n\ndescription: \xff\xfe\n".as_slice(),
    );
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("groups/default-group/group.yaml:3:14"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("[not-utf8]"), "{}", out.stdout);
}

#[test]
fn wrong_types_and_unknown_fields_are_located() {
    let repo = TestRepo::base();
    repo.write(
        "groups/default-group/group.yaml",
        "name:\n  - a list\ncolour: blue\n",
    );
    let (_, found) = findings(&repo);
    assert_eq!(
        found,
        vec![
            (
                "wrong-type".into(),
                "groups/default-group/group.yaml".into(),
                2
            ),
            (
                "unknown-field".into(),
                "groups/default-group/group.yaml".into(),
                3
            )
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_repository_is_refused() {
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(outside.path().join("secret.txt"), "secret").expect("write");
    let repo = TestRepo::base();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        repo.path().join("evidence/link.txt"),
    )
    .expect("symlink");
    let nist = repo.read("groups/default-group/office-365--nist-800-53-r5.yaml");
    repo.write(
        "groups/default-group/office-365--nist-800-53-r5.yaml",
        format!(
            "{nist}    documents:\n      - path: evidence/link.txt\n        sha256: \"{}\"\n",
            "a".repeat(64)
        ),
    );
    assert_eq!(
        only(&repo),
        (
            "evidence-outside-repository".into(),
            "groups/default-group/office-365--nist-800-53-r5.yaml".into(),
            25
        )
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_finding() {
    let repo = TestRepo::base();
    std::fs::remove_file(repo.path().join("groups/default-group/group.yaml")).expect("rm");
    std::os::unix::fs::symlink(
        "/nonexistent/assure-test",
        repo.path().join("groups/default-group/group.yaml"),
    )
    .expect("symlink");
    // A dangling link is not followed, like any link (paths_and_links.rs).
    assert_eq!(
        only(&repo),
        (
            "symbolic-link".into(),
            "groups/default-group/group.yaml".into(),
            1
        )
    );
}

#[test]
fn no_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = assure(&["validate"], dir.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no assure.yaml found"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("assure init"), "{}", out.stderr);
    let out = assure(&["validate", "-C", "does/not/exist"], dir.path());
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no such folder"), "{}", out.stderr);
}

#[test]
fn bad_arguments_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = assure(&["validate", "--format", "xml"], dir.path());
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid value 'xml'"), "{}", out.stderr);
}

#[test]
fn root_is_found_from_a_subfolder_and_c_works_after_the_subcommand() {
    let repo = TestRepo::base();
    let out = assure(&["validate"], &repo.path().join("groups/default-group"));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let out = assure(
        &["status", "-C", repo.path().to_str().expect("utf-8")],
        std::path::Path::new("/"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("Fixture Corp"), "{}", out.stdout);
}
