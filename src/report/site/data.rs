//! The view models: what the templates read, one struct per thing a page shows, every
//! field already formatted (see `filters`). Built by `pages` and `public`; serialised
//! into the templates, nothing else.

use serde::Serialize;

use super::ReportContext;

/// What every page says about where it comes from, and how to reach the site's root.
#[derive(Serialize)]
pub(super) struct PageInfo<'a> {
    /// `""` for pages at the top, `"../"` for pages in a folder.
    pub(super) root: &'a str,
    pub(super) organization: &'a str,
    pub(super) generated: String,
    pub(super) has_git: bool,
    pub(super) public: bool,
    /// Which page of the navigation this is.
    pub(super) nav: &'a str,
    /// A past view's line (`as of 3f2a9c1 (…)`), shown as a banner on every page.
    pub(super) as_of: Option<String>,
}

pub(super) fn page_info<'a>(
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
        as_of: ctx.as_of.as_ref().map(crate::ops::asof::AsOf::line),
    }
}

#[derive(Serialize, Clone)]
pub(super) struct Label {
    pub(super) value: &'static str,
    pub(super) label: &'static str,
}

/// An assessment's score over its commits, as SVG geometry (numbers and labels only,
/// see `chart`); the template writes the elements. Dates across (a time scale), the
/// score up from its lowest to its highest value, and the same facts as table rows.
#[derive(Serialize)]
pub(super) struct Chart {
    pub(super) width: u32,
    pub(super) height: u32,
    /// The plot area: the axes run along `left` and `bottom`.
    pub(super) left: String,
    pub(super) right: String,
    pub(super) top: String,
    pub(super) bottom: String,
    /// Where the score labels end (right-aligned) and the date labels' baseline.
    pub(super) y_label_x: String,
    pub(super) x_label_y: String,
    pub(super) points: String,
    pub(super) y_ticks: Vec<Tick>,
    pub(super) x_ticks: Vec<Tick>,
    pub(super) dots: Vec<Dot>,
    /// A row per commit, newest first: the table behind the chart.
    pub(super) rows: Vec<ChartRow>,
    pub(super) summary: String,
}

/// A labelled tick: the line at `pos`, its label centred at `label_pos` (kept inside the
/// SVG at the plot's ends).
#[derive(Serialize, Debug)]
pub(super) struct Tick {
    pub(super) pos: String,
    pub(super) label_pos: String,
    pub(super) label: String,
}

#[derive(Serialize)]
pub(super) struct Dot {
    pub(super) x: String,
    pub(super) y: String,
    pub(super) label: String,
}

#[derive(Serialize)]
pub(super) struct ChartRow {
    pub(super) date: String,
    pub(super) commit: String,
    pub(super) score: u32,
    pub(super) max: u32,
    pub(super) assessed: usize,
    pub(super) total: usize,
    pub(super) percent: String,
}

#[derive(Serialize, Clone)]
pub(super) struct HistoryEntry {
    pub(super) date: String,
    pub(super) author: String,
    pub(super) email: String,
    pub(super) commit: String,
    pub(super) summary: String,
    pub(super) changes: Vec<ChangeView>,
}

#[derive(Serialize, Clone)]
pub(super) struct ChangeView {
    /// The field's label, or the event ("archive assessment …") when not a field.
    pub(super) what: String,
    pub(super) old: Option<String>,
    pub(super) new: Option<String>,
    pub(super) diff: Vec<DiffLine>,
}

#[derive(Serialize, Clone)]
pub(super) struct DiffLine {
    pub(super) kind: &'static str,
    pub(super) text: String,
}

/// A control's history: the newest few shown, the rest behind a disclosure.
#[derive(Serialize, Default)]
pub(super) struct ControlHistory {
    pub(super) recent: Vec<HistoryEntry>,
    pub(super) older: Vec<HistoryEntry>,
}

#[derive(Serialize)]
pub(super) struct TileView {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) group: String,
    pub(super) href: String,
    pub(super) created: String,
    pub(super) modified: String,
    pub(super) archived: Option<String>,
    pub(super) score: u32,
    pub(super) max: u32,
    pub(super) assessed: usize,
    pub(super) total: usize,
    pub(super) percent: String,
    pub(super) chart: Option<Chart>,
    /// Why there is no chart.
    pub(super) no_chart: String,
    /// Its expired and expiring documents (none counted in an archived assessment).
    pub(super) expired: usize,
    pub(super) expiring: usize,
}

#[derive(Serialize)]
pub(super) struct GroupView {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) tiles: Vec<TileView>,
}

#[derive(Serialize)]
pub(super) struct PersonOption {
    pub(super) email: String,
    pub(super) label: String,
}

#[derive(Serialize)]
pub(super) struct Person {
    pub(super) email: String,
    pub(super) name: String,
    pub(super) href: String,
}

#[derive(Serialize)]
pub(super) struct ActionView {
    pub(super) priority: Option<&'static str>,
    pub(super) notes: Option<String>,
    pub(super) notify: bool,
}

#[derive(Serialize)]
pub(super) struct DocumentView {
    pub(super) path: String,
    pub(super) href: Option<String>,
    pub(super) purpose: Option<&'static str>,
    pub(super) collected_on: Option<String>,
    pub(super) valid_until: Option<String>,
    /// The document's freshness, when it is expired or expiring.
    pub(super) fresh: Option<Freshness>,
}

/// A freshness mark: `word` ("expired", "expiring") names its CSS class, `label` is the
/// text that says it ("expired 3 days ago"), so colour never carries it alone.
#[derive(Serialize)]
pub(super) struct Freshness {
    pub(super) word: &'static str,
    pub(super) label: String,
}

/// One document in the dashboard's "what expires next" list.
#[derive(Serialize)]
pub(super) struct ExpiryView {
    pub(super) assessment: String,
    pub(super) control: String,
    /// The control on its assessment page.
    pub(super) href: String,
    pub(super) path: String,
    pub(super) valid_until: String,
    pub(super) fresh: Freshness,
}

#[derive(Serialize)]
pub(super) struct CustomerControl {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) articles: Vec<String>,
    pub(super) score: u32,
    pub(super) started: bool,
    pub(super) status: Label,
    pub(super) result: Label,
    pub(super) test_date: Option<String>,
    pub(super) assigned: Option<Person>,
    pub(super) action: Option<ActionView>,
    pub(super) implementation: Option<String>,
    pub(super) test_plan: Option<String>,
    pub(super) management_response: Option<String>,
    pub(super) documents: Vec<DocumentView>,
    /// The worst freshness of its documents, when one is expired or expiring.
    pub(super) fresh: Option<Freshness>,
    /// The other members of its sync class: (workspace index, control id).
    pub(super) synced: Vec<(usize, String)>,
    pub(super) related: Vec<String>,
    pub(super) see_also: Vec<String>,
    pub(super) history: ControlHistory,
}

#[derive(Serialize)]
pub(super) struct CustomerFamily {
    pub(super) name: String,
    pub(super) assessed: usize,
    pub(super) total: usize,
    pub(super) controls: Vec<CustomerControl>,
}

/// A family as the page's HTML shows it; its controls are drawn from the group's data.
#[derive(Serialize)]
pub(super) struct FamilyHead {
    pub(super) name: String,
    /// Customer-managed: assessed and in scope; provider-managed: 0 and every control.
    pub(super) assessed: usize,
    pub(super) total: usize,
}

#[derive(Serialize)]
pub(super) struct ProviderControl {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) articles: Vec<String>,
    pub(super) score: u32,
    pub(super) status: Label,
    pub(super) result: Label,
    pub(super) test_date: String,
    pub(super) tested_by: String,
    pub(super) description: String,
}

#[derive(Serialize)]
pub(super) struct ProviderFamily {
    pub(super) name: String,
    pub(super) controls: Vec<ProviderControl>,
}

#[derive(Serialize)]
pub(super) struct AssessmentView {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) group: String,
    pub(super) service: String,
    pub(super) certification: String,
    pub(super) certification_version: String,
    pub(super) terms: Terms,
    pub(super) created: String,
    pub(super) created_by: String,
    pub(super) modified: String,
    pub(super) archived: Option<String>,
    pub(super) in_scope: Vec<String>,
    pub(super) score: u32,
    pub(super) max: u32,
    pub(super) assessed: usize,
    pub(super) total: usize,
    pub(super) provider_total: usize,
    pub(super) percent: String,
    pub(super) people: Vec<PersonOption>,
    pub(super) customer: Vec<FamilyHead>,
    pub(super) provider: Vec<FamilyHead>,
    /// The group's data script (`group_data`), from the page, and this page's place in it.
    pub(super) data: String,
    pub(super) index: usize,
    pub(super) chart: Option<Chart>,
    pub(super) no_history: Option<String>,
    pub(super) events: Vec<HistoryEntry>,
    pub(super) shallow: Option<String>,
}

/// The certification's words, and examples from the assessment for the filters' hints.
#[derive(Serialize)]
pub(super) struct Terms {
    /// The word for a control family ("Clause", "Family").
    pub(super) family: String,
    /// The word for a control's references ("Article"); `None`: no control lists any,
    /// so the page offers no reference filter.
    pub(super) reference: Option<String>,
    /// A reference and a control id of this assessment.
    pub(super) reference_example: Option<String>,
    pub(super) control_example: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ActionRow {
    pub(super) assessment: String,
    pub(super) href: String,
    pub(super) group: String,
    pub(super) control: String,
    pub(super) title: String,
    pub(super) priority: Option<&'static str>,
    pub(super) notes: Option<String>,
    pub(super) status: Label,
    pub(super) result: Label,
    /// "renew PATH (expired on DATE)" for each of the control's expired documents.
    pub(super) renew: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct CertTab {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) tab_id: String,
    pub(super) panel_id: String,
    /// How many items; their rows take the place of the panel's `<!--rows-->`.
    pub(super) count: usize,
}

#[derive(Serialize)]
pub(super) struct PersonActions {
    /// Lower-case email: the section's id.
    pub(super) id: String,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) heading_id: String,
    pub(super) count: usize,
    pub(super) certifications: Vec<CertTab>,
}

#[derive(Serialize)]
pub(super) struct CertificationSummary {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) version: String,
    pub(super) href: String,
    pub(super) families: usize,
    /// The certification's word for its families, in the plural ("Clauses").
    pub(super) families_term: String,
    pub(super) controls: usize,
    pub(super) score: u32,
}

#[derive(Serialize)]
pub(super) struct TemplateSummary {
    pub(super) service: String,
    pub(super) certification: String,
    pub(super) name: String,
    pub(super) href: String,
    pub(super) provider: usize,
    pub(super) passed: usize,
    pub(super) customer: usize,
}

#[derive(Serialize)]
pub(super) struct CatalogControlView {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) articles: Vec<String>,
    pub(super) score: u32,
    pub(super) description: Option<String>,
}

#[derive(Serialize)]
pub(super) struct CatalogFamilyView {
    pub(super) name: String,
    pub(super) score: u32,
    pub(super) controls: Vec<CatalogControlView>,
}
