//! `assure report site` (DESIGN.md §7.2): the static site, checked in a real browser.
//!
//! Pages are opened from the file system by headless Chromium (`--dump-dom`), so the
//! filter script, "Show archived" and the tabs have run when the DOM is read. The filter
//! script must select exactly what `ops::filter` selects (§4.3), so the expected sets
//! come from the library. The browser tests are `#[ignore = "needs chromium"]` (run them
//! with `cargo test --test it -- --ignored`; `.ci/run` does); without Chromium they fail,
//! they never pass by skipping. What can be checked without a browser (the written HTML,
//! the library's selections) is in plain tests beside them.
//!
//! Also: escaping of hostile text, the public site holds nothing of the organization's,
//! output is byte-identical across runs, and a folder outside git renders and says so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use assure::ops::Project;
use assure::ops::filter::{Filter, ResultIs, StatusIs};
use assure::ops::score::{self, Managed};

use crate::support::{GitRepo, TestRepo, project_root, run_env, snapshot, unix};

pub(crate) const GDPR: &str = "groups/default-group/office-365--gdpr.yaml";
pub(crate) const GDPR_PAGE: &str = "assessments/default-group--office-365--gdpr.html";

// ---------------------------------------------------------------------------------------
// The browser

/// Chromium on the PATH; a missing browser fails the test (which is ignored by default).
pub(crate) fn chromium() -> PathBuf {
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "chromium is not on the PATH: this browser test needs it \
                 (`apt-get install chromium`; .ci/run installs it)"
            )
        })
}

/// The DOM of `page#fragment` after its scripts ran.
pub(crate) fn dom(browser: &Path, page: &Path, fragment: &str) -> String {
    dom_with(browser, page, fragment, &["--virtual-time-budget=2000"])
}

/// The DOM of `page#fragment` with more browser flags (a longer time budget, scripts
/// off).
pub(crate) fn dom_with(browser: &Path, page: &Path, fragment: &str, flags: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("file://{}{fragment}", page.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("run chromium");
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        html.contains("</html>"),
        "chromium gave no DOM for {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    html
}

// ---------------------------------------------------------------------------------------
// Reading serialized HTML without a parser: start tags and their attributes.

/// Every start tag beginning with `prefix` (e.g. `<li class="control"`), with its offset.
pub(crate) fn tags<'a>(html: &'a str, prefix: &str) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find(prefix) {
        let start = from + i;
        let end = start + html[start..].find('>').expect("tag ends");
        out.push((start, &html[start..=end]));
        from = end;
    }
    out
}

pub(crate) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The value of attribute `name` of a start tag.
pub(crate) fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(unescape(&tag[i..i + j]))
}

pub(crate) fn hidden(tag: &str) -> bool {
    attr(tag, "hidden").is_some()
}

/// The customer-managed controls the page shows (not hidden), by id.
pub(crate) fn visible_controls(html: &str) -> BTreeSet<String> {
    tags(html, "<li class=\"control\"")
        .into_iter()
        .filter(|(_, t)| !hidden(t))
        .map(|(_, t)| attr(t, "data-control").expect("data-control"))
        .collect()
}

pub(crate) fn no_match_shown(html: &str) -> bool {
    let (_, tag) = tags(html, "<p id=\"no-match\"")[0];
    !hidden(tag)
}

/// What `ops::filter` selects among the customer-managed controls of an assessment.
fn expected(project: &Project, path: &str, filter: &Filter) -> BTreeSet<String> {
    let a = project
        .ws
        .assessments
        .iter()
        .find(|a| format!("groups/{}/{}.yaml", a.group, a.stem) == path)
        .expect("assessment");
    score::controls(&a.doc.value, &project.catalog)
        .expect("known certification")
        .into_iter()
        .filter_map(|v| match v.managed {
            Managed::Customer(r) if filter.matches(v.control, r) => Some(v.control.id.clone()),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Repositories

/// The base fixture with more work on Office 365 - GDPR (several people and statuses),
/// an archived assessment, in git with two commits.
pub(crate) fn work_repo() -> (TestRepo, GitRepo) {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    git.commit_all("alice@example.com", "Start", unix("2019-01-15T09:30:00Z"));
    repo.write(
        GDPR,
        r#"service: office-365
certification: gdpr
created: 2019-01-15T09:30:00Z
created_by: alice@example.com
controls:
  "6.10.1.2":
    status: implemented
    implementation: TLS 1.2 or later is enforced on every public endpoint.
    test_plan: Scan every public endpoint with an external TLS scanner.
    test_date: 2019-04-02
    test_result: passed
    assigned_to: bob@example.com
    action:
      priority: high
      notes: Please attach the scanner report.
    documents:
      - path: evidence/tls-scan.txt
        sha256: abedf288ea8d15853dfa10559c4943163de555494e1be10aa06776747f6c17f1
        purpose: testing
  "6.2.1.1":
    status: planned
    assigned_to: dave@example.com
    action:
      priority: medium
      notes: Draft the policy by Q3.
  "6.2.2.1":
    status: planned
    assigned_to: Dave@Example.com
  "6.2.2.2":
    status: planned
    assigned_to: bob@example.com
  "6.2.3.1":
    status: implemented
    test_date: 2019-05-01
    test_result: failed-low-risk
    assigned_to: dave@example.com
  "6.2.3.2":
    status: not-in-scope
"#,
    );
    repo.write(
        "groups/default-group/azure--gdpr.yaml",
        "service: azure\ncertification: gdpr\ncreated: 2019-02-01T10:00:00Z\ncreated_by: alice@example.com\narchived: 2019-12-01T10:00:00Z\ncontrols:\n  \"6.2.1.1\":\n    status: planned\n    assigned_to: erin@example.com\n",
    );
    git.commit_all(
        "dave@example.com",
        "Plan the GDPR work",
        unix("2019-03-01T10:00:00Z"),
    );
    (repo, git)
}

/// Renders the site of `repo` into a new folder, returning it.
pub(crate) fn render(repo: &Path, extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("out dir");
    let dir = out.path().join("site");
    let mut args = vec![
        "report",
        "site",
        "--quiet",
        "-o",
        dir.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    let run = run_env(repo, &args, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    out
}

pub(crate) fn site(out: &tempfile::TempDir) -> PathBuf {
    out.path().join("site")
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn dashboard_lists_active_assessments_with_scores_and_hides_archived_ones() {
    let (repo, _git) = work_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &[]);
    let index = site(&out).join("index.html");
    let source = read(&index);
    assert!(
        source.contains("href=\"actions.html\""),
        "links to Action Items"
    );
    assert!(source.contains("Fixture Corp"), "names the organization");
    assert!(source.contains("commit "), "says which commit: {source}");
    // Every assessment has its tile in the written page.
    let tiles: BTreeSet<String> = tags(&source, "<li class=\"tile\"")
        .into_iter()
        .map(|(_, t)| attr(t, "data-assessment").expect("key"))
        .collect();
    let keys: BTreeSet<String> = project.ws.assessments.iter().map(|a| a.key()).collect();
    assert_eq!(tiles, keys);
}

#[test]
#[ignore = "needs chromium"]
fn dashboard_shows_scores_and_hides_archived_ones_in_a_browser() {
    let (repo, _git) = work_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &[]);
    let index = site(&out).join("index.html");
    let browser = chromium();
    for (fragment, archived_shown) in [("", false), ("#archived", true)] {
        let html = dom(&browser, &index, fragment);
        // A <details>: open from the address, closed otherwise.
        let (section_at, section) = tags(&html, "<details class=\"group archived\"")[0];
        assert_eq!(
            attr(section, "open").is_some(),
            archived_shown,
            "archived section with {fragment:?}"
        );
        let tiles: BTreeMap<String, (usize, u32)> = tags(&html, "<li class=\"tile\"")
            .into_iter()
            .map(|(at, t)| {
                let score_at = at + html[at..].find("class=\"score-value\">").expect("score") + 20;
                let score: u32 = html
                    [score_at..score_at + html[score_at..].find('<').expect("end")]
                    .parse()
                    .expect("a number");
                (attr(t, "data-assessment").expect("key"), (at, score))
            })
            .collect();
        for a in &project.ws.assessments {
            let (at, shown_score) = tiles[&a.key()];
            let s = score::score(&a.doc.value, &project.catalog).expect("score");
            assert_eq!(shown_score, s.total.score, "score of {}", a.key());
            assert_eq!(
                at > section_at,
                a.is_archived(),
                "{} in the right section",
                a.key()
            );
        }
        assert_eq!(tiles.len(), project.ws.assessments.len());
    }
}

/// The URL filters the browser tries: (fragment, the same filter for `ops::filter`, the
/// ids it selects where written out).
type FilterCase = (&'static str, Filter, Option<&'static [&'static str]>);

fn filter_cases() -> Vec<FilterCase> {
    let dave = || vec!["dave@example.com".to_owned()];
    vec![
        (
            "#status=planned&assigned=dave@example.com",
            Filter {
                statuses: vec![StatusIs::Planned],
                assigned: dave(),
                ..Filter::default()
            },
            Some(&["6.2.1.1", "6.2.2.1"]),
        ),
        (
            "#status=planned,implemented&assigned=dave%40example.com",
            Filter {
                statuses: vec![StatusIs::Planned, StatusIs::Implemented],
                assigned: dave(),
                ..Filter::default()
            },
            Some(&["6.2.1.1", "6.2.2.1", "6.2.3.1"]),
        ),
        (
            "#article=Article%20(26),article%20(37)(1)",
            Filter {
                articles: vec!["Article (26)".into(), "article (37)(1)".into()],
                ..Filter::default()
            },
            None,
        ),
        (
            "#control=6.2.*&result=passed,failed-low-risk",
            Filter {
                controls: vec!["6.2.*".into()],
                results: vec![ResultIs::Passed, ResultIs::FailedLowRisk],
                ..Filter::default()
            },
            Some(&["6.2.3.1"]),
        ),
        (
            "#control=6.2.3.1,6.2.1.1&result=passed,failed-low-risk",
            Filter {
                controls: vec!["6.2.3.1".into(), "6.2.1.1".into()],
                results: vec![ResultIs::Passed, ResultIs::FailedLowRisk],
                ..Filter::default()
            },
            Some(&["6.2.3.1"]),
        ),
        ("", Filter::default(), None),
    ]
}

#[test]
fn the_page_lists_every_control_and_the_url_cases_are_what_ops_filter_selects() {
    let (repo, _git) = work_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &[]);
    let controls = crate::support::site_data::controls(&site(&out), GDPR_PAGE);
    let listed: BTreeSet<String> = crate::support::site_data::customer(&controls)
        .into_iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(listed, expected(&project, GDPR, &Filter::default()));
    for (fragment, filter, ids) in filter_cases() {
        if let Some(ids) = ids {
            let ids: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
            assert_eq!(
                expected(&project, GDPR, &filter),
                ids,
                "ops::filter for {fragment}"
            );
        }
    }
}

#[test]
#[ignore = "needs chromium"]
fn filters_in_the_url_select_what_the_cli_selects() {
    let (repo, _git) = work_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &[]);
    let page = site(&out).join(GDPR_PAGE);
    let browser = chromium();
    for (fragment, filter, ids) in filter_cases() {
        let html = dom(&browser, &page, fragment);
        let want = expected(&project, GDPR, &filter);
        if let Some(ids) = ids {
            let ids: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
            assert_eq!(want, ids, "ops::filter for {fragment}");
        }
        assert_eq!(
            visible_controls(&html),
            want,
            "visible controls for {fragment:?}"
        );
        assert!(!no_match_shown(&html), "no empty message for {fragment:?}");
    }

    // Planned AND assigned to Bob AND failed-high-risk: nothing.
    let html = dom(
        &browser,
        &page,
        "#status=planned&assigned=bob@example.com&result=failed-high-risk",
    );
    assert!(visible_controls(&html).is_empty());
    assert!(no_match_shown(&html), "the empty-result message shows");
    assert!(html.contains("No controls match these filters"));
}

/// What `ops::actions` lists: (person, certification) → controls.
fn wanted_action_items(project: &Project) -> BTreeMap<(String, String), Vec<String>> {
    let mut want: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for item in assure::ops::actions::action_items(project, None, None) {
        want.entry((item.person.to_lowercase(), item.certification))
            .or_default()
            .push(item.control);
    }
    want
}

/// The action items of the Action Items page, per (person, certification tab). With
/// `scripted` (the DOM after the page's script ran) it also checks that the first tab of
/// each person is selected and only its panel shows.
fn action_panels(html: &str, scripted: bool) -> BTreeMap<(String, String), Vec<String>> {
    let mut got: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let people = tags(html, "<section class=\"person\"");
    for (n, (at, section)) in people.iter().enumerate() {
        let person = attr(section, "id").expect("person id");
        let end = people.get(n + 1).map_or(html.len(), |(next, _)| *next);
        let part = &html[*at..end];
        // Served as plain panels; the script makes them tab panels.
        let panels = tags(part, "<div class=\"panel\"");
        let tabs = tags(part, "<button type=\"button\" role=\"tab\"");
        assert_eq!(panels.len(), tabs.len());
        for (k, (pat, panel)) in panels.iter().enumerate() {
            assert_eq!(
                attr(panel, "role").as_deref(),
                scripted.then_some("tabpanel"),
                "{person} panel {k}"
            );
            if scripted {
                assert_eq!(hidden(panel), k > 0, "{person} panel {k}");
                assert_eq!(
                    attr(tabs[k].1, "aria-selected").as_deref(),
                    Some(if k == 0 { "true" } else { "false" })
                );
            }
            assert_eq!(attr(tabs[k].1, "aria-controls"), attr(panel, "id"));
            let cert = attr(panel, "data-certification").expect("certification");
            let pend = panels.get(k + 1).map_or(part.len(), |(next, _)| *next);
            let items = tags(&part[*pat..pend], "<tr class=\"action-item\"")
                .into_iter()
                .map(|(_, t)| attr(t, "data-control").expect("control"))
                .collect();
            got.insert((person.clone(), cert), items);
        }
    }
    got
}

#[test]
fn action_items_are_listed_per_person_under_their_certification_tab() {
    let (repo, _git) = work_repo();
    // A NIST item for Dave too (the base fixture has CM-2), so Dave has two tabs.
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &[]);
    let source = read(&site(&out).join("actions.html"));
    let want = wanted_action_items(&project);
    assert!(
        want.keys()
            .any(|(p, c)| p == "dave@example.com" && c == "nist-800-53-r5")
    );
    assert!(
        !want.keys().any(|(p, _)| p == "erin@example.com"),
        "archived assessments have no action items"
    );
    assert_eq!(action_panels(&source, false), want);
    // A person's section is reachable as #email.
    assert!(source.contains("id=\"bob@example.com\""));
}

#[test]
#[ignore = "needs chromium"]
fn action_item_tabs_work_in_a_browser() {
    let (repo, _git) = work_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &[]);
    let html = dom(&chromium(), &site(&out).join("actions.html"), "");
    assert_eq!(action_panels(&html, true), wanted_action_items(&project));
    assert!(html.contains("id=\"bob@example.com\""));
}

/// The base fixture with hostile text in every field the site shows, and the strings.
struct Hostile {
    repo: TestRepo,
    script: &'static str,
    attr_break: &'static str,
    hostile_email: &'static str,
}

fn hostile_repo() -> Hostile {
    let repo = TestRepo::base();
    let script = "<script>alert(1)</script>";
    let attr_break = "\"onmouseover=alert(1) x=\"";
    // A quoted local part makes a valid address that would break out of an attribute.
    let hostile_email = "\"onmouseover=alert(1)\"@example.com";
    repo.write(
        "assure.yaml",
        format!(
            "{}report:\n  link_base: \"https://git.example.com/{{commit}}/{{path}}\"\n",
            repo.read("assure.yaml")
        ),
    );
    repo.write(
        GDPR,
        format!(
            r#"service: office-365
certification: gdpr
created: 2019-01-15T09:30:00Z
created_by: alice@example.com
controls:
  "6.2.1.1":
    status: planned
    implementation: '{script} and {attr_break}'
    management_response: "</p><img src=x onerror=alert(1)>"
    assigned_to: '{hostile_email}'
    action:
      notes: '{attr_break}{script}'
    documents:
      - path: 'evidence/"><script>alert(2)</script>.txt'
        sha256: abedf288ea8d15853dfa10559c4943163de555494e1be10aa06776747f6c17f1
"#
        ),
    );
    repo.write(
        "groups/default-group/group.yaml",
        format!("name: '{script}'\n"),
    );
    Hostile {
        repo,
        script,
        attr_break,
        hostile_email,
    }
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let Hostile { repo, script, .. } = hostile_repo();
    let out = render(repo.path(), &[]);
    for file in ["index.html", GDPR_PAGE, "actions.html"] {
        let source = read(&site(&out).join(file));
        for bad in [
            script,
            "<script>alert(2)",
            "<img src=x",
            "\"onmouseover",
            " onmouseover=\"",
        ] {
            assert!(!source.contains(bad), "{file} holds {bad:?} unescaped");
        }
        assert!(
            source.contains("&lt;script&gt;alert(1)&lt;"),
            "{file} shows the text escaped"
        );
    }
    // The controls are data: a JSON script the page's script draws with textContent
    // (`hostile_text_stays_text_in_a_browser`). Each value is there as the text it was,
    // inside a JSON string: the file parses, so no value ended its string.
    let Hostile { attr_break, .. } = hostile_repo();
    let controls = crate::support::site_data::controls(&site(&out), GDPR_PAGE);
    let c = crate::support::site_data::control(&controls, "6.2.1.1");
    assert_eq!(c["implementation"], format!("{script} and {attr_break}"));
    assert_eq!(c["management_response"], "</p><img src=x onerror=alert(1)>");
    assert_eq!(c["action"]["notes"], format!("{attr_break}{script}"));
}

#[test]
#[ignore = "needs chromium"]
fn hostile_text_stays_text_in_a_browser() {
    let Hostile {
        repo,
        attr_break,
        hostile_email,
        ..
    } = hostile_repo();
    let out = render(repo.path(), &[]);
    let page = site(&out).join(GDPR_PAGE);
    let browser = chromium();
    for file in ["index.html", GDPR_PAGE, "actions.html"] {
        let html = dom(&browser, &site(&out).join(file), "");
        // Only the site's own script elements exist (an assessment page's data and
        // app.js), and no element got an event handler.
        let own = tags(&html, "<script")
            .into_iter()
            .filter(|(_, t)| {
                attr(t, "src").is_some_and(|s| {
                    s.ends_with("app.js") || s.starts_with("../data/") && s.ends_with(".js")
                })
            })
            .count();
        let expected = if file == GDPR_PAGE { 2 } else { 1 };
        assert_eq!(html.matches("<script").count(), expected, "{file}: scripts");
        assert_eq!(own, expected, "{file}: the site's own scripts");
        for handler in [" onmouseover=\"", " onerror=\""] {
            assert!(!html.contains(handler), "{file}: an element has {handler}");
        }
        assert!(!html.contains("<img"), "{file}: no injected image");
    }
    let html = dom(&browser, &page, "#c-6.2.1.1");
    let control = tags(&html, "<li class=\"control\"")
        .into_iter()
        .find(|(_, t)| attr(t, "data-control").as_deref() == Some("6.2.1.1"))
        .expect("control")
        .1;
    assert_eq!(
        attr(control, "data-assigned").as_deref(),
        Some(hostile_email)
    );
    assert!(
        html.contains(&format!(
            "&lt;script&gt;alert(1)&lt;/script&gt; and {attr_break}"
        )),
        "the text survives as text"
    );
}

#[test]
fn public_site_holds_nothing_of_the_organization() {
    let repo = TestRepo::copy_of(&project_root().join("example-repo"));
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &["--public"]);
    let files = snapshot(&site(&out));
    assert!(files.contains_key("index.html"));
    assert!(!files.contains_key("actions.html"), "no Action Items page");
    assert!(
        files.keys().all(|f| !f.starts_with("assessments/")),
        "no assessment pages"
    );
    assert!(
        files.keys().any(|f| f.starts_with("templates/")),
        "provider controls per template"
    );
    assert!(
        files.keys().any(|f| f.starts_with("certifications/")),
        "the catalog"
    );

    let mut secrets: BTreeSet<String> = BTreeSet::new();
    let config = &project.ws.config.as_ref().expect("assure.yaml").value;
    for p in &config.people {
        secrets.insert(p.email.clone());
        secrets.insert(p.name.clone());
    }
    for a in &project.ws.assessments {
        for r in a.doc.value.controls.values() {
            let texts = [
                &r.implementation,
                &r.test_plan,
                &r.management_response,
                &r.action.as_ref().and_then(|a| a.notes.clone()),
            ];
            for t in texts.into_iter().flatten() {
                // The first line is enough to recognise the text.
                let first = t.lines().next().unwrap_or_default().trim();
                if first.len() > 12 {
                    secrets.insert(first.to_owned());
                }
            }
            for d in &r.documents {
                secrets.insert(d.path.clone());
                secrets.insert(d.sha256.clone());
            }
        }
    }
    assert!(
        secrets.len() > 40,
        "the example has data to leak: {}",
        secrets.len()
    );
    let escaped = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#x27;")
            .replace('/', "&#x2f;")
    };
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()) && !text.contains(&escaped(s)),
                "{name} holds {s:?}"
            );
        }
    }
    // The guest does see provider-managed results.
    let template = String::from_utf8_lossy(&files["templates/office-365--gdpr.html"]);
    assert!(template.contains("Exchange Online"), "in-scope services");
    assert!(template.contains("badge res-passed"), "provider results");
}

#[test]
fn the_same_commit_renders_byte_identical_sites() {
    let (repo, _git) = work_repo();
    let first = snapshot(&site(&render(repo.path(), &[])));
    let second = snapshot(&site(&render(repo.path(), &[])));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(bytes == &second[name], "{name} differs between runs");
    }
    let public = snapshot(&site(&render(repo.path(), &["--public"])));
    assert_eq!(public, snapshot(&site(&render(repo.path(), &["--public"]))));
}

#[test]
fn history_and_score_chart_come_from_git() {
    let (repo, git) = work_repo();
    let text = repo.read(GDPR).replace(
        "  \"6.2.2.2\":\n    status: planned\n",
        "  \"6.2.2.2\":\n    status: implemented\n    test_date: 2019-06-01\n    test_result: passed\n",
    );
    repo.write(GDPR, text);
    git.commit_all(
        "bob@example.com",
        "Test the DPO control",
        unix("2019-06-02T08:00:00Z"),
    );
    let out = render(repo.path(), &[]);
    let page = read(&site(&out).join(GDPR_PAGE));
    // The control's history: who, when, field old → new.
    let controls = crate::support::site_data::controls(&site(&out), GDPR_PAGE);
    let control = crate::support::site_data::control(&controls, "6.2.2.2");
    let entry = &control["history"]["recent"][0];
    assert_eq!(entry["date"], "2019-06-02 08:00 UTC", "{control:#}");
    assert_eq!(entry["email"], "bob@example.com", "{control:#}");
    assert_eq!(entry["summary"], "Test the DPO control", "{control:#}");
    let change = &entry["changes"][0];
    assert_eq!(change["old"], "Planned", "{control:#}");
    assert_eq!(change["new"], "Implemented", "{control:#}");
    assert!(
        !page.contains("6.2.2.2"),
        "the page's HTML leaves the controls to its data"
    );
    // The chart: one point per commit that changed the file (3), drawn as SVG.
    let index = read(&site(&out).join("index.html"));
    assert!(index.contains("<svg"), "a chart");
    assert!(index.contains("over 3 commits"), "{index}");
    assert!(!index.contains("no history"));
}

#[test]
fn outside_git_the_site_renders_and_says_there_is_no_history() {
    let repo = TestRepo::base();
    let out = render(repo.path(), &[]);
    let index = read(&site(&out).join("index.html"));
    assert!(index.contains("no history (not in git)"), "{index}");
    assert!(!index.contains("<svg"));
    assert!(index.contains("not in git"));
    let page = read(&site(&out).join(GDPR_PAGE));
    assert!(page.contains("no history (not in git)"));
    // Modified falls back to the file's time: a date is shown, not a dash.
    assert!(index.contains("<dt>Modified</dt><dd>20"), "{index}");
}

#[test]
fn progress_is_reported_for_every_page() {
    let (repo, _git) = work_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let ctx = assure::ops::report::context(&project, chrono::Utc::now());
    let calls = std::cell::RefCell::new(Vec::new());
    let files = assure::ops::report::site_files(
        &project,
        &ctx,
        &assure::report::site::SiteOptions { public: false },
        &|done, total| calls.borrow_mut().push((done, total)),
    )
    .expect("render");
    let calls = calls.into_inner();
    let pages = files.keys().filter(|k| k.ends_with(".html")).count();
    assert_eq!(calls.len(), pages);
    assert_eq!(calls.last(), Some(&(pages, pages)));
    assert!(calls.windows(2).all(|w| w[0].0 + 1 == w[1].0));
    for asset in ["style.css", "app.js"] {
        let text = String::from_utf8_lossy(&files[asset]).into_owned();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{asset} fetches nothing"
        );
    }
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("src=\"http") && !text.contains("href=\"//"),
            "{name} loads from a host"
        );
    }
}
