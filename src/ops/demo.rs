//! `assure demo`: the example repository (`example-repo/`, compiled in) built into a
//! fresh git repository with a realistic history.
//!
//! The history is derived from the final files: each assessment is committed first as an
//! empty shell by the administrator who created it, then, group by group, its action
//! items are assigned (administrator), implemented (a contributor) and tested (an
//! assessor), each stage a minimal-diff rewrite of the final text with the later fields
//! left out, so every commit's files are valid and every group stays in sync. A group is
//! renamed, a person is added, an assessment archived. An assessment migrated from an
//! older one of its group (the note `assure assessment migrate` leaves on each carried
//! control names the old file, which was archived after the migration) is committed as the
//! command wrote it, its carried controls only; a contributor then adds the rest (the
//! controls that had no source), and the old one is archived. The last commit of `main`
//! holds exactly `example-repo/` (its `schemas/` are the binary's, committed first, as
//! `assure init` writes them). One rejected pull request is left on a branch off it: a
//! contributor setting a test result, which `assure validate --base main` refuses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value as J;

use crate::assets::EXAMPLE_FILES;
use crate::edit::rewrite::rewrite;
use crate::git::{Git, GitError};
use crate::model::{Assessment, Config, ControlRecord, Status};
use crate::repo::yaml;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{} exists and is not empty; choose another folder, or remove it first", .0.display())]
    NotEmpty(PathBuf),
    #[error("cannot write the demo repository: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("the built-in example is inconsistent ({0}); this is a bug")]
    Example(String),
}

/// What was built.
#[derive(Debug)]
pub struct Demo {
    pub dir: PathBuf,
    pub commits: usize,
    /// The branch with the rejected change.
    pub branch: String,
    /// `assessment control` of the rejected change.
    pub rejected: String,
    /// The migrated assessments: (new, old), each `group/service--certification`.
    pub migrated: Vec<(String, String)>,
    /// The story's last day (the rejected pull request's): the day `assure demo` judges
    /// evidence freshness on unless `--today` says otherwise, so that it always shows one
    /// document expired and one expiring soon.
    pub today: chrono::NaiveDate,
}

/// The name and email of a person of the example.
fn person(config: &Config, email: &str) -> (String, String) {
    let name = config
        .people
        .iter()
        .find(|p| p.email == email)
        .map_or_else(|| email.to_owned(), |p| p.name.clone());
    (name, email.to_owned())
}

/// One planned commit: the files it writes (path → content) at a time, by a person.
struct Step {
    time: DateTime<Utc>,
    email: String,
    message: String,
    files: BTreeMap<String, Vec<u8>>,
}

/// Who, when, which control fields, and the commit message of one stage of a group.
type Stage<'a> = (&'a str, DateTime<Utc>, Option<&'a [&'a str]>, String);

/// The control fields of each stage: what an administrator assigns, what a contributor
/// implements, what an assessor tests.
const ASSIGN: &[&str] = &["assigned_to", "action"];
const IMPLEMENT: &[&str] = &[
    "assigned_to",
    "action",
    "status",
    "implementation",
    "test_plan",
    "management_response",
    "documents",
];
const TEST: &[&str] = &[
    "assigned_to",
    "action",
    "status",
    "implementation",
    "test_plan",
    "management_response",
    "documents",
    "test_date",
    "test_result",
];

fn text(bytes: &[u8]) -> Result<&str, DemoError> {
    std::str::from_utf8(bytes).map_err(|e| DemoError::Example(e.to_string()))
}

/// The final text reduced to the control fields in `keep` (`None`: no controls).
fn stage(final_text: &str, keep: Option<&[&str]>) -> Result<Vec<u8>, DemoError> {
    let node = yaml::parse(final_text).map_err(|e| DemoError::Example(e.message))?;
    let mut json = node.to_json();
    if let Some(J::Object(controls)) = json.get_mut("controls") {
        for (_, record) in controls.iter_mut() {
            if let J::Object(fields) = record {
                fields.retain(|k, _| keep.is_some_and(|keep| keep.contains(&k.as_str())));
            }
        }
        controls.retain(|_, r| r.as_object().is_some_and(|f| !f.is_empty()));
    }
    if let Some(obj) = json.as_object_mut() {
        obj.remove("archived");
    }
    let out = rewrite(final_text, &json).map_err(|e| DemoError::Example(e.to_string()))?;
    Ok(out.into_bytes())
}

fn at(date: chrono::NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap_or_default())
}

/// Builds the demo repository in `dir` (created; must be empty if it exists).
pub fn build(dir: &Path) -> Result<Demo, DemoError> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(DemoError::NotEmpty(dir.to_owned()));
    }
    std::fs::create_dir_all(dir)?;
    let example = Example::read()?;
    let mut steps = Vec::new();
    for (group, assessments) in &example.groups {
        group_steps(&example, group, assessments, &mut steps)?;
    }
    steps.extend(organization_steps(&example, &steps)?);
    let retest = stated_regression(&mut steps)?;
    steps.extend(retest);
    steps.sort_by_key(|s| s.time);
    let evidence_added = add_evidence(&example, &mut steps)?;
    steps.extend(remaining_evidence(&example, &evidence_added));
    steps.sort_by_key(|s| s.time);
    let (git, head) = commit_steps(dir, &example.config, &steps)?;
    let last = steps
        .last()
        .map_or_else(|| utc(2019, 12, 30, 10, 0), |s| s.time);
    let (branch, rejected) = rejected_pull_request(dir, &git, head, last, &example)?;
    let migrated = example
        .groups
        .values()
        .flat_map(|assessments| {
            assessments.iter().filter_map(|(path, a)| {
                let (from, _) = migrated_from(a, assessments)?;
                Some((key(path), key(from)))
            })
        })
        .collect();
    Ok(Demo {
        dir: dir.to_owned(),
        commits: steps.len(),
        branch,
        rejected,
        migrated,
        today: last.date_naive() + Duration::days(1),
    })
}

/// `group/service--certification` of an assessment's path.
fn key(path: &str) -> String {
    path.trim_start_matches("groups/")
        .trim_end_matches(".yaml")
        .to_owned()
}

/// The example repository compiled into the binary, read.
struct Example {
    /// Every file: path → bytes.
    files: BTreeMap<&'static str, &'static [u8]>,
    /// `assure.yaml`'s text, and as the typed model.
    config_text: &'static str,
    config: Config,
    /// The assessments, by group: (path, assessment).
    groups: BTreeMap<String, Vec<(String, Assessment)>>,
}

/// The administrator, who makes groups, assigns and archives.
const ADMIN: &str = "alice@contoso.com";
/// The portal administrator, who starts the repository and adds people.
const PORTAL: &str = "carol@contoso.com";
/// The second assessor, who joins when the first assignment to her is made.
const LATE: &str = "grace@contoso.com";

impl Example {
    fn read() -> Result<Example, DemoError> {
        let files: BTreeMap<&str, &[u8]> = EXAMPLE_FILES.iter().map(|(p, b)| (*p, *b)).collect();
        let config_text = text(
            files
                .get("assure.yaml")
                .ok_or_else(|| DemoError::Example("no assure.yaml".into()))?,
        )?;
        let config: Config = serde_json::from_value(json(config_text)?)
            .map_err(|e| DemoError::Example(e.to_string()))?;
        let mut groups: BTreeMap<String, Vec<(String, Assessment)>> = BTreeMap::new();
        for (path, bytes) in &files {
            let parts: Vec<&str> = path.split('/').collect();
            if let ["groups", group, file] = parts.as_slice()
                && *file != "group.yaml"
            {
                let a: Assessment = serde_json::from_value(json(text(bytes)?)?)
                    .map_err(|e| DemoError::Example(format!("{path}: {e}")))?;
                groups
                    .entry((*group).to_owned())
                    .or_default()
                    .push((path.to_string(), a));
            }
        }
        Ok(Example {
            files,
            config_text,
            config,
            groups,
        })
    }

    /// The final text of an example file.
    fn text(&self, path: &str) -> Result<&'static str, DemoError> {
        text(
            self.files
                .get(path)
                .ok_or_else(|| DemoError::Example(format!("no {path}")))?,
        )
    }
}

/// Adds each example document to the first step (in time order) whose assessment files
/// cite it, so no commit cites a file it lacks; returns the documents added.
fn add_evidence(example: &Example, steps: &mut [Step]) -> Result<BTreeSet<String>, DemoError> {
    let mut added = BTreeSet::new();
    for s in steps.iter_mut() {
        let mut cited = BTreeSet::new();
        for (path, bytes) in &s.files {
            if path.starts_with("groups/") && !path.ends_with("/group.yaml") {
                let a = json(text(bytes)?)?;
                for record in a["controls"]
                    .as_object()
                    .into_iter()
                    .flat_map(|c| c.values())
                {
                    for doc in record["documents"].as_array().into_iter().flatten() {
                        cited.extend(doc["path"].as_str().map(str::to_owned));
                    }
                }
            }
        }
        for path in cited {
            if let Some(bytes) = example.files.get(path.as_str())
                && added.insert(path.clone())
            {
                s.files.insert(path, bytes.to_vec());
            }
        }
    }
    Ok(added)
}

fn json(text: &str) -> Result<J, DemoError> {
    yaml::parse_to_json(text).map_err(|e| DemoError::Example(e.message))
}

fn step(
    time: DateTime<Utc>,
    email: &str,
    message: String,
    files: BTreeMap<String, Vec<u8>>,
) -> Step {
    Step {
        time,
        email: email.to_owned(),
        message,
        files,
    }
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap_or_default()
}

/// The organization: the repository started with everyone but the second assessor (with
/// the schemas every file's first line names, as `assure init` writes them), who joins
/// the day before the first of the `later` steps that names her.
fn organization_steps(example: &Example, later: &[Step]) -> Result<Vec<Step>, DemoError> {
    let start = utc(2019, 1, 7, 9, 0);
    let needed = later
        .iter()
        .filter(|s| {
            s.files.iter().any(|(path, bytes)| {
                path.starts_with("groups/")
                    && bytes.windows(LATE.len()).any(|w| w == LATE.as_bytes())
            })
        })
        .map(|s| s.time)
        .min()
        .unwrap_or_else(|| utc(2019, 5, 6, 9, 0));
    let joins = at(needed.date_naive() - Duration::days(1), 9).max(start + Duration::days(1));
    let mut reduced = json(example.config_text)?;
    if let Some(J::Array(people)) = reduced.get_mut("people") {
        people.retain(|p| p["email"] != LATE);
    }
    let first_config =
        rewrite(example.config_text, &reduced).map_err(|e| DemoError::Example(e.to_string()))?;
    let mut base_files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    base_files.insert("assure.yaml".into(), first_config.into_bytes());
    if let Some(readme) = example.files.get("README.md") {
        base_files.insert("README.md".into(), readme.to_vec());
    }
    // The binary's own schemas (example-repo/ holds the same bytes, which a test keeps so).
    for (path, text) in super::schemas::copies() {
        base_files.insert(path, text.as_bytes().to_vec());
    }
    Ok(vec![
        step(
            start,
            PORTAL,
            "Start the compliance repository for Contoso".into(),
            base_files,
        ),
        step(
            joins,
            PORTAL,
            "Add Grace Tanaka as a second assessor".into(),
            BTreeMap::from([(
                "assure.yaml".to_owned(),
                example.config_text.as_bytes().to_vec(),
            )]),
        ),
    ])
}

/// The file name of an assessment's path, without `.yaml`.
fn stem(path: &str) -> &str {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".yaml")
}

/// One group's history: created (the Azure group with a shorter name, renamed in June);
/// the assessments created with it worked in stages; one created later (when the group's
/// work was done) arriving filled, as `assessment new` fills it; a migrated one as
/// [`migration_steps`] says; archived ones archived after the audit, or after the
/// migration that took their work over (the evidence each step cites is added by
/// [`add_evidence`]).
fn group_steps(
    example: &Example,
    group: &str,
    assessments: &[(String, Assessment)],
    steps: &mut Vec<Step>,
) -> Result<(), DemoError> {
    let first_created = assessments
        .iter()
        .map(|(_, a)| a.created)
        .min()
        .unwrap_or_else(|| utc(2019, 1, 7, 9, 0));
    group_file_steps(example, group, first_created, steps)?;
    let cutoff = first_created + Duration::days(30);
    let (migrated, made): (Vec<_>, Vec<_>) = assessments
        .iter()
        .partition(|(_, a)| migrated_from(a, assessments).is_some());
    let (early, later): (Vec<_>, Vec<_>) = made.into_iter().partition(|(_, a)| a.created < cutoff);
    for (path, a) in &early {
        steps.push(step(
            a.created,
            &a.created_by,
            format!("Create the assessment {} in {group}", stem(path)),
            BTreeMap::from([(path.clone(), stage(example.text(path)?, None)?)]),
        ));
    }
    let created = early
        .iter()
        .map(|(_, a)| a.created)
        .max()
        .unwrap_or(first_created);
    for (who, time, keep, message) in stages(group, created, &early) {
        let mut changed = BTreeMap::new();
        for (path, a) in &early {
            let content = staged_text(example.text(path)?, a, keep)?;
            changed.insert(path.clone(), content);
        }
        steps.push(step(time, who, message, changed));
    }
    for (path, a) in &later {
        let changed = BTreeMap::from([(path.clone(), example.files[path.as_str()].to_vec())]);
        steps.push(step(
            a.created,
            &a.created_by,
            format!(
                "Create the assessment {} in {group}, filled from the group",
                stem(path)
            ),
            changed,
        ));
    }
    let mut sources = BTreeMap::new();
    for (path, a) in &migrated {
        let from = migrated_from(a, assessments).map_or("", |(from, _)| from.as_str());
        sources.insert(from, certification_name(&a.certification));
        migration_steps(example, group, path, a, from, steps)?;
    }
    for (path, a) in &early {
        if let Some(when) = a.archived {
            let why = match sources.get(path.as_str()) {
                Some(name) => format!("the migration to {name}"),
                None => "the audit".to_owned(),
            };
            steps.push(step(
                when,
                ADMIN,
                format!("Archive {group}/{} after {why}", stem(path)),
                BTreeMap::from([(path.clone(), example.files[path.as_str()].to_vec())]),
            ));
        }
    }
    Ok(())
}

/// The assessment of `a`'s group that `a` was migrated from (`assure assessment migrate`):
/// of the same service against another certification, archived after `a` was created, and
/// named in the note the migration leaves on each control it carried.
fn migrated_from<'a>(
    a: &Assessment,
    group: &'a [(String, Assessment)],
) -> Option<&'a (String, Assessment)> {
    group.iter().find(|(path, old)| {
        old.service == a.service
            && old.certification != a.certification
            && old.archived.is_some_and(|t| t > a.created)
            && a.controls.values().any(|r| carried_from(r, path))
    })
}

/// Whether a record's implementation ends in the note of a migration from the assessment
/// at `path`: "Carried from CERTIFICATION IDS (PATH)."
fn carried_from(r: &ControlRecord, path: &str) -> bool {
    r.implementation
        .as_deref()
        .and_then(|t| t.lines().last())
        .is_some_and(|l| l.starts_with("Carried from ") && l.ends_with(&format!("({path}).")))
}

/// The contributor who takes on the controls a migration gave no source (IT operations).
const NEW_WORK: &str = "dave@contoso.com";

/// A migrated assessment's history: created by `assessment migrate` as the administrator
/// named in it (the final text with only the carried controls, byte for byte what the
/// command writes; a test runs it), then two weeks later a contributor documents the
/// other controls (the rest of the final text). The old assessment's archive is its own
/// step.
fn migration_steps(
    example: &Example,
    group: &str,
    path: &str,
    a: &Assessment,
    from: &str,
    steps: &mut Vec<Step>,
) -> Result<(), DemoError> {
    let final_text = example.text(path)?;
    let name = certification_name(&a.certification);
    let files = BTreeMap::from([(path.to_owned(), carried_only(final_text, from)?)]);
    steps.push(step(
        a.created,
        &a.created_by,
        format!(
            "Migrate {group}/{} to {name} (assure assessment migrate)",
            stem(from)
        ),
        files,
    ));
    let started: Vec<&str> = a
        .controls
        .iter()
        .filter(|(_, r)| !carried_from(r, from))
        .map(|(id, _)| id.as_str())
        .collect();
    if !started.is_empty() {
        steps.push(step(
            a.created + Duration::days(14),
            NEW_WORK,
            format!(
                "Document {} in {group}/{}, new in {name}",
                started.join(", "),
                stem(path)
            ),
            BTreeMap::from([(path.to_owned(), final_text.as_bytes().to_vec())]),
        ));
    }
    Ok(())
}

/// The final text of a migrated assessment reduced to the controls carried from the
/// assessment at `from`.
fn carried_only(final_text: &str, from: &str) -> Result<Vec<u8>, DemoError> {
    let node = yaml::parse(final_text).map_err(|e| DemoError::Example(e.message))?;
    let mut json = node.to_json();
    if let Some(J::Object(controls)) = json.get_mut("controls") {
        controls.retain(|_, r| {
            serde_json::from_value::<ControlRecord>(r.clone()).is_ok_and(|r| carried_from(&r, from))
        });
    }
    let out = rewrite(final_text, &json).map_err(|e| DemoError::Example(e.to_string()))?;
    Ok(out.into_bytes())
}

/// A built-in certification's name ("ISO/IEC 27001:2022"), or its id.
fn certification_name(id: &str) -> String {
    let path = format!("catalog/certifications/{id}.yaml");
    crate::assets::CATALOG_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .and_then(|(_, text)| yaml::parse_to_json(text).ok())
        .and_then(|cert| cert["name"].as_str().map(str::to_owned))
        .unwrap_or_else(|| id.to_owned())
}

/// The group's own steps: created an hour before its first assessment (the Azure group
/// with a shorter name), and that group renamed in June.
fn group_file_steps(
    example: &Example,
    group: &str,
    first_created: DateTime<Utc>,
    steps: &mut Vec<Step>,
) -> Result<(), DemoError> {
    let renamed = "azure-assessments-2019";
    let group_file = format!("groups/{group}/group.yaml");
    let group_text = example.text(&group_file)?;
    let initial_group = if group == renamed {
        group_text.replace("name: Azure Assessments - 2019", "name: Azure Assessments")
    } else {
        group_text.to_owned()
    };
    let name_of = |t: &str| {
        t.lines()
            .find_map(|l| l.strip_prefix("name: "))
            .unwrap_or(group)
            .trim_matches('"')
            .to_owned()
    };
    steps.push(step(
        first_created - Duration::hours(1),
        ADMIN,
        format!("Create the group \"{}\"", name_of(&initial_group)),
        BTreeMap::from([(group_file.clone(), initial_group.into_bytes())]),
    ));
    if group == renamed {
        steps.push(step(
            utc(2019, 6, 3, 11, 0),
            ADMIN,
            format!("Rename the group to \"{}\"", name_of(group_text)),
            BTreeMap::from([(group_file.clone(), group_text.as_bytes().to_vec())]),
        ));
    }
    Ok(())
}

/// The three stages of a group's work after its assessments are created: the
/// administrator assigns, a contributor documents the implementation, an assessor
/// records the tests (on the day of the latest test date).
fn stages<'a>(
    group: &str,
    created: DateTime<Utc>,
    early: &[&(String, Assessment)],
) -> [Stage<'a>; 3] {
    let contributor = if group.contains("gdpr") || group.contains("privacy") {
        "erin@contoso.com"
    } else {
        "dave@contoso.com"
    };
    let assessor = if group.contains("privacy") {
        LATE
    } else {
        "bob@contoso.com"
    };
    let test_day = early
        .iter()
        .flat_map(|(_, a)| a.controls.values().filter_map(|r| r.test_date))
        .max();
    let assign_time = created + Duration::days(2);
    let implement_time = created + Duration::days(16);
    let test_time = test_day
        .map_or(implement_time + Duration::days(20), |d| at(d, 16))
        .max(implement_time + Duration::days(1));
    [
        (
            ADMIN,
            assign_time,
            Some(ASSIGN),
            format!("Assign the action items of {group}"),
        ),
        (
            contributor,
            implement_time,
            Some(IMPLEMENT),
            format!("Document the implementation in {group}"),
        ),
        (
            assessor,
            test_time,
            None,
            format!("Record the test results of {group}"),
        ),
    ]
}

/// An assessment's text at a stage: the fields `keep` names, or (the last stage) the
/// final text, but not yet archived.
fn staged_text(
    final_text: &str,
    a: &Assessment,
    keep: Option<&[&str]>,
) -> Result<Vec<u8>, DemoError> {
    match keep {
        Some(keep) => stage(final_text, Some(keep)),
        None if a.archived.is_some() => stage(final_text, Some(TEST)),
        None => Ok(final_text.as_bytes().to_vec()),
    }
}

/// The controls that pass when first tested and fail their retest, with a
/// `Compliance-Regression:` trailer (the ratchet, `ratchet: true`): the records of
/// processing (GDPR 7.2.2.1, synced with NIST PM-5(1) of the same group), whose final
/// result and management response come from that retest.
const REGRESSED: &[(&str, &str)] = &[
    ("groups/default-group/office-365--gdpr.yaml", "7.2.2.1"),
    (
        "groups/default-group/office-365--nist-800-53-r5.yaml",
        "PM-5(1)",
    ),
];

/// The first test of [`REGRESSED`] passed (in the group's test stage, with an earlier
/// date and no management response yet); the commit the day after the stage records the
/// final result, a failure, and states why. Returns that commit's step.
fn stated_regression(steps: &mut [Step]) -> Result<Option<Step>, DemoError> {
    let Some(stage) = steps.iter_mut().find(|s| {
        REGRESSED
            .iter()
            .all(|(path, _)| s.files.contains_key(*path))
            && s.message.starts_with("Record the test results")
    }) else {
        return Ok(None);
    };
    let mut last = BTreeMap::new();
    for (path, control) in REGRESSED {
        let final_text = text(&stage.files[*path])?.to_owned();
        let mut passed = json(&final_text)?;
        let record = &mut passed["controls"][*control];
        let Some(fields) = record.as_object_mut() else {
            return Err(DemoError::Example(format!("no {control} in {path}")));
        };
        fields.remove("management_response");
        fields.insert("test_result".into(), J::String("passed".into()));
        fields.insert("test_date".into(), J::String("2019-04-16".into()));
        let first = rewrite(&final_text, &passed).map_err(|e| DemoError::Example(e.to_string()))?;
        stage.files.insert((*path).to_owned(), first.into_bytes());
        last.insert((*path).to_owned(), final_text.into_bytes());
    }
    Ok(Some(step(
        at(stage.time.date_naive() + Duration::days(1), 10),
        "bob@contoso.com",
        "Record the retest of the records of processing\n\n\
         The comparison of 2019-05-14 found two HR SharePoint sites holding personal data\n\
         that the records of processing did not cover; the DPO office has responded.\n\n\
         Compliance-Regression: the retest found two HR SharePoint sites missing from the records of processing\n"
            .into(),
        last,
    )))
}

/// Evidence nobody cites, kept at the end of the year.
fn remaining_evidence(example: &Example, added: &BTreeSet<String>) -> Option<Step> {
    let rest: BTreeMap<String, Vec<u8>> = example
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("evidence/") && !added.contains(**path))
        .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
        .collect();
    (!rest.is_empty()).then(|| {
        step(
            utc(2019, 12, 30, 10, 0),
            ADMIN,
            "Keep the remaining evidence".into(),
            rest,
        )
    })
}

/// Writes and commits each step in order, as its person; returns the repository and its
/// last commit.
fn commit_steps(
    dir: &Path,
    config: &Config,
    steps: &[Step],
) -> Result<(Git, crate::git::CommitId), DemoError> {
    let git = Git::init(dir)?;
    let mut head = None;
    for s in steps {
        for (path, bytes) in &s.files {
            let full = dir.join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(full, bytes)?;
        }
        let (name, email) = person(config, &s.email);
        head = Some(git.commit_all(&name, &email, s.time, &s.message)?);
    }
    let head = head.ok_or_else(|| DemoError::Example("no commits".into()))?;
    Ok((git, head))
}

/// The rejected pull request: on a branch, a contributor marks a control tested (which
/// only an assessor may). Returns the branch and `assessment control`.
fn rejected_pull_request(
    dir: &Path,
    git: &Git,
    head: crate::git::CommitId,
    after: DateTime<Utc>,
    example: &Example,
) -> Result<(String, String), DemoError> {
    // The day after main's last commit, in the afternoon.
    let when = at(after.date_naive() + Duration::days(1), 17) + Duration::minutes(30);
    let project = super::Project::work_tree(dir).map_err(|e| DemoError::Example(e.to_string()))?;
    let (path, control) = rejected_change(&example.groups, &project.catalog)?;
    let branch = "review/dave-marks-ac-tested".to_owned();
    git.switch_new(&branch, head)?;
    let final_text = example.text(&path)?;
    let node = yaml::parse(final_text).map_err(|e| DemoError::Example(e.message))?;
    let mut json = node.to_json();
    json["controls"][&control]["test_date"] = J::String(when.format("%Y-%m-%d").to_string());
    json["controls"][&control]["test_result"] = J::String("passed".into());
    let changed = rewrite(final_text, &json).map_err(|e| DemoError::Example(e.to_string()))?;
    std::fs::write(dir.join(&path), changed)?;
    let (name, email) = person(&example.config, "dave@contoso.com");
    git.commit_all(&name, &email, when, &format!("Mark {control} as tested"))?;
    git.switch("main")?;
    Ok((branch, format!("{} {control}", key(&path))))
}

/// A control of the (active) NIST assessment that is implemented but not tested, and in no sync
/// class (so the rejected change breaks nothing but the permission rule).
fn rejected_change(
    groups: &BTreeMap<String, Vec<(String, Assessment)>>,
    catalog: &crate::catalog::Catalog,
) -> Result<(String, String), DemoError> {
    for (path, a) in groups.values().flatten() {
        if a.certification != "nist-800-53-r5" || a.archived.is_some() {
            continue;
        }
        for (id, r) in &a.controls {
            let implemented = matches!(
                r.status,
                Some(Status::Implemented | Status::AlternativeImplementation)
            );
            if implemented
                && r.test_result.is_none()
                && r.test_date.is_none()
                && catalog.related(&a.certification, id).is_empty()
            {
                return Ok((path.clone(), id.clone()));
            }
        }
    }
    Err(DemoError::Example(
        "no untested NIST control for the rejected change".into(),
    ))
}
