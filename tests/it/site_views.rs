//! The report site as a new user meets it (issue 18): the score chart is a dated chart
//! with a table behind it; the control filter is exact (a trailing `*` for a prefix);
//! "Not started" and "Not tested" are filters; a filter or a person in the address that
//! matches nothing says why; the pages speak the certification's words; without script
//! nothing is shown that cannot work; the focus outline stands out; and axe-core finds no
//! WCAG 2.1 A/AA violation on any page of the demo's site.
//!
//! Browser tests are `#[ignore = "needs chromium…"]` and fail, never skip, without their
//! tools (see `site.rs` for how Chromium is run). What the served files say is read
//! without a browser.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assure::ops::Project;
use assure::ops::score::{self, Managed};

use crate::site::{
    GDPR, GDPR_PAGE, attr, chromium, dom, dom_with, hidden, no_match_shown, read, render, site,
    tags, unescape, visible_controls, work_repo,
};
use crate::support::{copy_tree, project_root, run_env, unix};

const NIST_PAGE: &str = "assessments/default-group--office-365--nist-800-53-r5.html";
const NIST: &str = "groups/default-group/office-365--nist-800-53-r5.yaml";

/// The customer-managed controls of an assessment file for which `keep` holds.
fn customer(
    project: &Project,
    path: &str,
    keep: impl Fn(&str, Option<&assure::model::ControlRecord>) -> bool,
) -> BTreeSet<String> {
    let a = project
        .ws
        .assessments
        .iter()
        .find(|a| a.path() == path)
        .expect("assessment");
    score::controls(&a.doc.value, &project.catalog)
        .expect("known certification")
        .into_iter()
        .filter_map(|v| match v.managed {
            Managed::Customer(r) if keep(&v.control.id, r) => Some(v.control.id.clone()),
            _ => None,
        })
        .collect()
}

/// Whether a start tag as served (`hidden`, no value) or as a browser serializes it
/// (`hidden=""`) has the `hidden` attribute.
fn served_hidden(tag: &str) -> bool {
    hidden(tag) || tag.ends_with(" hidden>") || tag.contains(" hidden ")
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// The text of the element that starts at `open` (a start tag prefix), tags dropped.
fn text_of(html: &str, open: &str) -> String {
    let at = html.find(open).unwrap_or_else(|| panic!("no {open}"));
    let name = open[1..].split([' ', '>']).next().expect("a tag name");
    let end = at + html[at..].find(&format!("</{name}>")).expect("closed");
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html[at..end].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

// ---------------------------------------------------------------------------------------
// Colour contrast (WCAG 2.1: relative luminance and contrast ratio)

fn luminance(hex: &str) -> f64 {
    let hex = hex.trim().trim_start_matches('#');
    assert_eq!(hex.len(), 6, "a #rrggbb colour: {hex}");
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A colour of the style sheet: `#rrggbb`, or `var(--name)` resolved from `:root`.
fn colour(css: &str, value: &str) -> String {
    let value = value.trim();
    match value.strip_prefix("var(").and_then(|v| v.strip_suffix(')')) {
        Some(name) => {
            let key = format!("{name}:");
            let at = css.find(&key).unwrap_or_else(|| panic!("no {name}")) + key.len();
            let end = at + css[at..].find(';').expect("ends");
            colour(css, &css[at..end])
        }
        None => value.to_owned(),
    }
}

/// The colour of the outline the rule for `selector` draws.
fn outline_colour(css: &str, selector: &str) -> String {
    let at = css
        .find(&format!("{selector} {{"))
        .unwrap_or_else(|| panic!("no rule {selector}"));
    let rule = &css[at..at + css[at..].find('}').expect("rule ends")];
    let solid = rule.find("solid ").expect("a solid outline") + "solid ".len();
    let value = &rule[solid..solid + rule[solid..].find(';').expect("ends")];
    colour(css, value)
}

#[test]
fn the_focus_outline_has_3_to_1_contrast_against_every_background() {
    let (repo, _git) = work_repo();
    let out = render(repo.path(), &[]);
    let css = read(&site(&out).join("style.css"));
    // The luminance formula itself: black on white is 21:1, the old amber 1.9:1.
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    assert!(contrast("#f0a500", "#f6f7f9") < 2.0);
    for selector in [":focus-visible", ".control:target, .person:target"] {
        let outline = outline_colour(&css, selector);
        // The page, the cards, the notes and the dark header (its links take focus too).
        for background in ["--bg", "--card", "--accent-bg", "--header"] {
            let bg = colour(&css, &format!("var({background})"));
            let ratio = contrast(&outline, &bg);
            assert!(
                ratio >= 3.0,
                "{selector}: outline {outline} on {background} {bg} is {ratio:.2}:1 (SC 1.4.11 asks 3:1)"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The score chart

#[test]
fn the_score_chart_is_dated_with_a_point_and_a_row_per_commit() {
    let (repo, git) = work_repo();
    let text = repo.read(GDPR).replace(
        "  \"6.2.2.2\":\n    status: planned\n",
        "  \"6.2.2.2\":\n    status: implemented\n    test_date: 2019-06-01\n    test_result: passed\n",
    );
    repo.write(GDPR, text);
    let third = git.commit_all(
        "bob@example.com",
        "Test the DPO control",
        unix("2019-06-02T08:00:00Z"),
    );
    let out = render(repo.path(), &[]);
    let css = read(&site(&out).join("style.css"));
    let at = css.find(".chart .tick {").expect("the tick rule");
    let size: f64 = css[at..]
        .split("font-size:")
        .nth(1)
        .and_then(|s| s.trim_start().split("px").next())
        .and_then(|n| n.parse().ok())
        .expect("a font size in px");
    assert!(size >= 11.0, "chart labels of {size}px are too small");

    let page = read(&site(&out).join(GDPR_PAGE));
    let at = page.find("<figure class=\"chart\">").expect("a chart");
    let chart = &page[at..at + page[at..].find("</figure>").expect("ends")];
    // Dates on the axis: the months between the first commit (January) and the last
    // (June), as text.
    let dates: Vec<String> = tags(chart, "<text class=\"tick date\"")
        .into_iter()
        .map(|(i, _)| text_of(&chart[i..], "<text"))
        .collect();
    assert_eq!(
        dates,
        ["Feb 2019", "Mar 2019", "Apr 2019", "May 2019", "Jun 2019"]
    );
    // A point per commit, placed by date: Jan 15 → Mar 1 is 45 days, Mar 1 → Jun 2 93.
    let dots = tags(chart, "<circle class=\"dot\"");
    assert_eq!(dots.len(), 3, "{chart}");
    let xs: Vec<f64> = dots
        .iter()
        .map(|(_, t)| attr(t, "cx").expect("cx").parse().expect("a number"))
        .collect();
    let ratio = (xs[2] - xs[1]) / (xs[1] - xs[0]);
    assert!((ratio - 93.0 / 45.0).abs() < 0.1, "{xs:?}: not by date");
    let short = third.to_string()[..7].to_owned();
    assert!(
        chart.contains(&format!("(commit {short})</title>")),
        "the last point names its commit: {chart}"
    );
    // The same facts as a table: newest first, date, commit, score, progress.
    let rows: Vec<String> = tags(chart, "<tr><td")
        .into_iter()
        .map(|(i, _)| text_of(&chart[i..], "<tr>"))
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0].starts_with(&format!("2019-06-02 08:00 UTC{short}")),
        "{rows:?}"
    );
    assert!(rows[0].contains(" assessed ("), "{rows:?}");
    assert!(chart.contains("<th scope=\"col\">Progress</th>"));
}

// ---------------------------------------------------------------------------------------
// The certification's words

#[test]
fn the_pages_speak_the_certifications_words() {
    let (repo, _git) = work_repo();
    let out = render(repo.path(), &[]);
    let gdpr = read(&site(&out).join(GDPR_PAGE));
    assert!(gdpr.contains("<dt>Service</dt><dd>Office 365</dd>"));
    assert!(!gdpr.contains("Product"));
    // GDPR controls cite articles: the filter is called so, and its hint is one of them.
    assert!(gdpr.contains("<label for=\"f-article\">Article</label>"));
    assert!(gdpr.contains("placeholder=\"e.g. Article ("), "{gdpr}");
    assert!(gdpr.contains("By area:"));
    // NIST controls cite none: no reference filter and no GDPR hint.
    let nist = read(&site(&out).join(NIST_PAGE));
    assert!(!nist.contains("f-article"));
    assert!(!nist.contains("Article"));
    assert!(nist.contains("placeholder=\"e.g. AC-1\""));
    assert!(nist.contains("By family:"));
    // "Not started" and "Not tested" are filters, in the vocabulary's words.
    for (value, label) in [("not-started", "Not started"), ("not-tested", "Not tested")] {
        let at = nist
            .find(&format!("value=\"{value}\">"))
            .unwrap_or_else(|| panic!("no {value} filter"));
        assert!(nist[at..at + 120].contains(&format!(">{label}</span>")));
    }

    let public = render(repo.path(), &["--public"]);
    let cert = |id: &str| read(&site(&public).join(format!("certifications/{id}.html")));
    let nist = cert("nist-800-53-r5");
    assert!(nist.contains("Controls by family"));
    assert!(!nist.contains("Article"), "no reference column for NIST");
    let gdpr = cert("gdpr");
    assert!(gdpr.contains("Controls by area"));
    assert!(gdpr.contains("<th scope=\"col\">Article</th>"));
    let index = read(&site(&public).join("index.html"));
    assert!(index.contains("<dt>Areas</dt>") && index.contains("<dt>Clauses</dt>"));
}

// ---------------------------------------------------------------------------------------
// Without script

#[test]
fn without_script_nothing_is_shown_that_cannot_work() {
    let (repo, _git) = work_repo();
    let out = render(repo.path(), &[]);
    // The filter form cannot filter: hidden. The controls are drawn by the script, and
    // <noscript> says so; the first screen is HTML: the summary, and each family with
    // what is assessed of it.
    let page = read(&site(&out).join(GDPR_PAGE));
    let (_, form) = tags(&page, "<form class=\"filters\"")[0];
    assert!(served_hidden(form), "{form}");
    assert!(page.contains(
        "<noscript><p class=\"note\">The controls and their filters are drawn by JavaScript"
    ));
    assert!(page.contains("<h2 id=\"summary-heading\">Summary</h2>"));
    let families = tags(&page, "<details class=\"family\" data-family");
    assert!(!families.is_empty());
    for (at, _) in families {
        assert!(page[at..].contains(" assessed</span>"), "{}", &page[at..]);
    }
    assert!(
        !page.contains("<li class=\"control\""),
        "no control is served as HTML"
    );
    // The archived assessments are a <details>: they open without script.
    let index = read(&site(&out).join("index.html"));
    assert!(!index.contains("show-archived"), "no dead checkbox");
    let at = index
        .find("<details class=\"group archived\" id=\"archived\">")
        .expect("a disclosure");
    assert!(index[at..].contains("data-assessment=\"default-group&#x2f;azure--gdpr\""));
    // The action items are plain sections with headings; the script makes the tabs.
    let actions = read(&site(&out).join("actions.html"));
    assert!(!actions.contains("role=\"tablist\"") && !actions.contains("role=\"tabpanel\""));
    for (_, list) in tags(&actions, "<div class=\"tablist\"") {
        assert!(served_hidden(list), "{list}");
    }
    let panels = tags(&actions, "<div class=\"panel\"");
    assert!(panels.len() > 2);
    for (at, _) in panels {
        assert!(
            actions[at..]
                .split_once('>')
                .expect("tag")
                .1
                .starts_with("\n<h3 class=\"panel-heading\">")
        );
    }
    assert!(actions.contains("<noscript>"));
    // A <span> has no role that takes a name: no aria-label on one, anywhere.
    for file in ["index.html", "actions.html", GDPR_PAGE, NIST_PAGE] {
        let html = read(&site(&out).join(file));
        for (_, span) in tags(&html, "<span") {
            assert!(attr(span, "aria-label").is_none(), "{file}: {span}");
        }
    }
}

/// The other side of the test above: what the script makes of the pages as served.
/// (Chromium cannot dump the DOM with scripts off, so the served pages are read as
/// files above.)
#[test]
#[ignore = "needs chromium"]
fn with_script_the_pages_become_interactive() {
    let (repo, _git) = work_repo();
    let out = render(repo.path(), &[]);
    let browser = chromium();
    let page = dom(&browser, &site(&out).join(GDPR_PAGE), "");
    assert!(!hidden(tags(&page, "<form class=\"filters\"")[0].1));
    let index = dom(&browser, &site(&out).join("index.html"), "");
    let (_, archived) = tags(&index, "<details class=\"group archived\"")[0];
    assert!(attr(archived, "open").is_none(), "closed by default");
    let index = dom(&browser, &site(&out).join("index.html"), "#archived");
    let (_, archived) = tags(&index, "<details class=\"group archived\"")[0];
    assert!(attr(archived, "open").is_some(), "#archived opens it");
    let actions = dom(&browser, &site(&out).join("actions.html"), "");
    for (_, list) in tags(&actions, "<div class=\"tablist\"") {
        assert!(!hidden(list), "{list}");
        assert_eq!(attr(list, "role").as_deref(), Some("tablist"));
        assert!(attr(list, "aria-label").is_some_and(|l| l.starts_with("Certifications of ")));
    }
}

// ---------------------------------------------------------------------------------------
// Filters in the browser

#[test]
#[ignore = "needs chromium"]
fn the_control_filter_matches_an_id_exactly_or_a_prefix_with_a_star() {
    let (repo, _git) = work_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &[]);
    let page = site(&out).join(NIST_PAGE);
    let browser = chromium();
    let prefix = customer(&project, NIST, |id, _| id.starts_with("AC-2"));
    assert!(prefix.len() > 20, "AC-2, AC-2(1)…, AC-20…: {prefix:?}");
    for (fragment, want) in [
        ("#control=AC-2", set(&["AC-2"])),
        ("#control=ac-2", set(&["AC-2"])),
        ("#control=AC-2*", prefix.clone()),
        ("#control=ac-2*", prefix),
        ("#control=AC-2%20AC-3,AC-4", set(&["AC-2", "AC-3", "AC-4"])),
        ("#control=AC-2,SC-13&status=implemented", set(&["SC-13"])),
    ] {
        let html = dom(&browser, &page, fragment);
        assert_eq!(visible_controls(&html), want, "{fragment}");
        assert!(!no_match_shown(&html), "{fragment}");
        let (_, unknown) = tags(&html, "<ul id=\"filter-unknown\"")[0];
        assert!(hidden(unknown), "{fragment}: nothing unknown");
    }
}

#[test]
#[ignore = "needs chromium"]
fn not_started_and_not_tested_are_filters_in_the_browser() {
    let (repo, _git) = work_repo();
    let project = Project::work_tree(repo.path()).expect("open");
    let out = render(repo.path(), &[]);
    let page = site(&out).join(GDPR_PAGE);
    let browser = chromium();
    let not_started = customer(&project, GDPR, |_, r| r.and_then(|r| r.status).is_none());
    let not_tested = customer(&project, GDPR, |_, r| {
        r.and_then(|r| r.test_result).is_none()
    });
    let planned_or_new = customer(&project, GDPR, |_, r| {
        matches!(
            r.and_then(|r| r.status),
            None | Some(assure::model::Status::Planned)
        )
    });
    assert!(not_started.len() > 10 && not_tested.len() > not_started.len());
    for (fragment, want) in [
        ("#status=not-started", not_started),
        ("#result=not-tested", not_tested),
        ("#status=not-started,planned", planned_or_new),
    ] {
        let html = dom(&browser, &page, fragment);
        assert_eq!(visible_controls(&html), want, "{fragment}");
    }
}

#[test]
#[ignore = "needs chromium"]
fn a_filter_in_the_address_that_matches_nothing_says_why() {
    let (repo, _git) = work_repo();
    let out = render(repo.path(), &[]);
    let page = site(&out).join(NIST_PAGE);
    let browser = chromium();
    for (fragment, says, empty) in [
        (
            "#control=AC-99",
            "No control matches AC-99: no such control in this assessment.",
            true,
        ),
        ("#control=AU-8", "it is managed by the provider", true),
        ("#control=AC", "did you mean AC*", true),
        (
            "#assigned=nobody@example.test",
            "No control is assigned to nobody@example.test in this assessment.",
            true,
        ),
        (
            "#status=bogus",
            "Unknown status \u{201c}bogus\u{201d}: use one of implemented,",
            true,
        ),
        (
            "#colour=red",
            "Unknown filter \u{201c}colour\u{201d}",
            false,
        ),
        (
            "#article=Article%20(32)",
            "This certification's controls cite no references",
            true,
        ),
    ] {
        let html = dom(&browser, &page, fragment);
        let (_, unknown) = tags(&html, "<ul id=\"filter-unknown\"")[0];
        assert!(!hidden(unknown), "{fragment}: said");
        let text = text_of(&html, "<ul id=\"filter-unknown\"");
        assert!(text.contains(says), "{fragment}: {text}");
        assert_eq!(no_match_shown(&html), empty, "{fragment}");
    }
}

#[test]
#[ignore = "needs chromium"]
fn the_action_items_page_shows_the_person_in_the_address() {
    let (repo, _git) = work_repo();
    let out = render(repo.path(), &[]);
    let page = site(&out).join("actions.html");
    let browser = chromium();
    let shown = |html: &str| -> Vec<String> {
        tags(html, "<section class=\"person\"")
            .into_iter()
            .filter(|(_, t)| !hidden(t))
            .map(|(_, t)| attr(t, "id").expect("id"))
            .collect()
    };
    let everyone = shown(&dom(&browser, &page, ""));
    assert!(everyone.len() >= 2, "{everyone:?}");
    // #person=EMAIL as the brief spells it, any case, encoded or not; and #EMAIL, the
    // link `assure notify` puts in its e-mails.
    for fragment in [
        "#person=bob@example.com",
        "#person=Bob%40Example.com",
        "#bob@example.com",
        "#Bob@Example.com",
    ] {
        let html = dom(&browser, &page, fragment);
        assert_eq!(shown(&html), ["bob@example.com"], "{fragment}");
        let text = text_of(&html, "<div id=\"person-filter\"");
        assert!(
            text.contains("The action items of Bob Assessor (bob@example.com) only."),
            "{text}"
        );
    }
    // Erin is one of the people but her only item is in an archived assessment.
    for (fragment, says) in [
        (
            "#person=erin@example.com",
            "erin@example.com has no action items",
        ),
        (
            "#person=nobody@example.test",
            "No person nobody@example.test is known",
        ),
    ] {
        let html = dom(&browser, &page, fragment);
        assert!(shown(&html).is_empty(), "{fragment}");
        let (_, note) = tags(&html, "<div id=\"person-filter\"")[0];
        assert!(!hidden(note));
        let text = text_of(&html, "<div id=\"person-filter\"");
        assert!(text.contains(says), "{fragment}: {text}");
    }
}

// ---------------------------------------------------------------------------------------
// axe-core

/// axe-core's script: `$AXE_CORE_JS`, or where `.ci/run` installs it.
fn axe_script() -> PathBuf {
    let path = std::env::var_os("AXE_CORE_JS").map_or_else(
        || project_root().join("target/axe/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "axe-core is missing at {}: this test needs it \
         (`npm install --prefix target/axe axe-core@4`, which .ci/run does, \
         or set AXE_CORE_JS to axe.min.js)",
        path.display()
    );
    path
}

/// Runs axe on the page (after the site's own script, every <details> opened so what
/// they hold is checked too) and writes its WCAG 2.1 A/AA violations into the DOM.
const AXE_RUNNER: &str = r#"
document.querySelectorAll("details").forEach(function (d) { d.open = true; });
axe.run(document, {
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  resultTypes: ["violations"]
}).then(function (r) {
  var out = r.violations.map(function (v) {
    return { id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) {
      return n.target.join(" ") + ": " + n.failureSummary;
    }) };
  });
  var pre = document.createElement("pre");
  pre.id = "axe-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, function (e) {
  var pre = document.createElement("pre");
  pre.id = "axe-result";
  pre.textContent = JSON.stringify([{ id: "axe-error", help: String(e), nodes: [] }]);
  document.body.appendChild(pre);
});
"#;

/// Every `.html` file under `dir`, relative.
fn pages(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                out.push(p.strip_prefix(dir).expect("inside").to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
#[ignore = "needs chromium and axe-core"]
fn axe_finds_no_wcag_2_1_aa_violation_on_the_demo_site() {
    let axe = axe_script();
    let browser = chromium();
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_env(tmp.path(), &["demo", "demo"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let demo = tmp.path().join("demo");
    let public = tmp.path().join("public");
    let run = run_env(
        &demo,
        &[
            "report",
            "site",
            "--public",
            "--quiet",
            "-o",
            public.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // A copy of each site with the checker added to every page.
    let checked = tmp.path().join("checked");
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, src) in [("site", demo.join("reports/site")), ("public", public)] {
        let dir = checked.join(name);
        copy_tree(&src, &dir);
        std::fs::copy(&axe, dir.join("axe.min.js")).expect("copy axe");
        std::fs::write(dir.join("axe-run.js"), AXE_RUNNER).expect("runner");
        for rel in pages(&dir) {
            let file = dir.join(&rel);
            let html = read(&file);
            let tags = format!(
                "<script src=\"{}\" defer></script><script src=\"{}\" defer></script></body>",
                dir.join("axe.min.js").display(),
                dir.join("axe-run.js").display()
            );
            std::fs::write(&file, html.replace("</body>", &tags)).expect("write");
            let dom = dom_with(&browser, &file, "", &["--virtual-time-budget=30000"]);
            let at = dom
                .find("<pre id=\"axe-result\">")
                .unwrap_or_else(|| panic!("axe did not finish on {name}/{}", rel.display()))
                + "<pre id=\"axe-result\">".len();
            let json = unescape(&dom[at..at + dom[at..].find("</pre>").expect("ends")]);
            let found: serde_json::Value = serde_json::from_str(&json).expect("axe's JSON");
            for v in found.as_array().expect("a list") {
                failures.push(format!("{name}/{}: {v}", rel.display()));
            }
            count += 1;
        }
    }
    assert!(count > 10, "{count} pages checked");
    assert!(
        failures.is_empty(),
        "WCAG 2.1 A/AA violations:\n{}",
        failures.join("\n")
    );
}
