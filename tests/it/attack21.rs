//! Issue 21's features attacked the way a hostile or careless user would: the ratchet,
//! the testing rules, evidence freshness, `--as-of` and `import excel`. Each test is a
//! way around a defence (or a slip) that once got through, or that must keep failing.

use calamine::Data;

use crate::excel_import21::{FILE, edit, files, import, repo, text, workbook};

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
    let _ = Data::Empty;
}
