//! The static report site (DESIGN.md §7.2): a dashboard, one page per assessment with
//! filters and history, and the action items; or, with `--public`, the guest's site of
//! catalog and provider-managed controls only (§3).
//!
//! Invariants:
//! - Self-contained: `style.css` and `app.js` sit beside the pages, every link is
//!   relative, nothing is fetched from any host, so the site opens from the file system.
//! - Escaped: every value from the repository goes through minijinja's HTML
//!   auto-escaping (templates end in `.html`); nothing of the user's is marked safe. The
//!   filter script reads its data from `data-*` attributes only.
//! - Deterministic: the same input renders byte-identical files. Times come from the
//!   [`ReportContext`] and from commits, iteration is in workspace or catalog order.
//! - Data in, files out: the site never opens git; where it comes from
//!   ([`ReportContext`]) and its history ([`History`]) are read by
//!   [`crate::ops::report`], which walks the history once for all assessment files.
//! - The public site is built from the catalog alone: it never reads an assessment, a
//!   person or a document, so it cannot leak them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use minijinja::{Environment, UndefinedBehavior, context};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value as J;

use super::{ReportContext, ReportError};
use crate::catalog::Catalog;
use crate::model::{Coverage, Status, TestResult};
use crate::ops::history::{FileHistory, Histories, LogChange, LogEntry, ScorePoint};
use crate::ops::score::{self, ControlView, Managed};
use crate::ops::{Project, actions, status};
use crate::repo::AssessmentDoc;
use crate::rules::sync as classes;

/// Options of `assure report site`.
#[derive(Debug, Clone, Default)]
pub struct SiteOptions {
    /// The guest's site: catalog and provider-managed controls only.
    pub public: bool,
}

/// The past as the organization's site shows it, read from git by
/// [`crate::ops::report::site_history`].
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Every assessment file's field changes and scores, and its group's renames.
    pub histories: Histories,
    /// Why there is no history at all (not in git, no commits yet), when there is none.
    pub missing: Option<String>,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("assessment.html", include_str!("templates/assessment.html")),
    ("actions.html", include_str!("templates/actions.html")),
    (
        "public_index.html",
        include_str!("templates/public_index.html"),
    ),
    (
        "public_certification.html",
        include_str!("templates/public_certification.html"),
    ),
    (
        "public_template.html",
        include_str!("templates/public_template.html"),
    ),
];
const STYLE: &str = include_str!("templates/style.css");
const SCRIPT: &str = include_str!("templates/app.js");

/// Every file of the site: relative path → content. `history` is what the
/// organization's pages show of the past (the public site shows none); `progress(done,
/// total)` is called as pages are rendered.
pub fn render(
    project: &Project,
    ctx: &ReportContext,
    opts: &SiteOptions,
    history: &History,
    progress: &dyn Fn(usize, usize),
) -> Result<BTreeMap<String, Vec<u8>>, ReportError> {
    let env = environment()?;
    let mut site = Site {
        env,
        files: BTreeMap::new(),
        done: 0,
        total: 0,
        progress,
    };
    site.files
        .insert("style.css".into(), STYLE.as_bytes().to_vec());
    site.files
        .insert("app.js".into(), SCRIPT.as_bytes().to_vec());
    if opts.public {
        render_public(&mut site, project, ctx)?;
    } else {
        render_private(&mut site, project, ctx, history)?;
    }
    Ok(site.files)
}

fn environment() -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    // A misspelt variable is a bug, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|e| ReportError::Template(format!("{name}: {e}")))?;
    }
    Ok(env)
}

/// The files rendered so far and the progress callback.
struct Site<'a> {
    env: Environment<'static>,
    files: BTreeMap<String, Vec<u8>>,
    done: usize,
    total: usize,
    progress: &'a dyn Fn(usize, usize),
}

impl Site<'_> {
    fn page(
        &mut self,
        path: String,
        template: &str,
        ctx: minijinja::Value,
    ) -> Result<(), ReportError> {
        let html = render_page(&self.env, &path, template, ctx)?;
        self.add(path, html);
        Ok(())
    }

    fn add(&mut self, path: String, html: String) {
        self.files.insert(path, html.into_bytes());
        self.done += 1;
        (self.progress)(self.done, self.total);
    }
}

fn render_page(
    env: &Environment<'static>,
    path: &str,
    template: &str,
    ctx: minijinja::Value,
) -> Result<String, ReportError> {
    env.get_template(template)
        .and_then(|t| t.render(ctx))
        .map_err(|e| ReportError::Template(format!("{path}: {e:#}")))
}

/// What every page says about where it comes from, and how to reach the site's root.
#[derive(Serialize)]
struct PageInfo<'a> {
    /// `""` for pages at the top, `"../"` for pages in a folder.
    root: &'a str,
    organization: &'a str,
    generated: String,
    has_git: bool,
    public: bool,
    /// Which page of the navigation this is.
    nav: &'a str,
}

fn page_info<'a>(
    ctx: &'a ReportContext,
    root: &'a str,
    public: bool,
    nav: &'a str,
) -> PageInfo<'a> {
    PageInfo {
        root,
        organization: &ctx.organization,
        generated: ctx.generated_label(),
        has_git: ctx.has_git,
        public,
        nav,
    }
}

// ---------------------------------------------------------------------------------------
// Small helpers

/// Percent-encodes everything but unreserved characters (and `@`), for a path segment or
/// a fragment built from repository data.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "0".into()
    } else {
        format!("{:.1}", part as f64 * 100.0 / whole as f64)
    }
}

/// A link only when it is a web address (http or https, see
/// [`crate::rules::links::classify`]): a repository-relative path does not resolve from
/// the site's folder, and other schemes (`javascript:`) are unsafe.
fn safe_href(link: &str) -> Option<String> {
    (crate::rules::links::classify(link) == Some(crate::rules::links::Link::Web))
        .then(|| link.to_owned())
}

/// The file name of an assessment's page (inside `assessments/`).
fn assessment_file(a: &AssessmentDoc) -> String {
    format!("{}--{}.html", a.group, a.stem)
}

/// `groups/<group>/<file>.yaml`: the key of an assessment's history.
pub fn assessment_path(a: &AssessmentDoc) -> String {
    format!("groups/{}/{}.yaml", a.group, a.stem)
}

fn control_anchor(id: &str) -> String {
    format!("c-{id}")
}

#[derive(Serialize, Clone)]
struct Label {
    value: &'static str,
    label: &'static str,
}

fn status_label(s: Option<Status>) -> Label {
    match s {
        Some(s) => Label {
            value: s.as_str(),
            label: s.label(),
        },
        None => Label {
            value: "",
            label: "Not started",
        },
    }
}

fn result_label(r: Option<TestResult>) -> Label {
    match r {
        Some(r) => Label {
            value: r.as_str(),
            label: r.label(),
        },
        None => Label {
            value: "",
            label: "Not tested",
        },
    }
}

fn coverage_label(c: Coverage) -> &'static str {
    match c {
        Coverage::Full => "full",
        Coverage::Partial => "partial",
    }
}

/// `cert:control` as people read it: "NIST SP 800-53 Rev. 5 SC-13".
fn reference_label(catalog: &Catalog, reference: &str) -> String {
    match reference.split_once(':') {
        Some((cert, id)) => format!("{} {id}", catalog.certification_name(cert)),
        None => reference.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Score chart

/// A small step chart of an assessment's score over its commits, drawn here as SVG
/// geometry (numbers only); the template writes the elements. The vertical axis spans
/// the lowest to the highest score, labelled, so small changes of a large score show.
#[derive(Serialize)]
struct Chart {
    width: u32,
    height: u32,
    /// Where the plot starts (left of it: the axis labels).
    left: u32,
    points: String,
    top_label: String,
    bottom_label: String,
    dots: Vec<Dot>,
    summary: String,
}

#[derive(Serialize)]
struct Dot {
    x: String,
    y: String,
    label: String,
}

const CHART_W: f64 = 240.0;
const CHART_H: f64 = 64.0;
const CHART_LEFT: f64 = 34.0;
const CHART_PAD: f64 = 6.0;
/// More commits than this draw a line without a dot per commit.
const CHART_DOTS: usize = 40;

fn chart(points: &[ScorePoint]) -> Option<Chart> {
    let (first, last) = (points.first()?, points.last()?);
    let t0 = first.time.timestamp() as f64;
    let span = (last.time.timestamp() as f64 - t0).max(0.0);
    let lo = points.iter().map(|p| p.score).min().unwrap_or(0);
    let hi = points.iter().map(|p| p.score).max().unwrap_or(0);
    let (x0, x1) = (CHART_LEFT + CHART_PAD, CHART_W - CHART_PAD);
    let x = |p: &ScorePoint| {
        if span == 0.0 {
            (x0 + x1) / 2.0
        } else {
            x0 + (p.time.timestamp() as f64 - t0) / span * (x1 - x0)
        }
    };
    let y = |v: u32| {
        if hi == lo {
            CHART_H / 2.0
        } else {
            CHART_PAD + f64::from(hi - v) / f64::from(hi - lo) * (CHART_H - 2.0 * CHART_PAD)
        }
    };
    let mut line: Vec<String> = Vec::new();
    if points.len() == 1 {
        // One commit: a flat line so it shows.
        line.push(format!("{x0:.1},{:.1}", y(first.score)));
        line.push(format!("{x1:.1},{:.1}", y(first.score)));
    } else {
        let mut prev: Option<u32> = None;
        for p in points {
            if let Some(v) = prev {
                line.push(format!("{:.1},{:.1}", x(p), y(v)));
            }
            line.push(format!("{:.1},{:.1}", x(p), y(p.score)));
            prev = Some(p.score);
        }
    }
    let dots = if points.len() <= CHART_DOTS {
        points
            .iter()
            .map(|p| Dot {
                x: format!("{:.1}", x(p)),
                y: format!("{:.1}", y(p.score)),
                label: format!(
                    "{}: {} of {} (commit {})",
                    p.time.format("%Y-%m-%d"),
                    p.score,
                    p.max,
                    p.commit
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let summary = if points.len() == 1 {
        format!(
            "Score {} of {} at its only commit ({}).",
            first.score,
            first.max,
            first.time.format("%Y-%m-%d")
        )
    } else {
        format!(
            "Score {} \u{2192} {} of {} over {} commits, {} to {}.",
            first.score,
            last.score,
            last.max,
            points.len(),
            first.time.format("%Y-%m-%d"),
            last.time.format("%Y-%m-%d")
        )
    };
    Some(Chart {
        width: CHART_W as u32,
        height: CHART_H as u32,
        left: CHART_LEFT as u32,
        points: line.join(" "),
        top_label: hi.to_string(),
        bottom_label: if hi == lo {
            String::new()
        } else {
            lo.to_string()
        },
        dots,
        summary,
    })
}

// ---------------------------------------------------------------------------------------
// History views

#[derive(Serialize, Clone)]
struct HistoryEntry {
    date: String,
    author: String,
    email: String,
    commit: String,
    summary: String,
    changes: Vec<ChangeView>,
}

#[derive(Serialize, Clone)]
struct ChangeView {
    /// The field's label, or the event ("archive assessment …") when not a field.
    what: String,
    old: Option<String>,
    new: Option<String>,
    diff: Vec<DiffLine>,
}

#[derive(Serialize, Clone)]
struct DiffLine {
    kind: &'static str,
    text: String,
}

fn field_label(field: &str) -> String {
    match field {
        "status" => "Status".into(),
        "implementation" => "Implementation".into(),
        "test_plan" => "Test plan".into(),
        "management_response" => "Management response".into(),
        "test_date" => "Test date".into(),
        "test_result" => "Test result".into(),
        "assigned_to" => "Assigned to".into(),
        "action" => "Action item".into(),
        "documents" => "Documents".into(),
        other => other.replace('_', " "),
    }
}

/// A recorded value as people read it.
fn show(field: &str, v: &J) -> String {
    match (field, v) {
        (_, J::Null) => "(none)".into(),
        ("status", J::String(_)) => serde_json::from_value::<Status>(v.clone())
            .map_or_else(|_| show("", v), |s| s.label().to_owned()),
        ("test_result", J::String(_)) => serde_json::from_value::<TestResult>(v.clone())
            .map_or_else(|_| show("", v), |r| r.label().to_owned()),
        (_, J::String(s)) => s.clone(),
        (_, J::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        (_, J::Number(n)) => n.to_string(),
        (_, J::Array(items)) if items.is_empty() => "(none)".into(),
        (_, J::Array(items)) => items
            .iter()
            .map(|i| show("", i))
            .collect::<Vec<_>>()
            .join(", "),
        (_, J::Object(m)) => match m.get("path") {
            Some(p) => show("", p),
            None => m
                .iter()
                .map(|(k, v)| format!("{}: {}", k.replace('_', " "), show(k, v)))
                .collect::<Vec<_>>()
                .join("; "),
        },
    }
}

fn change_view(c: &LogChange) -> ChangeView {
    let Some(field) = &c.field else {
        return ChangeView {
            what: match (&c.old, &c.new) {
                (Some(J::String(from)), Some(J::String(to)))
                    if c.change.starts_with("rename group") =>
                {
                    format!("Group renamed from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}")
                }
                _ => capitalize(&c.change),
            },
            old: None,
            new: None,
            diff: Vec::new(),
        };
    };
    let diff: Vec<DiffLine> = c
        .diff
        .as_deref()
        .map(|d| {
            d.lines()
                .map(|l| {
                    let (kind, text) = match l.chars().next() {
                        Some('+') => ("add", &l[1..]),
                        Some('-') => ("del", &l[1..]),
                        Some(' ') => ("same", &l[1..]),
                        _ => ("same", l),
                    };
                    DiffLine {
                        kind,
                        text: text.to_owned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let (old, new) = if diff.is_empty() {
        (
            c.old.as_ref().map(|v| show(field, v)),
            c.new.as_ref().map(|v| show(field, v)),
        )
    } else {
        (None, None)
    };
    ChangeView {
        what: field_label(field),
        old,
        new,
        diff,
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn history_entry(entry: &LogEntry, changes: Vec<ChangeView>) -> HistoryEntry {
    HistoryEntry {
        date: time(entry.commit.time),
        author: entry.commit.author_name.clone(),
        email: entry.commit.author_email.clone(),
        commit: entry.commit.short.clone(),
        summary: entry.commit.summary.clone(),
        changes,
    }
}

/// A control's history: the newest few shown, the rest behind a disclosure.
#[derive(Serialize, Default)]
struct ControlHistory {
    recent: Vec<HistoryEntry>,
    older: Vec<HistoryEntry>,
}

const RECENT_HISTORY: usize = 3;

/// Splits a file's history by control (and the assessment's own events), in one pass.
fn split_history(
    h: Option<&FileHistory>,
) -> (HashMap<String, Vec<HistoryEntry>>, Vec<HistoryEntry>) {
    let mut by_control: HashMap<String, Vec<HistoryEntry>> = HashMap::new();
    let mut events = Vec::new();
    let Some(h) = h else {
        return (by_control, events);
    };
    for entry in &h.entries {
        let mut per: BTreeMap<&str, Vec<ChangeView>> = BTreeMap::new();
        let mut own = Vec::new();
        for c in &entry.changes {
            match &c.control {
                Some(control) => per.entry(control).or_default().push(change_view(c)),
                None => own.push(change_view(c)),
            }
        }
        for (control, changes) in per {
            by_control
                .entry(control.to_owned())
                .or_default()
                .push(history_entry(entry, changes));
        }
        let touched = entry.changes.iter().filter(|c| c.control.is_some()).count();
        if touched > 0 {
            let controls: std::collections::BTreeSet<&str> = entry
                .changes
                .iter()
                .filter_map(|c| c.control.as_deref())
                .collect();
            own.push(ChangeView {
                what: format!(
                    "{touched} field change{} on {} control{}",
                    if touched == 1 { "" } else { "s" },
                    controls.len(),
                    if controls.len() == 1 { "" } else { "s" }
                ),
                old: None,
                new: None,
                diff: Vec::new(),
            });
        }
        events.push(history_entry(entry, own));
    }
    (by_control, events)
}

// ---------------------------------------------------------------------------------------
// The organization's site

#[derive(Serialize)]
struct TileView {
    key: String,
    name: String,
    group: String,
    href: String,
    created: String,
    modified: String,
    archived: Option<String>,
    score: u32,
    max: u32,
    assessed: usize,
    total: usize,
    percent: String,
    chart: Option<Chart>,
    /// Why there is no chart.
    no_chart: String,
}

#[derive(Serialize)]
struct GroupView {
    id: String,
    name: String,
    tiles: Vec<TileView>,
}

#[derive(Serialize)]
struct PersonOption {
    email: String,
    label: String,
}

#[derive(Serialize)]
struct Person {
    email: String,
    name: String,
    href: String,
}

#[derive(Serialize)]
struct ActionView {
    priority: Option<&'static str>,
    notes: Option<String>,
    notify: bool,
}

#[derive(Serialize)]
struct DocumentView {
    path: String,
    href: Option<String>,
    purpose: Option<&'static str>,
}

#[derive(Serialize)]
struct LinkView {
    label: String,
    href: Option<String>,
}

#[derive(Serialize)]
struct CustomerControl {
    id: String,
    anchor: String,
    title: String,
    description: Option<String>,
    articles: Vec<String>,
    /// The articles, one a line, for the filter script.
    articles_attr: String,
    score: u32,
    started: bool,
    status: Label,
    result: Label,
    test_date: Option<String>,
    assigned: Option<Person>,
    /// The assigned email, lower-case, for the filter script.
    assigned_key: String,
    action: Option<ActionView>,
    implementation: Option<String>,
    test_plan: Option<String>,
    management_response: Option<String>,
    documents: Vec<DocumentView>,
    synced: Vec<LinkView>,
    related: Vec<String>,
    see_also: Vec<String>,
    history: ControlHistory,
}

#[derive(Serialize)]
struct CustomerFamily {
    name: String,
    assessed: usize,
    total: usize,
    controls: Vec<CustomerControl>,
}

#[derive(Serialize)]
struct ProviderControl {
    id: String,
    title: String,
    articles: Vec<String>,
    score: u32,
    status: Label,
    result: Label,
    test_date: String,
    tested_by: String,
    description: String,
}

#[derive(Serialize)]
struct ProviderFamily {
    name: String,
    controls: Vec<ProviderControl>,
}

#[derive(Serialize)]
struct AssessmentView {
    key: String,
    name: String,
    group: String,
    service: String,
    certification: String,
    certification_version: String,
    created: String,
    created_by: String,
    modified: String,
    archived: Option<String>,
    in_scope: Vec<String>,
    score: u32,
    max: u32,
    assessed: usize,
    total: usize,
    provider_total: usize,
    percent: String,
    people: Vec<PersonOption>,
    customer: Vec<CustomerFamily>,
    provider: Vec<ProviderFamily>,
    chart: Option<Chart>,
    no_history: Option<String>,
    events: Vec<HistoryEntry>,
    shallow: Option<String>,
}

/// Everything the pages of one repository share.
struct Shared<'a> {
    project: &'a Project,
    ctx: &'a ReportContext,
    histories: &'a Histories,
    /// Why nothing has history, when nothing has.
    no_history: Option<String>,
    /// Lower-case email → name.
    names: HashMap<String, String>,
    /// Assessment key → its index in the workspace.
    by_key: HashMap<String, usize>,
    /// (assessment index, control) → the other members of its sync class.
    synced: HashMap<(usize, String), Vec<(usize, String)>>,
    /// Assessment key → (modified, created) as the dashboard shows them.
    modified: HashMap<String, Option<DateTime<Utc>>>,
}

impl Shared<'_> {
    fn doc(&self, key: &str) -> Option<&AssessmentDoc> {
        self.by_key
            .get(key)
            .map(|&i| &self.project.ws.assessments[i])
    }

    fn person(&self, email: &str) -> Person {
        let key = email.trim().to_lowercase();
        Person {
            name: self
                .names
                .get(&key)
                .cloned()
                .unwrap_or_else(|| email.to_owned()),
            href: format!("actions.html#{}", encode(&key)),
            email: email.to_owned(),
        }
    }

    fn group_name(&self, id: &str) -> String {
        self.project
            .ws
            .groups
            .iter()
            .find(|g| g.id == id)
            .and_then(|g| g.doc.as_ref())
            .map_or_else(|| id.to_owned(), |d| d.value.name.clone())
    }

    fn no_chart_reason(&self, h: Option<&FileHistory>) -> String {
        match (&self.no_history, h) {
            (Some(why), _) => why.clone(),
            (None, Some(h)) if !h.scores.is_empty() => String::new(),
            (None, _) => "no history yet (not committed)".into(),
        }
    }
}

fn render_private(
    site: &mut Site,
    project: &Project,
    ctx: &ReportContext,
    history: &History,
) -> Result<(), ReportError> {
    let ws = &project.ws;
    let names = ws
        .config
        .as_ref()
        .map(|c| {
            c.value
                .people
                .iter()
                .map(|p| (p.email.trim().to_lowercase(), p.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let by_key = ws
        .assessments
        .iter()
        .enumerate()
        .map(|(i, a)| (a.key(), i))
        .collect();
    let keys: Vec<String> = ws.assessments.iter().map(AssessmentDoc::key).collect();
    let items: Vec<classes::Item> = ws
        .assessments
        .iter()
        .zip(&keys)
        .map(|(a, key)| classes::Item {
            group: &a.group,
            key,
            value: &a.doc.value,
        })
        .collect();
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
    let dashboard = status::dashboard(project, true);
    let modified = dashboard
        .groups
        .iter()
        .flat_map(|g| &g.tiles)
        .chain(&dashboard.archived)
        .map(|t| (t.assessment.clone(), t.modified))
        .collect();
    let shared = Shared {
        project,
        ctx,
        histories: &history.histories,
        no_history: history.missing.clone(),
        names,
        by_key,
        synced,
        modified,
    };

    site.total = 2 + ws.assessments.len();
    render_dashboard(site, &shared, &dashboard)?;
    // Assessment pages are the bulk of the work: rendered in parallel, a few at a time
    // so progress is reported as they finish (the callback stays on this thread).
    let all: Vec<(usize, &AssessmentDoc)> = ws.assessments.iter().enumerate().collect();
    for batch in all.chunks(2 * rayon::current_num_threads().max(1)) {
        let pages: Vec<Result<(String, String), ReportError>> = batch
            .par_iter()
            .map(|(i, a)| render_assessment(&site.env, &shared, *i, a))
            .collect();
        for page in pages {
            let (path, html) = page?;
            site.add(path, html);
        }
    }
    render_actions(site, &shared)?;
    Ok(())
}

fn tile_view(shared: &Shared, t: &status::Tile) -> TileView {
    let doc = shared.doc(&t.assessment);
    let history = doc.and_then(|a| shared.histories.files.get(&assessment_path(a)));
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
        modified: t.modified.map_or_else(|| "—".to_owned(), time),
        archived: t.archived.map(time),
        score: t.progress.score,
        max: t.progress.max,
        assessed: t.progress.assessed,
        total: t.progress.total,
        percent: percent(t.progress.assessed, t.progress.total),
        chart: history.and_then(|h| chart(&h.scores)),
        no_chart: shared.no_chart_reason(history),
    }
}

fn render_dashboard(
    site: &mut Site,
    shared: &Shared,
    dashboard: &status::Dashboard,
) -> Result<(), ReportError> {
    let groups: Vec<GroupView> = dashboard
        .groups
        .iter()
        .map(|g| GroupView {
            id: g.id.clone(),
            name: g.name.clone(),
            tiles: g.tiles.iter().map(|t| tile_view(shared, t)).collect(),
        })
        .collect();
    let archived: Vec<TileView> = dashboard
        .archived
        .iter()
        .map(|t| tile_view(shared, t))
        .collect();
    site.page(
        "index.html".into(),
        "dashboard.html",
        context! {
            page => page_info(shared.ctx, "", false, "dashboard"),
            groups => groups,
            archived => archived,
            no_history => shared.no_history,
            shallow => shared.histories.shallow_boundary.as_ref().map(|b| format!("{} ({})", b.short, time(b.time))),
        },
    )
}

fn render_assessment(
    env: &Environment<'static>,
    shared: &Shared,
    index: usize,
    a: &AssessmentDoc,
) -> Result<(String, String), ReportError> {
    let project = shared.project;
    let catalog = &project.catalog;
    let v = &a.doc.value;
    let key = a.key();
    let path = assessment_path(a);
    let history = shared.histories.files.get(&path);
    let (mut by_control, mut events) = split_history(history);
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
    let views: Vec<ControlView> = score::controls(v, catalog).unwrap_or_default();
    let totals = score::score(v, catalog);
    let cert = catalog.certifications.get(&v.certification);
    let template = catalog.template(&v.service, &v.certification);

    let mut people: BTreeMap<String, String> = BTreeMap::new();
    let mut customer: Vec<CustomerFamily> = Vec::new();
    let mut provider: Vec<ProviderFamily> = Vec::new();
    for view in &views {
        let c = view.control;
        match view.managed {
            Managed::Provider(p) => {
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
                let synced: Vec<LinkView> = shared
                    .synced
                    .get(&(index, c.id.clone()))
                    .map(|others| {
                        others
                            .iter()
                            .map(|(item, control)| {
                                let other = &project.ws.assessments[*item];
                                LinkView {
                                    label: format!(
                                        "{} {control}",
                                        catalog.assessment_name(
                                            &other.doc.value.service,
                                            &other.doc.value.certification
                                        )
                                    ),
                                    href: Some(format!(
                                        "{}#{}",
                                        encode(&assessment_file(other)),
                                        encode(&control_anchor(control))
                                    )),
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let related: Vec<String> = if synced.is_empty() {
                    catalog
                        .related(&v.certification, &c.id)
                        .into_iter()
                        .map(|r| reference_label(catalog, r))
                        .collect()
                } else {
                    Vec::new()
                };
                let see_also = catalog
                    .informative(&v.certification, &c.id)
                    .iter()
                    .map(|(r, cov)| {
                        format!(
                            "{} ({} coverage)",
                            reference_label(catalog, r),
                            coverage_label(*cov)
                        )
                    })
                    .collect();
                let mut entries = by_control.remove(&c.id).unwrap_or_default();
                let older = if entries.len() > RECENT_HISTORY {
                    entries.split_off(RECENT_HISTORY)
                } else {
                    Vec::new()
                };
                let row = CustomerControl {
                    id: c.id.clone(),
                    anchor: control_anchor(&c.id),
                    title: c.title.clone(),
                    description: c.description.clone(),
                    articles: c.articles.clone(),
                    articles_attr: c.articles.join("\n"),
                    score: c.score,
                    started: record.is_some(),
                    status: status_label(record.and_then(|r| r.status)),
                    result: result_label(record.and_then(|r| r.test_result)),
                    test_date: record.and_then(|r| r.test_date).map(date),
                    assigned: assigned.map(|e| shared.person(e)),
                    assigned_key: assigned
                        .map(|e| e.trim().to_lowercase())
                        .unwrap_or_default(),
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
                    documents: record
                        .map(|r| {
                            r.documents
                                .iter()
                                .map(|d| DocumentView {
                                    path: d.path.clone(),
                                    href: safe_href(&shared.ctx.document_link(&d.path)),
                                    purpose: d.purpose.map(|p| match p {
                                        crate::model::Purpose::Implementation => "implementation",
                                        crate::model::Purpose::Testing => "testing",
                                    }),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    synced,
                    related,
                    see_also,
                    history: ControlHistory {
                        recent: entries,
                        older,
                    },
                };
                let assessed = usize::from(record.is_some_and(|r| r.test_result.is_some()));
                match customer.last_mut() {
                    Some(f) if f.name == view.family => {
                        f.total += 1;
                        f.assessed += assessed;
                        f.controls.push(row);
                    }
                    _ => customer.push(CustomerFamily {
                        name: view.family.to_owned(),
                        assessed,
                        total: 1,
                        controls: vec![row],
                    }),
                }
            }
        }
    }
    let total = totals.as_ref().map(|s| s.total.clone()).unwrap_or_default();
    let provider_total = provider.iter().map(|f| f.controls.len()).sum();
    let view = AssessmentView {
        name: catalog.assessment_name(&v.service, &v.certification),
        group: shared.group_name(&a.group),
        service: catalog.service_name(&v.service).to_owned(),
        certification: catalog.certification_name(&v.certification).to_owned(),
        certification_version: cert.map(|c| c.cert.version.clone()).unwrap_or_default(),
        created: time(v.created),
        created_by: shared.person(&v.created_by).name,
        modified: shared
            .modified
            .get(&key)
            .copied()
            .flatten()
            .map_or_else(|| "—".to_owned(), time),
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
        customer,
        provider,
        chart: history.and_then(|h| chart(&h.scores)),
        no_history: Some(shared.no_chart_reason(history)).filter(|s| !s.is_empty()),
        events,
        shallow: shared
            .histories
            .shallow_boundary
            .as_ref()
            .map(|b| format!("{} ({})", b.short, time(b.time))),
        key,
    };
    let path = format!("assessments/{}", assessment_file(a));
    let html = render_page(
        env,
        &path,
        "assessment.html",
        context! {
            page => page_info(shared.ctx, "../", false, "assessment"),
            a => view,
            statuses => Status::ALL.iter().map(|s| status_label(Some(*s))).collect::<Vec<_>>(),
            results => TestResult::ALL.iter().map(|r| result_label(Some(*r))).collect::<Vec<_>>(),
        },
    )?;
    Ok((path, html))
}

#[derive(Serialize)]
struct ActionRow {
    assessment: String,
    href: String,
    group: String,
    control: String,
    title: String,
    priority: Option<&'static str>,
    notes: Option<String>,
    status: Label,
    result: Label,
}

#[derive(Serialize)]
struct CertTab {
    id: String,
    name: String,
    tab_id: String,
    panel_id: String,
    items: Vec<ActionRow>,
}

#[derive(Serialize)]
struct PersonActions {
    /// Lower-case email: the section's id.
    id: String,
    email: String,
    name: String,
    heading_id: String,
    count: usize,
    certifications: Vec<CertTab>,
}

fn render_actions(site: &mut Site, shared: &Shared) -> Result<(), ReportError> {
    let items = actions::action_items(shared.project, None, None);
    let mut people: BTreeMap<String, BTreeMap<(String, String), Vec<ActionRow>>> = BTreeMap::new();
    for item in items {
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
            assessment: item.assessment_name,
            control: item.control,
            title: item.title,
            priority: item.priority.map(|p| p.as_str()),
            notes: item.notes.filter(|n| !n.trim().is_empty()),
            status: status_label(item.status),
            result: result_label(item.test_result),
        };
        people
            .entry(item.person.trim().to_lowercase())
            .or_default()
            .entry((item.certification_name, item.certification))
            .or_default()
            .push(row);
    }
    let people: Vec<PersonActions> = people
        .into_iter()
        .enumerate()
        .map(|(i, (email, certs))| {
            let person = shared.person(&email);
            PersonActions {
                heading_id: format!("person-{}", i + 1),
                count: certs.values().map(Vec::len).sum(),
                certifications: certs
                    .into_iter()
                    .enumerate()
                    .map(|(j, ((name, id), items))| CertTab {
                        tab_id: format!("tab-{}-{}", i + 1, j + 1),
                        panel_id: format!("panel-{}-{}", i + 1, j + 1),
                        id,
                        name,
                        items,
                    })
                    .collect(),
                name: person.name,
                id: email.clone(),
                email,
            }
        })
        .collect();
    site.page(
        "actions.html".into(),
        "actions.html",
        context! {
            page => page_info(shared.ctx, "", false, "actions"),
            people => people,
        },
    )
}

// ---------------------------------------------------------------------------------------
// The guest's site: built from the catalog alone.

#[derive(Serialize)]
struct CertificationSummary {
    id: String,
    name: String,
    version: String,
    href: String,
    families: usize,
    controls: usize,
    score: u32,
}

#[derive(Serialize)]
struct TemplateSummary {
    service: String,
    certification: String,
    name: String,
    href: String,
    provider: usize,
    passed: usize,
    customer: usize,
}

#[derive(Serialize)]
struct CatalogControlView {
    id: String,
    title: String,
    articles: Vec<String>,
    score: u32,
    description: Option<String>,
}

#[derive(Serialize)]
struct CatalogFamilyView {
    name: String,
    score: u32,
    controls: Vec<CatalogControlView>,
}

fn certification_file(id: &str) -> String {
    format!("{id}.html")
}

fn template_file(service: &str, certification: &str) -> String {
    format!("{service}--{certification}.html")
}

fn render_public(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_keeps_safe_characters_only() {
        assert_eq!(encode("a-b_c.d~e@f"), "a-b_c.d~e@f");
        assert_eq!(encode("x y\"<>#?/"), "x%20y%22%3C%3E%23%3F%2F");
    }

    #[test]
    fn only_http_links_are_followed() {
        assert_eq!(safe_href("https://x/y").as_deref(), Some("https://x/y"));
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href(" JavaScript:alert(1)"), None);
        assert_eq!(safe_href("evidence/a.pdf"), None);
    }

    #[test]
    fn templates_compile() {
        environment().expect("templates compile");
    }
}
