//! The static report site (DESIGN.md §7.2): a dashboard, one page per assessment with
//! filters and history, and the action items; or, with `--public`, the guest's site of
//! catalog and provider-managed controls only (§3).
//!
//! Invariants:
//! - Self-contained: `style.css` and `app.js` sit beside the pages, every link is
//!   relative, nothing is fetched from any host, so the site opens from the file system.
//! - Escaped: every value from the repository goes through minijinja's HTML
//!   auto-escaping (templates end in `.html`); nothing of the user's is marked safe. An
//!   assessment page's controls are JSON in their group's data script (`group_data`),
//!   which `app.js` draws with `textContent` and attributes, never markup; the filter
//!   script reads `data-*` attributes.
//! - Deterministic: the same input renders byte-identical files. Times come from the
//!   [`ReportContext`] and from commits, iteration is in workspace or catalog order.
//! - Data in, files out: the site never opens git; where it comes from
//!   ([`ReportContext`]) and its history ([`History`]) are read by
//!   [`crate::ops::report`], which walks the history once for all assessment files.
//! - The public site is built from the catalog alone: it never reads an assessment, a
//!   person or a document, so it cannot leak them.
//!
//! The files: `data` (the view models the templates read), `filters` (values as the
//! pages show them: labels, dates, links, percent-encoding), `chart` (the score chart's
//! geometry), `history` (a file's history as the pages show it), `pages` (the
//! organization's pages), `group_data` (the controls of a group's pages, the data their
//! script draws), `public` (the guest's pages), `assets` (the templates, the style sheet
//! and the script, compiled in).

mod actions;
mod assets;
mod chart;
mod data;
mod filters;
mod group_data;
mod history;
mod pages;
mod public;

use std::collections::BTreeMap;

use minijinja::Environment;

use super::{ReportContext, ReportError};
use crate::ops::Project;
use crate::ops::history::{FileHistory, Histories};
use assets::{SCRIPT, STYLE, environment};
pub use filters::assessment_path;
pub use pages::Summary;
use public::render_public;

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
    /// When each assessment file last changed (path → commit time), read once for a
    /// site written group by group; `None`: read with each part.
    pub last_commits: Option<std::collections::HashMap<String, chrono::DateTime<chrono::Utc>>>,
}

/// Reads one assessment file's history (`groups/<group>/<file>.yaml`) as its page is
/// rendered, so that a site written group by group holds one file's field changes per
/// page in flight, not its whole group's ([`Renderer::pages`]).
pub type FileSource<'a> = dyn Fn(&str) -> Result<Option<FileHistory>, ReportError> + Sync + 'a;

/// Every file of the site: relative path → content. `history` is what the
/// organization's pages show of the past (the public site shows none); `progress(done,
/// total)` is called as pages are rendered. (A large repository's site is written in
/// parts instead, see [`Renderer`].)
pub fn render(
    project: &Project,
    ctx: &ReportContext,
    opts: &SiteOptions,
    history: &History,
    progress: &dyn Fn(usize, usize),
) -> Result<BTreeMap<String, Vec<u8>>, ReportError> {
    let mut files: BTreeMap<String, Vec<u8>> = assets()
        .into_iter()
        .map(|(p, b)| (p.to_owned(), b.to_vec()))
        .collect();
    if opts.public {
        let mut site = Site {
            env: environment()?,
            files,
            done: 0,
            total: 0,
            progress,
        };
        render_public(&mut site, project, ctx)?;
        return Ok(site.files);
    }
    let renderer = Renderer::new()?;
    let total = 2 + project.ws.assessments.len();
    let mut done = 0;
    // Progress counts pages, not the groups' data scripts.
    let mut add = |path: String, bytes: Vec<u8>| {
        if path.ends_with(".html") {
            done += 1;
            progress(done, total);
        }
        files.insert(path, bytes);
    };
    let summary = renderer.pages::<ReportError>(project, ctx, history, None, &mut |p, b| {
        add(p, b);
        Ok(())
    })?;
    for (path, page) in renderer.index(&project.ws, ctx, history, vec![summary])? {
        let mut bytes = Vec::new();
        page.write_to(&mut bytes)
            .map_err(|e| ReportError::Write(path.clone(), e))?;
        add(path, bytes);
    }
    Ok(files)
}

/// The files every site has beside its pages: the style sheet and the script.
pub fn assets() -> [(&'static str, &'static [u8]); 2] {
    [
        ("style.css", STYLE.as_bytes()),
        ("app.js", SCRIPT.as_bytes()),
    ]
}

/// The organization's site rendered in parts, so a large repository's is written a group
/// at a time: the pages of some assessments ([`Renderer::pages`], from any thread), then
/// the dashboard and the action items from what those pages left ([`Renderer::index`]).
/// The parts together are the files [`render`] gives.
pub struct Renderer {
    env: Environment<'static>,
    /// Where the action rows wait for the action page (see [`Renderer::spooling`]).
    spool: Option<std::path::PathBuf>,
}

impl Renderer {
    pub fn new() -> Result<Renderer, ReportError> {
        Ok(Renderer {
            env: environment()?,
            spool: None,
        })
    }

    /// The action rows of each [`Renderer::pages`] call written to an unnamed scratch
    /// file in `dir` (gone once the action page is written or dropped), not kept in
    /// memory: a large repository's action page holds a row per open control.
    pub fn spooling(self, dir: &std::path::Path) -> Renderer {
        Renderer {
            spool: Some(dir.to_owned()),
            ..self
        }
    }

    /// Renders the page of every assessment of `project` (a whole repository, or some
    /// of its groups as [`crate::ops::group_wise`] hands them), handing each page's path
    /// and bytes to `write`; returns what the dashboard and the action items need of them.
    /// A file's history is `history`'s, else read by `read` just before its page.
    pub fn pages<E: From<ReportError>>(
        &self,
        project: &Project,
        ctx: &ReportContext,
        history: &History,
        read: Option<&FileSource<'_>>,
        write: &mut dyn FnMut(String, Vec<u8>) -> Result<(), E>,
    ) -> Result<Summary, E> {
        let spool = self.spool.as_deref();
        pages::render_pages(&self.env, project, ctx, (history, read), spool, write)
    }

    /// The dashboard and the action items, (path, page) each, from the summaries of
    /// every assessment's page in workspace order; `ws` gives the groups and people
    /// (`assure.yaml`), `history` what it says of itself (missing, shallow).
    pub fn index(
        &self,
        ws: &crate::repo::Workspace,
        ctx: &ReportContext,
        history: &History,
        summaries: Vec<Summary>,
    ) -> Result<Vec<(String, Page)>, ReportError> {
        let index = pages::Index::new(ws, ctx, history);
        pages::render_index(&self.env, &index, summaries)
    }
}

/// A page of [`Renderer::index`]: its HTML, or the action page, whose rows are copied
/// into it as it is written ([`Page::write_to`]).
pub enum Page {
    Html(String),
    Actions(actions::ActionPage),
}

impl Page {
    pub fn write_to(self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Page::Html(html) => out.write_all(html.as_bytes()),
            Page::Actions(page) => page.write_to(out),
        }
    }
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
