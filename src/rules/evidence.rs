//! Evidence references: the path is a canonical repository-relative path (DESIGN.md
//! §1.4: no `.` or `..` segment, no empty segment, no leading `/`, no backslash, nothing
//! in git's own `.git/`), it names a regular file inside the repository reached through
//! no symbolic link, and the file's SHA-256 is the recorded one. Each distinct file is
//! hashed once, in parallel.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::Context;
use crate::catalog::value_span;
use crate::diag::{Code, Diagnostic};

/// What a document path resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The file's SHA-256, lower-case hex.
    Found(String),
    Missing,
    /// Leaves the repository (`..`, absolute, or a symbolic link out); the reason.
    Outside(&'static str),
    /// Not a canonical repository-relative path; the reason.
    Invalid(&'static str),
    /// The path, or the folder named, is a symbolic link inside the repository: not
    /// followed, so the file hashed is the file at the path.
    Link(String),
    Unreadable(String),
}

/// Checks the form of a document path, without looking at the disk: `Err` says why it
/// is not a canonical repository-relative path ([`Evidence::Outside`] or
/// [`Evidence::Invalid`]).
pub fn check_path(path: &str) -> Result<(), Evidence> {
    if path.is_empty() {
        return Err(Evidence::Invalid("empty"));
    }
    if path.starts_with('/') || path.split('/').next().is_some_and(|c| c.ends_with(':')) {
        return Err(Evidence::Outside("an absolute path"));
    }
    if path.contains('\\') {
        return Err(Evidence::Invalid(
            "not a canonical path: it has a backslash (write `/` between folders)",
        ));
    }
    if path.chars().any(char::is_control) {
        return Err(Evidence::Invalid(
            "not a canonical path: it has a control character",
        ));
    }
    // `a:b/x` would read as a link with the scheme `a:` (`javascript:`).
    if path.split('/').next().is_some_and(|c| c.contains(':')) {
        return Err(Evidence::Invalid(
            "not a canonical path: its first segment has a `:`, which links read as a scheme",
        ));
    }
    let segments = || path.split('/');
    if segments().any(|c| c == "..") {
        return Err(Evidence::Outside("a path with `..`"));
    }
    if segments().any(str::is_empty) {
        return Err(Evidence::Invalid(
            "not a canonical path: it has an empty segment (`//`, or a `/` at the end)",
        ));
    }
    if segments().any(|c| c == ".") {
        return Err(Evidence::Invalid(
            "not a canonical path: it has a `.` segment",
        ));
    }
    // Git's own files (`.git/config`) are no evidence, and a case-insensitive file
    // system finds them as `.GIT/` too.
    if segments().any(|c| c.eq_ignore_ascii_case(".git")) {
        return Err(Evidence::Invalid("inside git's own folder `.git`"));
    }
    Ok(())
}

/// Resolves and hashes one repository-relative document path.
pub fn resolve(root: &Path, path: &str) -> Evidence {
    if let Err(e) = check_path(path) {
        return e;
    }
    // Each folder on the way, then the file, looked at without following links.
    let mut at = root.to_path_buf();
    for (i, segment) in path.split('/').enumerate() {
        at.push(segment);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let inside = match (at.canonicalize(), root.canonicalize()) {
                    (Ok(real), Ok(root)) => real.starts_with(root),
                    // A dangling link.
                    _ => true,
                };
                if !inside {
                    return Evidence::Outside("a symbolic link that points outside the repository");
                }
                let link: Vec<&str> = path.split('/').take(i + 1).collect();
                return Evidence::Link(link.join("/"));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Evidence::Missing,
            // A file where a folder is expected (`a.pdf/b`).
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Evidence::Missing,
            Err(e) => return Evidence::Unreadable(e.to_string()),
        }
    }
    match hash_file(&at) {
        Ok(h) => Evidence::Found(h),
        Err(e) => Evidence::Unreadable(e.to_string()),
    }
}

/// SHA-256 of a file, lower-case hex. Anything but a regular file is refused unopened (a
/// named pipe would block the open until something writes to it).
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "it is {}, not a file",
                crate::repo::hostile::kind(&meta.file_type())
            ),
        ));
    }
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Every distinct path once.
    let mut paths: BTreeMap<&str, ()> = BTreeMap::new();
    for a in &ctx.ws.assessments {
        for c in a.doc.value.controls.values() {
            for d in &c.documents {
                paths.insert(&d.path, ());
            }
        }
    }
    let resolved: HashMap<&str, Evidence> = paths
        .into_keys()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|p| match (check_path(p), ctx.ws.pending_evidence.get(p)) {
            (Err(e), _) => (p, e),
            (Ok(()), Some(hash)) => (p, Evidence::Found(hash.clone())),
            (Ok(()), None) => (p, resolve(&ctx.ws.root, p)),
        })
        .collect();

    for a in &ctx.ws.assessments {
        let doc = &a.doc;
        for (id, c) in &doc.value.controls {
            for (i, d) in c.documents.iter().enumerate() {
                let path = ["controls", id, "documents", &i.to_string(), "path"];
                match &resolved[d.path.as_str()] {
                    Evidence::Outside(why) => out.push(
                        Diagnostic::new(Code::EvidenceOutsideRepository, format!("evidence path `{}` is {why}", d.path))
                            .at(doc.file, value_span(&doc.node, &path), "outside the repository")
                            .help("copy the document into the repository (e.g. under `evidence/`) and refer to it by its repository-relative path"),
                    ),
                    Evidence::Invalid(why) => out.push(
                        Diagnostic::new(Code::EvidencePathInvalid, format!("evidence path `{}` is {why}", d.path))
                            .at(doc.file, value_span(&doc.node, &path), "not a canonical repository-relative path")
                            .help("write the path relative to the repository root with `/` between folders and no `.`, `..` or empty segment, e.g. `evidence/report.pdf`; documents are kept outside `.git/`"),
                    ),
                    // An archived assessment's documents live on in git history (§4.6).
                    _ if a.is_archived() => {}
                    Evidence::Link(link) => out.push(
                        Diagnostic::new(Code::EvidenceSymbolicLink, format!("evidence path `{}` goes through a symbolic link: `{link}` is a link, and assure does not follow it", d.path))
                            .at(doc.file, value_span(&doc.node, &path), "through a symbolic link")
                            .help("refer to the file itself (its path with no link on the way), or replace the link with the file or folder it points to"),
                    ),
                    Evidence::Missing => out.push(
                        Diagnostic::new(Code::EvidenceMissing, format!("evidence file `{}` does not exist", d.path))
                            .at(doc.file, value_span(&doc.node, &path), "no such file")
                            .help("add the file, or correct or remove the reference"),
                    ),
                    Evidence::Unreadable(e) => out.push(
                        Diagnostic::new(Code::FileUnreadable, format!("evidence file `{}` cannot be read: {e}", d.path))
                            .at(doc.file, value_span(&doc.node, &path), "unreadable"),
                    ),
                    Evidence::Found(hash) if *hash != d.sha256 => out.push(
                        Diagnostic::new(Code::EvidenceHashMismatch, format!("evidence file `{}` has changed: its SHA-256 is {hash}", d.path))
                            .at(doc.file, value_span(&doc.node, &["controls", id, "documents", &i.to_string(), "sha256"]), "recorded hash")
                            .help(format!("if the new file is the right evidence, set `sha256: {hash}`; otherwise restore the original file")),
                    ),
                    Evidence::Found(_) => {}
                }
            }
        }
    }
}
