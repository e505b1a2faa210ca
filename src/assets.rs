//! Built-in assets compiled into the binary: the catalog (top-level `catalog/`) and the
//! JSON Schemas (top-level `schemas/`). `build.rs` lists the folders.

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The names `assure schema NAME` accepts, with the file kind each describes.
pub const SCHEMA_KINDS: &[(&str, &str)] = &[
    ("config", "assure.yaml"),
    ("group", "groups/<group-id>/group.yaml"),
    (
        "assessment",
        "groups/<group-id>/<service>--<certification>.yaml",
    ),
    ("services", "catalog/services.yaml"),
    ("certification", "catalog/certifications/<id>.yaml"),
    (
        "template",
        "catalog/templates/<service>--<certification>.yaml",
    ),
    ("mapping", "catalog/mappings/<name>.yaml"),
];

/// The text of schema `name` (`config`, `assessment`, …).
pub fn schema(name: &str) -> Option<&'static str> {
    let path = format!("schemas/{name}.schema.json");
    SCHEMA_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}
