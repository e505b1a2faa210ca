//! Evidence freshness in the views (issue 21, item 2): `status` counts expired and
//! expiring documents per assessment, `actions` lists expired evidence to renew under the
//! assignee's item, `control show` gives each document's dates and state, the site marks
//! controls and lists what expires next, the workbook has the dates as date cells and the
//! state; all judged on the CLI's day (`--today`), so a report made with `--today` is the
//! same bytes whenever it is made; and the demo shows an expired document.
//!
//! The fixture is the base repository with the TLS scan (`evidence/tls-scan.txt`, testing
//! evidence of NIST SC-13 and GDPR 6.10.1.2, a sync class, both assigned to Bob) collected
//! on 2019-04-02 and valid until 2026-03-01: on 2026-03-04 it expired 3 days ago, on
//! 2026-02-17 it expires in 12 days, on 2026-01-01 it is valid (59 days ahead, outside
//! the default 30-day window).

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

use crate::support::site_data::{control, controls};
use crate::support::{GitRepo, Output, TestRepo, run_env, unix};

const NIST_FILE: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";
const GDPR_FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const GDPR: &str = "default-group/office-365--gdpr";
const PURPOSE: &str = "        purpose: testing\n";
const EXPIRED_DAY: &str = "2026-03-04";
const EXPIRING_DAY: &str = "2026-02-17";
const VALID_DAY: &str = "2026-01-01";

/// The base fixture with the TLS scan dated in both members of its sync class.
fn dated() -> TestRepo {
    let repo = TestRepo::base();
    for file in [NIST_FILE, GDPR_FILE] {
        let text = repo.read(file);
        assert_eq!(text.matches(PURPOSE).count(), 1, "{file}");
        repo.write(
            file,
            text.replace(
                PURPOSE,
                &format!(
                    "{PURPOSE}        collected_on: 2019-04-02\n        valid_until: 2026-03-01\n"
                ),
            ),
        );
    }
    repo
}

/// `assure ARGS --today DAY` in `repo`, which must succeed.
fn on(repo: &TestRepo, day: &str, args: &[&str]) -> Output {
    let mut full = args.to_vec();
    full.extend(["--today", day]);
    let out = repo.run(&full);
    assert_eq!(out.code, 0, "assure {full:?}\n{}{}", out.stdout, out.stderr);
    out
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}\n{}", out.stdout, out.stderr))
}

/// Each tile's `evidence` counts by assessment key, from `status --format json`.
fn counts(repo: &TestRepo, day: &str, extra: &[&str]) -> Vec<(String, u64, u64)> {
    let mut args = vec!["status", "--format", "json"];
    args.extend_from_slice(extra);
    let v = json(&on(repo, day, &args));
    let tiles = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["tiles"].as_array().expect("tiles").clone())
        .chain(v["archived"].as_array().expect("archived").clone());
    tiles
        .map(|t| {
            (
                t["assessment"].as_str().expect("key").to_owned(),
                t["evidence"]["expired"].as_u64().expect("expired"),
                t["evidence"]["expiring"].as_u64().expect("expiring"),
            )
        })
        .collect()
}

#[test]
fn status_counts_expired_and_expiring_documents_per_assessment() {
    let repo = dated();
    let both = |expired, expiring| {
        vec![
            (GDPR.to_owned(), expired, expiring),
            (NIST.to_owned(), expired, expiring),
        ]
    };
    assert_eq!(counts(&repo, EXPIRED_DAY, &[]), both(1, 0));
    assert_eq!(counts(&repo, EXPIRING_DAY, &[]), both(0, 1));
    assert_eq!(counts(&repo, VALID_DAY, &[]), both(0, 0));

    // The human dashboard says it under the tile, and says nothing when all is well.
    let human = on(&repo, EXPIRED_DAY, &["status"]).stdout;
    assert_eq!(
        human
            .matches("    evidence: 1 expired, 0 expiring soon\n")
            .count(),
        2,
        "{human}"
    );
    let human = on(&repo, EXPIRING_DAY, &["status"]).stdout;
    assert_eq!(
        human
            .matches("    evidence: 0 expired, 1 expiring soon\n")
            .count(),
        2,
        "{human}"
    );
    assert!(
        !on(&repo, VALID_DAY, &["status"])
            .stdout
            .contains("evidence:")
    );

    // --today wins over the environment's day (the harness pins ASSURE_TODAY to
    // 2026-01-01, when the scan is valid).
    let env = run_env(repo.path(), &["status", "--today", EXPIRED_DAY], &[]);
    assert!(env.stdout.contains("evidence: 1 expired"), "{}", env.stdout);

    // An archived assessment is read-only forever: its evidence ageing counts nowhere,
    // as in `validate`.
    let text = repo.read(GDPR_FILE);
    repo.write(
        GDPR_FILE,
        text.replace(
            "created_by: alice@example.com\n",
            "created_by: alice@example.com\narchived: 2025-06-01T00:00:00Z\n",
        ),
    );
    assert_eq!(
        counts(&repo, EXPIRED_DAY, &["--archived"]),
        vec![(NIST.to_owned(), 1, 0), (GDPR.to_owned(), 0, 0)]
    );
}

#[test]
fn actions_list_expired_evidence_to_renew_under_the_assignees_item() {
    let repo = dated();
    let out = on(
        &repo,
        EXPIRED_DAY,
        &["actions", "--person", "bob@example.com"],
    );
    let renew =
        "            renew evidence evidence/tls-scan.txt (expired on 2026-03-01, 3 days ago)\n";
    assert_eq!(out.stdout.matches(renew).count(), 2, "{}", out.stdout);
    // Under the item of its control: the line before it is the item (or its notes).
    for control in ["SC-13", "6.10.1.2"] {
        let item = out
            .stdout
            .lines()
            .position(|l| l.contains(&format!(" {control} ")))
            .unwrap_or_else(|| panic!("{control}: {}", out.stdout));
        let below: Vec<&str> = out.stdout.lines().skip(item + 1).take(2).collect();
        assert!(
            below.iter().any(|l| l.contains("renew evidence")),
            "{control}: {below:?}"
        );
    }

    // JSON: every item has `renew`, the expired documents of its control.
    let v = json(&on(
        &repo,
        EXPIRED_DAY,
        &["actions", "--all", "--format", "json"],
    ));
    let items = v.as_array().expect("items");
    for item in items {
        let control = item["control"].as_str().expect("control");
        let expected = if ["SC-13", "6.10.1.2"].contains(&control) {
            serde_json::json!([{"path": "evidence/tls-scan.txt", "valid_until": "2026-03-01", "days_ago": 3}])
        } else {
            serde_json::json!([])
        };
        assert_eq!(item["renew"], expected, "{item:#}");
    }

    // Expiring is not work yet: no item says renew.
    let soon = on(&repo, EXPIRING_DAY, &["actions", "--all"]);
    assert!(!soon.stdout.contains("renew"), "{}", soon.stdout);
    let soon = json(&on(
        &repo,
        EXPIRING_DAY,
        &["actions", "--all", "--format", "json"],
    ));
    assert!(
        soon.as_array()
            .expect("items")
            .iter()
            .all(|i| i["renew"] == serde_json::json!([]))
    );
}

#[test]
fn control_show_gives_each_documents_dates_and_state() {
    let repo = dated();
    let show = |day: &str| on(&repo, day, &["control", "show", NIST, "SC-13"]).stdout;
    let dates = "    collected 2019-04-02, valid until 2026-03-01";
    let expired = show(EXPIRED_DAY);
    assert!(
        expired.contains(&format!("{dates} — expired 3 days ago\n")),
        "{expired}"
    );
    let expiring = show(EXPIRING_DAY);
    assert!(
        expiring.contains(&format!("{dates} — expires in 12 days\n")),
        "{expiring}"
    );
    // Valid: the dates, no mark.
    let valid = show(VALID_DAY);
    assert!(valid.contains(&format!("{dates}\n")), "{valid}");
    // The last valid day and the day after.
    assert!(show("2026-03-01").contains(&format!("{dates} — expires today\n")));
    assert!(show("2026-03-02").contains(&format!("{dates} — expired 1 day ago\n")));

    let state = |day: &str| {
        json(&on(
            &repo,
            day,
            &["control", "show", NIST, "SC-13", "--format", "json"],
        ))["evidence"]
            .clone()
    };
    assert_eq!(
        state(EXPIRED_DAY),
        serde_json::json!([{"state": "expired", "days_ago": 3}])
    );
    assert_eq!(
        state(EXPIRING_DAY),
        serde_json::json!([{"state": "expiring", "days_left": 12}])
    );
    assert_eq!(state(VALID_DAY), serde_json::json!([{"state": "valid"}]));
    // The record keeps the dates as in the file.
    let record = json(&on(
        &repo,
        VALID_DAY,
        &["control", "show", NIST, "SC-13", "--format", "json"],
    ))["record"]["documents"][0]
        .clone();
    assert_eq!(record["collected_on"], "2019-04-02");
    assert_eq!(record["valid_until"], "2026-03-01");
}

/// The text of a site file, with the `/` that the site's HTML escaping writes as
/// `&#x2f;` read back (nothing else unescaped).
fn page(dir: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .replace("&#x2f;", "/")
}

#[test]
fn the_site_marks_controls_and_lists_what_expires_next() {
    let repo = dated();
    // A second document, valid far ahead, on CM-2, with a path that is markup.
    let text = repo.read(NIST_FILE);
    repo.write(
        NIST_FILE,
        text.replace(
            "    action:\n      priority: low\n",
            "    action:\n      priority: low\n    documents:\n      - path: \"evidence/<i>board</i>.txt\"\n        sha256: abedf288ea8d15853dfa10559c4943163de555494e1be10aa06776747f6c17f1\n        valid_until: 2027-06-30\n",
        ),
    );
    let out = repo.path().join("out");
    on(
        &repo,
        EXPIRED_DAY,
        &[
            "report",
            "site",
            "-o",
            out.to_str().expect("utf-8"),
            "--quiet",
        ],
    );
    let index = page(&out, "index.html");
    let list = &index[index
        .find("Evidence: what expires next")
        .unwrap_or_else(|| panic!("no list: {index}"))..];
    assert!(list.contains("as of 2026-03-04"), "{list}");
    // The expired scan first (twice: NIST and GDPR), then the valid one.
    let expired = list.find("expired 3 days ago").expect("expired row");
    let valid = list.find("2027-06-30").expect("valid row");
    assert!(expired < valid, "expired first: {list}");
    assert_eq!(
        list.matches("<code>evidence/tls-scan.txt</code>").count(),
        2
    );
    // The state is words in a badge, not a colour alone.
    assert!(
        list.contains(
            "<span class=\"badge fresh-expired\"><span aria-hidden=\"true\">⚠</span> expired 3 days ago</span>"
        ),
        "{list}"
    );
    // The tile counts them.
    assert!(
        index.contains("<span class=\"badge fresh-expired\">1 expired document</span>"),
        "{index}"
    );
    // Escaped, as every value of the repository.
    assert!(
        list.contains("evidence/&lt;i&gt;board&lt;/i&gt;.txt"),
        "{list}"
    );
    assert!(!index.contains("<i>board"), "{index}");
    // Each row links the control on its assessment page.
    assert!(
        list.contains("href=\"assessments/default-group--office-365--nist-800-53-r5.html#"),
        "{list}"
    );

    // The assessment page: the mark on the control's line, the dates and state by each
    // document; nothing on a control whose evidence is valid. (What its script draws of
    // them: `site::controls_are_drawn_from_the_groups_data_in_a_browser`.)
    let nist = controls(
        &out,
        "assessments/default-group--office-365--nist-800-53-r5.html",
    );
    let sc13 = control(&nist, "SC-13");
    assert_eq!(
        sc13["fresh"],
        serde_json::json!({"word": "expired", "label": "expired 3 days ago"}),
        "{sc13:#}"
    );
    let doc = &sc13["documents"][0];
    assert_eq!(doc["collected_on"], "2019-04-02", "{sc13:#}");
    assert_eq!(doc["valid_until"], "2026-03-01", "{sc13:#}");
    let cm2 = control(&nist, "CM-2");
    assert!(cm2["fresh"].is_null(), "{cm2:#}");
    let docs = cm2["documents"].as_array().expect("documents");
    assert!(docs.iter().all(|d| d["fresh"].is_null()), "{cm2:#}");
    assert!(
        docs.iter().any(|d| d["valid_until"] == "2027-06-30"),
        "{cm2:#}"
    );

    // The action items page names the evidence to renew.
    let actions = page(&out, "actions.html");
    assert!(
        actions.contains("renew evidence/tls-scan.txt (expired on 2026-03-01)"),
        "{actions}"
    );

    // Expiring: the amber mark and its words.
    let soon = repo.path().join("soon");
    on(
        &repo,
        EXPIRING_DAY,
        &[
            "report",
            "site",
            "-o",
            soon.to_str().expect("utf-8"),
            "--quiet",
        ],
    );
    let nist = controls(
        &soon,
        "assessments/default-group--office-365--nist-800-53-r5.html",
    );
    assert_eq!(
        control(&nist, "SC-13")["fresh"],
        serde_json::json!({"word": "expiring", "label": "expires in 12 days"})
    );
}

fn open(path: &std::path::Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

#[test]
fn the_workbook_has_date_cells_and_the_state_of_each_document() {
    let repo = dated();
    let file = repo.path().join("nist.xlsx");
    on(
        &repo,
        EXPIRED_DAY,
        &["report", "excel", NIST, "-o", file.to_str().expect("utf-8")],
    );
    let mut book = open(&file);
    let rows: Vec<Vec<Data>> = book
        .worksheet_range("Documents")
        .expect("Documents")
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let row = &rows[1];
    assert_eq!(row[col("Document")].to_string(), "evidence/tls-scan.txt");
    let date = |d: &Data| match d {
        // A date: a whole serial number of days since 1899-12-30, Excel's epoch.
        Data::DateTime(t) => {
            assert!(t.is_datetime() && t.as_f64().fract() == 0.0, "{d:?}");
            chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch")
                + chrono::Duration::days(t.as_f64() as i64)
        }
        other => panic!("a date cell, not {other:?}"),
    };
    assert_eq!(
        date(&row[col("Collected on")]),
        chrono::NaiveDate::from_ymd_opt(2019, 4, 2).expect("date")
    );
    assert_eq!(
        date(&row[col("Valid until")]),
        chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
    );
    assert_eq!(row[col("Evidence")].to_string(), "Expired");

    for (day, state) in [(EXPIRING_DAY, "Expiring"), (VALID_DAY, "Valid")] {
        on(
            &repo,
            day,
            &["report", "excel", NIST, "-o", file.to_str().expect("utf-8")],
        );
        let rows: Vec<Vec<Data>> = open(&file)
            .worksheet_range("Documents")
            .expect("Documents")
            .rows()
            .map(<[Data]>::to_vec)
            .collect();
        assert_eq!(rows[1][col("Evidence")].to_string(), state, "{day}");
    }
}

/// Every file under `dir` with its bytes.
fn files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    crate::support::snapshot(dir)
}

#[test]
fn reports_made_with_today_are_the_same_bytes_whatever_the_clock() {
    let repo = dated();
    let git = GitRepo::init(repo.path());
    git.commit_all(
        "alice@example.com",
        "dated evidence",
        unix("2026-01-05T10:00:00Z"),
    );
    let site = |name: &str, env: &[(&str, &str)], today: Option<&str>| {
        let dir = std::env::temp_dir().join(format!("assure-fv21-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut args = vec![
            "report",
            "site",
            "-o",
            dir.to_str().expect("utf-8"),
            "--quiet",
        ];
        args.extend(today.map(|t| ["--today", t]).into_iter().flatten());
        let out = run_env(repo.path(), &args, env);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        let got = files(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        got
    };
    let early = [
        ("ASSURE_TODAY", "2026-01-01"),
        ("ASSURE_NOW", "2026-01-01T12:00:00Z"),
    ];
    let late = [
        ("ASSURE_TODAY", "2027-09-09"),
        ("ASSURE_NOW", "2027-09-09T23:00:00Z"),
    ];
    // Without --today the day of the run shows (the scan valid, then expired) ...
    assert_ne!(site("a", &early, None), site("b", &late, None));
    // ... with it, the same bytes on any day.
    assert_eq!(
        site("c", &early, Some(EXPIRED_DAY)),
        site("d", &late, Some(EXPIRED_DAY))
    );

    let book = |env: &[(&str, &str)]| {
        let file = repo.path().join("book.xlsx");
        let out = run_env(
            repo.path(),
            &[
                "report",
                "excel",
                NIST,
                "-o",
                file.to_str().expect("utf-8"),
                "--today",
                EXPIRED_DAY,
            ],
            env,
        );
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        std::fs::read(&file).expect("workbook")
    };
    assert_eq!(book(&early), book(&late));
}

#[test]
fn export_judges_the_repository_on_the_clis_day() {
    // Collected on 2026-02-01: on 2026-01-15 that is in the future (`evidence-dates`, an
    // error), so the export warns; on 2026-03-04 it does not.
    let repo = TestRepo::base();
    for file in [NIST_FILE, GDPR_FILE] {
        let text = repo.read(file);
        repo.write(
            file,
            text.replace(
                PURPOSE,
                &format!("{PURPOSE}        collected_on: 2026-02-01\n"),
            ),
        );
    }
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "dated", unix("2026-01-05T10:00:00Z"));
    let export = |today: &str| {
        run_env(
            repo.path(),
            &["export", "oscal", NIST, "--model", "ssp", "--today", today],
            // The environment's day would see no error: only --today can.
            &[("ASSURE_TODAY", "2026-06-01")],
        )
    };
    let before = export("2026-01-15");
    assert_eq!(before.code, 0, "{}", before.stderr);
    assert!(
        before.stderr.contains("`assure validate` finds 2 error(s)"),
        "{}",
        before.stderr
    );
    let after = export(EXPIRED_DAY);
    assert_eq!(after.code, 0, "{}", after.stderr);
    assert!(!after.stderr.contains("finds"), "{}", after.stderr);
}

#[test]
fn the_demo_shows_an_expired_document() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_env(tmp.path(), &["demo", "demo"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let dir = tmp.path().join("demo");
    // The demo judges on its story's last day, whatever the clock (the harness pins
    // 2026-01-01, when both dated documents have expired).
    let day = out
        .stdout
        .split("assure validate --today ")
        .nth(1)
        .and_then(|rest| rest.get(..10))
        .unwrap_or_else(|| panic!("{}", out.stdout))
        .to_owned();
    assert!(
        out.stdout.contains(&format!(
            "assure validate --today {day}: 0 error(s), 2 warning(s)"
        )),
        "{}",
        out.stdout
    );
    // The Azure assessments: the vulnerability scan expired, the cryptography standard
    // expiring (it is in two controls of each).
    assert_eq!(
        out.stdout
            .matches("    evidence: 1 expired, 2 expiring soon\n")
            .count(),
        2,
        "{}",
        out.stdout
    );
    let index = page(&dir, "reports/site/index.html");
    let list = &index[index.find("Evidence: what expires next").expect("list")..];
    let first = list.find("<tr class=\"expiry").expect("a row");
    assert!(
        list[first..].starts_with("<tr class=\"expiry fresh-row-expired\">"),
        "{list}"
    );
    assert!(
        list.contains("<code>evidence/vulnerability-scan-summary-2019-08.csv</code>"),
        "{list}"
    );
    assert!(list.contains("fresh-row-expiring"), "{list}");

    // Dave, who the scan's controls are assigned to, has it to renew.
    let actions = run_env(
        &dir,
        &["actions", "--person", "dave@contoso.com", "--today", &day],
        &[],
    );
    assert!(
        actions.stdout.contains(
            "renew evidence evidence/vulnerability-scan-summary-2019-08.csv (expired on 2019-12-31"
        ),
        "{}",
        actions.stdout
    );
    // The testing rules are on, and the example satisfies them.
    let config = std::fs::read_to_string(dir.join("assure.yaml")).expect("config");
    for rule in [
        "failed_high_risk_needs_action: true",
        "not_in_scope_needs_reason: true",
        "tester_is_not_implementer: true",
    ] {
        assert!(config.contains(rule), "{rule}");
    }
}
