//! The action items page of the organization's site: each group's rows rendered to HTML
//! as the group is read (`action_rows`), then spliced into the page's panels in
//! `actions::action_items`' order (`render_actions`), so no template value holds every
//! item of a large repository at once.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::{Environment, context};

use super::data::*;
use super::filters::*;
use super::pages::{Index, Shared, person};
use super::{ReportError, render_page};
use crate::ops::actions;

/// "renew PATH (expired on DATE)" for each expired document of an action item.
fn renew_labels(renew: &[actions::Renewal]) -> Vec<String> {
    renew
        .iter()
        .map(|r| format!("renew {} (expired on {})", r.path, date(r.valid_until)))
        .collect()
}

/// An action item as the action page lists it, with what it is sorted and grouped by.
pub(super) struct ActionEntry {
    /// `actions::action_items`' order: the person (lower-case), certification name,
    /// priority (high first), control, assessment.
    order: (
        String,
        String,
        std::cmp::Reverse<Option<crate::model::Priority>>,
    ),
    control: String,
    assessment: String,
    /// The trimmed lower-case email and (certification name, id) it is listed under.
    email: String,
    cert: (String, String),
    /// The item's table row, rendered (`action_row.html`) as its group's pages are, so
    /// that the action page keeps its rows' HTML, not their data.
    html: String,
}

/// The action items of `shared`'s assessments as the action page lists them.
pub(super) fn action_rows(
    env: &Environment<'static>,
    shared: &Shared,
) -> Result<Vec<ActionEntry>, ReportError> {
    let template = env
        .get_template("action_row.html")
        .map_err(|e| ReportError::Template(format!("action_row.html: {e:#}")))?;
    let items = actions::action_items(shared.project, None, None);
    let renewals = actions::renewals(shared.project, &items, shared.ctx.today);
    let mut rows = Vec::with_capacity(items.len());
    for (item, renew) in items.into_iter().zip(renewals) {
        let group = item
            .assessment
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let row = ActionRow {
            href: format!(
                "assessments/{}#{}",
                encode(
                    &shared
                        .doc(&item.assessment)
                        .map(assessment_file)
                        .unwrap_or_default()
                ),
                encode(&control_anchor(&item.control))
            ),
            group: shared.group_name(&group),
            assessment: item.assessment_name.clone(),
            control: item.control.clone(),
            title: item.title.clone(),
            priority: item.priority.map(|p| p.as_str()),
            notes: item.notes.filter(|n| !n.trim().is_empty()),
            status: status_label(item.status),
            result: result_label(item.test_result),
            renew: renew_labels(&renew),
        };
        rows.push(ActionEntry {
            order: (
                item.person.to_lowercase(),
                item.certification_name.clone(),
                std::cmp::Reverse(item.priority),
            ),
            control: row.control.clone(),
            assessment: item.assessment,
            email: item.person.trim().to_lowercase(),
            cert: (item.certification_name, item.certification),
            html: template
                .render(context! { i => row })
                .map(|html| {
                    // Kept until the last group is done: no spare capacity.
                    let mut row = html + "\n";
                    row.shrink_to_fit();
                    row
                })
                .map_err(|e| ReportError::Template(format!("actions.html: {e:#}")))?,
        });
    }
    Ok(rows)
}

pub(super) fn render_actions(
    env: &Environment<'static>,
    index: &Index,
    mut rows: Vec<ActionEntry>,
) -> Result<String, ReportError> {
    // Each group's items are in order; together, as `actions::action_items` orders them.
    rows.sort_by(|x, y| {
        x.order
            .cmp(&y.order)
            .then_with(|| crate::catalog::id_cmp(&x.control, &y.control))
            .then_with(|| x.assessment.cmp(&y.assessment))
    });
    let mut people: BTreeMap<String, BTreeMap<(String, String), Vec<String>>> = BTreeMap::new();
    for e in rows {
        people
            .entry(e.email)
            .or_default()
            .entry(e.cert)
            .or_default()
            .push(e.html);
    }
    // The rows of each panel, in the page's order.
    let mut panels: Vec<Vec<String>> = Vec::new();
    let people: Vec<PersonActions> = people
        .into_iter()
        .enumerate()
        .map(|(i, (email, certs))| {
            let person = person(&index.names, &email);
            PersonActions {
                heading_id: format!("person-{}", i + 1),
                count: certs.values().map(Vec::len).sum(),
                certifications: certs
                    .into_iter()
                    .enumerate()
                    .map(|(j, ((name, id), items))| {
                        let count = items.len();
                        panels.push(items);
                        CertTab {
                            tab_id: format!("tab-{}-{}", i + 1, j + 1),
                            panel_id: format!("panel-{}-{}", i + 1, j + 1),
                            id,
                            name,
                            count,
                        }
                    })
                    .collect(),
                name: person.name,
                id: email.clone(),
                email,
            }
        })
        .collect();
    // Everyone the page may be asked about (`#person=`): the people of assure.yaml and
    // anyone with an item, so "no items" and "unknown" read differently.
    let mut known: BTreeSet<String> = index.names.keys().cloned().collect();
    known.extend(people.iter().map(|p| p.id.clone()));
    let frame = render_page(
        env,
        "actions.html",
        "actions.html",
        context! {
            page => page_info(index.ctx, "", false, "actions"),
            people => people,
            known => known,
        },
    )?;
    Ok(splice_rows(&frame, panels))
}

/// The action page: `frame` with each panel's rows in place of its `<!--rows-->`, in
/// order (escaped values cannot spell `<!--`, so every one is the template's). Each
/// row is dropped as it is copied, so the rows and the page are not held twice.
fn splice_rows(frame: &str, panels: Vec<Vec<String>>) -> String {
    const ROWS: &str = "<!--rows-->";
    let size = panels.iter().flatten().map(String::len).sum::<usize>() + frame.len();
    let mut page = String::with_capacity(size);
    let mut parts = frame.split(ROWS);
    page.push_str(parts.next().unwrap_or_default());
    let mut panels = panels.into_iter();
    for part in parts {
        for row in panels.next().unwrap_or_default() {
            page.push_str(&row);
        }
        page.push_str(part);
    }
    page
}
