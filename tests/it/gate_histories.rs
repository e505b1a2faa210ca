//! Generated histories against the review gate: random real git histories — edits by
//! people of every role, merges of old commits in either parent order, deletes and
//! re-adds, an archived file touched, data files turned into links — checked with the
//! library's gate. The property (DESIGN.md §3): whenever the gate finds nothing, the net
//! change from the base holds nothing that no author in the range may make, and nothing
//! that nobody may make.
//!
//! The oracle is independent of the gate: each commit's state is kept here as a small
//! struct, and the net change is read off the base's and the head's structs.

use std::collections::HashMap;
use std::path::Path;

use proptest::prelude::*;

use crate::support::{GitRepo, TestRepo, unix};

const GDPR: &str = "groups/default-group/office-365--gdpr.yaml";
const OLD: &str = "groups/old/azure--gdpr.yaml";

const PEOPLE: &[&str] = &[
    "alice@example.com", // administrator
    "bob@example.com",   // assessor
    "carol@example.com", // portal-admin, administrator; global admin
    "dave@example.com",  // contributor, or assessor (the state says)
    "erin@example.com",  // reader
    "frank@example.com", // portal-admin
    "zed@elsewhere.com", // a guest
];

/// What the generated repository holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct State {
    dave_assesses: bool,
    /// `None`: the GDPR assessment is deleted.
    gdpr: Option<Gdpr>,
    /// `None`: the archived assessment is deleted; `Some(n)`: its bytes, variant n.
    old: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Gdpr {
    implemented: bool,
    /// The test result of 6.2.1.1.
    result: Option<&'static str>,
    /// Committed as a symbolic link to an evidence file with this content.
    link: bool,
}

impl State {
    fn start() -> State {
        State {
            dave_assesses: false,
            gdpr: Some(Gdpr {
                implemented: false,
                result: None,
                link: false,
            }),
            old: Some(0),
        }
    }

    /// Lays the state out in the work tree.
    fn write(&self, root: &Path) {
        std::fs::write(root.join("assure.yaml"), config(self.dave_assesses)).expect("write");
        let gdpr = root.join(GDPR);
        let evidence = root.join("evidence/gdpr.yaml");
        let _ = std::fs::remove_file(&gdpr);
        let _ = std::fs::remove_file(&evidence);
        if let Some(g) = &self.gdpr {
            let mut text = String::from(
                "service: office-365\ncertification: gdpr\ncreated: 2019-01-15T09:30:00Z\ncreated_by: alice@example.com\ncontrols:\n  \"6.2.1.1\":\n",
            );
            text.push_str(if g.implemented {
                "    status: implemented\n"
            } else {
                "    status: planned\n"
            });
            if let Some(r) = g.result {
                text.push_str(&format!(
                    "    test_date: 2019-04-30\n    test_result: {r}\n"
                ));
            }
            if g.link {
                std::fs::write(&evidence, text).expect("write");
                link("../../evidence/gdpr.yaml", &gdpr);
            } else {
                std::fs::write(&gdpr, text).expect("write");
            }
        }
        let old = root.join(OLD);
        match self.old {
            None => {
                let _ = std::fs::remove_file(&old);
            }
            Some(n) => std::fs::write(
                &old,
                format!(
                    "service: azure\ncertification: gdpr\ncreated: 2018-03-01T08:00:00Z\ncreated_by: alice@example.com\narchived: 2019-01-01T00:00:00Z\n{}controls:\n  \"6.2.1.1\":\n    status: planned\n",
                    "# touched\n".repeat(n as usize)
                ),
            )
            .expect("write"),
        }
    }
}

/// assure.yaml, with Dave a contributor or an assessor.
fn config(dave_assesses: bool) -> String {
    format!(
        "organization: Fixture Corp\npeople:\n  - email: alice@example.com\n    name: Alice\n    roles: [administrator]\n  - email: bob@example.com\n    name: Bob\n    roles: [assessor]\n  - email: carol@example.com\n    name: Carol\n    roles: [portal-admin, administrator]\n  - email: dave@example.com\n    name: Dave\n    roles: [{}]\n  - email: erin@example.com\n    name: Erin\n    roles: [reader]\n  - email: frank@example.com\n    name: Frank\n    roles: [portal-admin]\nglobal_admins: [carol@example.com]\n",
        if dave_assesses {
            "assessor"
        } else {
            "contributor"
        }
    )
}

#[cfg(unix)]
fn link(target: &str, at: &Path) {
    std::os::unix::fs::symlink(target, at).expect("symlink");
}

#[cfg(not(unix))]
fn link(_: &str, at: &Path) {
    std::fs::write(at, "not a link").expect("write");
}

/// One step of a generated history.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// A commit on the current line by `who`, changing one thing.
    Edit { who: usize, edit: Edit },
    /// A merge by `who` of an earlier commit (`other`, an index into the commits so far,
    /// the pre-base ones included), taking each part from `take_theirs`' side, with the
    /// parents in either order.
    Merge {
        who: usize,
        other: usize,
        take_theirs: [bool; 3],
        swap: bool,
    },
    /// Go on from an earlier commit of the range (a branch).
    Branch { from: usize },
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Edit {
    Implement(bool),
    Test(Option<&'static str>),
    DaveAssesses(bool),
    DeleteGdpr,
    RestoreGdpr,
    LinkGdpr(bool),
    TouchOld(u8),
    DeleteOld,
}

pub(crate) fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<bool>().prop_map(Edit::Implement),
        prop_oneof![
            Just(None),
            Just(Some("passed")),
            Just(Some("failed-high-risk"))
        ]
        .prop_map(Edit::Test),
        any::<bool>().prop_map(Edit::DaveAssesses),
        Just(Edit::DeleteGdpr),
        Just(Edit::RestoreGdpr),
        any::<bool>().prop_map(Edit::LinkGdpr),
        (0u8..3).prop_map(Edit::TouchOld),
        Just(Edit::DeleteOld),
    ]
}

pub(crate) fn step() -> impl Strategy<Value = Step> {
    let who = 0..PEOPLE.len();
    prop_oneof![
        5 => (who.clone(), edit()).prop_map(|(who, edit)| Step::Edit { who, edit }),
        2 => (who, 0usize..64, any::<[bool; 3]>(), any::<bool>()).prop_map(
            |(who, other, take_theirs, swap)| Step::Merge { who, other, take_theirs, swap }
        ),
        1 => (0usize..64).prop_map(|from| Step::Branch { from }),
    ]
}

fn apply(state: &State, edit: Edit) -> State {
    let mut s = state.clone();
    let fresh = Gdpr {
        implemented: false,
        result: None,
        link: false,
    };
    match edit {
        Edit::Implement(v) => {
            if let Some(g) = &mut s.gdpr {
                g.implemented = v
            }
        }
        Edit::Test(r) => {
            if let Some(g) = &mut s.gdpr {
                g.result = r
            }
        }
        Edit::DaveAssesses(v) => s.dave_assesses = v,
        Edit::DeleteGdpr => s.gdpr = None,
        Edit::RestoreGdpr => s.gdpr = s.gdpr.or(Some(fresh)),
        Edit::LinkGdpr(v) => {
            if let Some(g) = &mut s.gdpr {
                g.link = v
            }
        }
        Edit::TouchOld(n) => s.old = s.old.map(|_| n),
        Edit::DeleteOld => s.old = None,
    }
    s
}

/// What the net change needs: `None` for what nobody may do, else the people who may.
fn needs(base: &State, head: &State) -> Vec<(String, Option<Vec<&'static str>>)> {
    let data = ["alice", "bob", "carol", "frank"];
    let dave = |mut v: Vec<&'static str>, too: bool| {
        if too {
            v.push("dave");
        }
        v
    };
    let mut out = Vec::new();
    if base.dave_assesses != head.dave_assesses {
        out.push(("dave's role".into(), Some(vec!["carol", "frank"])));
    }
    match (&base.gdpr, &head.gdpr) {
        (Some(_), None) | (None, Some(_)) => out.push((
            "gdpr created or deleted".into(),
            Some(vec!["alice", "carol", "frank"]),
        )),
        (Some(b), Some(h)) => {
            if h.link && !b.link {
                out.push(("gdpr is a link".into(), None));
            }
            if b.implemented != h.implemented {
                out.push(("status".into(), Some(dave(data.to_vec(), true))));
            }
            if b.result != h.result {
                out.push((
                    "test result".into(),
                    Some(dave(data.to_vec(), base.dave_assesses)),
                ));
            }
        }
        (None, None) => {}
    }
    match (base.old, head.old) {
        (Some(_), None) => out.push((
            "archived deleted".into(),
            Some(vec!["alice", "carol", "frank"]),
        )),
        (Some(b), Some(h)) if b != h => out.push(("archived touched".into(), None)),
        (None, Some(_)) => out.push((
            "archived assessment created again".into(),
            Some(vec!["alice", "carol", "frank"]),
        )),
        _ => {}
    }
    out
}

pub(crate) struct Built {
    pub(crate) repo: TestRepo,
    pub(crate) base: git2::Oid,
    pub(crate) states: HashMap<git2::Oid, State>,
    pub(crate) head: git2::Oid,
}

/// Builds the history: three commits before the base (old states to merge), the base,
/// then `steps`.
pub(crate) fn build(pre: &[Edit], steps: &[Step]) -> Built {
    let repo = TestRepo::base();
    repo.write("groups/old/group.yaml", "name: Old Work\n");
    repo.write("groups/spare/group.yaml", "name: Spare Group\n");
    let git = GitRepo::init(repo.path());
    let mut clock = unix("2019-05-01T09:00:00Z");
    let mut tick = || {
        clock += 60;
        clock
    };
    let mut states = HashMap::new();
    let mut commits = Vec::new();
    let mut state = State::start();
    state.write(repo.path());
    let mut head = git.commit_all("carol@example.com", "start", tick());
    states.insert(head, state.clone());
    commits.push(head);
    for e in pre {
        state = apply(&state, *e);
        state.write(repo.path());
        head = git.commit_all("carol@example.com", "history", tick());
        states.insert(head, state.clone());
        commits.push(head);
    }
    let base = head;
    let mut in_range: Vec<git2::Oid> = Vec::new();
    for s in steps {
        match s {
            Step::Edit { who, edit } => {
                state = apply(&state, *edit);
                state.write(repo.path());
                head = git.commit_with_parents(PEOPLE[*who], "edit", tick(), &[head]);
            }
            Step::Merge {
                who,
                other,
                take_theirs,
                swap,
            } => {
                let other = commits[other % commits.len()];
                if other == head {
                    continue;
                }
                let theirs = &states[&other];
                let merged = State {
                    dave_assesses: if take_theirs[0] {
                        theirs.dave_assesses
                    } else {
                        state.dave_assesses
                    },
                    gdpr: if take_theirs[1] {
                        theirs.gdpr.clone()
                    } else {
                        state.gdpr.clone()
                    },
                    old: if take_theirs[2] {
                        theirs.old
                    } else {
                        state.old
                    },
                };
                state = merged;
                state.write(repo.path());
                let parents = if *swap { [other, head] } else { [head, other] };
                head = git.commit_with_parents(PEOPLE[*who], "merge", tick(), &parents);
            }
            Step::Branch { from } => {
                if in_range.is_empty() {
                    continue;
                }
                head = in_range[from % in_range.len()];
                git.reset_hard(head);
                state = states[&head].clone();
                continue;
            }
        }
        states.insert(head, state.clone());
        commits.push(head);
        in_range.push(head);
    }
    git.reset_hard(head);
    Built {
        repo,
        base,
        states,
        head,
    }
}

/// The authors of the commits in base..head, by name.
fn authors(b: &Built) -> Vec<&'static str> {
    let repo = git2::Repository::open(b.repo.path()).expect("open");
    let mut walk = repo.revwalk().expect("walk");
    walk.push(b.head).expect("push");
    walk.hide(b.base).expect("hide");
    let mut out = Vec::new();
    for id in walk {
        let c = repo.find_commit(id.expect("id")).expect("commit");
        let email = c.author().email().unwrap_or("").to_owned();
        if let Some(name) = PEOPLE.iter().find(|p| **p == email) {
            out.push(name.split('@').next().unwrap_or(""));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 160,
        // Each case is a real repository: keep shrinking short.
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_gate_never_passes_what_no_author_may_make(
        pre in proptest::collection::vec(edit(), 3),
        steps in proptest::collection::vec(step(), 1..9),
    ) {
        let b = build(&pre, &steps);
        let git = assure::git::Git::require(b.repo.path()).expect("git");
        let mut versions = assure::ops::history::Versions::new(&git, b.repo.path());
        let base = b.base.to_string();
        let head = b.head.to_string();
        let findings = assure::ops::gate::gate(
            &mut versions,
            &assure::ops::gate::Request { base: &base, head: Some(&head), actor: None, acting: None },
        )
        .expect("the gate runs");
        if findings.is_empty() {
            let by = authors(&b);
            let (base_state, head_state) = (&b.states[&b.base], &b.states[&b.head]);
            for (what, who) in needs(base_state, head_state) {
                match who {
                    None => prop_assert!(false, "passed a change nobody may make: {what}\n{base_state:?}\n→ {head_state:?}\n{steps:?}"),
                    Some(may) => prop_assert!(
                        by.iter().any(|a| may.contains(a)),
                        "passed `{what}`, which none of {by:?} may make\n{base_state:?}\n→ {head_state:?}\n{steps:?}"
                    ),
                }
            }
        }
    }
}
