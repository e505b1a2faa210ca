//! Customer-managed control records: the control exists in the certification, is
//! customer-managed in the template and in a category the assessment covers, and its test
//! result has a date not in the future and belongs to a control in scope. The categories
//! an assessment chooses are ones its certification declares.

use super::Context;
use crate::catalog::{CertInfo, key_span, value_span};
use crate::diag::{Code, Diagnostic};
use crate::model::{Assessment, ControlRecord, Status};
use crate::repo::Doc;
use crate::suggest::did_you_mean;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for a in &ctx.ws.assessments {
        let doc = &a.doc;
        let v = &doc.value;
        let cert = ctx.catalog.certifications.get(&v.certification);
        let template = ctx.catalog.template(&v.service, &v.certification);
        if let Some(cert) = cert {
            check_categories(doc, cert, out);
        }
        let scope = cert.map(|c| c.scope(&v.categories)).unwrap_or_default();
        // The assessment's customer-managed controls, sorted like `controls`: a record of
        // one of them passes the first three checks, found by walking both together.
        let mut customer = template
            .into_iter()
            .flat_map(|t| t.customer(scope.clone()))
            .peekable();
        for (id, c) in &v.controls {
            while customer.next_if(|known| known.id < *id).is_some() {}
            let customer_managed = customer.peek().is_some_and(|known| known.id == *id);
            if !customer_managed
                && let Some(cert) = cert
                && cert.control(id).is_none()
            {
                out.push(
                    Diagnostic::new(
                        Code::UnknownControl,
                        format!("`{id}` is not a control of {}", cert.cert.name),
                    )
                    .at(
                        doc.file,
                        key_span(&doc.node, &["controls", id]),
                        "unknown control",
                    )
                    .help(did_you_mean(id, cert.control_ids())),
                );
                continue;
            }
            if !customer_managed
                && let Some(t) = template
                && t.template.provider_controls.contains_key(id)
            {
                out.push(
                        Diagnostic::new(Code::ProviderManagedControl, format!("`{id}` is managed by the provider in {}, not by the customer", ctx.catalog.assessment_name(&v.service, &v.certification)))
                            .at(doc.file, key_span(&doc.node, &["controls", id]), "provider-managed control")
                            .help("remove it from `controls:`; the provider's result is in the template (`assure controls` shows it)"),
                    );
            } else if !customer_managed
                && let Some(cert) = cert
                && let Some(category) = cert.outside(&scope, id)
            {
                let name = cert
                    .category(category)
                    .map_or(category, |c| c.name.as_str());
                out.push(
                    Diagnostic::new(
                        Code::ControlOutsideCategories,
                        format!("`{id}` is in the {name} category of {}, which this assessment does not cover", cert.cert.name),
                    )
                    .at(doc.file, key_span(&doc.node, &["controls", id]), "control outside the assessment's categories")
                    .help(format!("add the category: `assure assessment scope {} --add {category}` (or `categories: [{category}]`), or remove the record", a.key())),
                );
                continue;
            }
            check_test_date(ctx, doc, id, c, out);
            check_in_scope(doc, id, c, out);
        }
    }
}

/// Each category an assessment chooses is an optional category of its certification.
fn check_categories(doc: &Doc<Assessment>, cert: &CertInfo, out: &mut Vec<Diagnostic>) {
    for (i, id) in doc.value.categories.iter().enumerate() {
        if cert.category(id).is_some() {
            continue;
        }
        let help = if cert.cert.categories.is_empty() {
            format!(
                "{} has no categories to choose: every assessment of it covers all its controls; remove `categories:`",
                cert.cert.name
            )
        } else {
            did_you_mean(id, cert.cert.categories.iter().map(|c| c.id.as_str()))
        };
        out.push(
            Diagnostic::new(
                Code::UnknownCategory,
                format!("`{id}` is not a category of {}", cert.cert.name),
            )
            .at(
                doc.file,
                value_span(&doc.node, &["categories", &i.to_string()]),
                "unknown category",
            )
            .help(help),
        );
    }
}

/// A test result on a control out of scope counts nowhere: say so.
fn check_in_scope(doc: &Doc<Assessment>, id: &str, c: &ControlRecord, out: &mut Vec<Diagnostic>) {
    if c.status == Some(Status::NotInScope) && c.test_result.is_some() {
        out.push(
            Diagnostic::new(
                Code::TestedNotInScope,
                format!("control `{id}` is not in scope but has a test result, which counts nowhere"),
            )
            .at(
                doc.file,
                value_span(&doc.node, &["controls", id, "test_result"]),
                "result of a control out of scope",
            )
            .help("remove `test_result` and `test_date`, or record the status the control was tested in"),
        );
    }
}

/// A record's test date: there with a test result, and not after today.
fn check_test_date(
    ctx: &Context,
    doc: &Doc<Assessment>,
    id: &str,
    c: &ControlRecord,
    out: &mut Vec<Diagnostic>,
) {
    if c.test_result.is_some() && c.test_date.is_none() {
        out.push(
            Diagnostic::new(
                Code::TestResultWithoutDate,
                format!("control `{id}` has a test result but no test date"),
            )
            .at(
                doc.file,
                value_span(&doc.node, &["controls", id, "test_result"]),
                "result without a date",
            )
            .help("add `test_date: YYYY-MM-DD`, the day the test was performed"),
        );
    }
    if let Some(date) = c.test_date
        && date > ctx.today
    {
        out.push(
            Diagnostic::new(
                Code::TestDateInFuture,
                format!(
                    "control `{id}` has test date {date}, which is after today ({})",
                    ctx.today
                ),
            )
            .at(
                doc.file,
                value_span(&doc.node, &["controls", id, "test_date"]),
                "in the future",
            )
            .help("record a test after it has been performed, with the date it was performed"),
        );
    }
}
