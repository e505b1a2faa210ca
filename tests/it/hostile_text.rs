//! Hostile text (issue 15, item 9): repository values that carry terminal control
//! sequences, line breaks or bidirectional overrides.
//!
//! - Names are one line without control characters: a located `invalid-value` finding.
//! - `notify` never lets repository text add a mail header, and never panics: a name
//!   with "\r\nBcc:" is refused with a clear error, a bad address is an error of its
//!   notification only.
//! - What assure prints (`control show`, `controls`, `actions`, `log`, `status`, `diff`,
//!   `validate`) shows control and bidi characters escaped, never raw.

use std::path::Path;

use crate::support::{GitRepo, Output, TestRepo, run_env, snapshot};

const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const HOSTILE: &str = "default-group/office-365--hostile";
const HOSTILE_FILE: &str = "groups/default-group/office-365--hostile.yaml";
/// Seconds since the epoch of the commits (2024-03-01).
const T0: i64 = 1_709_280_000;

/// Whether `s` has a character no terminal output may carry raw: a C0 control other
/// than line feed and tab, DEL, a C1 control, or a bidi embedding/override/isolate. A
/// CR is allowed only in a CRLF.
fn raw_hostile(s: &str) -> Option<char> {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        let crlf = c == '\r' && chars.get(i + 1) == Some(&'\n');
        let hostile = (c.is_control() && c != '\n' && c != '\t' && !crlf)
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        hostile.then_some(c)
    })
}

fn assert_clean(what: &str, out: &Output) {
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if let Some(c) = raw_hostile(text) {
            panic!(
                "{what}: {stream} has a raw U+{:04X}:\n{}",
                u32::from(c),
                text.escape_debug()
            );
        }
    }
}

fn run(repo: &Path, args: &[&str]) -> Output {
    run_env(repo, args, &[])
}

// ---------------------------------------------------------------------------------------
// Names are one line

#[test]
fn a_name_with_a_line_break_or_control_character_is_a_located_error() {
    let repo = TestRepo::base();
    let config = repo
        .read("assure.yaml")
        .replace(
            "organization: Fixture Corp",
            "organization: \"Fixture\\tCorp\"",
        )
        .replace(
            "name: Bob Assessor",
            "name: \"Bob\\r\\nBcc: evil@example.net\"",
        )
        .replace("name: Dave Contributor", "name: \"Dave \\e[31mRed\"")
        .replace("name: Erin Reader", "name: \"Erin \\u202Eredaer\"")
        .replace("name: Carol Portal", "name: \"Carol \\u0085Portal\"");
    repo.write("assure.yaml", &config);
    repo.write(
        "groups/default-group/group.yaml",
        "name: \"Default\\u0007 group\"\n",
    );
    let out = run(repo.path(), &["validate", "--format", "json"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let mut found: Vec<(String, String, u64, u64)> = crate::support::located(&out)
        .into_iter()
        .map(|(code, file, line, column, _)| (code, file, line, column))
        .collect();
    found.sort();
    let at = |file: &str, line: u64, column: u64| {
        ("invalid-value".to_owned(), file.to_owned(), line, column)
    };
    assert_eq!(
        found,
        vec![
            at("assure.yaml", 2, 15),
            at("assure.yaml", 8, 11),
            at("assure.yaml", 11, 11),
            at("assure.yaml", 14, 11),
            at("assure.yaml", 17, 11),
            at("groups/default-group/group.yaml", 1, 7),
        ],
        "{}",
        out.stdout
    );

    // The human report names the problem and the fix, and echoes the value escaped.
    let out = run(repo.path(), &["validate"]);
    assert_eq!(out.code, 1);
    assert_clean("validate", &out);
    for part in [
        "`name` must be one line without control characters, found \"Bob\\r\\nBcc: evil@example.net\"",
        "--> assure.yaml:8:11",
        "has a line break",
        "found \"Dave \\u001b[31mRed\"",
        "has the control character U+001B",
        "has the bidirectional-text control U+202E",
        "`organization` must be one line",
        "--> groups/default-group/group.yaml:1:7",
        "help: write it on one line",
    ] {
        assert!(out.stdout.contains(part), "{part:?} in:\n{}", out.stdout);
    }

    // Ordinary names in any script stay valid.
    let repo = TestRepo::base();
    let config = repo
        .read("assure.yaml")
        .replace("name: Bob Assessor", "name: \"Zoë Ünal-Ødegård 山田 محمد\"");
    repo.write("assure.yaml", &config);
    let out = run(repo.path(), &["validate"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

// ---------------------------------------------------------------------------------------
// Mail headers

/// The base fixture in git, then a commit switching notify on for bob's action item
/// (6.10.1.2) and dave's (6.2.1.1), with `edit` applied to the files before that commit.
fn notify_scenario(edit: impl FnOnce(&TestRepo)) -> (TestRepo, git2::Oid) {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let base = git.commit_all("carol@example.com", "Base", T0);
    let text = repo
        .read(GDPR_FILE)
        .replace(
            "      priority: high\n",
            "      priority: high\n      notify: true\n",
        )
        .replace(
            "      priority: medium\n",
            "      priority: medium\n      notify: true\n",
        );
    repo.write(GDPR_FILE, text);
    edit(&repo);
    git.commit_all("alice@example.com", "Notify bob and dave", T0 + 60);
    (repo, base)
}

/// Every `.eml` file in `dir` with its text.
fn emls(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                // The outbox's marker file is not a message.
                .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read_to_string(e.path()).expect("read eml"),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The header names of a message (before the first blank line), continuation lines
/// joined to their header.
fn header_names(eml: &str) -> Vec<String> {
    let head = eml.split("\r\n\r\n").next().expect("headers");
    head.split("\r\n")
        .filter(|l| !l.starts_with([' ', '\t']))
        .map(|l| l.split(':').next().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn a_name_with_a_line_break_cannot_add_a_mail_header() {
    let (repo, base) = notify_scenario(|repo| {
        let config = repo.read("assure.yaml").replace(
            "name: Bob Assessor",
            "name: \"Bob\\r\\nBcc: evil@example.net\"",
        );
        repo.write("assure.yaml", config);
    });
    let outbox = tempfile::tempdir().expect("temp dir");
    let before = snapshot(repo.path());
    let out = run(
        repo.path(),
        &[
            "notify",
            "--base",
            &base.to_string(),
            "--dry-run",
            outbox.path().to_str().expect("utf-8"),
        ],
    );
    // Today: lettre panics building the To: header (exit 101).
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_clean("notify", &out);
    for part in [
        "assure.yaml does not load",
        "must be one line without control characters",
        "Bob\\r\\nBcc: evil@example.net",
        "(line 8, column 11)",
        "assure validate",
    ] {
        assert!(out.stderr.contains(part), "{part:?} in:\n{}", out.stderr);
    }
    assert!(emls(outbox.path()).is_empty(), "nothing written");
    assert_eq!(snapshot(repo.path()), before, "nothing touched");
}

#[test]
fn an_address_with_a_line_break_in_history_is_an_error_of_that_email_only() {
    // The assessment is committed without validation; `notify` reads it from git.
    let (repo, base) = notify_scenario(|repo| {
        let text = repo.read(GDPR_FILE).replace(
            "assigned_to: dave@example.com",
            "assigned_to: \"dave@example.com\\r\\nBcc: evil@example.net\"",
        );
        repo.write(GDPR_FILE, text);
    });
    let outbox = tempfile::tempdir().expect("temp dir");
    let out = run(
        repo.path(),
        &[
            "notify",
            "--base",
            &base.to_string(),
            "--dry-run",
            outbox.path().to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_clean("notify", &out);
    assert!(
        out.stderr.contains(
            "could not send default-group/office-365--gdpr 6.2.1.1 to dave@example.com\\r\\nBcc: evil@example.net"
        ) && out.stderr.contains("invalid email address"),
        "{}",
        out.stderr
    );
    // Bob's email is still written, with the headers assure builds and no other.
    let written = emls(outbox.path());
    assert_eq!(written.len(), 1, "{written:?}");
    let (name, text) = &written[0];
    assert!(name.contains("bob@example.com"), "{name}");
    assert_eq!(
        header_names(text),
        vec![
            "From",
            "To",
            "Subject",
            "Message-ID",
            "Content-Type",
            "Content-Transfer-Encoding",
            "Date"
        ],
        "{text}"
    );
    assert!(!text.to_lowercase().contains("bcc"), "{text}");
}

// ---------------------------------------------------------------------------------------
// Terminal output

/// ESC (a colour and a screen clear), BEL, a lone CR, C1 CSI (U+009B), DEL and a
/// right-to-left override, in YAML double-quoted form and as shown escaped.
const CONTROLS_YAML: &str = "\\e[31mred\\e[2J \\a bell \\r over \\u009B2J \\x7F \\u202Eevil";
const CONTROLS_SHOWN: &[&str] = &[
    "\\u001b[31mred\\u001b[2J",
    "\\u0007 bell",
    "\\r over",
    "\\u009b2J",
    "\\u007f",
    "\\u202eevil",
];

/// The base fixture plus a repository certification (`hostile`) whose texts, provider
/// control and an assessment of it all carry [`CONTROLS_YAML`]; in git, with a last
/// commit (by alice) that edits the values, and a work-tree edit after it.
fn hostile_repo() -> (TestRepo, git2::Oid) {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let base = git.commit_all("carol@example.com", "Base", T0);
    let h = CONTROLS_YAML;
    repo.write(
        "catalog/certifications/hostile.yaml",
        format!(
            "id: hostile\nname: \"Hostile {h}\"\nversion: \"1\"\nfamilies:\n  - name: \"Family {h}\"\n    controls:\n      - id: H-1\n        title: \"Title {h}\"\n        score: 3\n        description: \"Do {h}\"\n      - id: H-2\n        title: \"Provider {h}\"\n        score: 1\n"
        ),
    );
    repo.write(
        "catalog/templates/office-365--hostile.yaml",
        format!(
            "service: office-365\ncertification: hostile\nin_scope_services: [\"Mail {h}\"]\nprovider_controls:\n  H-2:\n    status: implemented\n    test_date: 2024-01-02\n    test_result: passed\n    tested_by: \"Auditor {h}\"\n    description: \"Provider does {h}\"\n"
        ),
    );
    let assessment = |notes: &str| {
        format!(
            "service: office-365\ncertification: hostile\ncreated: 2024-01-01T00:00:00Z\ncreated_by: alice@example.com\ncontrols:\n  H-1:\n    status: implemented\n    implementation: \"Impl {h}\"\n    test_plan: \"Plan {h}\"\n    management_response: \"Response {h}\"\n    assigned_to: bob@example.com\n    action:\n      priority: high\n      notes: \"{notes}\"\n"
        )
    };
    repo.write(HOSTILE_FILE, assessment(&format!("Notes {h}")));
    git.commit_all(
        "alice@example.com",
        "Hostile \u{1b}[31m\u{202e} commit",
        T0 + 60,
    );
    // An uncommitted edit too, for `diff` of the work tree.
    repo.write(HOSTILE_FILE, assessment(&format!("Edited {h}")));
    let text = repo
        .read(GDPR_FILE)
        .replace("status: planned", "status: implemented");
    repo.write(GDPR_FILE, text);
    (repo, base)
}

fn assert_escaped(what: &str, out: &Output, parts: &[&str]) {
    assert_clean(what, out);
    for part in parts {
        assert!(
            out.stdout.contains(part),
            "{what}: no {part:?} in:\n{}",
            out.stdout
        );
    }
}

#[test]
fn terminal_output_shows_control_characters_escaped() {
    let (repo, base) = hostile_repo();
    let base = base.to_string();
    let valid = run(repo.path(), &["validate"]);
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);

    let out = run(repo.path(), &["control", "show", HOSTILE, "H-1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_escaped("control show", &out, CONTROLS_SHOWN);
    for field in ["Title ", "Impl ", "Plan ", "Response ", "Edited ", "Do "] {
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains(field))
            .unwrap_or_else(|| panic!("no {field:?} in:\n{}", out.stdout));
        assert!(line.contains("\\u001b[31mred"), "{line}");
    }
    let out = run(repo.path(), &["control", "show", HOSTILE, "H-2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_escaped("control show (provider)", &out, CONTROLS_SHOWN);

    let out = run(repo.path(), &["controls", HOSTILE]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_escaped(
        "controls",
        &out,
        &["Family \\u001b[31mred", "Title \\u001b"],
    );

    let out = run(repo.path(), &["actions", "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_escaped("actions", &out, &["Title \\u001b", "Edited \\u001b[31mred"]);

    let out = run(repo.path(), &["status"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_escaped("status", &out, &["Hostile \\u001b[31mred"]);

    let out = run(repo.path(), &["log"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_escaped("log", &out, &["Hostile \\u001b[31m\\u202e commit"]);

    let out = run(repo.path(), &["diff", &base]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_escaped("diff", &out, &["Hostile \\u001b[31mred"]);

    // JSON is still JSON, with the same values.
    let out = run(
        repo.path(),
        &["control", "show", HOSTILE, "H-1", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean("control show --format json", &out);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        v["title"].as_str(),
        Some("Title \u{1b}[31mred\u{1b}[2J \u{7} bell \r over \u{9b}2J \u{7f} \u{202e}evil")
    );

    // A finding that echoes a value (an unknown person) shows it escaped too.
    let text = repo.read(HOSTILE_FILE).replace(
        "assigned_to: bob@example.com",
        "assigned_to: \"\\u202Emoc.elpmaxe@bob\"",
    );
    repo.write(HOSTILE_FILE, text);
    let out = run(repo.path(), &["validate"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_escaped("validate", &out, &["\\u202emoc.elpmaxe@bob"]);
}
