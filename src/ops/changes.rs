//! What a change does, field by field, and the permission each part needs. Used to
//! check an edit before it is written (and, with git, each commit of a change).

use serde_json::{Map, Value as J};

use super::permissions::Permission;
use crate::model::{Assessment, Config, Group, Role};

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    GroupCreated {
        group: String,
    },
    GroupRenamed {
        group: String,
        from: String,
        to: String,
    },
    GroupDescription {
        group: String,
    },
    /// A group's `group.yaml` removed.
    GroupDeleted {
        group: String,
    },
    AssessmentCreated {
        assessment: String,
    },
    AssessmentDeleted {
        assessment: String,
    },
    AssessmentArchived {
        assessment: String,
    },
    AssessmentUnarchived {
        assessment: String,
    },
    /// `service`, `certification`, `created`, `created_by` or `categories` changed.
    AssessmentHeader {
        assessment: String,
        field: String,
    },
    /// A field of a customer-managed control.
    ControlField {
        assessment: String,
        control: String,
        field: String,
        old: J,
        new: J,
    },
    /// Any change to an assessment that was archived before it.
    ArchivedModified {
        assessment: String,
    },
    /// An assessment's file left one group and appeared in another.
    AssessmentMoved {
        from: String,
        to: String,
    },
    PersonAdded {
        email: String,
    },
    PersonRemoved {
        email: String,
    },
    /// A person's name or their roles other than portal-admin.
    PersonChanged {
        email: String,
    },
    PortalAdminChanged {
        email: String,
    },
    GlobalAdminsChanged,
    /// A setting of assure.yaml: `organization`, `sync`, `report`, `notifications`,
    /// `require_signed_commits`, `limits`…
    SettingsChanged {
        field: String,
    },
    /// A file of the repository's own catalog.
    CatalogFile {
        path: String,
    },
    /// An evidence document (any file outside assure.yaml, groups/ and catalog/).
    OtherFile {
        path: String,
    },
    /// A data file (assure.yaml, catalog/, groups/) that became a symbolic link, a
    /// submodule or a folder: whatever it points at would be read as the data without
    /// anyone reviewing it as such.
    NotARegularFile {
        path: String,
        kind: &'static str,
    },
    /// A file over the size limit, never read.
    TooLarge {
        path: String,
        size: u64,
    },
}

impl Change {
    pub fn permission(&self) -> Permission {
        match self {
            Change::ControlField { field, .. }
                if field == "test_date" || field == "test_result" =>
            {
                Permission::EditTestResults
            }
            Change::ControlField { .. }
            | Change::GroupDescription { .. }
            | Change::OtherFile { .. } => Permission::EditData,
            Change::PersonAdded { .. }
            | Change::PersonRemoved { .. }
            | Change::PersonChanged { .. }
            | Change::SettingsChanged { .. } => Permission::ManageUsers,
            Change::PortalAdminChanged { .. } | Change::GlobalAdminsChanged => {
                Permission::GlobalAdmin
            }
            _ => Permission::ManageAssessments,
        }
    }

    /// Changes nobody may make, whatever their role, with the rule they break.
    pub fn forbidden(&self) -> Option<&'static str> {
        match self {
            Change::ArchivedModified { .. } => Some("an archived assessment is read-only forever"),
            Change::AssessmentUnarchived { .. } => {
                Some("an archived assessment cannot be un-archived")
            }
            Change::AssessmentMoved { .. } => Some(
                "an assessment can never move to another group; create a new one there with `assure assessment new --copy-from`",
            ),
            Change::NotARegularFile { .. } => Some(
                "assure.yaml and every file under catalog/ and groups/ must be a regular file, so that what is reviewed is what is read",
            ),
            Change::TooLarge { .. } => Some(
                "the file is over the size limit that assure reads (`limits.max_blob_bytes` in assure.yaml, 64 MiB by default)",
            ),
            _ => None,
        }
    }

    /// The assessment this change is about, if any.
    pub fn assessment(&self) -> Option<&str> {
        match self {
            Change::AssessmentCreated { assessment }
            | Change::AssessmentDeleted { assessment }
            | Change::AssessmentArchived { assessment }
            | Change::AssessmentUnarchived { assessment }
            | Change::AssessmentHeader { assessment, .. }
            | Change::ControlField { assessment, .. }
            | Change::ArchivedModified { assessment } => Some(assessment),
            Change::AssessmentMoved { to, .. } => Some(to),
            _ => None,
        }
    }

    /// What the change is about, without the value it leaves (two changes with one
    /// subject change the same thing).
    pub fn subject(&self) -> String {
        match self {
            Change::GroupRenamed { group, .. } => format!("rename group `{group}`"),
            Change::TooLarge { path, .. } => format!("write {path}"),
            c => c.describe(),
        }
    }

    /// Whether the change is to a whole file, not to a part of it.
    pub fn is_whole_file(&self) -> bool {
        match self {
            Change::GroupCreated { .. }
            | Change::GroupDeleted { .. }
            | Change::AssessmentCreated { .. }
            | Change::AssessmentDeleted { .. }
            | Change::ArchivedModified { .. }
            | Change::AssessmentMoved { .. }
            | Change::CatalogFile { .. }
            | Change::OtherFile { .. }
            | Change::NotARegularFile { .. }
            | Change::TooLarge { .. } => true,
            Change::SettingsChanged { field } => field == "assure.yaml",
            _ => false,
        }
    }

    /// A short description: "set `test_result` of 6.10.1.2 in default-group/office-365--gdpr".
    pub fn describe(&self) -> String {
        match self {
            Change::GroupCreated { group } => format!("create group `{group}`"),
            Change::GroupRenamed { group, to, .. } => format!("rename group `{group}` to \"{to}\""),
            Change::GroupDescription { group } => {
                format!("change the description of group `{group}`")
            }
            Change::GroupDeleted { group } => format!("delete group `{group}`"),
            Change::AssessmentCreated { assessment } => format!("create assessment {assessment}"),
            Change::AssessmentDeleted { assessment } => format!("delete assessment {assessment}"),
            Change::AssessmentArchived { assessment } => format!("archive assessment {assessment}"),
            Change::AssessmentUnarchived { assessment } => {
                format!("un-archive assessment {assessment}")
            }
            Change::AssessmentHeader { assessment, field } => {
                format!("change `{field}` of assessment {assessment}")
            }
            Change::ControlField {
                assessment,
                control,
                field,
                ..
            } => format!("set `{field}` of {control} in {assessment}"),
            Change::ArchivedModified { assessment } => {
                format!("change archived assessment {assessment}")
            }
            Change::AssessmentMoved { from, to } => format!("move assessment {from} to {to}"),
            Change::PersonAdded { email } => format!("add {email} to people"),
            Change::PersonRemoved { email } => format!("remove {email} from people"),
            Change::PersonChanged { email } => format!("change the name or roles of {email}"),
            Change::PortalAdminChanged { email } => {
                format!("grant or remove portal-admin for {email}")
            }
            Change::GlobalAdminsChanged => "change global_admins".to_owned(),
            Change::SettingsChanged { field } => format!("change `{field}` in assure.yaml"),
            Change::CatalogFile { path } => format!("change the catalog file {path}"),
            Change::OtherFile { path } => format!("change {path}"),
            Change::NotARegularFile { path, kind } => format!("make {path} {kind}"),
            Change::TooLarge { path, size } => format!("write {size} bytes to {path}"),
        }
    }
}

fn fields_of<T: serde::Serialize>(v: &T) -> Map<String, J> {
    match serde_json::to_value(v) {
        Ok(J::Object(m)) => m,
        _ => Map::new(),
    }
}

fn sorted(ids: &[String]) -> std::collections::BTreeSet<&str> {
    ids.iter().map(String::as_str).collect()
}

/// The changes between two versions of an assessment (`None`: absent).
pub fn assessment_changes(
    key: &str,
    old: Option<&Assessment>,
    new: Option<&Assessment>,
) -> Vec<Change> {
    let assessment = key.to_owned();
    let (old, new) = match (old, new) {
        (None, None) => return Vec::new(),
        (None, Some(_)) => return vec![Change::AssessmentCreated { assessment }],
        (Some(_), None) => return vec![Change::AssessmentDeleted { assessment }],
        (Some(o), Some(n)) => (o, n),
    };
    let mut out = Vec::new();
    match (old.archived, new.archived) {
        (None, Some(_)) => out.push(Change::AssessmentArchived {
            assessment: assessment.clone(),
        }),
        (Some(_), None) => out.push(Change::AssessmentUnarchived {
            assessment: assessment.clone(),
        }),
        (Some(a), Some(b)) if a != b => out.push(Change::AssessmentHeader {
            assessment: assessment.clone(),
            field: "archived".into(),
        }),
        _ => {}
    }
    for (field, changed) in [
        ("service", old.service != new.service),
        ("certification", old.certification != new.certification),
        ("created", old.created != new.created),
        ("created_by", old.created_by != new.created_by),
        // The categories decide which controls the assessment holds, so its maximum
        // score: changing them is managing the assessment, as creating it is. Their
        // order means nothing.
        (
            "categories",
            sorted(&old.categories) != sorted(&new.categories),
        ),
    ] {
        if changed {
            out.push(Change::AssessmentHeader {
                assessment: assessment.clone(),
                field: field.into(),
            });
        }
    }
    // Natural order (AC-2 before AC-10), as every listing of controls.
    let mut ids: Vec<&String> = old.controls.keys().chain(new.controls.keys()).collect();
    ids.sort_by(|a, b| crate::catalog::id_cmp(a, b));
    ids.dedup();
    for id in ids {
        let (o, n) = (old.controls.get(id), new.controls.get(id));
        if o == n {
            continue;
        }
        let (o, n) = (
            o.map(fields_of).unwrap_or_default(),
            n.map(fields_of).unwrap_or_default(),
        );
        let names: std::collections::BTreeSet<&String> = o.keys().chain(n.keys()).collect();
        for name in names {
            let (ov, nv) = (
                o.get(name).cloned().unwrap_or(J::Null),
                n.get(name).cloned().unwrap_or(J::Null),
            );
            if ov != nv {
                out.push(Change::ControlField {
                    assessment: assessment.clone(),
                    control: id.clone(),
                    field: name.clone(),
                    old: ov,
                    new: nv,
                });
            }
        }
    }
    out
}

/// The changes between two versions of a group's `group.yaml`.
pub fn group_changes(id: &str, old: Option<&Group>, new: Option<&Group>) -> Vec<Change> {
    let group = id.to_owned();
    match (old, new) {
        (None, Some(_)) => vec![Change::GroupCreated { group }],
        (Some(_), None) => vec![Change::GroupDeleted { group }],
        (Some(o), Some(n)) => {
            let mut out = Vec::new();
            if o.name != n.name {
                out.push(Change::GroupRenamed {
                    group: group.clone(),
                    from: o.name.clone(),
                    to: n.name.clone(),
                });
            }
            if o.description != n.description {
                out.push(Change::GroupDescription { group });
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The changes between two versions of `assure.yaml`.
pub fn config_changes(old: &Config, new: &Config) -> Vec<Change> {
    let mut out = Vec::new();
    let find = |c: &'_ Config, email: &str| {
        c.people
            .iter()
            .find(|p| p.email.eq_ignore_ascii_case(email))
            .cloned()
    };
    for p in &new.people {
        match find(old, &p.email) {
            None => {
                out.push(Change::PersonAdded {
                    email: p.email.clone(),
                });
                if p.roles.contains(&Role::PortalAdmin) {
                    out.push(Change::PortalAdminChanged {
                        email: p.email.clone(),
                    });
                }
            }
            Some(o) => {
                let portal = |r: &[Role]| r.contains(&Role::PortalAdmin);
                if portal(&o.roles) != portal(&p.roles) {
                    out.push(Change::PortalAdminChanged {
                        email: p.email.clone(),
                    });
                }
                let others = |r: &[Role]| {
                    r.iter()
                        .filter(|r| **r != Role::PortalAdmin)
                        .copied()
                        .collect::<std::collections::BTreeSet<_>>()
                };
                if o.name != p.name
                    || others(&o.roles) != others(&p.roles)
                    || o.github != p.github
                    || o.signing_keys != p.signing_keys
                {
                    out.push(Change::PersonChanged {
                        email: p.email.clone(),
                    });
                }
            }
        }
    }
    for p in &old.people {
        if find(new, &p.email).is_none() {
            out.push(Change::PersonRemoved {
                email: p.email.clone(),
            });
            if p.roles.contains(&Role::PortalAdmin) {
                out.push(Change::PortalAdminChanged {
                    email: p.email.clone(),
                });
            }
        }
    }
    let lower = |v: &[String]| {
        v.iter()
            .map(|e| e.to_lowercase())
            .collect::<std::collections::BTreeSet<_>>()
    };
    if lower(&old.global_admins) != lower(&new.global_admins) {
        out.push(Change::GlobalAdminsChanged);
    }
    // Every other setting, by name: a field added to `Config` is covered without a line
    // here (people and global_admins are compared above).
    let (o, n) = (fields_of(old), fields_of(new));
    let names: std::collections::BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    for field in names {
        if field != "people" && field != "global_admins" && o.get(field) != n.get(field) {
            out.push(Change::SettingsChanged {
                field: field.clone(),
            });
        }
    }
    out
}

/// One file in two versions, as JSON (`None`: absent, or not readable as YAML).
#[derive(Debug, Clone)]
pub struct FileVersions {
    pub path: String,
    pub old: Option<J>,
    pub new: Option<J>,
    /// Whether the file exists in each version (it may exist but not parse).
    pub old_exists: bool,
    pub new_exists: bool,
    /// What each version is: a regular file, or a link, a submodule, a folder.
    pub old_kind: crate::git::EntryKind,
    pub new_kind: crate::git::EntryKind,
    /// The git blob id of each version, when known (see [`super::history::Read`]).
    pub old_blob: Option<crate::git::BlobId>,
    pub new_blob: Option<crate::git::BlobId>,
    /// The new version's size when it was over the size limit and not read.
    pub new_too_large: Option<u64>,
}

/// A change and the file it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct FileChange {
    pub path: String,
    pub change: Change,
}

/// `v` read as a `T` (without copying the tree first).
fn typed<T: serde::de::DeserializeOwned>(v: &Option<J>) -> Option<T> {
    v.as_ref().and_then(|v| T::deserialize(v).ok())
}

/// Every change between the old and new versions of `files` (paths whose bytes differ),
/// each with its file.
/// An assessment deleted in one group and created in another with the same service,
/// certification and creation is a move.
pub fn file_changes(files: &[FileVersions]) -> Vec<FileChange> {
    let mut out = Vec::new();
    for f in files {
        out.extend(one_file_changes(f).into_iter().map(|change| FileChange {
            path: f.path.clone(),
            change,
        }));
    }
    pair_moves(files, &mut out);
    out
}

/// Both versions of an assessment file as `Assessment`s (`None`: absent or not one).
pub type Typed<'a> = (Option<&'a Assessment>, Option<&'a Assessment>);

/// [`file_changes`] of one file that exists on both sides (nothing to pair into a move),
/// an assessment file whose versions were already read as `typed`.
pub fn one_assessment_file(f: &FileVersions, typed: Typed) -> Vec<FileChange> {
    one_file_changes_typed(f, Some(typed))
        .into_iter()
        .map(|change| FileChange {
            path: f.path.clone(),
            change,
        })
        .collect()
}

/// The changes in one file, by what the file is: settings, a group, an assessment, the
/// catalog, or evidence.
fn one_file_changes(f: &FileVersions) -> Vec<Change> {
    one_file_changes_typed(f, None)
}

/// [`one_file_changes`], an assessment file's versions read already when `read` is given.
fn one_file_changes_typed(f: &FileVersions, read: Option<Typed>) -> Vec<Change> {
    let parts: Vec<&str> = f.path.split('/').collect();
    let data_file = matches!(
        parts.as_slice(),
        ["assure.yaml"] | ["catalog" | "groups", ..]
    );
    if data_file && f.new_exists && f.new_kind != crate::git::EntryKind::File {
        return vec![Change::NotARegularFile {
            path: f.path.clone(),
            kind: f.new_kind.describe(),
        }];
    }
    if let Some(size) = f.new_too_large {
        return vec![Change::TooLarge {
            path: f.path.clone(),
            size,
        }];
    }
    match parts.as_slice() {
        ["assure.yaml"] => match (typed::<Config>(&f.old), typed::<Config>(&f.new)) {
            (Some(o), Some(n)) => config_changes(&o, &n),
            _ => vec![Change::SettingsChanged {
                field: "assure.yaml".into(),
            }],
        },
        ["groups", group, "group.yaml"] => group_file_changes(f, group),
        ["groups", group, file] if file.ends_with(".yaml") => {
            assessment_file_changes(f, group, file, read)
        }
        ["catalog", ..] => vec![Change::CatalogFile {
            path: f.path.clone(),
        }],
        _ => vec![Change::OtherFile {
            path: f.path.clone(),
        }],
    }
}

/// The changes in a group's `group.yaml`: a deletion or a description edit when no field
/// that [`group_changes`] compares differs.
fn group_file_changes(f: &FileVersions, group: &str) -> Vec<Change> {
    let changes = group_changes(
        group,
        typed::<Group>(&f.old).as_ref(),
        typed::<Group>(&f.new).as_ref(),
    );
    if changes.is_empty() && f.old_exists && !f.new_exists {
        vec![Change::GroupDeleted {
            group: group.to_string(),
        }]
    } else if changes.is_empty() && f.old != f.new && f.new_exists {
        vec![Change::GroupDescription {
            group: group.to_string(),
        }]
    } else {
        changes
    }
}

/// The changes in an assessment's file `groups/<group>/<file>`.
fn assessment_file_changes(
    f: &FileVersions,
    group: &str,
    file: &str,
    read: Option<Typed>,
) -> Vec<Change> {
    let stem = file.trim_end_matches(".yaml");
    let key = format!("{group}/{stem}");
    let owned;
    let (old, new) = match read {
        Some((o, n)) => (o, n),
        None => {
            owned = (typed::<Assessment>(&f.old), typed::<Assessment>(&f.new));
            (owned.0.as_ref(), owned.1.as_ref())
        }
    };
    // Archived is about bytes: the paths compared are those whose bytes differ,
    // so a comment, quoting or white space edit is a modification too. (Taking
    // `archived` out is an un-archiving, reported as such.)
    if old.is_some_and(|o| o.archived.is_some())
        && f.new_exists
        && new.is_none_or(|n| n.archived.is_some())
    {
        return vec![Change::ArchivedModified { assessment: key }];
    }
    match (f.old_exists, f.new_exists, &old, &new) {
        (true, true, Some(_), Some(_)) | (false, true, _, Some(_)) | (true, false, Some(_), _) => {
            assessment_changes(&key, old, new)
        }
        (false, true, _, None) => vec![Change::AssessmentCreated { assessment: key }],
        (true, false, None, _) => vec![Change::AssessmentDeleted { assessment: key }],
        _ => vec![Change::OtherFile {
            path: f.path.clone(),
        }],
    }
}

/// Pairs deletions and creations of the same assessment (same service, certification and
/// creation) into moves: a move appears once, in the new file; the deletion goes.
fn pair_moves(files: &[FileVersions], out: &mut Vec<FileChange>) {
    let identity = |f: &FileVersions, old: bool| -> Option<(String, String, String)> {
        let a: Assessment = typed(if old { &f.old } else { &f.new })?;
        Some((a.service, a.certification, a.created.to_rfc3339()))
    };
    let deleted: Vec<(usize, String, (String, String, String))> = out
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.change {
            Change::AssessmentDeleted { assessment } => files
                .iter()
                .find(|f| f.path == c.path)
                .and_then(|f| identity(f, true))
                .map(|id| (i, assessment.clone(), id)),
            _ => None,
        })
        .collect();
    let mut moved = Vec::new();
    for (i, c) in out.iter().enumerate() {
        if let Change::AssessmentCreated { assessment } = &c.change {
            let id = files
                .iter()
                .find(|f| f.path == c.path)
                .and_then(|f| identity(f, false));
            if let Some((d, from, _)) = deleted.iter().find(|(_, _, did)| Some(did) == id.as_ref())
            {
                moved.push((*d, i, from.clone(), assessment.clone()));
            }
        }
    }
    for (_, i, from, to) in &moved {
        out[*i].change = Change::AssessmentMoved {
            from: from.clone(),
            to: to.clone(),
        };
    }
    let deletions: std::collections::HashSet<usize> = moved.iter().map(|(d, ..)| *d).collect();
    let mut index = 0;
    out.retain(|_| {
        index += 1;
        !deletions.contains(&(index - 1))
    });
}
