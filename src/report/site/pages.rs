//! The organization's site: the dashboard, one page per assessment (rendered in
//! parallel) and the action items, from the project, the context and the history passed
//! in.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use minijinja::{Environment, context};
use rayon::prelude::*;

use super::actions::{ActionEntry, action_rows, render_actions};
use super::chart::{Size, chart};
use super::data::*;
use super::filters::*;
use super::group_data::GroupData;
use super::history::{RECENT_HISTORY, change_view, history_entry, split_history};
use super::{FileSource, History, Page, ReportContext, ReportError, render_page};
use crate::model::{CatalogControl, ControlRecord, Status, TestResult};
use crate::ops::history::{FileHistory, Histories, ScorePoint};
use crate::ops::score::{self, ControlView, Managed};
use crate::ops::{Project, freshness, status};
use crate::repo::AssessmentDoc;
use crate::rules::sync as classes;
use crate::text::{Medium, empty};

/// Everything the pages of one repository share.
pub(super) struct Shared<'a> {
    pub(super) project: &'a Project,
    pub(super) ctx: &'a ReportContext,
    pub(super) histories: &'a Histories,
    /// Reads a file's history just before its page, when `histories` has none of it.
    pub(super) read: Option<&'a FileSource<'a>>,
    /// The scores of the files `read` gave, for the dashboard's tiles.
    pub(super) scores: std::sync::Mutex<HashMap<String, Vec<ScorePoint>>>,
    /// Why nothing has history, when nothing has.
    pub(super) no_history: Option<String>,
    /// Lower-case email → name.
    pub(super) names: HashMap<String, String>,
    /// Assessment key → its index in the workspace.
    pub(super) by_key: HashMap<String, usize>,
    /// (assessment index, control) → the other members of its sync class.
    pub(super) synced: HashMap<(usize, String), Vec<(usize, String)>>,
    /// Assessment key → (modified, created) as the dashboard shows them.
    pub(super) modified: HashMap<String, Option<DateTime<Utc>>>,
    /// `evidence.warn_days` of assure.yaml.
    pub(super) warn_days: u32,
}

impl Shared<'_> {
    pub(super) fn doc(&self, key: &str) -> Option<&AssessmentDoc> {
        self.by_key
            .get(key)
            .map(|&i| &self.project.ws.assessments[i])
    }

    fn person(&self, email: &str) -> Person {
        person(&self.names, email)
    }

    pub(super) fn group_name(&self, id: &str) -> String {
        self.project
            .ws
            .groups
            .iter()
            .find(|g| g.id == id)
            .and_then(|g| g.doc.as_ref())
            .map_or_else(|| id.to_owned(), |d| d.value.name.clone())
    }

    /// Where a shallow clone's history stops, as the pages say it.
    fn shallow(&self) -> Option<String> {
        shallow_label(self.histories)
    }

    /// The history of the assessment file `path`: from `histories`, else read (and its
    /// scores kept for the tiles).
    fn file_history(
        &self,
        path: &str,
    ) -> Result<Option<std::borrow::Cow<'_, FileHistory>>, ReportError> {
        use std::borrow::Cow;
        if let Some(h) = self.histories.files.get(path) {
            return Ok(Some(Cow::Borrowed(h)));
        }
        let Some(read) = self.read else {
            return Ok(None);
        };
        let history = read(path)?;
        if let Some(h) = &history {
            self.scores
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(path.to_owned(), h.scores.clone());
        }
        Ok(history.map(Cow::Owned))
    }

    /// The scores over time of the assessment file `path`, once its page is rendered.
    fn scores(&self, path: &str) -> Option<Vec<ScorePoint>> {
        match self.histories.files.get(path) {
            Some(h) => Some(h.scores.clone()),
            None => self
                .scores
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(path)
                .cloned(),
        }
    }

    fn no_chart_reason(&self, scores: Option<&[ScorePoint]>) -> String {
        match (&self.no_history, scores) {
            (Some(why), _) => why.clone(),
            (None, Some(s)) if !s.is_empty() => String::new(),
            (None, _) => "no history yet (not committed)".into(),
        }
    }
}

/// What the dashboard and the action items need of the assessments whose pages are
/// written: small (a tile, a few documents and the action rows per assessment), so a
/// large repository's pages are written group by group and only these are kept.
#[derive(Default)]
pub struct Summary {
    /// Group id → its active assessments' tiles, in workspace order.
    tiles: Vec<(String, Vec<TileView>)>,
    archived: Vec<TileView>,
    /// The first of "what expires next" (every urgent one, at least [`EXPIRING_NEXT`]).
    expiring: Vec<(freshness::Expiry, ExpiryView)>,
    /// The action items, in workspace order.
    actions: Vec<ActionEntry>,
}

/// Renders the page of every assessment of `project` (a whole repository or some of its
/// groups) and hands each to `write` (its path and bytes) as it is rendered; returns what
/// the dashboard and the action items need of them.
pub(super) fn render_pages<E: From<ReportError>>(
    env: &Environment<'static>,
    project: &Project,
    ctx: &ReportContext,
    (history, read): (&History, Option<&FileSource<'_>>),
    spool: Option<&std::path::Path>,
    write: &mut dyn FnMut(String, Vec<u8>) -> Result<(), E>,
) -> Result<Summary, E> {
    let dashboard = match &history.last_commits {
        Some(committed) => status::dashboard_with(project, true, ctx.today, committed),
        None => status::dashboard(project, true, ctx.today),
    };
    let mut shared = Shared::new(project, ctx, history, &dashboard);
    shared.read = read;
    render_assessments(env, &shared, write)?;
    let tiles = dashboard
        .groups
        .iter()
        .filter(|g| !g.tiles.is_empty())
        .map(|g| {
            (
                g.id.clone(),
                g.tiles.iter().map(|t| tile_view(&shared, t)).collect(),
            )
        })
        .collect();
    let archived = dashboard
        .archived
        .iter()
        .map(|t| tile_view(&shared, t))
        .collect();
    Ok(Summary {
        tiles,
        archived,
        expiring: expiring_next(&shared),
        actions: action_rows(env, &shared, spool)?,
    })
}

/// What the dashboard and the action items share: the repository's groups and people,
/// and what the history says of itself.
pub(super) struct Index<'a> {
    pub(super) ctx: &'a ReportContext,
    /// (id, name) of every group.
    pub(super) groups: Vec<(String, String)>,
    /// Lower-case email → name.
    pub(super) names: HashMap<String, String>,
    pub(super) no_history: Option<String>,
    pub(super) shallow: Option<String>,
}

impl<'a> Index<'a> {
    /// From the repository's `assure.yaml` and groups (`ws`), and `history`.
    pub(super) fn new(
        ws: &crate::repo::Workspace,
        ctx: &'a ReportContext,
        history: &History,
    ) -> Self {
        Index {
            ctx,
            groups: ws
                .groups
                .iter()
                .map(|g| {
                    let name = g
                        .doc
                        .as_ref()
                        .map_or_else(|| g.id.clone(), |d| d.value.name.clone());
                    (g.id.clone(), name)
                })
                .collect(),
            names: people_names(ws),
            no_history: history.missing.clone(),
            shallow: shallow_label(&history.histories),
        }
    }
}

/// The dashboard and the action items, from the summaries of every assessment's page
/// (in workspace order): (path, page) each.
pub(super) fn render_index(
    env: &Environment<'static>,
    index: &Index,
    summaries: Vec<Summary>,
) -> Result<Vec<(String, Page)>, ReportError> {
    let mut tiles: HashMap<String, Vec<TileView>> = HashMap::new();
    let mut archived = Vec::new();
    let mut expiring = Vec::new();
    let mut actions = Vec::new();
    for s in summaries {
        for (group, t) in s.tiles {
            tiles.entry(group).or_default().extend(t);
        }
        archived.extend(s.archived);
        expiring.extend(s.expiring);
        actions.extend(s.actions);
    }
    let mut groups: Vec<GroupView> = index
        .groups
        .iter()
        .map(|(id, name)| GroupView {
            id: id.clone(),
            name: name.clone(),
            tiles: tiles.remove(id).unwrap_or_default(),
        })
        .collect();
    // As `status::dashboard` orders them.
    groups.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    let dashboard = render_dashboard(env, index, groups, archived, first_expiring(expiring))?;
    let actions = render_actions(env, index, actions)?;
    Ok(vec![
        ("index.html".into(), Page::Html(dashboard)),
        ("actions.html".into(), Page::Actions(actions)),
    ])
}

/// Lower-case email → name, of the people of `assure.yaml`.
fn people_names(ws: &crate::repo::Workspace) -> HashMap<String, String> {
    ws.config
        .as_ref()
        .map(|c| {
            c.value
                .people
                .iter()
                .map(|p| (p.email.trim().to_lowercase(), p.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Where a shallow clone's history stops, as the pages say it.
fn shallow_label(histories: &Histories) -> Option<String> {
    histories
        .shallow_boundary
        .as_ref()
        .map(|b| format!("{} ({})", b.short, time(b.time)))
}

/// A person as the pages link them: their name from `names`, else the email.
pub(super) fn person(names: &HashMap<String, String>, email: &str) -> Person {
    let key = email.trim().to_lowercase();
    Person {
        name: names.get(&key).cloned().unwrap_or_else(|| email.to_owned()),
        href: format!("actions.html#{}", encode(&key)),
        email: email.to_owned(),
    }
}

impl<'a> Shared<'a> {
    /// What the pages share: people's names, assessments by key, sync classes, and the
    /// modification times the dashboard shows.
    fn new(
        project: &'a Project,
        ctx: &'a ReportContext,
        history: &'a History,
        dashboard: &status::Dashboard,
    ) -> Self {
        let ws = &project.ws;
        let names = people_names(ws);
        let by_key = ws
            .assessments
            .iter()
            .enumerate()
            .map(|(i, a)| (a.key(), i))
            .collect();
        let modified = dashboard
            .groups
            .iter()
            .flat_map(|g| &g.tiles)
            .chain(&dashboard.archived)
            .map(|t| (t.assessment.clone(), t.modified))
            .collect();
        Shared {
            project,
            ctx,
            histories: &history.histories,
            read: None,
            scores: Default::default(),
            no_history: history.missing.clone(),
            names,
            by_key,
            synced: synced_controls(project),
            modified,
            warn_days: freshness::warn_days(project),
        }
    }
}

/// (assessment index, control) → the other members of its sync class.
fn synced_controls(project: &Project) -> HashMap<(usize, String), Vec<(usize, String)>> {
    let ws = &project.ws;
    let keys: Vec<String> = ws.assessments.iter().map(AssessmentDoc::key).collect();
    let items = classes::items(&ws.assessments, &keys);
    let mut synced: HashMap<(usize, String), Vec<(usize, String)>> = HashMap::new();
    for class in classes::classes(&items, &project.catalog) {
        for m in &class.members {
            let others = class
                .members
                .iter()
                .filter(|o| *o != m)
                .map(|o| (o.item, o.control.to_owned()))
                .collect();
            synced.insert((m.item, m.control.to_owned()), others);
        }
    }
    synced
}

/// The assessment pages, the bulk of the work, group by group: each group's pages
/// rendered in parallel, a few at a time, each handed to `write` on this thread as it is
/// done, then the group's data (`group_data`), which its pages draw their controls from.
fn render_assessments<E: From<ReportError>>(
    env: &Environment<'static>,
    shared: &Shared,
    write: &mut dyn FnMut(String, Vec<u8>) -> Result<(), E>,
) -> Result<(), E> {
    let ws = &shared.project.ws;
    let mut groups: Vec<(&str, Vec<(usize, &AssessmentDoc)>)> = Vec::new();
    for (i, a) in ws.assessments.iter().enumerate() {
        match groups.iter_mut().find(|(g, _)| *g == a.group) {
            Some((_, list)) => list.push((i, a)),
            None => groups.push((&a.group, vec![(i, a)])),
        }
    }
    let catalog = &shared.project.catalog;
    for (group, all) in groups {
        let mut data = GroupData::new(all.iter().map(|(i, a)| {
            let v = &a.doc.value;
            let name = catalog.assessment_name(&v.service, &v.certification);
            (*i, assessment_file(a), name)
        }));
        for batch in all.chunks(2 * rayon::current_num_threads().max(1)) {
            let pages: Vec<Result<(String, String, Controls), ReportError>> = batch
                .par_iter()
                .map(|(i, a)| render_assessment(env, shared, *i, a))
                .collect();
            for (page, (i, _)) in pages.into_iter().zip(batch) {
                let (path, html, controls) = page?;
                write(path, html.into_bytes())?;
                data.add(*i, controls.customer, controls.provider);
            }
        }
        let path = super::group_data::data_file(group);
        let script = data
            .script()
            .map_err(|e| ReportError::Template(format!("{path}: {e}")))?;
        write(path, script)?;
    }
    Ok(())
}

pub(super) fn tile_view(shared: &Shared, t: &status::Tile) -> TileView {
    let doc = shared.doc(&t.assessment);
    let scores = doc.and_then(|a| shared.scores(&assessment_path(a)));
    let group = t.assessment.split('/').next().unwrap_or_default();
    TileView {
        key: t.assessment.clone(),
        name: t.name.clone(),
        group: shared.group_name(group),
        href: format!(
            "assessments/{}",
            encode(&doc.map(assessment_file).unwrap_or_default())
        ),
        created: time(t.created),
        modified: t
            .modified
            .map_or_else(|| empty(Medium::Html).to_owned(), time),
        archived: t.archived.map(time),
        score: t.progress.score,
        max: t.progress.max,
        assessed: t.progress.assessed,
        total: t.progress.total,
        percent: percent(t.progress.assessed, t.progress.total),
        chart: scores.as_ref().and_then(|s| chart(s, Size::Tile)),
        no_chart: shared.no_chart_reason(scores.as_deref()),
        expired: t.evidence.expired,
        expiring: t.evidence.expiring,
    }
}

/// How many documents the dashboard's "what expires next" list shows at least: every
/// expired and expiring one, and valid ones after them up to this many.
const EXPIRING_NEXT: usize = 10;

/// The dashboard's "what expires next": documents by `valid_until`, the expired ones first.
fn expiring_next(shared: &Shared) -> Vec<(freshness::Expiry, ExpiryView)> {
    let list = freshness::by_date(shared.project, shared.ctx.today, shared.warn_days);
    let urgent = list
        .iter()
        .take_while(|e| e.state != freshness::State::Valid)
        .count();
    list.into_iter()
        .take(urgent.max(EXPIRING_NEXT))
        .map(|e| {
            let href = shared.doc(&e.assessment).map_or_else(String::new, |a| {
                format!(
                    "assessments/{}#{}",
                    encode(&assessment_file(a)),
                    control_anchor(&e.control)
                )
            });
            let view = ExpiryView {
                assessment: e.assessment_name.clone(),
                href,
                control: e.control.clone(),
                path: e.path.clone(),
                valid_until: date(e.valid_until),
                fresh: fresh_view(e.state),
            };
            (e, view)
        })
        .collect()
}

/// The dashboard's "what expires next" from the first of each group's list: in
/// `freshness::by_date`'s order, every urgent one and at least [`EXPIRING_NEXT`].
fn first_expiring(mut list: Vec<(freshness::Expiry, ExpiryView)>) -> Vec<ExpiryView> {
    list.sort_by(|(x, _), (y, _)| {
        (x.valid_until, &x.assessment)
            .cmp(&(y.valid_until, &y.assessment))
            .then_with(|| crate::catalog::id_cmp(&x.control, &y.control))
            .then_with(|| x.path.cmp(&y.path))
    });
    let urgent = list
        .iter()
        .take_while(|(e, _)| e.state != freshness::State::Valid)
        .count();
    list.into_iter()
        .take(urgent.max(EXPIRING_NEXT))
        .map(|(_, v)| v)
        .collect()
}

/// The mark of a state: the word for the CSS class and the words that say it.
fn fresh_view(state: freshness::State) -> Freshness {
    Freshness {
        word: state.word(),
        label: state.label(),
    }
}

/// The mark of an expired or expiring state; none for a valid one.
fn fresh_mark(state: freshness::State) -> Option<Freshness> {
    (state != freshness::State::Valid).then(|| fresh_view(state))
}

fn render_dashboard(
    env: &Environment<'static>,
    index: &Index,
    groups: Vec<GroupView>,
    archived: Vec<TileView>,
    expiring: Vec<ExpiryView>,
) -> Result<String, ReportError> {
    render_page(
        env,
        "index.html",
        "dashboard.html",
        context! {
            page => page_info(index.ctx, "", false, "dashboard"),
            groups => groups,
            archived => archived,
            no_history => index.no_history,
            shallow => index.shallow,
            today => date(index.ctx.today),
            expiring => expiring,
        },
    )
}

/// An assessment's page (path, HTML) and its controls, which the page draws from its
/// group's data (`group_data`).
pub(super) fn render_assessment(
    env: &Environment<'static>,
    shared: &Shared,
    index: usize,
    a: &AssessmentDoc,
) -> Result<(String, String, Controls), ReportError> {
    let project = shared.project;
    let catalog = &project.catalog;
    let v = &a.doc.value;
    let key = a.key();
    let path = assessment_path(a);
    let history = shared.file_history(&path)?;
    let history = history.as_deref();
    let (mut by_control, events) = assessment_history(shared, a, history);
    let views: Vec<ControlView> = score::controls(v, catalog).unwrap_or_default();
    let totals = score::score(v, catalog);
    let cert = catalog.certifications.get(&v.certification);
    let template = catalog.template(&v.service, &v.certification);

    let Families {
        people,
        customer,
        provider,
    } = families(shared, index, &v.certification, &views, &mut by_control);
    let total = totals.as_ref().map(|s| s.total.clone()).unwrap_or_default();
    let provider_total = provider.iter().map(|f| f.controls.len()).sum();
    let terms = terms(cert, &customer);
    let controls = Controls { customer, provider };
    let view = AssessmentView {
        name: catalog.assessment_name(&v.service, &v.certification),
        group: shared.group_name(&a.group),
        service: catalog.service_name(&v.service).to_owned(),
        certification: catalog.certification_name(&v.certification).to_owned(),
        certification_version: cert.map(|c| c.cert.version.clone()).unwrap_or_default(),
        terms,
        created: time(v.created),
        created_by: shared.person(&v.created_by).name,
        modified: shared
            .modified
            .get(&key)
            .copied()
            .flatten()
            .map_or_else(|| empty(Medium::Html).to_owned(), time),
        archived: v.archived.map(time),
        in_scope: template
            .map(|t| t.template.in_scope_services.clone())
            .unwrap_or_default(),
        score: total.score,
        max: total.max,
        assessed: total.assessed,
        total: total.total,
        provider_total,
        percent: percent(total.assessed, total.total),
        people: people
            .into_iter()
            .map(|(email, label)| PersonOption { email, label })
            .collect(),
        customer: controls.customer.iter().map(FamilyHead::customer).collect(),
        provider: controls.provider.iter().map(FamilyHead::provider).collect(),
        data: format!(
            "../{}",
            encode_path(&super::group_data::data_file(&a.group))
        ),
        // Its place among its group's pages in the data.
        index: project.ws.assessments[..index]
            .iter()
            .filter(|other| other.group == a.group)
            .count(),
        chart: history.and_then(|h| chart(&h.scores, Size::Page)),
        no_history: Some(shared.no_chart_reason(history.map(|h| &h.scores[..])))
            .filter(|s| !s.is_empty()),
        events,
        shallow: shared.shallow(),
        key,
    };
    let path = format!("assessments/{}", assessment_file(a));
    let html = assessment_html(env, shared, &path, view)?;
    Ok((path, html, controls))
}

/// The page of `view` at `path`: its first screen, the controls left to its data.
fn assessment_html(
    env: &Environment<'static>,
    shared: &Shared,
    path: &str,
    view: AssessmentView,
) -> Result<String, ReportError> {
    render_page(
        env,
        path,
        "assessment.html",
        context! {
            page => page_info(shared.ctx, "../", false, "assessment"),
            a => view,
            // Every value a control can show, "Not started" and "Not tested" too.
            statuses => Status::ALL.iter().map(|s| Some(*s)).chain([None]).map(status_label).collect::<Vec<_>>(),
            results => TestResult::ALL.iter().map(|r| Some(*r)).chain([None]).map(result_label).collect::<Vec<_>>(),
        },
    )
}

impl FamilyHead {
    fn customer(f: &CustomerFamily) -> FamilyHead {
        FamilyHead {
            name: f.name.clone(),
            assessed: f.assessed,
            total: f.total,
        }
    }

    fn provider(f: &ProviderFamily) -> FamilyHead {
        FamilyHead {
            name: f.name.clone(),
            assessed: 0,
            total: f.controls.len(),
        }
    }
}

/// An assessment's controls by family, for its group's data.
pub(super) struct Controls {
    pub(super) customer: Vec<CustomerFamily>,
    pub(super) provider: Vec<ProviderFamily>,
}

/// A relative path with each of its segments percent-encoded.
fn encode_path(path: &str) -> String {
    path.split('/').map(encode).collect::<Vec<_>>().join("/")
}

/// The certification's words for an assessment page, with a reference and a control id
/// of its customer-managed controls as the filters' examples.
fn terms(cert: Option<&crate::catalog::CertInfo>, customer: &[CustomerFamily]) -> Terms {
    let controls = || customer.iter().flat_map(|f| &f.controls);
    Terms {
        family: cert.map_or("Family", |c| c.cert.family_term()).to_owned(),
        reference: cert
            .and_then(|c| c.cert.reference_term())
            .map(str::to_owned),
        reference_example: controls().find_map(|c| c.articles.first().cloned()),
        control_example: controls().map(|c| c.id.clone()).next(),
    }
}

/// An assessment page's controls, family by family, and the people they are assigned to.
struct Families {
    /// Lower-case email → "name (email)".
    people: BTreeMap<String, String>,
    customer: Vec<CustomerFamily>,
    provider: Vec<ProviderFamily>,
}

/// The controls of assessment `index` (of certification `cert`) in `views`' order, by
/// family, each customer-managed one with its history taken from `by_control`.
fn families(
    shared: &Shared,
    index: usize,
    cert: &str,
    views: &[ControlView],
    by_control: &mut HashMap<String, Vec<HistoryEntry>>,
) -> Families {
    let mut people: BTreeMap<String, String> = BTreeMap::new();
    let mut customer: Vec<CustomerFamily> = Vec::new();
    let mut provider: Vec<ProviderFamily> = Vec::new();
    for view in views {
        let c = view.control;
        match view.managed {
            Managed::Provider(p) => {
                let row = provider_control(c, p);
                match provider.last_mut() {
                    Some(f) if f.name == view.family => f.controls.push(row),
                    _ => provider.push(ProviderFamily {
                        name: view.family.to_owned(),
                        controls: vec![row],
                    }),
                }
            }
            Managed::Customer(record) => {
                let assigned = record.and_then(|r| r.assigned_to.as_deref());
                if let Some(email) = assigned {
                    let p = shared.person(email);
                    people
                        .entry(email.trim().to_lowercase())
                        .or_insert_with(|| format!("{} ({})", p.name, email.trim().to_lowercase()));
                }
                let entries = by_control.remove(&c.id).unwrap_or_default();
                let row = customer_control(shared, index, cert, c, record, entries);
                // Progress as `ops::score` counts it: controls out of scope count nowhere.
                let counted = crate::ops::score::counts_in_progress(view.managed);
                let (total, assessed) = (
                    usize::from(counted.is_some()),
                    usize::from(counted == Some(true)),
                );
                match customer.last_mut() {
                    Some(f) if f.name == view.family => {
                        f.total += total;
                        f.assessed += assessed;
                        f.controls.push(row);
                    }
                    _ => customer.push(CustomerFamily {
                        name: view.family.to_owned(),
                        assessed,
                        total,
                        controls: vec![row],
                    }),
                }
            }
        }
    }
    Families {
        people,
        customer,
        provider,
    }
}

/// One customer-managed control of assessment `index` (of certification `cert`) as its
/// page shows it, with `entries`, its history, newest first.
fn customer_control(
    shared: &Shared,
    index: usize,
    cert: &str,
    c: &CatalogControl,
    record: Option<&ControlRecord>,
    mut entries: Vec<HistoryEntry>,
) -> CustomerControl {
    let project = shared.project;
    let catalog = &project.catalog;
    let assigned = record.and_then(|r| r.assigned_to.as_deref());
    let synced = shared
        .synced
        .get(&(index, c.id.clone()))
        .cloned()
        .unwrap_or_default();
    let (related, see_also) = references(catalog, cert, &c.id, synced.is_empty());
    let older = if entries.len() > RECENT_HISTORY {
        entries.split_off(RECENT_HISTORY)
    } else {
        Vec::new()
    };
    CustomerControl {
        id: c.id.clone(),
        title: c.title.clone(),
        description: c.description.clone(),
        articles: c.articles.clone(),
        score: c.score,
        started: record.is_some(),
        status: status_label(record.and_then(|r| r.status)),
        result: result_label(record.and_then(|r| r.test_result)),
        test_date: record.and_then(|r| r.test_date).map(date),
        assigned: assigned.map(|e| shared.person(e)),
        action: record
            .and_then(|r| r.action.as_ref())
            .map(|act| ActionView {
                priority: act.priority.map(|p| p.as_str()),
                notes: act.notes.clone().filter(|n| !n.trim().is_empty()),
                notify: act.notify,
            }),
        implementation: record
            .and_then(|r| r.implementation.clone())
            .filter(|t| !t.trim().is_empty()),
        test_plan: record
            .and_then(|r| r.test_plan.clone())
            .filter(|t| !t.trim().is_empty()),
        management_response: record
            .and_then(|r| r.management_response.clone())
            .filter(|t| !t.trim().is_empty()),
        documents: record.map(|r| documents(shared, r)).unwrap_or_default(),
        fresh: record.and_then(|r| {
            fresh_mark(freshness::worst(
                &r.documents,
                shared.ctx.today,
                shared.warn_days,
            ))
        }),
        synced,
        related,
        see_also,
        history: ControlHistory {
            recent: entries,
            older,
        },
    }
}

/// A control's related references (none when it has synced controls: those are shown
/// instead) and its informative references with their coverage.
fn references(
    catalog: &crate::catalog::Catalog,
    cert: &str,
    control_id: &str,
    unsynced: bool,
) -> (Vec<String>, Vec<String>) {
    let related: Vec<String> = if unsynced {
        catalog
            .related(cert, control_id)
            .into_iter()
            .map(|r| reference_label(catalog, r))
            .collect()
    } else {
        Vec::new()
    };
    let see_also = catalog
        .informative(cert, control_id)
        .iter()
        .map(|(r, cov)| {
            format!(
                "{} ({} coverage)",
                reference_label(catalog, r),
                coverage_label(*cov)
            )
        })
        .collect();
    (related, see_also)
}

/// A control's evidence documents, linked.
fn documents(shared: &Shared, r: &ControlRecord) -> Vec<DocumentView> {
    r.documents
        .iter()
        .map(|d| DocumentView {
            path: d.path.clone(),
            href: safe_href(&shared.ctx.document_link(&d.path)),
            purpose: d.purpose.map(|p| match p {
                crate::model::Purpose::Implementation => "implementation",
                crate::model::Purpose::Testing => "testing",
            }),
            collected_on: d.collected_on.map(date),
            valid_until: d.valid_until.map(date),
            fresh: fresh_mark(freshness::State::of(d, shared.ctx.today, shared.warn_days)),
        })
        .collect()
}

/// A provider-managed control as the pages show it (the organization's and the guest's).
pub(super) fn provider_control(
    c: &CatalogControl,
    p: &crate::model::ProviderControl,
) -> ProviderControl {
    ProviderControl {
        id: c.id.clone(),
        title: c.title.clone(),
        articles: c.articles.clone(),
        score: c.score,
        status: status_label(Some(p.status)),
        result: result_label(Some(p.test_result)),
        test_date: date(p.test_date),
        tested_by: p.tested_by.clone(),
        description: p.description.clone(),
    }
}

/// An assessment's history: its controls' entries (by control) and its own events, with
/// the renames of its group since it existed, newest first.
fn assessment_history(
    shared: &Shared,
    a: &AssessmentDoc,
    history: Option<&FileHistory>,
) -> (HashMap<String, Vec<HistoryEntry>>, Vec<HistoryEntry>) {
    let (by_control, mut events) = split_history(history);
    // Group renames after the assessment existed are part of its story.
    let since = history
        .and_then(|h| h.entries.last())
        .map(|e| e.commit.time);
    if let (Some(since), Some(group_entries)) = (since, shared.histories.groups.get(&a.group)) {
        for e in group_entries.iter().filter(|e| e.commit.time >= since) {
            events.push(history_entry(
                e,
                e.changes.iter().map(change_view).collect(),
            ));
        }
        // Newest first; ties keep file events before group events (stable sort).
        events.sort_by(|x, y| y.date.cmp(&x.date));
    }
    (by_control, events)
}
