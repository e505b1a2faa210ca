//! The controls of a group's assessment pages as data: one script per group,
//! `data/<group>.js`, that `app.js` draws into each page's control lists.
//!
//! A page of 500 controls written out as HTML weighs over a megabyte, most of it
//! repeated: the same implementation text on every member of a sync class, the same
//! catalog titles on every assessment of a certification, a link to every other member
//! of each class. So the group's pages share one file in which every text is written
//! once (`texts`, referred to by number), each sync class once (`classes`), each person
//! and each status or result label once. The page itself keeps its first screen as HTML
//! (summary, score chart, services, the families with their counts, its history), so it
//! reads without JavaScript; the control lists need the script and say so.
//!
//! Escaping: the data is JSON (`serde_json`), a script of its own, never spliced into
//! HTML; `app.js` builds the elements with `textContent` and attributes, never markup.

use std::collections::HashMap;

use serde::Serialize;

use super::data::{ControlHistory, CustomerFamily, DocumentView, Freshness, Label, ProviderFamily};
use super::filters::encode;

/// The file of a group's data, relative to the site's root.
pub(super) fn data_file(group: &str) -> String {
    format!("data/{group}.js")
}

/// A group's pages and their controls, gathered page by page in workspace order.
#[derive(Serialize, Default)]
pub(super) struct GroupData {
    /// Status and test-result labels, referred to by position.
    labels: Vec<Label>,
    /// Every text, once.
    texts: Vec<String>,
    people: Vec<PersonData>,
    /// The group's assessment pages: (href from `assessments/`, name).
    pages: Vec<PageRef>,
    /// Each sync class: its members, (page, control id[, its anchor percent-encoded
    /// when that is not the id itself]).
    classes: Vec<Vec<Member>>,
    /// Each page's controls, customer-managed and provider-managed, family by family
    /// (the families of the page's HTML, in order).
    assessments: Vec<AssessmentData>,
    #[serde(skip)]
    text_index: HashMap<String, u32>,
    #[serde(skip)]
    label_index: HashMap<&'static str, u32>,
    #[serde(skip)]
    person_index: HashMap<String, u32>,
    #[serde(skip)]
    class_index: HashMap<(usize, String), u32>,
    /// Workspace index → page number in this group.
    #[serde(skip)]
    page_index: HashMap<usize, u32>,
}

#[derive(Serialize)]
struct PersonData {
    email: String,
    name: String,
    /// To the person's items on the action page, from the site's root.
    href: String,
}

#[derive(Serialize)]
struct PageRef {
    href: String,
    name: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Member {
    Plain(u32, String),
    Encoded(u32, String, String),
}

#[derive(Serialize, Default)]
struct AssessmentData {
    customer: Vec<Vec<ControlData>>,
    provider: Vec<Vec<ProviderData>>,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// A customer-managed control; numbers name `texts`, `labels`, `people`, `classes`.
#[derive(Serialize)]
struct ControlData {
    id: String,
    title: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    desc: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    refs: Vec<String>,
    score: u32,
    /// Nothing recorded on it yet.
    #[serde(skip_serializing_if = "is_false")]
    unstarted: bool,
    st: u32,
    re: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    who: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<ActionData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    imp: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resp: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    docs: Vec<DocumentView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fresh: Option<Freshness>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    see: Vec<String>,
    #[serde(skip_serializing_if = "no_history")]
    history: ControlHistory,
}

fn no_history(h: &ControlHistory) -> bool {
    h.recent.is_empty() && h.older.is_empty()
}

#[derive(Serialize)]
struct ActionData {
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<&'static str>,
    #[serde(skip_serializing_if = "is_false")]
    notify: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<u32>,
}

/// A provider-managed control, a row of its family's table.
#[derive(Serialize)]
struct ProviderData {
    id: String,
    title: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    refs: Vec<String>,
    st: u32,
    re: u32,
    date: String,
    by: u32,
    desc: u32,
}

impl GroupData {
    /// The data of a group whose pages are, in order, `pages`: (workspace index, page
    /// file, assessment name).
    pub(super) fn new(pages: impl IntoIterator<Item = (usize, String, String)>) -> Self {
        let mut data = GroupData::default();
        for (n, (index, file, name)) in pages.into_iter().enumerate() {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            data.page_index.insert(index, n);
            data.pages.push(PageRef {
                href: encode(&file),
                name,
            });
        }
        data
    }

    fn text(&mut self, s: &str) -> u32 {
        if let Some(&n) = self.text_index.get(s) {
            return n;
        }
        let n = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(s.to_owned());
        self.text_index.insert(s.to_owned(), n);
        n
    }

    fn label(&mut self, l: Label) -> u32 {
        if let Some(&n) = self.label_index.get(l.value) {
            return n;
        }
        let n = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
        self.label_index.insert(l.value, n);
        self.labels.push(l);
        n
    }

    fn person(&mut self, p: &super::data::Person) -> u32 {
        let key = p.email.trim().to_lowercase();
        if let Some(&n) = self.person_index.get(&key) {
            return n;
        }
        let n = u32::try_from(self.people.len()).unwrap_or(u32::MAX);
        self.people.push(PersonData {
            email: p.email.clone(),
            name: p.name.clone(),
            href: p.href.clone(),
        });
        self.person_index.insert(key, n);
        n
    }

    /// The sync class of `(index, control)`, whose other members are `others`
    /// (workspace index, control id); `None` when it has none.
    fn class(&mut self, index: usize, control: &str, others: &[(usize, String)]) -> Option<u32> {
        if others.is_empty() {
            return None;
        }
        let key = (index, control.to_owned());
        if let Some(&n) = self.class_index.get(&key) {
            return Some(n);
        }
        let mut members: Vec<(usize, String)> = others.to_vec();
        members.push(key);
        members.sort();
        let n = u32::try_from(self.classes.len()).unwrap_or(u32::MAX);
        let list = members
            .iter()
            .map(|(i, c)| {
                let page = self.page_index.get(i).copied().unwrap_or(u32::MAX);
                let anchor = encode(c);
                if anchor == *c {
                    Member::Plain(page, c.clone())
                } else {
                    Member::Encoded(page, c.clone(), anchor)
                }
            })
            .collect();
        self.classes.push(list);
        for m in members {
            self.class_index.insert(m, n);
        }
        Some(n)
    }

    /// Adds the controls of the page of workspace assessment `index`, in the order of
    /// the group's pages.
    pub(super) fn add(
        &mut self,
        index: usize,
        customer: Vec<CustomerFamily>,
        provider: Vec<ProviderFamily>,
    ) {
        let customer = customer
            .into_iter()
            .map(|f| {
                f.controls
                    .into_iter()
                    .map(|c| self.customer(index, c))
                    .collect()
            })
            .collect();
        let provider = provider
            .into_iter()
            .map(|f| {
                f.controls
                    .into_iter()
                    .map(|c| ProviderData {
                        title: self.text(&c.title),
                        refs: c.articles,
                        st: self.label(c.status),
                        re: self.label(c.result),
                        date: c.test_date,
                        by: self.text(&c.tested_by),
                        desc: self.text(&c.description),
                        id: c.id,
                    })
                    .collect()
            })
            .collect();
        self.assessments.push(AssessmentData { customer, provider });
    }

    fn customer(&mut self, index: usize, c: super::data::CustomerControl) -> ControlData {
        let opt = |d: &mut Self, t: Option<String>| t.map(|t| d.text(&t));
        ControlData {
            title: self.text(&c.title),
            desc: opt(self, c.description),
            refs: c.articles,
            score: c.score,
            unstarted: !c.started,
            st: self.label(c.status),
            re: self.label(c.result),
            date: c.test_date,
            who: c.assigned.as_ref().map(|p| self.person(p)),
            action: c.action.map(|a| ActionData {
                priority: a.priority,
                notify: a.notify,
                notes: opt(self, a.notes),
            }),
            imp: opt(self, c.implementation),
            plan: opt(self, c.test_plan),
            resp: opt(self, c.management_response),
            docs: c.documents,
            fresh: c.fresh,
            class: self.class(index, &c.id, &c.synced),
            related: c.related,
            see: c.see_also,
            history: c.history,
            id: c.id,
        }
    }

    /// The script: one assignment of the JSON data, which `app.js` reads.
    pub(super) fn script(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = b"window.assureData = ".to_vec();
        serde_json::to_writer(&mut out, self)?;
        out.extend_from_slice(b";\n");
        Ok(out)
    }
}
