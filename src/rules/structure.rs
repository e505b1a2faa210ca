//! Groups and assessment files: valid group ids, a `group.yaml` per group, unique group
//! names, file names that agree with the fields, one assessment per (service,
//! certification) in a group, and assessments only of a known service and
//! certification. (Every such pair has a template: a file, or the catalog's implicit
//! one in which the customer manages every control, [`crate::catalog::Catalog::template`];
//! so the `unknown-template` finding of earlier versions is retired.)

use std::collections::HashMap;

use super::Context;
use crate::catalog::{unknown_certification, unknown_service, value_span};
use crate::diag::{Code, Diagnostic};

/// Whether `id` is lower-case letters, digits and single `-` between them.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Group ids, `group.yaml` files and group names.
pub fn check_groups(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut names: HashMap<String, (crate::repo::source::FileId, std::ops::Range<usize>)> =
        HashMap::new();
    for g in &ctx.ws.groups {
        if !is_valid_id(&g.id) {
            out.push(
                Diagnostic::new(
                    Code::InvalidGroupId,
                    format!("group folder `{}` is not a valid group id", g.id),
                )
                .at(g.folder, 0..0, "this folder")
                .help("use lower-case letters, digits and `-`, e.g. `gdpr-assessments-2019`"),
            );
        }
        if !g.has_file {
            out.push(
                Diagnostic::new(
                    Code::MissingGroupFile,
                    format!("group folder `groups/{}` has no group.yaml", g.id),
                )
                .at(g.folder, 0..0, "this folder")
                .help(format!(
                    "create `groups/{}/group.yaml` with a `name:` line, or remove the folder",
                    g.id
                )),
            );
        }
        if let Some(doc) = &g.doc {
            let key = doc.value.name.trim().to_lowercase();
            let span = value_span(&doc.node, &["name"]);
            match names.get(&key) {
                Some((file, first)) => out.push(
                    Diagnostic::new(Code::DuplicateGroupName, format!("group name \"{}\" is already used by another group", doc.value.name.trim()))
                        .at(doc.file, span, "used again here")
                        .also(*file, first.clone(), "first used here")
                        .help("group names must be unique in the organization (compared ignoring case); rename one group"),
                ),
                None => {
                    names.insert(key, (doc.file, span));
                }
            }
        }
    }
}

/// Each assessment's file name, (service, certification) pair and template.
pub fn check_assessments(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut pairs: HashMap<(&str, &str, &str), &crate::repo::AssessmentDoc> = HashMap::new();
    for a in &ctx.ws.assessments {
        let v = &a.doc.value;
        let doc = &a.doc;
        let expected = format!("{}--{}", v.service, v.certification);
        if a.stem != expected {
            out.push(
                Diagnostic::new(
                    Code::FileNameMismatch,
                    format!(
                        "the file is named `{}.yaml` but holds the assessment {expected}",
                        a.stem
                    ),
                )
                .at(
                    doc.file,
                    value_span(&doc.node, &["service"]),
                    "service and certification name the file",
                )
                .help(format!(
                    "rename the file to `{expected}.yaml`, or correct `service` and `certification`"
                )),
            );
        }
        if let Some(first) = pairs.insert((&a.group, &v.service, &v.certification), a) {
            out.push(
                Diagnostic::new(Code::DuplicateAssessment, format!("group `{}` already has an assessment of {} and {}", a.group, v.service, v.certification))
                    .at(doc.file, value_span(&doc.node, &["service"]), "second assessment of this pair")
                    .also(first.doc.file, value_span(&first.doc.node, &["service"]), "first one")
                    .help("a group holds one assessment per (service, certification); remove one, or create it in another group"),
            );
        }
        if !ctx.catalog.services.contains_key(&v.service) {
            out.push(unknown_service(
                &v.service,
                doc.file,
                value_span(&doc.node, &["service"]),
                ctx.catalog,
            ));
        }
        if !ctx.catalog.certifications.contains_key(&v.certification) {
            out.push(unknown_certification(
                &v.certification,
                doc.file,
                value_span(&doc.node, &["certification"]),
                ctx.catalog,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids() {
        assert!(super::is_valid_id("gdpr-2019"));
        assert!(!super::is_valid_id("GDPR"));
        assert!(!super::is_valid_id("a--b"));
        assert!(!super::is_valid_id("-a"));
    }
}
