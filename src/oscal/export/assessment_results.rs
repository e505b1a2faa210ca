//! An assessment as an OSCAL assessment-results document (docs/oscal.md, "Assessment
//! results").
//!
//! Invariants:
//! - One `result` for the assessment: from its `created` time to the commit exported,
//!   with the score and progress of `assure assessment show` as props, and every control
//!   of the assessment in scope (its categories) as `reviewed-controls`.
//! - A finding, an observation and (when failed) a risk per assessed control — a
//!   customer-managed control with a test result, and every provider-managed control
//!   (the template's result, marked as the provider's) — made by [`super::findings`], so
//!   the POA&M of the same commit carries the same objects with the same uuids. A control
//!   with no test result has no finding: it is only among the reviewed controls.
//! - `import-ap` is required and assure has no OSCAL assessment plan: it points at a
//!   back-matter resource naming the assessment file, whose test plans are the plan.

use serde_json::{Map, Value, json};

use super::findings::{self, Ctx, Entry};
use super::{Origin, Subject, control_id, date_time, href, prop};

/// The document of `subject`.
pub fn build(subject: &Subject, origin: &Origin) -> Value {
    let ctx = Ctx::new(subject, origin);
    let entries = findings::entries(subject);
    let tested: Vec<&Entry> = entries.iter().filter(|e| e.test.is_some()).collect();
    let title = format!("{}: assessment results", subject.page.name);
    let metadata = findings::metadata(&ctx, &title, &tested, |e| e.failed());
    let plan = plan_resource(&ctx);
    let plan_uuid = plan["uuid"].as_str().unwrap_or_default().to_owned();
    let mut resources = vec![plan];
    resources.extend(findings::evidence(&ctx, &tested));
    json!({
        "assessment-results": {
            "uuid": ctx.ids.uuid("assessment-results", &[ctx.key()]),
            "metadata": metadata,
            "import-ap": {
                "href": format!("#{plan_uuid}"),
                "remarks": "assure keeps no OSCAL assessment plan: the plan is the assessment file at the commit this document states (its controls' test plans), named in the back matter.",
            },
            "results": [result(&ctx, &tested)],
            "back-matter": { "resources": resources },
        }
    })
}

/// The back-matter resource that stands for the assessment plan: the assessment file.
fn plan_resource(ctx: &Ctx) -> Value {
    let path = format!("groups/{}.yaml", ctx.key());
    json!({
        "uuid": ctx.ids.uuid("resource", &["assessment-plan", ctx.key()]),
        "title": path,
        "description": format!(
            "The assessment file of {} at commit {}: the test plan of each control is the assessment plan.",
            ctx.key(),
            ctx.origin.commit
        ),
        "props": [prop("commit", &ctx.origin.commit)],
        "rlinks": [{ "href": href(&path), "media-type": "application/yaml" }],
    })
}

/// The one result: its time span, figures, reviewed controls and the objects of the
/// tested controls.
fn result(ctx: &Ctx, tested: &[&Entry]) -> Value {
    let page = ctx.subject.page;
    let mut r = Map::new();
    r.insert("uuid".into(), ctx.ids.uuid("result", &[ctx.key()]).into());
    r.insert("title".into(), page.name.clone().into());
    r.insert("description".into(), description(ctx).into());
    r.insert("start".into(), date_time(page.created).into());
    // The evidence of the results is what the commit holds; a commit older than the
    // assessment's `created` (a clock gone wrong) would give an end before the start.
    if ctx.origin.time >= page.created {
        r.insert("end".into(), date_time(ctx.origin.time).into());
    }
    r.insert("props".into(), props(ctx).into());
    r.insert("reviewed-controls".into(), reviewed(ctx));
    let list = |make: &dyn Fn(&Entry) -> Option<Value>| -> Vec<Value> {
        tested.iter().filter_map(|e| make(e)).collect()
    };
    let observations = list(&|e| Some(findings::observation(ctx, e, e.test.as_ref()?)));
    let risks = list(&|e| e.failed().then(|| findings::risk(ctx, e)));
    let found = list(&|e| Some(findings::finding(ctx, e, e.test.as_ref()?)));
    for (key, list) in [
        ("observations", observations),
        ("risks", risks),
        ("findings", found),
    ] {
        if !list.is_empty() {
            r.insert(key.into(), list.into());
        }
    }
    Value::Object(r)
}

fn description(ctx: &Ctx) -> String {
    let page = ctx.subject.page;
    let mut text = format!(
        "The assessment {} of {} ({}) against {} {}",
        ctx.key(),
        page.service.name,
        page.group.name,
        page.certification.name,
        page.certification.version,
    );
    if !page.categories.is_empty() {
        let names: Vec<&str> = page.categories.iter().map(|c| c.name.as_str()).collect();
        text.push_str(&format!(", categories {}", names.join(", ")));
    }
    text.push_str(": a finding per assessed control (customer-managed controls with a test result, and provider-managed controls as the service provider's template records them).");
    if let Some(archived) = page.archived {
        text.push_str(&format!(" Archived {}.", date_time(archived)));
    }
    text
}

/// The figures of `assure assessment show`: score, maximum, assessed and total.
fn props(ctx: &Ctx) -> Vec<Value> {
    let p = &ctx.subject.page.totals.progress;
    vec![
        prop("score", &p.score.to_string()),
        prop("maximum", &p.max.to_string()),
        prop("assessed", &p.assessed.to_string()),
        prop("total", &p.total.to_string()),
    ]
}

/// Every control of the assessment in scope, in catalog order.
fn reviewed(ctx: &Ctx) -> Value {
    let views = ctx.subject.views;
    let description = format!(
        "Every control of {} in the assessment's scope ({} controls); a control with no test result has no finding.",
        ctx.subject.page.certification.name,
        views.len()
    );
    if views.is_empty() {
        return json!({ "control-selections": [{ "description": description }] });
    }
    let controls: Vec<Value> = views
        .iter()
        .map(|v| json!({ "control-id": control_id(&v.control.id) }))
        .collect();
    json!({
        "control-selections": [{ "description": description, "include-controls": controls }],
    })
}
