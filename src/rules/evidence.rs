//! Evidence references: the path stays inside the repository, the file exists, and its
//! SHA-256 is the recorded one. Each distinct file is hashed once, in parallel.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Component, Path};

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
    Unreadable(String),
}

/// Resolves and hashes one repository-relative document path.
pub fn resolve(root: &Path, path: &str) -> Evidence {
    if path.starts_with('/')
        || path.contains('\\')
        || path.split('/').next().is_some_and(|c| c.ends_with(':'))
    {
        return Evidence::Outside("an absolute path");
    }
    let rel = Path::new(path);
    if rel.components().any(|c| {
        matches!(
            c,
            Component::ParentDir | Component::RootDir | Component::Prefix(_)
        )
    }) {
        return Evidence::Outside("a path with `..`");
    }
    let full = root.join(rel);
    if std::fs::symlink_metadata(&full).is_err() {
        return Evidence::Missing;
    }
    let (Ok(real), Ok(real_root)) = (full.canonicalize(), root.canonicalize()) else {
        // A dangling symbolic link.
        return Evidence::Missing;
    };
    if !real.starts_with(&real_root) {
        return Evidence::Outside("a symbolic link that points outside the repository");
    }
    match hash_file(&real) {
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
        .map(|p| match ctx.ws.pending_evidence.get(p) {
            Some(hash) => (p, Evidence::Found(hash.clone())),
            None => (p, resolve(&ctx.ws.root, p)),
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
                    // An archived assessment's documents live on in git history (§4.6).
                    _ if a.is_archived() => {}
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
