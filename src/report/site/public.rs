//! The guest's site: the catalog's certifications and the provider-managed controls of
//! each template, built from the catalog alone (nothing of the organization's).

use minijinja::context;

use super::data::*;
use super::filters::*;
use super::pages::provider_control;
use super::{ReportContext, ReportError, Site};
use crate::catalog::{Catalog, CertInfo, TemplateInfo};
use crate::model::TestResult;
use crate::ops::Project;

pub(super) fn render_public(
    site: &mut Site,
    project: &Project,
    ctx: &ReportContext,
) -> Result<(), ReportError> {
    let catalog = &project.catalog;
    site.total = 1 + catalog.certifications.len() + catalog.templates.len();
    render_index(site, catalog, ctx)?;
    for c in catalog.certifications.values() {
        render_certification(site, c, ctx)?;
    }
    for ((service, cert), t) in &catalog.templates {
        render_template(site, catalog, service, cert, t, ctx)?;
    }
    Ok(())
}

/// The guest's index: the certifications and the templates.
fn render_index(
    site: &mut Site,
    catalog: &Catalog,
    ctx: &ReportContext,
) -> Result<(), ReportError> {
    let certifications: Vec<CertificationSummary> = catalog
        .certifications
        .values()
        .map(|c| CertificationSummary {
            id: c.cert.id.clone(),
            name: c.cert.name.clone(),
            version: c.cert.version.clone(),
            href: format!("certifications/{}", encode(&certification_file(&c.cert.id))),
            families: c.cert.families.len(),
            families_term: c.cert.families_term(),
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
    )
}

/// A certification's page: its families and controls, as the catalog has them.
fn render_certification(
    site: &mut Site,
    c: &CertInfo,
    ctx: &ReportContext,
) -> Result<(), ReportError> {
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
            family_term => c.cert.family_term(),
            reference_term => c.cert.reference_term(),
            source => c.cert.source.as_deref().and_then(safe_href),
            families => families,
        },
    )
}

/// A template's page: the provider-managed controls of a service for a certification.
fn render_template(
    site: &mut Site,
    catalog: &Catalog,
    service: &str,
    cert: &str,
    t: &TemplateInfo,
    ctx: &ReportContext,
) -> Result<(), ReportError> {
    let mut families: Vec<ProviderFamily> = Vec::new();
    let mut customer = 0usize;
    if let Some(info) = catalog.certifications.get(cert) {
        for (family, c) in info.controls() {
            let Some(p) = t.template.provider_controls.get(&c.id) else {
                customer += 1;
                continue;
            };
            let row = provider_control(c, p);
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
    )
}
