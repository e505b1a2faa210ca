//! Action items (DESIGN.md §4.7): a customer-managed control with `assigned_to` is an
//! action item for that person, listed across active assessments, by certification (the
//! portal's tabs), most urgent first: by priority (high, medium, low, none), then by
//! control id in natural order (AC-2 before AC-10).

use serde::Serialize;

use crate::model::{Priority, Status, TestResult};
use crate::ops::Project;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionItem {
    pub person: String,
    pub certification: String,
    pub certification_name: String,
    pub assessment: String,
    pub assessment_name: String,
    pub control: String,
    pub title: String,
    pub priority: Option<Priority>,
    pub notes: Option<String>,
    pub notify: bool,
    pub status: Option<Status>,
    pub test_result: Option<TestResult>,
}

/// Action items of active assessments, optionally of one person (email, case-insensitive)
/// and one certification, ordered by person, certification name, priority (high first,
/// none last), control id (natural order) and assessment.
pub fn action_items(
    project: &Project,
    person: Option<&str>,
    certification: Option<&str>,
) -> Vec<ActionItem> {
    let mut items = Vec::new();
    for a in project.ws.assessments.iter().filter(|a| !a.is_archived()) {
        let v = &a.doc.value;
        if certification.is_some_and(|c| c != v.certification) {
            continue;
        }
        let Some(cert) = project.catalog.certifications.get(&v.certification) else {
            continue;
        };
        for (_, control) in cert.controls_in(cert.scope(&v.categories)) {
            let Some(record) = v.controls.get(&control.id) else {
                continue;
            };
            let Some(to) = &record.assigned_to else {
                continue;
            };
            if person.is_some_and(|p| !p.trim().eq_ignore_ascii_case(to)) {
                continue;
            }
            let action = record.action.clone().unwrap_or_default();
            items.push(ActionItem {
                person: to.clone(),
                certification: v.certification.clone(),
                certification_name: cert.cert.name.clone(),
                assessment: a.key(),
                assessment_name: project
                    .catalog
                    .assessment_name(&v.service, &v.certification),
                control: control.id.clone(),
                title: control.title.clone(),
                priority: action.priority,
                notes: action.notes,
                notify: action.notify,
                status: record.status,
                test_result: record.test_result,
            });
        }
    }
    // `None < Some(Low) < … < Some(High)`, so reversed: high first, none last.
    let urgency = std::cmp::Reverse;
    items.sort_by(|x, y| {
        (
            x.person.to_lowercase(),
            &x.certification_name,
            urgency(x.priority),
        )
            .cmp(&(
                y.person.to_lowercase(),
                &y.certification_name,
                urgency(y.priority),
            ))
            .then_with(|| crate::catalog::id_cmp(&x.control, &y.control))
            .then_with(|| x.assessment.cmp(&y.assessment))
    });
    items
}

/// An expired document of an action item's control: something for its assignee to do
/// (collect the evidence anew, attach it, remove this reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renewal {
    pub path: String,
    pub valid_until: chrono::NaiveDate,
    /// Days since `valid_until` (at least 1).
    pub days_ago: i64,
}

/// For each of `items`, the documents of its control that have expired on `today`, in
/// the record's order. Renewing evidence is the work of the person the control is
/// assigned to, so it is part of their action item; `evidence.warn_days` does not matter
/// here (an expiring document is no work yet, `status` and `validate` announce it).
pub fn renewals(
    project: &Project,
    items: &[ActionItem],
    today: chrono::NaiveDate,
) -> Vec<Vec<Renewal>> {
    let by_key: std::collections::HashMap<String, &crate::model::Assessment> = project
        .ws
        .assessments
        .iter()
        .map(|a| (a.key(), &a.doc.value))
        .collect();
    items
        .iter()
        .map(|item| {
            let documents = by_key
                .get(&item.assessment)
                .and_then(|v| v.controls.get(&item.control))
                .map_or(&[][..], |r| &r.documents[..]);
            documents
                .iter()
                .filter_map(|d| match (d.freshness(today, 0), d.valid_until) {
                    (crate::model::Freshness::Expired(days_ago), Some(valid_until)) => {
                        Some(Renewal {
                            path: d.path.clone(),
                            valid_until,
                            days_ago,
                        })
                    }
                    _ => None,
                })
                .collect()
        })
        .collect()
}
