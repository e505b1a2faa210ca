//! Filters over customer-managed controls (DESIGN.md §4.3): article (substring of an
//! article reference), control (substring of the id), assigned person, status and test
//! result. Values of one filter combine with OR, different filters with AND; an empty
//! filter matches everything. No match is a valid, empty result.

use serde::Serialize;

use crate::model::{CatalogControl, ControlRecord, Status, TestResult};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub articles: Vec<String>,
    pub controls: Vec<String>,
    pub assigned: Vec<String>,
    pub statuses: Vec<Status>,
    pub results: Vec<TestResult>,
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// OR over the values of one filter; an empty filter is no constraint.
fn any_of<T>(values: &[T], pred: impl Fn(&T) -> bool) -> bool {
    values.is_empty() || values.iter().any(pred)
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
            && self.controls.is_empty()
            && self.assigned.is_empty()
            && self.statuses.is_empty()
            && self.results.is_empty()
    }

    /// Whether a customer-managed control (with its record, if started) matches.
    pub fn matches(&self, control: &CatalogControl, record: Option<&ControlRecord>) -> bool {
        let status = record.and_then(|r| r.status);
        let result = record.and_then(|r| r.test_result);
        let assigned = record.and_then(|r| r.assigned_to.as_deref());
        any_of(&self.articles, |a| {
            control.articles.iter().any(|art| contains_ci(art, a))
        }) && any_of(&self.controls, |c| contains_ci(&control.id, c))
            && any_of(&self.assigned, |p| {
                assigned.is_some_and(|x| x.eq_ignore_ascii_case(p.trim()))
            })
            && any_of(&self.statuses, |s| status == Some(*s))
            && any_of(&self.results, |r| result == Some(*r))
    }
}
