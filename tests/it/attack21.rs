//! Issue 21's features attacked the way a hostile or careless user would: the ratchet,
//! the testing rules, evidence freshness, `--as-of` and `import excel`. Each test is a
//! way around a defence (or a slip) that once got through, or that must keep failing.

use calamine::Data;

use crate::excel_import21::{CUSTOMER, FILE, edit, files, import, repo, text, workbook};

const NARRATIVE: &str = "Implementation";
const ACTIONS: &str = "Action items";

// ---------------------------------------------------------------------------------------
// import excel

/// A text typed into an empty cell (a management response the control did not have) is
/// an edit: it was once shown as `""` and dropped as "nothing to change".
#[test]
fn a_text_typed_into_an_empty_cell_is_imported() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        b.set(
            NARRATIVE,
            "6.10.1.2",
            "Management response",
            text("We accept the risk until Q3."),
        );
        b.set(
            ACTIONS,
            "6.10.1.2",
            "Notes",
            text("Scanner report attached."),
        );
    });
    let out = import(&repo, "alice@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("6.10.1.2 management response: \"\" → \"We accept the risk until Q3.\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "6.10.1.2 action notes: \"Please attach the scanner report.\" → \"Scanner report attached.\""
        ),
        "{}",
        out.stdout
    );
    let yaml = repo.read(FILE);
    assert!(
        yaml.contains("    management_response: We accept the risk until Q3.\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("      notes: Scanner report attached.\n"),
        "{yaml}"
    );
}

/// A text the repository already holds (the same management response entered with the
/// CLI since the workbook was made) is a note, not a conflict, and writes nothing.
#[test]
fn a_text_the_repository_already_holds_is_a_note() {
    let repo = repo();
    let wb = workbook(&repo);
    let set = crate::support::run_env(
        repo.path(),
        &[
            "--as",
            "alice@example.com",
            "control",
            "set",
            crate::excel_import21::GDPR,
            "6.10.1.2",
            "--management-response",
            "Accepted.",
        ],
        &[],
    );
    assert_eq!(set.code, 0, "{}{}", set.stdout, set.stderr);
    let before = files(&repo);
    edit(&wb, |b| {
        b.set(
            NARRATIVE,
            "6.10.1.2",
            "Management response",
            text("Accepted."),
        )
    });
    let out = import(&repo, "alice@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("the management response of 6.10.1.2 is already \"Accepted.\""),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("nothing to change"), "{}", out.stdout);
    assert_eq!(files(&repo), before);
}

/// The row an auditor adds to Implementation for a customer control that has none (as
/// `import excel --help` offers) writes its texts: every new text once read "" and the
/// whole row was dropped.
#[test]
fn a_row_added_to_implementation_writes_its_texts() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        let rows = b.rows(NARRATIVE);
        rows.retain(|r| r.iter().any(|c| c != &Data::Empty));
        rows.push(vec![
            text("6.2.2.1"),
            Data::Empty,
            text("Roles are set in the RACI matrix."),
            text("Read the RACI matrix."),
        ]);
    });
    let out = import(&repo, "alice@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(
            "Implementation!C3  6.2.2.1 implementation: \"\" → \"Roles are set in the RACI matrix.\""
        ),
        "{}",
        out.stdout
    );
    let yaml = repo.read(FILE);
    assert!(
        yaml.contains(
            "  \"6.2.2.1\":\n    implementation: Roles are set in the RACI matrix.\n    test_plan: Read the RACI matrix.\n"
        ),
        "{yaml}"
    );
}

/// Numbers where the workbook had text or a date: a number typed as an implementation is
/// that text (quoted in YAML, so it stays a string), an Excel date serial typed into a
/// test date is that day, and a date with a time of day is refused as not a date.
#[test]
fn numbers_typed_into_text_and_date_cells() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        b.set(NARRATIVE, "6.10.1.2", "Test plan", Data::Float(42.0));
        b.set(CUSTOMER, "6.2.1.1", "Test date", Data::Float(45000.0));
        b.set(CUSTOMER, "6.2.1.1", "Test result", text("Passed"));
    });
    let out = import(&repo, "alice@example.com", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let yaml = repo.read(FILE);
    assert!(yaml.contains("    test_plan: \"42\"\n"), "{yaml}");
    assert!(
        yaml.contains("    test_date: 2023-03-15\n    test_result: passed\n"),
        "{yaml}"
    );

    let repo = self::repo();
    let wb = workbook(&repo);
    let before = files(&repo);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Test date", Data::Float(45000.5));
    });
    let out = import(&repo, "alice@example.com", &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("\"45000.5\" is not a date; write YYYY-MM-DD"),
        "{}",
        out.stderr
    );
    assert_eq!(files(&repo), before);
}

/// One good edit and one bad cell: nothing at all is written, every file byte for byte.
#[test]
fn one_bad_cell_among_good_ones_writes_nothing() {
    let repo = repo();
    let wb = workbook(&repo);
    let before = files(&repo);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Implemented"));
        b.set(NARRATIVE, "6.10.1.2", "Management response", text("Fine."));
        b.set(CUSTOMER, "6.2.2.1", "Test date", text("31/12/2019"));
    });
    let out = import(&repo, "alice@example.com", &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "Customer controls!G3 (test date of 6.2.2.1): \"31/12/2019\" is not a date; write YYYY-MM-DD"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(files(&repo), before);
}

/// The hidden marker sheet edited to claim that a provider-managed control is a customer
/// row: the edit is refused by the editing path, and nothing is written.
#[test]
fn a_marker_claiming_a_provider_control_writes_nothing() {
    let repo = repo();
    let wb = workbook(&repo);
    let before = files(&repo);
    edit(&wb, |b| {
        let row: Vec<Data> = [
            "Access control",
            "6.6.2.2",
            "Provider access to customer data",
            "",
            "Implemented",
        ]
        .map(text)
        .into_iter()
        .collect();
        b.rows(CUSTOMER).push(row);
        let marker = b.rows("assure");
        let at = marker
            .iter()
            .position(|r| r.get(1) == Some(&text(CUSTOMER)))
            .expect("the customer table")
            + 1;
        let recorded: Vec<Data> = [
            "row",
            "6.6.2.2",
            "Access control",
            "6.6.2.2",
            "Provider access to customer data",
            "",
            "Not started",
        ]
        .map(text)
        .into_iter()
        .collect();
        marker.insert(at, recorded);
    });
    let out = import(&repo, "alice@example.com", &[]);
    assert_ne!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("`6.6.2.2` is managed by the provider"),
        "{}",
        out.stderr
    );
    assert_eq!(files(&repo), before);
}

/// Another edit holds the lock: busy (exit 3), nothing written.
#[test]
fn import_while_another_edit_holds_the_lock_is_busy() {
    let repo = repo();
    let wb = workbook(&repo);
    edit(&wb, |b| {
        b.set(CUSTOMER, "6.2.1.1", "Status", text("Implemented"))
    });
    let before = files(&repo);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(repo.path().join(".git/assure.lock"))
        .expect("open lock");
    lock.lock().expect("hold the lock");
    let out = crate::support::run_env(
        repo.path(),
        &["--as", "alice@example.com", "import", "excel", "wb.xlsx"],
        &[("ASSURE_LOCK_TIMEOUT_MS", "100")],
    );
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    assert_eq!(files(&repo), before);
    drop(lock);
}

// ---------------------------------------------------------------------------------------
// tester_is_not_implementer

const OLD_TEXT: &str =
    "    implementation: TLS 1.2 or later is enforced on every public endpoint.\n";
const NEW_TEXT: &str = "    implementation: TLS 1.3 only, HSTS preloaded.\n";
const GDPR_TESTED: &str = "    test_date: 2019-04-02\n    test_result: passed\n";
const GDPR_RETESTED: &str = "    test_date: 2019-05-03\n    test_result: passed\n";

/// The testing rule on at the base.
fn rule_history() -> (crate::gate::Change, git2::Oid) {
    let c = crate::gate::Change::new();
    let config = c.repo.read("assure.yaml");
    c.repo.write(
        "assure.yaml",
        format!("{config}rules:\n  tester_is_not_implementer: true\n"),
    );
    let base = c.commit("carol@example.com", "Switch the testing rules on");
    (c, base)
}

fn self_tested(c: &crate::gate::Change, base: git2::Oid) -> Vec<crate::gate::Finding> {
    let (_, found) = c.check_from(base, &[]);
    found
        .into_iter()
        .filter(|f| f.code == "tester-is-implementer")
        .collect()
}

/// Bob writes the implementation into the NIST control synced with GDPR 6.10.1.2, Alice
/// copies it across (`assure sync`), and Bob records the GDPR control's retest: he tested
/// the text he wrote, though GDPR's file has it from Alice's commit.
#[test]
fn a_text_written_in_a_synced_control_and_copied_by_another_is_still_the_writers() {
    let (c, base) = rule_history();
    c.edit(crate::gate::NIST_FILE, OLD_TEXT, NEW_TEXT);
    c.commit("bob@example.com", "New TLS policy on SC-13");
    c.edit(crate::gate::GDPR_FILE, OLD_TEXT, NEW_TEXT);
    c.commit("alice@example.com", "Sync SC-13 to GDPR");
    c.edit(crate::gate::GDPR_FILE, GDPR_TESTED, GDPR_RETESTED);
    c.commit("bob@example.com", "Retest 6.10.1.2");
    let found = self_tested(&c, base);
    assert_eq!(found.len(), 1, "{found:?}");
    let m = &found[0].message;
    assert!(
        m.contains(
            "the tester also wrote the control's implementation: bob <bob@example.com> in commit"
        ),
        "{m}"
    );
    assert!(m.contains("SC-13, which sync copies into it"), "{m}");
    assert!(!m.contains("alice"), "{m}");
}

/// With `implementation` left out of `sync.fields`, sync never copies it: the text Alice
/// wrote into GDPR's control is hers, and Bob's NIST text is not the tested control's.
#[test]
fn a_text_that_sync_does_not_copy_is_not_the_peers_writers() {
    let (c, base) = rule_history();
    let config = c.repo.read("assure.yaml");
    c.repo.write(
        "assure.yaml",
        format!("{config}sync:\n  fields: [status, test_result, test_date]\n"),
    );
    let base2 = c.commit("carol@example.com", "Sync no implementation");
    let _ = base;
    c.edit(crate::gate::NIST_FILE, OLD_TEXT, NEW_TEXT);
    c.commit("bob@example.com", "New TLS policy on SC-13");
    c.edit(crate::gate::GDPR_FILE, OLD_TEXT, NEW_TEXT);
    c.commit("alice@example.com", "Alice's own text on 6.10.1.2");
    c.edit(crate::gate::GDPR_FILE, GDPR_TESTED, GDPR_RETESTED);
    c.commit("bob@example.com", "Retest 6.10.1.2");
    let found = self_tested(&c, base2);
    assert!(found.is_empty(), "{found:?}");
}

/// The same, with Bob writing the GDPR text himself: refused (the rule's own case, here
/// as the control the synced case above needs).
#[test]
fn the_same_text_written_by_the_tester_in_the_tested_file_is_refused() {
    let (c, base) = rule_history();
    c.edit(crate::gate::NIST_FILE, OLD_TEXT, NEW_TEXT);
    c.edit(crate::gate::GDPR_FILE, OLD_TEXT, NEW_TEXT);
    c.commit("bob@example.com", "New TLS policy on SC-13 and 6.10.1.2");
    c.edit(crate::gate::GDPR_FILE, GDPR_TESTED, GDPR_RETESTED);
    c.commit("bob@example.com", "Retest 6.10.1.2");
    let found = self_tested(&c, base);
    assert_eq!(found.len(), 1, "{found:?}");
}

/// The writer's e-mail in another case (before the base, where nobody checked it) is
/// still the tester.
#[test]
fn a_writer_in_another_case_is_still_the_tester() {
    let (c, _) = rule_history();
    c.edit(crate::gate::GDPR_FILE, OLD_TEXT, NEW_TEXT);
    c.edit(crate::gate::NIST_FILE, OLD_TEXT, NEW_TEXT);
    c.commit("BOB@Example.COM", "New TLS policy");
    let base = c.commit("carol@example.com", "Review");
    c.edit(crate::gate::GDPR_FILE, GDPR_TESTED, GDPR_RETESTED);
    c.commit("bob@example.com", "Retest 6.10.1.2");
    let found = self_tested(&c, base);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains(
            "the tester also wrote the control's implementation: BOB <BOB@Example.COM> in commit"
        ),
        "{}",
        found[0].message
    );
}

/// The rule switched off in the change itself still holds for that change.
#[test]
fn switching_the_rule_off_in_the_change_does_not_switch_it_off_for_it() {
    let (c, base) = rule_history();
    let config = c.repo.read("assure.yaml");
    c.repo.write(
        "assure.yaml",
        config.replace(
            "tester_is_not_implementer: true",
            "tester_is_not_implementer: false",
        ),
    );
    c.commit("carol@example.com", "Rules off");
    c.edit(crate::gate::GDPR_FILE, OLD_TEXT, NEW_TEXT);
    c.edit(crate::gate::NIST_FILE, OLD_TEXT, NEW_TEXT);
    c.edit(crate::gate::GDPR_FILE, GDPR_TESTED, GDPR_RETESTED);
    c.commit("bob@example.com", "New TLS policy, retested");
    assert_eq!(self_tested(&c, base).len(), 1);
}

// ---------------------------------------------------------------------------------------
// the ratchet

const HOUSE_CERT: &str = "catalog/certifications/house.yaml";
const HOUSE_FILE: &str = "groups/default-group/office-365--house.yaml";
const HOUSE: &str = "\
id: house
name: House Rules
title: House rules
version: \"1\"
description: The organization's own controls.
source: Written for this test.
family_term: Area
categories:
  - id: core
    name: Core
    required: true
  - id: extra
    name: Extra
families:
  - name: Core rules
    category: core
    controls:
      - id: H-1
        title: First rule
        score: 10
        description: The first rule.
  - name: Extra rules
    category: extra
    controls:
      - id: X-1
        title: Extra rule
        score: 4
        description: The extra rule.
";
const HOUSE_ASSESSMENT: &str = "\
service: office-365
certification: house
created: 2019-01-15T09:45:00Z
created_by: alice@example.com
categories:
  - extra
controls:
  H-1:
    status: implemented
    test_date: 2019-04-30
    test_result: passed
  X-1:
    status: implemented
    test_date: 2019-04-30
    test_result: passed
";

/// The gate base with the ratchet on and an assessment of the repository's own
/// certification, both of its controls passed (score 14): the base.
fn house_history() -> (crate::gate::Change, git2::Oid) {
    let c = crate::gate::Change::new();
    let config = c.repo.read("assure.yaml");
    c.repo
        .write("assure.yaml", format!("{config}ratchet: true\n"));
    c.repo.write(HOUSE_CERT, HOUSE);
    c.repo.write(HOUSE_FILE, HOUSE_ASSESSMENT);
    let base = c.commit(
        "carol@example.com",
        "House rules, both passed; the ratchet on",
    );
    assert_eq!(
        crate::gate::gate_only(c.check_from(base, &[])),
        (0, vec![]),
        "the base is clean"
    );
    (c, base)
}

fn regressions(c: &crate::gate::Change, base: git2::Oid) -> Vec<String> {
    let (_, found) = c.check_from(base, &[]);
    found
        .into_iter()
        .filter(|f| f.code == "compliance-regression")
        .map(|f| format!("{}: {}", f.file, f.message))
        .collect()
}

/// A control's score value lowered in the repository's catalog lowers the score without
/// touching the assessment: judged all the same.
#[test]
fn a_score_value_lowered_in_the_catalog_is_a_regression() {
    let (c, base) = house_history();
    c.edit(HOUSE_CERT, "        score: 10\n", "        score: 1\n");
    c.commit("carol@example.com", "H-1 is worth less");
    let found = regressions(&c, base);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!(
            "{HOUSE_FILE}: the change as a whole: score of default-group/office-365--house falls 14 → 5 (control H-1: score value 10 → score value 1)"
        )),
        "{}",
        found[0]
    );
}

/// A template handing a passed control to a provider whose test failed lowers the
/// score, and fails the control, without a line of the assessment changing: a regression.
#[test]
fn a_control_handed_to_a_failing_provider_by_a_template_is_a_regression() {
    let (c, base) = house_history();
    c.repo.write(
        "catalog/templates/office-365--house.yaml",
        "service: office-365\ncertification: house\nin_scope_services: [Exchange Online]\nprovider_controls:\n  H-1:\n    status: implemented\n    test_date: 2019-01-01\n    test_result: failed-high-risk\n    tested_by: Auditor\n    description: The provider does it.\n",
    );
    c.commit("carol@example.com", "The provider manages H-1");
    let found = regressions(&c, base);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(
            "score of default-group/office-365--house falls 14 → 4 (control H-1: passed → failed-high-risk)"
        ),
        "{}",
        found[0]
    );
}

/// A passed control taken out of scope by dropping the assessment's optional category
/// is a regression.
#[test]
fn a_category_dropped_from_the_assessment_is_a_regression() {
    let (c, base) = house_history();
    c.edit(HOUSE_FILE, "categories:\n  - extra\n", "");
    c.edit(
        HOUSE_FILE,
        "  X-1:\n    status: implemented\n    test_date: 2019-04-30\n    test_result: passed\n",
        "",
    );
    c.commit("alice@example.com", "Extra rules are out of scope");
    let found = regressions(&c, base);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(
            "score of default-group/office-365--house falls 14 → 10 (control X-1: passed → not in the assessment)"
        ),
        "{}",
        found[0]
    );
}

/// An assessment renamed (its file moved within its group) with its score: the old one
/// is gone, a regression to state.
#[test]
fn an_assessment_renamed_is_a_regression_of_the_old_name() {
    let (c, base) = house_history();
    let text = c.repo.read(HOUSE_FILE);
    std::fs::remove_file(c.repo.path().join(HOUSE_FILE)).expect("remove");
    c.repo.write(
        "groups/default-group/azure--house.yaml",
        text.replace("service: office-365", "service: azure"),
    );
    c.commit("alice@example.com", "It is Azure, not Office 365");
    let found = regressions(&c, base);
    assert!(
        found.iter().any(|f| f.contains(
            "score of default-group/office-365--house falls 14 → none: the assessment is gone"
        )),
        "{found:?}"
    );
}

/// A reason nobody can see — a zero-width space, a word joiner, a byte-order mark — is no
/// reason: the ratchet's point is that a regression is visible with its reason.
#[test]
fn an_invisible_regression_reason_states_nothing() {
    for reason in ["\u{200B}", "\u{2060}\u{FEFF}", "\u{200E} \u{00AD}"] {
        let (c, base) = house_history();
        c.edit(
            HOUSE_FILE,
            "  H-1:\n    status: implemented\n    test_date: 2019-04-30\n    test_result: passed\n",
            "  H-1:\n    status: implemented\n    test_date: 2019-05-30\n    test_result: failed-low-risk\n",
        );
        c.commit(
            "carol@example.com",
            &format!("Retest H-1\n\nCompliance-Regression: {reason}\n"),
        );
        let found = regressions(&c, base);
        assert_eq!(found.len(), 1, "{reason:?}: {found:?}");
        assert!(
            found[0].ends_with("and no commit in the range states why"),
            "{}",
            found[0]
        );
    }
}

// ---------------------------------------------------------------------------------------
// not_in_scope_needs_reason

/// An invisible management response is no reason for a control out of scope.
#[test]
fn an_invisible_management_response_is_no_reason() {
    const NIST: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
    for response in ["\\u200B", "\\u2060\\uFEFF", "\\u00A0\\u3000"] {
        let repo = crate::support::TestRepo::base();
        let config = repo.read("assure.yaml");
        repo.write(
            "assure.yaml",
            format!("{config}rules:\n  not_in_scope_needs_reason: true\n"),
        );
        let nist = repo.read(NIST);
        let at = nist.find("  CM-2:\n").expect("CM-2 in the base");
        repo.write(
            NIST,
            format!(
                "{}  CM-2:\n    status: not-in-scope\n    management_response: \"{response}\"\n",
                &nist[..at]
            ),
        );
        let (code, found) = crate::support::findings(&repo);
        assert_eq!(code, 1, "{response}: {found:?}");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "not-in-scope-without-reason", "{found:?}");
    }
}

// ---------------------------------------------------------------------------------------
// --as-of

/// `--as-of` values that look like options, name a blob, search a message, or name a tag
/// of a tag: a clear answer each, the commit named, and the work tree, the index and
/// `git status` exactly as they were (an uncommitted change included).
#[test]
fn as_of_odd_revisions_name_the_commit_or_say_why_and_touch_nothing() {
    use crate::support::{GitRepo, TestRepo, git_cli, run_env, snapshot};
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let seed = git.commit_all("alice@example.com", "Seed the repository", 1_700_000_000);
    let short = seed.to_string()[..7].to_owned();
    for args in [
        &["tag", "-a", "v1", "-m", "v1", "HEAD"][..],
        &[
            "-c",
            "advice.nestedTag=false",
            "tag",
            "-a",
            "v1-of-v1",
            "-m",
            "tag of a tag",
            "v1",
        ],
    ] {
        let out = git_cli(repo.path(), args);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    // An uncommitted change, in the work tree and in the index.
    let text = repo
        .read(FILE)
        .replacen("status: planned", "status: implemented", 1);
    repo.write(FILE, text);
    assert_eq!(git_cli(repo.path(), &["add", FILE]).code, 0);
    let status = |r: &TestRepo| git_cli(r.path(), &["status", "--porcelain"]).stdout;
    let index = || std::fs::read(repo.path().join(".git/index")).expect("index");
    let (files_before, status_before, index_before) =
        (snapshot(repo.path()), status(&repo), index());
    let gdpr = crate::excel_import21::GDPR;
    for (asked, says) in [
        ("--as-of=-x", "--as-of -x: revision `-x` does not exist"),
        (
            "--as-of=--help",
            "--as-of --help: revision `--help` does not exist",
        ),
        ("--as-of=HEAD:assure.yaml", "names a blob, not a commit"),
        ("--as-of=07/12/2026", "revision `07/12/2026` does not exist"),
    ] {
        let out = run_env(repo.path(), &["controls", gdpr, asked], &[]);
        assert_eq!(out.code, 2, "{asked}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.is_empty(), "{asked}: {}", out.stdout);
        assert!(out.stderr.contains(says), "{asked}: {}", out.stderr);
    }
    for asked in [
        "--as-of=:/Seed",
        "--as-of=v1-of-v1",
        "--as-of=HEAD@{0}",
        "--as-of= HEAD ",
    ] {
        let out = run_env(repo.path(), &["controls", gdpr, asked], &[]);
        assert_eq!(out.code, 0, "{asked}: {}", out.stderr);
        let first = out.stdout.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!(
                "as of {short} (2023-11-14, \"Seed the repository\") — tags v1, v1-of-v1"
            )),
            "{asked}: {first}"
        );
        // The past view: 6.2.1.1 as committed, not as staged.
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains("6.2.1.1"))
            .unwrap_or_default();
        assert!(line.contains("Planned"), "{asked}: {line}");
    }
    // The index before `git status`, which may refresh it itself.
    assert_eq!(index(), index_before);
    assert_eq!(snapshot(repo.path()), files_before);
    assert_eq!(status(&repo), status_before);
}
