//! The test harness: fixture repositories copied to temporary folders, and the `assure`
//! binary run in a clean environment with the date pinned.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod oscal;
pub mod site_data;
pub mod smtp;

/// The date tests run "today" (`ASSURE_TODAY`), after every fixture date.
pub const TODAY: &str = "2026-01-01";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of a fixture repository in a temporary folder.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
}

impl TestRepo {
    /// A copy of `tests/fixtures/base`.
    pub fn base() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(&fixtures().join("base"), dir.path());
        TestRepo { dir }
    }

    /// A copy of any folder (e.g. the project's `example-repo/`).
    pub fn copy_of(src: &Path) -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(src, dir.path());
        TestRepo { dir }
    }

    /// The base repository with an invalid-case overlay applied: the case's `files/`
    /// copied over it and the paths in its `remove.txt` deleted.
    pub fn with_overlay(case: &Path) -> TestRepo {
        let repo = TestRepo::base();
        if case.join("files").is_dir() {
            copy_tree(&case.join("files"), repo.path());
        }
        if let Ok(list) = std::fs::read_to_string(case.join("remove.txt")) {
            for line in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
                std::fs::remove_file(repo.path().join(line)).expect("remove.txt names a base file");
            }
        }
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(p, contents).expect("write");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).expect("read")
    }

    /// Runs `assure -C <repo> ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut full = vec!["-C", self.path().to_str().expect("utf-8 temp path")];
        full.extend_from_slice(args);
        assure(&full, self.path())
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the `assure` binary in `cwd` with a clean environment.
pub fn assure(args: &[&str], cwd: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_assure"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ASSURE_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .output()
        .expect("run assure");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn copy_tree(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(src).expect("under src");
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Findings of `assure validate --format json` as (code, file, line) triples.
pub fn findings(repo: &TestRepo) -> (i32, Vec<(String, String, u64)>) {
    let out = repo.run(&["validate", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json output ({e}): {}\n{}", out.stdout, out.stderr));
    let list = v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_owned(),
                f["file"].as_str().unwrap_or("").to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    (out.code, list)
}

/// A finding as (code, file, line, column, help).
pub type Located = (String, String, u64, u64, String);

/// The findings of a `validate --format json` run, each as (code, file, line, column,
/// help).
pub fn located(out: &Output) -> Vec<Located> {
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json output ({e}): {}\n{}", out.stdout, out.stderr));
    v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_owned(),
                f["file"].as_str().unwrap_or("").to_owned(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["help"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// A git repository over a test folder, committing with fixed authors and times.
pub struct GitRepo {
    pub repo: git2::Repository,
}

impl GitRepo {
    pub fn init(path: &Path) -> GitRepo {
        let repo = git2::Repository::init(path).expect("git init");
        GitRepo { repo }
    }

    /// Commits the whole work tree as `email`, at `time` (seconds since the epoch).
    pub fn commit_all(&self, email: &str, message: &str, time: i64) -> git2::Oid {
        let parent: Vec<git2::Oid> = self
            .repo
            .head()
            .ok()
            .and_then(|h| h.target())
            .into_iter()
            .collect();
        self.commit_with_parents(email, message, time, &parent)
    }
}

/// Every file under `dir` (but `.git`) with its bytes, to prove nothing changed.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

/// Runs `assure -C <dir> ARGS` with the clock pinned (`ASSURE_NOW`) and extra variables.
pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut full = vec!["-C", dir.to_str().expect("utf-8 temp path")];
    full.extend_from_slice(args);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assure"));
    cmd.args(&full)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ASSURE_TODAY", TODAY)
        .env("ASSURE_NOW", "2026-01-01T12:00:00Z")
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run assure");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `assure ARGS` in `dir` with its standard output a pipe whose reader has gone
/// before anything is written (`assure … | head -0`): the exit code and the standard error.
pub fn closed_stdout(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_assure"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("reads");
    let status = child.wait().expect("waits");
    (status.code(), stderr)
}

/// Seconds since the epoch of an RFC 3339 date-time, for `GitRepo::commit_all`.
pub fn unix(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("RFC 3339 date-time")
        .timestamp()
}

/// Signs a commit's bytes: an armored signature.
type Signer<'a> = dyn Fn(&[u8]) -> String + 'a;

impl GitRepo {
    /// Commits the whole work tree as `email` with the given parents (two or more make a
    /// merge commit), and moves the current branch to the new commit.
    pub fn commit_with_parents(
        &self,
        email: &str,
        message: &str,
        time: i64,
        parents: &[git2::Oid],
    ) -> git2::Oid {
        self.commit_tree(email, message, time, parents, None)
    }

    /// Commits the whole work tree (signed by `sign` over the commit's bytes, if given)
    /// and moves the current branch to the new commit.
    fn commit_tree(
        &self,
        email: &str,
        message: &str,
        time: i64,
        parents: &[git2::Oid],
        sign: Option<&Signer<'_>>,
    ) -> git2::Oid {
        let mut index = self.repo.index().expect("index");
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        index.update_all(["*"], None).expect("update");
        index.write().expect("write index");
        let tree = self
            .repo
            .find_tree(index.write_tree().expect("tree"))
            .expect("find tree");
        let sig = git2::Signature::new(
            email.split('@').next().unwrap_or(email),
            email,
            &git2::Time::new(time, 0),
        )
        .expect("signature");
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).expect("parent commit"))
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        let id = match sign {
            None => self
                .repo
                .commit(None, &sig, &sig, message, &tree, &parents)
                .expect("commit"),
            Some(sign) => {
                let buffer = self
                    .repo
                    .commit_create_buffer(&sig, &sig, message, &tree, &parents)
                    .expect("commit buffer");
                let text = buffer.as_str().expect("utf-8 commit");
                self.repo
                    .commit_signed(text, &sign(text.as_bytes()), None)
                    .expect("signed commit")
            }
        };
        let head = self.repo.find_reference("HEAD").expect("HEAD");
        let branch = head
            .symbolic_target()
            .expect("HEAD names a branch")
            .to_owned();
        self.repo
            .reference(&branch, id, true, message)
            .expect("move branch");
        id
    }

    /// Moves the current branch to `commit` and makes the index and work tree match it
    /// (`git reset --hard`).
    pub fn reset_hard(&self, commit: git2::Oid) {
        let c = self.repo.find_commit(commit).expect("commit");
        self.repo
            .reset(c.as_object(), git2::ResetType::Hard, None)
            .expect("reset --hard");
    }
}

/// Runs the `git` command line in `dir` with a clean environment and a fixed identity
/// (for what git2 cannot do: shallow clones, a merge left in conflict).
pub fn git_cli(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.com")
        .env("GIT_COMMITTER_NAME", "tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.com")
        .output()
        .expect("run git");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A private key of `tests/fixtures/keys/` (made with `ssh-keygen -t ed25519`).
pub fn signing_key(name: &str) -> ssh_key::PrivateKey {
    let text = std::fs::read_to_string(fixtures().join("keys").join(name)).expect("key fixture");
    ssh_key::PrivateKey::from_openssh(text).expect("an OpenSSH private key")
}

/// The public key line of a key of `tests/fixtures/keys/`.
pub fn public_key(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("keys").join(format!("{name}.pub")))
        .expect("key fixture")
        .trim()
        .to_owned()
}

/// An SSH signature (SSHSIG, git's namespace) of `data` by `key`, armored as git stores it.
pub fn ssh_sign(key: &ssh_key::PrivateKey, data: &[u8]) -> String {
    key.sign("git", ssh_key::HashAlg::Sha512, data)
        .expect("sign")
        .to_pem(ssh_key::LineEnding::LF)
        .expect("armor")
}

impl GitRepo {
    /// Like [`GitRepo::commit_with_parents`], but the commit carries `signature` (an
    /// armored SSHSIG, as `git commit -S` with `gpg.format=ssh` writes it) over the bytes
    /// `sign` returns for the commit's own bytes: the signature of those bytes for an
    /// honest commit, of other bytes for a forged one.
    pub fn commit_signed(
        &self,
        email: &str,
        message: &str,
        time: i64,
        parents: &[git2::Oid],
        sign: impl Fn(&[u8]) -> String,
    ) -> git2::Oid {
        self.commit_tree(email, message, time, parents, Some(&sign))
    }
}

/// A document as the `rewrite` target compares it: a key holding null, `[]` or `{}` is
/// absent (the editor's callers compare typed values), and an empty document is null.
pub fn normalised(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    fn empty(v: &J) -> bool {
        matches!(v, J::Null)
            || v.as_array().is_some_and(Vec::is_empty)
            || v.as_object().is_some_and(serde_json::Map::is_empty)
    }
    fn walk(v: &J) -> J {
        match v {
            J::Object(map) => J::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), walk(v)))
                    .filter(|(_, v)| !empty(v))
                    .collect(),
            ),
            J::Array(items) => J::Array(items.iter().map(walk).collect()),
            other => other.clone(),
        }
    }
    let v = walk(v);
    if empty(&v) { J::Null } else { v }
}
