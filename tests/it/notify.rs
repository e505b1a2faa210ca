//! `assure notify --base REV` (DESIGN.md §6.6) against a real SMTP server on loopback
//! (Python's aiosmtpd, run by `support/smtp_server.py`): who gets which email, with
//! what subject and body; nothing sent twice; refused and unreachable servers; SMTP
//! credentials from the environment, never sent without TLS (against an in-process stub
//! server that records every line); `--dry-run DIR` writing `.eml` files.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{GitRepo, Output, TestRepo, project_root, run_env};

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const NOTES_REF: &str = "refs/notes/assure-notify";
const SITE: &str = "https://compliance.example.com/site/";
const BOB_NOTES: &str =
    "Map every processing activity to an owner.\nAsk legal about joint controllers.";

// ---------------------------------------------------------------------------------------
// The SMTP server

/// A free TCP port on loopback (bound, then released for the server to take).
fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// `support/smtp_server.py` running on 127.0.0.1; killed when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    /// Where it saves what it receives (`msg-NNNN.json`, `refused-NNNN.json`).
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// A server accepting everything, on a free port.
    fn start() -> SmtpServer {
        // Another process may take the free port before the server binds it: try again.
        let mut last = String::new();
        for _ in 0..3 {
            match SmtpServer::try_on(free_port(), &[]) {
                Ok(server) => return server,
                Err(e) => last = e,
            }
        }
        panic!("{last}");
    }

    /// A server on `port` with extra options (`--refuse-rcpt ADDR`, `--refuse-all`,
    /// `--auth USER:PASSWORD`).
    fn on(port: u16, options: &[&str]) -> SmtpServer {
        SmtpServer::try_on(port, options).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts the server and waits (at most 10 s) until it has bound the port (it writes
    /// its `ready` file then) and the port accepts connections.
    fn try_on(port: u16, options: &[&str]) -> Result<SmtpServer, String> {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let script = project_root().join("tests/it/support/smtp_server.py");
        let ready = dir.path().join("ready");
        let child = Command::new("python3")
            .arg(&script)
            .arg("--port")
            .arg(port.to_string())
            .arg("--dir")
            .arg(dir.path().join("mail"))
            .arg("--ready")
            .arg(&ready)
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("run python3 (the notification tests need python3 with aiosmtpd)");
        let mut server = SmtpServer { child, port, dir };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "the SMTP server on {addr} exited ({status}) before accepting connections \
                     (is aiosmtpd installed? `python3 -m pip install aiosmtpd`):\n{}",
                    server.log()
                ));
            }
            if ready.exists() && TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the SMTP server did not accept connections on {addr} within 10 s:\n{}",
                    server.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn saved(&self, kind: &str) -> Vec<Value> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("mail")) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.starts_with(&format!("{kind}-")) && name.ends_with(".json")
            })
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                serde_json::from_str(&std::fs::read_to_string(p).expect("read"))
                    .expect("server json")
            })
            .collect()
    }

    /// The messages received, in order.
    fn messages(&self) -> Vec<Mail> {
        self.saved("msg").iter().map(Mail::from_json).collect()
    }

    /// The recipients refused, in order.
    fn refused(&self) -> Vec<String> {
        self.saved("refused")
            .iter()
            .map(|v| v["rcpt"].as_str().expect("rcpt").to_owned())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One received message, decoded by Python's `email` package.
#[derive(Debug, Clone)]
struct Mail {
    mail_from: String,
    rcpt_tos: Vec<String>,
    from: String,
    to: String,
    subject: String,
    /// The decoded body with `\n` line ends.
    body: String,
    headers: Value,
    auth_login: Option<String>,
}

impl Mail {
    fn from_json(v: &Value) -> Mail {
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Mail {
            mail_from: s("mail_from"),
            rcpt_tos: v["rcpt_tos"]
                .as_array()
                .expect("rcpt_tos")
                .iter()
                .map(|r| r.as_str().expect("rcpt").to_owned())
                .collect(),
            from: s("from"),
            to: s("to"),
            subject: s("subject"),
            body: s("body").replace("\r\n", "\n"),
            headers: v["headers"].clone(),
            auth_login: v["auth_login"].as_str().map(str::to_owned),
        }
    }

    /// The line of the body starting with `prefix` (after indentation).
    fn line(&self, prefix: &str) -> String {
        self.body
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in the body:\n{}", self.body))
            .to_owned()
    }
}

// ---------------------------------------------------------------------------------------
// The repository

/// Seconds since the epoch of the scenario's commits (2024-03-01 onwards).
const T0: i64 = 1_709_280_000;

/// The base fixture in git, with `notifications.smtp` pointing at `port`: one commit
/// setting it up (by carol), then the assignments of [`assigned_files`] in two later commits.
struct Scenario {
    repo: TestRepo,
    git: GitRepo,
    /// The first commit (the setup, before any assignment).
    base: git2::Oid,
    /// The commit assigning 6.2.2.1 to bob (with --notify).
    bob_commit: git2::Oid,
    /// The commit assigning 6.6.2.1 to dave (with --notify) and 6.2.2.2 to dave (without).
    dave_commit: git2::Oid,
}

fn with_smtp(repo: &TestRepo, port: u16) {
    let mut config = repo.read("assure.yaml");
    config.push_str(&format!(
        "notifications:\n  smtp:\n    host: 127.0.0.1\n    port: {port}\n    from: compliance@example.com\n"
    ));
    repo.write("assure.yaml", config);
}

/// Runs an assure command in the repository as alice, and checks it succeeded.
fn ok(repo: &TestRepo, args: &[&str]) {
    let mut full = args.to_vec();
    full.extend_from_slice(&["--as", "alice@example.com"]);
    let out = run_env(repo.path(), &full, &[]);
    assert_eq!(
        out.code, 0,
        "assure {args:?}:\n{}{}",
        out.stdout, out.stderr
    );
}

/// The assessment files after each assignment commit of the scenario, made once with
/// `assure assign … --as alice@example.com` (which also syncs the related NIST controls)
/// and replayed by every test: (after bob's commit, after dave's commit).
type Files = Vec<(String, String)>;

fn assigned_files() -> &'static (Files, Files) {
    static FILES: std::sync::OnceLock<(Files, Files)> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let repo = TestRepo::base();
        let read = |repo: &TestRepo| -> Files {
            [GDPR, NIST]
                .iter()
                .map(|a| {
                    let path = format!("groups/{a}.yaml");
                    let text = repo.read(&path);
                    (path, text)
                })
                .collect()
        };
        ok(
            &repo,
            &[
                "assign",
                GDPR,
                "6.2.2.1",
                "--to",
                "bob@example.com",
                "--priority",
                "high",
                "--notes",
                BOB_NOTES,
                "--notify",
            ],
        );
        let after_bob = read(&repo);
        // With --notify; no priority and no notes.
        ok(
            &repo,
            &[
                "assign",
                GDPR,
                "6.6.2.1",
                "--to",
                "dave@example.com",
                "--notify",
            ],
        );
        // Without --notify: no email.
        ok(
            &repo,
            &[
                "assign",
                GDPR,
                "6.2.2.2",
                "--to",
                "dave@example.com",
                "--priority",
                "low",
            ],
        );
        (after_bob, read(&repo))
    })
}

fn scenario(port: Option<u16>) -> Scenario {
    let repo = TestRepo::base();
    if let Some(port) = port {
        with_smtp(&repo, port);
    }
    let git = GitRepo::init(repo.path());
    let base = git.commit_all("carol@example.com", "Set up notifications", T0);
    let (after_bob, after_dave) = assigned_files();
    for (path, text) in after_bob {
        repo.write(path, text);
    }
    let bob_commit = git.commit_all("alice@example.com", "Assign 6.2.2.1 to bob", T0 + 3600);
    for (path, text) in after_dave {
        repo.write(path, text);
    }
    let dave_commit = git.commit_all("alice@example.com", "Assign to dave", T0 + 7200);
    Scenario {
        repo,
        git,
        base,
        bob_commit,
        dave_commit,
    }
}

impl Scenario {
    fn notify(&self, extra: &[&str]) -> Output {
        self.notify_env(extra, &[])
    }

    fn notify_env(&self, extra: &[&str], env: &[(&str, &str)]) -> Output {
        let base = self.base.to_string();
        let mut args = vec!["notify", "--base", base.as_str()];
        args.extend_from_slice(extra);
        run_env(self.repo.path(), &args, env)
    }

    /// The note recorded on `commit` (what was sent for it), if any.
    fn note(&self, commit: git2::Oid) -> Option<String> {
        self.git
            .repo
            .find_note(Some(NOTES_REF), commit)
            .ok()
            .and_then(|n| n.message().map(str::to_owned))
    }

    fn has_notes_ref(&self) -> bool {
        self.git.repo.find_reference(NOTES_REF).is_ok()
    }
}

/// The catalog's description of a control: the "recommended customer actions".
fn recommended_actions(repo: &TestRepo, cert: &str, control: &str) -> String {
    let p = assure::ops::Project::open(repo.path()).expect("open");
    let c = p
        .catalog
        .certifications
        .get(cert)
        .and_then(|c| c.control(control).map(|(_, c)| c.clone()))
        .expect("catalog control");
    c.description.expect("the control has a description")
}

fn title(repo: &TestRepo, cert: &str, control: &str) -> String {
    let p = assure::ops::Project::open(repo.path()).expect("open");
    p.catalog
        .certifications
        .get(cert)
        .and_then(|c| c.control(control).map(|(_, c)| c.title.clone()))
        .expect("catalog control")
}

fn by_recipient<'a>(mails: &'a [Mail], to: &str) -> Vec<&'a Mail> {
    mails
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == to))
        .collect()
}

fn recipients(mails: &[Mail]) -> Vec<String> {
    let mut r: Vec<String> = mails.iter().flat_map(|m| m.rcpt_tos.clone()).collect();
    r.sort();
    r
}

// ---------------------------------------------------------------------------------------
// Sending

#[test]
fn sends_one_email_per_new_assignment_with_notify() {
    if !smtp_available() {
        return;
    }
    let server = SmtpServer::start();
    let s = scenario(Some(server.port));
    let out = s.notify(&["--site-url", SITE]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("6.2.2.1") && out.stdout.contains("bob@example.com"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("6.6.2.1") && out.stdout.contains("dave@example.com"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("6.2.2.2"), "{}", out.stdout);

    let mails = server.messages();
    // One per assignment with notify; none for 6.2.2.2 (no notify), none for the NIST
    // controls that sync assigned alongside (they carry no action).
    assert_eq!(
        recipients(&mails),
        vec!["bob@example.com", "dave@example.com"],
        "{mails:#?}"
    );
    assert_eq!(mails.len(), 2, "one recipient per message: {mails:#?}");
    assert!(server.refused().is_empty());
    // No credentials in the environment: no AUTH.
    assert!(mails.iter().all(|m| m.auth_login.is_none()), "{mails:#?}");

    // Bob's: everything there is.
    let bob = by_recipient(&mails, "bob@example.com")[0];
    assert_eq!(bob.mail_from, "compliance@example.com");
    assert!(bob.from.contains("compliance@example.com"), "{}", bob.from);
    assert!(
        bob.to.contains("bob@example.com") && bob.to.contains("Bob Assessor"),
        "{}",
        bob.to
    );
    let t = title(&s.repo, "gdpr", "6.2.2.1");
    assert_eq!(t, "Data protection roles and responsibilities");
    assert!(
        bob.subject.contains("6.2.2.1") && bob.subject.contains(&t),
        "subject: {}",
        bob.subject
    );
    assert!(
        bob.subject.contains("Office 365 - GDPR"),
        "subject: {}",
        bob.subject
    );
    assert!(bob.body.contains("Bob Assessor"), "{}", bob.body);
    assert!(
        bob.body.contains("6.2.2.1") && bob.body.contains(&t),
        "{}",
        bob.body
    );
    assert!(bob.body.contains(GDPR), "{}", bob.body);
    let actions = recommended_actions(&s.repo, "gdpr", "6.2.2.1");
    assert!(
        bob.body.contains(&actions),
        "the recommended customer actions ({actions:?}) in:\n{}",
        bob.body
    );
    assert!(bob.line("Priority").contains("high"), "{}", bob.body);
    for line in BOB_NOTES.lines() {
        assert!(
            bob.body.contains(line),
            "notes line {line:?} in:\n{}",
            bob.body
        );
    }
    let link = bob.line("Your action items");
    assert!(
        link.contains("https://compliance.example.com/site/actions.html")
            && !link.contains("site//")
            && link.contains("bob"),
        "{link}"
    );
    assert!(bob.headers.get("Date").is_some(), "{:?}", bob.headers);
    let ids: Vec<&str> = mails
        .iter()
        .map(|m| {
            m.headers
                .get("Message-ID")
                .and_then(Value::as_str)
                .unwrap_or("")
        })
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.starts_with('<') && id.ends_with('>'))
            && ids[0] != ids[1],
        "every message has its own Message-ID: {ids:?}"
    );

    // Dave's: no priority, no notes.
    let dave = by_recipient(&mails, "dave@example.com")[0];
    let t = title(&s.repo, "gdpr", "6.6.2.1");
    assert!(
        dave.subject.contains("6.6.2.1") && dave.subject.contains(&t),
        "{}",
        dave.subject
    );
    assert!(dave.to.contains("Dave Contributor"), "{}", dave.to);
    assert!(
        dave.body
            .contains(&recommended_actions(&s.repo, "gdpr", "6.6.2.1")),
        "{}",
        dave.body
    );
    assert!(dave.line("Priority").contains("not set"), "{}", dave.body);
    assert!(!dave.body.contains("Notes"), "{}", dave.body);
    assert!(
        !dave.body.contains("6.2.2.2"),
        "no word of the assignment without notify: {}",
        dave.body
    );
    assert!(
        dave.line("Your action items").contains("dave"),
        "{}",
        dave.body
    );

    // Recorded on the commits that made the assignments.
    let bob_note = s.note(s.bob_commit).expect("note on bob's commit");
    assert!(bob_note.contains("6.2.2.1") && bob_note.contains("bob@example.com"));
    let dave_note = s.note(s.dave_commit).expect("note on dave's commit");
    assert!(dave_note.contains("6.6.2.1") && !dave_note.contains("6.2.2.2"));
}

#[test]
fn second_run_sends_nothing() {
    if !smtp_available() {
        return;
    }
    let server = SmtpServer::start();
    let s = scenario(Some(server.port));
    let first = s.notify(&[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert_eq!(server.messages().len(), 2);
    let files = crate::support::snapshot(s.repo.path());

    let second = s.notify(&[]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    assert!(
        second.stdout.contains("nothing to notify"),
        "{}",
        second.stdout
    );
    assert_eq!(server.messages().len(), 2, "nothing new received");
    // Notes live in git, not in the work tree.
    assert_eq!(crate::support::snapshot(s.repo.path()), files);

    // A later assignment is the only one sent by the next run.
    ok(
        &s.repo,
        &[
            "assign",
            GDPR,
            "6.2.2.2",
            "--to",
            "bob@example.com",
            "--notify",
        ],
    );
    s.git
        .commit_all("alice@example.com", "Reassign 6.2.2.2", T0 + 10_800);
    let third = s.notify(&[]);
    assert_eq!(third.code, 0, "{}{}", third.stdout, third.stderr);
    let mails = server.messages();
    assert_eq!(mails.len(), 3, "{mails:#?}");
    assert_eq!(mails[2].rcpt_tos, vec!["bob@example.com"]);
    assert!(mails[2].subject.contains("6.2.2.2"), "{}", mails[2].subject);
}

#[test]
fn base_at_head_sends_nothing() {
    if !smtp_available() {
        return;
    }
    let server = SmtpServer::start();
    let s = scenario(Some(server.port));
    let out = run_env(s.repo.path(), &["notify", "--base", "HEAD"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("nothing to notify"), "{}", out.stdout);
    // Only the assignments after the base: bob's commit is the base here.
    let bob = s.bob_commit.to_string();
    let out = run_env(s.repo.path(), &["notify", "--base", &bob], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        recipients(&server.messages()),
        vec!["dave@example.com"],
        "{:#?}",
        server.messages()
    );
}

#[test]
fn notify_switched_on_for_an_existing_assignment_is_sent() {
    if !smtp_available() {
        return;
    }
    // The fixture's NIST CM-2 is assigned to dave without notify; alice edits the YAML
    // by hand to turn notify on.
    let server = SmtpServer::start();
    let repo = TestRepo::base();
    with_smtp(&repo, server.port);
    let git = GitRepo::init(repo.path());
    let base = git.commit_all("carol@example.com", "Set up", T0);
    let path = "groups/default-group/office-365--nist-800-53-r5.yaml";
    let text = repo.read(path);
    let edited = text.replace(
        "    action:\n      priority: low\n",
        "    action:\n      priority: low\n      notify: true\n",
    );
    assert_ne!(edited, text);
    repo.write(path, edited);
    git.commit_all("alice@example.com", "Notify dave about CM-2", T0 + 60);
    let out = run_env(repo.path(), &["notify", "--base", &base.to_string()], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let mails = server.messages();
    assert_eq!(recipients(&mails), vec!["dave@example.com"], "{mails:#?}");
    assert!(mails[0].subject.contains("CM-2"), "{}", mails[0].subject);
    assert!(
        mails[0].line("Priority").contains("low"),
        "{}",
        mails[0].body
    );
    assert!(
        mails[0].body.contains(NIST),
        "the assessment is named: {}",
        mails[0].body
    );
}

#[test]
fn a_merged_branch_notifies_once() {
    if !smtp_available() {
        return;
    }
    // The usual pull request: the assignment is made on a branch, merged with a merge
    // commit; `notify --base <main before the merge>` sees it in the branch's commit and
    // (against the first parent) in the merge commit. One email, not two.
    let server = SmtpServer::start();
    let s = scenario(Some(server.port));
    let main_tip = s.dave_commit;
    // The branch: one commit assigning 6.7.1.1 to bob with notify.
    ok(
        &s.repo,
        &[
            "assign",
            GDPR,
            "6.7.1.1",
            "--to",
            "bob@example.com",
            "--notify",
        ],
    );
    let branch_commit = s
        .git
        .commit_all("alice@example.com", "Assign 6.7.1.1", T0 + 10_000);
    // The merge commit on main: parents (main tip, branch commit), the branch's tree.
    let repo = &s.git.repo;
    let sig = git2::Signature::new(
        "carol",
        "carol@example.com",
        &git2::Time::new(T0 + 20_000, 0),
    )
    .expect("sig");
    let tree = repo
        .find_commit(branch_commit)
        .expect("branch")
        .tree()
        .expect("tree");
    let parents = [
        &repo.find_commit(main_tip).expect("main"),
        &repo.find_commit(branch_commit).expect("branch"),
    ];
    // Keep the branch, put main back on its tip, then merge onto it (the work tree
    // already holds the merged files).
    repo.reference("refs/heads/feature", branch_commit, true, "branch")
        .expect("branch ref");
    let head_ref = repo
        .head()
        .expect("head")
        .name()
        .expect("branch name")
        .to_owned();
    repo.reference(&head_ref, main_tip, true, "reset")
        .expect("reset main");
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        "Merge pull request #1",
        &tree,
        &parents,
    )
    .expect("merge commit");
    let out = run_env(
        s.repo.path(),
        &["notify", "--base", &main_tip.to_string()],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let mails = server.messages();
    assert_eq!(
        mails.len(),
        1,
        "one email for one assignment, however it was merged: {}\n{mails:#?}",
        out.stdout
    );
    assert_eq!(mails[0].rcpt_tos, vec!["bob@example.com"]);
    assert!(mails[0].subject.contains("6.7.1.1"));
}

#[test]
fn assignments_in_a_new_assessment_are_sent() {
    if !smtp_available() {
        return;
    }
    // A new group and assessment arriving with an assignment in one commit (as when
    // `assessment new` and `assign --notify` are squashed into one merge).
    let server = SmtpServer::start();
    let repo = TestRepo::base();
    with_smtp(&repo, server.port);
    let git = GitRepo::init(repo.path());
    let base = git.commit_all("carol@example.com", "Set up", T0);
    repo.write("groups/privacy/group.yaml", "name: Privacy\n");
    repo.write(
        "groups/privacy/office-365--gdpr.yaml",
        "service: office-365\ncertification: gdpr\ncreated: 2024-03-01T10:00:00Z\n\
         created_by: alice@example.com\ncontrols:\n  \"6.2.2.1\":\n    \
         assigned_to: bob@example.com\n    action:\n      notify: true\n  \"6.2.2.2\":\n    \
         assigned_to: dave@example.com\n",
    );
    let out = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    git.commit_all("alice@example.com", "New privacy assessment", T0 + 60);
    let out = run_env(repo.path(), &["notify", "--base", &base.to_string()], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let mails = server.messages();
    assert_eq!(recipients(&mails), vec!["bob@example.com"], "{mails:#?}");
    assert!(
        mails[0].body.contains("privacy/office-365--gdpr"),
        "{}",
        mails[0].body
    );
}

#[test]
fn a_moved_assessment_is_not_notified_again() {
    if !smtp_available() {
        return;
    }
    // The group folder is renamed after the notifications went out: the assessments
    // move with their assignments, which are not new.
    let server = SmtpServer::start();
    let s = scenario(Some(server.port));
    let out = s.notify(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(server.messages().len(), 2);
    std::fs::rename(
        s.repo.path().join("groups/default-group"),
        s.repo.path().join("groups/renamed-group"),
    )
    .expect("rename");
    s.git
        .commit_all("alice@example.com", "Rename the group folder", T0 + 10_000);
    let out = run_env(
        s.repo.path(),
        &["notify", "--base", &s.dave_commit.to_string()],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("nothing to notify"), "{}", out.stdout);
    // From the start: the two original ones are recorded; nothing new.
    let out = s.notify(&[]);
    assert!(out.stdout.contains("nothing to notify"), "{}", out.stdout);
    assert_eq!(server.messages().len(), 2);
}

// ---------------------------------------------------------------------------------------
// Failures

#[test]
fn a_refused_message_is_reported_not_recorded_and_sent_next_time() {
    if !smtp_available() {
        return;
    }
    let port = free_port();
    let s = scenario(Some(port));
    {
        let server = SmtpServer::on(port, &["--refuse-rcpt", "bob@example.com"]);
        let out = s.notify(&[]);
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("error")
                && out.stderr.contains("bob@example.com")
                && out.stderr.contains("6.2.2.1")
                && out.stderr.contains("550"),
            "stderr: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("dave@example.com"),
            "stderr: {}",
            out.stderr
        );
        // The other message was still sent, and reported.
        assert_eq!(server.refused(), vec!["bob@example.com"]);
        assert_eq!(recipients(&server.messages()), vec!["dave@example.com"]);
        assert!(out.stdout.contains("dave@example.com"), "{}", out.stdout);
        assert!(s.note(s.bob_commit).is_none(), "nothing recorded for bob");
        assert!(s.note(s.dave_commit).is_some(), "dave's is recorded");
    }
    // The server accepts now: only bob's is sent.
    let server = SmtpServer::on(port, &[]);
    let out = s.notify(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        recipients(&server.messages()),
        vec!["bob@example.com"],
        "{:#?}",
        server.messages()
    );
    let again = s.notify(&[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(
        again.stdout.contains("nothing to notify"),
        "{}",
        again.stdout
    );
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn a_server_refusing_everything_records_nothing() {
    if !smtp_available() {
        return;
    }
    let port = free_port();
    let s = scenario(Some(port));
    {
        let server = SmtpServer::on(port, &["--refuse-all"]);
        let out = s.notify(&[]);
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("bob@example.com") && out.stderr.contains("dave@example.com"),
            "every failure is reported: {}",
            out.stderr
        );
        let mut refused = server.refused();
        refused.sort();
        assert_eq!(
            refused,
            vec!["bob@example.com", "dave@example.com"],
            "every message was attempted"
        );
        assert!(server.messages().is_empty());
        assert!(!s.has_notes_ref(), "nothing recorded");
    }
    let server = SmtpServer::on(port, &[]);
    let out = s.notify(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        recipients(&server.messages()),
        vec!["bob@example.com", "dave@example.com"]
    );
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    // Nothing listens on the port.
    let port = free_port();
    let s = scenario(Some(port));
    let started = Instant::now();
    let out = s.notify(&[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("could not send")
            && out.stderr.contains("bob@example.com")
            && out.stderr.contains("dave@example.com"),
        "stderr: {}",
        out.stderr
    );
    assert!(
        out.stderr.to_lowercase().contains("connect")
            && out.stderr.contains(&format!("127.0.0.1:{port}")),
        "the error says which server could not be reached: {}",
        out.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "a refused connection fails fast"
    );
    assert!(!s.has_notes_ref(), "nothing recorded");
}

#[test]
fn no_smtp_settings_is_a_clear_error() {
    let s = scenario(None);
    let out = s.notify(&[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("notifications") && out.stderr.contains("--dry-run"),
        "{}",
        out.stderr
    );
    assert!(!s.has_notes_ref());
}

#[test]
fn an_unknown_base_is_a_clear_error() {
    let s = scenario(Some(free_port()));
    let out = run_env(
        s.repo.path(),
        &["notify", "--base", "no-such-revision"],
        &[],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("no-such-revision"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------
// Credentials

#[test]
fn credentials_come_from_the_environment() {
    if !smtp_available() {
        return;
    }
    let port = free_port();
    let s = scenario(Some(port));
    let server = SmtpServer::on(port, &["--auth", "mailer:s3cret"]);

    // The server requires them: without, nothing is sent.
    let out = s.notify(&[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(server.messages().is_empty());
    assert!(!s.has_notes_ref());

    // Wrong password: refused, reported, nothing recorded.
    let out = s.notify_env(
        &[],
        &[
            ("ASSURE_SMTP_USERNAME", "mailer"),
            ("ASSURE_SMTP_PASSWORD", "wrong"),
        ],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(server.messages().is_empty());
    assert!(!s.has_notes_ref());

    // The right password is not sent either: this server offers no STARTTLS, and
    // credentials never travel in clear (see `credentials_are_never_sent_in_clear`).
    let out = s.notify_env(
        &[],
        &[
            ("ASSURE_SMTP_USERNAME", "mailer"),
            ("ASSURE_SMTP_PASSWORD", "s3cret"),
        ],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("does not offer STARTTLS"),
        "{}",
        out.stderr
    );
    assert!(server.messages().is_empty());
    assert!(!s.has_notes_ref());
    // The password appears nowhere in the repository.
    for (path, bytes) in crate::support::snapshot(s.repo.path()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("s3cret"),
            "{path}"
        );
    }
}

/// An SMTP server stub on loopback, in this process: it greets, answers EHLO with
/// `extensions` (e.g. AUTH without STARTTLS), accepts every command with 250 (AUTH
/// with 235, DATA with 354), and records every line it receives.
struct StubSmtp {
    port: u16,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl StubSmtp {
    fn start(extensions: &'static [&'static str]) -> StubSmtp {
        use std::io::{BufRead, BufReader, Write};
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = lines.clone();
        std::thread::spawn(move || {
            // One connection at a time, for as long as the test runs.
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let mut w = stream.try_clone().expect("clone stream");
                let mut r = BufReader::new(stream);
                let _ = w.write_all(b"220 stub ESMTP\r\n");
                let mut in_data = false;
                let mut line = String::new();
                while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                    let text = line.trim_end().to_owned();
                    log.lock().expect("log").push(text.clone());
                    let verb = text.split(' ').next().unwrap_or("").to_uppercase();
                    let reply: String = if in_data {
                        if text == "." {
                            in_data = false;
                            "250 queued\r\n".into()
                        } else {
                            String::new()
                        }
                    } else {
                        match verb.as_str() {
                            "EHLO" => {
                                let mut r = String::from("250-stub\r\n");
                                for (i, e) in extensions.iter().enumerate() {
                                    let sep = if i + 1 == extensions.len() { ' ' } else { '-' };
                                    r.push_str(&format!("250{sep}{e}\r\n"));
                                }
                                if extensions.is_empty() {
                                    r = "250 stub\r\n".into();
                                }
                                r
                            }
                            "AUTH" => "235 2.7.0 accepted\r\n".into(),
                            "DATA" => {
                                in_data = true;
                                "354 go on\r\n".into()
                            }
                            "QUIT" => {
                                let _ = w.write_all(b"221 bye\r\n");
                                break;
                            }
                            _ => "250 OK\r\n".into(),
                        }
                    };
                    if !reply.is_empty() && w.write_all(reply.as_bytes()).is_err() {
                        break;
                    }
                    line.clear();
                }
            }
        });
        StubSmtp { port, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("log").clone()
    }
}

#[test]
fn credentials_are_never_sent_in_clear() {
    // A server that takes AUTH but offers no STARTTLS.
    let stub = StubSmtp::start(&["AUTH PLAIN LOGIN", "8BITMIME"]);
    let s = scenario(Some(stub.port));
    let out = s.notify_env(
        &[],
        &[
            ("ASSURE_SMTP_USERNAME", "mailer"),
            ("ASSURE_SMTP_PASSWORD", "s3cret"),
        ],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    for part in [
        "could not send",
        &format!("SMTP server 127.0.0.1:{}", stub.port),
        "does not offer STARTTLS",
        "only over TLS",
        "notifications.smtp.tls: implicit",
    ] {
        assert!(out.stderr.contains(part), "{part:?} in:\n{}", out.stderr);
    }
    assert!(!s.has_notes_ref(), "nothing recorded");
    // The server saw a greeting and nothing more: no AUTH, no password, no mail.
    let lines = settled_lines(&stub);
    assert!(
        lines.iter().any(|l| l.starts_with("EHLO")),
        "assure did connect: {lines:?}"
    );
    assert!(
        !lines.iter().any(|l| {
            let upper = l.to_uppercase();
            upper.starts_with("AUTH") || upper.starts_with("MAIL") || upper.starts_with("RCPT")
        }),
        "{lines:?}"
    );
    let plain = "\0mailer\0s3cret";
    let encoded = [
        "bWFpbGVy",             // base64("mailer"), as AUTH LOGIN sends it
        "czNjcmV0",             // base64("s3cret")
        "AG1haWxlcgBzM2NyZXQ=", // base64("\0mailer\0s3cret"), as AUTH PLAIN sends it
    ];
    for l in &lines {
        assert!(!l.contains("s3cret") && !l.contains(plain), "{l}");
        assert!(!encoded.iter().any(|e| l.contains(e)), "{l}");
    }

    // `tls: starttls` requires it even without credentials: nothing is sent in clear.
    let config = s.repo.read("assure.yaml").replace(
        "    from: compliance@example.com\n",
        "    from: compliance@example.com\n    tls: starttls\n",
    );
    s.repo.write("assure.yaml", config);
    let out = s.notify(&[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("does not offer STARTTLS"),
        "{}",
        out.stderr
    );
    let lines = settled_lines(&stub);
    assert!(
        !lines.iter().any(|l| l.to_uppercase().starts_with("MAIL")),
        "{lines:?}"
    );
}

#[test]
fn without_credentials_a_server_without_starttls_still_gets_mail() {
    // Today's behaviour: STARTTLS when offered, plain otherwise.
    let stub = StubSmtp::start(&["8BITMIME"]);
    let s = scenario(Some(stub.port));
    let out = s.notify(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let lines = settled_lines(&stub);
    let rcpts: Vec<&String> = lines.iter().filter(|l| l.starts_with("RCPT")).collect();
    assert_eq!(rcpts.len(), 2, "{lines:?}");
    assert!(!lines.iter().any(|l| l.starts_with("AUTH")), "{lines:?}");
}

/// The stub's lines once the client is done (its thread may still be logging the last).
fn settled_lines(stub: &StubSmtp) -> Vec<String> {
    std::thread::sleep(Duration::from_millis(100));
    stub.lines()
}

// ---------------------------------------------------------------------------------------
// --dry-run DIR

/// The headers (unfolded) and the quoted-printable-decoded body of an `.eml` file.
fn parse_eml(text: &str) -> (Vec<(String, String)>, String) {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").expect("headers, blank line, body");
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().expect("continuation after a header");
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else {
            let (k, v) = line.split_once(':').expect("header");
            headers.push((k.to_owned(), v.trim().to_owned()));
        }
    }
    let qp = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-transfer-encoding") && v == "quoted-printable"
    });
    let body = if qp { decode_qp(body) } else { body.to_owned() };
    (headers, body)
}

fn decode_qp(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8 body")
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

fn emls(dir: &Path) -> Vec<(String, String)> {
    assert!(dir.join(".assure-outbox").is_file(), "the dry run's marker");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("dry-run dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != ".assure-outbox")
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).expect("read eml"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn dry_run_writes_eml_files_and_records_nothing() {
    if !smtp_available() {
        return;
    }
    let port = free_port();
    let s = scenario(Some(port));
    let out_dir = tempfile::tempdir().expect("temp dir");
    let dir = out_dir.path().join("outbox");
    let files = crate::support::snapshot(s.repo.path());

    // No server is running: a dry run does not connect.
    let out = s.notify(&[
        "--dry-run",
        dir.to_str().expect("utf-8"),
        "--site-url",
        SITE,
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let written = emls(&dir);
    assert_eq!(
        written.len(),
        2,
        "{:?}",
        written.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    assert!(written.iter().all(|(n, _)| n.ends_with(".eml")));
    let mut tos = Vec::new();
    for (name, text) in &written {
        let (headers, body) = parse_eml(text);
        assert!(
            header(&headers, "From").contains("compliance@example.com"),
            "{name}: {headers:?}"
        );
        assert!(
            header(&headers, "Content-Type").starts_with("text/plain"),
            "{name}: {headers:?}"
        );
        header(&headers, "Date");
        let to = header(&headers, "To");
        let subject = header(&headers, "Subject");
        if to.contains("bob@example.com") {
            assert!(to.contains("Bob Assessor"), "{to}");
            assert!(
                subject.contains("6.2.2.1")
                    && subject.contains("Data protection roles and responsibilities"),
                "{subject}"
            );
            assert!(
                body.contains(&recommended_actions(&s.repo, "gdpr", "6.2.2.1")),
                "{body}"
            );
            assert!(body.contains("Map every processing activity"), "{body}");
            assert!(
                body.contains("https://compliance.example.com/site/actions.html"),
                "{body}"
            );
            tos.push("bob");
        } else {
            assert!(to.contains("dave@example.com"), "{to}");
            assert!(subject.contains("6.6.2.1"), "{subject}");
            tos.push("dave");
        }
    }
    tos.sort();
    assert_eq!(tos, vec!["bob", "dave"]);
    assert!(out.stdout.contains("bob@example.com"), "{}", out.stdout);

    // Nothing recorded, nothing changed in the repository.
    assert!(!s.has_notes_ref(), "a dry run records nothing");
    assert_eq!(crate::support::snapshot(s.repo.path()), files);

    // A second dry run writes the same emails again (nothing was recorded).
    let dir2 = out_dir.path().join("outbox2");
    let out = s.notify(&["--dry-run", dir2.to_str().expect("utf-8")]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let again = emls(&dir2);
    assert_eq!(again.len(), 2);
    // Without --site-url, the email says how to list the action items.
    let bob = again
        .iter()
        .map(|(_, t)| parse_eml(t))
        .find(|(h, _)| header(h, "To").contains("bob@"))
        .expect("bob's");
    assert!(
        bob.1.contains("assure actions --person bob@example.com"),
        "{}",
        bob.1
    );

    // A real send afterwards still sends both.
    let server = SmtpServer::on(port, &[]);
    let out = s.notify(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        recipients(&server.messages()),
        vec!["bob@example.com", "dave@example.com"]
    );
}

#[test]
fn dry_run_needs_no_smtp_settings() {
    let s = scenario(None);
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = s.notify(&["--dry-run", out_dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let written = emls(out_dir.path());
    assert_eq!(written.len(), 2);
    for (_, text) in &written {
        let (headers, _) = parse_eml(text);
        assert!(header(&headers, "From").contains('@'), "{headers:?}");
    }
}

#[test]
fn dry_run_dir_is_relative_to_the_current_folder() {
    let s = scenario(Some(free_port()));
    let out = s.notify(&["--dry-run", "outbox"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(emls(&s.repo.path().join("outbox")).len(), 2);
}

/// Whether python3 with aiosmtpd is here. In CI (`CI` set) it must be: `.ci/run` installs
/// it, and a missing server fails the test. Elsewhere the test is skipped with a reason.
fn smtp_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have python3 with aiosmtpd (.ci/run installs it)"
        );
        eprintln!(
            "skipped: the notification tests need python3 with aiosmtpd (`python3 -m pip install aiosmtpd`)"
        );
    }
    ok
}
