//! What an assessment page of the site shows of its controls, without a browser: the
//! page's HTML keeps its first screen, and `app.js` draws the controls from its group's
//! data script (`data/GROUP.js`, see src/report/site/group_data.rs). These read that
//! data back with every number resolved (texts, labels, people, sync links), so a test
//! can assert on what each control shows; the browser tests check the drawing itself.

use std::path::Path;

use serde_json::{Map, Value, json};

/// The resolved controls of page `page` (e.g. `assessments/G--S--C.html`), whose files
/// `read` gives by their path in the site: `{"customer": [family: [control]],
/// "provider": [family: [control]]}`.
pub fn controls_with(read: &dyn Fn(&str) -> Option<Vec<u8>>, page: &str) -> Value {
    let html = String::from_utf8(read(page).unwrap_or_else(|| panic!("no page {page}")))
        .expect("utf-8")
        .replace("&#x2f;", "/");
    let src = html
        .split("<script src=\"../data/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("{page} names no data script"));
    let index: usize = html
        .split("id=\"customer-controls\"")
        .nth(1)
        .and_then(|s| s.split("data-index=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{page} has no data-index"));
    let path = format!("data/{}", percent_decode(src));
    let script =
        String::from_utf8(read(&path).unwrap_or_else(|| panic!("no {path}"))).expect("utf-8");
    let json = script
        .strip_prefix("window.assureData = ")
        .and_then(|s| s.strip_suffix(";\n"))
        .unwrap_or_else(|| panic!("{path} is not one assignment"));
    let data: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{path}: {e}"));
    resolve(&data, index)
}

/// [`controls_with`] of a site written to `site`.
pub fn controls(site: &Path, page: &str) -> Value {
    controls_with(&|p| std::fs::read(site.join(p)).ok(), page)
}

/// The page's HTML and its resolved controls (pretty JSON) in one string, for tests that
/// look for a text anywhere on the page.
pub fn page_text(site: &Path, page: &str) -> String {
    page_text_with(&|p| std::fs::read(site.join(p)).ok(), page)
}

/// [`page_text`] of files `read` gives.
pub fn page_text_with(read: &dyn Fn(&str) -> Option<Vec<u8>>, page: &str) -> String {
    let html =
        String::from_utf8(read(page).unwrap_or_else(|| panic!("no page {page}"))).expect("utf-8");
    let controls = controls_with(read, page);
    format!(
        "{html}\n{}",
        serde_json::to_string_pretty(&controls).expect("json")
    )
}

/// Every customer-managed control of the resolved `controls`, by id.
pub fn customer(controls: &Value) -> Vec<&Value> {
    controls["customer"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f.as_array().into_iter().flatten())
        .collect()
}

/// The resolved customer-managed control `id`.
pub fn control<'a>(controls: &'a Value, id: &str) -> &'a Value {
    customer(controls)
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} not on the page: {controls:#}"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}

/// The text numbered `v` in the data's `texts` (null when `v` is none).
fn text(data: &Value, v: &Value) -> Value {
    v.as_u64()
        .map_or(Value::Null, |n| data["texts"][n as usize].clone())
}

/// The status or result label numbered `v` in the data's `labels`.
fn label(data: &Value, v: &Value) -> Value {
    data["labels"][v.as_u64().expect("label") as usize].clone()
}

fn resolve(data: &Value, index: usize) -> Value {
    let text = |v: &Value| text(data, v);
    let label = |v: &Value| label(data, v);
    let mine = &data["assessments"][index];
    let customer: Vec<Value> = mine["customer"]
        .as_array()
        .expect("customer")
        .iter()
        .map(|family| {
            let list = family.as_array().expect("family");
            Value::Array(
                list.iter()
                    .map(|c| resolve_control(data, index, c))
                    .collect(),
            )
        })
        .collect();
    let provider: Vec<Value> = mine["provider"]
        .as_array()
        .expect("provider")
        .iter()
        .map(|family| {
            let list = family.as_array().expect("family");
            Value::Array(
                list.iter()
                    .map(|c| {
                        json!({
                            "id": c["id"], "title": text(&c["title"]), "refs": c["refs"],
                            "status": label(&c["st"]), "result": label(&c["re"]),
                            "date": c["date"], "tested_by": text(&c["by"]),
                            "description": text(&c["desc"]),
                        })
                    })
                    .collect(),
            )
        })
        .collect();
    json!({ "customer": customer, "provider": provider })
}

fn resolve_control(data: &Value, index: usize, c: &Value) -> Value {
    let text = |v: &Value| text(data, v);
    let label = |v: &Value| label(data, v);
    let mut out = Map::new();
    out.insert("id".into(), c["id"].clone());
    out.insert("title".into(), text(&c["title"]));
    out.insert("description".into(), text(&c["desc"]));
    out.insert("refs".into(), c.get("refs").cloned().unwrap_or(json!([])));
    out.insert("score".into(), c["score"].clone());
    out.insert("started".into(), json!(c.get("unstarted").is_none()));
    out.insert("status".into(), label(&c["st"]));
    out.insert("result".into(), label(&c["re"]));
    out.insert("test_date".into(), c["date"].clone());
    let who = c.get("who").map_or(Value::Null, |n| {
        data["people"][n.as_u64().expect("who") as usize].clone()
    });
    out.insert("assigned".into(), who);
    let action = c.get("action").map_or(Value::Null, |a| {
        json!({ "priority": a["priority"], "notify": a.get("notify").is_some(), "notes": text(&a["notes"]) })
    });
    out.insert("action".into(), action);
    out.insert("implementation".into(), text(&c["imp"]));
    out.insert("test_plan".into(), text(&c["plan"]));
    out.insert("management_response".into(), text(&c["resp"]));
    out.insert(
        "documents".into(),
        c.get("docs").cloned().unwrap_or(json!([])),
    );
    out.insert("fresh".into(), c["fresh"].clone());
    let synced: Vec<Value> = c.get("class").map_or_else(Vec::new, |n| {
        data["classes"][n.as_u64().expect("class") as usize]
            .as_array()
            .expect("class")
            .iter()
            .filter(|m| !(m[0] == json!(index) && m[1] == c["id"]))
            .map(|m| {
                let page = &data["pages"][m[0].as_u64().expect("page") as usize];
                let anchor = m.get(2).unwrap_or(&m[1]).as_str().expect("anchor");
                json!({
                    "label": format!("{} {}", page["name"].as_str().expect("name"), m[1].as_str().expect("id")),
                    "href": format!("{}#c-{anchor}", page["href"].as_str().expect("href")),
                })
            })
            .collect()
    });
    out.insert("synced".into(), Value::Array(synced));
    out.insert(
        "related".into(),
        c.get("related").cloned().unwrap_or(json!([])),
    );
    out.insert(
        "see_also".into(),
        c.get("see").cloned().unwrap_or(json!([])),
    );
    out.insert(
        "history".into(),
        c.get("history")
            .cloned()
            .unwrap_or(json!({"recent": [], "older": []})),
    );
    Value::Object(out)
}
