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
//!
//! The files: `data` (the view models the templates read), `filters` (values as the
//! pages show them: labels, dates, links, percent-encoding), `chart` (the score chart's
//! geometry), `history` (a file's history as the pages show it), `pages` (the
//! organization's pages), `public` (the guest's pages), `assets` (the templates, the
//! style sheet and the script, compiled in).

mod assets;
mod chart;
mod data;
mod filters;
mod history;
mod pages;
mod public;

use std::collections::BTreeMap;

use minijinja::Environment;

use super::{ReportContext, ReportError};
use crate::ops::Project;
use crate::ops::history::Histories;
use assets::{SCRIPT, STYLE, environment};
pub use filters::assessment_path;
use pages::render_private;
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
}

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
