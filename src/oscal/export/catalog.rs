//! A certification as an OSCAL catalog (issue 20): not written yet.

use serde_json::Value;

use super::Origin;
use crate::model::Certification;

/// The catalog of `cert`, or why it cannot be one.
pub fn build(cert: &Certification, origin: &Origin) -> Result<Value, String> {
    let _ = (cert, origin);
    Err("not written yet".into())
}
