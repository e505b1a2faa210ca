//! `assure log A C` reads each version of the file as its neighbour with the touched
//! controls' entries replaced, parsing only their lines (issue 22, item 3): an audit
//! trail must not lie, so a history of random edits of every kind — inside one control
//! (status, block scalar, quoted and multi-line text), of the logged control, across two
//! controls, controls added, removed and renamed to the logged one, top-level fields, an
//! anchor and alias, versions made invalid (bad YAML, a bad status) and repaired,
//! comments, CRLF line ends, controls and fields reordered — must read exactly as when
//! every version is parsed whole: through the library (incremental reading on and off,
//! version by version) and through the CLI (the control's log against the whole
//! assessment's log restricted to it). `diff_cut` reuses these histories' edits.

use serde_json::Value;

use crate::log_walk::log_json;
use crate::support::{GitRepo, TestRepo, unix};

const FILE: &str = "groups/default-group/office-365--gdpr.yaml";
const ASSESSMENT: &str = "default-group/office-365--gdpr";

/// A small deterministic random source (xorshift).
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// One control's entry: its key, whether the key is quoted, a comment line above it, and
/// its body lines (without line ends, indented by four spaces).
#[derive(Clone)]
pub(crate) struct Control {
    pub key: String,
    pub quoted: bool,
    pub comment: Option<String>,
    pub body: Vec<String>,
}

/// The file as a model the edits change, rendered with LF or CRLF line ends.
pub(crate) struct File {
    pub service: String,
    pub created_by: String,
    pub controls: Vec<Control>,
    pub crlf: bool,
    /// A raw breakage of the text: bad YAML at the end, or none.
    pub broken: bool,
}

impl File {
    pub(crate) fn render(&self) -> String {
        let mut lines = vec![
            format!("service: {}", self.service),
            "certification: gdpr".to_owned(),
            "created: 2019-01-15T09:30:00Z".to_owned(),
            format!("created_by: {}", self.created_by),
            "controls:".to_owned(),
        ];
        for c in &self.controls {
            if let Some(comment) = &c.comment {
                lines.push(comment.clone());
            }
            if c.quoted {
                lines.push(format!("  \"{}\":", c.key));
            } else {
                lines.push(format!("  {}:", c.key));
            }
            lines.extend(c.body.iter().map(|l| format!("    {l}")));
        }
        if self.broken {
            lines.push("  broken: \"no end".to_owned());
        }
        let end = if self.crlf { "\r\n" } else { "\n" };
        lines.iter().map(|l| format!("{l}{end}")).collect()
    }
}

const STATUSES: [&str; 4] = [
    "implemented",
    "planned",
    "not-in-scope",
    "alternative-implementation",
];

/// Controls of the certification that edits add, or rename the logged one to.
const POOL: [&str; 6] = [
    "6.10.1.1", "6.10.1.3", "6.12.1.1", "6.13.1.1", "6.2.1.1", "6.9.1.1",
];

/// A control's body, chosen at random.
pub(crate) fn body(rng: &mut Rng) -> Vec<String> {
    let mut body = vec![format!("status: {}", STATUSES[rng.below(4)])];
    match rng.below(4) {
        0 => body.push(format!("implementation: Plain text {}.", rng.below(1000))),
        1 => body.extend([
            "implementation: |".to_owned(),
            format!("  Block text {}", rng.below(1000)),
            "  on two lines.".to_owned(),
        ]),
        2 => body.push(format!(
            "implementation: \"Quoted: {} \\\"x\\\"\"",
            rng.below(1000)
        )),
        _ => body.extend([
            format!("implementation: Plain {} over", rng.below(1000)),
            "  two lines".to_owned(),
        ]),
    }
    if rng.below(2) == 0 {
        body.extend([
            "action:".to_owned(),
            "  priority: low".to_owned(),
            format!("  notes: Note {}.", rng.below(100)),
        ]);
    }
    body
}

/// Changes one control's entry in place, in one of several ways.
fn edit_control(c: &mut Control, rng: &mut Rng) {
    match rng.below(6) {
        0 => c.body[0] = format!("status: {}", STATUSES[rng.below(4)]),
        1 => c.body = body(rng),
        2 => c
            .body
            .push(format!("assigned_to: p{}@example.com", rng.below(9))),
        3 => c.body[0] = "status: done".to_owned(),
        4 => {
            c.comment = match c.comment {
                Some(_) => None,
                None => Some(format!("  # Reviewed {}.", rng.below(50))),
            }
        }
        _ => {
            let last = c.body.len() - 1;
            c.body[last].push_str(" More.");
        }
    }
}

/// One commit's edit of the file, of a kind chosen at random.
pub(crate) fn step(file: &mut File, rng: &mut Rng, x: &str) {
    let n = file.controls.len();
    match rng.below(16) {
        0..=3 => edit_control(&mut file.controls[rng.below(n)], rng),
        4 | 5 => {
            if let Some(c) = file.controls.iter_mut().find(|c| c.key == x) {
                edit_control(c, rng);
            }
        }
        6 if n > 1 => {
            let i = rng.below(n - 1);
            edit_control(&mut file.controls[i], rng);
            edit_control(&mut file.controls[i + 1], rng);
        }
        7 => {
            let key = POOL[rng.below(POOL.len())].to_owned();
            if file.controls.iter().all(|c| c.key != key) {
                let at = rng.below(n + 1);
                let quoted = rng.below(2) == 0;
                let body = body(rng);
                file.controls.insert(
                    at,
                    Control {
                        key,
                        quoted,
                        comment: None,
                        body,
                    },
                );
            }
        }
        8 if n > 1 => {
            file.controls.remove(rng.below(n));
        }
        9 => {
            // A key renamed to the logged control's, or the logged one's renamed away.
            match file.controls.iter().position(|c| c.key == x) {
                Some(i) => {
                    let key = POOL[rng.below(POOL.len())];
                    if file.controls.iter().all(|c| c.key != key) {
                        file.controls[i].key = key.to_owned();
                    }
                }
                None => file.controls[rng.below(n)].key = x.to_owned(),
            }
        }
        10 => file.created_by = format!("p{}@example.com", rng.below(9)),
        11 => {
            // An anchor on one control's value and an alias in another's, or neither.
            let i = rng.below(n);
            for c in &mut file.controls {
                c.body.retain(|l| !l.starts_with("test_plan:"));
            }
            if rng.below(2) == 0 {
                file.controls[i]
                    .body
                    .push("test_plan: &plan Sample ten.".to_owned());
                let j = rng.below(n);
                if j != i {
                    file.controls[j].body.push("test_plan: *plan".to_owned());
                }
            }
        }
        12 => file.broken = !file.broken,
        13 if n > 1 => {
            // Two neighbouring controls swapped.
            let i = rng.below(n - 1);
            file.controls.swap(i, i + 1);
        }
        14 => {
            // A control's fields reordered: its last one-line field moved up after its
            // status.
            let c = &mut file.controls[rng.below(n)];
            let last = c.body.len() - 1;
            if last > 1 && !c.body[last].starts_with(' ') {
                let field = c.body.remove(last);
                c.body.insert(1, field);
            }
        }
        _ => file.crlf = !file.crlf,
    }
}

/// Whether the file does not read as an assessment, or has an anchor: a state the
/// history leaves again soon.
pub(crate) fn faulty(file: &File) -> bool {
    file.broken
        || file.controls.iter().any(|c| {
            c.body
                .iter()
                .any(|l| l == "status: done" || l.starts_with("test_plan:"))
        })
}

/// Repairs what [`faulty`] finds, in one commit.
pub(crate) fn repair(file: &mut File) {
    file.broken = false;
    for c in &mut file.controls {
        c.body.retain(|l| !l.starts_with("test_plan:"));
        for l in &mut c.body {
            if l == "status: done" {
                *l = "status: planned".to_owned();
            }
        }
    }
}

/// A history of `commits` random edits of the assessment file (and now and then of
/// another file only), logged control `x` among its controls at first.
fn history(seed: u64, commits: usize, x: &str) -> TestRepo {
    let repo = TestRepo::base();
    let git = GitRepo::init(repo.path());
    let mut rng = Rng(seed);
    let mut controls = Vec::new();
    for key in ["6.6.2.1", x, "7.2.1.1", "6.8.1.1", "6.8.1.2"] {
        let body = body(&mut rng);
        controls.push(Control {
            key: key.to_owned(),
            quoted: rng.below(2) == 0,
            comment: None,
            body,
        });
    }
    let mut file = File {
        service: "office-365".to_owned(),
        created_by: "alice@example.com".to_owned(),
        controls,
        crlf: false,
        broken: false,
    };
    repo.write(FILE, file.render());
    let start = unix("2019-03-01T10:00:00Z");
    git.commit_all("carol@example.com", "Start", start);
    for n in 1..commits {
        if rng.below(10) == 0 {
            repo.write("groups/default-group/other.txt", format!("{n}\n"));
        } else {
            let before = file.render();
            if faulty(&file) && rng.below(2) == 0 {
                repair(&mut file);
            }
            while file.render() == before {
                step(&mut file, &mut rng, x);
            }
            repo.write(FILE, file.render());
        }
        git.commit_all(
            "alice@example.com",
            &format!("Step {n}"),
            start + n as i64 * 60,
        );
    }
    repo
}

/// Every version of the file, compared with its first parent's newest first as the log
/// does, reads the same with incremental reading on and off; and most versions were
/// read incrementally.
fn versions_agree(repo: &TestRepo, control: &str) {
    use assure::ops::history::{Side, Versions};
    let git = assure::git::Git::require(repo.path()).expect("git");
    let head = git.resolve("HEAD").expect("head");
    let mut on = Versions::new(&git, repo.path());
    let mut off = Versions::new(&git, repo.path());
    on.only_control(FILE, control);
    off.only_control(FILE, control);
    off.set_incremental(false);
    let paths = [FILE.to_owned()];
    for id in git.range(None, head).expect("range").into_iter().rev() {
        let info = git.commit_info(id).expect("info");
        let parent = info
            .parents
            .first()
            .map_or(Side::Empty, |&p| Side::Commit(p));
        let me = Side::Commit(id);
        let a = on.file_versions(parent, me, &paths).expect("read");
        let b = off.file_versions(parent, me, &paths).expect("read");
        assert_eq!(a[0].old, b[0].old, "{control} at the parent of {id:?}");
        assert_eq!(a[0].new, b[0].new, "{control} at {id:?}");
    }
    assert_eq!(off.incremental.get(), 0);
    assert!(
        on.incremental.get() >= 10 && on.incremental.get() * 10 >= on.parsed.get(),
        "{control}: {} of {} read incrementally",
        on.incremental.get(),
        on.parsed.get()
    );
}

/// `log A C` is `log A` restricted to the control's changes.
fn log_agrees(repo: &TestRepo, control: &str) {
    let expected = crate::log_walk::restricted(&log_json(repo, &[ASSESSMENT]), control);
    let one = log_json(repo, &[ASSESSMENT, control]);
    assert_eq!(one["entries"], Value::Array(expected), "{control}");
}

#[test]
fn incremental_reading_gives_what_whole_parsing_gives() {
    for seed in [0x9E37_79B9_7F4A_7C15, 0x1234_5678_9ABC_DEF1, 42] {
        let repo = history(seed, 160, "6.10.1.2");
        for control in ["6.10.1.2", "7.2.1.1", "6.10.1.3"] {
            versions_agree(&repo, control);
        }
    }
}

#[test]
fn a_control_log_read_incrementally_is_the_assessment_log_restricted() {
    let repo = history(7, 120, "6.10.1.2");
    for control in ["6.10.1.2", "6.8.1.1", "6.10.1.3"] {
        log_agrees(&repo, control);
    }
}
