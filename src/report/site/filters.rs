//! Values as the pages show them: labels of statuses and results, dates and times,
//! percentages, the file names and anchors pages link to, percent-encoding of what goes
//! into a link, and which links may be followed at all.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value as J;

use super::data::Label;
use crate::catalog::Catalog;
use crate::model::{Coverage, Status, TestResult};
use crate::repo::AssessmentDoc;
use crate::text::{Medium, empty};

/// Percent-encodes everything but unreserved characters (and `@`), for a path segment or
/// a fragment built from repository data.
pub(super) fn encode(s: &str) -> String {
    crate::text::percent_encode(s)
}

pub(super) fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub(super) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "0".into()
    } else {
        format!("{:.1}", part as f64 * 100.0 / whole as f64)
    }
}

/// A link only when it is a web address (http or https, see
/// [`crate::rules::links::classify`]): a repository-relative path does not resolve from
/// the site's folder, and other schemes (`javascript:`) are unsafe.
pub(super) fn safe_href(link: &str) -> Option<String> {
    (crate::rules::links::classify(link) == Some(crate::rules::links::Link::Web))
        .then(|| link.to_owned())
}

/// The file name of an assessment's page (inside `assessments/`).
pub(super) fn assessment_file(a: &AssessmentDoc) -> String {
    format!("{}--{}.html", a.group, a.stem)
}

/// `groups/<group>/<file>.yaml`: the key of an assessment's history.
pub fn assessment_path(a: &AssessmentDoc) -> String {
    a.path()
}

pub(super) fn control_anchor(id: &str) -> String {
    format!("c-{id}")
}

/// The filter values (and badge classes) of a control without a status or a result.
pub(super) const NOT_STARTED_VALUE: &str = "not-started";
pub(super) const NOT_TESTED_VALUE: &str = "not-tested";

pub(super) fn status_label(s: Option<Status>) -> Label {
    match s {
        Some(s) => Label {
            value: s.as_str(),
            label: s.label(),
        },
        // The filter's value for "no status yet", as the CLI spells it (`--status
        // not-started`).
        None => Label {
            value: NOT_STARTED_VALUE,
            label: Status::label_of(None),
        },
    }
}

pub(super) fn result_label(r: Option<TestResult>) -> Label {
    match r {
        Some(r) => Label {
            value: r.as_str(),
            label: r.label(),
        },
        None => Label {
            value: NOT_TESTED_VALUE,
            label: TestResult::label_of(None),
        },
    }
}

pub(super) fn coverage_label(c: Coverage) -> &'static str {
    match c {
        Coverage::Full => "full",
        Coverage::Partial => "partial",
    }
}

/// `cert:control` as people read it: "NIST SP 800-53 Rev. 5 SC-13".
pub(super) fn reference_label(catalog: &Catalog, reference: &str) -> String {
    match reference.split_once(':') {
        Some((cert, id)) => format!("{} {id}", catalog.certification_name(cert)),
        None => reference.to_owned(),
    }
}

pub(super) fn field_label(field: &str) -> String {
    match field {
        "status" => "Status".into(),
        "implementation" => "Implementation".into(),
        "test_plan" => "Test plan".into(),
        "management_response" => "Management response".into(),
        "test_date" => "Test date".into(),
        "test_result" => "Test result".into(),
        "assigned_to" => "Assigned to".into(),
        "action" => "Action item".into(),
        "documents" => "Documents".into(),
        other => other.replace('_', " "),
    }
}

/// A recorded value as people read it.
pub(super) fn show(field: &str, v: &J) -> String {
    match (field, v) {
        (_, J::Null) => empty(Medium::Html).into(),
        ("status", J::String(_)) => serde_json::from_value::<Status>(v.clone())
            .map_or_else(|_| show("", v), |s| s.label().to_owned()),
        ("test_result", J::String(_)) => serde_json::from_value::<TestResult>(v.clone())
            .map_or_else(|_| show("", v), |r| r.label().to_owned()),
        (_, J::String(s)) => s.clone(),
        (_, J::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        (_, J::Number(n)) => n.to_string(),
        (_, J::Array(items)) if items.is_empty() => empty(Medium::Html).into(),
        (_, J::Array(items)) => items
            .iter()
            .map(|i| show("", i))
            .collect::<Vec<_>>()
            .join(", "),
        (_, J::Object(m)) => match m.get("path") {
            Some(p) => show("", p),
            None => m
                .iter()
                .map(|(k, v)| format!("{}: {}", k.replace('_', " "), show(k, v)))
                .collect::<Vec<_>>()
                .join("; "),
        },
    }
}

pub(super) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn certification_file(id: &str) -> String {
    format!("{id}.html")
}

pub(super) fn template_file(service: &str, certification: &str) -> String {
    format!("{service}--{certification}.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_keeps_safe_characters_only() {
        assert_eq!(encode("a-b_c.d~e@f"), "a-b_c.d~e@f");
        assert_eq!(encode("x y\"<>#?/"), "x%20y%22%3C%3E%23%3F%2F");
    }

    #[test]
    fn only_http_links_are_followed() {
        assert_eq!(safe_href("https://x/y").as_deref(), Some("https://x/y"));
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href(" JavaScript:alert(1)"), None);
        assert_eq!(safe_href("evidence/a.pdf"), None);
    }
}
