//! `assure notify --base REV` (DESIGN.md §6.6) against an SMTP server on loopback, in this
//! process (`support::smtp`): who gets which email, with what subject and body; nothing
//! sent twice; refused and unreachable servers; SMTP credentials from the environment,
//! never sent without TLS (the server records every line it receives); `--dry-run DIR`
//! writing `.eml` files. Nothing outside the test binary is needed, so nothing is skipped.

use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::smtp::{Behaviour, Mail, SmtpServer, parse_message};
use crate::support::{GitRepo, Output, TestRepo, run_env};

const GDPR: &str = "default-group/office-365--gdpr";
const NIST: &str = "default-group/office-365--nist-800-53-r5";
const NOTES_REF: &str = "refs/notes/assure-notify";
const SITE: &str = "https://compliance.example.com/site/";
const BOB_NOTES: &str =
    "Map every processing activity to an owner.\nAsk legal about joint controllers.";

// ---------------------------------------------------------------------------------------
// The SMTP server

/// A TCP port on loopback nothing listens on (bound, then released): for the tests where
/// no server must be reached.
fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
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
    let p = assure::ops::Project::work_tree(repo.path()).expect("open");
    let c = p
        .catalog
        .certifications
        .get(cert)
        .and_then(|c| c.control(control).map(|(_, c)| c.clone()))
        .expect("catalog control");
    c.description.expect("the control has a description")
}

fn title(repo: &TestRepo, cert: &str, control: &str) -> String {
    let p = assure::ops::Project::work_tree(repo.path()).expect("open");
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
        link.contains("https://compliance.example.com/site/actions.html#person=bob@example.com")
            && !link.contains("site//"),
        "{link}"
    );
    assert!(bob.header("Date").is_some(), "{:?}", bob.headers);
    let ids: Vec<&str> = mails
        .iter()
        .map(|m| m.header("Message-ID").unwrap_or(""))
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
    let server = SmtpServer::with(Behaviour::refusing("bob@example.com"));
    let s = scenario(Some(server.port));
    {
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
    server.reset(Behaviour::default());
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
    let server = SmtpServer::with(Behaviour::refusing_all());
    let s = scenario(Some(server.port));
    {
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
    server.reset(Behaviour::default());
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
    let server = SmtpServer::with(Behaviour::requiring_auth("mailer", "s3cret"));
    let s = scenario(Some(server.port));

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

#[test]
fn credentials_are_never_sent_in_clear() {
    // A server that takes AUTH but offers no STARTTLS.
    let stub = SmtpServer::with(Behaviour::advertising(&["AUTH PLAIN LOGIN", "8BITMIME"]));
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
    let stub = SmtpServer::with(Behaviour::advertising(&["8BITMIME"]));
    let s = scenario(Some(stub.port));
    let out = s.notify(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let lines = settled_lines(&stub);
    let rcpts: Vec<&String> = lines.iter().filter(|l| l.starts_with("RCPT")).collect();
    assert_eq!(rcpts.len(), 2, "{lines:?}");
    assert!(!lines.iter().any(|l| l.starts_with("AUTH")), "{lines:?}");
}

/// The server's lines once the client is done (its thread may still be logging the last).
fn settled_lines(stub: &SmtpServer) -> Vec<String> {
    std::thread::sleep(Duration::from_millis(100));
    stub.lines()
}

// ---------------------------------------------------------------------------------------
// --dry-run DIR

/// The headers (unfolded) and the decoded body of an `.eml` file.
fn parse_eml(text: &str) -> (Vec<(String, String)>, String) {
    parse_message(text)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    crate::support::smtp::header(headers, name)
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
    let server = SmtpServer::start();
    let s = scenario(Some(server.port));
    let out_dir = tempfile::tempdir().expect("temp dir");
    let dir = out_dir.path().join("outbox");
    let files = crate::support::snapshot(s.repo.path());

    // The configured server is running: a dry run does not connect to it.
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

    assert_eq!(server.connections(), 0, "a dry run does not connect");
    assert!(server.lines().is_empty());

    // A real send afterwards still sends both.
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
