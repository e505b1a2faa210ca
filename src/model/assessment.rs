//! `groups/<group>/<service>--<certification>.yaml`: one assessment.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub service: String,
    pub certification: String,
    pub created: DateTime<Utc>,
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<DateTime<Utc>>,
    /// The optional categories of the certification the assessment covers (its required
    /// ones and families without a category are always in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Customer-managed controls by control id. Not listed = not started.
    #[serde(default)]
    pub controls: BTreeMap<String, ControlRecord>,
}

/// The work recorded on one customer-managed control.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_response: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_result: Option<TestResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Implemented,
    AlternativeImplementation,
    Planned,
    NotInScope,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Implemented,
        Status::AlternativeImplementation,
        Status::Planned,
        Status::NotInScope,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Implemented => "implemented",
            Status::AlternativeImplementation => "alternative-implementation",
            Status::Planned => "planned",
            Status::NotInScope => "not-in-scope",
        }
    }

    /// The label the portal shows.
    pub fn label(self) -> &'static str {
        match self {
            Status::Implemented => "Implemented",
            Status::AlternativeImplementation => "Alternative Implementation",
            Status::Planned => "Planned",
            Status::NotInScope => "Not in Scope",
        }
    }

    /// The label of a control's status everywhere (CLI, site, workbook, mail): the
    /// portal's label, or "Not started" when nothing is recorded.
    pub fn label_of(status: Option<Status>) -> &'static str {
        status.map_or(NOT_STARTED, Status::label)
    }
}

/// The label of a control with no status: nothing is recorded on it yet.
pub const NOT_STARTED: &str = "Not started";
/// The label of a control with no test result.
pub const NOT_TESTED: &str = "Not tested";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestResult {
    Passed,
    FailedLowRisk,
    FailedMediumRisk,
    FailedHighRisk,
}

impl TestResult {
    pub const ALL: [TestResult; 4] = [
        TestResult::Passed,
        TestResult::FailedLowRisk,
        TestResult::FailedMediumRisk,
        TestResult::FailedHighRisk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TestResult::Passed => "passed",
            TestResult::FailedLowRisk => "failed-low-risk",
            TestResult::FailedMediumRisk => "failed-medium-risk",
            TestResult::FailedHighRisk => "failed-high-risk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TestResult::Passed => "Passed",
            TestResult::FailedLowRisk => "Failed-Low Risk",
            TestResult::FailedMediumRisk => "Failed-Medium Risk",
            TestResult::FailedHighRisk => "Failed-High Risk",
        }
    }

    /// The label of a control's test result everywhere: the portal's label, or "Not
    /// tested".
    pub fn label_of(result: Option<TestResult>) -> &'static str {
        result.map_or(NOT_TESTED, TestResult::label)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub notify: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub path: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    /// The day the evidence was collected (the scan run, the report signed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_on: Option<NaiveDate>,
    /// The last day the evidence holds; after it the evidence is expired (`validate`
    /// says so, counting from the CLI's today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
}

/// How fresh a document is on a given day (see [`Document::freshness`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Freshness {
    /// No `valid_until`, or it lies more than the warning window ahead.
    Valid,
    /// Valid for this many more days after today (0: today is its last day), within the
    /// warning window.
    Expiring(i64),
    /// Past `valid_until` by this many days (at least 1).
    Expired(i64),
}

impl Document {
    /// The document's freshness on `today`, warning `warn_days` ahead. The date is the
    /// caller's: the library reads no clock.
    pub fn freshness(&self, today: NaiveDate, warn_days: u32) -> Freshness {
        let Some(until) = self.valid_until else {
            return Freshness::Valid;
        };
        let left = (until - today).num_days();
        if left < 0 {
            Freshness::Expired(-left)
        } else if left <= i64::from(warn_days) {
            Freshness::Expiring(left)
        } else {
            Freshness::Valid
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    Implementation,
    Testing,
}
