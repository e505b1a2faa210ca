//! The editing use cases of DESIGN.md §8, each a change to a [`Session`]'s drafts.
//! `Session::finish` then syncs, checks, rewrites and writes.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::edit::{Draft, EditError, EvidenceCopy, Session};
use crate::model::{Assessment, Document, Group, Priority, Purpose, Status, TestResult};
use crate::rules::evidence::{Evidence, check_path, hash_file};
use crate::rules::sync::Item;
use crate::suggest::did_you_mean;

/// A field edit: `None` leaves it, `Some(None)` clears it, `Some(Some(v))` sets it.
pub type FieldEdit<T> = Option<Option<T>>;

/// `assure control set`.
#[derive(Debug, Default)]
pub struct ControlEdit {
    pub status: FieldEdit<Status>,
    pub implementation: FieldEdit<String>,
    pub test_plan: FieldEdit<String>,
    pub management_response: FieldEdit<String>,
}

pub fn set_control(
    s: &mut Session,
    assessment: &str,
    control: &str,
    edit: ControlEdit,
) -> Result<(), EditError> {
    let i = s.find(assessment)?;
    let r = s.record(i, control)?;
    if let Some(v) = edit.status {
        r.status = v;
    }
    if let Some(v) = edit.implementation {
        r.implementation = v;
    }
    if let Some(v) = edit.test_plan {
        r.test_plan = v;
    }
    if let Some(v) = edit.management_response {
        r.management_response = v;
    }
    prune(s, i, control)
}

/// `assure control test`: records a test result and its date (today unless given).
pub fn test_control(
    s: &mut Session,
    assessment: &str,
    control: &str,
    result: TestResult,
    date: Option<NaiveDate>,
) -> Result<(), EditError> {
    let today = s.today();
    let date = date.unwrap_or(today);
    if date > today {
        return Err(EditError::Invalid(format!(
            "the test date {date} is in the future (today is {today}); record a test after it is performed"
        )));
    }
    let i = s.find(assessment)?;
    let r = s.record(i, control)?;
    r.test_result = Some(result);
    r.test_date = Some(date);
    Ok(())
}

/// `assure assign`: makes the control an action item for `to`.
pub fn assign(
    s: &mut Session,
    assessment: &str,
    control: &str,
    to: &str,
    priority: Option<Priority>,
    notes: Option<String>,
    notify: bool,
) -> Result<(), EditError> {
    let to = s.person(to)?;
    let i = s.find(assessment)?;
    let r = s.record(i, control)?;
    r.assigned_to = Some(to);
    let action = r.action.get_or_insert_with(Default::default);
    if priority.is_some() {
        action.priority = priority;
    }
    if let Some(n) = notes {
        action.notes = Some(n).filter(|n| !n.is_empty());
    }
    action.notify = notify;
    drop_empty_action(r);
    Ok(())
}

/// An action item with no priority, notes or notification is no action item: the file
/// does not hold an empty `action:` (and a rewrite drops one).
pub(crate) fn drop_empty_action(r: &mut crate::model::ControlRecord) {
    if r.action.as_ref().is_some_and(|a| *a == Default::default()) {
        r.action = None;
    }
}

/// `assure unassign`: the notes stay for the next assignment.
pub fn unassign(s: &mut Session, assessment: &str, control: &str) -> Result<(), EditError> {
    let i = s.find(assessment)?;
    let id = s.customer_control(i, control)?;
    let Some(r) = s.editable(i)?.controls.get_mut(&id) else {
        return Err(EditError::Invalid(format!(
            "{id} is not assigned to anyone"
        )));
    };
    if r.assigned_to.take().is_none() {
        return Err(EditError::Invalid(format!(
            "{id} is not assigned to anyone"
        )));
    }
    if let Some(a) = &mut r.action {
        a.notify = false;
    }
    drop_empty_action(r);
    prune(s, i, &id)
}

/// `assure doc add --collected-on / --valid-until`: the freshness dates of a document
/// (each `None` leaves what a document already attached records).
#[derive(Debug, Clone, Copy, Default)]
pub struct DocDates {
    pub collected_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

/// `assure doc add`: attaches a document, copying it under `evidence/` unless it is
/// already inside the repository. Attaching a document again records its new hash and
/// the purpose and dates given, keeping those not given.
pub fn doc_add(
    s: &mut Session,
    assessment: &str,
    control: &str,
    file: &Path,
    purpose: Option<Purpose>,
    dates: DocDates,
) -> Result<String, EditError> {
    let meta = std::fs::metadata(file)
        .map_err(|_| EditError::NotFound(format!("no such file: {}", file.display())))?;
    if !meta.is_file() {
        return Err(EditError::Invalid(format!(
            "{} is not a file",
            file.display()
        )));
    }
    let sha256 = hash_file(file)?;
    let root = s.project.ws.root.canonicalize()?;
    let real = file.canonicalize()?;
    let path = match real.strip_prefix(&root) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => evidence_copy(s, &root, real, &sha256),
    };
    // The path recorded obeys the rule `validate` checks (a link in the repository was
    // resolved above, so the path names the file itself).
    if let Err(Evidence::Outside(why) | Evidence::Invalid(why)) = check_path(&path) {
        return Err(EditError::Invalid(format!(
            "{} would be recorded as `{path}`, which is {why}; attach a copy of the document (e.g. under `evidence/`) instead",
            file.display()
        )));
    }
    let today = s.today();
    let i = s.find(assessment)?;
    let r = s.record(i, control)?;
    let d = match r.documents.iter().position(|d| d.path == path) {
        Some(at) => &mut r.documents[at],
        None => {
            r.documents.push(Document {
                path: path.clone(),
                sha256: String::new(),
                purpose: None,
                collected_on: None,
                valid_until: None,
            });
            r.documents.last_mut().expect("just pushed")
        }
    };
    if let Some(collected) = dates.collected_on
        && collected > today
    {
        return Err(EditError::Invalid(format!(
            "the collection date {collected} is in the future (today is {today}); record when the evidence was collected"
        )));
    }
    d.sha256 = sha256;
    d.purpose = purpose.or(d.purpose);
    d.collected_on = dates.collected_on.or(d.collected_on);
    d.valid_until = dates.valid_until.or(d.valid_until);
    if let (Some(collected), Some(until)) = (d.collected_on, d.valid_until)
        && until < collected
    {
        return Err(EditError::Invalid(format!(
            "`{path}` would be valid until {until}, before it was collected on {collected}; give --valid-until on or after --collected-on"
        )));
    }
    Ok(path)
}

/// Where a document from outside the repository is copied: `evidence/<name>`, or
/// `evidence/<stem>-<n><ext>` when that holds another document (the same document
/// already there is used as it is). The copy is queued in the session.
fn evidence_copy(s: &mut Session, root: &Path, real: PathBuf, sha256: &str) -> String {
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into());
    let (stem, ext) = match name.rsplit_once('.') {
        Some((a, b)) if !a.is_empty() => (a.to_owned(), format!(".{b}")),
        _ => (name.clone(), String::new()),
    };
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            format!("evidence/{name}")
        } else {
            format!("evidence/{stem}-{n}{ext}")
        };
        let taken = s
            .evidence
            .iter()
            .find(|e| e.path == candidate)
            .map(|e| e.sha256.clone())
            .or_else(|| hash_file(&root.join(&candidate)).ok());
        match taken {
            None => {
                s.evidence.push(EvidenceCopy {
                    source: real,
                    path: candidate.clone(),
                    sha256: sha256.to_owned(),
                });
                break candidate;
            }
            Some(h) if h == sha256 => break candidate,
            Some(_) => n += 1,
        }
    }
}

/// `assure doc remove`: removes the reference (the file stays; it may be used elsewhere
/// and stays in git history).
pub fn doc_remove(
    s: &mut Session,
    assessment: &str,
    control: &str,
    path: &str,
) -> Result<(), EditError> {
    let i = s.find(assessment)?;
    let id = s.customer_control(i, control)?;
    let docs: Vec<String> = s.drafts[i]
        .value
        .as_ref()
        .and_then(|v| v.controls.get(&id))
        .map(|r| r.documents.iter().map(|d| d.path.clone()).collect())
        .unwrap_or_default();
    let path = path.trim().trim_start_matches("./");
    if !docs.iter().any(|d| d == path) {
        return Err(EditError::NotFound(if docs.is_empty() {
            format!("{id} has no documents")
        } else {
            format!(
                "{id} has no document `{path}`; {}",
                did_you_mean(path, docs.iter().map(String::as_str))
            )
        }));
    }
    let r = s.record(i, &id)?;
    r.documents.retain(|d| d.path != path);
    prune(s, i, &id)
}

/// Removes a control record left empty (not started).
pub(crate) fn prune(s: &mut Session, i: usize, control: &str) -> Result<(), EditError> {
    let v = s.editable(i)?;
    if v.controls
        .get(control)
        .is_some_and(|r| *r == Default::default())
    {
        v.controls.remove(control);
    }
    Ok(())
}

/// `assure assessment archive`.
pub fn archive(s: &mut Session, assessment: &str) -> Result<(), EditError> {
    let i = s.find(assessment)?;
    let now = s.now;
    s.editable(i)?.archived = Some(now);
    Ok(())
}

/// `assure assessment delete`.
pub fn delete(s: &mut Session, assessment: &str) -> Result<(), EditError> {
    let i = s.find(assessment)?;
    s.drafts[i].value = None;
    Ok(())
}

/// `assure assessment new`: a new assessment in an existing group, filled from the
/// group's shared and related controls, or with `copy_from` from another group's.
pub fn new_assessment(
    s: &mut Session,
    group: &str,
    service: &str,
    certification: &str,
    copy_from: Option<&str>,
    categories: &[String],
) -> Result<String, EditError> {
    create(
        s,
        group,
        service,
        certification,
        copy_from,
        categories,
        Default::default(),
    )
    .map(|(key, _)| key)
}

/// Creates the assessment as [`new_assessment`] does, then adds the records `carried`
/// (`assessment migrate`'s) to the controls the fill left not started: where the group
/// holds work for a control, the group's values win. Returns the assessment's name and
/// the fill's updates of it.
pub(super) fn create(
    s: &mut Session,
    group: &str,
    service: &str,
    certification: &str,
    copy_from: Option<&str>,
    categories: &[String],
    carried: std::collections::BTreeMap<String, crate::model::ControlRecord>,
) -> Result<(String, Vec<super::sync::Update>), EditError> {
    s.group_name(group)?;
    let stem = format!("{service}--{certification}");
    may_create(s, group, service, certification, &stem)?;
    let mut chosen = Vec::new();
    for id in categories {
        let id = optional_category(s, certification, id)?;
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    }
    let from = fill_from(s, group, copy_from)?;
    // The categories are set before filling: only the controls they cover are filled.
    let mut value = Assessment {
        service: service.to_owned(),
        certification: certification.to_owned(),
        created: s.now,
        created_by: s.actor.email.clone(),
        archived: None,
        categories: chosen,
        controls: Default::default(),
    };
    let filled = fill(s, &from, &mut value)?;
    for (id, record) in carried {
        value.controls.entry(id).or_insert(record);
    }
    s.drafts.push(Draft {
        group: group.to_owned(),
        stem: stem.clone(),
        original: None,
        value: Some(value),
    });
    Ok((format!("{group}/{stem}"), filled))
}

/// The optional category `id` of `certification` (trimmed), or why it is none: unknown
/// (with the closest ids), required (always covered), or the certification has none.
fn optional_category(s: &Session, certification: &str, id: &str) -> Result<String, EditError> {
    let id = id.trim();
    let cert = s
        .catalog()
        .certifications
        .get(certification)
        .ok_or_else(|| {
            EditError::Invalid(format!(
                "the certification `{certification}` is not in the catalog; run `assure validate`"
            ))
        })?;
    let name = &cert.cert.name;
    if cert.cert.categories.is_empty() {
        return Err(EditError::Invalid(format!(
            "{name} has no categories to choose: an assessment of it covers all its controls"
        )));
    }
    match cert.category(id) {
        None => Err(EditError::NotFound(format!(
            "`{id}` is not a category of {name}; {}",
            did_you_mean(id, cert.cert.categories.iter().map(|c| c.id.as_str()))
        ))),
        Some(c) if c.required => Err(EditError::Invalid(format!(
            "{} (`{id}`) is required: every assessment of {name} covers it, so there is nothing to choose",
            c.name
        ))),
        Some(c) => Ok(c.id.clone()),
    }
}

/// `assure assessment scope`: adds and removes optional categories of an assessment.
/// Removing a category whose controls hold work is refused, with the controls: their
/// records would count nowhere.
pub fn scope(
    s: &mut Session,
    assessment: &str,
    add: &[String],
    remove: &[String],
) -> Result<(), EditError> {
    let i = s.find(assessment)?;
    let certification = s.editable(i)?.certification.clone();
    let add: Vec<String> = add
        .iter()
        .map(|id| optional_category(s, &certification, id))
        .collect::<Result<_, _>>()?;
    let remove: Vec<String> = remove
        .iter()
        .map(|id| optional_category(s, &certification, id))
        .collect::<Result<_, _>>()?;
    if let Some(both) = add.iter().find(|id| remove.contains(id)) {
        return Err(EditError::Invalid(format!(
            "`{both}` is both added and removed; say which"
        )));
    }
    let key = format!("{}/{}", s.drafts[i].group, s.drafts[i].stem);
    let cert = s
        .catalog()
        .certifications
        .get(&certification)
        .expect("checked by optional_category");
    let v = s.editable(i)?;
    v.categories.retain(|c| !remove.contains(c));
    for id in add {
        if !v.categories.contains(&id) {
            v.categories.push(id);
        }
    }
    let scope = cert.scope(&v.categories);
    let held: Vec<&str> = v
        .controls
        .keys()
        .filter(|id| cert.outside(&scope, id).is_some())
        .map(String::as_str)
        .collect();
    if !held.is_empty() {
        return Err(EditError::Protected(format!(
            "the controls {} of {key} hold work in a category being removed, which would then count nowhere; remove their records from `controls:` in groups/{key}.yaml first (git history keeps them), then remove the category",
            held.join(", ")
        )));
    }
    // The controls of an added category join their sync classes: fill them from the
    // group's other assessments, as `assessment new` fills a new assessment.
    let group = s.drafts[i].group.clone();
    let from: Vec<usize> = fill_from(s, &group, None)?
        .into_iter()
        .filter(|&j| j != i)
        .collect();
    let mut value = s.editable(i)?.clone();
    fill(s, &from, &mut value)?;
    *s.editable(i)? = value;
    Ok(())
}

/// Refuses an assessment of an unknown service or certification, or one the group
/// already has (`stem`: its file name). A pair without a template file is assessed all
/// the same: every control customer-managed ([`no_template_note`]).
pub(super) fn may_create(
    s: &Session,
    group: &str,
    service: &str,
    certification: &str,
    stem: &str,
) -> Result<(), EditError> {
    let cat = s.catalog();
    if !cat.services.contains_key(service) {
        return Err(EditError::NotFound(format!(
            "unknown service `{service}`; {}",
            did_you_mean(service, cat.services.keys().map(String::as_str))
        )));
    }
    if !cat.certifications.contains_key(certification) {
        return Err(EditError::NotFound(format!(
            "unknown certification `{certification}`; {}",
            did_you_mean(certification, cat.certifications.keys().map(String::as_str))
        )));
    }
    if s.drafts.iter().any(|d| {
        d.group == group
            && d.value
                .as_ref()
                .is_some_and(|v| v.service == service && v.certification == certification)
    }) {
        return Err(EditError::Invalid(format!(
            "group `{group}` already has an assessment of {service} and {certification} ({group}/{stem}); a group holds one per pair"
        )));
    }
    if s.drafts
        .iter()
        .any(|d| d.group == group && d.stem == stem && d.value.is_some())
    {
        return Err(EditError::Invalid(format!(
            "groups/{group}/{stem}.yaml already exists"
        )));
    }
    Ok(())
}

/// What `assessment new` says (on stderr) of a pair without a template file, whose
/// assessment holds every control of the certification as customer-managed
/// ([`crate::catalog::Catalog::template`]); `None` when a template file exists.
pub fn no_template_note(
    catalog: &crate::catalog::Catalog,
    service: &str,
    certification: &str,
) -> Option<String> {
    catalog
        .template(service, certification)
        .filter(|t| t.implicit)
        .map(|_| {
            format!(
                "note: there is no template for {service} and {certification}: every control is customer-managed; to make some provider-managed, write catalog/templates/{service}--{certification}.yaml (`assure catalog import-oscal FILE --template {service}` writes one with the certification)"
            )
        })
}

/// The assessments a new one in `group` is filled from: the group's active ones, or with
/// `copy_from` (a new group's first assessment only) those of that group.
fn fill_from(s: &Session, group: &str, copy_from: Option<&str>) -> Result<Vec<usize>, EditError> {
    let active = |s: &Session, g: &str| -> Vec<usize> {
        (0..s.drafts.len())
            .filter(|&i| {
                s.drafts[i].group == g
                    && s.drafts[i]
                        .value
                        .as_ref()
                        .is_some_and(|v| v.archived.is_none())
            })
            .collect()
    };
    Ok(match copy_from {
        Some(other) => {
            s.group_name(other)?;
            if !active(s, group).is_empty() {
                return Err(EditError::Invalid(format!(
                    "--copy-from fills a new group's first assessment, but `{group}` already has assessments; a new assessment there is filled from them"
                )));
            }
            active(s, other)
        }
        None => active(s, group),
    })
}

/// Fills `new` from the same or related controls of the assessments `from` (as if they
/// were all in one group with it): values entered there are copied; values that
/// disagree there are a conflict. Returns the updates made.
fn fill(
    s: &Session,
    from: &[usize],
    new: &mut Assessment,
) -> Result<Vec<super::sync::Update>, EditError> {
    let fields = s
        .project
        .ws
        .config
        .as_ref()
        .map_or_else(crate::model::SyncField::all, |c| {
            c.value.sync.fields.clone()
        });
    let keys: Vec<String> = from
        .iter()
        .map(|&i| format!("{}/{}", s.drafts[i].group, s.drafts[i].stem))
        .chain(["(new)".to_owned()])
        .collect();
    let mut items: Vec<Item> = from
        .iter()
        .zip(&keys)
        .map(|(&i, key)| Item {
            group: "",
            key,
            value: s.drafts[i].value.as_ref().expect("active"),
        })
        .collect();
    let snapshot = new.clone();
    items.push(Item {
        group: "",
        key: &keys[keys.len() - 1],
        value: &snapshot,
    });
    // What the source assessments hold counts as changed (they are the sources); the
    // new assessment's empty controls do not compete with them.
    let mut base: Vec<Option<&Assessment>> = vec![None; items.len()];
    base[items.len() - 1] = Some(&snapshot);
    let mut plan = super::sync::plan(&items, &base, s.catalog(), &fields);
    let target = items.len() - 1;
    plan.conflicts
        .retain(|c| c.members.iter().any(|m| m.member.starts_with("(new) ")));
    if !plan.conflicts.is_empty() {
        return Err(EditError::Conflict(plan.conflicts));
    }
    plan.updates.retain(|u| u.item == target);
    for u in &mut plan.updates {
        u.item = 0;
    }
    super::sync::apply(&plan, std::slice::from_mut(new));
    Ok(plan.updates)
}

/// The id a group name gets: lower-case words joined by `-`.
pub fn group_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// `assure group new`.
pub fn new_group(
    s: &mut Session,
    name: &str,
    id: Option<&str>,
    description: Option<String>,
) -> Result<String, EditError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(EditError::Invalid("a group needs a name".into()));
    }
    let id = id.map_or_else(|| group_id(name), str::to_owned);
    if !crate::rules::is_valid_id(&id) {
        return Err(EditError::Invalid(format!(
            "`{id}` is not a valid group id: use lower-case letters, digits and `-` (--id)"
        )));
    }
    if s.project.ws.groups.iter().any(|g| g.id == id) || s.groups.iter().any(|g| g.id == id) {
        return Err(EditError::Invalid(format!(
            "a group with id `{id}` already exists; choose another with --id"
        )));
    }
    check_unique_name(s, name, None)?;
    s.set_group(
        &id,
        Group {
            name: name.to_owned(),
            description: description.filter(|d| !d.is_empty()),
        },
    );
    Ok(id)
}

/// `assure group rename`: changes the name only; the assessments follow.
pub fn rename_group(s: &mut Session, id: &str, name: &str) -> Result<(), EditError> {
    s.group_name(id)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(EditError::Invalid("a group needs a name".into()));
    }
    check_unique_name(s, name, Some(id))?;
    let description = s
        .project
        .ws
        .groups
        .iter()
        .find(|g| g.id == id)
        .and_then(|g| g.doc.as_ref())
        .and_then(|d| d.value.description.clone());
    s.set_group(
        id,
        Group {
            name: name.to_owned(),
            description,
        },
    );
    Ok(())
}

fn check_unique_name(s: &Session, name: &str, except: Option<&str>) -> Result<(), EditError> {
    let key = name.trim().to_lowercase();
    for g in &s.project.ws.groups {
        if Some(g.id.as_str()) == except {
            continue;
        }
        if let Some(d) = &g.doc
            && d.value.name.trim().to_lowercase() == key
        {
            return Err(EditError::Invalid(format!(
                "group `{}` is already named \"{}\"; group names are unique (ignoring case)",
                g.id, d.value.name
            )));
        }
    }
    Ok(())
}

/// Sets the sync base of `assure sync`: the files at git revision `rev` (default HEAD),
/// or, outside git or before the first commit, the files as they are (nothing changed:
/// the latest test date wins).
pub fn sync_base(s: &mut Session, rev: Option<&str>) -> Result<(), EditError> {
    let root = s.project.ws.root.clone();
    let git = crate::git::Git::open(&root).map_err(|e| EditError::Invalid(e.to_string()))?;
    let current = |s: &Session| {
        s.project
            .ws
            .assessments
            .iter()
            .map(|a| Some(a.doc.value.clone()))
            .collect::<Vec<_>>()
    };
    let base = match (git, rev) {
        (None, Some(_)) => {
            return Err(EditError::Invalid(
                crate::git::GitError::NotARepository(root).to_string(),
            ));
        }
        (None, None) => current(s),
        (Some(g), None) if g.is_unborn() => current(s),
        (Some(g), rev) => {
            let commit = g
                .resolve(rev.unwrap_or("HEAD"))
                .map_err(|e| EditError::Invalid(e.to_string()))?;
            let mut base = Vec::new();
            for a in &s.project.ws.assessments {
                let path = a.path();
                let text = g
                    .read_at(commit, &path)
                    .map_err(|e| EditError::Invalid(e.to_string()))?;
                // A file as the base holds it is the value already read.
                if text.as_deref() == Some(s.project.ws.sources.get(a.doc.file).text.as_str()) {
                    base.push(Some(a.doc.value.clone()));
                    continue;
                }
                base.push(
                    text.and_then(|t| crate::repo::yaml::parse_to_json(&t).ok())
                        .and_then(|j| serde_json::from_value::<Assessment>(j).ok()),
                );
            }
            base
        }
    };
    s.base = Some(base);
    s.check_permissions = false;
    Ok(())
}
