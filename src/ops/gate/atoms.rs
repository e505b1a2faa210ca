//! The gate's unit of comparison: the atoms of a file's versions (a control's field, a
//! header field, a person's entry, a setting, or the file itself), the changes between
//! two sides read on every core with the atoms they set, and what a caller that already
//! compared the files (`diff`) hands the gate so it does not read them again.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value as J;

use crate::git::{BlobId, EntryKind, Git, GitError};
use crate::ops::changes::{Change, FileChange, FileVersions, file_changes};
use crate::ops::history::{Side, Versions};

/// One thing a change can set in a file — a control's field, a header field, a person's
/// entry, a setting, or (key `""`) the file itself — with the value it holds. The gate
/// compares versions of files atom by atom: the net change must be made of atoms that
/// checked commits set to the values they end with.
pub(super) type Atoms = BTreeMap<String, String>;

/// An atom as a checked commit left it: (path, key, value or "absent").
pub(super) type Made = (String, String, String);

/// The atoms of one version of a file.
pub(super) fn atoms(path: &str, kind: EntryKind, json: Option<&J>, blob: Option<BlobId>) -> Atoms {
    atoms_where(path, (kind, json, blob), &|_| true, &|_| true)
}

/// The atoms of one version of a file whose keys `want` admits (each value made only
/// for those), a control's only when `control` admits its id.
fn atoms_where(
    path: &str,
    (kind, json, blob): (EntryKind, Option<&J>, Option<BlobId>),
    want: &dyn Fn(&str) -> bool,
    control: &dyn Fn(&str) -> bool,
) -> Atoms {
    let mut out = Atoms::new();
    let mut put = |key: String, value: &dyn Fn() -> String| {
        if want(&key) {
            out.insert(key, value());
        }
    };
    match (kind, json) {
        (EntryKind::Absent, _) => {}
        (EntryKind::File, Some(J::Object(map))) if path.ends_with(".yaml") => {
            put(String::new(), &|| "a file".to_owned());
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("people", J::Array(people)) if path == "assure.yaml" => {
                        for p in people {
                            let email = p["email"].as_str().unwrap_or("").trim().to_lowercase();
                            put(format!("person {email}"), &|| p.to_string());
                        }
                    }
                    ("controls", J::Object(controls)) if path.starts_with("groups/") => {
                        for (id, c) in controls.iter().filter(|(id, _)| control(id)) {
                            match c {
                                J::Object(fields) => {
                                    for (f, v) in fields {
                                        put(format!("control {id} {f}"), &|| v.to_string());
                                    }
                                }
                                other => put(format!("control {id}"), &|| other.to_string()),
                            }
                        }
                    }
                    // An assessment's categories are a set (changes.rs compares them
                    // so): an atom in another order or with a repeat is the same atom.
                    ("categories", J::Array(list)) if path.starts_with("groups/") => {
                        put(format!("field {k}"), &|| {
                            let set: std::collections::BTreeSet<String> =
                                list.iter().map(J::to_string).collect();
                            format!("{set:?}")
                        });
                    }
                    _ => put(format!("field {k}"), &|| v.to_string()),
                }
            }
        }
        (kind, _) => {
            let blob = blob.map_or_else(|| "?".to_owned(), |b| b.to_string());
            put(String::new(), &|| format!("{} {blob}", kind.describe()));
        }
    }
    out
}

/// The atoms of both versions of a file.
pub(super) fn both(f: &FileVersions) -> (Atoms, Atoms) {
    (
        atoms(&f.path, f.old_kind, f.old.as_ref(), f.old_blob),
        atoms(&f.path, f.new_kind, f.new.as_ref(), f.new_blob),
    )
}

/// The atom keys a change sets, given both versions' atoms: its own atom, or every atom
/// of the file for a change to the whole file.
pub(super) fn keys_of(change: &Change, old: &Atoms, new: &Atoms) -> Vec<String> {
    if let Some(key) = own_key(change) {
        return vec![key];
    }
    let mut all: Vec<String> = old.keys().chain(new.keys()).cloned().collect();
    all.sort();
    all.dedup();
    if all.is_empty() {
        all.push(String::new());
    }
    all
}

/// The one atom a change sets, when it sets one (not the whole file).
fn own_key(change: &Change) -> Option<String> {
    Some(match change {
        Change::ControlField { control, field, .. } => format!("control {control} {field}"),
        Change::AssessmentHeader { field, .. } => format!("field {field}"),
        Change::AssessmentArchived { .. } | Change::AssessmentUnarchived { .. } => {
            "field archived".to_owned()
        }
        Change::GroupRenamed { .. } => "field name".to_owned(),
        Change::GroupDescription { .. } => "field description".to_owned(),
        Change::PersonAdded { email }
        | Change::PersonRemoved { email }
        | Change::PersonChanged { email }
        | Change::PortalAdminChanged { email } => format!("person {}", email.trim().to_lowercase()),
        Change::GlobalAdminsChanged => "field global_admins".to_owned(),
        Change::SettingsChanged { field } if field != "assure.yaml" => format!("field {field}"),
        _ => return None,
    })
}

/// The atom `key` of `path` as `new` leaves it.
pub(super) fn made_atom(path: &str, key: &str, new: &Atoms) -> Made {
    (
        path.to_owned(),
        key.to_owned(),
        new.get(key).cloned().unwrap_or_else(|| "absent".to_owned()),
    )
}

/// The changes between two sides on `paths`, each with its file's atoms on both sides
/// (see [`streamed`]).
pub(super) fn changes_between(
    versions: &Versions,
    prepared: Option<&Prepared>,
    (old, new): (Side, Side),
    paths: &[String],
) -> Result<Vec<(FileChange, Atoms, Atoms)>, GitError> {
    streamed(versions, (prepared, old, new), paths, |v, p| {
        Ok(v.file_versions(old, new, std::slice::from_ref(p))?.pop())
    })
}

/// [`with_atoms`] of the files `read` gives for `paths`, read on every core: a file on
/// both sides is compared and dropped, keeping the atoms its changes set; the files
/// created or deleted are compared together (moves). The same result as [`with_atoms`].
/// A file `prepared` holds for the sides `read` reads (`old` → `new`) is not read again.
pub(super) fn streamed(
    versions: &Versions,
    (prepared, old, new): (Option<&Prepared>, Side, Side),
    paths: &[String],
    read: impl Fn(&Versions, &String) -> Result<Option<FileVersions>, GitError> + Sync,
) -> Result<Vec<(FileChange, Atoms, Atoms)>, GitError> {
    use rayon::prelude::*;
    let (root, max_blob) = (versions.root(), versions.max_blob());
    let known = |p: &str| prepared.and_then(|pre| pre.get((old, new), max_blob, p));
    // Each file's trimmed changes, or the file kept whole.
    let (mut slots, kept): (Vec<_>, Vec<Option<FileVersions>>) = paths
        .par_iter()
        .map_init(
            || Git::require(root).map_err(std::sync::Arc::new),
            |g, p| {
                if let Some(slot) = known(p) {
                    return Ok((slot, None));
                }
                let g = g
                    .as_ref()
                    .map_err(|e| GitError::Worker(std::sync::Arc::clone(e)))?;
                let mut v = Versions::new(g, root);
                v.set_max_blob(max_blob);
                Ok(match read(&v, p)? {
                    Some(f) if f.old_exists != f.new_exists => (Vec::new(), Some(f)),
                    Some(f) => {
                        let changes = file_changes(std::slice::from_ref(&f));
                        (trimmed_atoms(&f, changes), None)
                    }
                    None => (Vec::new(), None),
                })
            },
        )
        .collect::<Result<Vec<_>, GitError>>()?
        .into_iter()
        .unzip();
    let kept: Vec<FileVersions> = kept.into_iter().flatten().collect();
    if !kept.is_empty() {
        let index: HashMap<&str, usize> =
            paths.iter().enumerate().map(|(i, p)| (&**p, i)).collect();
        for c in with_atoms(&kept) {
            if let Some(&i) = index.get(c.0.path.as_str()) {
                slots[i].push(c);
            }
        }
    }
    Ok(slots.into_iter().flatten().collect())
}

/// The gate's part of the files a caller already compared from one side to another
/// (`diff`'s review reads each changed file's two versions once, for its rows and for
/// the gate): each file's changes with the atoms they set.
pub struct Prepared {
    sides: (Side, Side),
    max_blob: u64,
    files: HashMap<String, Vec<(FileChange, Atoms, Atoms)>>,
}

/// One file's part of a [`Prepared`].
pub struct PreparedFile(String, Vec<(FileChange, Atoms, Atoms)>);

impl Prepared {
    /// The files compared from `old` to `new`, read with blobs over `max_blob` left
    /// unread.
    pub fn new(
        (old, new): (Side, Side),
        max_blob: u64,
        files: impl IntoIterator<Item = PreparedFile>,
    ) -> Self {
        Prepared {
            sides: (old, new),
            max_blob,
            files: files.into_iter().map(|PreparedFile(p, c)| (p, c)).collect(),
        }
    }

    /// What the gate keeps of `f`, given its changes compared on their own
    /// (`file_changes` of it alone): `None` for a file created or deleted (those are
    /// compared together, for moves) and for a data file that exists on the old side but
    /// does not read (a commit's check compares that one with the base instead).
    pub fn file(f: &FileVersions, changes: &[FileChange]) -> Option<PreparedFile> {
        let data = f.path == "assure.yaml" || f.path.starts_with("groups/");
        if f.old_exists != f.new_exists || (data && f.old_exists && f.old.is_none()) {
            return None;
        }
        Some(PreparedFile(
            f.path.clone(),
            trimmed_atoms(f, changes.to_vec()),
        ))
    }

    /// `path`'s part, when it was compared between `sides` with the limit `max_blob`.
    fn get(
        &self,
        sides: (Side, Side),
        max_blob: u64,
        path: &str,
    ) -> Option<Vec<(FileChange, Atoms, Atoms)>> {
        if sides != self.sides || max_blob != self.max_blob {
            return None;
        }
        self.files.get(path).cloned()
    }
}

/// `trimmed(with_atoms([f]))`, given `f`'s changes: only the atoms kept are made.
fn trimmed_atoms(f: &FileVersions, changes: Vec<FileChange>) -> Vec<(FileChange, Atoms, Atoms)> {
    let own: Option<HashSet<String>> = changes.iter().map(|c| own_key(&c.change)).collect();
    let (o, n) = match &own {
        Some(keys) => {
            let ids: HashSet<&str> = changes
                .iter()
                .filter_map(|c| match &c.change {
                    Change::ControlField { control, .. } => Some(control.as_str()),
                    _ => None,
                })
                .collect();
            let (want, control) = (|k: &str| keys.contains(k), |id: &str| ids.contains(id));
            (
                atoms_where(
                    &f.path,
                    (f.old_kind, f.old.as_ref(), f.old_blob),
                    &want,
                    &control,
                ),
                atoms_where(
                    &f.path,
                    (f.new_kind, f.new.as_ref(), f.new_blob),
                    &want,
                    &control,
                ),
            )
        }
        None => both(f),
    };
    trimmed(
        changes
            .into_iter()
            .map(|c| (c, o.clone(), n.clone()))
            .collect(),
    )
}

/// Each change's atoms cut to those it sets (a whole-file change keeps them all).
fn trimmed(changes: Vec<(FileChange, Atoms, Atoms)>) -> Vec<(FileChange, Atoms, Atoms)> {
    changes
        .into_iter()
        .map(|(c, mut o, mut n)| {
            if !c.change.is_whole_file() {
                let keys: HashSet<String> = keys_of(&c.change, &o, &n).into_iter().collect();
                o.retain(|k, _| keys.contains(k));
                n.retain(|k, _| keys.contains(k));
            }
            (c, o, n)
        })
        .collect()
}

pub(super) fn with_atoms(files: &[FileVersions]) -> Vec<(FileChange, Atoms, Atoms)> {
    let atoms: HashMap<&str, (Atoms, Atoms)> =
        files.iter().map(|f| (f.path.as_str(), both(f))).collect();
    file_changes(files)
        .into_iter()
        .map(|fc| {
            let (o, n) = atoms.get(fc.path.as_str()).cloned().unwrap_or_default();
            (fc, o, n)
        })
        .collect()
}

/// The atoms `changes` set, as they leave them.
pub(super) fn sets(changes: &[(FileChange, Atoms, Atoms)]) -> Vec<Made> {
    changes
        .iter()
        .flat_map(|(c, o, n)| {
            keys_of(&c.change, o, n)
                .into_iter()
                .map(|k| made_atom(&c.path, &k, n))
                .collect::<Vec<_>>()
        })
        .collect()
}
