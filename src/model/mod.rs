//! Typed data of every file kind (DESIGN.md §1–§2): pure serde types, no I/O.
//!
//! Field names and spellings are exactly those of the YAML files. Every struct denies
//! unknown fields; the JSON Schemas in `schemas/` say the same thing with positions, and
//! run first, so these types only see input that already passed its schema.

pub mod assessment;
pub mod catalog;
pub mod config;

pub use assessment::Freshness;
pub use assessment::{
    Action, Assessment, ControlRecord, Document, NOT_STARTED, NOT_TESTED, Priority, Purpose,
    Status, TestResult,
};
pub use catalog::{
    CatalogControl, Category, Certification, Coverage, Family, Informative, Mapping,
    ProviderControl, Service, ServicesFile, Template,
};
pub use config::{Config, Group, Person, Role, SyncField};
