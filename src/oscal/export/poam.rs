//! An assessment as an OSCAL plan of action and milestones (docs/oscal.md, "Plan of
//! action and milestones").
//!
//! Invariants:
//! - One `poam-item` per control with an open action item (what `assure actions` lists,
//!   [`crate::ops::actions::action_items`]) or a failed test result, in catalog order: a
//!   control that is both is one item, since both are the same work on the same control.
//! - Each item relates to its risk and, when the control was tested, to its finding and
//!   observation; these are in the document's own lists and are the very objects (same
//!   uuids) of the assessment results of the same commit ([`super::findings`]).
//! - The assignee is the responsible party of the task of the risk's planned remediation
//!   (OSCAL 1.1.3's poam-item has no responsible parties); the priority and notes are the
//!   item's prop and description.
//! - The system is the SSP export's: `system-id` and `import-ssp` name the ids that
//!   `--model ssp` gives the same assessment.
//! - OSCAL requires at least one item: an assessment with nothing to plan is refused.

use serde_json::{Map, Value, json};

use super::findings::{self, Ctx, Entry};
use super::{Origin, Subject, prop};

/// The document of `subject`, or why there is none (nothing to plan).
pub fn build(subject: &Subject, origin: &Origin) -> Result<Value, String> {
    let ctx = Ctx::new(subject, origin);
    let entries = findings::entries(subject);
    let items: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.failed() || e.action.is_some())
        .collect();
    if items.is_empty() {
        return Err(format!(
            "{} has no open action item and no failed control, so its POA&M would be empty, and OSCAL requires at least one poam-item; `assure assessment show {}` shows its controls",
            ctx.key(),
            ctx.key()
        ));
    }
    let tested: Vec<&Entry> = items.iter().copied().filter(|e| e.test.is_some()).collect();
    let title = format!("{}: plan of action and milestones", subject.page.name);
    let mut doc = Map::new();
    doc.insert(
        "uuid".into(),
        ctx.ids
            .uuid("plan-of-action-and-milestones", &[ctx.key()])
            .into(),
    );
    let metadata = findings::metadata(&ctx, &title, &items, |_| true);
    doc.insert("metadata".into(), metadata.into());
    let ssp = ssp_resource(&ctx);
    doc.insert(
        "import-ssp".into(),
        json!({ "href": format!("#{}", ssp["uuid"].as_str().unwrap_or_default()) }),
    );
    doc.insert(
        "system-id".into(),
        json!({
            "identifier-type": "https://ietf.org/rfc/rfc4122",
            "id": ctx.ids.uuid("system", &[ctx.key()]),
        }),
    );
    let observations: Vec<Value> = tested
        .iter()
        .filter_map(|e| Some(findings::observation(&ctx, e, e.test.as_ref()?)))
        .collect();
    if !observations.is_empty() {
        doc.insert("observations".into(), observations.into());
    }
    let risks: Vec<Value> = items.iter().map(|e| findings::risk(&ctx, e)).collect();
    doc.insert("risks".into(), risks.into());
    let found: Vec<Value> = tested
        .iter()
        .filter_map(|e| Some(findings::finding(&ctx, e, e.test.as_ref()?)))
        .collect();
    if !found.is_empty() {
        doc.insert("findings".into(), found.into());
    }
    let poam_items: Vec<Value> = items.iter().map(|e| item(&ctx, e)).collect();
    doc.insert("poam-items".into(), poam_items.into());
    let mut resources = vec![ssp];
    resources.extend(findings::evidence(&ctx, &tested));
    doc.insert("back-matter".into(), json!({ "resources": resources }));
    Ok(json!({ "plan-of-action-and-milestones": doc }))
}

/// The back-matter resource that names the SSP of the same assessment and commit.
fn ssp_resource(ctx: &Ctx) -> Value {
    let ssp = ctx.ids.uuid("system-security-plan", &[ctx.key()]);
    json!({
        "uuid": ctx.ids.uuid("resource", &["system-security-plan", ctx.key()]),
        "title": format!("System security plan of {}", ctx.key()),
        "description": format!(
            "The OSCAL system security plan that `assure export oscal {} --model ssp` writes from commit {} (its uuid is {ssp}).",
            ctx.key(),
            ctx.origin.commit
        ),
        "props": [prop("system-security-plan-uuid", &ssp), prop("commit", &ctx.origin.commit)],
    })
}

/// The item of one control: what is to be done (the action item's notes, else the failed
/// test), its priority, and the finding, observation and risk it answers.
fn item(ctx: &Ctx, e: &Entry) -> Value {
    let mut i = Map::new();
    i.insert("uuid".into(), ctx.uuid("poam-item", e.id()).into());
    i.insert("title".into(), e.name().into());
    let notes = e
        .action
        .and_then(|a| a.notes.as_deref())
        .filter(|n| !n.trim().is_empty());
    let description = match (notes, &e.test) {
        (Some(notes), _) => notes.to_owned(),
        (None, Some(t)) if e.failed() => format!(
            "Remediate {}: its test failed ({}).",
            e.id(),
            t.result.label()
        ),
        (None, _) => format!("Complete the action item on {}.", e.id()),
    };
    i.insert("description".into(), description.into());
    let mut props = vec![crate::oscal::assure::text_prop("control", e.id())];
    if let Some(action) = e.action {
        props.push(prop("assigned-to", action.person.trim()));
        if let Some(priority) = action.priority {
            props.push(prop("priority", priority.as_str()));
        }
    }
    i.insert("props".into(), props.into());
    if e.test.is_some() {
        i.insert(
            "related-findings".into(),
            json!([{ "finding-uuid": ctx.uuid("finding", e.id()) }]),
        );
        i.insert(
            "related-observations".into(),
            json!([{ "observation-uuid": ctx.uuid("observation", e.id()) }]),
        );
    }
    i.insert(
        "related-risks".into(),
        json!([{ "risk-uuid": ctx.uuid("risk", e.id()) }]),
    );
    i.insert("remarks".into(), why(ctx, e).into());
    Value::Object(i)
}

/// Why the control has an item: its failed test, its open action item, or both.
fn why(ctx: &Ctx, e: &Entry) -> String {
    let failed = e
        .test
        .as_ref()
        .filter(|_| e.failed())
        .map(|t| format!("its test failed ({})", t.result.label()));
    let action = e.action.map(|a| {
        format!(
            "an action item is open, assigned to {} <{}>",
            ctx.subject.name_of(&a.person),
            a.person.trim()
        )
    });
    let provider = if e.provider() {
        " It is provider-managed: the service provider remediates it."
    } else {
        ""
    };
    match (failed, action) {
        (Some(f), Some(a)) => format!(
            "{}: {f}, and {a}; one item, as both are the same work on the same control.{provider}",
            e.id()
        ),
        (Some(f), None) => format!("{}: {f}.{provider}", e.id()),
        (None, Some(a)) => format!("{}: {a}.{provider}", e.id()),
        (None, None) => e.id().to_owned(),
    }
}
