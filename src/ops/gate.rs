//! The review gate (DESIGN.md §3, §6.3; SECURITY.md): `assure validate --base REV
//! [--actor WHO]`.
//!
//! Every commit in `REV..HEAD`, and the work tree's uncommitted changes, are checked
//! against their author's roles **as they stood at REV** — nobody can grant themselves a
//! right in the same change that uses it — or the whole change is attributed to
//! `--actor`. Changes are compared atom by atom (a control's field, a header field, a
//! person's entry, a setting, or a whole file, with its value): a merge's own change is
//! what it sets against its first parent, less the atoms it takes from a merged side that
//! changed them in the range (or leaves as the base has them); the net change from REV
//! must be made of atoms that checked changes set, and keeps what nobody may change
//! (archived assessments byte for byte, no moves between groups, data files that are
//! regular files). With `require_signed_commits` at REV, every commit must carry an SSH
//! signature by its author's key. With `rules.tester_is_not_implementer` at REV, a test
//! result set by someone who wrote the control's implementation is refused
//! (`ops::independence`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

mod atoms;

use atoms::{Atoms, Made, both, changes_between, keys_of, made_atom, sets, streamed};
pub use atoms::{Prepared, PreparedFile};

use super::changes::{Change, FileChange, FileVersions};
use super::history::{Side, Versions};
use super::independence::{self, Tested, tests_set};
use super::permissions::{Actor, Permission};
use crate::catalog::key_span;
use crate::diag::{Code, Diagnostic};
use crate::git::{CommitId, CommitInfo, Git, GitError};
use crate::model::Config;
use crate::repo::source::SourceMap;
use crate::repo::yaml::Node;

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(
        "assure.yaml at {0} is missing or does not load, so nobody's role at the base is known; choose a base where it is valid"
    )]
    NoBaseConfig(String),
    #[error("a {0} is in progress; finish or abort it first, then run the check again")]
    InProgress(String),
    #[error(transparent)]
    Ratchet(#[from] super::ratchet::RatchetError),
}

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Problem {
    /// The actor's role at the base does not carry the permission.
    NotAllowed(#[serde(serialize_with = "ser_permission")] Permission),
    /// Nobody may make this change.
    Forbidden(&'static str),
    /// Part of the net change that no checked commit made.
    Unchecked,
    /// With `require_signed_commits`: the commit is not signed by one of its author's keys.
    Unsigned(String),
    /// With `rules.tester_is_not_implementer`: the tester wrote the implementation (who
    /// and where).
    SelfTested(String),
    /// With `ratchet`: a score falls or a passed control fails, and no commit in the range
    /// states why.
    Regression(super::ratchet::Regression),
}

fn ser_permission<S: serde::Serializer>(p: &Permission, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.needs())
}

/// Who a finding is about.
#[derive(Debug, Clone)]
pub enum By {
    /// A commit in the range, with its author as the base knew them.
    Commit(CommitInfo, String),
    /// The uncommitted changes in the work tree, by the acting person.
    WorkTree(String),
    /// The whole change, attributed to `--actor`.
    Actor(String),
    /// The net change from the base, whoever made it.
    Net,
}

#[derive(Debug, Clone)]
pub struct GateFinding {
    pub by: By,
    /// The file the finding is about (empty: none, e.g. an unsigned commit).
    pub path: String,
    pub change: Option<Change>,
    pub problem: Problem,
}

impl GateFinding {
    pub fn code(&self) -> Code {
        match (&self.problem, &self.change) {
            (Problem::NotAllowed(_), _) => Code::PermissionDenied,
            (Problem::Unchecked, _) => Code::UncheckedChange,
            (Problem::Unsigned(_), _) => Code::UnsignedCommit,
            (Problem::SelfTested(_), _) => Code::TesterIsImplementer,
            (Problem::Regression(_), _) => Code::ComplianceRegression,
            (_, Some(Change::AssessmentMoved { .. })) => Code::AssessmentMoved,
            (_, Some(Change::AssessmentUnarchived { .. })) => Code::Unarchived,
            (_, Some(Change::NotARegularFile { .. })) => Code::NotARegularFile,
            (_, Some(Change::TooLarge { .. })) => Code::BlobTooLarge,
            _ => Code::ArchivedModified,
        }
    }

    /// The commit the finding names, if any.
    pub fn commit(&self) -> Option<&CommitInfo> {
        match &self.by {
            By::Commit(c, _) => Some(c),
            _ => None,
        }
    }

    pub fn message(&self) -> String {
        let who = match &self.by {
            By::Commit(c, actor) => format!("commit {} by {actor}", c.short),
            By::WorkTree(actor) => format!("uncommitted changes by {actor}"),
            By::Actor(actor) => actor.clone(),
            By::Net => "the change as a whole".to_owned(),
        };
        let what = self
            .change
            .as_ref()
            .map_or_else(String::new, |c| format!("{}: ", c.describe()));
        match &self.problem {
            Problem::NotAllowed(p) => format!("{who}: {what}{p} needs {}", p.needs()),
            Problem::Forbidden(rule) => format!("{who}: {what}{rule}"),
            Problem::Unchecked => format!(
                "{who}: {what}no commit checked in the range made this change; it comes from history outside the range (a merge of an older commit?)"
            ),
            Problem::Unsigned(why) => format!(
                "{who}: {why}; assure.yaml at the base requires every commit to be SSH-signed by one of its author's signing_keys"
            ),
            Problem::SelfTested(why) => format!("{who}: {what}{why}"),
            Problem::Regression(r) => match &self.by {
                By::WorkTree(_) => format!(
                    "{who}: {}, and uncommitted changes have no commit message to state why in",
                    r.describe()
                ),
                _ => format!(
                    "{who}: {}, and no commit in the range states why",
                    r.describe()
                ),
            },
        }
    }
}

/// What checking a change against `base` must load: `None` when it may affect the whole
/// repository (it touches `assure.yaml`, the catalog, or a file that assessments may cite
/// as evidence), else the groups whose files it touches, work tree included. Every rule
/// but the change checks looks within one group (sync classes too, DESIGN.md §4.4), so
/// the groups the change leaves alone keep the findings they had at the base, and the
/// check costs what the change costs.
pub fn affected_groups(
    git: &Git,
    base: &str,
) -> Result<Option<std::collections::BTreeSet<String>>, GateError> {
    let base = git.resolve(base)?;
    let mut groups = std::collections::BTreeSet::new();
    for path in git.changed_files(Some(base), None)? {
        match path.strip_prefix("groups/").and_then(|r| r.split_once('/')) {
            Some((group, file)) if !file.contains('/') => {
                groups.insert(group.to_owned());
            }
            _ => return Ok(None),
        }
    }
    Ok(Some(groups))
}

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// The base revision: roles, keys and settings are read from it.
    pub base: &'a str,
    /// The last commit of the change; `None`: HEAD with the work tree's uncommitted
    /// changes laid over it (what `validate` reads).
    pub head: Option<&'a str>,
    /// Attribute the whole change to this person (an e-mail or a listed GitHub login)
    /// instead of each commit's author.
    pub actor: Option<&'a str>,
    /// Who made the uncommitted changes (`--as`, else git's `user.email`); `None`: a
    /// guest, who may change nothing.
    pub acting: Option<&'a str>,
}

/// Checks the change `base..head` (DESIGN.md §3, §6.3):
///
/// 1. each commit's own change against its author's roles at the base (or, with an
///    actor, the whole change against the actor's), and the changes nobody may make;
///    a merge's own change is what it changes against its first parent, less what it
///    takes from another parent that commits in the range made (or that the base holds);
/// 2. the uncommitted changes against the acting person's roles;
/// 3. the net change from the base (from its merge base with the head, for a branch that
///    does not contain the base): what nobody may make, and anything no checked commit
///    made — an old value a merge brought back from history;
/// 4. with `require_signed_commits` at the base, every commit's SSH signature.
pub fn gate(versions: &mut Versions, req: &Request) -> Result<Vec<GateFinding>, GateError> {
    gate_prepared(versions, req, None)
}

/// [`gate`], the files `prepared` holds not read again (`diff` compared them already).
pub fn gate_prepared(
    versions: &mut Versions,
    req: &Request,
    prepared: Option<&Prepared>,
) -> Result<Vec<GateFinding>, GateError> {
    let git = versions.git;
    let base_id = git.resolve(req.base)?;
    let head_id = git.resolve(req.head.unwrap_or("HEAD"))?;
    let config: Config = versions
        .json(Side::Commit(base_id), "assure.yaml")?
        .1
        .and_then(|j| serde_json::from_value(j).ok())
        .ok_or_else(|| GateError::NoBaseConfig(req.base.to_owned()))?;
    versions.set_max_blob(config.limits.max_blob_bytes);
    let last = match req.head {
        Some(_) => Side::Commit(head_id),
        None => Side::WorkTree,
    };
    let mut gate = Gate {
        versions: &*versions,
        config: &config,
        req,
        findings: Vec::new(),
        made: HashSet::new(),
        tested: Vec::new(),
        prepared,
    };
    gate.commits(base_id, head_id)?;
    if last == Side::WorkTree {
        gate.work_tree(head_id)?;
    }
    gate.net_change(base_id, head_id, last)?;
    if config.rules.tester_is_not_implementer {
        let tested = std::mem::take(&mut gate.tested);
        let found = independence::judge(versions, &config, req, (base_id, head_id, last), tested)?;
        gate.findings.extend(found);
    }
    if config.ratchet {
        let acting = Actor::new(&config, req.acting.unwrap_or("")).describe();
        let found = super::ratchet::judge(versions, (base_id, head_id, last), acting)?;
        gate.findings.extend(found);
    }
    Ok(gate.findings)
}

/// The state of one run of the gate: what it reads, what it found, and what the checked
/// changes made.
struct Gate<'a, 'g> {
    versions: &'a Versions<'g>,
    /// assure.yaml at the base: roles, keys and settings.
    config: &'a Config,
    req: &'a Request<'a>,
    findings: Vec<GateFinding>,
    /// What checked commits made: the net change must be made of these.
    made: HashSet<Made>,
    /// Test results the checked changes set, with who set them.
    tested: Vec<Tested>,
    /// Files already compared, not to read again.
    prepared: Option<&'a Prepared>,
}

impl Gate<'_, '_> {
    /// Step 1 and 4: each commit's own change against its author's roles at the base,
    /// and its signature when the base requires one.
    fn commits(&mut self, base_id: CommitId, head_id: CommitId) -> Result<(), GateError> {
        let git = self.versions.git;
        let config = self.config;
        let range = git.range(Some(base_id), head_id)?;
        let in_range: HashSet<CommitId> = range.iter().copied().collect();
        for &id in &range {
            let info = git.commit_info(id)?;
            let (own, sets) =
                own_changes(self.versions, self.prepared, &info, (base_id, &in_range))?;
            self.made.extend(sets);
            if config.require_signed_commits {
                let keys = super::signatures::keys_of(config, &info.author_email);
                let sig = super::signatures::verify(git, id, &keys)?;
                if !sig.is_verified() {
                    let who = Actor::new(config, &info.author_email).describe();
                    self.findings.push(GateFinding {
                        by: By::Commit(info.clone(), who),
                        path: "assure.yaml".to_owned(),
                        change: None,
                        problem: Problem::Unsigned(sig.describe()),
                    });
                }
            }
            if self.req.actor.is_none() {
                let who = Actor::new(config, &info.author_email);
                let by = By::Commit(info, who.describe());
                self.tested.extend(tests_set(&own, &by, &who.email));
                check(&mut self.findings, &by, &who, own);
            }
        }
        Ok(())
    }

    /// Step 2: the uncommitted changes against the acting person's roles (and, with
    /// signatures required, refused as unsigned).
    fn work_tree(&mut self, head_id: CommitId) -> Result<(), GateError> {
        let versions = self.versions;
        let paths = versions.changed_files(Side::Commit(head_id), Side::WorkTree)?;
        let sides = (Side::Commit(head_id), Side::WorkTree);
        let own = changes_between(versions, self.prepared, sides, &paths)?;
        for (c, o, n) in &own {
            self.made.extend(
                keys_of(&c.change, o, n)
                    .iter()
                    .map(|k| made_atom(&c.path, k, n)),
            );
        }
        let own: Vec<FileChange> = own.into_iter().map(|(c, ..)| c).collect();
        let who = Actor::new(self.config, self.req.acting.unwrap_or(""));
        if self.config.require_signed_commits && !own.is_empty() {
            self.findings.push(GateFinding {
                by: By::WorkTree(who.describe()),
                path: "assure.yaml".to_owned(),
                change: None,
                problem: Problem::Unsigned(
                    "uncommitted changes cannot be signed; commit them (signed)".to_owned(),
                ),
            });
        }
        if self.req.actor.is_none() {
            let by = By::WorkTree(who.describe());
            self.tested.extend(tests_set(&own, &by, &who.email));
            check(&mut self.findings, &by, &who, own);
        }
        Ok(())
    }

    /// Step 3: the net change from the base. A branch that does not contain the base is
    /// judged from where it left it: what a merge into the base would bring.
    fn net_change(
        &mut self,
        base_id: CommitId,
        head_id: CommitId,
        last: Side,
    ) -> Result<(), GateError> {
        let versions = self.versions;
        let from = versions
            .git
            .merge_base(base_id, head_id)?
            .unwrap_or(base_id);
        let paths = versions.changed_files(Side::Commit(from), last)?;
        let net_atoms =
            changes_between(versions, self.prepared, (Side::Commit(from), last), &paths)?;
        let net: Vec<FileChange> = net_atoms.iter().map(|(c, ..)| c.clone()).collect();
        self.links(head_id, last, &net)?;
        match self.req.actor {
            Some(name) => {
                let who = Actor::named(self.config, name);
                let by = By::Actor(who.describe());
                self.tested.extend(tests_set(&net, &by, &who.email));
                check(&mut self.findings, &by, &who, net);
            }
            None => self.unchecked(net_atoms),
        }
        Ok(())
    }

    /// A data file that is a link at the end is read through the link, whoever made it
    /// and whenever: what it points at changes the data without changing the link.
    fn links(
        &mut self,
        head_id: CommitId,
        last: Side,
        net: &[FileChange],
    ) -> Result<(), GateError> {
        for (path, kind) in non_files(self.versions, head_id, last)? {
            let change = Change::NotARegularFile {
                path: path.clone(),
                kind: kind.describe(),
            };
            let reported = self.findings.iter().any(|f| {
                f.path == path
                    && f.change
                        .as_ref()
                        .is_some_and(|c| c.subject() == change.subject())
            });
            let made_by_actor =
                self.req.actor.is_some() && net.iter().any(|fc| fc.change == change);
            if !reported && !made_by_actor {
                self.findings.push(GateFinding {
                    by: By::Net,
                    path,
                    change: Some(change),
                    problem: Problem::Forbidden(
                        "assure.yaml and every file under catalog/ and groups/ must be a regular file, so that what is reviewed is what is read",
                    ),
                });
            }
        }
        Ok(())
    }

    /// The net change's parts that nobody may make, or that no checked change made, not
    /// reported at a commit already.
    fn unchecked(&mut self, net_atoms: Vec<(FileChange, Atoms, Atoms)>) {
        for (fc, o, n) in net_atoms {
            // Made by checked changes: every atom it sets, to the value it ends with.
            let unchecked = keys_of(&fc.change, &o, &n)
                .iter()
                .any(|k| o.get(k) != n.get(k) && !self.made.contains(&made_atom(&fc.path, k, &n)));
            let problem = match fc.change.forbidden() {
                Some(rule) => Problem::Forbidden(rule),
                None if unchecked => Problem::Unchecked,
                None => continue,
            };
            // A forbidden change a commit made is reported at that commit already.
            let reported = self.findings.iter().any(|f| {
                f.path == fc.path
                    && f.problem == problem
                    && f.change.as_ref().map(Change::describe) == Some(fc.change.describe())
            });
            if !reported {
                self.findings.push(GateFinding {
                    by: By::Net,
                    path: fc.path,
                    change: Some(fc.change),
                    problem,
                });
            }
        }
    }
}

/// Refuses to judge a work tree in the middle of a merge, rebase, cherry-pick or revert:
/// its files are neither side's.
pub fn require_settled(git: &Git) -> Result<(), GateError> {
    match git.operation_in_progress() {
        Some(op) => Err(GateError::InProgress(op)),
        None => Ok(()),
    }
}

/// Checks `base..head` of a repository (no work tree), each commit against its author.
pub fn gate_range(
    git: &Git,
    root: &Path,
    base: &str,
    head: &str,
) -> Result<Vec<GateFinding>, GateError> {
    gate(
        &mut Versions::new(git, root),
        &Request {
            base,
            head: Some(head),
            ..Request::default()
        },
    )
}

/// The data files (assure.yaml, catalog/, groups/) at `side` that are symbolic links or
/// submodules (the work tree's: links, never followed).
fn non_files(
    versions: &Versions,
    head: CommitId,
    side: Side,
) -> Result<Vec<(String, crate::git::EntryKind)>, GitError> {
    const DATA: [&str; 3] = ["assure.yaml", "catalog", "groups"];
    if side != Side::WorkTree {
        return versions.git.non_files(head, &DATA);
    }
    let mut out = Vec::new();
    for dir in DATA {
        for entry in walkdir::WalkDir::new(versions.root().join(dir))
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.path_is_symlink() {
                let rel = entry
                    .path()
                    .strip_prefix(versions.root())
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                out.push((rel, crate::git::EntryKind::Link));
            }
        }
    }
    Ok(out)
}

/// Pushes a finding for each change `who` may not make, or nobody may.
fn check(findings: &mut Vec<GateFinding>, by: &By, who: &Actor, changes: Vec<FileChange>) {
    for fc in changes {
        let problem = match fc.change.forbidden() {
            Some(rule) => Problem::Forbidden(rule),
            None if !who.may(fc.change.permission()) => Problem::NotAllowed(fc.change.permission()),
            None => continue,
        };
        findings.push(GateFinding {
            by: by.clone(),
            path: fc.path,
            change: Some(fc.change),
            problem,
        });
    }
}

/// What a commit changes itself, with the atoms it sets.
///
/// Against its first parent (the empty tree for a root commit). An assessment, group or
/// `assure.yaml` that the first parent held but could not read is compared with the
/// base's version (or, if that does not load either, with nothing), so a file broken in
/// one commit and repaired in the next is judged by what the repair sets, not as a mere
/// edit of a file.
///
/// A merge takes an atom from another parent — that side's work, checked in its own
/// commits — only where the merge's value is that parent's, the parent is in the range,
/// and the parent's side changed it since it left the first parent's line (its value
/// differs from every merge base of the two); an atom the merge leaves as the base holds
/// it is no change at all. Anything else a merge brings is the merger's own change,
/// whatever the number or order of its parents: an old value from a commit outside the
/// range, or one its own side had undone, is not exempt.
fn own_changes(
    versions: &Versions,
    prepared: Option<&Prepared>,
    info: &CommitInfo,
    (base, in_range): (CommitId, &HashSet<CommitId>),
) -> Result<(Vec<FileChange>, Vec<Made>), GitError> {
    let me = Side::Commit(info.id);
    let first = match info.parents.first() {
        Some(&p) => Side::Commit(p),
        None => Side::Empty,
    };
    let paths = versions.changed_files(first, me)?;
    let changes = streamed(versions, (prepared, first, me), &paths, |v, p| {
        against_first_parent(v, first, me, base, p)
    })?;
    if info.parents.len() < 2 || changes.is_empty() {
        let made = sets(&changes);
        return Ok((changes.into_iter().map(|(c, ..)| c).collect(), made));
    }
    let merged = Merged::read(versions, info, base, in_range, &paths)?;
    let own = merged.own(changes)?;
    let made = sets(&own);
    Ok((own.into_iter().map(|(c, ..)| c).collect(), made))
}

/// The versions of `path` in `first` and `me`, with a data file that `first` held but
/// could not read taken from the base (or, if that does not load either, nothing).
fn against_first_parent(
    versions: &Versions,
    first: Side,
    me: Side,
    base: CommitId,
    path: &String,
) -> Result<Option<FileVersions>, GitError> {
    let path = std::slice::from_ref(path);
    let Some(mut f) = versions.file_versions(first, me, path)?.pop() else {
        return Ok(None);
    };
    let data = f.path == "assure.yaml" || f.path.starts_with("groups/");
    if data && f.old_exists && f.old.is_none() && f.new.is_some() {
        let mut before = versions.file_versions(Side::Commit(base), me, path)?;
        if before.first().is_none_or(|b| b.old.is_none()) {
            before = versions.file_versions(Side::Empty, me, path)?;
        }
        if let Some(b) = before.into_iter().next() {
            f = b;
        }
    }
    Ok(Some(f))
}

/// Atoms of each file, by path.
type AtomsAt = HashMap<String, Atoms>;

/// What a merge could take from elsewhere: the atoms of its changed paths at the base,
/// and at each in-range other parent with that parent's merge bases with the first.
struct Merged<'a, 'g> {
    versions: &'a Versions<'g>,
    me: Side,
    at_base: AtomsAt,
    sides: Vec<(CommitId, AtomsAt, Vec<AtomsAt>)>,
}

impl<'a, 'g> Merged<'a, 'g> {
    /// Reads the atoms of `paths` at the base and at the merge `info`'s other parents.
    fn read(
        versions: &'a Versions<'g>,
        info: &CommitInfo,
        base: CommitId,
        in_range: &HashSet<CommitId>,
        paths: &[String],
    ) -> Result<Self, GitError> {
        let me = Side::Commit(info.id);
        let at = |side: Side| -> Result<AtomsAt, GitError> {
            Ok(versions
                .file_versions(side, me, paths)?
                .iter()
                .map(|f| (f.path.clone(), both(f).0))
                .collect())
        };
        let at_base = at(Side::Commit(base))?;
        let mut sides = Vec::new();
        for &p in &info.parents[1..] {
            if !in_range.contains(&p) {
                continue;
            }
            let bases = versions
                .git
                .merge_bases(info.parents[0], p)?
                .into_iter()
                .map(|mb| at(Side::Commit(mb)))
                .collect::<Result<Vec<_>, _>>()?;
            sides.push((p, at(Side::Commit(p))?, bases));
        }
        Ok(Merged {
            versions,
            me,
            at_base,
            sides,
        })
    }

    /// Whether the merge takes atom `key` of `path` with `value` from the base or from a
    /// side that changed it.
    fn taken(&self, path: &str, key: &str, value: Option<&String>) -> bool {
        let holds = |atoms: &AtomsAt| atoms.get(path).and_then(|a| a.get(key)) == value;
        holds(&self.at_base)
            || self
                .sides
                .iter()
                .any(|(_, theirs, bases)| holds(theirs) && !bases.iter().any(holds))
    }

    /// The merge's own part of `changes` (against its first parent).
    fn own(
        &self,
        changes: Vec<(FileChange, Atoms, Atoms)>,
    ) -> Result<Vec<(FileChange, Atoms, Atoms)>, GitError> {
        let mut own = Vec::new();
        for (c, o, n) in changes {
            let keys: Vec<String> = keys_of(&c.change, &o, &n)
                .into_iter()
                .filter(|k| o.get(k) != n.get(k))
                .collect();
            let mine = keys
                .iter()
                .filter(|k| !self.taken(&c.path, k, n.get(*k)))
                .count();
            if mine == 0 {
                continue;
            }
            if mine < keys.len() && c.change.is_whole_file() {
                // Part of a file the merge took from a side: the merger's own part is what
                // it changes against that side's version.
                let side = self
                    .sides
                    .iter()
                    .find(|(_, theirs, _)| theirs.get(&c.path).is_some_and(|a| !a.is_empty()));
                if let Some((p, ..)) = side {
                    let path = std::slice::from_ref(&c.path);
                    for (part, po, pn) in
                        changes_between(self.versions, None, (Side::Commit(*p), self.me), path)?
                    {
                        let part_keys = keys_of(&part.change, &po, &pn);
                        if part_keys.iter().any(|k| {
                            po.get(k) != pn.get(k) && !self.taken(&part.path, k, pn.get(k))
                        }) {
                            own.push((part, po, pn));
                        }
                    }
                    continue;
                }
            }
            own.push((c, o, n));
        }
        Ok(own)
    }
}

/// Findings as diagnostics, located in the work tree's files (a file that no longer
/// exists gets a bare location).
pub fn diagnostics(
    findings: &[GateFinding],
    sources: &mut SourceMap,
    nodes: &dyn Fn(crate::repo::source::FileId) -> Option<Node>,
) -> Vec<Diagnostic> {
    findings
        .iter()
        .map(|f| {
            let file = sources
                .find(&f.path)
                .unwrap_or_else(|| sources.add(f.path.clone(), String::new()));
            if let Problem::Regression(r) = &f.problem {
                let span = nodes(file).map_or(0..0, |node| regression_span(&node, r));
                return Diagnostic::new(f.code(), f.message())
                    .at(file, span, "regressed here")
                    .help(help(f));
            }
            let Some(change) = &f.change else {
                // An unsigned commit: the setting that asks for signatures.
                let span =
                    nodes(file).map_or(0..0, |node| key_span(&node, &["require_signed_commits"]));
                return Diagnostic::new(f.code(), f.message())
                    .at(file, span, "required here")
                    .help(help(f));
            };
            let span = nodes(file).map_or(0..0, |node| match change {
                Change::ControlField { control, field, .. } => {
                    let (n, _, found) = node.walk(&["controls", control, field]);
                    if found {
                        n.span.clone()
                    } else {
                        key_span(&node, &["controls", control])
                    }
                }
                Change::GroupRenamed { .. } => key_span(&node, &["name"]),
                Change::AssessmentArchived { .. }
                | Change::AssessmentUnarchived { .. }
                | Change::ArchivedModified { .. } => {
                    // `archived` is gone after an un-archiving: point at the file's header.
                    first_key(&node, &["archived", "service"])
                }
                Change::AssessmentMoved { .. }
                | Change::AssessmentCreated { .. }
                | Change::AssessmentDeleted { .. } => first_key(&node, &["service"]),
                Change::GroupCreated { .. } => first_key(&node, &["name"]),
                Change::PersonRemoved { .. } => first_key(&node, &["people"]),
                Change::AssessmentHeader { field, .. } => key_span(&node, &[field.as_str()]),
                Change::PersonAdded { email }
                | Change::PersonChanged { email }
                | Change::PortalAdminChanged { email } => person_span(&node, email).unwrap_or(0..0),
                Change::GlobalAdminsChanged => key_span(&node, &["global_admins"]),
                Change::SettingsChanged { field } => key_span(&node, &[field.as_str()]),
                _ => 0..0,
            });
            Diagnostic::new(f.code(), f.message())
                .at(file, span, "changed here")
                .help(help(f))
        })
        .collect()
}

/// How to fix a finding.
fn help(f: &GateFinding) -> String {
    match &f.problem {
                Problem::NotAllowed(p) => format!(
                    "roles are read from the base revision, so a role granted in this change does not count yet; ask someone with {} to make this change, or merge the role change first",
                    p.needs()
                ),
                Problem::Forbidden(_) => "revert this part of the change".to_owned(),
                Problem::Unchecked => "revert this part, or make it again in a commit of its own by someone whose role allows it; `assure explain unchecked-change`".to_owned(),
                Problem::SelfTested(_) => "the result must be recorded by someone who wrote none of the implementation (rule `tester_is_not_implementer` in assure.yaml): drop this result from the change and ask another assessor to test the control; `assure explain tester-is-implementer`".to_owned(),
                Problem::Regression(_) => format!("a regression may well be the truth (a failed test); the ratchet (`ratchet: true` in assure.yaml at the base) asks that it be deliberate: state why in a commit of the change, with a trailer line in the last paragraph of its message, `{}: <reason>` (`git commit --trailer '{}: Q3 pen test found TLS 1.0 on the legacy gateway'`, or `git commit --amend` to add it); uncommitted changes have no commit message and cannot carry one: commit them; `assure explain compliance-regression`", super::ratchet::TRAILER, super::ratchet::TRAILER),
                Problem::Unsigned(_) => "sign your commits with a key listed as yours in assure.yaml: `git config gpg.format ssh`, `git config user.signingkey ~/.ssh/id_ed25519.pub`, then re-sign the branch (`git rebase --exec 'git commit --amend --no-edit -S' BASE`)".to_owned(),
            }
}

/// Where a regression shows in its assessment file: the first regressed control's test
/// result (or the control), else the file's first key.
fn regression_span(node: &Node, r: &super::ratchet::Regression) -> std::ops::Range<usize> {
    for c in &r.controls {
        let (n, _, found) = node.walk(&["controls", &c.control, "test_result"]);
        if found {
            return n.span.clone();
        }
        if node.walk(&["controls", &c.control]).2 {
            return key_span(node, &["controls", &c.control]);
        }
    }
    first_key(node, &["controls", "service"])
}

/// The key span of the first of `keys` the mapping has (an empty span at the start if none).
fn first_key(node: &Node, keys: &[&str]) -> std::ops::Range<usize> {
    keys.iter()
        .find_map(|k| node.entry(k))
        .map_or(0..0, |e| e.key_span.clone())
}

fn person_span(node: &Node, email: &str) -> Option<std::ops::Range<usize>> {
    let crate::repo::yaml::Value::Seq(people) = &node.get("people")?.value else {
        return None;
    };
    people
        .iter()
        .find(|p| {
            p.get("email")
                .and_then(Node::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .map(|p| p.span.start..p.span.start)
}
