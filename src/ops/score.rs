//! Compliance score and progress (DESIGN.md §4.2).
//!
//! A control, provider- or customer-managed, earns its score value when its status is
//! implemented or alternative-implementation and its test result is passed. The score is
//! the sum earned; the maximum sums the controls not marked not-in-scope. Progress counts
//! the customer-managed controls in scope, and those of them with a test result, for the
//! assessment and each family ([`counts_in_progress`]: a test result on a control out of
//! scope counts nowhere, and `validate` warns of it). Every output takes its figures
//! from here.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::model::{
    Assessment, CatalogControl, ControlRecord, ProviderControl, Status, TestResult,
};

/// Whether a control with this status and result earns its score value.
pub fn earns(status: Option<Status>, result: Option<TestResult>) -> bool {
    matches!(
        status,
        Some(Status::Implemented | Status::AlternativeImplementation)
    ) && result == Some(TestResult::Passed)
}

/// Who manages a control in an assessment, and what is recorded on it.
#[derive(Debug, Clone, Copy)]
pub enum Managed<'a> {
    Provider(&'a ProviderControl),
    /// `None`: not started.
    Customer(Option<&'a ControlRecord>),
}

impl Managed<'_> {
    pub fn status(&self) -> Option<Status> {
        match self {
            Managed::Provider(p) => Some(p.status),
            Managed::Customer(r) => r.and_then(|r| r.status),
        }
    }

    pub fn test_result(&self) -> Option<TestResult> {
        match self {
            Managed::Provider(p) => Some(p.test_result),
            Managed::Customer(r) => r.and_then(|r| r.test_result),
        }
    }
}

/// One control of an assessment, in catalog order.
#[derive(Debug, Clone, Copy)]
pub struct ControlView<'a> {
    pub family: &'a str,
    pub control: &'a CatalogControl,
    pub managed: Managed<'a>,
}

/// Every control of an assessment with how it is managed: the certification's controls
/// in the categories it covers ([`crate::catalog::CertInfo::scope`]). `None` when the
/// certification or template is unknown (validation reports that).
pub fn controls<'a>(
    assessment: &'a Assessment,
    catalog: &'a Catalog,
) -> Option<Vec<ControlView<'a>>> {
    let cert = catalog.certifications.get(&assessment.certification)?;
    let template = catalog.template(&assessment.service, &assessment.certification)?;
    let scope = cert.scope(&assessment.categories);
    Some(
        cert.controls_in(scope)
            .map(|(family, control)| ControlView {
                family: &family.name,
                control,
                managed: match template.template.provider_controls.get(&control.id) {
                    Some(p) => Managed::Provider(p),
                    None => Managed::Customer(assessment.controls.get(&control.id)),
                },
            })
            .collect(),
    )
}

/// How a control counts in progress: `None` when it does not (provider-managed, or not in
/// scope), else whether it is assessed (has a test result).
pub fn counts_in_progress(managed: Managed) -> Option<bool> {
    match managed {
        Managed::Customer(record) if managed.status() != Some(Status::NotInScope) => {
            Some(record.is_some_and(|r| r.test_result.is_some()))
        }
        _ => None,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub score: u32,
    pub max: u32,
    /// Customer-managed controls in scope with a test result.
    pub assessed: usize,
    /// Customer-managed controls in scope.
    pub total: usize,
}

/// What one control adds to the score: (earned, possible). It earns its value when
/// [`earns`] says so, and counts towards the maximum unless it is not in scope.
pub fn points(view: &ControlView) -> (u32, u32) {
    let value = view.control.score;
    let status = view.managed.status();
    let earned = if earns(status, view.managed.test_result()) {
        value
    } else {
        0
    };
    let possible = if status == Some(Status::NotInScope) {
        0
    } else {
        value
    };
    (earned, possible)
}

impl Progress {
    fn add(&mut self, view: &ControlView) {
        let (earned, possible) = points(view);
        self.score += earned;
        self.max += possible;
        if let Some(assessed) = counts_in_progress(view.managed) {
            self.total += 1;
            self.assessed += usize::from(assessed);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilyProgress {
    pub name: String,
    #[serde(flatten)]
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    #[serde(flatten)]
    pub total: Progress,
    pub families: Vec<FamilyProgress>,
}

/// Score and progress of an assessment, overall and per family.
pub fn score(assessment: &Assessment, catalog: &Catalog) -> Option<Score> {
    let views = controls(assessment, catalog)?;
    let mut total = Progress::default();
    let mut families: Vec<FamilyProgress> = Vec::new();
    for view in &views {
        total.add(view);
        match families.last_mut() {
            Some(f) if f.name == view.family => f.progress.add(view),
            _ => {
                let mut progress = Progress::default();
                progress.add(view);
                families.push(FamilyProgress {
                    name: view.family.to_owned(),
                    progress,
                });
            }
        }
    }
    Some(Score { total, families })
}
