//! What the assessment-results and POA&M exports share: one [`Entry`] per control that
//! has something to report — a test result (a customer-managed control's record, or the
//! template's for a provider-managed one) or an open action item — and the OSCAL objects
//! made from it: the observation (the test), the finding (satisfied or not), the risk (a
//! failed test, or work still open) and the parties they name.
//!
//! Invariants:
//! - Both documents make these objects with these functions only, so the same control of
//!   the same commit gives the same object, with the same uuid, in both: tools join a
//!   POA&M item to the assessment results by the finding's, observation's or risk's uuid.
//!   Every uuid is keyed by the assessment and the control id ([`Ids::uuid`]), never by a
//!   position in a list.
//! - A finding is `satisfied` exactly when the test result is passed; any failed result is
//!   `not-satisfied` with a risk whose level is the result's (low, moderate, high).
//! - Every actor and party uuid an object names is in the document's metadata
//!   ([`parties`]): the tester as a person, the provider's tester as an organization, the
//!   assignee of an action item as a person, the organization when git does not say who
//!   set a result.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveTime};
use serde_json::{Map, Value, json};

use super::{
    Ids, Origin, Subject, control_id, date_time, evidence_resource, evidence_uuid, line, non_empty,
    organization_uuid, person_party, person_uuid, prop,
};
use crate::model::{Document, Status, TestResult};
use crate::ops::actions::ActionItem;
use crate::ops::score::{ControlView, Managed};
use crate::oscal::assure::text_prop;

/// The naming system of the risk level facet: OSCAL's own, whose facet `risk` is "a
/// general risk rating".
pub const NIST_SYSTEM: &str = "http://csrc.nist.gov/ns/oscal";
/// FedRAMP's namespace, for the `impacted-control-id` prop its POA&M guide asks of a risk.
pub const FEDRAMP_NS: &str = "https://fedramp.gov/ns/oscal";
/// The role of the person an action item is assigned to.
pub const ASSIGNEE_ROLE: &str = "assignee";

/// What one export is about: the assessment, where it comes from, and its ids.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub ids: Ids,
    pub origin: &'a Origin,
    pub subject: &'a Subject<'a>,
}

impl<'a> Ctx<'a> {
    pub fn new(subject: &'a Subject<'a>, origin: &'a Origin) -> Ctx<'a> {
        Ctx {
            ids: Ids::new(&origin.repository),
            origin,
            subject,
        }
    }

    /// `group/service--certification`.
    pub fn key(&self) -> &'a str {
        &self.subject.page.assessment
    }

    /// The uuid of the object of this `kind` about `control` of this assessment.
    pub fn uuid(&self, kind: &str, control: &str) -> String {
        self.ids.uuid(kind, &[self.key(), control])
    }
}

/// One control with a test result or an open action item, in catalog order.
pub struct Entry<'a> {
    pub view: &'a ControlView<'a>,
    pub test: Option<Test<'a>>,
    pub action: Option<&'a ActionItem>,
}

/// A control's last test, as assure records it.
pub struct Test<'a> {
    pub result: TestResult,
    pub date: Option<NaiveDate>,
    /// The test plan (customer-managed controls; the template has none).
    pub plan: Option<&'a str>,
    pub management_response: Option<&'a str>,
    pub by: By<'a>,
    pub documents: &'a [Document],
}

/// Who tested a control.
pub enum By<'a> {
    /// The author of the commit that set the result (git history), by email.
    Person { email: &'a str, name: &'a str },
    /// The provider's tester, as the template names it (`tested_by`).
    Provider(&'a str),
    /// Not in git history (the result is not committed yet).
    Unknown,
}

impl Entry<'_> {
    /// The test failed: the finding is not satisfied and there is a risk.
    pub fn failed(&self) -> bool {
        self.test
            .as_ref()
            .is_some_and(|t| t.result != TestResult::Passed)
    }

    pub fn provider(&self) -> bool {
        matches!(self.view.managed, Managed::Provider(_))
    }

    pub fn id(&self) -> &str {
        &self.view.control.id
    }

    /// `AC-2(1) Automated System Account Management`, or the id alone when untitled, on
    /// one line (it is a title).
    pub fn name(&self) -> String {
        let name = format!("{} {}", self.id(), self.view.control.title);
        line(&name, "(untitled control)")
    }

    fn managed_by(&self) -> &'static str {
        if self.provider() {
            "provider"
        } else {
            "customer"
        }
    }
}

/// Every control of the assessment with a test result or an open action item, in
/// catalog order.
pub fn entries<'a>(subject: &'a Subject<'a>) -> Vec<Entry<'a>> {
    let actions: BTreeMap<&str, &ActionItem> = subject
        .actions
        .iter()
        .map(|a| (a.control.as_str(), a))
        .collect();
    subject
        .views
        .iter()
        .filter_map(|view| {
            let test = test_of(subject, view);
            let action = actions.get(view.control.id.as_str()).copied();
            (test.is_some() || action.is_some()).then_some(Entry { view, test, action })
        })
        .collect()
}

fn test_of<'a>(subject: &'a Subject<'a>, view: &'a ControlView<'a>) -> Option<Test<'a>> {
    match view.managed {
        Managed::Provider(p) => Some(Test {
            result: p.test_result,
            date: Some(p.test_date),
            plan: None,
            management_response: None,
            by: By::Provider(&p.tested_by),
            documents: &[],
        }),
        Managed::Customer(record) => {
            let r = record?;
            let by = match subject.testers.get(&view.control.id) {
                Some(t) => By::Person {
                    email: &t.email,
                    name: &t.name,
                },
                None => By::Unknown,
            };
            Some(Test {
                result: r.test_result?,
                date: r.test_date,
                plan: r.test_plan.as_deref(),
                management_response: r.management_response.as_deref(),
                by,
                documents: &r.documents,
            })
        }
    }
}

/// The uuid of the party `by` names.
fn actor_uuid(ctx: &Ctx, by: &By) -> String {
    match by {
        By::Person { email, .. } => person_uuid(&ctx.ids, email),
        By::Provider(name) => provider_uuid(ctx, name),
        By::Unknown => organization_uuid(&ctx.ids, ctx.origin),
    }
}

fn provider_uuid(ctx: &Ctx, tested_by: &str) -> String {
    ctx.ids.uuid("party", &["organization", tested_by.trim()])
}

/// `origins` naming `by` as the actor.
fn origins(ctx: &Ctx, by: &By) -> Value {
    json!([{ "actors": [{ "type": "party", "actor-uuid": actor_uuid(ctx, by) }] }])
}

/// The time a test was made: its date at midnight UTC; with no date, the time of the
/// commit that set the result, else the export's commit.
fn collected(ctx: &Ctx, e: &Entry, test: &Test) -> String {
    if let Some(date) = test.date {
        return date_time(date.and_time(NaiveTime::MIN).and_utc());
    }
    let committed = ctx.subject.testers.get(e.id()).map(|t| t.time);
    date_time(committed.unwrap_or(ctx.origin.time))
}

/// The observation of a control's test: how (TEST), when, by whom, on which evidence.
pub fn observation(ctx: &Ctx, e: &Entry, test: &Test) -> Value {
    let mut o = Map::new();
    o.insert("uuid".into(), ctx.uuid("observation", e.id()).into());
    o.insert("title".into(), format!("Test of {}", e.name()).into());
    let description = match (test.plan, &test.by) {
        (Some(plan), _) if !plan.trim().is_empty() => plan.to_owned(),
        (_, By::Provider(_)) => provider_test(ctx, e),
        _ => "No test plan is recorded for this control.".to_owned(),
    };
    o.insert("description".into(), description.into());
    o.insert("props".into(), control_props(e, test).into());
    o.insert("methods".into(), json!(["TEST"]));
    o.insert("types".into(), json!(["control-objective"]));
    o.insert("origins".into(), origins(ctx, &test.by));
    if !test.documents.is_empty() {
        let evidence: Vec<Value> = test
            .documents
            .iter()
            .map(|d| {
                json!({
                    "href": format!("#{}", evidence_uuid(&ctx.ids, &d.path)),
                    "description": non_empty(&d.path, "(no path)"),
                })
            })
            .collect();
        o.insert("relevant-evidence".into(), evidence.into());
    }
    o.insert("collected".into(), collected(ctx, e, test).into());
    Value::Object(o)
}

/// What the template says of a provider-managed control's test.
fn provider_test(ctx: &Ctx, e: &Entry) -> String {
    let Managed::Provider(p) = e.view.managed else {
        return String::new();
    };
    let page = ctx.subject.page;
    let mut text = format!(
        "Provider-managed: the service provider's own test, as the catalog's template for {} and {} records it (tested by {}).",
        page.service.name,
        page.certification.name,
        line(&p.tested_by, "an unnamed tester"),
    );
    if !p.description.trim().is_empty() {
        text.push(' ');
        text.push_str(&p.description);
    }
    text
}

/// assure's facts about a tested control: its exact id, who manages it, its status and
/// test result.
fn control_props(e: &Entry, test: &Test) -> Vec<Value> {
    let mut props = vec![
        text_prop("control", e.id()),
        prop("managed-by", e.managed_by()),
    ];
    if let Some(status) = e.view.managed.status() {
        props.push(prop("status", status.as_str()));
    }
    props.push(prop("test-result", test.result.as_str()));
    props
}

/// The finding on a tested control: satisfied when passed, not satisfied (with its risk)
/// when failed; its target is the control's statement (`<control-id>_smt`, the statement
/// part's id by NIST's convention), as OSCAL targets a whole control.
pub fn finding(ctx: &Ctx, e: &Entry, test: &Test) -> Value {
    let (state, reason) = if e.failed() {
        ("not-satisfied", "fail")
    } else {
        ("satisfied", "pass")
    };
    let mut f = Map::new();
    f.insert("uuid".into(), ctx.uuid("finding", e.id()).into());
    f.insert("title".into(), e.name().into());
    f.insert("description".into(), verdict(e, test).into());
    f.insert("props".into(), control_props(e, test).into());
    f.insert(
        "target".into(),
        json!({
            "type": "statement-id",
            "target-id": format!("{}_smt", control_id(e.id())),
            "status": { "state": state, "reason": reason },
        }),
    );
    f.insert(
        "related-observations".into(),
        json!([{ "observation-uuid": ctx.uuid("observation", e.id()) }]),
    );
    if e.failed() {
        f.insert(
            "related-risks".into(),
            json!([{ "risk-uuid": ctx.uuid("risk", e.id()) }]),
        );
    }
    if let Some(response) = test.management_response.filter(|r| !r.trim().is_empty()) {
        f.insert(
            "remarks".into(),
            format!("Management response: {response}").into(),
        );
    }
    Value::Object(f)
}

/// "AC-2(1) was tested on 2019-04-10: Failed-Low Risk (status Implemented)."
fn verdict(e: &Entry, test: &Test) -> String {
    let when = test
        .date
        .map_or(String::new(), |d| format!(" on {}", d.format("%Y-%m-%d")));
    let whose = if e.provider() {
        " by the service provider"
    } else {
        ""
    };
    format!(
        "{} was tested{whose}{when}: {} (status {}).",
        e.id(),
        test.result.label(),
        Status::label_of(e.view.managed.status()),
    )
}

/// The risk level of a failed result in OSCAL's words (NIST SP 800-30's scale:
/// `medium` is `moderate`).
pub fn level(result: TestResult) -> Option<&'static str> {
    match result {
        TestResult::Passed => None,
        TestResult::FailedLowRisk => Some("low"),
        TestResult::FailedMediumRisk => Some("moderate"),
        TestResult::FailedHighRisk => Some("high"),
    }
}

/// The status of a control's risk: `remediating` when the control's status is planned
/// (the fix is under way), else `open`. assure records no closing of a risk: a control
/// that passes its next test has no risk any more.
pub fn risk_status(e: &Entry) -> &'static str {
    match e.view.managed.status() {
        Some(Status::Planned) => "remediating",
        _ => "open",
    }
}

/// The risk of a control: its failed test (with the level as a `risk` facet of OSCAL's
/// naming system, characterized by the tester) and, when an action item is open on it,
/// the planned remediation whose task names the assignee.
pub fn risk(ctx: &Ctx, e: &Entry) -> Value {
    let mut r = Map::new();
    r.insert("uuid".into(), ctx.uuid("risk", e.id()).into());
    let (title, description) = risk_text(ctx, e);
    r.insert("title".into(), title.into());
    r.insert("description".into(), description.into());
    let statement = format!(
        "Until this is resolved, {} is not shown to be effective for {}.",
        e.id(),
        ctx.subject.page.service.name
    );
    r.insert("statement".into(), statement.into());
    r.insert(
        "props".into(),
        json!([
            text_prop("control", e.id()),
            { "name": "impacted-control-id", "ns": FEDRAMP_NS, "value": control_id(e.id()) },
        ]),
    );
    r.insert("status".into(), risk_status(e).into());
    if let Some(test) = &e.test
        && let Some(level) = level(test.result)
    {
        r.insert(
            "characterizations".into(),
            json!([{
                "origin": { "actors": [{ "type": "party", "actor-uuid": actor_uuid(ctx, &test.by) }] },
                "facets": [{ "name": "risk", "system": NIST_SYSTEM, "value": level }],
            }]),
        );
    }
    if let Some(action) = e.action {
        r.insert("remediations".into(), json!([remediation(ctx, e, action)]));
    }
    if e.test.is_some() {
        r.insert(
            "related-observations".into(),
            json!([{ "observation-uuid": ctx.uuid("observation", e.id()) }]),
        );
    }
    Value::Object(r)
}

/// The risk's title and description: the failed test, or the open action item.
fn risk_text(ctx: &Ctx, e: &Entry) -> (String, String) {
    match &e.test {
        Some(test) if e.failed() => (
            format!("{}: {}", e.name(), test.result.label()),
            verdict(e, test),
        ),
        _ => {
            let who = e.action.map_or("", |a| ctx.subject.name_of(&a.person));
            (
                format!("{}: open action item", e.name()),
                format!(
                    "{} is {} and {}; an action item assigned to {who} is open on it.",
                    e.id(),
                    Status::label_of(e.view.managed.status()),
                    TestResult::label_of(e.test.as_ref().map(|t| t.result)),
                ),
            )
        }
    }
}

/// The action item as the risk's planned remediation: its notes, and a task whose
/// responsible role is the assignee.
fn remediation(ctx: &Ctx, e: &Entry, action: &ActionItem) -> Value {
    let name = line(ctx.subject.name_of(&action.person), &action.person);
    let notes = action.notes.as_deref().filter(|n| !n.trim().is_empty());
    json!({
        "uuid": ctx.uuid("response", e.id()),
        "lifecycle": "planned",
        "title": format!("Action item on {}", line(e.id(), "a control")),
        "description": notes.map_or_else(|| format!("Assigned to {name}."), str::to_owned),
        "tasks": [{
            "uuid": ctx.uuid("task", e.id()),
            "type": "action",
            "title": format!("Action item on {} for {name}", line(e.id(), "a control")),
            "responsible-roles": [{
                "role-id": ASSIGNEE_ROLE,
                "party-uuids": [person_uuid(&ctx.ids, &action.person)],
            }],
        }],
    })
}

/// The parties that the objects made of `entries` name (testers, the provider's testers,
/// assignees of the action items on the risks when `risks` says an entry has one), each
/// once, in the order they first appear; the organization's is in the metadata already.
pub fn parties(ctx: &Ctx, entries: &[&Entry], risks: impl Fn(&Entry) -> bool) -> Vec<Value> {
    let mut seen = BTreeSet::from([organization_uuid(&ctx.ids, ctx.origin)]);
    let mut out = Vec::new();
    let mut add = |party: Value| {
        if seen.insert(party["uuid"].as_str().unwrap_or_default().to_owned()) {
            out.push(party);
        }
    };
    for e in entries {
        match e.test.as_ref().map(|t| &t.by) {
            Some(By::Person { email, name }) => add(person(ctx, email, name)),
            Some(By::Provider(name)) => add(json!({
                "uuid": provider_uuid(ctx, name),
                "type": "organization",
                "name": super::line(name, "(provider's tester)"),
                "remarks": "Tests the service provider's controls: the provider-managed controls' results come from the catalog's template, not from the organization.",
            })),
            _ => {}
        }
        if let Some(action) = e.action.filter(|_| risks(e)) {
            add(person(ctx, &action.person, ""));
        }
    }
    out
}

/// A person as a party, named as assure.yaml names them, else as git does, else by the
/// email.
fn person(ctx: &Ctx, email: &str, git_name: &str) -> Value {
    let known = ctx.subject.name_of(email);
    let name = if known != email { known } else { git_name };
    person_party(&ctx.ids, email, name)
}

/// The metadata of a document about `entries`: the core's, with the parties the objects
/// name and, when a risk carries an action item, the assignee role.
pub fn metadata(
    ctx: &Ctx,
    title: &str,
    entries: &[&Entry],
    risks: impl Fn(&Entry) -> bool + Copy,
) -> Map<String, Value> {
    let mut m = super::metadata(&ctx.ids, ctx.origin, title);
    if entries.iter().any(|e| e.action.is_some() && risks(e)) {
        m.insert(
            "roles".into(),
            json!([{
                "id": ASSIGNEE_ROLE,
                "title": "Assignee",
                "description": "The person an action item is assigned to (assigned_to in the assessment file).",
            }]),
        );
    }
    if let Some(Value::Array(list)) = m.get_mut("parties") {
        list.extend(parties(ctx, entries, risks));
    }
    m
}

/// The back-matter resources of the evidence documents of `entries`' tests, each file
/// once, sorted by path.
pub fn evidence(ctx: &Ctx, entries: &[&Entry]) -> Vec<Value> {
    let docs: BTreeMap<&str, &Document> = entries
        .iter()
        .filter_map(|e| e.test.as_ref())
        .flat_map(|t| t.documents)
        .map(|d| (d.path.as_str(), d))
        .collect();
    docs.values()
        .map(|d| evidence_resource(&ctx.ids, d))
        .collect()
}
