//! `assure assessment show`: the whole of one assessment as the portal's assessment page
//! shows it, as data for the CLI to render (human or JSON).
//!
//! Invariants: every figure comes from the function every other view takes it from, so
//! the terminal, the site and the workbook agree: score and progress from
//! [`score::score`] (the dashboard's), each control's status and result from
//! [`score::controls`], the modification time from [`status::modified`] over
//! [`history::last_commit_times`]. Per family, the status counts add up to the
//! customer-managed controls and the result counts to those in scope (a result out of
//! scope counts nowhere, as in progress), and the families add up to the totals.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::score::{self, Managed, Progress};
use super::{NotFound, Project, history, status};
use crate::model::{Status, TestResult};

/// An id with the name people read.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// The assessment's certification.
#[derive(Debug, Clone, Serialize)]
pub struct CertificationRef {
    pub id: String,
    pub name: String,
    pub version: String,
    /// What the certification calls a control family ("Clause", "Family", "Article"…).
    pub family_term: String,
}

/// A provider-managed control, as the template records it.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderRow {
    pub id: String,
    pub title: String,
    pub family: String,
    pub score: u32,
    pub status: Status,
    pub test_date: NaiveDate,
    pub test_result: TestResult,
    pub tested_by: String,
}

/// How many customer-managed controls have each status; `not-started` counts those with
/// none. The fields add up to the customer-managed controls counted beside them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct StatusCounts {
    pub implemented: usize,
    pub alternative_implementation: usize,
    pub planned: usize,
    pub not_in_scope: usize,
    pub not_started: usize,
}

/// How many customer-managed controls in scope have each test result; `not-tested`
/// counts those with none. A result on a control out of scope counts nowhere
/// ([`score::counts_in_progress`]), so the fields add up to the progress's `total`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ResultCounts {
    pub passed: usize,
    pub failed_low_risk: usize,
    pub failed_medium_risk: usize,
    pub failed_high_risk: usize,
    pub not_tested: usize,
}

/// The counts of a family, or of the whole assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Every control (provider- and customer-managed).
    pub controls: usize,
    /// Provider-managed controls.
    pub provider: usize,
    /// Customer-managed controls, in scope or not.
    pub customer: usize,
    /// Score and progress ([`score::score`]): `total` is the customer-managed controls
    /// in scope, `assessed` those of them with a test result.
    #[serde(flatten)]
    pub progress: Progress,
    /// Customer-managed controls by status (they add up to `customer`).
    pub status: StatusCounts,
    /// Customer-managed controls in scope by test result (they add up to `total`).
    pub result: ResultCounts,
}

impl Counts {
    fn add(&mut self, managed: Managed) {
        self.controls += 1;
        let Managed::Customer(_) = managed else {
            self.provider += 1;
            return;
        };
        self.customer += 1;
        let s = &mut self.status;
        *match managed.status() {
            Some(Status::Implemented) => &mut s.implemented,
            Some(Status::AlternativeImplementation) => &mut s.alternative_implementation,
            Some(Status::Planned) => &mut s.planned,
            Some(Status::NotInScope) => &mut s.not_in_scope,
            None => &mut s.not_started,
        } += 1;
        if score::counts_in_progress(managed).is_none() {
            return;
        }
        let r = &mut self.result;
        *match managed.test_result() {
            Some(TestResult::Passed) => &mut r.passed,
            Some(TestResult::FailedLowRisk) => &mut r.failed_low_risk,
            Some(TestResult::FailedMediumRisk) => &mut r.failed_medium_risk,
            Some(TestResult::FailedHighRisk) => &mut r.failed_high_risk,
            None => &mut r.not_tested,
        } += 1;
    }
}

/// One control family: its name and counts.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyCounts {
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Everything `assure assessment show` shows (docs/json.md, `assessment show`).
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentPage {
    /// `group/service--certification`.
    pub assessment: String,
    /// "Service - Certification", as the dashboard names it.
    pub name: String,
    pub group: Named,
    pub service: Named,
    pub certification: CertificationRef,
    pub created: DateTime<Utc>,
    /// The email of who created it.
    pub created_by: String,
    /// Their name in assure.yaml (the email when they are not listed).
    pub created_by_name: String,
    pub modified: Option<DateTime<Utc>>,
    pub archived: Option<DateTime<Utc>>,
    /// The certification's categories the assessment covers (required and chosen), in
    /// the certification's order; empty when it has none.
    pub categories: Vec<Named>,
    /// The whole assessment's counts, score and progress (the dashboard's figures).
    pub totals: Counts,
    /// The services the template names as in scope.
    pub in_scope_services: Vec<String>,
    /// In catalog order.
    pub provider_controls: Vec<ProviderRow>,
    /// In catalog order; they add up to `totals`.
    pub families: Vec<FamilyCounts>,
}

/// The assessment `key` (`group/service--certification`) as its page shows it; an
/// unknown key, or an assessment whose certification or template is not in the catalog,
/// is [`NotFound`] with what to do.
pub fn show(project: &Project, key: &str) -> Result<AssessmentPage, NotFound> {
    let a = project.assessment(key)?;
    let v = &a.doc.value;
    let catalog = &project.catalog;
    let broken = || {
        NotFound(format!(
            "{} names a service and certification ({}, {}) with no template in the catalog; `assure validate` says what is wrong",
            a.path(),
            v.service,
            v.certification
        ))
    };
    let cert = catalog
        .certifications
        .get(&v.certification)
        .ok_or_else(broken)?;
    let template = catalog
        .template(&v.service, &v.certification)
        .ok_or_else(broken)?;
    let views = score::controls(v, catalog).ok_or_else(broken)?;
    let progress = score::score(v, catalog).ok_or_else(broken)?;
    let Tally {
        totals,
        families,
        provider_controls,
    } = tally(&views, progress);

    let committed = history::last_commit_times(&project.ws.root, &[a.path()], project.revision());
    let config = project.ws.config.as_ref().map(|c| &c.value);
    let created_by_name = config
        .and_then(|c| {
            c.people
                .iter()
                .find(|p| p.email.trim().eq_ignore_ascii_case(v.created_by.trim()))
        })
        .map_or_else(|| v.created_by.clone(), |p| p.name.clone());
    let group_name = project
        .ws
        .groups
        .iter()
        .find(|g| g.id == a.group)
        .and_then(|g| g.doc.as_ref())
        .map_or_else(|| a.group.clone(), |d| d.value.name.clone());
    Ok(AssessmentPage {
        assessment: a.key(),
        name: catalog.assessment_name(&v.service, &v.certification),
        group: Named {
            id: a.group.clone(),
            name: group_name,
        },
        service: Named {
            id: v.service.clone(),
            name: catalog.service_name(&v.service).to_owned(),
        },
        certification: CertificationRef {
            id: cert.cert.id.clone(),
            name: cert.cert.name.clone(),
            version: cert.cert.version.clone(),
            family_term: cert.cert.family_term().to_owned(),
        },
        created: v.created,
        created_by: v.created_by.clone(),
        created_by_name,
        modified: status::modified(&committed, a),
        archived: v.archived,
        categories: cert
            .categories_in(&v.categories)
            .map(|c| Named {
                id: c.id.clone(),
                name: c.name.clone(),
            })
            .collect(),
        totals,
        in_scope_services: template.template.in_scope_services.clone(),
        provider_controls,
        families,
    })
}

/// The counts of an assessment's controls, overall and per family, and its
/// provider-managed controls.
struct Tally {
    totals: Counts,
    families: Vec<FamilyCounts>,
    provider_controls: Vec<ProviderRow>,
}

/// Counts `views` (in catalog order) into the score and progress that
/// [`score::score`] gave for them.
fn tally(views: &[score::ControlView], progress: score::Score) -> Tally {
    let mut totals = Counts {
        progress: progress.total,
        ..Counts::default()
    };
    // `score` gives one entry per family, in the order of the views.
    let mut families: Vec<FamilyCounts> = progress
        .families
        .into_iter()
        .map(|f| FamilyCounts {
            name: f.name,
            counts: Counts {
                progress: f.progress,
                ..Counts::default()
            },
        })
        .collect();
    let mut provider_controls = Vec::new();
    let mut family = 0;
    for view in views {
        while families.get(family).is_some_and(|f| f.name != view.family) {
            family += 1;
        }
        if let Some(f) = families.get_mut(family) {
            f.counts.add(view.managed);
        }
        totals.add(view.managed);
        if let Managed::Provider(p) = view.managed {
            provider_controls.push(ProviderRow {
                id: view.control.id.clone(),
                title: view.control.title.clone(),
                family: view.family.to_owned(),
                score: view.control.score,
                status: p.status,
                test_date: p.test_date,
                test_result: p.test_result,
                tested_by: p.tested_by.clone(),
            });
        }
    }
    Tally {
        totals,
        families,
        provider_controls,
    }
}
