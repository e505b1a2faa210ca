//! The auditor's workbook (DESIGN.md §7.1). (Being written.)

use super::{ReportContext, ReportError};
use crate::ops::Project;
use crate::repo::AssessmentDoc;

/// The workbook of one assessment, as the bytes of an .xlsx file.
pub fn workbook(_project: &Project, _assessment: &AssessmentDoc, _ctx: &ReportContext) -> Result<Vec<u8>, ReportError> {
    Err(ReportError::Excel("not available yet".into()))
}
