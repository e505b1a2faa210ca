//! Evidence freshness (DESIGN.md §11): a document past its `valid_until` is expired, one
//! within `evidence.warn_days` of it is expiring (a note), a passed test result whose
//! testing evidence is all expired is called out, and the dates must make sense
//! (`collected_on` not in the future nor after `valid_until`).
//!
//! "Today" is [`Context::today`], the caller's date: the rules read no clock. Archived
//! assessments are read-only forever, so their evidence ageing is no finding.

use chrono::NaiveDate;

use super::Context;
use crate::catalog::value_span;
use crate::diag::{Code, Diagnostic};
use crate::model::{Document, Freshness, Purpose, TestResult};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let warn_days = ctx
        .ws
        .config
        .as_ref()
        .map_or_else(Default::default, |c| c.value.evidence.clone())
        .warn_days;
    let today = ctx.today;
    for a in ctx.ws.assessments.iter().filter(|a| !a.is_archived()) {
        let doc = &a.doc;
        for (id, c) in &doc.value.controls {
            // The documents that support the test result, and how many are expired.
            let (mut testing, mut expired_testing) = (0, 0);
            for (i, d) in c.documents.iter().enumerate() {
                let at = |field: &str| {
                    value_span(
                        &doc.node,
                        &["controls", id, "documents", &i.to_string(), field],
                    )
                };
                let freshness = d.freshness(today, warn_days);
                if d.purpose != Some(Purpose::Implementation) {
                    testing += 1;
                    expired_testing += usize::from(matches!(freshness, Freshness::Expired(_)));
                }
                if let Some(finding) = dates(d, id, today) {
                    out.push(finding.at(doc.file, at("collected_on"), "collection date"));
                }
                if let Some(finding) = expiry(d, id, freshness) {
                    out.push(finding.at(
                        doc.file,
                        at("valid_until"),
                        match freshness {
                            Freshness::Expired(_) => "expired",
                            _ => "expires soon",
                        },
                    ));
                }
            }
            if c.test_result == Some(TestResult::Passed)
                && testing > 0
                && expired_testing == testing
            {
                out.push(
                    Diagnostic::new(
                        Code::PassedOnExpiredEvidence,
                        format!(
                            "control `{id}` is passed, but all of its testing evidence has expired"
                        ),
                    )
                    .at(
                        doc.file,
                        value_span(&doc.node, &["controls", id, "test_result"]),
                        "passed on expired evidence",
                    )
                    .help("test the control again and attach current evidence with `assure doc add … --purpose testing --valid-until DATE`"),
                );
            }
        }
    }
}

/// `evidence-dates`: a collection date in the future or after `valid_until` (unlocated).
fn dates(d: &Document, id: &str, today: NaiveDate) -> Option<Diagnostic> {
    let collected = d.collected_on?;
    let why = match d.valid_until {
        _ if collected > today => format!("after today ({today})"),
        Some(until) if until < collected => format!("after its valid_until date {until}"),
        _ => return None,
    };
    Some(
        Diagnostic::new(
            Code::EvidenceDates,
            format!(
                "evidence `{}` of control `{id}` was collected on {collected}, {why}",
                d.path
            ),
        )
        .help("record the day the evidence was collected, on or before its valid_until date and not in the future"),
    )
}

/// `evidence-expired` or `evidence-expiring` (unlocated), by the document's freshness.
fn expiry(d: &Document, id: &str, freshness: Freshness) -> Option<Diagnostic> {
    let until = d.valid_until?;
    match freshness {
        Freshness::Expired(days) => Some(
            Diagnostic::new(
                Code::EvidenceExpired,
                format!(
                    "evidence `{}` of control `{id}` expired on {until} ({days} {} ago)",
                    d.path,
                    if days == 1 { "day" } else { "days" }
                ),
            )
            .help("collect the evidence anew and attach it with `assure doc add … --valid-until DATE`, then remove this reference with `assure doc remove`"),
        ),
        Freshness::Expiring(days) => Some(Diagnostic::new(
            Code::EvidenceExpiring,
            format!(
                "evidence `{}` of control `{id}` expires {} ({until} is its last valid day)",
                d.path,
                match days {
                    0 => "today".to_owned(),
                    1 => "tomorrow".to_owned(),
                    n => format!("in {n} days"),
                }
            ),
        )),
        Freshness::Valid => None,
    }
}
