//! The static report site (DESIGN.md §7.2). (Being written.)

use std::collections::BTreeMap;

use super::{ReportContext, ReportError};
use crate::ops::Project;

/// Options of `assure report site`.
#[derive(Debug, Clone, Default)]
pub struct SiteOptions {
    /// The guest's site: catalog and provider-managed controls only.
    pub public: bool,
}

/// Every file of the site: relative path → content. `progress(done, total)` is called
/// as pages are rendered.
pub fn render(_project: &Project, _ctx: &ReportContext, _opts: &SiteOptions, _progress: &dyn Fn(usize, usize)) -> Result<BTreeMap<String, Vec<u8>>, ReportError> {
    Err(ReportError::Template("not available yet".into()))
}
