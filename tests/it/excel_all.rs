//! `assure report excel --all` (issue 22): the repository read one group at a time and
//! the workbooks written on every core give the same workbooks as the one-assessment
//! command, the same bytes whatever the number of cores, and a failure half-way leaves
//! the earlier folder as it was.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::support::{TestRepo, project_root, run_env, snapshot};

type Book = Xlsx<std::io::BufReader<std::fs::File>>;

fn excel(dir: &Path, args: &[&str], env: &[(&str, &str)]) {
    let mut full = vec!["report", "excel"];
    full.extend_from_slice(args);
    let out = run_env(dir, &full, env);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}

/// Every sheet of the workbook at `path` (the very hidden marker sheet too), as calamine
/// reads it: (sheet, rows).
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Book =
        open_workbook(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book
                .worksheet_range(&name)
                .unwrap_or_else(|e| panic!("{}: sheet {name}: {e}", path.display()));
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

/// The assessments of the example repository, `group/file`, as `report excel` names them.
fn example_assessments(root: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    for group in std::fs::read_dir(root.join("groups")).expect("groups") {
        let group = group.expect("entry").path();
        for file in std::fs::read_dir(&group).expect("group") {
            let name = file
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if let Some(stem) = name.strip_suffix(".yaml")
                && name != "group.yaml"
            {
                let g = group.file_name().expect("name").to_string_lossy();
                keys.push(format!("{g}/{stem}"));
            }
        }
    }
    keys.sort();
    keys
}

#[test]
fn all_writes_every_workbook_as_the_one_assessment_command_does() {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    excel(repo.path(), &["--all", "-o", "all"], &[]);
    let keys = example_assessments(repo.path());
    assert!(keys.len() > 10, "{keys:?}");
    let mut names: Vec<String> = std::fs::read_dir(repo.path().join("all"))
        .expect("all")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".assure-workbooks")
        .collect();
    names.sort();
    let want: Vec<String> = keys
        .iter()
        .map(|k| format!("{}.xlsx", k.replace('/', "--")))
        .collect();
    assert_eq!(names, want);
    for (key, name) in keys.iter().zip(&names) {
        // A sibling folder: document links relative to it are the same as from `all`.
        let one = format!("one/{name}");
        excel(repo.path(), &[key, "-o", &one], &[]);
        let (all, one) = (repo.path().join("all").join(name), repo.path().join(&one));
        let from_all = sheets(&all);
        assert_eq!(from_all.len(), 7, "{name}: six sheets and the marker");
        assert!(from_all.iter().all(|(_, rows)| !rows.is_empty()), "{name}");
        assert_eq!(from_all, sheets(&one), "{name}: the same cells");
        assert!(
            std::fs::read(&all).expect("read") == std::fs::read(&one).expect("read"),
            "{name}: the same bytes"
        );
    }
}

#[test]
fn one_core_or_two_write_the_same_bytes() {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    excel(
        repo.path(),
        &["--all", "-o", "one"],
        &[("RAYON_NUM_THREADS", "1")],
    );
    excel(
        repo.path(),
        &["--all", "-o", "two"],
        &[("RAYON_NUM_THREADS", "2")],
    );
    let (one, two) = (
        snapshot(&repo.path().join("one")),
        snapshot(&repo.path().join("two")),
    );
    assert!(one.len() > 10, "{:?}", one.keys());
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &one {
        assert!(
            *bytes == two[name],
            "{name} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn a_workbook_that_fails_half_way_leaves_the_earlier_folder_as_it_was() {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    excel(repo.path(), &["--all", "-o", "reports"], &[]);
    let before = snapshot(&repo.path().join("reports"));
    let listing = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let beside = listing(repo.path());
    // The last group's assessment names a certification the catalog does not have: its
    // workbook cannot be rendered, after others have been written.
    let path = "groups/gdpr-assessments-2019/office-365--gdpr.yaml";
    let text = repo
        .read(path)
        .replace("certification: gdpr", "certification: nope");
    repo.write(path, text);
    let out = run_env(
        repo.path(),
        &["report", "excel", "--all", "-o", "reports"],
        &[],
    );
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("nope"), "{}", out.stderr);
    assert!(
        out.stdout.is_empty(),
        "nothing said written: {}",
        out.stdout
    );
    assert_eq!(snapshot(&repo.path().join("reports")), before);
    assert_eq!(listing(repo.path()), beside, "no staging folder left over");
}
