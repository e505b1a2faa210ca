//! Semantic checks over a loaded workspace (DESIGN.md §5), one file per rule family.
//! Rules push findings and never fail; they read no clock (the caller passes `today`).

mod controls;
pub mod evidence;
mod freshness;
pub mod links;
mod people;
mod structure;
pub mod sync;
mod testing;

use chrono::NaiveDate;

use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::repo::Workspace;
pub use structure::is_valid_id;

/// What every rule may read.
pub struct Context<'a> {
    pub ws: &'a Workspace,
    pub catalog: &'a Catalog,
    /// The current date, for "test date in the future" and evidence freshness.
    pub today: NaiveDate,
}

/// Runs every rule that needs no git base.
pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = check_repository(ctx);
    out.extend(check_assessments(ctx));
    out
}

/// The rules about `assure.yaml` and the groups (reading no assessment).
pub fn check_repository(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    people::check_config(ctx, &mut out);
    links::check(ctx, &mut out);
    structure::check_groups(ctx, &mut out);
    out
}

/// The rules about assessments. Each looks within one group at a time (sync classes
/// too), so a workspace holding some groups' assessments gets exactly their findings.
pub fn check_assessments(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    people::check_assessments(ctx, &mut out);
    structure::check_assessments(ctx, &mut out);
    controls::check(ctx, &mut out);
    evidence::check(ctx, &mut out);
    sync::check(ctx, &mut out);
    testing::check(ctx, &mut out);
    freshness::check(ctx, &mut out);
    out
}
