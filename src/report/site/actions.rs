//! The action items page of the organization's site: each group's rows rendered to HTML
//! as the group is read (`action_rows`) — kept in memory, or with a spool folder written
//! to a scratch file per group and only their place kept — then the page's frame
//! rendered and the rows copied into its panels in `actions::action_items`' order
//! (`render_actions`, [`ActionPage::write_to`]), so no value holds every item of a
//! large repository at once, nor does the page.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

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
/// Its strings are shared with the group's other items (a group has few people,
/// certifications, controls and assessments, and many items).
pub(super) struct ActionEntry {
    /// `actions::action_items`' order: the person (lower-case), certification name,
    /// priority (high first), control, assessment.
    order: (
        Arc<str>,
        Arc<str>,
        std::cmp::Reverse<Option<crate::model::Priority>>,
    ),
    control: Arc<str>,
    assessment: Arc<str>,
    /// The trimmed lower-case email and (certification name, id) it is listed under.
    email: Arc<str>,
    cert: (Arc<str>, Arc<str>),
    /// The item's table row, rendered (`action_row.html`) as its group's pages are.
    row: Row,
}

/// An action item's rendered row: its HTML, or where its group's scratch file holds it.
pub(super) enum Row {
    Held(Box<str>),
    Spooled { file: Arc<File>, at: u64, len: u32 },
}

/// One copy of each string of a group's action items.
#[derive(Default)]
struct Strings(HashMap<String, Arc<str>>);

impl Strings {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(s.to_owned(), a.clone());
        a
    }
}

/// Where a group's rows go as they are rendered: kept, or appended to a scratch file
/// (unnamed, in `spool`: it is gone when its last row is dropped, done or not).
struct Rows {
    spool: Option<(Arc<File>, BufWriter<File>, u64)>,
}

impl Rows {
    fn new(spool: Option<&Path>) -> Result<Rows, ReportError> {
        let spool = match spool {
            None => None,
            Some(dir) => {
                let fail =
                    |e| ReportError::Write(format!("a scratch file in {}", dir.display()), e);
                let file = tempfile::tempfile_in(dir).map_err(fail)?;
                let writer = file.try_clone().map_err(fail)?;
                Some((Arc::new(file), BufWriter::with_capacity(1 << 16, writer), 0))
            }
        };
        Ok(Rows { spool })
    }

    fn add(&mut self, html: String) -> Result<Row, ReportError> {
        let Some((file, writer, at)) = &mut self.spool else {
            return Ok(Row::Held(html.into_boxed_str()));
        };
        writer
            .write_all(html.as_bytes())
            .map_err(|e| ReportError::Write("a scratch file of action rows".into(), e))?;
        let row = Row::Spooled {
            file: file.clone(),
            at: *at,
            len: u32::try_from(html.len()).unwrap_or(u32::MAX),
        };
        *at += html.len() as u64;
        Ok(row)
    }

    /// Every row written out (before the first is read back).
    fn finish(self) -> Result<(), ReportError> {
        if let Some((_, mut writer, _)) = self.spool {
            writer
                .flush()
                .map_err(|e| ReportError::Write("a scratch file of action rows".into(), e))?;
        }
        Ok(())
    }
}

/// The action items of `shared`'s assessments as the action page lists them; their rows
/// written to a scratch file in `spool`, if given.
pub(super) fn action_rows(
    env: &Environment<'static>,
    shared: &Shared,
    spool: Option<&Path>,
) -> Result<Vec<ActionEntry>, ReportError> {
    let template = env
        .get_template("action_row.html")
        .map_err(|e| ReportError::Template(format!("action_row.html: {e:#}")))?;
    let items = actions::action_items(shared.project, None, None);
    let renewals = actions::renewals(shared.project, &items, shared.ctx.today);
    let mut strings = Strings::default();
    let mut out = Rows::new(spool)?;
    let mut rows = Vec::with_capacity(items.len());
    for (item, renew) in items.into_iter().zip(renewals) {
        let group = item.assessment.split('/').next().unwrap_or_default();
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
            group: shared.group_name(group),
            assessment: item.assessment_name.clone(),
            control: item.control.clone(),
            title: item.title.clone(),
            priority: item.priority.map(|p| p.as_str()),
            notes: item.notes.filter(|n| !n.trim().is_empty()),
            status: status_label(item.status),
            result: result_label(item.test_result),
            renew: renew_labels(&renew),
        };
        let html = template
            .render(context! { i => row })
            .map_err(|e| ReportError::Template(format!("actions.html: {e:#}")))?;
        rows.push(ActionEntry {
            order: (
                strings.get(&item.person.to_lowercase()),
                strings.get(&item.certification_name),
                std::cmp::Reverse(item.priority),
            ),
            control: strings.get(&item.control),
            assessment: strings.get(&item.assessment),
            email: strings.get(&item.person.trim().to_lowercase()),
            cert: (
                strings.get(&item.certification_name),
                strings.get(&item.certification),
            ),
            row: out.add(html + "\n")?,
        });
    }
    out.finish()?;
    Ok(rows)
}

/// The action page, its rows not yet in place: [`ActionPage::write_to`] writes it.
pub struct ActionPage {
    frame: String,
    /// The rows of each panel, in the page's order.
    panels: Vec<Vec<Row>>,
}

pub(super) fn render_actions(
    env: &Environment<'static>,
    index: &Index,
    mut rows: Vec<ActionEntry>,
) -> Result<ActionPage, ReportError> {
    // Each group's items are in order; together, as `actions::action_items` orders them.
    rows.sort_by(|x, y| {
        x.order
            .cmp(&y.order)
            .then_with(|| crate::catalog::id_cmp(&x.control, &y.control))
            .then_with(|| x.assessment.cmp(&y.assessment))
    });
    type Certs = BTreeMap<(Arc<str>, Arc<str>), Vec<Row>>;
    let mut people: BTreeMap<Arc<str>, Certs> = BTreeMap::new();
    for e in rows {
        people
            .entry(e.email)
            .or_default()
            .entry(e.cert)
            .or_default()
            .push(e.row);
    }
    let mut panels: Vec<Vec<Row>> = Vec::new();
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
                            id: id.to_string(),
                            name: name.to_string(),
                            count,
                        }
                    })
                    .collect(),
                name: person.name,
                id: email.to_string(),
                email: email.to_string(),
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
    Ok(ActionPage { frame, panels })
}

impl ActionPage {
    /// Writes the page: the frame with each panel's rows in place of its `<!--rows-->`,
    /// in order (escaped values cannot spell `<!--`, so every one is the template's).
    /// Rows are copied (from their scratch file, if spooled) one at a time.
    pub fn write_to(self, out: &mut dyn Write) -> std::io::Result<()> {
        const ROWS: &str = "<!--rows-->";
        let mut parts = self.frame.split(ROWS);
        out.write_all(parts.next().unwrap_or_default().as_bytes())?;
        let mut panels = self.panels.into_iter();
        let mut buf = Vec::new();
        for part in parts {
            for row in panels.next().unwrap_or_default() {
                match row {
                    Row::Held(html) => out.write_all(html.as_bytes())?,
                    Row::Spooled { file, at, len } => {
                        let mut file = &*file;
                        file.seek(SeekFrom::Start(at))?;
                        buf.resize(len as usize, 0);
                        file.read_exact(&mut buf)?;
                        out.write_all(&buf)?;
                    }
                }
            }
            out.write_all(part.as_bytes())?;
        }
        Ok(())
    }
}
