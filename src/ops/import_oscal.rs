//! `assure catalog import-oscal`: an OSCAL catalog or profile file → a [`Certification`].
//!
//! This is the file-system half of the importer; [`crate::oscal`] does the rest. Its job
//! is finding the catalog a profile imports. OSCAL profiles name it by an `href`, often
//! through a back-matter resource, relative to the publisher's repository layout (NIST's
//! baselines say `../../../../nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json`),
//! which rarely exists where the user keeps the files. So an href is tried as written
//! (relative to the profile's folder), then by its file name in the profile's folder, then
//! by the same stem with the other extensions we read (`.json`, `.yaml`, `.yml`). When
//! nothing is found the error lists what was tried and says to pass `--catalog FILE`.
//!
//! A profile may import a profile (up to [`MAX_PROFILE_DEPTH`] deep); every import must end
//! at the same catalog file, because a certification comes from one catalog.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::model::Certification;
use crate::oscal::{self, Catalog, Document, DocumentKind, ImportOptions, OscalError, Profile};

/// How deep profiles may import profiles.
pub const MAX_PROFILE_DEPTH: usize = 8;

/// The largest OSCAL file read: NIST SP 800-53 rev. 5, the largest catalog there is, is
/// about 10 MB as JSON.
pub const MAX_INPUT_SIZE: u64 = 64 * 1024 * 1024;

/// Reads a file the user named, refusing before it is opened anything but a regular file
/// (reading a device such as `/dev/zero` never ends, opening a named pipe waits for a
/// writer) and, with a bounded reader (a size can lie, as in `/proc`), a file over
/// [`MAX_INPUT_SIZE`].
pub fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
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
    let too_large = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "the file is larger than {} MiB, more than any OSCAL catalog or profile",
                MAX_INPUT_SIZE / (1024 * 1024)
            ),
        )
    };
    if meta.len() > MAX_INPUT_SIZE {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)?
        .take(MAX_INPUT_SIZE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_SIZE {
        return Err(too_large());
    }
    Ok(bytes)
}

/// What to import, and how.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// An OSCAL catalog or profile (JSON or YAML).
    pub input: PathBuf,
    /// The catalog of a profile `input`, instead of the one its imports name.
    pub catalog: Option<PathBuf>,
    /// A profile that restricts a catalog `input` to the controls it selects.
    pub profile: Option<PathBuf>,
    /// (profile, score): controls the profile selects score at least `score`. Each is
    /// applied to the catalog being imported, whatever catalog its own imports name.
    pub score_profiles: Vec<(PathBuf, u32)>,
    pub options: ImportOptions,
}

/// Reads the request's files and builds the certification.
pub fn import_oscal(req: &ImportRequest) -> Result<Certification, OscalError> {
    let mut loader = Loader::default();
    let (catalog, selection, kind, metadata) = match loader.load(&req.input)? {
        Loaded::Catalog(catalog) => {
            if req.catalog.is_some() {
                return Err(OscalError::BadRequest {
                    message: format!(
                        "{} is a catalog; --catalog names the catalog of a profile",
                        req.input.display()
                    ),
                });
            }
            match &req.profile {
                Some(path) => {
                    let profile = loader.profile(path)?;
                    let selection = profile.select(&catalog)?;
                    (
                        catalog,
                        Some(selection),
                        DocumentKind::Profile,
                        profile.metadata().clone(),
                    )
                }
                None => {
                    let metadata = catalog.metadata().clone();
                    (catalog, None, DocumentKind::Catalog, metadata)
                }
            }
        }
        Loaded::Profile(profile) => {
            if req.profile.is_some() {
                return Err(OscalError::BadRequest {
                    message: format!(
                        "{} is a profile; --profile restricts a catalog (pass the profile alone, \
                         or the catalog with --profile)",
                        req.input.display()
                    ),
                });
            }
            let (catalog, selection) = match &req.catalog {
                Some(path) => {
                    let catalog = loader.catalog(path)?;
                    let selection = profile.select(&catalog)?;
                    (catalog, selection)
                }
                None => {
                    let (path, selection) =
                        loader.resolve(&profile, &req.input, &mut Vec::new())?;
                    (loader.catalog(&path)?, selection)
                }
            };
            (
                catalog,
                Some(selection),
                DocumentKind::Profile,
                profile.metadata().clone(),
            )
        }
    };

    let mut options = req.options.clone();
    for (path, score) in &req.score_profiles {
        let selection = match loader.load(path)? {
            Loaded::Profile(p) => p.select(&catalog)?,
            Loaded::Catalog(c) => c.select_in(&catalog)?,
        };
        options.score_profiles.push((selection, *score));
    }
    oscal::certification(&catalog, selection.as_ref(), kind, &metadata, &options)
}

/// The repository path of the template of `service` for the certification `cert`.
pub fn template_path(service: &str, cert: &str) -> String {
    format!("catalog/templates/{service}--{cert}.yaml")
}

/// The YAML text of the template `import-oscal --template SERVICE` writes, in the layout
/// of docs/format.md: no provider-managed controls, so every control of the
/// certification is customer-managed; in scope, the service (`service_name`, its name).
/// Strings are quoted as the certification writer quotes them.
pub fn template_yaml(
    service: &str,
    service_name: &str,
    cert: &str,
    schema_line: Option<&str>,
) -> String {
    use crate::repo::yaml::quote;
    let mut out = String::new();
    if let Some(schema) = schema_line {
        // A newline in the schema reference would end the comment early.
        let schema = schema.replace(['\n', '\r'], " ");
        out.push_str(&format!("# yaml-language-server: $schema={schema}\n"));
    }
    out.push_str(&format!("service: {}\n", quote(service)));
    out.push_str(&format!("certification: {}\n", quote(cert)));
    out.push_str(&format!("in_scope_services: [{}]\n", quote(service_name)));
    out.push_str("provider_controls: {}   # none: the customer manages every control\n");
    out
}

/// A parsed file, shared with the cache.
#[derive(Clone)]
enum Loaded {
    Catalog(Rc<Catalog>),
    Profile(Rc<Profile>),
}

/// Reads and parses files, each once.
#[derive(Default)]
struct Loader {
    documents: HashMap<PathBuf, Loaded>,
}

impl Loader {
    fn key(path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    }

    fn load(&mut self, path: &Path) -> Result<Loaded, OscalError> {
        let key = Self::key(path);
        if let Some(loaded) = self.documents.get(&key) {
            return Ok(loaded.clone());
        }
        let file = path.display().to_string();
        let bytes = read_bounded(path).map_err(|source| OscalError::Read {
            file: file.clone(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| OscalError::Read {
            file: file.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is not UTF-8"),
        })?;
        let loaded = match oscal::parse_document(&text, &file)? {
            Document::Catalog(c) => Loaded::Catalog(Rc::new(c)),
            Document::Profile(p) => Loaded::Profile(Rc::new(p)),
        };
        self.documents.insert(key, loaded.clone());
        Ok(loaded)
    }

    fn catalog(&mut self, path: &Path) -> Result<Rc<Catalog>, OscalError> {
        match self.load(path)? {
            Loaded::Catalog(c) => Ok(c),
            Loaded::Profile(_) => Err(OscalError::WrongKind {
                file: path.display().to_string(),
                expected: DocumentKind::Catalog,
                found: DocumentKind::Profile,
            }),
        }
    }

    fn profile(&mut self, path: &Path) -> Result<Rc<Profile>, OscalError> {
        match self.load(path)? {
            Loaded::Profile(p) => Ok(p),
            Loaded::Catalog(_) => Err(OscalError::WrongKind {
                file: path.display().to_string(),
                expected: DocumentKind::Profile,
                found: DocumentKind::Catalog,
            }),
        }
    }

    /// The catalog file a profile (read from `path`) ends at, and the controls it selects.
    fn resolve(
        &mut self,
        profile: &Profile,
        path: &Path,
        stack: &mut Vec<PathBuf>,
    ) -> Result<(PathBuf, BTreeSet<String>), OscalError> {
        let key = Self::key(path);
        if stack.contains(&key) || stack.len() >= MAX_PROFILE_DEPTH {
            let href = profile
                .imports()
                .first()
                .map(|i| i.href.clone())
                .unwrap_or_default();
            return Err(OscalError::UnresolvedImport {
                file: profile.file().to_string(),
                href,
                reason: format!(
                    "profiles import each other in a cycle or more than {MAX_PROFILE_DEPTH} deep"
                ),
            });
        }
        stack.push(key);
        let mut catalog_path: Option<PathBuf> = None;
        let mut selection = BTreeSet::new();
        for (index, import) in profile.imports().iter().enumerate() {
            let target = find_import(profile, path, import)?;
            let (target_catalog, within) = match self.load(&target)? {
                Loaded::Catalog(_) => (target, None),
                Loaded::Profile(inner) => {
                    let (p, s) = self.resolve(&inner, &target, stack)?;
                    (p, Some(s))
                }
            };
            match &catalog_path {
                Some(first) if Self::key(first) != Self::key(&target_catalog) => {
                    return Err(OscalError::UnresolvedImport {
                        file: profile.file().to_string(),
                        href: import.href.clone(),
                        reason: format!(
                            "it leads to the catalog {}, but an earlier import leads to {}; \
                             a certification comes from one catalog (pass --catalog FILE to use one)",
                            target_catalog.display(),
                            first.display()
                        ),
                    });
                }
                Some(_) => {}
                None => catalog_path = Some(target_catalog.clone()),
            }
            let catalog = self.catalog(&target_catalog)?;
            selection.extend(profile.select_import(index, &catalog, within.as_ref())?);
        }
        stack.pop();
        let catalog_path = catalog_path.ok_or_else(|| OscalError::Invalid {
            file: profile.file().to_string(),
            kind: DocumentKind::Profile,
            message: "the profile has no `imports`".into(),
        })?;
        Ok((catalog_path, selection))
    }
}

/// The file an import names, found next to the profile (see the module documentation).
fn find_import(
    profile: &Profile,
    path: &Path,
    import: &oscal::Import,
) -> Result<PathBuf, OscalError> {
    let dir = path.parent().unwrap_or(Path::new(""));
    // Candidates relative to `dir`, best first, without repeats.
    let mut candidates: Vec<PathBuf> = Vec::new();
    let mut push = |p: PathBuf| {
        if !candidates.contains(&p) {
            candidates.push(p);
        }
    };
    for location in &import.locations {
        let (local, name) = split_href(location);
        if let Some(local) = local {
            push(local);
        }
        if let Some(name) = &name {
            push(PathBuf::from(name));
        }
    }
    for location in &import.locations {
        if let (_, Some(name)) = split_href(location)
            && let Some(stem) = Path::new(&name).file_stem()
        {
            for ext in ["json", "yaml", "yml"] {
                let mut file = stem.to_os_string();
                file.push(".");
                file.push(ext);
                push(PathBuf::from(file));
            }
        }
    }
    let xml = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    if let Some(found) = candidates
        .iter()
        .map(|c| dir.join(c))
        .find(|p| !xml(p) && p.is_file())
    {
        return Ok(found);
    }
    let xml_found = candidates
        .iter()
        .find(|c| dir.join(c).is_file())
        .map(|c| {
            format!(
                " ({} is OSCAL XML, which assure does not read)",
                c.display()
            )
        })
        .unwrap_or_default();
    let tried: Vec<String> = candidates
        .iter()
        .filter(|p| !xml(p))
        .map(|p| p.display().to_string())
        .collect();
    let folder = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    Err(OscalError::UnresolvedImport {
        file: profile.file().to_string(),
        href: import.href.clone(),
        reason: format!(
            "no catalog found in {}; tried {}{xml_found}. Pass the catalog with --catalog FILE",
            folder.display(),
            if tried.is_empty() {
                "nothing".to_string()
            } else {
                tried.join(", ")
            }
        ),
    })
}

/// An href → (the path to try as written, if it is a local relative or absolute path;
/// its file name). URLs give only a file name.
fn split_href(href: &str) -> (Option<PathBuf>, Option<String>) {
    let href = href.split(['#', '?']).next().unwrap_or("");
    let (local, rest) = match href.split_once("://") {
        Some(("file", rest)) => (Some(PathBuf::from(rest)), rest),
        Some((_, rest)) => (None, rest),
        None => (Some(PathBuf::from(href)), href),
    };
    let name = rest
        .rsplit(['/', '\\'])
        .next()
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .map(str::to_string);
    (local.filter(|p| !p.as_os_str().is_empty()), name)
}

#[cfg(test)]
mod tests {
    use super::split_href;
    use std::path::PathBuf;

    #[test]
    fn hrefs() {
        assert_eq!(
            split_href("../../a/cat.json"),
            (
                Some(PathBuf::from("../../a/cat.json")),
                Some("cat.json".into())
            )
        );
        assert_eq!(
            split_href("https://example.org/x/cat.yaml?raw=1"),
            (None, Some("cat.yaml".into()))
        );
        assert_eq!(
            split_href("file:///tmp/c.json"),
            (Some(PathBuf::from("/tmp/c.json")), Some("c.json".into()))
        );
        assert_eq!(split_href(""), (None, None));
    }
}
