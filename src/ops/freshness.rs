//! Evidence freshness as the views show it (`status`, `actions`, `control show`, the site,
//! the workbook): each document's state on a day, the counts per assessment and the list
//! of what expires next. The rule that reports it is [`crate::rules`]' freshness check;
//! both judge by [`Document::freshness`], so the views and `validate` always agree.
//!
//! Invariant: "today" is the caller's (the CLI's `--today`); nothing here reads a clock.
//! Archived assessments are read-only forever: like `validate`, the views count no
//! expiry in them.

use chrono::NaiveDate;
use serde::Serialize;

use super::Project;
use crate::model::{Assessment, Document, Freshness};
use crate::repo::AssessmentDoc;

/// `evidence.warn_days` of assure.yaml (30 when unset).
pub fn warn_days(project: &Project) -> u32 {
    project
        .ws
        .config
        .as_ref()
        .map_or_else(Default::default, |c| c.value.evidence.clone())
        .warn_days
}

/// A document's state on a day, as the views show and serialize it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum State {
    /// No `valid_until`, or it lies beyond the warning window.
    Valid,
    /// Valid for `days_left` more days (0: today is its last day).
    Expiring { days_left: i64 },
    /// Past `valid_until` by `days_ago` days (at least 1).
    Expired { days_ago: i64 },
}

impl State {
    /// The state of `d` on `today`, warning `warn_days` ahead.
    pub fn of(d: &Document, today: NaiveDate, warn_days: u32) -> State {
        match d.freshness(today, warn_days) {
            Freshness::Valid => State::Valid,
            Freshness::Expiring(days_left) => State::Expiring { days_left },
            Freshness::Expired(days_ago) => State::Expired { days_ago },
        }
    }

    /// "expired 3 days ago", "expires in 12 days", "expires today", "valid".
    pub fn label(self) -> String {
        let days = |n: i64| format!("{n} {}", if n == 1 { "day" } else { "days" });
        match self {
            State::Valid => "valid".to_owned(),
            State::Expiring { days_left: 0 } => "expires today".to_owned(),
            State::Expiring { days_left: 1 } => "expires tomorrow".to_owned(),
            State::Expiring { days_left } => format!("expires in {}", days(days_left)),
            State::Expired { days_ago } => format!("expired {} ago", days(days_ago)),
        }
    }

    /// "expired", "expiring" or "valid": the word for marks and CSS classes.
    pub fn word(self) -> &'static str {
        match self {
            State::Valid => "valid",
            State::Expiring { .. } => "expiring",
            State::Expired { .. } => "expired",
        }
    }
}

/// How many document references of an assessment are expired and expiring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub expired: usize,
    pub expiring: usize,
}

/// The expired and expiring documents of `a` on `today` (none for an archived one).
pub fn counts(a: &AssessmentDoc, today: NaiveDate, warn_days: u32) -> Counts {
    let mut n = Counts::default();
    if a.is_archived() {
        return n;
    }
    for d in a.doc.value.controls.values().flat_map(|c| &c.documents) {
        match d.freshness(today, warn_days) {
            Freshness::Expired(_) => n.expired += 1,
            Freshness::Expiring(_) => n.expiring += 1,
            Freshness::Valid => {}
        }
    }
    n
}

/// The worst state among a control's documents: expired over expiring over valid.
pub fn worst(documents: &[Document], today: NaiveDate, warn_days: u32) -> State {
    let mut worst = State::Valid;
    for d in documents {
        match State::of(d, today, warn_days) {
            s @ State::Expired { .. } => return s,
            s @ State::Expiring { .. } if worst == State::Valid => worst = s,
            _ => {}
        }
    }
    worst
}

/// One document with a `valid_until` date, where it is attached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expiry {
    pub assessment: String,
    pub assessment_name: String,
    pub control: String,
    pub path: String,
    pub valid_until: NaiveDate,
    #[serde(flatten)]
    pub state: State,
}

/// Every document with a `valid_until` in the active assessments, by `valid_until`
/// (so the expired ones first, the longest expired at the top), then assessment, control
/// (natural order) and path.
pub fn by_date(project: &Project, today: NaiveDate, warn_days: u32) -> Vec<Expiry> {
    let mut list = Vec::new();
    for a in project.ws.assessments.iter().filter(|a| !a.is_archived()) {
        let v: &Assessment = &a.doc.value;
        let name = project
            .catalog
            .assessment_name(&v.service, &v.certification);
        for (id, c) in &v.controls {
            for d in &c.documents {
                let Some(until) = d.valid_until else { continue };
                list.push(Expiry {
                    assessment: a.key(),
                    assessment_name: name.clone(),
                    control: id.clone(),
                    path: d.path.clone(),
                    valid_until: until,
                    state: State::of(d, today, warn_days),
                });
            }
        }
    }
    list.sort_by(|x, y| {
        (x.valid_until, &x.assessment)
            .cmp(&(y.valid_until, &y.assessment))
            .then_with(|| crate::catalog::id_cmp(&x.control, &y.control))
            .then_with(|| x.path.cmp(&y.path))
    });
    list
}
