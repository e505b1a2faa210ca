//! Helpers shared by the fuzz targets: which file kind a selector byte means, where a
//! file of that kind lives in a repository, and the checks every finding must pass.

use assure::diag::{self, Diagnostic, Label};
use assure::repo::source::SourceMap;
use assure::schema::Kind;

/// The file kinds, in the order a selector byte picks them (`byte % 7`): the library's
/// own order (config, group, assessment, services, certification, template, mapping),
/// which the corpora's first bytes rely on.
pub const KINDS: [Kind; 7] = Kind::ALL;

/// The kind a selector byte picks.
pub fn kind(selector: u8) -> Kind {
    KINDS[usize::from(selector) % KINDS.len()]
}

/// Where a file of `kind` goes in a copy of `tests/fixtures/base`: the real file for the
/// kinds the fixture has (so the fuzzed file replaces it), a new file for the others.
pub fn path_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Config => "assure.yaml",
        Kind::Group => "groups/default-group/group.yaml",
        Kind::Assessment => "groups/default-group/office-365--gdpr.yaml",
        Kind::Services => "catalog/services.yaml",
        Kind::Certification => "catalog/certifications/fuzz-policy.yaml",
        Kind::Template => "catalog/templates/office-365--fuzz-policy.yaml",
        Kind::Mapping => "catalog/mappings/fuzz.yaml",
    }
}

/// Every label must point inside its file, on character boundaries, so that any renderer
/// can cut out and show the text it points at.
pub fn check_label(sources: &SourceMap, label: &Label, d: &Diagnostic) {
    let text = &sources.get(label.file).text;
    let span = &label.span;
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "span {span:?} outside a file of {} bytes: {d:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "span {span:?} cuts a character: {d:?}"
    );
}

/// Checks every finding's labels and renders the findings in every output format, as
/// `assure validate --format …` would.
pub fn check_and_render(sources: &SourceMap, diagnostics: &mut Vec<Diagnostic>) {
    for d in diagnostics.iter() {
        assert!(!d.message.is_empty(), "a finding without a message: {d:?}");
        for label in d.primary.iter().chain(&d.secondary) {
            check_label(sources, label, d);
        }
    }
    diag::sort(sources, diagnostics);
    let mut out = Vec::new();
    diag::human::render(&mut out, sources, diagnostics, false).expect("writes to memory");
    diag::human::render(&mut out, sources, diagnostics, true).expect("writes to memory");
    diag::json::render(&mut out, sources, diagnostics).expect("writes to memory");
    diag::github::render(&mut out, sources, diagnostics).expect("writes to memory");
    diag::sarif::render(&mut out, sources, diagnostics).expect("writes to memory");
}
