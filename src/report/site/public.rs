//! The guest's site: the catalog's certifications and the provider-managed controls of
//! each template, built from the catalog alone (nothing of the organization's).

use minijinja::context;

use super::data::*;
use super::filters::*;
use super::{ReportContext, ReportError, Site};
use crate::model::TestResult;
use crate::ops::Project;

pub(super) fn render_public(
    site: &mut Site,
    project: &Project,
    ctx: &ReportContext,
) -> Result<(), ReportError> {
    let catalog = &project.catalog;
    site.total = 1 + catalog.certifications.len() + catalog.templates.len();
    let certifications: Vec<CertificationSummary> = catalog
        .certifications
        .values()
        .map(|c| CertificationSummary {
            id: c.cert.id.clone(),
            name: c.cert.name.clone(),
            version: c.cert.version.clone(),
            href: format!("certifications/{}", encode(&certification_file(&c.cert.id))),
            families: c.cert.families.len(),
            controls: c.controls().count(),
            score: c.controls().map(|(_, c)| c.score).sum(),
        })
        .collect();
    let templates: Vec<TemplateSummary> = catalog
        .templates
        .iter()
        .map(|((service, cert), t)| {
            let provider = &t.template.provider_controls;
            let total = catalog
                .certifications
                .get(cert)
                .map_or(0, |c| c.controls().count());
            TemplateSummary {
                service: catalog.service_name(service).to_owned(),
                certification: catalog.certification_name(cert).to_owned(),
                name: catalog.assessment_name(service, cert),
                href: format!("templates/{}", encode(&template_file(service, cert))),
                provider: provider.len(),
                passed: provider
                    .values()
                    .filter(|p| p.test_result == TestResult::Passed)
                    .count(),
                customer: total.saturating_sub(provider.len()),
            }
        })
        .collect();
    site.page(
        "index.html".into(),
        "public_index.html",
        context! {
            page => page_info(ctx, "", true, "dashboard"),
            certifications => certifications,
            templates => templates,
        },
    )?;
    for c in catalog.certifications.values() {
        let families: Vec<CatalogFamilyView> = c
            .cert
            .families
            .iter()
            .map(|f| CatalogFamilyView {
                name: f.name.clone(),
                score: f.controls.iter().map(|c| c.score).sum(),
                controls: f
                    .controls
                    .iter()
                    .map(|c| CatalogControlView {
                        id: c.id.clone(),
                        title: c.title.clone(),
                        articles: c.articles.clone(),
                        score: c.score,
                        description: c.description.clone(),
                    })
                    .collect(),
            })
            .collect();
        site.page(
            format!("certifications/{}", certification_file(&c.cert.id)),
            "public_certification.html",
            context! {
                page => page_info(ctx, "../", true, "certification"),
                name => c.cert.name,
                title => c.cert.title,
                version => c.cert.version,
                description => c.cert.description,
                source => c.cert.source.as_deref().and_then(safe_href),
                families => families,
            },
        )?;
    }
    for ((service, cert), t) in &catalog.templates {
        let mut families: Vec<ProviderFamily> = Vec::new();
        let mut customer = 0usize;
        if let Some(info) = catalog.certifications.get(cert) {
            for (family, c) in info.controls() {
                let Some(p) = t.template.provider_controls.get(&c.id) else {
                    customer += 1;
                    continue;
                };
                let row = ProviderControl {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    articles: c.articles.clone(),
                    score: c.score,
                    status: status_label(Some(p.status)),
                    result: result_label(Some(p.test_result)),
                    test_date: date(p.test_date),
                    tested_by: p.tested_by.clone(),
                    description: p.description.clone(),
                };
                match families.last_mut() {
                    Some(f) if f.name == family.name => f.controls.push(row),
                    _ => families.push(ProviderFamily {
                        name: family.name.clone(),
                        controls: vec![row],
                    }),
                }
            }
        }
        site.page(
            format!("templates/{}", template_file(service, cert)),
            "public_template.html",
            context! {
                page => page_info(ctx, "../", true, "template"),
                name => catalog.assessment_name(service, cert),
                service => catalog.service_name(service),
                certification => catalog.certification_name(cert),
                certification_href => format!("../certifications/{}", encode(&certification_file(cert))),
                in_scope => t.template.in_scope_services,
                families => families,
                customer => customer,
            },
        )?;
    }
    Ok(())
}
