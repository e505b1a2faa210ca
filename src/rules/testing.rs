//! Testing rules as data (`rules:` in assure.yaml), each off by default: a
//! failed-high-risk control has an action item, a not-in-scope control says why. The
//! third rule, `tester_is_not_implementer`, needs git history and lives in the review gate
//! (`ops::gate`). Archived assessments are left out: they can never be changed, so a rule
//! switched on later could only report what nobody may fix.

use super::Context;
use crate::catalog::value_span;
use crate::diag::{Code, Diagnostic};
use crate::model::{Status, TestResult};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(config) = &ctx.ws.config else { return };
    let rules = config.value.rules;
    if !rules.failed_high_risk_needs_action && !rules.not_in_scope_needs_reason {
        return;
    }
    for a in &ctx.ws.assessments {
        if a.is_archived() {
            continue;
        }
        let doc = &a.doc;
        for (id, c) in &doc.value.controls {
            if rules.failed_high_risk_needs_action
                && c.test_result == Some(TestResult::FailedHighRisk)
            {
                let priority = c.action.as_ref().and_then(|a| a.priority);
                let missing: Vec<&str> = [
                    c.assigned_to.is_none().then_some("`assigned_to`"),
                    priority.is_none().then_some("`action.priority`"),
                ]
                .into_iter()
                .flatten()
                .collect();
                if !missing.is_empty() {
                    out.push(
                        Diagnostic::new(
                            Code::HighRiskWithoutAction,
                            format!(
                                "control `{id}` failed with high risk but has no action item: {} missing",
                                missing.join(" and ")
                            ),
                        )
                        .at(
                            doc.file,
                            value_span(&doc.node, &["controls", id, "test_result"]),
                            "failed-high-risk without an action item",
                        )
                        .help(format!(
                            "assign the remediation and give it a priority: `assure assign {} {id} --to EMAIL --priority high` (rule `failed_high_risk_needs_action` in assure.yaml)",
                            a.key()
                        )),
                    );
                }
            }
            if rules.not_in_scope_needs_reason
                && c.status == Some(Status::NotInScope)
                && c.management_response
                    .as_deref()
                    .is_none_or(crate::text::is_blank)
            {
                out.push(
                    Diagnostic::new(
                        Code::NotInScopeWithoutReason,
                        format!("control `{id}` is not in scope but no `management_response` says why"),
                    )
                    .at(
                        doc.file,
                        value_span(&doc.node, &["controls", id, "status"]),
                        "not in scope without a reason",
                    )
                    .help(format!("say why: `assure control set {} {id} --management-response TEXT` (rule `not_in_scope_needs_reason` in assure.yaml)", a.key())),
                );
            }
        }
    }
}
