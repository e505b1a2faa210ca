//! `assure`: compliance as code.
//!
//! A compliance team keeps its assessment groups, assessments, control statuses, action
//! items and evidence as YAML files in a git repository. This library reads such a
//! repository, checks it, and computes what the command-line tool shows.
//!
//! Data flows `repo` (read files into spanned YAML) → `model` (typed data) → `rules` and
//! `ops` (pure logic) → `diag` and `cli` (rendering). `catalog` holds the built-in catalog
//! and the lookup over built-in plus repository catalogs; `oscal` imports NIST OSCAL.

pub mod assets;
pub mod catalog;
pub mod cli;
pub mod diag;
pub mod edit;
pub mod git;
pub mod model;
pub mod ops;
pub mod oscal;
pub mod repo;
pub mod report;
pub mod rules;
pub mod schema;
pub mod suggest;
pub mod text;
