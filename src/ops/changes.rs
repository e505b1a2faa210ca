//! What a change does, field by field, and the permission each part needs. Used to
//! check an edit before it is written (and, with git, each commit of a change).

use serde_json::{Map, Value as J};

use super::permissions::Permission;
use crate::model::{Assessment, Group};

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
    /// `service`, `certification`, `created` or `created_by` changed.
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
}

impl Change {
    pub fn permission(&self) -> Permission {
        match self {
            Change::ControlField { field, .. }
                if field == "test_date" || field == "test_result" =>
            {
                Permission::EditTestResults
            }
            Change::ControlField { .. } | Change::GroupDescription { .. } => Permission::EditData,
            _ => Permission::ManageAssessments,
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
            | Change::ControlField { assessment, .. } => Some(assessment),
            _ => None,
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
        }
    }
}

fn fields_of<T: serde::Serialize>(v: &T) -> Map<String, J> {
    match serde_json::to_value(v) {
        Ok(J::Object(m)) => m,
        _ => Map::new(),
    }
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
    ] {
        if changed {
            out.push(Change::AssessmentHeader {
                assessment: assessment.clone(),
                field: field.into(),
            });
        }
    }
    let ids: std::collections::BTreeSet<&String> =
        old.controls.keys().chain(new.controls.keys()).collect();
    for id in ids {
        let (o, n) = (
            old.controls.get(id).map(fields_of).unwrap_or_default(),
            new.controls.get(id).map(fields_of).unwrap_or_default(),
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
