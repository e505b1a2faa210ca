//! Action-item notifications (DESIGN.md §6.6): `assure notify --base REV`.
//!
//! After a merge, one email per action item newly assigned with `notify: true` in
//! `REV..HEAD`, to the assigned person. What was sent is recorded as a git note on the
//! commit that made the assignment (`refs/notes/assure-notify`), so a second run sends
//! nothing twice; a message that could not be sent is not recorded, and is tried again
//! next time.

use std::path::Path;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Serialize;

use super::changes::{Change, FileChange, assessment_changes, file_changes};
use super::history::{Side, Versions};
use crate::git::{CommitId, Git, GitError};
use crate::model::config::{Smtp, SmtpTls};
use crate::model::{Assessment, Config};
use crate::repo::{Scope, Source};

/// Where sent notifications are recorded.
pub const NOTES_REF: &str = "refs/notes/assure-notify";

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),
    #[error(
        "assure.yaml has no `notifications.smtp` settings (host, port, from); add them, or use --dry-run DIR"
    )]
    NoSmtp,
    #[error("assure.yaml does not load: {0}; run `assure validate` and fix it")]
    Config(String),
    #[error("invalid email address \"{0}\": {1}")]
    Address(String, String),
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
}

/// One email to send.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub commit: CommitId,
    pub to: String,
    pub name: String,
    pub assessment: String,
    pub assessment_name: String,
    pub control: String,
    pub title: String,
    /// The recommended customer actions (the control's description).
    pub actions: Option<String>,
    pub priority: Option<String>,
    pub notes: Option<String>,
    pub link: String,
}

impl Notification {
    /// The line recorded in the commit's note once sent.
    fn key(&self) -> String {
        format!("{} {} {}", self.assessment, self.control, self.to)
    }

    pub fn subject(&self) -> String {
        format!(
            "Action item for you: {} {} ({})",
            self.control, self.title, self.assessment_name
        )
    }

    pub fn body(&self) -> String {
        let mut b = format!(
            "Hello {},\n\nYou have been assigned an action item in {}:\n\n",
            self.name, self.assessment_name
        );
        b.push_str(&format!("  Control:   {} — {}\n", self.control, self.title));
        b.push_str(&format!(
            "  Priority:  {}\n",
            self.priority
                .as_deref()
                .unwrap_or(crate::text::empty(crate::text::Medium::Text))
        ));
        b.push_str(&format!("  Assessment: {}\n", self.assessment));
        if let Some(actions) = &self.actions {
            b.push_str(&format!("\nRecommended customer actions:\n  {actions}\n"));
        }
        if let Some(notes) = &self.notes {
            b.push_str(&format!("\nNotes:\n  {}\n", notes.replace('\n', "\n  ")));
        }
        b.push_str(&format!("\nYour action items: {}\n", self.link));
        b
    }
}

/// The notifications due for `base..HEAD` that have not been sent yet.
pub fn pending(
    git: &Git,
    root: &Path,
    base: &str,
    site_url: Option<&str>,
) -> Result<(Config, Vec<Notification>), NotifyError> {
    let project = super::Project::load(root, Source::WorkTree, Scope::Catalog)?;
    let config = settings(&project)?;
    let base = git.resolve(base)?;
    let head = git.resolve("HEAD")?;
    let notifier = Notifier {
        versions: Versions::new(git, root),
        catalog: &project.catalog,
        config: &config,
        site_url,
    };
    let mut out = Vec::new();
    for id in git.range(Some(base), head)? {
        let info = git.commit_info(id)?;
        let parent = info
            .parents
            .first()
            .map_or(Side::Empty, |&p| Side::Commit(p));
        let paths: Vec<String> = notifier
            .versions
            .changed_files(parent, Side::Commit(id))?
            .into_iter()
            .filter(|p| p.starts_with("groups/") && p.ends_with(".yaml"))
            .collect();
        let files = notifier
            .versions
            .file_versions(parent, Side::Commit(id), &paths)?;
        let sent = git.note(NOTES_REF, id).unwrap_or_default();
        for fc in assignment_changes(&files) {
            let Some(n) = notifier.due(id, &info.parents, &files, &fc)? else {
                continue;
            };
            if !sent.lines().any(|l| l == n.key())
                && !out
                    .iter()
                    .any(|o: &Notification| o.key() == n.key() && o.commit == n.commit)
            {
                out.push(n);
            }
        }
    }
    Ok((config, out))
}

/// The settings of assure.yaml, or why they cannot be read.
fn settings(project: &super::Project) -> Result<Config, NotifyError> {
    let ws = &project.ws;
    match &ws.config {
        Some(c) => Ok(c.value.clone()),
        // Not the work tree's fault to be silent about: say what is wrong with the file.
        None => {
            let finding = project.diagnostics.iter().find_map(|d| {
                let at = crate::diag::locate(&ws.sources, d.primary.as_ref()?);
                (at.path == "assure.yaml")
                    .then(|| format!("{} (line {}, column {})", d.message, at.line, at.column))
            });
            Err(finding.map_or(NotifyError::NoSmtp, NotifyError::Config))
        }
    }
}

/// The changes of one commit's assessment files, with a new assessment's assignments
/// counted as new too (e.g. `assessment new` and `assign` squashed into one commit): its
/// controls against none.
fn assignment_changes(files: &[super::changes::FileVersions]) -> Vec<FileChange> {
    let mut changes = file_changes(files);
    let created: Vec<FileChange> = changes
        .iter()
        .filter_map(|fc| match &fc.change {
            Change::AssessmentCreated { assessment } => {
                let new = files.iter().find(|f| f.path == fc.path)?.new.clone()?;
                let a: Assessment = serde_json::from_value(new).ok()?;
                let mut empty = a.clone();
                empty.controls.clear();
                Some(
                    assessment_changes(assessment, Some(&empty), Some(&a))
                        .into_iter()
                        .map(|change| FileChange {
                            path: fc.path.clone(),
                            change,
                        })
                        .collect::<Vec<_>>(),
                )
            }
            _ => None,
        })
        .flatten()
        .collect();
    changes.extend(created);
    changes
}

/// What a notification is made from: the history, the catalog and the people.
struct Notifier<'a> {
    versions: Versions<'a>,
    catalog: &'a crate::catalog::Catalog,
    config: &'a Config,
    site_url: Option<&'a str>,
}

impl Notifier<'_> {
    /// The notification `fc` (a change of commit `id`, whose parents are `parents`) calls
    /// for, if any: a new assignment with notify on, or notify switched on for the
    /// current one.
    fn due(
        &self,
        id: CommitId,
        parents: &[CommitId],
        files: &[super::changes::FileVersions],
        fc: &FileChange,
    ) -> Result<Option<Notification>, GitError> {
        let Change::ControlField {
            assessment,
            control,
            field,
            new,
            ..
        } = &fc.change
        else {
            return Ok(None);
        };
        if field != "assigned_to" && field != "action" {
            return Ok(None);
        }
        let Some(a) = files
            .iter()
            .find(|f| f.path == fc.path)
            .and_then(|f| f.new.clone())
            .and_then(|j| serde_json::from_value::<Assessment>(j).ok())
        else {
            return Ok(None);
        };
        let Some(record) = a.controls.get(control) else {
            return Ok(None);
        };
        let (Some(to), Some(action)) = (&record.assigned_to, &record.action) else {
            return Ok(None);
        };
        // A new assignment, or notify switched on for the current one.
        let newly = field == "assigned_to" && new.as_str() == Some(to.as_str());
        let switched_on =
            field == "action" && new.get("notify").and_then(|n| n.as_bool()) == Some(true);
        if !action.notify || !(newly || switched_on) {
            return Ok(None);
        }
        // A merge commit notifies only for its own assignments: one it takes from a
        // merged branch is notified for that branch's commit (in the range too).
        if parents.len() > 1
            && taken_from_merged(&self.versions, &parents[1..], &fc.path, control, to)?
        {
            return Ok(None);
        }
        Ok(Some(
            self.notification(id, assessment, control, &a, to, action),
        ))
    }

    /// The email telling `to` about the action item on `control` of assessment `a`.
    fn notification(
        &self,
        id: CommitId,
        assessment: &str,
        control: &str,
        a: &Assessment,
        to: &str,
        action: &crate::model::Action,
    ) -> Notification {
        let catalog = self.catalog;
        let cert = catalog.certifications.get(&a.certification);
        let control_info = cert.and_then(|c| c.control(control)).map(|(_, c)| c);
        let name = self
            .config
            .people
            .iter()
            .find(|p| p.email.eq_ignore_ascii_case(to))
            .map_or_else(|| to.to_owned(), |p| p.name.clone());
        Notification {
            commit: id,
            to: to.to_owned(),
            name,
            assessment: assessment.to_owned(),
            assessment_name: catalog.assessment_name(&a.service, &a.certification),
            control: control.to_owned(),
            title: control_info.map(|c| c.title.clone()).unwrap_or_default(),
            actions: control_info.and_then(|c| c.description.clone()),
            priority: action.priority.map(|p| p.as_str().to_owned()),
            notes: action.notes.clone(),
            link: match self.site_url {
                // The site's action items of this person alone (`#person=`).
                Some(url) => format!(
                    "{}/actions.html#person={}",
                    url.trim_end_matches('/'),
                    crate::text::percent_encode(&to.trim().to_lowercase())
                ),
                None => {
                    format!("run `assure actions --person {to}` in the compliance repository")
                }
            },
        }
    }
}

/// Whether one of a merge's other `parents` already has `control` assigned to `to` with
/// notify on (so the merge took the assignment from that branch).
fn taken_from_merged(
    versions: &Versions,
    parents: &[CommitId],
    path: &str,
    control: &str,
    to: &str,
) -> Result<bool, GitError> {
    for &p in parents {
        let files = versions.file_versions(Side::Commit(p), Side::Empty, &[path.to_owned()])?;
        let record = files
            .into_iter()
            .next()
            .and_then(|f| f.old)
            .and_then(|j| serde_json::from_value::<Assessment>(j).ok())
            .and_then(|a| a.controls.get(control).cloned());
        if record.is_some_and(|r| {
            r.assigned_to.as_deref() == Some(to) && r.action.is_some_and(|a| a.notify)
        }) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A mailbox header value. The display name is made one line (validation refuses such
/// names, but `notify` may run on a tree nobody validated, and lettre panics on a line
/// break in one); lettre quotes or encodes what is left. The address is parsed, so it
/// cannot carry a line break either.
fn mailbox(name: Option<&str>, email: &str) -> Result<Mailbox, NotifyError> {
    let address = email.parse().map_err(|e: lettre::address::AddressError| {
        NotifyError::Address(crate::text::escape_line(email).into_owned(), e.to_string())
    })?;
    Ok(Mailbox::new(name.map(crate::text::one_line), address))
}

/// The email of a notification. Whatever the repository holds, its headers are the ones
/// built here: every header value taken from the repository is made one line first.
pub fn message(n: &Notification, from: &str) -> Result<Message, NotifyError> {
    Message::builder()
        .from(mailbox(Some("assure"), from)?)
        .to(mailbox(Some(&n.name), &n.to)?)
        .subject(crate::text::one_line(&n.subject()))
        .message_id(None)
        .header(ContentType::TEXT_PLAIN)
        .body(n.body())
        .map_err(|e| NotifyError::Address(n.to.clone(), e.to_string()))
}

/// The outcome of one notification.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    pub notification: Notification,
    /// `None` when sent (or written); the error otherwise.
    pub error: Option<String>,
}

/// Writes each notification as an `.eml` file in `dir` (nothing is recorded as sent). A
/// notification whose message cannot be built (a bad address) is reported in its
/// [`Sent`], as a real send would; the others are still written.
pub fn write_eml(
    notifications: &[Notification],
    from: &str,
    dir: &Path,
) -> Result<Vec<Sent>, NotifyError> {
    std::fs::create_dir_all(dir).map_err(|e| NotifyError::Write(dir.display().to_string(), e))?;
    let mut out = Vec::new();
    for n in notifications {
        let name = format!(
            "{}-{}-{}-{}.eml",
            &n.commit.to_string()[..7],
            n.assessment.replace('/', "_"),
            n.control.replace(['(', ')'], ""),
            n.to
        );
        // The parts come from the repository: one plain file name in `dir`, whatever
        // they hold (no `/`, no `..` climbing out, no control character).
        let name: String = name
            .chars()
            .map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '@' | '.' | '_' | '+' | '-' => c,
                _ => '_',
            })
            .collect();
        let path = dir.join(name.replace("..", "__"));
        let error = match message(n, from) {
            Ok(m) => {
                crate::edit::write_atomic(&path, &m.formatted())
                    .map_err(|e| NotifyError::Write(path.display().to_string(), e))?;
                None
            }
            Err(e) => Some(e.to_string()),
        };
        out.push(Sent {
            notification: n.clone(),
            error,
        });
    }
    Ok(out)
}

/// How a connection to `smtp` is encrypted: implicit TLS when configured; STARTTLS
/// required when configured or when `credentials` are sent (a password never travels in
/// clear: lettre stops before AUTH when the server offers no STARTTLS); otherwise
/// STARTTLS when the server offers it.
fn tls(smtp: &Smtp, credentials: bool) -> Result<Tls, NotifyError> {
    let parameters = TlsParameters::new(smtp.host.clone())
        .map_err(|e| NotifyError::Address(smtp.host.clone(), e.to_string()))?;
    Ok(match smtp.tls {
        Some(SmtpTls::Implicit) => Tls::Wrapper(parameters),
        Some(SmtpTls::Starttls) => Tls::Required(parameters),
        None if credentials => Tls::Required(parameters),
        None => Tls::Opportunistic(parameters),
    })
}

/// Why sending failed, for the person running `notify`.
fn send_error(e: &lettre::transport::smtp::Error, smtp: &Smtp) -> String {
    let server = format!("SMTP server {}:{}", smtp.host, smtp.port);
    // lettre has no error kind for it; its message is stable within 0.11.
    if e.to_string().contains("STARTTLS is not supported") {
        format!(
            "the {server} does not offer STARTTLS, and assure sends credentials \
             (ASSURE_SMTP_USERNAME, ASSURE_SMTP_PASSWORD) only over TLS: nothing was sent. \
             Enable STARTTLS on the server, or set `notifications.smtp.tls: implicit` \
             for a server that speaks TLS from the start (port 465)"
        )
    } else {
        format!("{e} ({server})")
    }
}

/// Sends each notification over SMTP; records the sent ones in git notes. Every message
/// is attempted even when some fail.
pub fn send(
    git: &Git,
    notifications: &[Notification],
    smtp: &Smtp,
    credentials: Option<(String, String)>,
) -> Result<Vec<Sent>, NotifyError> {
    let mut builder = SmtpTransport::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .tls(tls(smtp, credentials.is_some())?)
        .timeout(Some(std::time::Duration::from_secs(20)));
    if let Some((user, pass)) = credentials {
        builder = builder.credentials(Credentials::new(user, pass));
    }
    let transport = builder.build();
    let mut out = Vec::new();
    for n in notifications {
        let result = message(n, &smtp.from).and_then(|m| {
            transport
                .send(&m)
                .map(|_| ())
                .map_err(|e| NotifyError::Address(n.to.clone(), send_error(&e, smtp)))
        });
        let error = match result {
            Ok(()) => {
                let mut note = git.note(NOTES_REF, n.commit).unwrap_or_default();
                if !note.is_empty() && !note.ends_with('\n') {
                    note.push('\n');
                }
                note.push_str(&n.key());
                note.push('\n');
                git.set_note(NOTES_REF, n.commit, &note)?;
                None
            }
            Err(e) => Some(match e {
                NotifyError::Address(_, msg) => msg,
                other => other.to_string(),
            }),
        };
        out.push(Sent {
            notification: n.clone(),
            error,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(to: &str) -> Notification {
        Notification {
            commit: CommitId::zero(),
            to: to.into(),
            name: "Bob\r\nBcc: evil@example.net".into(),
            assessment: "g/office-365--gdpr".into(),
            assessment_name: "Office 365\r\nBcc: evil2@example.net".into(),
            control: "6.2.1.1".into(),
            title: "Policy\nX-Evil: 1\u{1b}[31m".into(),
            actions: None,
            priority: None,
            notes: Some("line one\r\nBcc: body@example.net".into()),
            link: "link".into(),
        }
    }

    /// The header block of a formatted message, one header per entry (unfolded).
    fn headers(m: &Message) -> Vec<String> {
        let text = String::from_utf8(m.formatted()).expect("utf-8");
        let head = text.split("\r\n\r\n").next().expect("headers");
        let mut out: Vec<String> = Vec::new();
        for line in head.split("\r\n") {
            match out.last_mut() {
                Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
                _ => out.push(line.to_owned()),
            }
        }
        out
    }

    #[test]
    fn repository_text_never_adds_a_header() {
        let m = message(&notification("bob@example.com"), "from@example.com")
            .expect("a message, not a panic");
        let headers = headers(&m);
        let names: Vec<&str> = headers
            .iter()
            .map(|h| h.split(':').next().unwrap_or(""))
            .collect();
        assert!(
            names.iter().all(|n| [
                "From",
                "To",
                "Subject",
                "Content-Type",
                "Content-Transfer-Encoding",
                "Date",
                "MIME-Version",
                "Message-ID"
            ]
            .contains(n)),
            "{headers:#?}"
        );
        assert_eq!(m.envelope().to().len(), 1);
        assert_eq!(m.envelope().to()[0].to_string(), "bob@example.com");
        assert!(
            !headers.iter().any(|h| h.contains('\u{1b}')),
            "{headers:#?}"
        );
    }

    #[test]
    fn an_address_with_a_line_break_is_an_error_not_a_panic() {
        let e = message(
            &notification("bob@example.com\r\nBcc: evil@example.net"),
            "from@example.com",
        )
        .expect_err("not an address");
        let text = e.to_string();
        assert!(text.contains("bob@example.com\\r\\nBcc"), "{text}");
    }
}
