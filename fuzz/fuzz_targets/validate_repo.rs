//! One repository file of any kind through the real loader and every rule: the fuzzed
//! text replaces (or adds) the file of that kind in a copy of `tests/fixtures/base`,
//! given to the loader as an in-memory overlay, then the repository is validated as
//! `assure validate` does, the findings are rendered in every format, and the status
//! dashboard and scores are computed. With the first byte's high bit set, the file is
//! written to disk instead (any bytes, UTF-8 or not) and the repository is validated the
//! way `assure validate` does, one group at a time (`ops::validate_repository`). The
//! first byte's low bits pick the kind (`byte % 7` of `byte & 0x7f`, see
//! `assure_fuzz::KINDS`); the rest is the file's content.
//!
//! Invariants: no panic, no hang; loading never fails on content; every finding is
//! located inside a file and renders.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use assure::ops::{self, Project};
use assure::repo::Overlay;
use libfuzzer_sys::fuzz_target;

/// A copy of the base fixture, made once per process. The overlay never writes to it.
fn root() -> &'static PathBuf {
    static ROOT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &ROOT
        .get_or_init(|| {
            // One core: the loader parses with rayon, and the machine is shared.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build_global();
            let dir = tempfile::tempdir().expect("a temporary folder");
            let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/base");
            copy(&base, dir.path());
            let root = dir.path().to_owned();
            (dir, root)
        })
        .1
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("fixture exists") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy fixture file");
        }
    }
}

/// The fixture's own content of a repository-relative path, if it has that file.
fn original(path: &str) -> Option<Vec<u8>> {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/base");
    std::fs::read(base.join(path)).ok()
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date")
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = assure_fuzz::kind(selector & 0x7f);
    if selector & 0x80 != 0 {
        // The CLI's path: the file on disk, read as `assure validate` reads it.
        let path = assure_fuzz::path_of(kind);
        let disk = root().join(path);
        std::fs::create_dir_all(disk.parent().expect("in a folder")).expect("create folder");
        std::fs::write(&disk, rest).expect("write the fuzzed file");
        let request = ops::validate::Request {
            base: None,
            actor: None,
            acting: None,
            today: today(),
        };
        let result = ops::validate::run(root(), &request);
        // Put the fixture back before anything can panic, so inputs stay independent.
        match original(path) {
            Some(bytes) => std::fs::write(&disk, bytes).expect("restore the fixture file"),
            None => std::fs::remove_file(&disk).expect("remove the fuzzed file"),
        }
        let mut validated = result.expect("the repository exists");
        assure_fuzz::check_and_render(&validated.sources, &mut validated.findings);
        return;
    }
    // Text from disk that is not UTF-8 becomes `not-utf8`; an overlay holds a String.
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut overlay = Overlay::default();
    overlay
        .files
        .insert(assure_fuzz::path_of(kind).to_owned(), Some(text.to_owned()));
    let project = Project::work_tree(root())
        .and_then(|p| p.with_overlay(&overlay))
        .expect("the repository exists");
    let mut findings = ops::validate::check(&project, today());
    assure_fuzz::check_and_render(&project.ws.sources, &mut findings);
    let _ = ops::status::dashboard(&project, true, today());
    for a in &project.ws.assessments {
        let _ = ops::score::score(&a.doc.value, &project.catalog);
    }
});
