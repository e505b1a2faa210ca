//! `assure control show`: one control of one assessment, as data for the CLI to render.

use serde::Serialize;

use super::{NotFound, Project};
use crate::model::{ControlRecord, ProviderControl};
use crate::rules::sync::Item;

/// Everything `assure control show` shows about one control of one assessment.
#[derive(Debug, Serialize)]
pub struct Shown<'a> {
    pub assessment: String,
    pub assessment_name: String,
    pub control: &'a str,
    pub title: &'a str,
    pub family: &'a str,
    /// What the certification calls a family ("Family", "Clause").
    pub family_term: &'a str,
    pub articles: &'a [String],
    /// What the certification calls the references in `articles` ("Article").
    pub reference_term: Option<&'a str>,
    pub score: u32,
    /// The catalog control's attributes (name to values), e.g. ISO/IEC 27002's.
    pub attributes: &'a std::collections::BTreeMap<String, Vec<String>>,
    pub recommended_actions: Option<&'a str>,
    /// The catalog's examples of how the control may be met.
    pub examples: &'a [String],
    pub managed_by: &'static str,
    pub provider: Option<&'a ProviderControl>,
    pub record: Option<&'a ControlRecord>,
    /// Controls kept equal to this one: `assessment control`.
    pub in_sync_with: Vec<String>,
    /// `certification:control`, related by the catalog's mappings.
    pub related: Vec<&'a str>,
    pub see_also: Vec<(String, crate::model::Coverage)>,
    /// The freshness of each of the record's documents on the day asked for, in the
    /// record's order.
    pub evidence: Vec<super::freshness::State>,
}

/// The control `control` of the assessment `key` (`group/service--certification`), with
/// the controls kept in sync with it and the related ones; its documents' freshness is
/// judged on `today` (the caller's date).
pub fn show<'p>(
    project: &'p Project,
    key: &str,
    control: &'p str,
    today: chrono::NaiveDate,
) -> Result<Shown<'p>, NotFound> {
    let a = project.assessment(key)?;
    let v = &a.doc.value;
    let cat = &project.catalog;
    let cert = cat.certifications.get(&v.certification).ok_or_else(|| {
        NotFound(format!(
            "unknown certification `{}`; run `assure validate`",
            v.certification
        ))
    })?;
    let (family, c) = cert
        .control(control.trim())
        .ok_or_else(|| NotFound(cert.not_a_control(control)))?;
    let provider = cat
        .template(&v.service, &v.certification)
        .and_then(|t| t.template.provider_controls.get(&c.id));
    let keys: Vec<String> = project.ws.assessments.iter().map(|x| x.key()).collect();
    let items: Vec<Item> = project
        .ws
        .assessments
        .iter()
        .zip(&keys)
        .map(|(x, k)| Item {
            group: &x.group,
            key: k,
            value: &x.doc.value,
        })
        .collect();
    let me = project
        .ws
        .assessments
        .iter()
        .position(|x| std::ptr::eq(x, a))
        .unwrap_or(0);
    let in_sync_with: Vec<String> = crate::rules::sync::classes(&items, cat)
        .into_iter()
        .find(|cl| cl.members.iter().any(|m| m.item == me && m.control == c.id))
        .map(|cl| {
            cl.members
                .iter()
                .filter(|m| !(m.item == me && m.control == c.id))
                .map(|m| m.describe(&items))
                .collect()
        })
        .unwrap_or_default();
    let shown = Shown {
        assessment: a.key(),
        assessment_name: cat.assessment_name(&v.service, &v.certification),
        control: &c.id,
        title: &c.title,
        family: &family.name,
        family_term: cert.cert.family_term(),
        articles: &c.articles,
        reference_term: cert.cert.reference_term(),
        score: c.score,
        attributes: &c.attributes,
        recommended_actions: c.description.as_deref(),
        examples: &c.examples,
        managed_by: if provider.is_some() {
            "provider"
        } else {
            "customer"
        },
        provider,
        record: v.controls.get(&c.id),
        in_sync_with,
        related: cat.related(&v.certification, &c.id),
        see_also: cat.informative(&v.certification, &c.id).to_vec(),
        evidence: evidence(project, v.controls.get(&c.id), today),
    };
    Ok(shown)
}

/// The freshness of each of `record`'s documents on `today`, in its order.
fn evidence(
    project: &Project,
    record: Option<&ControlRecord>,
    today: chrono::NaiveDate,
) -> Vec<super::freshness::State> {
    let warn_days = super::freshness::warn_days(project);
    record.map_or_else(Vec::new, |r| {
        r.documents
            .iter()
            .map(|d| super::freshness::State::of(d, today, warn_days))
            .collect()
    })
}
