//! The controls of an assessment page are drawn by `app.js` from its group's data script
//! (src/report/site/group_data.rs). In a real browser (Chromium, `--dump-dom`), every
//! control of every page of the demo's site shows exactly what its data says: these
//! tests are what ties the data the plain tests read (`support::site_data`) to what a
//! reader sees.

use std::path::Path;

use serde_json::Value;

use crate::site::{attr, chromium, dom, tags};
use crate::support::run_env;
use crate::support::site_data::{controls, customer};

/// Text as the DOM dump writes it inside an element.
fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// Each `<li class="control" …>` of `html`, from its tag to the next one (or the end of
/// its list).
fn items(html: &str) -> Vec<&str> {
    let starts: Vec<usize> = tags(html, "<li class=\"control\"")
        .into_iter()
        .map(|(at, _)| at)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &at)| {
            let end = starts
                .get(n + 1)
                .copied()
                .unwrap_or_else(|| at + html[at..].find("</ul></details>").expect("end"));
            &html[at..end]
        })
        .collect()
}

fn check_control(page: &str, item: &str, c: &Value) {
    let id = c["id"].as_str().expect("id");
    let tag = &item[..item.find('>').expect("tag") + 1];
    assert_eq!(attr(tag, "id").as_deref(), Some(format!("c-{id}").as_str()));
    assert_eq!(
        attr(tag, "data-status").as_deref(),
        c["status"]["value"].as_str()
    );
    assert_eq!(
        attr(tag, "data-result").as_deref(),
        c["result"]["value"].as_str()
    );
    let refs: Vec<&str> = c["refs"]
        .as_array()
        .expect("refs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        attr(tag, "data-articles").unwrap_or_default(),
        refs.join("\n"),
        "{page} {id}"
    );
    let assigned = c["assigned"]["email"]
        .as_str()
        .map(|e| e.trim().to_lowercase());
    assert_eq!(
        attr(tag, "data-assigned").unwrap_or_default(),
        assigned.unwrap_or_default()
    );
    let summary = &item[..item.find("</summary>").expect("summary")];
    assert!(
        summary.contains(&format!(
            "<span class=\"ctitle\">{}</span>",
            text(c["title"].as_str().expect("title"))
        )),
        "{page} {id}: {summary}"
    );
    for (key, heading) in [
        ("implementation", "Implementation"),
        ("test_plan", "Test plan"),
        ("management_response", "Management response"),
    ] {
        if let Some(t) = c[key].as_str() {
            assert!(
                item.contains(&format!(
                    "<h4>{heading}</h4><p class=\"prose\">{}</p>",
                    text(t)
                )),
                "{page} {id}: {key}"
            );
        } else {
            assert!(
                !item.contains(&format!("<h4>{heading}</h4>")),
                "{page} {id}: no {key}"
            );
        }
    }
    match c["test_date"].as_str() {
        Some(d) => assert!(
            item.contains(&format!("<dt>Test date</dt><dd>{d}</dd>")),
            "{page} {id}"
        ),
        None => assert!(
            item.contains("<dt>Test date</dt><dd>\u{2014}</dd>"),
            "{page} {id}"
        ),
    }
    let synced = c["synced"].as_array().expect("synced");
    for link in synced {
        let href = link["href"].as_str().expect("href");
        let label = link["label"].as_str().expect("label");
        assert!(
            item.contains(&format!("<li><a href=\"{href}\">{}</a></li>", text(label))),
            "{page} {id}: {href}"
        );
    }
    assert_eq!(
        item.contains("<h4>Kept in sync with</h4>"),
        !synced.is_empty(),
        "{page} {id}"
    );
    let docs = c["documents"].as_array().expect("documents");
    assert_eq!(
        item.matches("<ul class=\"docs\">").count(),
        usize::from(!docs.is_empty())
    );
    for d in docs {
        assert!(
            item.contains(&text(d["path"].as_str().expect("path"))),
            "{page} {id}"
        );
    }
    let recent = c["history"]["recent"].as_array().expect("recent");
    for e in recent {
        assert!(
            item.contains(&format!(
                "<code>{}</code>",
                e["commit"].as_str().expect("commit")
            )),
            "{page} {id}"
        );
        for ch in e["changes"].as_array().expect("changes") {
            if ch["diff"].as_array().is_some_and(Vec::is_empty) && !ch["old"].is_null() {
                let old = text(ch["old"].as_str().expect("old"));
                assert!(item.contains(&format!("<span class=\"old\">{old}</span> <span aria-hidden=\"true\">\u{2192}</span><span class=\"sr-only\"> changed to </span> <span class=\"new\">")), "{page} {id}: {item}");
            }
        }
    }
    if let Some(f) = c["fresh"]["label"].as_str() {
        assert!(
            summary.contains(&format!("> Evidence {}</span>", text(f))),
            "{page} {id}"
        );
    }
}

fn check_page(browser: &Path, site: &Path, page: &str) -> usize {
    let data = controls(site, page);
    let html = dom(browser, &site.join(page), "");
    let listed = items(&html);
    let wanted = customer(&data);
    assert_eq!(listed.len(), wanted.len(), "{page}: every control drawn");
    for (item, c) in listed.iter().zip(&wanted) {
        check_control(page, item, c);
    }
    let provider: usize = data["provider"]
        .as_array()
        .expect("provider")
        .iter()
        .map(|f| f.as_array().expect("family").len())
        .sum();
    assert_eq!(
        html.matches("<tr class=\"provider-control\"").count(),
        provider,
        "{page}"
    );
    for f in data["provider"]
        .as_array()
        .expect("provider")
        .iter()
        .flat_map(|f| f.as_array().expect("family"))
    {
        let row = format!(
            "<tr class=\"provider-control\" data-control=\"{}\"><th scope=\"row\" data-label=\"Control\"><span class=\"cid\">{}</span></th><td data-label=\"Title\">{}",
            f["id"].as_str().expect("id"),
            f["id"].as_str().expect("id"),
            text(f["title"].as_str().expect("title"))
        );
        assert!(html.contains(&row), "{page}: {row}");
    }
    wanted.len()
}

#[test]
#[ignore = "needs chromium"]
fn controls_are_drawn_from_the_groups_data_in_a_browser() {
    let browser = chromium();
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_env(tmp.path(), &["demo", "demo"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let site = tmp.path().join("demo/reports/site");
    let mut drawn = 0;
    let mut pages = 0;
    for entry in std::fs::read_dir(site.join("assessments")).expect("pages") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf-8");
        drawn += check_page(&browser, &site, &format!("assessments/{name}"));
        pages += 1;
    }
    assert!(
        pages >= 10 && drawn > 200,
        "{pages} pages, {drawn} controls"
    );
}
