//! The `# yaml-language-server: $schema=PATH` first line of a YAML file, which editors
//! read to check the file against a JSON Schema: the line assure writes at the top of
//! every file it creates, and the check that a repository's lines lead to the right
//! schema in the repository's own `schemas/` folder.
//!
//! Invariant: PATH is relative to the file's folder, and for a file of kind `k` it
//! resolves to `schemas/<k>.schema.json` at the repository's root, so a clone alone
//! (without assure's source tree beside it) gives editors every schema. The check reads
//! no file: it resolves PATH as text and looks it up in the listing of `schemas/` made
//! once per load.

use std::collections::BTreeSet;

use crate::diag::{Code, Diagnostic};
use crate::repo::source::FileId;
use crate::schema::Kind;

/// What the line starts with; the schema's path follows.
pub const PREFIX: &str = "# yaml-language-server: $schema=";

/// The folder, at the repository's root, that holds the copies of the schemas.
pub const FOLDER: &str = "schemas";

/// The repository-relative path of the copy of `kind`'s schema.
pub fn schema_path(kind: Kind) -> String {
    format!("{FOLDER}/{}.schema.json", kind.name())
}

/// The path, relative to the folder of the repository file `path` (`/`-separated), of
/// the copy of `kind`'s schema: `../../schemas/group.schema.json` for
/// `groups/g/group.yaml`.
pub fn relative_ref(path: &str, kind: Kind) -> String {
    let depth = path.split('/').count().saturating_sub(1);
    format!("{}{}", "../".repeat(depth), schema_path(kind))
}

/// The first line (with its line break) that a new file of `kind` at the repository
/// file `path` starts with.
pub fn line(path: &str, kind: Kind) -> String {
    format!("{PREFIX}{}\n", relative_ref(path, kind))
}

/// The modeline path for a new file of `kind` written at `file` (anywhere on disk): the
/// path from its folder to `schemas/<kind>.schema.json` of the repository it lands in,
/// or `None` when it lands in no repository. Folders on the way that do not exist yet
/// are taken as the real folders they will be.
pub fn ref_for(file: &std::path::Path, kind: Kind) -> Option<String> {
    let file = std::path::absolute(file).ok()?;
    let folder = file.parent()?;
    // The nearest folder that exists, resolved (links and all), plus what is missing.
    let existing = folder.ancestors().find(|d| d.is_dir())?;
    let missing = folder.strip_prefix(existing).ok()?;
    let folder = existing.canonicalize().ok()?.join(missing);
    let root = super::discover(&folder).ok()?.canonicalize().ok()?;
    let inside = folder.strip_prefix(&root).ok()?;
    let mut rel: Vec<String> = Vec::new();
    for part in inside.components() {
        match part {
            std::path::Component::Normal(p) => rel.push(p.to_str()?.to_owned()),
            _ => return None,
        }
    }
    rel.push("file".to_owned());
    Some(relative_ref(&rel.join("/"), kind))
}

/// Whether `reference` is the line assure writes for a file of `kind` at `path`
/// ([`relative_ref`]).
fn is_written(path: &str, kind: Kind, reference: &str) -> bool {
    let mut rest = reference;
    for _ in 0..path.matches('/').count() {
        match rest.strip_prefix("../") {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.strip_prefix(FOLDER)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_suffix(".schema.json"))
        == Some(kind.name())
}

/// The repository-relative path that [`is_written`] `reference` names: its part after
/// the `../`s.
fn reference_target<'r>(path: &str, reference: &'r str) -> &'r str {
    &reference[3 * path.matches('/').count()..]
}

/// What a modeline's path resolves to.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// A repository-relative path, `/`-separated, without `.` or `..`.
    Inside(String),
    /// The path climbs above the repository's root.
    Outside,
    /// A web address, an absolute or a Windows path: not judged.
    Elsewhere,
}

/// Resolves `reference` from the folder of the repository file `path`.
fn resolve(path: &str, reference: &str) -> Target {
    if reference.is_empty()
        || reference.starts_with('/')
        || reference.contains(':')
        || reference.contains('\\')
    {
        return Target::Elsewhere;
    }
    let mut at: Vec<&str> = path.split('/').collect();
    at.pop();
    for part in reference.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if at.pop().is_none() {
                    return Target::Outside;
                }
            }
            part => at.push(part),
        }
    }
    Target::Inside(at.join("/"))
}

/// A finding when the first line of `text` (the repository file `path`, of `kind`) is a
/// modeline that does not lead to `kind`'s schema in the repository. `present` holds the
/// repository-relative paths of the files in `schemas/`.
pub fn check(
    file: FileId,
    path: &str,
    kind: Kind,
    text: &str,
    present: &BTreeSet<String>,
) -> Option<Diagnostic> {
    let first = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = text.len() - first.len();
    let first = first.split('\n').next().unwrap_or("");
    let rest = first.strip_prefix(PREFIX)?;
    let reference = rest.trim_end_matches('\r').trim_end();
    // The line assure writes, its schema there: the usual case, decided without
    // allocating (this runs on every file of the repository).
    if is_written(path, kind, reference) && present.contains(reference_target(path, reference)) {
        return None;
    }
    let start = offset + PREFIX.len();
    let span = start..start + reference.len();
    let want = relative_ref(path, kind);
    let fix = format!("write the first line as `{PREFIX}{want}`");
    let shown = crate::text::escape_line(reference);
    let finding = |message: String, label: &str, help: String| {
        Some(
            Diagnostic::new(Code::SchemaModeline, message)
                .at(file, span.clone(), label)
                .help(help),
        )
    };
    match resolve(path, reference) {
        Target::Elsewhere => None,
        Target::Outside => finding(
            format!(
                "the schema line points outside the repository (`{shown}`), so an editor opening a clone finds no schema"
            ),
            "leaves the repository",
            format!("{fix}; `assure schema --write` puts the schemas in `{FOLDER}/`"),
        ),
        Target::Inside(target) => {
            let named = target
                .strip_prefix(&format!("{FOLDER}/"))
                .and_then(|f| f.strip_suffix(".schema.json"))
                .and_then(Kind::from_name);
            if let Some(other) = named.filter(|k| *k != kind) {
                return finding(
                    format!(
                        "the schema line names the `{}` schema, but this file is of kind `{}` (its schema is `{}`)",
                        other.name(),
                        kind.name(),
                        schema_path(kind)
                    ),
                    "the schema of another kind of file",
                    fix,
                );
            }
            let in_folder = target
                .strip_prefix(&format!("{FOLDER}/"))
                .is_some_and(|f| !f.contains('/'));
            if in_folder && !present.contains(&target) {
                return finding(
                    format!("the schema line names `{target}`, which is not in the repository"),
                    "no such file",
                    if target == schema_path(kind) {
                        "run `assure schema --write` to write the schemas into `schemas/`"
                            .to_owned()
                    } else {
                        format!("{fix}, and run `assure schema --write` if `schemas/` is missing")
                    },
                );
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_line_resolves_to_the_schema() {
        for (path, kind) in [
            ("assure.yaml", Kind::Config),
            ("groups/g/group.yaml", Kind::Group),
            ("groups/g/a--b.yaml", Kind::Assessment),
            ("catalog/services.yaml", Kind::Services),
            ("catalog/certifications/c.yaml", Kind::Certification),
        ] {
            let reference = relative_ref(path, kind);
            assert!(is_written(path, kind, &reference), "{path}");
            assert_eq!(
                reference_target(path, &reference),
                schema_path(kind),
                "{path}"
            );
            assert_eq!(
                resolve(path, &reference),
                Target::Inside(schema_path(kind)),
                "{path}"
            );
        }
        assert_eq!(
            line("groups/g/group.yaml", Kind::Group),
            "# yaml-language-server: $schema=../../schemas/group.schema.json\n"
        );
    }

    #[test]
    fn only_the_written_line_is_the_written_line() {
        for (path, reference) in [
            ("groups/g/group.yaml", "../schemas/group.schema.json"),
            ("groups/g/group.yaml", "../../../schemas/group.schema.json"),
            (
                "groups/g/group.yaml",
                "../../schemas/assessment.schema.json",
            ),
            ("groups/g/group.yaml", "../../schemasx/group.schema.json"),
            ("groups/g/group.yaml", "../../schemas/group.schema.jsonx"),
            ("assure.yaml", "./schemas/config.schema.json"),
        ] {
            assert!(!is_written(path, Kind::Group, reference) || path == "assure.yaml");
        }
        assert!(!is_written(
            "assure.yaml",
            Kind::Config,
            "./schemas/config.schema.json"
        ));
    }

    #[test]
    fn resolution_as_text() {
        assert_eq!(
            resolve("groups/g/group.yaml", "../../../schemas/x.json"),
            Target::Outside
        );
        assert_eq!(
            resolve("assure.yaml", "./schemas//config.schema.json"),
            Target::Inside("schemas/config.schema.json".into())
        );
        for elsewhere in [
            "https://example.com/s.json",
            "/abs/s.json",
            "C:\\s.json",
            "",
        ] {
            assert_eq!(resolve("assure.yaml", elsewhere), Target::Elsewhere);
        }
    }

    #[test]
    fn findings() {
        let present: BTreeSet<String> = ["schemas/group.schema.json".to_owned()].into();
        let check = |path: &str, kind, text: &str| {
            check(FileId(0), path, kind, text, &present).map(|d| d.message)
        };
        assert_eq!(
            check(
                "groups/g/group.yaml",
                Kind::Group,
                "# yaml-language-server: $schema=../../schemas/group.schema.json\nname: x\n"
            ),
            None
        );
        assert_eq!(check("groups/g/group.yaml", Kind::Group, "name: x\n"), None);
        assert!(
            check(
                "groups/g/a--b.yaml",
                Kind::Assessment,
                "# yaml-language-server: $schema=../../schemas/group.schema.json\r\n"
            )
            .is_some_and(|m| m.contains("names the `group` schema"))
        );
        assert!(
            check(
                "groups/g/a--b.yaml",
                Kind::Assessment,
                "\u{feff}# yaml-language-server: $schema=../../schemas/assessment.schema.json\n"
            )
            .is_some_and(|m| m.contains("not in the repository"))
        );
        // Another file the user keeps under schemas/ is not judged by its name.
        assert_eq!(
            check(
                "assure.yaml",
                Kind::Config,
                "# yaml-language-server: $schema=tools/my.json\n"
            ),
            None
        );
    }
}
