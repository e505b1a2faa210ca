//! The use cases, returning data for the CLI to render: open a repository, validate it,
//! score assessments, filter controls, list action items, build the status dashboard.

pub mod actions;
pub mod asof;
pub mod assessment_view;
pub mod changes;
pub mod commands;
pub mod control;
mod cut;
pub mod demo;
pub mod edit;
pub mod export_oscal;
pub mod filter;
pub mod freshness;
pub mod gate;
pub mod generate;
pub mod group_wise;
pub mod history;
pub mod import_excel;
pub mod import_oscal;
pub mod independence;
pub mod init;
mod log_walk;
pub mod migrate;
pub mod notify;
pub mod people;
pub mod permissions;
pub mod project;
pub mod ratchet;
pub mod report;
pub mod review;
pub mod schemas;
pub mod score;
pub mod signatures;
pub mod status;
pub mod sync;
pub mod validate;
mod versions;

pub use project::Project;

/// Something a command names (an assessment, a control, a certification) that is not in
/// the repository; the message says what is there instead.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotFound(pub String);
