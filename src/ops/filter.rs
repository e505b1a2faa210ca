//! Filters over customer-managed controls (DESIGN.md §4.3): reference (substring of an
//! article reference), control (an exact id, or a prefix written `AC-2*`), assigned
//! person, status and test result, where "not started" and "not tested" are values too,
//! and catalog attributes (`NAME=VALUE`, e.g. `control-type=preventive`): values of one
//! attribute name combine with OR, different names with AND, like different filters.
//! Values of one filter combine with OR, different filters with AND; an empty filter
//! matches everything.
//!
//! A value that names nothing is an error, never an empty answer ([`Filter::check`]): a
//! control id the certification does not have, a reference no control lists, a person
//! not in `assure.yaml`, an attribute name or value no control of the certification has. A filter of known values that matches no control is a valid,
//! empty result. The report site's filter (`app.js`) follows the same rules.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::CertInfo;
use crate::model::{CatalogControl, ControlRecord, Person, Status, TestResult};
use crate::suggest::did_you_mean;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub articles: Vec<String>,
    pub controls: Vec<String>,
    pub assigned: Vec<String>,
    pub statuses: Vec<StatusIs>,
    pub results: Vec<ResultIs>,
    /// `NAME=VALUE` pairs over the catalog controls' `attributes`.
    pub attributes: Vec<String>,
}

/// A value of the status filter: a status, or none recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum StatusIs {
    Implemented,
    AlternativeImplementation,
    Planned,
    NotInScope,
    NotStarted,
}

/// A value of the test-result filter: a result, or none recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ResultIs {
    Passed,
    FailedLowRisk,
    FailedMediumRisk,
    FailedHighRisk,
    NotTested,
}

impl StatusIs {
    /// The status this value asks for; `None`: not started.
    pub fn status(self) -> Option<Status> {
        match self {
            StatusIs::Implemented => Some(Status::Implemented),
            StatusIs::AlternativeImplementation => Some(Status::AlternativeImplementation),
            StatusIs::Planned => Some(Status::Planned),
            StatusIs::NotInScope => Some(Status::NotInScope),
            StatusIs::NotStarted => None,
        }
    }
}

impl ResultIs {
    /// The result this value asks for; `None`: not tested.
    pub fn result(self) -> Option<TestResult> {
        match self {
            ResultIs::Passed => Some(TestResult::Passed),
            ResultIs::FailedLowRisk => Some(TestResult::FailedLowRisk),
            ResultIs::FailedMediumRisk => Some(TestResult::FailedMediumRisk),
            ResultIs::FailedHighRisk => Some(TestResult::FailedHighRisk),
            ResultIs::NotTested => None,
        }
    }
}

/// Whether control `id` matches the pattern `value`: the same id (case ignored), or, when
/// `value` ends with `*`, an id that starts with the rest. `AC-2` is AC-2 alone (not
/// AC-2(1), not AC-20); `AC-2*` is all of them.
pub fn control_matches(id: &str, value: &str) -> bool {
    let value = value.trim();
    match value.strip_suffix('*') {
        Some(prefix) => id
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
        None => id.eq_ignore_ascii_case(value),
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack
        .to_lowercase()
        .contains(&needle.trim().to_lowercase())
}

/// `NAME=VALUE` split and trimmed; `None` without `=`.
fn attribute_pair(value: &str) -> Option<(&str, &str)> {
    value
        .split_once('=')
        .map(|(name, value)| (name.trim(), value.trim()))
}

/// Whether `control` has value `value` of attribute `name` (case ignored).
fn has_attribute(control: &CatalogControl, name: &str, value: &str) -> bool {
    control.attributes.iter().any(|(n, values)| {
        n.eq_ignore_ascii_case(name) && values.iter().any(|v| v.eq_ignore_ascii_case(value))
    })
}

/// The attribute filter: for each name given, the control has one of the values given
/// for that name (OR); every name given must hold (AND).
fn attributes_match(filter: &[String], control: &CatalogControl) -> bool {
    filter
        .iter()
        .filter_map(|v| attribute_pair(v))
        .all(|(name, _)| {
            filter
                .iter()
                .filter_map(|v| attribute_pair(v))
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .any(|(n, v)| has_attribute(control, n, v))
        })
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
            && self.attributes.is_empty()
    }

    /// Whether a customer-managed control (with its record, if started) matches.
    pub fn matches(&self, control: &CatalogControl, record: Option<&ControlRecord>) -> bool {
        let status = record.and_then(|r| r.status);
        let result = record.and_then(|r| r.test_result);
        let assigned = record.and_then(|r| r.assigned_to.as_deref());
        any_of(&self.articles, |a| {
            control.articles.iter().any(|art| contains_ci(art, a))
        }) && any_of(&self.controls, |c| control_matches(&control.id, c))
            && any_of(&self.assigned, |p| {
                assigned.is_some_and(|x| x.eq_ignore_ascii_case(p.trim()))
            })
            && any_of(&self.statuses, |s| status == s.status())
            && any_of(&self.results, |r| result == r.result())
            && attributes_match(&self.attributes, control)
    }

    /// Every value names something: each control pattern matches a control of `cert`,
    /// each reference text one of its controls' references, each person one of `people`.
    /// The error names the first value that does not, with the closest known names.
    /// An exact control of an optional category that `assessment` does not cover
    /// (`chosen`: its `categories`) is named as such, with the command that adds it.
    pub fn check(
        &self,
        cert: &CertInfo,
        (assessment, chosen): (&str, &[String]),
        people: &[Person],
    ) -> Result<(), String> {
        let name = &cert.cert.name;
        let scope = cert.scope(chosen);
        for value in &self.controls {
            let exact = value.trim();
            if let Some(category) = cert.outside(&scope, exact) {
                let category_name = cert.category(category).map_or(category, |c| &c.name);
                return Err(format!(
                    "`{exact}` is a control of the category {category_name}, which this assessment does not cover; add the category with `assure assessment scope {assessment} --add {category}`"
                ));
            }
            if !cert.control_ids().any(|id| control_matches(id, value)) {
                let what = match value.trim().strip_suffix('*') {
                    Some(prefix) => format!("no control of {name} starts with `{prefix}`"),
                    None => format!("{name} has no control `{}`", value.trim()),
                };
                let hint = did_you_mean(value.trim().trim_end_matches('*'), cert.control_ids());
                return Err(format!("{what}; {hint} (`AC-2*` matches a prefix)"));
            }
        }
        let references: Vec<&str> = cert
            .controls()
            .flat_map(|(_, c)| c.articles.iter().map(String::as_str))
            .collect();
        for value in &self.articles {
            if references.is_empty() {
                return Err(format!(
                    "the controls of {name} list no references, so none contains `{value}`"
                ));
            }
            if !references.iter().any(|r| contains_ci(r, value)) {
                let mut known = references.clone();
                known.sort_unstable();
                known.dedup();
                let term = cert.cert.reference_term().unwrap_or("Reference");
                return Err(format!(
                    "no {term} of {name}'s controls contains `{value}`; {}",
                    did_you_mean(value, known.into_iter())
                ));
            }
        }
        for value in &self.assigned {
            super::project::person_in(people, value).map_err(|e| e.0)?;
        }
        self.check_attributes(cert)
    }

    /// Every `NAME=VALUE` of the attribute filter names an attribute some control of
    /// `cert` has, and a value of it some control has.
    fn check_attributes(&self, cert: &CertInfo) -> Result<(), String> {
        let name = &cert.cert.name;
        let mut known: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (_, c) in cert.controls() {
            for (n, values) in &c.attributes {
                known
                    .entry(n)
                    .or_default()
                    .extend(values.iter().map(String::as_str));
            }
        }
        for value in &self.attributes {
            let Some((attr, wanted)) = attribute_pair(value) else {
                return Err(format!(
                    "`--attribute {}` is not NAME=VALUE, e.g. control-type=preventive",
                    value.trim()
                ));
            };
            if known.is_empty() {
                return Err(format!(
                    "the controls of {name} declare no attributes, so none has `{attr}`"
                ));
            }
            let Some((_, values)) = known.iter().find(|(n, _)| n.eq_ignore_ascii_case(attr)) else {
                return Err(format!(
                    "no control of {name} has the attribute `{attr}`; {}",
                    did_you_mean(attr, known.keys().copied())
                ));
            };
            if !values.iter().any(|v| v.eq_ignore_ascii_case(wanted)) {
                return Err(format!(
                    "no control of {name} has {attr} `{wanted}`; {}",
                    did_you_mean(wanted, values.iter().copied())
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::control_matches;

    #[test]
    fn an_id_is_exact_and_a_star_is_a_prefix() {
        assert!(control_matches("AC-2", "AC-2"));
        assert!(control_matches("AC-2", " ac-2 "));
        assert!(!control_matches("AC-2(1)", "AC-2"));
        assert!(!control_matches("AC-20", "AC-2"));
        assert!(control_matches("AC-2(1)", "AC-2*"));
        assert!(control_matches("AC-20", "ac-2*"));
        assert!(!control_matches("AC-1", "AC-2*"));
        // A prefix that ends inside a multi-byte character matches nothing, no panic.
        assert!(!control_matches("Ü-1", "\u{00DC}\u{0308}*"));
        assert!(control_matches("anything", "*"));
    }
}
