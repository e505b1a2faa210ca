//! The catalog (DESIGN.md §2): services, certifications, templates and mappings.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::assessment::{Status, TestResult};

/// `catalog/services.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicesFile {
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `catalog/certifications/<id>.yaml`: a certification or regulation and its controls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What the certification calls a group of controls ("Clause", "Family"); see
    /// [`Certification::family_term`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_term: Option<String>,
    /// What the certification calls the references a control lists in `articles`
    /// ("Article"); see [`Certification::reference_term`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_term: Option<String>,
    /// The categories an assessment may choose among (SOC 2's trust services
    /// categories); families name theirs. None: every family is always assessed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    pub families: Vec<Family>,
}

/// A category of families that an assessment covers when it chooses it (its
/// `categories:`), or always when it is `required`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

impl Certification {
    /// The word for a control family in every output (CLI, site, workbook, JSON):
    /// the certification's own (`family_term`), else "Family".
    pub fn family_term(&self) -> &str {
        self.family_term.as_deref().unwrap_or("Family")
    }

    /// [`Certification::family_term`] in the plural, for counts and headings: "Families",
    /// "Clauses", "Categories", "Series".
    pub fn families_term(&self) -> String {
        let term = self.family_term();
        match term.strip_suffix('y') {
            Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
            _ if term.ends_with('s') => term.to_owned(),
            _ => format!("{term}s"),
        }
    }

    /// The word for a control's references (its `articles`), or `None` when no control
    /// of the certification lists any: then no output offers a reference column or
    /// filter. The certification's own word (`reference_term`), else "Reference".
    pub fn reference_term(&self) -> Option<&str> {
        let any = self
            .families
            .iter()
            .any(|f| f.controls.iter().any(|c| !c.articles.is_empty()));
        any.then(|| self.reference_term.as_deref().unwrap_or("Reference"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub name: String,
    /// The id of the category the family belongs to (one of the certification's
    /// `categories`); none: the family is always assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub controls: Vec<CatalogControl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogControl {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub articles: Vec<String>,
    pub score: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Facts about the control to filter by, attribute name to values, e.g.
    /// `control-type: [preventive]` (ISO/IEC 27002:2022's attributes). Any certification
    /// may declare any; the names and values a certification's controls use are the ones
    /// `assure controls --attribute` knows.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Examples of how the control may be met (NIST CSF's implementation examples), in
    /// the publication's order; informative, never required.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
}

/// Control attributes as the filter writes them, `name=value,value`, one name after the
/// other: `control-type=preventive security-property=confidentiality,integrity`.
pub fn attributes_line(attributes: &BTreeMap<String, Vec<String>>) -> String {
    attributes
        .iter()
        .map(|(name, values)| format!("{name}={}", values.join(",")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `catalog/templates/<service>--<certification>.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub service: String,
    pub certification: String,
    pub in_scope_services: Vec<String>,
    pub provider_controls: BTreeMap<String, ProviderControl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderControl {
    pub status: Status,
    pub test_date: NaiveDate,
    pub test_result: TestResult,
    pub tested_by: String,
    pub description: String,
}

/// `catalog/mappings/<name>.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub related: Vec<Vec<String>>,
    #[serde(default)]
    pub informative: Vec<Informative>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Informative {
    pub from: String,
    pub to: String,
    pub coverage: Coverage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    Full,
    Partial,
}
