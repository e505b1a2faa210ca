//! Editing the repository (DESIGN.md §8): a [`Session`] holds drafts of the files a
//! command changes; [`Session::finish`] then, in order,
//!
//! 1. runs sync for what changed (the changed controls are the sources);
//! 2. lists the changes field by field and refuses any that touch an archived assessment
//!    or that the acting person's role does not allow;
//! 3. rewrites each file with minimal diffs and checks that it reads back as intended;
//! 4. validates the repository as it would be, and refuses a change that adds errors;
//! 5. writes every file, or none (a [`Transaction`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value as J};

use super::Project;
use super::changes::{Change, assessment_changes, config_changes, group_changes};
use super::permissions::{Actor, Permission};
use super::sync::{Conflict, Scope, Update, apply, plan_scoped};
use super::validate::check;
use crate::catalog::Catalog;
use crate::diag::{self, Diagnostic};
use crate::edit::Transaction;
use crate::edit::rewrite::rewrite;
use crate::model::{Assessment, Config, ControlRecord, Group, SyncField};
use crate::repo::yaml;
use crate::repo::{Overlay, RepoError, modeline};
use crate::rules::sync::Item;
use crate::schema::Kind;
use crate::suggest::did_you_mean;

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// Something named does not exist (with what does).
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong.
    #[error("{0}")]
    Invalid(String),
    #[error("{actor} may not make this change:\n{}", .refusals.iter().map(|(c, p)| format!("  - {c}: {p} needs {}", p.needs())).collect::<Vec<_>>().join("\n"))]
    Refused {
        actor: String,
        refusals: Vec<(String, Permission)>,
    },
    #[error(
        "{0} is archived, and an archived assessment is read-only forever; create a new assessment (`assure assessment new … --copy-from GROUP`) to continue the work"
    )]
    Archived(String),
    #[error("sync conflict: {}", conflict_text(.0))]
    Conflict(Vec<Conflict>),
    #[error("the change would make the repository fail validation, so nothing was written:\n\n{0}")]
    WouldBreak(String),
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error("cannot write the change, so nothing was written: {0}")]
    Io(#[from] std::io::Error),
    /// A file laid out in a way the minimal-diff editor does not rewrite (the message
    /// says why, and how to get past it).
    #[error("{0}; nothing was written")]
    Layout(String),
    #[error("internal error, nothing was written: {0}")]
    Internal(String),
    /// A change that no rule of the gate forbids but that would leave the repository
    /// without someone who can manage it, or a record naming someone no longer listed
    /// (the message says what to do instead).
    #[error("{0}; nothing was written")]
    Protected(String),
}

impl EditError {
    /// Whether the change was refused because it breaks a rule (like a finding), as
    /// opposed to an edit that could not run.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            EditError::Refused { .. }
                | EditError::Archived(_)
                | EditError::Conflict(_)
                | EditError::WouldBreak(_)
                | EditError::Protected(_)
        )
    }
}

fn show(v: &J) -> String {
    match v {
        J::Null => crate::text::empty(crate::text::Medium::Text).to_owned(),
        J::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// A readable account of sync conflicts: every member and its values.
pub fn conflict_text(conflicts: &[Conflict]) -> String {
    let mut out = String::new();
    for c in conflicts {
        out.push_str(&format!("\n  in group `{}`, {}:\n", c.group, c.reason));
        for m in &c.members {
            let mark = if m.changed { " (changed)" } else { "" };
            out.push_str(&format!("    {}{mark}\n", m.member));
            for (f, v) in &m.values {
                if !v.is_null() {
                    out.push_str(&format!("        {}: {}\n", f.as_str(), show(v)));
                }
            }
        }
    }
    out.push_str(
        "  make the members agree by hand (or change only one of them), then run the command again",
    );
    out
}

/// The draft of one assessment file.
#[derive(Debug, Clone)]
pub struct Draft {
    pub group: String,
    pub stem: String,
    /// Index into the project's assessments; `None` for a new file.
    pub original: Option<usize>,
    /// The new content; `None` deletes the file.
    pub value: Option<Assessment>,
}

impl Draft {
    pub fn path(&self) -> String {
        format!("groups/{}/{}.yaml", self.group, self.stem)
    }
}

/// The draft of one `group.yaml`.
#[derive(Debug, Clone)]
pub struct GroupDraft {
    pub id: String,
    /// The group's current content, if it has a valid `group.yaml`.
    pub original: Option<Group>,
    pub value: Group,
}

/// The draft of `assure.yaml`: the file's own document with the edit applied (so the
/// rewrite adds no key the file did not hold, such as defaulted settings), and the
/// configuration it reads as.
#[derive(Debug, Clone)]
pub struct ConfigDraft {
    pub json: J,
    pub value: Config,
}

/// A document to copy into the repository.
#[derive(Debug, Clone)]
pub struct EvidenceCopy {
    pub source: PathBuf,
    pub path: String,
    pub sha256: String,
}

/// One file a command writes.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a finished edit did (or, with `--check`, would do).
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<FileChange>,
    pub changes: Vec<Change>,
    pub synced: Vec<Update>,
    /// Evidence documents copied in.
    pub copied: Vec<String>,
}

pub struct Session<'p> {
    pub project: &'p Project,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    /// Today's date (for "not in the future"); the date of `now` unless set otherwise.
    pub today: NaiveDate,
    pub drafts: Vec<Draft>,
    pub groups: Vec<GroupDraft>,
    /// The draft of `assure.yaml`; `None`: unchanged.
    pub config: Option<ConfigDraft>,
    pub evidence: Vec<EvidenceCopy>,
    /// Test hook: make the write fail (or the process crash) after this many files.
    #[cfg(feature = "fault-injection")]
    pub fault: Option<(usize, crate::edit::Fault)>,
    /// The sync base, parallel to the original drafts: `None` means "the files as they
    /// are before this edit" (the edit's own changes are the sources).
    pub base: Option<Vec<Option<Assessment>>>,
    /// Whether to check the actor's permissions (`assure sync` only copies values others
    /// entered, and CI checks who entered them).
    pub check_permissions: bool,
}

impl<'p> Session<'p> {
    /// Starts an edit by `actor` (an email) at time `now`.
    pub fn new(
        project: &'p Project,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Session<'p>, EditError> {
        let config = project.ws.config.as_ref().ok_or_else(|| {
            EditError::Invalid("assure.yaml does not load (run `assure validate`), so nobody's role is known; fix it first".into())
        })?;
        let drafts = project
            .ws
            .assessments
            .iter()
            .enumerate()
            .map(|(i, a)| Draft {
                group: a.group.clone(),
                stem: a.stem.clone(),
                original: Some(i),
                value: Some(a.doc.value.clone()),
            })
            .collect();
        Ok(Session {
            project,
            actor: Actor::new(&config.value, actor),
            now,
            today: now.date_naive(),
            drafts,
            groups: Vec::new(),
            config: None,
            evidence: Vec::new(),
            #[cfg(feature = "fault-injection")]
            fault: None,
            base: None,
            check_permissions: true,
        })
    }

    pub fn catalog(&self) -> &'p Catalog {
        &self.project.catalog
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The draft of assessment `key` (`group/service--certification`).
    pub fn find(&self, key: &str) -> Result<usize, EditError> {
        let key = key.trim().trim_end_matches(".yaml");
        self.drafts
            .iter()
            .position(|d| d.value.is_some() && (format!("{}/{}", d.group, d.stem) == key || self.key_of(d).as_deref() == Some(key)))
            .ok_or_else(|| {
                let path = format!("groups/{key}.yaml");
                if self.project.ws.sources.find(&path).is_some() {
                    return EditError::Invalid(format!("{path} does not load, so it cannot be edited; `assure validate` shows what is wrong with it"));
                }
                let keys: Vec<String> = self.drafts.iter().filter(|d| d.value.is_some()).map(|d| format!("{}/{}", d.group, d.stem)).collect();
                EditError::NotFound(format!(
                    "no assessment `{key}` (assessments are named group/service--certification); {}",
                    did_you_mean(key, keys.iter().map(String::as_str))
                ))
            })
    }

    fn key_of(&self, d: &Draft) -> Option<String> {
        d.value
            .as_ref()
            .map(|v| format!("{}/{}--{}", d.group, v.service, v.certification))
    }

    /// The draft's content, for a change; refuses an archived assessment.
    pub fn editable(&mut self, i: usize) -> Result<&mut Assessment, EditError> {
        let d = &self.drafts[i];
        let key = format!("{}/{}", d.group, d.stem);
        let value = self.drafts[i]
            .value
            .as_mut()
            .ok_or_else(|| EditError::NotFound(format!("assessment {key} is being deleted")))?;
        if value.archived.is_some() {
            return Err(EditError::Archived(key));
        }
        Ok(value)
    }

    /// Checks that `control` is a customer-managed control of draft `i`.
    pub fn customer_control(&self, i: usize, control: &str) -> Result<String, EditError> {
        let v = self.drafts[i]
            .value
            .as_ref()
            .ok_or_else(|| EditError::NotFound("the assessment is being deleted".into()))?;
        let cert = self
            .catalog()
            .certifications
            .get(&v.certification)
            .ok_or_else(|| EditError::Invalid(format!("the assessment's certification `{}` is not in the catalog; run `assure validate`", v.certification)))?;
        let id = control.trim();
        let Some((_, c)) = cert.control(id) else {
            return Err(EditError::NotFound(cert.not_a_control(id)));
        };
        if self
            .catalog()
            .template(&v.service, &v.certification)
            .is_some_and(|t| t.template.provider_controls.contains_key(&c.id))
        {
            return Err(EditError::Invalid(format!(
                "`{id}` is managed by the provider in {}, so there is nothing for the customer to record (`assure control show` shows the provider's result)",
                self.catalog().assessment_name(&v.service, &v.certification)
            )));
        }
        if let Some(category) = cert.outside(&cert.scope(&v.categories), &c.id) {
            let d = &self.drafts[i];
            return Err(EditError::Invalid(format!(
                "`{id}` is in the {} category of {}, which {}/{} does not cover; add it first: `assure assessment scope {}/{} --add {category}` (administrator role)",
                cert.category(category)
                    .map_or(category, |c| c.name.as_str()),
                cert.cert.name,
                d.group,
                d.stem,
                d.group,
                d.stem,
            )));
        }
        Ok(c.id.clone())
    }

    /// The record of a customer control of draft `i`, created if not started.
    pub fn record(&mut self, i: usize, control: &str) -> Result<&mut ControlRecord, EditError> {
        let id = self.customer_control(i, control)?;
        Ok(self.editable(i)?.controls.entry(id).or_default())
    }

    /// Checks that `email` is a person of the organization.
    pub fn person(&self, email: &str) -> Result<String, EditError> {
        let people = self
            .project
            .ws
            .config
            .as_ref()
            .map(|c| c.value.people.as_slice())
            .unwrap_or_default();
        super::project::person_in(people, email)
            .map(|p| p.email.clone())
            .map_err(|e| EditError::NotFound(e.0))
    }

    /// The group `id`'s current name, checking that it exists.
    pub fn group_name(&self, id: &str) -> Result<String, EditError> {
        if let Some(g) = self.groups.iter().find(|g| g.id == id) {
            return Ok(g.value.name.clone());
        }
        let g = self.project.ws.groups.iter().find(|g| g.id == id).ok_or_else(|| {
            EditError::NotFound(format!(
                "no group `{id}` (a group's id is its folder name under groups/); {} — `assure group new NAME` creates one",
                did_you_mean(id, self.project.ws.groups.iter().map(|g| g.id.as_str()))
            ))
        })?;
        Ok(g.doc
            .as_ref()
            .map_or_else(|| g.id.clone(), |d| d.value.name.clone()))
    }

    /// Sets `group.yaml` of group `id` (new or changed).
    pub fn set_group(&mut self, id: &str, value: Group) {
        let original = self
            .project
            .ws
            .groups
            .iter()
            .find(|g| g.id == id)
            .and_then(|g| g.doc.as_ref())
            .map(|d| d.value.clone());
        self.groups.retain(|g| g.id != id);
        self.groups.push(GroupDraft {
            id: id.to_owned(),
            original,
            value,
        });
    }

    /// The document of `assure.yaml` as the edit leaves it so far (the file's own, before
    /// any change), to change and hand to [`Session::set_config`].
    pub fn config_json(&self) -> Result<J, EditError> {
        if let Some(d) = &self.config {
            return Ok(d.json.clone());
        }
        let doc = self.project.ws.config.as_ref().ok_or_else(|| {
            EditError::Invalid(
                "assure.yaml does not load (run `assure validate`); fix it first".into(),
            )
        })?;
        yaml::parse_to_json(&self.project.ws.sources.get(doc.file).text)
            .map_err(|e| EditError::Internal(format!("assure.yaml: {}", e.message)))
    }

    /// Sets the draft of `assure.yaml` to `json`, which must read as a configuration.
    pub fn set_config(&mut self, json: J) -> Result<(), EditError> {
        let value = serde_json::from_value(json.clone())
            .map_err(|e| EditError::Internal(format!("assure.yaml as edited: {e}")))?;
        self.config = Some(ConfigDraft { json, value });
        Ok(())
    }

    /// The configuration as the edit leaves it so far.
    pub fn config_value(&self) -> Option<&Config> {
        self.config
            .as_ref()
            .map(|d| &d.value)
            .or_else(|| self.project.ws.config.as_ref().map(|d| &d.value))
    }

    /// Finishes the edit: sync, checks, minimal rewrite, validation, and (unless
    /// `dry_run`) the all-or-nothing write.
    pub fn finish(mut self, dry_run: bool) -> Result<Outcome, EditError> {
        let synced = self.sync()?;
        let changes = self.changes();
        self.check(&changes)?;
        let (files, overlay) = self.render()?;
        self.validate(&overlay)?;
        let mut outcome = Outcome {
            files,
            changes,
            synced,
            copied: Vec::new(),
        };
        if dry_run || outcome.files.is_empty() {
            return Ok(outcome);
        }
        let root = &self.project.ws.root;
        let mut tx = Transaction::in_repository(root);
        for e in &self.evidence {
            tx.write(root.join(&e.path), std::fs::read(&e.source)?);
            outcome.copied.push(e.path.clone());
        }
        for f in &outcome.files {
            match &f.after {
                Some(text) => tx.write(root.join(&f.path), text.as_bytes()),
                None => tx.remove(root.join(&f.path)),
            }
        }
        #[cfg(feature = "fault-injection")]
        if let Some((n, fault)) = self.fault {
            tx.fault_after(n, fault);
        }
        tx.commit()?;
        Ok(outcome)
    }

    /// Sync over the drafts, with the original files as the base: the controls this
    /// command changed are the sources.
    fn sync(&mut self) -> Result<Vec<Update>, EditError> {
        let fields = self
            .project
            .ws
            .config
            .as_ref()
            .map_or_else(SyncField::all, |c| c.value.sync.fields.clone());
        let live: Vec<usize> = (0..self.drafts.len())
            .filter(|&i| self.drafts[i].value.is_some())
            .collect();
        let keys: Vec<String> = live
            .iter()
            .map(|&i| self.key_of(&self.drafts[i]).unwrap_or_default())
            .collect();
        let plan = {
            let items: Vec<Item> = live
                .iter()
                .zip(&keys)
                .map(|(&i, key)| Item {
                    group: &self.drafts[i].group,
                    key,
                    value: self.drafts[i].value.as_ref().expect("live"),
                })
                .collect();
            let base: Vec<Option<&Assessment>> = live
                .iter()
                .map(|&i| match (&self.base, self.drafts[i].original) {
                    (Some(base), Some(o)) => base.get(o).and_then(Option::as_ref),
                    (_, o) => o.map(|o| &self.project.ws.assessments[o].doc.value),
                })
                .collect();
            plan_scoped(
                &items,
                &base,
                self.catalog(),
                &fields,
                if self.base.is_some() {
                    Scope::Everything
                } else {
                    Scope::Changed
                },
            )
        };
        if !plan.conflicts.is_empty() {
            return Err(EditError::Conflict(plan.conflicts));
        }
        let mut values: Vec<Assessment> = live
            .iter()
            .map(|&i| self.drafts[i].value.clone().expect("live"))
            .collect();
        apply(&plan, &mut values);
        for (&i, v) in live.iter().zip(values) {
            self.drafts[i].value = Some(v);
        }
        Ok(plan.updates)
    }

    fn changes(&self) -> Vec<Change> {
        let mut out = Vec::new();
        if let (Some(draft), Some(doc)) = (&self.config, &self.project.ws.config) {
            out.extend(config_changes(&doc.value, &draft.value));
        }
        for g in &self.groups {
            out.extend(group_changes(&g.id, g.original.as_ref(), Some(&g.value)));
        }
        for d in &self.drafts {
            let original = d.original.map(|o| &self.project.ws.assessments[o]);
            // A file left as it was has no changes (most of them, in a large sync).
            if original.map(|a| &a.doc.value) == d.value.as_ref() && original.is_some() {
                continue;
            }
            let key = original
                .map(|a| a.key())
                .or_else(|| self.key_of(d))
                .unwrap_or_default();
            out.extend(assessment_changes(
                &key,
                original.map(|a| &a.doc.value),
                d.value.as_ref(),
            ));
        }
        out
    }

    /// Refuses changes to archived assessments and changes the actor may not make.
    fn check(&self, changes: &[Change]) -> Result<(), EditError> {
        for d in &self.drafts {
            let Some(o) = d.original else { continue };
            let original = &self.project.ws.assessments[o];
            if original.is_archived() && d.value.as_ref().is_some_and(|v| *v != original.doc.value)
            {
                return Err(EditError::Archived(original.key()));
            }
        }
        if !self.check_permissions {
            return Ok(());
        }
        let refusals: Vec<(String, Permission)> = changes
            .iter()
            .filter(|c| !self.actor.may(c.permission()))
            .map(|c| (c.describe(), c.permission()))
            .collect();
        if refusals.is_empty() {
            Ok(())
        } else {
            Err(EditError::Refused {
                actor: self.actor.describe(),
                refusals,
            })
        }
    }

    /// The new text of every file that changes, checked to read back as intended.
    fn render(&self) -> Result<(Vec<FileChange>, Overlay), EditError> {
        let mut files = Vec::new();
        let ws = &self.project.ws;
        if let (Some(draft), Some(doc)) = (&self.config, &ws.config) {
            let path = crate::repo::CONFIG_FILE;
            let text = ws.sources.get(doc.file).text.as_str();
            let after = rewrite_checked(path, Kind::Config, Some(text), &draft.json, &draft.value)?;
            if after != text {
                files.push(FileChange {
                    path: path.to_owned(),
                    before: Some(text.to_owned()),
                    after: Some(after),
                });
            }
        }
        for g in &self.groups {
            let path = format!("groups/{}/group.yaml", g.id);
            let existing = ws
                .groups
                .iter()
                .find(|x| x.id == g.id)
                .and_then(|x| x.doc.as_ref());
            let text = existing.map(|doc| ws.sources.get(doc.file).text.as_str());
            let json =
                serde_json::to_value(&g.value).map_err(|e| EditError::Internal(e.to_string()))?;
            let after = rewrite_checked(&path, Kind::Group, text, &json, &g.value)?;
            if Some(after.as_str()) != text {
                files.push(FileChange {
                    path,
                    before: text.map(str::to_owned),
                    after: Some(after),
                });
            }
        }
        for d in &self.drafts {
            let original = d.original.map(|o| &ws.assessments[o]);
            if original.map(|a| &a.doc.value) == d.value.as_ref() {
                continue;
            }
            let path = d.path();
            let before = original.map(|a| ws.sources.get(a.doc.file).text.clone());
            let after = match &d.value {
                None => None,
                Some(v) => {
                    let json = ordered_json(v, self.catalog())?;
                    let text = original.map(|a| ws.sources.get(a.doc.file).text.as_str());
                    Some(rewrite_checked(&path, Kind::Assessment, text, &json, v)?)
                }
            };
            files.push(FileChange {
                path,
                before,
                after,
            });
        }
        // A file that is there but did not load (bad YAML, a merge conflict, a folder in
        // its place) is not new: writing it as new would throw its content away.
        if let Some(f) = files
            .iter()
            .find(|f| f.before.is_none() && ws.sources.find(&f.path).is_some())
        {
            return Err(EditError::Invalid(format!(
                "{} exists but does not load, so assure will not overwrite it; `assure validate` shows what is wrong with it — fix it, or remove it if it should go",
                f.path
            )));
        }
        let overlay = Overlay {
            files: files
                .iter()
                .map(|f| (f.path.clone(), f.after.clone()))
                .collect(),
            evidence: self
                .evidence
                .iter()
                .map(|e| (e.path.clone(), e.sha256.clone()))
                .collect(),
        };
        Ok((files, overlay))
    }

    /// Refuses a change that would add validation errors.
    fn validate(&self, overlay: &Overlay) -> Result<(), EditError> {
        if overlay.files.is_empty() {
            return Ok(());
        }
        let key = |d: &Diagnostic, p: &Project| {
            (
                d.code,
                d.primary
                    .as_ref()
                    .map(|l| p.ws.sources.path(l.file).to_owned()),
                d.message.clone(),
            )
        };
        let before = check(self.project, self.today());
        let mut known: BTreeMap<_, usize> = BTreeMap::new();
        for d in before.iter().filter(|d| d.is_error()) {
            *known.entry(key(d, self.project)).or_default() += 1;
        }
        let after_project = self.project.with_overlay(overlay)?;
        let after = check(&after_project, self.today());
        let mut new_errors = Vec::new();
        for d in after.into_iter().filter(Diagnostic::is_error) {
            match known.get_mut(&key(&d, &after_project)) {
                Some(n) if *n > 0 => *n -= 1,
                _ => new_errors.push(d),
            }
        }
        if new_errors.is_empty() {
            return Ok(());
        }
        let mut text = Vec::new();
        diag::human::render(&mut text, &after_project.ws.sources, &new_errors, false)?;
        Err(EditError::WouldBreak(
            String::from_utf8_lossy(&text).into_owned(),
        ))
    }
}

/// An assessment as JSON, with its controls in catalog order (so a new control goes
/// where a reader expects it).
pub fn ordered_json(v: &Assessment, catalog: &Catalog) -> Result<J, EditError> {
    let mut json = serde_json::to_value(v).map_err(|e| EditError::Internal(e.to_string()))?;
    if let (Some(J::Object(controls)), Some(cert)) = (
        json.get_mut("controls"),
        catalog.certifications.get(&v.certification),
    ) {
        let mut ordered = Map::new();
        for id in cert.control_ids() {
            if let Some(c) = controls.remove(id) {
                ordered.insert(id.to_owned(), c);
            }
        }
        ordered.append(controls);
        *controls = ordered;
    }
    Ok(json)
}

/// Rewrites the file's `text` to hold `json`, and checks that the result reads back as
/// `intended`. A new file (no `text`) starts with the modeline naming the repository's
/// copy of `kind`'s schema; an existing file keeps its first line.
fn rewrite_checked<T>(
    path: &str,
    kind: Kind,
    text: Option<&str>,
    json: &J,
    intended: &T,
) -> Result<String, EditError>
where
    T: serde::de::DeserializeOwned + PartialEq,
{
    let after = rewrite(text.unwrap_or_default(), json)
        .map_err(|e| EditError::Layout(format!("{path}: {e}")))?;
    let after = match text {
        Some(_) => after,
        None => modeline::line(path, kind) + &after,
    };
    let back = yaml::parse_to_json(&after).map_err(|e| {
        EditError::Internal(format!(
            "{path}: the rewrite is not valid YAML: {}",
            e.message
        ))
    })?;
    match serde_json::from_value::<T>(back) {
        Ok(v) if v == *intended => Ok(after),
        _ => Err(EditError::Internal(format!(
            "{path}: the rewritten file does not read back as intended"
        ))),
    }
}
