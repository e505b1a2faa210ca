//! Output that commands write beside the compliance data: the report site, the folder of
//! workbooks, the dry-run outbox, the demo repository, a single workbook.
//!
//! An output folder is written whole: its new content goes into a fresh temporary folder
//! beside it (same parent, so renames stay on one file system), which then takes the
//! folder's place — the old folder is renamed aside, the new one renamed in, the old one
//! removed. A failure at any step leaves the old folder as it was and removes the
//! temporary one.
//!
//! Invariants, whatever path the user gives (relative, through `..`, through links — paths
//! are compared after resolving every link but the last component):
//! - an existing folder is replaced only if it is empty or carries the marker file of the
//!   same command (a regular file, not a link), so a folder assure did not write is never
//!   deleted; nor is a marked folder that holds a git repository;
//! - the output is never the repository's root or a folder that contains it, never inside
//!   its data (`groups/`, `catalog/`, `evidence/`) or a git folder — for the repository
//!   the command works on and for any repository the output would land in;
//! - a path that is a file or a symbolic link where a folder is expected is refused, not
//!   followed or replaced.

use std::path::{Component, Path, PathBuf};

/// A command that writes an output folder, and its marker file in that folder.
#[derive(Debug)]
pub struct Kind {
    /// The command, as the user types it.
    pub command: &'static str,
    /// The marker's path inside the folder.
    pub marker: &'static str,
}

impl Kind {
    /// What the marker file says.
    pub fn marker_text(&self) -> String {
        format!(
            "Written by `{}`; the next run replaces this folder whole.\n",
            self.command
        )
    }
}

/// `assure report site`.
pub const SITE: Kind = Kind {
    command: "assure report site",
    marker: ".assure-site",
};
/// `assure report excel --all`.
pub const WORKBOOKS: Kind = Kind {
    command: "assure report excel --all",
    marker: ".assure-workbooks",
};
/// `assure notify --dry-run`.
pub const OUTBOX: Kind = Kind {
    command: "assure notify --dry-run",
    marker: ".assure-outbox",
};
/// `assure demo`: a git repository, so the marker sits in its `.git` (out of the work
/// tree, where `git status` would show it).
pub const DEMO: Kind = Kind {
    command: "assure demo",
    marker: ".git/assure-demo",
};

/// The folders of an assure repository that hold its data (and git's).
const DATA: [&str; 4] = [".git", "groups", "catalog", "evidence"];

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{} is not empty and was not written by `{command}` (it has no {marker} file), so assure leaves it as it is: choose a new or empty folder, or remove this one yourself and run the command again",
        .path.display()
    )]
    NotOurs {
        path: PathBuf,
        command: &'static str,
        marker: &'static str,
    },
    #[error(
        "{} is {what}, where a folder is to be written; assure does not replace or follow it: choose another folder",
        .path.display()
    )]
    NotAFolder { path: PathBuf, what: String },
    #[error(
        "{} is {what}, where a file is to be written; assure does not replace or follow it: choose another file name",
        .path.display()
    )]
    NotAFile { path: PathBuf, what: String },
    #[error(
        "{} {why}; assure never writes its output there: choose a folder outside the repository's data, such as a new folder beside it",
        .path.display()
    )]
    Protected { path: PathBuf, why: String },
    #[error(
        "{} holds a git repository ({}), which replacing the folder would delete: render into another folder and copy the files over",
        .path.display(),
        .git.display()
    )]
    HoldsGit { path: PathBuf, git: PathBuf },
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_owned(),
        source,
    }
}

/// An output folder being written: fill [`Staged::path`] (or use [`Staged::write`]), then
/// [`Staged::finish`] puts it in place. Dropped unfinished, it removes what it wrote and
/// leaves the old folder as it was.
#[derive(Debug)]
pub struct Staged {
    /// The folder as the user named it (for messages).
    shown: PathBuf,
    /// The folder, its parent resolved (see [`locate`]).
    target: PathBuf,
    kind: &'static Kind,
    root: Option<PathBuf>,
    staging: tempfile::TempDir,
    /// Test hook: the rename that puts the new folder in place fails.
    fail_swap: bool,
}

impl Staged {
    /// Checks that `dir` may be written by `kind`'s command working on the repository at
    /// `root` (if any), and makes the temporary folder beside it.
    pub fn begin(
        dir: &Path,
        kind: &'static Kind,
        root: Option<&Path>,
    ) -> Result<Staged, OutputError> {
        let target = locate(dir)?;
        let root = root.map(|r| r.canonicalize().unwrap_or_else(|_| r.to_owned()));
        check_folder(dir, &target, kind, root.as_deref())?;
        let parent = folder(&target);
        std::fs::create_dir_all(parent).map_err(io(dir))?;
        let mut builder = tempfile::Builder::new();
        let name = kind
            .marker
            .rsplit('/')
            .next()
            .unwrap_or(kind.marker)
            .trim_start_matches('.');
        let prefix = format!(".{name}-");
        builder.prefix(&prefix);
        // A temporary folder is private (0700); the output should get the permissions any
        // new folder gets (0777 less the umask): a site is often served by another user.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o777));
        let staging = builder.tempdir_in(parent).map_err(io(dir))?;
        Ok(Staged {
            shown: dir.to_owned(),
            target,
            kind,
            root,
            staging,
            fail_swap: false,
        })
    }

    /// Where to write the new content.
    pub fn path(&self) -> &Path {
        self.staging.path()
    }

    /// Writes `bytes` to `rel` (a relative path with `/`) in the new content.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.file(rel)?;
        std::fs::write(&path, bytes).map_err(io(&path))
    }

    /// Writes `rel` (as [`Staged::write`]) by streaming: `fill` writes the content to a
    /// buffered writer, so a large file need not be held whole.
    pub fn write_with(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        use std::io::Write;
        let path = self.file(rel)?;
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut out).and_then(|()| out.flush()).map_err(io(&path))
    }

    /// The path of `rel` in the new content, its folder made.
    fn file(&self, rel: &str) -> Result<PathBuf, OutputError> {
        let plain = Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        let path = self.staging.path().join(rel);
        if !plain || rel.is_empty() {
            return Err(OutputError::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a plain relative path",
                ),
            });
        }
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        Ok(path)
    }

    /// Puts the new content in place of the folder (checked again: it may have changed
    /// since [`Staged::begin`]), with the marker.
    pub fn finish(self) -> Result<(), OutputError> {
        let exists = check_folder(&self.shown, &self.target, self.kind, self.root.as_deref())?;
        let marker = self.staging.path().join(self.kind.marker);
        if let Some(p) = marker.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        std::fs::write(&marker, self.kind.marker_text()).map_err(io(&marker))?;
        let staged = self.staging.path();
        let mut aside = staged.as_os_str().to_owned();
        aside.push(".old");
        let aside = PathBuf::from(aside);
        if exists {
            std::fs::rename(&self.target, &aside).map_err(io(&self.shown))?;
        }
        let swapped = if self.fail_swap {
            Err(std::io::Error::other("injected failure (test)"))
        } else {
            std::fs::rename(staged, &self.target)
        };
        if let Err(e) = swapped {
            // Renaming back into the name just vacated: only another process racing this
            // one could have taken it; then say where the old output is.
            if exists && let Err(back) = std::fs::rename(&aside, &self.target) {
                return Err(io(&self.shown)(std::io::Error::new(
                    e.kind(),
                    format!(
                        "{e}; and putting the earlier output back failed too ({back}): it is in {}",
                        aside.display()
                    ),
                )));
            }
            return Err(io(&self.shown)(e));
        }
        // The staging folder is now the output: keep it from being removed on drop.
        let _ = self.staging.keep();
        if exists {
            // Best effort: the new output is in place; a leftover here is only old output.
            let _ = std::fs::remove_dir_all(&aside);
        }
        Ok(())
    }
}

/// Checks that `path` may be written as a single output file for the repository at
/// `root` (if any): not in the repository's data or a git folder, not `assure.yaml`, not
/// a folder or a link. Returns the path to write.
pub fn check_file(path: &Path, root: Option<&Path>) -> Result<PathBuf, OutputError> {
    let target = locate(path)?;
    let root = root.map(|r| r.canonicalize().unwrap_or_else(|_| r.to_owned()));
    if let Some(why) = protected(&target, root.as_deref()) {
        return Err(OutputError::Protected {
            path: path.to_owned(),
            why,
        });
    }
    let config = |r: &Path| target == r.join(crate::repo::CONFIG_FILE);
    if roots(&target, root.as_deref()).iter().any(|r| config(r)) {
        return Err(OutputError::Protected {
            path: path.to_owned(),
            why: "is the repository's assure.yaml".into(),
        });
    }
    match std::fs::symlink_metadata(&target) {
        Ok(m) if m.is_file() => Ok(target),
        Ok(m) => Err(OutputError::NotAFile {
            path: path.to_owned(),
            what: crate::repo::hostile::kind(&m.file_type()).to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(target),
        Err(e) => Err(io(path)(e)),
    }
}

fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `path` made absolute with every link resolved but the last component's (which is what
/// a rename or a write acts on), and every `..` taken physically, as the system would.
fn locate(path: &Path) -> Result<PathBuf, OutputError> {
    let abs = std::path::absolute(path).map_err(io(path))?;
    let comps: Vec<Component> = abs.components().collect();
    // `cur` never holds a link, so `..` is its parent.
    let mut cur = PathBuf::new();
    for (i, c) in comps.iter().enumerate() {
        match c {
            Component::Prefix(_) | Component::RootDir => cur.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                cur.pop();
            }
            Component::Normal(name) => {
                cur.push(name);
                let last = i + 1 == comps.len();
                if !last
                    && std::fs::symlink_metadata(&cur).is_ok_and(|m| m.file_type().is_symlink())
                {
                    cur = cur.canonicalize().map_err(io(path))?;
                }
            }
        }
    }
    Ok(cur)
}

/// The repositories `target` concerns: the one the command works on, and any enclosing
/// `target`'s nearest existing folder (an assure repository, a git work tree).
fn roots(target: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = root.map(Path::to_owned).into_iter().collect();
    if let Some(near) = target.ancestors().skip(1).find(|a| a.is_dir()) {
        let found = [
            crate::repo::discover(near).ok(),
            crate::git::work_tree_root(near),
        ];
        for r in found.into_iter().flatten() {
            let r = r.canonicalize().unwrap_or(r);
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Why no output goes to `target`, if so.
fn protected(target: &Path, root: Option<&Path>) -> Option<String> {
    if target.components().any(|c| c.as_os_str() == ".git") {
        return Some("is inside a git folder (.git)".into());
    }
    for r in roots(target, root) {
        if target == r {
            return Some(format!("is the repository {}", r.display()));
        }
        if r.starts_with(target) {
            return Some(format!("contains the repository {}", r.display()));
        }
        for d in DATA {
            let data = r.join(d);
            let real = data.canonicalize().unwrap_or_else(|_| data.clone());
            if target.starts_with(&data) || target.starts_with(&real) {
                return Some(format!(
                    "is inside the repository's {d}/ ({})",
                    real.display()
                ));
            }
        }
        if let Some(git) = crate::git::git_dir(&r) {
            let git = git.canonicalize().unwrap_or(git);
            if target.starts_with(&git) {
                return Some(format!("is inside the git folder {}", git.display()));
            }
        }
    }
    None
}

/// Checks that the folder `target` (named `shown` by the user) may be replaced by `kind`'s
/// command; `Ok(true)`: it exists (empty or marked), `Ok(false)`: it does not.
fn check_folder(
    shown: &Path,
    target: &Path,
    kind: &'static Kind,
    root: Option<&Path>,
) -> Result<bool, OutputError> {
    if let Some(why) = protected(target, root) {
        return Err(OutputError::Protected {
            path: shown.to_owned(),
            why,
        });
    }
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(shown)(e)),
    };
    if !meta.is_dir() {
        let what = match std::fs::read_link(target) {
            Ok(to) => format!("a symbolic link (to {})", to.display()),
            Err(_) => crate::repo::hostile::kind(&meta.file_type()).to_string(),
        };
        return Err(OutputError::NotAFolder {
            path: shown.to_owned(),
            what,
        });
    }
    let empty = std::fs::read_dir(target)
        .map_err(io(shown))?
        .next()
        .is_none();
    if empty {
        return Ok(true);
    }
    let marked = std::fs::symlink_metadata(target.join(kind.marker)).is_ok_and(|m| m.is_file())
        // The demo's marker is in its `.git`, which must be a real folder too.
        && Path::new(kind.marker).parent().is_none_or(|p| {
            p.as_os_str().is_empty()
                || std::fs::symlink_metadata(target.join(p)).is_ok_and(|m| m.is_dir())
        });
    if !marked {
        return Err(OutputError::NotOurs {
            path: shown.to_owned(),
            command: kind.command,
            marker: kind.marker,
        });
    }
    // A git repository inside (say the site's folder was made a `gh-pages` checkout): not
    // ours to delete. The demo is a repository itself; only one nested deeper counts.
    let own = Path::new(kind.marker)
        .components()
        .next()
        .filter(|_| kind.marker.contains('/'))
        .map(|c| target.join(c));
    for entry in walkdir::WalkDir::new(target)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_name() == ".git" && Some(entry.path()) != own.as_deref() {
            return Err(OutputError::HoldsGit {
                path: shown.to_owned(),
                git: entry.path().to_owned(),
            });
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                e.path()
                    .strip_prefix(dir)
                    .expect("under")
                    .display()
                    .to_string()
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_failed_swap_leaves_the_old_folder_and_no_temporary_one() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("out");
        let first = Staged::begin(&out, &SITE, None).expect("begin");
        first.write("old.html", b"old").expect("write");
        first.finish().expect("finish");
        let before = files(tmp.path());

        let mut second = Staged::begin(&out, &SITE, None).expect("begin");
        second.write("new.html", b"new").expect("write");
        second.fail_swap = true;
        let err = second.finish().expect_err("injected");
        assert!(err.to_string().contains("injected failure"), "{err}");
        assert_eq!(files(tmp.path()), before);
        assert_eq!(std::fs::read(out.join("old.html")).expect("old"), b"old");
    }

    #[test]
    fn a_staged_folder_dropped_unfinished_is_removed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let staged = Staged::begin(&tmp.path().join("out"), &WORKBOOKS, None).expect("begin");
        staged.write("a/b.xlsx", b"x").expect("write");
        drop(staged);
        assert_eq!(files(tmp.path()), vec![String::new()]);
    }

    #[test]
    fn only_plain_relative_names_are_written() {
        let tmp = tempfile::tempdir().expect("tmp");
        let staged = Staged::begin(&tmp.path().join("out"), &OUTBOX, None).expect("begin");
        for bad in ["../x", "/etc/x", "a/../../x", ""] {
            assert!(staged.write(bad, b"x").is_err(), "{bad}");
        }
        assert!(!tmp.path().join("x").exists());
    }

    #[test]
    fn locate_resolves_links_but_the_last_and_dot_dot_in_new_parts() {
        let tmp = tempfile::tempdir().expect("tmp");
        let real = tmp.path().canonicalize().expect("canon");
        std::fs::create_dir(real.join("data")).expect("mkdir");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(real.join("data"), real.join("link")).expect("link");
            assert_eq!(
                locate(&real.join("link/new")).expect("locate"),
                real.join("data/new")
            );
            assert_eq!(
                locate(&real.join("link")).expect("locate"),
                real.join("link")
            );
        }
        assert_eq!(
            locate(&real.join("new/../data/x")).expect("locate"),
            real.join("data/x")
        );
        assert_eq!(locate(&real.join("data/..")).expect("locate"), real);
    }
}
