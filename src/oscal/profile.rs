//! An OSCAL profile: which controls of which catalog it selects.
//!
//! Only the `imports` of a profile are read. `merge` (how to combine several imports) and
//! `modify` (parameter settings, alterations of control text) are ignored: a certification
//! holds ids, titles and statements, and the statements are taken as the catalog writes
//! them, so a profile that tailors parameter values imports with the catalog's wording.

use std::collections::BTreeSet;

use super::catalog::Catalog;
use super::raw::{self, Selector};
use super::{DocumentKind, Metadata, OscalError};

/// A parsed OSCAL profile: its metadata and what each import selects.
///
/// `merge` and `modify` are not read: the selection is the union of the imports, and
/// control text, parameters and properties are the catalog's own, untailored.
#[derive(Debug, Clone)]
pub struct Profile {
    file: String,
    metadata: Metadata,
    imports: Vec<Import>,
}

/// One `imports[]` entry of a profile.
#[derive(Debug, Clone)]
pub struct Import {
    /// The `href` as written (`#uuid`, a relative path or a URL).
    pub href: String,
    /// Where the imported document may be found, best first: `href` itself, or for a
    /// `#uuid` href the `rlinks[].href` of that back-matter resource (JSON, then YAML,
    /// then any other media type, each group in document order).
    pub locations: Vec<String>,
    include_all: bool,
    include: Vec<Selector>,
    exclude: Vec<Selector>,
}

impl Profile {
    pub(crate) fn new(file: &str, raw: raw::Profile) -> Result<Self, OscalError> {
        let metadata = Metadata::from_raw(&raw.metadata, file);
        let resources = raw.back_matter.map(|b| b.resources).unwrap_or_default();
        let invalid = |message: String| OscalError::Invalid {
            file: file.to_string(),
            kind: DocumentKind::Profile,
            message,
        };
        if raw.imports.is_empty() {
            return Err(invalid("the profile has no `imports`".into()));
        }
        let mut imports = Vec::new();
        for (n, i) in raw.imports.into_iter().enumerate() {
            let href = i.href.0.trim().to_string();
            let locations = match href.strip_prefix('#') {
                Some(uuid) => {
                    let resource = resources
                        .iter()
                        .find(|r| r.uuid.0.trim() == uuid)
                        .ok_or_else(|| OscalError::UnresolvedImport {
                            file: file.to_string(),
                            href: href.clone(),
                            reason: "no resource in `back-matter` has this uuid".into(),
                        })?;
                    let mut links: Vec<(u8, String)> = resource
                        .rlinks
                        .iter()
                        .map(|l| (media_rank(l), l.href.0.trim().to_string()))
                        .collect();
                    links.sort_by_key(|(rank, _)| *rank);
                    let links: Vec<String> = links.into_iter().map(|(_, h)| h).collect();
                    if links.is_empty() {
                        return Err(OscalError::UnresolvedImport {
                            file: file.to_string(),
                            href,
                            reason: "its back-matter resource has no `rlinks`".into(),
                        });
                    }
                    links
                }
                None => vec![href.clone()],
            };
            if i.include_all.is_none() && i.include_controls.is_empty() {
                return Err(invalid(format!(
                    "import {} (`{href}`) has neither `include-all` nor `include-controls`",
                    n + 1
                )));
            }
            imports.push(Import {
                href,
                locations,
                include_all: i.include_all.is_some(),
                include: i.include_controls,
                exclude: i.exclude_controls,
            });
        }
        Ok(Profile {
            file: file.to_string(),
            metadata,
            imports,
        })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The profile's imports, in document order.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// The OSCAL ids of the controls this profile selects from `catalog`: the union over
    /// every import, each import's includes minus its excludes. An id that an include
    /// names but the catalog lacks is an error; excludes may name anything.
    pub fn select(&self, catalog: &Catalog) -> Result<BTreeSet<String>, OscalError> {
        let mut out = BTreeSet::new();
        for index in 0..self.imports.len() {
            out.extend(self.select_import(index, catalog, None)?);
        }
        Ok(out)
    }

    /// What import `index` selects from `catalog`, among `within` if given (the controls
    /// an imported profile selected, when this profile imports a profile).
    pub fn select_import(
        &self,
        index: usize,
        catalog: &Catalog,
        within: Option<&BTreeSet<String>>,
    ) -> Result<BTreeSet<String>, OscalError> {
        let Some(import) = self.imports.get(index) else {
            return Ok(BTreeSet::new());
        };
        let available = |id: &str| catalog.contains(id) && within.is_none_or(|w| w.contains(id));
        let mut selected = BTreeSet::new();
        if import.include_all {
            selected.extend(
                catalog
                    .control_ids()
                    .iter()
                    .filter(|id| available(id))
                    .cloned(),
            );
        }
        for selector in &import.include {
            for id in &selector.with_ids {
                let id = id.0.trim();
                if !catalog.contains(id) {
                    return Err(OscalError::UnknownControl {
                        file: self.file.clone(),
                        id: id.to_string(),
                        catalog: catalog.file().to_string(),
                    });
                }
            }
            selected.extend(
                matches(selector, catalog)
                    .into_iter()
                    .filter(|id| available(id)),
            );
        }
        for selector in &import.exclude {
            for id in matches(selector, catalog) {
                selected.remove(&id);
            }
        }
        Ok(selected)
    }
}

/// The catalog ids a selector names: its `with-ids` and the ids its `matching` patterns
/// match, plus their descendants when `with-child-controls` is `yes`.
fn matches(selector: &Selector, catalog: &Catalog) -> Vec<String> {
    let mut direct: Vec<String> = selector
        .with_ids
        .iter()
        .map(|id| id.0.trim().to_string())
        .filter(|id| catalog.contains(id))
        .collect();
    let patterns: Vec<&str> = selector
        .matching
        .iter()
        .filter_map(|m| m.pattern.as_ref().map(|p| p.0.trim()))
        .collect();
    if !patterns.is_empty() {
        direct.extend(
            catalog
                .control_ids()
                .iter()
                .filter(|id| patterns.iter().any(|p| glob(p, id)))
                .cloned(),
        );
    }
    let children = selector
        .with_child_controls
        .as_ref()
        .is_some_and(|w| matches!(w.0.trim(), "yes" | "true"));
    if !children {
        return direct;
    }
    let mut out = Vec::new();
    for id in direct {
        catalog.with_descendants(&id, &mut out);
    }
    out
}

/// JSON first, then YAML, then anything else (XML, which we cannot read, last).
fn media_rank(link: &raw::Rlink) -> u8 {
    let media = link.media_type.as_ref().map(|m| m.0.as_str()).unwrap_or("");
    let href = link.href.0.to_ascii_lowercase();
    if media.ends_with("json") || href.ends_with(".json") {
        0
    } else if media.ends_with("yaml") || href.ends_with(".yaml") || href.ends_with(".yml") {
        1
    } else {
        2
    }
}

/// A glob over the whole id: `*` any run of characters, `?` any one character.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with backtracking to the last `*`: linear in practice.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("ac-*", "ac-2.1"));
        assert!(glob("*.1", "ac-2.1"));
        assert!(glob("ac-?", "ac-2"));
        assert!(!glob("ac-?", "ac-22"));
        assert!(glob("*", ""));
        assert!(!glob("ac-*", "sc-13"));
        assert!(glob("a*b*c", "aXXbYYc"));
    }
}
