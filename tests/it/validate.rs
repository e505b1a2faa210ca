//! `assure validate` on fixture repositories: the good one is clean, and every case under
//! `tests/fixtures/invalid/<code>/` reports exactly the findings in its `expect.txt`
//! (code, file and line).

use std::collections::BTreeSet;

use assure::diag::{Code, Severity};

use crate::support::{TestRepo, findings, fixtures};

#[test]
fn base_fixture_is_clean() {
    let repo = TestRepo::base();
    let (code, found) = findings(&repo);
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
}

#[test]
fn every_invalid_fixture_reports_exactly_its_findings() {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("invalid"))
        .expect("invalid/")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 30,
        "expected a case per rule, found {}",
        cases.len()
    );
    for case in cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let expected: Vec<(String, String, u64)> = std::fs::read_to_string(case.join("expect.txt"))
            .unwrap_or_else(|_| panic!("{name}: expect.txt"))
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (code, place) = l.split_once(' ').expect("CODE PATH:LINE");
                let (path, line) = place.rsplit_once(':').expect("PATH:LINE");
                (
                    code.to_owned(),
                    path.to_owned(),
                    line.parse().expect("line number"),
                )
            })
            .collect();
        assert!(
            expected.iter().any(|(c, _, _)| *c == name),
            "{name}: the case must expect its own code"
        );
        let repo = TestRepo::with_overlay(&case);
        let (exit, found) = findings(&repo);
        assert_eq!(found, expected, "{name}: findings differ");
        let has_error = expected
            .iter()
            .any(|(c, _, _)| Code::from_name(c).expect("known code").severity() == Severity::Error);
        assert_eq!(exit, if has_error { 1 } else { 0 }, "{name}: exit code");
    }
}

#[test]
fn every_code_is_covered_by_a_fixture_or_a_dedicated_test() {
    let cases: BTreeSet<String> = std::fs::read_dir(fixtures().join("invalid"))
        .expect("invalid/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    // These need conditions a checked-in fixture cannot hold; bad_input.rs makes them.
    // bad_input.rs makes the first two; the `change` family needs git history (gate.rs).
    let dedicated = [
        "file-too-large",
        "file-unreadable",
        // paths_and_links.rs: git cannot check a link out the same on every platform.
        "symbolic-link",
        "evidence-symbolic-link",
        "permission-denied",
        "archived-modified",
        "unarchived",
        "assessment-moved",
        "unchecked-change",
        "not-a-regular-file",
        "blob-too-large",
        "unsigned-commit",
        // rules21.rs: judged from git history.
        "tester-is-implementer",
        // ratchet21.rs: judged from git history.
        "compliance-regression",
    ];
    for code in Code::ALL {
        assert!(
            cases.contains(code.name()) || dedicated.contains(&code.name()),
            "no fixture for `{}`",
            code.name()
        );
    }
}

#[test]
fn example_repository_validates_clean() {
    // On the day of its last test; later its evidence ages (the demo shows it expired,
    // tests/it/freshview21.rs).
    let out = crate::support::assure(
        &["validate", "-C", "example-repo", "--today", "2019-08-20"],
        &crate::support::project_root(),
    );
    assert_eq!(out.stdout.trim_end(), "no problems found", "{}", out.stdout);
    assert_eq!(out.code, 0);
}

#[test]
fn github_format_is_workflow_commands_with_repository_paths() {
    let repo = TestRepo::with_overlay(&fixtures().join("invalid/test-date-in-future"));
    let out = repo.run(&["validate", "--format", "github"]);
    assert_eq!(out.code, 1);
    let line = out.stdout.lines().next().expect("one annotation");
    assert!(
        line.starts_with("::error file=groups/default-group/office-365--nist-800-53-r5.yaml,line=19,col=16,endLine=19,endColumn=26,title=test-date-in-future::control `CM-2` has test date 2999-05-10"),
        "{line}"
    );
    assert!(
        line.contains("%0Ahelp: "),
        "help follows on an escaped new line: {line}"
    );
}

#[test]
fn sarif_output_has_rules_results_and_locations() {
    let repo = TestRepo::with_overlay(&fixtures().join("invalid/duplicate-person"));
    let out = repo.run(&["validate", "--format", "sarif"]);
    assert_eq!(out.code, 1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .len(),
        Code::ALL.len()
    );
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "duplicate-person");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], "assure.yaml");
    assert_eq!(region["region"]["startLine"], 19);
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        13
    );
}

#[test]
fn explain_knows_every_code() {
    let root = crate::support::project_root();
    for code in Code::ALL {
        let out = crate::support::assure(&["explain", code.name()], &root);
        assert_eq!(out.code, 0);
        assert!(out.stdout.contains(code.explanation()), "{}", code.name());
    }
    let out = crate::support::assure(&["explain", "test-date-in-futur"], &root);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `test-date-in-future`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn unknown_field_suggests_the_field_meant() {
    let repo = TestRepo::with_overlay(&fixtures().join("invalid/unknown-field"));
    let out = repo.run(&["validate"]);
    assert!(
        out.stdout.contains("did you mean `test_result`?"),
        "{}",
        out.stdout
    );
}

#[test]
fn test_date_today_is_allowed_and_tomorrow_is_not() {
    let repo = TestRepo::base();
    let nist = repo.read("groups/default-group/office-365--nist-800-53-r5.yaml");
    repo.write(
        "groups/default-group/office-365--nist-800-53-r5.yaml",
        nist.replace("2019-05-10", crate::support::TODAY),
    );
    assert_eq!(findings(&repo).1, vec![]);
    repo.write(
        "groups/default-group/office-365--nist-800-53-r5.yaml",
        nist.replace("2019-05-10", "2026-01-02"),
    );
    assert_eq!(
        findings(&repo).1,
        vec![(
            "test-date-in-future".into(),
            "groups/default-group/office-365--nist-800-53-r5.yaml".into(),
            19
        )]
    );
}

#[test]
fn archived_assessments_leave_every_sync_class() {
    let repo = TestRepo::with_overlay(&fixtures().join("invalid/sync-out-of-sync"));
    let nist = repo.read("groups/default-group/office-365--nist-800-53-r5.yaml");
    repo.write(
        "groups/default-group/office-365--nist-800-53-r5.yaml",
        nist.replace(
            "created_by: alice@example.com\n",
            "created_by: alice@example.com\narchived: 2020-01-01T00:00:00Z\n",
        ),
    );
    assert_eq!(findings(&repo).1, vec![]);
}

#[test]
fn a_related_control_in_a_single_assessment_forms_a_class() {
    // A repository mapping relates two GDPR controls; one assessment holds both.
    let repo = TestRepo::base();
    repo.write(
        "catalog/mappings/internal.yaml",
        "related:\n  - [gdpr:6.2.1.1, gdpr:6.2.2.1]\n",
    );
    let (code, found) = findings(&repo);
    assert_eq!(
        found,
        vec![(
            "sync-out-of-sync".into(),
            "groups/default-group/office-365--gdpr.yaml".into(),
            20
        )]
    );
    assert_eq!(code, 1);
}

/// A finding with its files named by path (file ids differ between the two readers).
fn described(sources: &assure::repo::source::SourceMap, d: &assure::diag::Diagnostic) -> String {
    let label =
        |l: &assure::diag::Label| format!("{}@{:?} {}", sources.path(l.file), l.span, l.message);
    format!(
        "{} {:?} {} | {} | {} | {:?}",
        d.code.name(),
        d.severity,
        d.message,
        d.primary.as_ref().map(label).unwrap_or_default(),
        d.secondary.iter().map(label).collect::<Vec<_>>().join("; "),
        d.help
    )
}

/// Reading the repository one group at a time (`assure validate`) finds exactly what
/// checking the whole loaded repository finds, labels and all: on every invalid fixture,
/// and on a generated repository with findings in several groups at once (a sync class
/// out of sync, unknown people, a duplicate group name, a broken file).
#[test]
fn validating_group_by_group_finds_what_the_whole_repository_check_finds() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let same = |root: &std::path::Path| {
        let project = assure::ops::Project::work_tree(root).expect("opens");
        let whole: Vec<String> = assure::ops::validate::check(&project, today)
            .iter()
            .map(|d| described(&project.ws.sources, d))
            .collect();
        let request = assure::ops::validate::Request {
            base: None,
            actor: None,
            acting: None,
            today,
        };
        let found = assure::ops::validate::run(root, &request).expect("opens");
        let by_group: Vec<String> = found
            .findings
            .iter()
            .map(|d| described(&found.sources, d))
            .collect();
        assert_eq!(by_group, whole, "{}", root.display());
        whole.len()
    };
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("invalid"))
        .expect("invalid/")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    for case in cases {
        assert!(
            same(TestRepo::with_overlay(&case).path()) > 0,
            "{}",
            case.display()
        );
    }
    assert_eq!(same(TestRepo::base().path()), 0);

    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("gen");
    let out = crate::support::assure(
        &[
            "generate",
            root.to_str().expect("utf-8"),
            "--groups",
            "3",
            "--assessments",
            "4",
            "--controls",
            "40",
        ],
        dir.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(same(&root), 0);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{rel} holds {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    };
    let first = |group: &str| {
        let mut files: Vec<String> = std::fs::read_dir(root.join("groups").join(group))
            .expect("group folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n != "group.yaml")
            .collect();
        files.sort();
        format!("groups/{group}/{}", files[0])
    };
    // Two groups with findings, one of them out of sync with itself; a duplicate name.
    edit(
        &first("group-000"),
        "created_by: admin@example.com",
        "created_by: ghost@example.com",
    );
    edit(
        &first("group-002"),
        "status: implemented\n",
        "status: planned\n",
    );
    edit(
        &first("group-002"),
        "assigned_to: contrib1@example.com",
        "assigned_to: nobody@example.com",
    );
    let name = std::fs::read_to_string(root.join("groups/group-000/group.yaml")).expect("read");
    std::fs::write(root.join("groups/group-001/group.yaml"), name).expect("write");
    std::fs::write(root.join("groups/group-001/broken.yaml"), "controls: [\n").expect("write");
    let n = same(&root);
    assert!(n >= 4, "{n} findings");
}

/// `assure generate` (DESIGN.md §10): a valid repository of the asked size, the same for
/// the same seed, with shared and related controls in sync (breaking one member is a
/// finding), people in every role, and a history by several authors.
#[test]
fn the_generator_writes_a_valid_repository_of_the_asked_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let generate = |name: &str, seed: &str, commits: &str| {
        let root = dir.path().join(name);
        let out = crate::support::assure(
            &[
                "generate",
                root.to_str().expect("utf-8"),
                "--groups",
                "2",
                "--assessments",
                "8",
                "--controls",
                "60",
                "--seed",
                seed,
                "--commits",
                commits,
            ],
            dir.path(),
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        root
    };
    let a = generate("a", "7", "0");
    assert_eq!(
        crate::support::snapshot(&a),
        crate::support::snapshot(&generate("b", "7", "0"))
    );
    assert_ne!(
        crate::support::snapshot(&a),
        crate::support::snapshot(&generate("c", "8", "0"))
    );

    let out = crate::support::assure(&["validate", "-C", a.to_str().expect("utf-8")], dir.path());
    assert_eq!(
        (out.code, out.stdout.trim()),
        (0, "no problems found"),
        "{}",
        out.stderr
    );
    let project = assure::ops::Project::work_tree(&a).expect("opens");
    assert_eq!(project.ws.groups.len(), 2);
    assert_eq!(project.ws.assessments.len(), 16);
    let records: usize = project
        .ws
        .assessments
        .iter()
        .map(|x| x.doc.value.controls.len())
        .sum();
    assert!(
        (16 * 55..=16 * 65).contains(&records),
        "{records} records for 16 × 60"
    );
    let config = &project.ws.config.as_ref().expect("assure.yaml").value;
    let roles: BTreeSet<String> = config
        .people
        .iter()
        .flat_map(|p| p.roles.iter().map(|r| format!("{r:?}")))
        .collect();
    assert_eq!(roles.len(), 5, "{roles:?}");

    // Every shared or related control is in sync; break one member of each kind.
    let items: Vec<assure::rules::sync::Item> = project
        .ws
        .assessments
        .iter()
        .map(|x| assure::rules::sync::Item {
            group: &x.group,
            key: &x.stem,
            value: &x.doc.value,
        })
        .collect();
    let classes = assure::rules::sync::classes(&items, &project.catalog);
    let related = |c: &&assure::rules::sync::Class| {
        c.members.iter().any(|m| m.control != c.members[0].control)
    };
    let started = |c: &&assure::rules::sync::Class| c.members.iter().all(|m| m.record().is_some());
    let shared = classes
        .iter()
        .filter(started)
        .find(|c| !related(c))
        .expect("a shared control");
    let linked = classes
        .iter()
        .filter(started)
        .find(related)
        .expect("related controls");
    for class in [shared, linked] {
        let m = class
            .members
            .iter()
            .find(|m| m.record().is_some())
            .expect("a started member");
        let x = &project.ws.assessments[m.item];
        let path = a.join(format!("groups/{}/{}.yaml", x.group, x.stem));
        let text = std::fs::read_to_string(&path).expect("read");
        let at = text
            .find(&format!("  {}:\n    status: ", m.control))
            .expect("the record");
        let broken = format!(
            "{}status: planned # was{}",
            &text[..at + m.control.len() + 8],
            &text[at + m.control.len() + 15..]
        );
        std::fs::write(&path, broken).expect("write");
        let (code, found) = json_codes(&a);
        assert_eq!(code, 1);
        assert!(found.contains(&"sync-out-of-sync".to_owned()), "{found:?}");
        std::fs::write(&path, text).expect("restore");
    }

    // A history of N commits by several authors.
    let h = generate("h", "7", "6");
    let log = crate::support::git_cli(&h, &["log", "--format=%ae"]);
    let authors: Vec<&str> = log.stdout.lines().collect();
    assert_eq!(authors.len(), 6, "{}", log.stdout);
    assert!(
        authors.iter().collect::<BTreeSet<_>>().len() >= 3,
        "{authors:?}"
    );
    let out = crate::support::assure(&["validate", "-C", h.to_str().expect("utf-8")], dir.path());
    assert_eq!(out.code, 0, "{}", out.stdout);
}

fn json_codes(root: &std::path::Path) -> (i32, Vec<String>) {
    let out = crate::support::assure(
        &[
            "validate",
            "--format",
            "json",
            "-C",
            root.to_str().expect("utf-8"),
        ],
        root,
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let codes = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect();
    (out.code, codes)
}

/// An editing command about one assessment loads its group only (with everything that is
/// not an assessment), and checks the edited repository loaded as far: the other groups'
/// assessments are read by neither, whatever their size. The whole repository reopens
/// whole.
#[test]
fn a_project_of_some_groups_reopens_with_a_change_as_far() {
    use assure::ops::Project;
    use assure::repo::{Overlay, Scope, Source};
    let repo = TestRepo::base();
    let gdpr = "groups/default-group/office-365--gdpr.yaml";
    repo.write("groups/other/group.yaml", "name: Other\n");
    repo.write("groups/other/office-365--gdpr.yaml", repo.read(gdpr));
    let groups_of =
        |p: &Project| -> Vec<String> { p.ws.assessments.iter().map(|a| a.group.clone()).collect() };
    let mut overlay = Overlay::default();
    let changed =
        repo.read(gdpr)
            .replacen("controls:", "archived: 2019-06-01T00:00:00Z\ncontrols:", 1);
    overlay.files.insert(gdpr.to_owned(), Some(changed));

    let one: BTreeSet<String> = ["default-group".to_owned()].into();
    let scoped = Project::load(repo.path(), Source::WorkTree, Scope::Groups(one)).expect("loads");
    assert_eq!(groups_of(&scoped), ["default-group", "default-group"]);
    // Every group is still known (group names are checked across groups).
    assert_eq!(scoped.ws.groups.len(), 2);
    let after = scoped.with_overlay(&overlay).expect("loads");
    assert_eq!(groups_of(&after), ["default-group", "default-group"]);
    let archived: Vec<bool> = after
        .ws
        .assessments
        .iter()
        .map(|a| a.doc.value.archived.is_some())
        .collect();
    assert_eq!(archived, [true, false], "the change is applied");

    let whole = Project::work_tree(repo.path()).expect("loads");
    let after = whole.with_overlay(&overlay).expect("loads");
    assert_eq!(
        groups_of(&after),
        ["default-group", "default-group", "other"]
    );
}
