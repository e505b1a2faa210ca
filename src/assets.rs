//! Built-in assets compiled into the binary: the catalog (top-level `catalog/`) and the
//! JSON Schemas (top-level `schemas/`). `build.rs` lists the folders.

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The text of schema `name` (`config`, `assessment`, …; the kinds are listed once, in
/// [`crate::schema::Kind`]).
pub fn schema(name: &str) -> Option<&'static str> {
    let path = format!("schemas/{name}.schema.json");
    SCHEMA_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}
