//! An assessment as an OSCAL system security plan (issue 20): the service is the system,
//! and every control of the assessment is an `implemented-requirement` saying how it is
//! met, by whom, and how far.
//!
//! Invariants (on top of the module's: stable ids, stable order, shared metadata):
//! - **One requirement per control of the assessment**, in catalog order: the controls
//!   of the categories it covers ([`crate::ops::score::controls`]), provider- and
//!   customer-managed alike, with `control-id` = [`control_id`], as in every model.
//! - **Who**: a provider-managed control (the template's `provider_controls`) has the
//!   responsible role `provider` and the template's description as its implementation
//!   text; a customer-managed one has the role `customer` (the organization's party) and
//!   the assessment's `implementation`.
//! - **How far**: assure's status maps to OSCAL's implementation-status state by
//!   [`implementation_state`], on the by-component entry of the system; the exact status
//!   is kept as the prop `status` (so `planned` and not started stay apart).
//! - **Evidence**: an implementation document (purpose `implementation` or none) is a
//!   link from the by-component entry to its back-matter resource
//!   ([`evidence_resource`], one per path); testing documents belong to assessment
//!   results, not here.
//! - **Baseline**: `import-profile` points at a back-matter resource naming the
//!   certification's catalog, with the uuid that `assure export oscal --catalog CERT`
//!   gives it (`Ids::uuid("catalog", [cert])`), so a tool can match the two documents.
//! - **Ids**: the document and the system are keyed by the assessment; the system's
//!   component, its users and the in-scope services by the service (id, and name for an
//!   in-scope service); requirements and by-components by assessment and control.
//! - assure has no FIPS 199 categorization: the one information type is a placeholder,
//!   marked so (prop `placeholder`), and no impact levels are made up.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{
    Ids, Origin, Subject, control_id, evidence_resource, evidence_uuid, line, metadata, non_empty,
    organization_uuid, prop,
};
use crate::model::{Document, Purpose, Status};
use crate::ops::score::{ControlView, Managed};

/// The identifier type of the system's id (OSCAL's value for a UUID).
const RFC4122: &str = "https://ietf.org/rfc/rfc4122";

/// The document of `subject`.
pub fn build(subject: &Subject, origin: &Origin) -> Value {
    let cx = Context::new(subject, origin);
    let mut evidence = BTreeMap::new();
    let requirements: Vec<Value> = subject
        .views
        .iter()
        .map(|view| requirement(&cx, view, &mut evidence))
        .collect();
    let mut resources = vec![catalog_resource(&cx)];
    resources.extend(evidence.values().map(|doc| evidence_resource(&cx.ids, doc)));
    json!({
        "system-security-plan": {
            "uuid": cx.ids.uuid("system-security-plan", &[cx.key]),
            "metadata": metadata_of(&cx),
            "import-profile": {
                "href": format!("#{}", cx.catalog_resource),
                "remarks": format!(
                    "The baseline is the catalog of the certification {cert}, as `assure export oscal --catalog {cert}` exports it (catalog uuid {uuid}), limited to the categories the assessment covers.",
                    cert = subject.certification.id,
                    uuid = cx.ids.uuid("catalog", &[&subject.certification.id]),
                ),
            },
            "system-characteristics": characteristics(&cx),
            "system-implementation": implementation(&cx),
            "control-implementation": {
                "description": control_description(&cx),
                "implemented-requirements": requirements,
            },
            "back-matter": { "resources": resources },
        }
    })
}

/// OSCAL's implementation-status state of a control with this assure status: implemented
/// → `implemented`, alternative-implementation → `alternative`, planned → `planned`,
/// not-in-scope → `not-applicable`, and not started (no status) → `planned`, with a
/// remark saying nothing is recorded yet (OSCAL has no state for it; `partial` would
/// claim a part is done).
pub fn implementation_state(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Implemented) => "implemented",
        Some(Status::AlternativeImplementation) => "alternative",
        Some(Status::Planned) | None => "planned",
        Some(Status::NotInScope) => "not-applicable",
    }
}

/// What every part of the document refers to.
struct Context<'a> {
    ids: Ids,
    subject: &'a Subject<'a>,
    origin: &'a Origin,
    /// `group/service--certification`.
    key: &'a str,
    service_id: &'a str,
    /// The service's name, on one line.
    service: String,
    this_system: String,
    provider_party: String,
    customer_party: String,
    catalog_resource: String,
}

impl<'a> Context<'a> {
    fn new(subject: &'a Subject<'a>, origin: &'a Origin) -> Self {
        let ids = Ids::new(&origin.repository);
        let service_id = subject.page.service.id.as_str();
        Context {
            ids,
            subject,
            origin,
            key: &subject.page.assessment,
            service_id,
            service: line(&subject.page.service.name, service_id),
            this_system: ids.uuid("component", &["this-system", service_id]),
            provider_party: ids.uuid("party", &["provider", service_id]),
            customer_party: organization_uuid(&ids, origin),
            catalog_resource: ids.uuid("resource", &["catalog", &subject.certification.id]),
        }
    }

    /// The organization's name, on one line.
    fn organization(&self) -> String {
        line(&self.origin.organization, "the organization")
    }

    /// The system's state: `operational`, or `other` for an archived assessment (assure
    /// knows the assessment ended, not what became of the service).
    fn state(&self) -> Value {
        match self.subject.page.archived {
            None => json!({ "state": "operational" }),
            Some(at) => json!({
                "state": "other",
                "remarks": format!(
                    "The assessment was archived on {}; what became of the system is not recorded.",
                    at.date_naive()
                ),
            }),
        }
    }
}

/// The shared metadata with the roles `provider` and `customer`, the provider as a
/// party after the organization, and who plays each role.
fn metadata_of(cx: &Context) -> Map<String, Value> {
    let page = cx.subject.page;
    let title = line(
        &format!("System security plan: {} ({})", page.name, page.group.name),
        "System security plan",
    );
    let org = cx.organization();
    let roles = json!([
        {
            "id": "provider",
            "title": "Service provider",
            "description": format!("Provides {} and carries out the controls the template assigns to it (provider-managed).", cx.service),
        },
        {
            "id": "customer",
            "title": "Customer",
            "description": format!("{org}, which uses {} and carries out the other controls (customer-managed).", cx.service),
        },
    ]);
    let provider = json!({
        "uuid": cx.provider_party,
        "type": "organization",
        "name": format!("Provider of {}", cx.service),
        "remarks": "The catalog names no provider organization; this party stands for whoever provides the service.",
    });
    let responsible = json!([
        { "role-id": "provider", "party-uuids": [cx.provider_party] },
        { "role-id": "customer", "party-uuids": [cx.customer_party] },
    ]);
    let mut out = Map::new();
    // Roles, parties and who plays which role go where OSCAL lists them: before remarks.
    for (k, v) in metadata(&cx.ids, cx.origin, &title) {
        if k == "parties" {
            out.insert("roles".into(), roles.clone());
            let mut parties = v.as_array().cloned().unwrap_or_default();
            parties.push(provider.clone());
            out.insert(k, parties.into());
            out.insert("responsible-parties".into(), responsible.clone());
        } else {
            out.insert(k, v);
        }
    }
    out
}

/// The system: the service, named, described by the assessment, with its boundary.
fn characteristics(cx: &Context) -> Value {
    let page = cx.subject.page;
    let cert = cx.subject.certification;
    let org = cx.organization();
    let mut description = format!(
        "{} as {org} uses it, assessed against {} (version {}) in the assessment group {} ({}).",
        cx.service,
        line(&cert.name, &cert.id),
        line(&cert.version, "?"),
        line(&page.group.name, &page.group.id),
        cx.key,
    );
    if !page.categories.is_empty() {
        let names: Vec<String> = page
            .categories
            .iter()
            .map(|c| line(&c.name, &c.id))
            .collect();
        description.push_str(&format!(" Categories covered: {}.", names.join(", ")));
    }
    let services = if page.in_scope_services.is_empty() {
        "The template names no in-scope services.".to_owned()
    } else {
        format!(
            "The services in scope, as the template names them: {}.",
            in_scope(cx).join(", ")
        )
    };
    json!({
        "system-ids": [{ "identifier-type": RFC4122, "id": cx.ids.uuid("system", &[cx.key]) }],
        "system-name": cx.service,
        "system-name-short": cx.service_id,
        "description": description,
        "props": [
            prop("assessment", cx.key),
            prop("certification", &cert.id),
            prop("certification-version", &line(&cert.version, "?")),
        ],
        "system-information": {
            "information-types": [{
                "uuid": cx.ids.uuid("information-type", &["placeholder", cx.service_id]),
                "title": format!("{org} data in {}", cx.service),
                "description": format!(
                    "The information {org} stores, processes or transmits in {}. assure records no information types or FIPS 199 impact levels: this is a placeholder, to be replaced by the system's information types (NIST SP 800-60) and their impact.",
                    cx.service
                ),
                "props": [prop("placeholder", "true")],
            }],
        },
        "status": cx.state(),
        "authorization-boundary": {
            "description": format!(
                "{} as its provider delivers it to {org}. {services} Controls the template assigns to the provider are the provider's responsibility; the others are {org}'s.",
                cx.service
            ),
        },
    })
}

/// The in-scope services of the template, on one line each, the first of equal names.
fn in_scope(cx: &Context) -> Vec<String> {
    let mut seen = Vec::new();
    for name in &cx.subject.page.in_scope_services {
        let name = line(name, "(unnamed service)");
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen
}

/// Users (one placeholder class: the organization's users of the service) and components
/// (the service as this system, and each in-scope service).
fn implementation(cx: &Context) -> Value {
    let org = cx.organization();
    let description = cx
        .subject
        .service
        .and_then(|s| s.description.as_deref())
        .filter(|d| !d.trim().is_empty())
        .map_or_else(|| format!("The service {}.", cx.service), str::to_owned);
    let provider = json!([{ "role-id": "provider", "party-uuids": [cx.provider_party] }]);
    let mut components = vec![json!({
        "uuid": cx.this_system,
        "type": "this-system",
        "title": cx.service,
        "description": description,
        "status": cx.state(),
        "responsible-roles": provider,
    })];
    for name in in_scope(cx) {
        components.push(json!({
            "uuid": cx.ids.uuid("component", &["in-scope-service", cx.service_id, &name]),
            "type": "service",
            "title": name,
            "description": format!("{name}: a service of {} in the assessment's scope.", cx.service),
            "status": { "state": "operational" },
            "responsible-roles": provider,
        }));
    }
    json!({
        "users": [{
            "uuid": cx.ids.uuid("user", &["customer", cx.service_id]),
            "title": format!("Users of {} at {org}", cx.service),
            "role-ids": ["customer"],
            "description": format!("{org}'s people who use {}.", cx.service),
            "remarks": "assure records no user types or privileges of the system: a placeholder to complete.",
        }],
        "components": components,
    })
}

fn control_description(cx: &Context) -> String {
    let cert = cx.subject.certification;
    format!(
        "How {} meets {} for {}: one requirement per control of the assessment {} ({} controls), the provider-managed ones as the template records them, the customer-managed ones as the assessment does.",
        cx.service,
        line(&cert.name, &cert.id),
        cx.organization(),
        cx.key,
        cx.subject.views.len(),
    )
}

/// One control: who implements it, how, how far, and the documents showing it. The
/// implementation documents are added to `evidence` (by path, the first seen kept).
fn requirement<'a>(
    cx: &Context,
    view: &ControlView<'a>,
    evidence: &mut BTreeMap<String, &'a Document>,
) -> Value {
    let id = view.control.id.as_str();
    let status = view.managed.status();
    let (role, party, text, documents): (_, _, _, &[Document]) = match view.managed {
        Managed::Provider(p) => (
            "provider",
            &cx.provider_party,
            non_empty(&p.description, "The template describes no implementation."),
            &[],
        ),
        Managed::Customer(r) => (
            "customer",
            &cx.customer_party,
            non_empty(
                r.and_then(|r| r.implementation.as_deref()).unwrap_or(""),
                "No implementation is recorded.",
            ),
            r.map_or(&[][..], |r| &r.documents),
        ),
    };
    let mut state = json!({ "state": implementation_state(status) });
    if status.is_none() {
        state["remarks"] = "Not started: nothing is recorded on this control yet.".into();
    }
    let mut by = json!({
        "component-uuid": cx.this_system,
        "uuid": cx.ids.uuid("by-component", &[cx.key, id]),
        // A YAML block scalar's final line break is the file's, not the text's.
        "description": text.trim_end(),
        "implementation-status": state,
    });
    let links: Vec<Value> = documents
        .iter()
        .filter(|d| d.purpose != Some(Purpose::Testing))
        .map(|d| {
            evidence.entry(d.path.clone()).or_insert(d);
            json!({ "href": format!("#{}", evidence_uuid(&cx.ids, &d.path)), "rel": "reference", "text": d.path })
        })
        .collect();
    if !links.is_empty() {
        by["links"] = links.into();
    }
    json!({
        "uuid": cx.ids.uuid("implemented-requirement", &[cx.key, id]),
        "control-id": control_id(id),
        "props": [prop("status", status.map_or("not-started", Status::as_str))],
        "responsible-roles": [{ "role-id": role, "party-uuids": [party] }],
        "by-components": [by],
    })
}

/// The back-matter resource the import-profile points at: the certification's catalog.
fn catalog_resource(cx: &Context) -> Value {
    let cert = cx.subject.certification;
    let catalog = cx.ids.uuid("catalog", &[&cert.id]);
    json!({
        "uuid": cx.catalog_resource,
        "title": format!(
            "{} (OSCAL catalog)",
            line(&format!("{} {}", cert.name, cert.version), &cert.id)
        ),
        "description": format!(
            "The certification {} as an OSCAL catalog: `assure export oscal --catalog {}` writes it, with uuid {catalog}.",
            cert.id, cert.id
        ),
        "props": [
            prop("certification", &cert.id),
            prop("catalog-uuid", &catalog),
        ],
    })
}
