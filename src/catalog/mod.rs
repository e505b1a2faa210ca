//! The catalog: what can be assessed (DESIGN.md §2). Built from the built-in files
//! (compiled in from the top-level `catalog/`) plus the repository's own `catalog/`,
//! with every id indexed for lookup and the sync classes of `related` mappings computed
//! once (union–find over control references).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::model::{CatalogControl, Category, Certification, Coverage, Family, Service, Template};
use crate::repo::source::{FileId, SourceMap};
use crate::repo::yaml::Node;
use crate::repo::{CatalogDoc, Doc};
use crate::suggest::did_you_mean;

/// A sync class that joins more than this many controls is a warning.
pub const MAX_SYNC_CLASS: usize = 12;

#[derive(Debug)]
pub struct CertInfo {
    pub cert: Certification,
    pub file: FileId,
    /// control id → (family index, control index)
    index: HashMap<String, (usize, usize)>,
}

impl CertInfo {
    pub fn control(&self, id: &str) -> Option<(&Family, &CatalogControl)> {
        let &(f, c) = self.index.get(id)?;
        let family = &self.cert.families[f];
        Some((family, &family.controls[c]))
    }

    /// Every control in catalog order, with its family.
    pub fn controls(&self) -> impl Iterator<Item = (&Family, &CatalogControl)> {
        self.cert
            .families
            .iter()
            .flat_map(|f| f.controls.iter().map(move |c| (f, c)))
    }

    /// Which families an assessment that chooses the optional categories `chosen` covers:
    /// those without a category, those of a required one and those of a chosen one. The
    /// one rule of what an assessment holds: its controls ([`crate::ops::score::controls`])
    /// and its customer-managed controls ([`TemplateInfo::customer`]) both go through it.
    pub fn scope(&self, chosen: &[String]) -> Scope {
        if self.cert.categories.is_empty() {
            return Scope(Vec::new());
        }
        Scope(
            self.cert
                .families
                .iter()
                .map(|f| {
                    f.category.as_ref().is_none_or(|c| {
                        chosen.contains(c) || self.category(c).is_some_and(|c| c.required)
                    })
                })
                .collect(),
        )
    }

    /// The controls an assessment of `scope` covers, in catalog order, with their family.
    pub fn controls_in(&self, scope: Scope) -> impl Iterator<Item = (&Family, &CatalogControl)> {
        self.cert
            .families
            .iter()
            .enumerate()
            .filter(move |(i, _)| scope.covers(*i))
            .flat_map(|(_, f)| f.controls.iter().map(move |c| (f, c)))
    }

    /// The categories an assessment that chooses `chosen` covers: the required ones and
    /// those it chooses, in the certification's order.
    pub fn categories_in<'a>(&'a self, chosen: &'a [String]) -> impl Iterator<Item = &'a Category> {
        self.cert
            .categories
            .iter()
            .filter(|c| c.required || chosen.contains(&c.id))
    }

    /// The declared category `id`.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.cert.categories.iter().find(|c| c.id == id)
    }

    /// The optional category of control `id` that an assessment of `scope` does not
    /// cover, if it is one of those: the category to add for it.
    pub fn outside(&self, scope: &Scope, id: &str) -> Option<&str> {
        let &(f, _) = self.index.get(id)?;
        if scope.covers(f) {
            return None;
        }
        self.cert.families[f].category.as_deref()
    }

    pub fn control_ids(&self) -> impl Iterator<Item = &str> {
        self.controls().map(|(_, c)| c.id.as_str())
    }

    /// What to say of `id` when it is not one of these controls: the one message of every
    /// command that takes a control id, with the closest ids.
    pub fn not_a_control(&self, id: &str) -> String {
        format!(
            "`{id}` is not a control of {}; {}",
            self.cert.name,
            did_you_mean(id, self.control_ids())
        )
    }
}

/// Which families of a certification an assessment covers ([`CertInfo::scope`]), by
/// family index; empty when the certification has no categories (then all).
#[derive(Debug, Clone, Default)]
pub struct Scope(Vec<bool>);

impl Scope {
    /// Whether the family numbered `family` is covered.
    pub fn covers(&self, family: usize) -> bool {
        self.0.get(family).copied().unwrap_or(true)
    }
}

/// A customer-managed control of a template ([`TemplateInfo::customer`]).
#[derive(Debug, Clone)]
pub struct CustomerControl {
    /// The number of its sync class: equal numbers, same class; numbers in the order of
    /// the classes' keys ([`Catalog::class_key`]).
    pub class: u32,
    pub id: String,
    /// Its family's index in the certification.
    family: usize,
}

#[derive(Debug)]
pub struct TemplateInfo {
    pub template: Template,
    /// The template's file; for an implicit template, the certification's.
    pub file: FileId,
    /// Whether no template file exists for the pair: the catalog's implicit template, in
    /// which the provider manages nothing ([`Catalog::template`]).
    pub implicit: bool,
    /// The customer-managed controls (those of the certification the template does not
    /// list), sorted by id (as an assessment's `controls` are). Implicit templates of a
    /// certification share one list: all its controls.
    customer: Arc<[CustomerControl]>,
}

impl TemplateInfo {
    /// The customer-managed controls of an assessment that covers `scope`
    /// ([`CertInfo::scope`]), sorted by id (as an assessment's `controls` are): those of
    /// a category it does not cover are not part of it.
    pub fn customer(&self, scope: Scope) -> impl Iterator<Item = &CustomerControl> {
        self.customer.iter().filter(move |c| scope.covers(c.family))
    }
}

#[derive(Debug, Default)]
pub struct Catalog {
    pub services: BTreeMap<String, (Service, FileId)>,
    pub certifications: BTreeMap<String, CertInfo>,
    /// (service, certification) → template: the template files only.
    pub templates: BTreeMap<(String, String), TemplateInfo>,
    /// (service, certification) → the implicit template of a pair without a file
    /// ([`Catalog::template`]).
    implicit: HashMap<(String, String), TemplateInfo>,
    /// control reference → index into `classes`
    class_of: HashMap<String, usize>,
    /// sync classes from `related` mappings, each sorted
    classes: Vec<Vec<String>>,
    /// The key of every sync class (of `related` controls or of one control alone), by
    /// number: sorted, so numbers follow keys.
    class_keys: Vec<String>,
    /// control reference → informative links (other reference, coverage)
    informative: HashMap<String, Vec<(String, Coverage)>>,
}

/// Control ids in natural order: runs of digits compare as numbers, so AC-2 comes before
/// AC-10 and A.9.2.1 before A.10.1.1; other characters compare case-insensitively, and
/// ids equal so compare as plain strings.
pub fn id_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn digits(s: &[u8]) -> usize {
        s.iter().take_while(|b| b.is_ascii_digit()).count()
    }
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        let (m, n) = (digits(&x[i..]), digits(&y[j..]));
        let order = if m > 0 && n > 0 {
            // Leading zeros do not count; then the longer run is the larger number.
            let p = &x[i..i + m];
            let q = &y[j..j + n];
            let p = &p[p.iter().take_while(|&&d| d == b'0').count()..];
            let q = &q[q.iter().take_while(|&&d| d == b'0').count()..];
            let order = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
            (i, j) = (i + m, j + n);
            order
        } else {
            let order = x[i].to_ascii_lowercase().cmp(&y[j].to_ascii_lowercase());
            (i, j) = (i + 1, j + 1);
            order
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    (x.len() - i).cmp(&(y.len() - j)).then_with(|| a.cmp(b))
}

/// `certification:control`.
pub fn control_ref(cert: &str, control: &str) -> String {
    format!("{cert}:{control}")
}

impl Catalog {
    pub fn service_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.services.get(id).map_or(id, |(s, _)| s.name.as_str())
    }

    pub fn certification_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.certifications
            .get(id)
            .map_or(id, |c| c.cert.name.as_str())
    }

    /// The assessment's display name, "Office 365 - GDPR".
    pub fn assessment_name(&self, service: &str, certification: &str) -> String {
        format!(
            "{} - {}",
            self.service_name(service),
            self.certification_name(certification)
        )
    }

    /// The template of a service and certification: its file in the catalog, or, when
    /// both are known and there is none, the implicit template in which every control is
    /// customer-managed (no provider controls; in scope: the service alone, by name). So a
    /// certification imported a minute ago can be assessed at once, and every view
    /// (scores, rules, sync, reports, migrate) agrees on what such an assessment holds.
    /// A template file always wins; `None` only for an unknown service or certification.
    pub fn template(&self, service: &str, certification: &str) -> Option<&TemplateInfo> {
        let key = (service.to_owned(), certification.to_owned());
        self.templates.get(&key).or_else(|| self.implicit.get(&key))
    }

    /// The key of the sync class numbered `class` (see [`TemplateInfo::customer`]): its
    /// smallest control reference.
    pub fn class_key(&self, class: u32) -> &str {
        &self.class_keys[class as usize]
    }

    /// The other controls `related` to this one (its sync class without itself).
    pub fn related(&self, cert: &str, control: &str) -> Vec<&str> {
        let r = control_ref(cert, control);
        self.class_of.get(&r).map_or_else(Vec::new, |&i| {
            self.classes[i]
                .iter()
                .filter(|m| **m != r)
                .map(String::as_str)
                .collect()
        })
    }

    /// Informative ("see also") links of a control.
    pub fn informative(&self, cert: &str, control: &str) -> &[(String, Coverage)] {
        self.informative
            .get(&control_ref(cert, control))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether `cert:control` exists.
    pub fn has_ref(&self, reference: &str) -> bool {
        reference
            .split_once(':')
            .and_then(|(cert, id)| {
                self.certifications
                    .get(cert)
                    .map(|c| c.index.contains_key(id))
            })
            .unwrap_or(false)
    }

    /// Builds the catalog from its files, reporting duplicate ids, names that disagree
    /// with file names, and references to things that do not exist.
    pub fn build(docs: &[CatalogDoc], sources: &SourceMap) -> (Catalog, Vec<Diagnostic>) {
        let mut cat = Catalog::default();
        let mut out = Vec::new();
        for doc in docs {
            match doc {
                CatalogDoc::Services(d) => cat.add_services(d, sources, &mut out),
                CatalogDoc::Certification(d) => cat.add_certification(d, sources, &mut out),
                CatalogDoc::Template(_) | CatalogDoc::Mapping(_) => {}
            }
        }
        for doc in docs {
            match doc {
                CatalogDoc::Template(d) => {
                    cat.add_template(d, &file_stem(sources, d.file), sources, &mut out)
                }
                CatalogDoc::Mapping(d) => cat.add_mapping(d, &mut out),
                _ => {}
            }
        }
        cat.finish_classes(docs, &mut out);
        (cat, out)
    }

    /// Adds the services of `services.yaml`, reporting an id listed twice.
    fn add_services(
        &mut self,
        d: &Doc<crate::model::ServicesFile>,
        sources: &SourceMap,
        out: &mut Vec<Diagnostic>,
    ) {
        for (i, s) in d.value.services.iter().enumerate() {
            let span = value_span(&d.node, &["services", &i.to_string(), "id"]);
            if let Some((_, first)) = self.services.get(&s.id) {
                out.push(duplicate("service", &s.id, d.file, span, *first, sources));
            } else {
                self.services.insert(s.id.clone(), (s.clone(), d.file));
            }
        }
    }

    /// Adds a certification, reporting a file named otherwise, a certification defined
    /// twice and a control defined twice in it.
    fn add_certification(
        &mut self,
        d: &Doc<crate::model::Certification>,
        sources: &SourceMap,
        out: &mut Vec<Diagnostic>,
    ) {
        let id = &d.value.id;
        let stem = file_stem(sources, d.file);
        if stem != *id {
            out.push(
                Diagnostic::new(
                    Code::CatalogFileName,
                    format!("certification `{id}` is in a file named `{stem}.yaml`"),
                )
                .at(d.file, value_span(&d.node, &["id"]), "the id")
                .help(format!(
                    "name the file `{id}.yaml`, or change `id` to match the file"
                )),
            );
        }
        if let Some(first) = self.certifications.get(id) {
            out.push(duplicate(
                "certification",
                id,
                d.file,
                value_span(&d.node, &["id"]),
                first.file,
                sources,
            ));
            return;
        }
        check_categories(d, out);
        let index = control_index(d, out);
        self.certifications.insert(
            id.clone(),
            CertInfo {
                cert: d.value.clone(),
                file: d.file,
                index,
            },
        );
    }

    fn add_template(
        &mut self,
        d: &Doc<Template>,
        stem: &str,
        sources: &SourceMap,
        out: &mut Vec<Diagnostic>,
    ) {
        let t = &d.value;
        let expected = format!("{}--{}", t.service, t.certification);
        check_template_name(d, stem, &expected, out);
        if !self.services.contains_key(&t.service) {
            out.push(unknown_service(
                &t.service,
                d.file,
                value_span(&d.node, &["service"]),
                self,
            ));
        }
        let Some(cert) = self.certifications.get(&t.certification) else {
            out.push(unknown_certification(
                &t.certification,
                d.file,
                value_span(&d.node, &["certification"]),
                self,
            ));
            return;
        };
        check_provider_controls(d, cert, out);
        let key = (t.service.clone(), t.certification.clone());
        if let Some(first) = self.templates.get(&key) {
            out.push(duplicate(
                "template",
                &expected,
                d.file,
                value_span(&d.node, &["service"]),
                first.file,
                sources,
            ));
            return;
        }
        self.templates.insert(
            key,
            TemplateInfo {
                template: t.clone(),
                file: d.file,
                implicit: false,
                customer: Arc::from(Vec::new()),
            },
        );
    }

    fn add_mapping(&mut self, d: &Doc<crate::model::Mapping>, out: &mut Vec<Diagnostic>) {
        for (si, set) in d.value.related.iter().enumerate() {
            let members: Vec<String> = set
                .iter()
                .enumerate()
                .filter(|(mi, r)| {
                    self.check_ref(
                        d,
                        r,
                        &["related".into(), si.to_string(), mi.to_string()],
                        out,
                    )
                })
                .map(|(_, r)| r.clone())
                .collect();
            self.union(&members);
        }
        for (i, link) in d.value.informative.iter().enumerate() {
            let from_ok = self.check_ref(
                d,
                &link.from,
                &["informative".into(), i.to_string(), "from".into()],
                out,
            );
            let to_ok = self.check_ref(
                d,
                &link.to,
                &["informative".into(), i.to_string(), "to".into()],
                out,
            );
            if from_ok && to_ok {
                self.informative
                    .entry(link.from.clone())
                    .or_default()
                    .push((link.to.clone(), link.coverage));
                self.informative
                    .entry(link.to.clone())
                    .or_default()
                    .push((link.from.clone(), link.coverage));
            }
        }
    }

    /// Whether a mapping's reference exists; pushes a finding when it does not.
    fn check_ref(
        &self,
        d: &Doc<crate::model::Mapping>,
        r: &str,
        path: &[String],
        out: &mut Vec<Diagnostic>,
    ) -> bool {
        if self.has_ref(r) {
            return true;
        }
        let (cert, id) = r.split_once(':').unwrap_or((r, ""));
        let help = match self.certifications.get(cert) {
            Some(c) => did_you_mean(id, c.control_ids()),
            None => format!(
                "there is no certification `{cert}`; known: {}",
                self.certifications
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push(
            Diagnostic::new(
                Code::MappingUnknownControl,
                format!("`{r}` is not a control in the catalog"),
            )
            .at(d.file, value_span(&d.node, path), "unknown control")
            .help(help),
        );
        false
    }

    /// Joins `members` into one class, merging the classes they already belong to.
    fn union(&mut self, members: &[String]) {
        if members.len() < 2 {
            return;
        }
        let existing: BTreeSet<usize> = members
            .iter()
            .filter_map(|m| self.class_of.get(m).copied())
            .collect();
        let target = match existing.first() {
            Some(&t) => t,
            None => {
                self.classes.push(Vec::new());
                self.classes.len() - 1
            }
        };
        for &other in existing.iter().skip(1) {
            let moved = std::mem::take(&mut self.classes[other]);
            for m in &moved {
                self.class_of.insert(m.clone(), target);
            }
            self.classes[target].extend(moved);
        }
        for m in members {
            if self.class_of.insert(m.clone(), target) != Some(target) {
                self.classes[target].push(m.clone());
            }
        }
    }

    /// Numbers the sync class of every control, in the order of the classes' keys (so
    /// sorting by number sorts by key), and lists each template's customer-managed
    /// controls with them: sync classes are then found by sorting numbers rather than by
    /// looking up and hashing control references.
    fn number_classes(&mut self) {
        // Every control's class key: the smallest reference of its `related` class, or
        // its own reference.
        let mut keyed: Vec<(String, &str, &str)> = Vec::new();
        for (cert, info) in &self.certifications {
            for (_, control) in info.controls() {
                let reference = control_ref(cert, &control.id);
                let key = match self.class_of.get(&reference) {
                    Some(&i) => self.classes[i][0].clone(),
                    None => reference,
                };
                keyed.push((key, cert, &control.id));
            }
        }
        let mut keys: Vec<String> = keyed.iter().map(|(k, _, _)| k.clone()).collect();
        keys.sort_unstable();
        keys.dedup();
        let numbers: HashMap<(&str, &str), u32> = keyed
            .iter()
            .map(|(key, cert, control)| {
                let number = keys.binary_search(key).expect("listed");
                (
                    (*cert, *control),
                    u32::try_from(number).expect("fewer than 2^32 classes"),
                )
            })
            .collect();
        for ((_, cert), info) in &mut self.templates {
            if let Some(cert_info) = self.certifications.get(cert) {
                info.customer =
                    customer_controls(cert, cert_info, &info.template.provider_controls, &numbers);
            }
        }
        self.implicit = self.implicit_templates(&numbers);
        self.class_keys = keys;
    }

    /// The implicit template of every known pair without a template file (see
    /// [`Catalog::template`]). Its customer list (every control) is built once per
    /// certification and shared.
    fn implicit_templates(
        &self,
        numbers: &HashMap<(&str, &str), u32>,
    ) -> HashMap<(String, String), TemplateInfo> {
        let mut implicit = HashMap::new();
        for (cert, cert_info) in &self.certifications {
            let mut all: Option<Arc<[CustomerControl]>> = None;
            for (service, (svc, _)) in &self.services {
                let key = (service.clone(), cert.clone());
                if self.templates.contains_key(&key) {
                    continue;
                }
                let customer = all
                    .get_or_insert_with(|| {
                        customer_controls(cert, cert_info, &BTreeMap::new(), numbers)
                    })
                    .clone();
                let template = Template {
                    service: service.clone(),
                    certification: cert.clone(),
                    in_scope_services: vec![svc.name.clone()],
                    provider_controls: BTreeMap::new(),
                };
                implicit.insert(
                    key,
                    TemplateInfo {
                        template,
                        file: cert_info.file,
                        implicit: true,
                        customer,
                    },
                );
            }
        }
        implicit
    }

    fn finish_classes(&mut self, docs: &[CatalogDoc], out: &mut Vec<Diagnostic>) {
        for class in &mut self.classes {
            class.sort();
            class.dedup();
        }
        self.number_classes();
        for v in self.informative.values_mut() {
            v.sort();
            v.dedup();
        }
        for class in self.classes.iter().filter(|c| c.len() > MAX_SYNC_CLASS) {
            // Locate the warning at the first related set that contributes to it.
            let place = docs.iter().find_map(|doc| match doc {
                CatalogDoc::Mapping(d) => d
                    .value
                    .related
                    .iter()
                    .position(|s| s.iter().any(|m| class.contains(m)))
                    .map(|i| (d.file, value_span(&d.node, &["related", &i.to_string()]))),
                _ => None,
            });
            let mut diag = Diagnostic::new(
                Code::SyncClassTooLarge,
                format!("`related` mappings join {} controls into one sync class ({} …)", class.len(), class.iter().take(4).cloned().collect::<Vec<_>>().join(", ")),
            )
            .help("keep `related` for curated one-to-one equivalences and move crosswalks to `informative`");
            if let Some((file, span)) = place {
                diag = diag.at(file, span, "part of the class");
            }
            out.push(diag);
        }
    }
}

/// The customer-managed controls of a template of `cert` (sorted by id): the
/// certification's controls that `provider` does not list, each with its sync class
/// number.
fn customer_controls(
    cert: &str,
    cert_info: &CertInfo,
    provider: &BTreeMap<String, crate::model::ProviderControl>,
    numbers: &HashMap<(&str, &str), u32>,
) -> Arc<[CustomerControl]> {
    let mut list: Vec<CustomerControl> = cert_info
        .cert
        .families
        .iter()
        .enumerate()
        .flat_map(|(family, f)| f.controls.iter().map(move |c| (family, c)))
        .filter(|(_, c)| !provider.contains_key(&c.id))
        .map(|(family, c)| CustomerControl {
            class: numbers[&(cert, c.id.as_str())],
            id: c.id.clone(),
            family,
        })
        .collect();
    list.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    Arc::from(list)
}

/// The span of the value at `path`, or of the nearest part of it that exists.
pub fn value_span<S: AsRef<str>>(root: &Node, path: &[S]) -> std::ops::Range<usize> {
    root.walk(path).0.span.clone()
}

/// The span of the key of the entry at `path` (the value's span if it has no key).
pub fn key_span<S: AsRef<str>>(root: &Node, path: &[S]) -> std::ops::Range<usize> {
    let (node, entry, found) = root.walk(path);
    match entry {
        Some(e) if found => e.key_span.clone(),
        _ => node.span.clone(),
    }
}

/// The name of a catalog file without its folder and `.yaml`.
fn file_stem(sources: &SourceMap, file: FileId) -> String {
    let path = sources.path(file);
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".yaml")
        .to_owned()
}

/// The index of a certification's controls (id → family and position), reporting an id
/// defined twice.
fn control_index(
    d: &Doc<crate::model::Certification>,
    out: &mut Vec<Diagnostic>,
) -> HashMap<String, (usize, usize)> {
    let id = &d.value.id;
    let mut index = HashMap::new();
    for (fi, family) in d.value.families.iter().enumerate() {
        for (ci, control) in family.controls.iter().enumerate() {
            if index.insert(control.id.clone(), (fi, ci)).is_some() {
                let span = value_span(
                    &d.node,
                    &[
                        "families",
                        &fi.to_string(),
                        "controls",
                        &ci.to_string(),
                        "id",
                    ],
                );
                out.push(
                    Diagnostic::new(
                        Code::DuplicateCatalogId,
                        format!(
                            "control `{}` is defined twice in certification `{id}`",
                            control.id
                        ),
                    )
                    .at(d.file, span, "second definition")
                    .help("control ids must be unique within a certification"),
                );
            }
        }
    }
    index
}

/// Reports a family whose category the certification does not declare.
fn check_categories(d: &Doc<crate::model::Certification>, out: &mut Vec<Diagnostic>) {
    let declared: Vec<&str> = d.value.categories.iter().map(|c| c.id.as_str()).collect();
    for (fi, family) in d.value.families.iter().enumerate() {
        let Some(category) = &family.category else {
            continue;
        };
        if declared.contains(&category.as_str()) {
            continue;
        }
        let help = if declared.is_empty() {
            "the certification declares no `categories:`; declare it there (`- id: …, name: …`), or remove the family's `category`".to_owned()
        } else {
            format!(
                "{}; or declare it in the certification's `categories:`",
                did_you_mean(category, declared.iter().copied())
            )
        };
        out.push(
            Diagnostic::new(
                Code::UnknownCategory,
                format!(
                    "family `{}` names category `{category}`, which certification `{}` does not declare",
                    family.name, d.value.id
                ),
            )
            .at(
                d.file,
                value_span(&d.node, &["families", &fi.to_string(), "category"]),
                "undeclared category",
            )
            .help(help),
        );
    }
}

/// Reports a template whose file is not named `<service>--<certification>.yaml`
/// (`expected`).
fn check_template_name(d: &Doc<Template>, stem: &str, expected: &str, out: &mut Vec<Diagnostic>) {
    let t = &d.value;
    if stem != expected {
        out.push(
            Diagnostic::new(
                Code::CatalogFileName,
                format!(
                    "the template for ({}, {}) is in a file named `{stem}.yaml`",
                    t.service, t.certification
                ),
            )
            .at(
                d.file,
                value_span(&d.node, &["service"]),
                "service and certification name the file",
            )
            .help(format!("name the file `{expected}.yaml`")),
        );
    }
}

/// Reports a template's provider controls that are not controls of its certification.
fn check_provider_controls(d: &Doc<Template>, cert: &CertInfo, out: &mut Vec<Diagnostic>) {
    let t = &d.value;
    for id in t.provider_controls.keys() {
        if cert.control(id).is_none() {
            out.push(
                Diagnostic::new(
                    Code::TemplateUnknownControl,
                    format!(
                        "provider control `{id}` is not a control of `{}`",
                        t.certification
                    ),
                )
                .at(
                    d.file,
                    key_span(&d.node, &["provider_controls", id]),
                    "unknown control",
                )
                .help(did_you_mean(id, cert.control_ids())),
            );
        }
    }
}

fn duplicate(
    what: &str,
    id: &str,
    file: FileId,
    span: std::ops::Range<usize>,
    first: FileId,
    sources: &SourceMap,
) -> Diagnostic {
    Diagnostic::new(Code::DuplicateCatalogId, format!("{what} `{id}` is defined twice (first in `{}`)", sources.path(first)))
        .at(file, span, "defined again here")
        .help("catalog ids must be unique across the built-in catalog and the repository's `catalog/`; rename or remove one")
}

pub fn unknown_service(
    id: &str,
    file: FileId,
    span: std::ops::Range<usize>,
    cat: &Catalog,
) -> Diagnostic {
    Diagnostic::new(Code::UnknownService, format!("unknown service `{id}`"))
        .at(file, span, "not in the catalog")
        .help(did_you_mean(id, cat.services.keys().map(String::as_str)))
}

pub fn unknown_certification(
    id: &str,
    file: FileId,
    span: std::ops::Range<usize>,
    cat: &Catalog,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownCertification,
        format!("unknown certification `{id}`"),
    )
    .at(file, span, "not in the catalog")
    .help(did_you_mean(
        id,
        cat.certifications.keys().map(String::as_str),
    ))
}

#[cfg(test)]
mod order_tests {
    use super::id_cmp;

    #[test]
    fn control_ids_sort_naturally() {
        let mut ids = vec![
            "AC-20", "AC-2(10)", "AC-10", "AC-2(1)", "AC-2", "A.10.1.1", "A.9.2.1", "ac-3",
            "6.10.1.2", "6.2.1.1", "AC-02",
        ];
        ids.sort_by(|a, b| id_cmp(a, b));
        assert_eq!(
            ids,
            [
                "6.2.1.1", "6.10.1.2", "A.9.2.1", "A.10.1.1", "AC-02", "AC-2", "AC-2(1)",
                "AC-2(10)", "ac-3", "AC-10", "AC-20",
            ]
        );
    }
}
