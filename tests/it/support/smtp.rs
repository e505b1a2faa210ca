//! A loopback SMTP server for the notification tests, in this process: enough of RFC 5321
//! for lettre (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT, AUTH
//! PLAIN and LOGIN), no TLS.
//!
//! It binds 127.0.0.1:0 and reads the port back, so no other process can take the port
//! between choosing and binding it. Every connection gets a thread. The server records
//! every line it receives (AUTH lines and message lines included: a test can prove a
//! secret never arrived), every accepted message (envelope, decoded headers and body,
//! the user it authenticated as) and every refused recipient. Its behaviour can be
//! changed while it runs ([`SmtpServer::reset`]), which stands for "another server on the
//! same port" in tests that retry after a failure.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// What the server does.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// Extensions listed in the EHLO answer, after the greeting line (e.g. `8BITMIME`,
    /// `AUTH PLAIN LOGIN`, `STARTTLS`). `STARTTLS` is only advertised: the command
    /// itself is answered 454 (this server has no TLS).
    pub extensions: Vec<String>,
    /// Recipients answered 550 at RCPT (compared case-insensitively).
    pub refuse_rcpt: Vec<String>,
    /// Every RCPT is answered 550.
    pub refuse_all: bool,
    /// `Some((user, password))`: MAIL is refused (530) until AUTH succeeded with exactly
    /// these. `None`: AUTH, when a client sends it, is accepted whatever it carries.
    pub auth: Option<(String, String)>,
}

impl Default for Behaviour {
    /// Accepts every message; advertises 8BITMIME and SMTPUTF8; no AUTH, no STARTTLS.
    fn default() -> Behaviour {
        Behaviour {
            extensions: vec!["8BITMIME".into(), "SMTPUTF8".into()],
            refuse_rcpt: Vec::new(),
            refuse_all: false,
            auth: None,
        }
    }
}

impl Behaviour {
    /// Answers 550 to RCPT TO:<addr>.
    pub fn refusing(addr: &str) -> Behaviour {
        Behaviour {
            refuse_rcpt: vec![addr.to_owned()],
            ..Behaviour::default()
        }
    }

    /// Answers 550 to every RCPT.
    pub fn refusing_all() -> Behaviour {
        Behaviour {
            refuse_all: true,
            ..Behaviour::default()
        }
    }

    /// Requires AUTH (PLAIN or LOGIN, advertised) with `user` and `password` before MAIL.
    pub fn requiring_auth(user: &str, password: &str) -> Behaviour {
        let mut b = Behaviour::default();
        b.extensions.push("AUTH PLAIN LOGIN".into());
        b.auth = Some((user.to_owned(), password.to_owned()));
        b
    }

    /// Accepts everything and advertises exactly `extensions`.
    pub fn advertising(extensions: &[&str]) -> Behaviour {
        Behaviour {
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
            ..Behaviour::default()
        }
    }
}

/// One accepted message: its envelope and its content, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub from: String,
    pub to: String,
    pub subject: String,
    /// The body, transfer-decoded (quoted-printable or base64), with `\n` line ends.
    pub body: String,
    /// Every header, unfolded and with encoded words decoded, in order.
    pub headers: Vec<(String, String)>,
    /// The message as received, after dot-unstuffing.
    pub raw: String,
    /// The user the client authenticated as, if it did.
    pub auth_login: Option<String>,
}

impl Mail {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The line of the body starting with `prefix` (after indentation).
    pub fn line(&self, prefix: &str) -> String {
        self.body
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in the body:\n{}", self.body))
            .to_owned()
    }
}

#[derive(Default)]
struct Record {
    lines: Vec<String>,
    messages: Vec<Mail>,
    refused: Vec<String>,
    connections: usize,
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    record: Mutex<Record>,
    stop: AtomicBool,
}

/// The server; it stops accepting connections when dropped.
pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Shared>,
}

impl SmtpServer {
    /// A server accepting every message.
    pub fn start() -> SmtpServer {
        SmtpServer::with(Behaviour::default())
    }

    pub fn with(behaviour: Behaviour) -> SmtpServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(behaviour),
            record: Mutex::new(Record::default()),
            stop: AtomicBool::new(false),
        });
        let state = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if state.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                lock(&state.record).connections += 1;
                let state = state.clone();
                std::thread::spawn(move || {
                    // A client that hangs up mid-session is not the server's failure.
                    let _ = Session::new(&state).serve(stream);
                });
            }
        });
        SmtpServer { port, shared }
    }

    /// Forgets what was received and behaves as `behaviour` from the next command on:
    /// as if a new server had taken the port.
    pub fn reset(&self, behaviour: Behaviour) {
        *lock(&self.shared.behaviour) = behaviour;
        *lock(&self.shared.record) = Record::default();
    }

    /// The messages accepted, in order.
    pub fn messages(&self) -> Vec<Mail> {
        lock(&self.shared.record).messages.clone()
    }

    /// The recipients refused, in order.
    pub fn refused(&self) -> Vec<String> {
        lock(&self.shared.record).refused.clone()
    }

    /// Every line received, in order (CRLF removed).
    pub fn lines(&self) -> Vec<String> {
        lock(&self.shared.record).lines.clone()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        lock(&self.shared.record).connections
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag and closes the listener.
        let _ = TcpStream::connect_timeout(
            &(Ipv4Addr::LOCALHOST, self.port).into(),
            Duration::from_secs(1),
        );
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking session thread must not hide what was recorded before it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The state of one SMTP session.
struct Session<'a> {
    shared: &'a Shared,
    login: Option<String>,
    mail_from: Option<String>,
    rcpt_tos: Vec<String>,
}

impl<'a> Session<'a> {
    fn new(shared: &'a Shared) -> Session<'a> {
        Session {
            shared,
            login: None,
            mail_from: None,
            rcpt_tos: Vec::new(),
        }
    }

    fn behaviour(&self) -> Behaviour {
        lock(&self.shared.behaviour).clone()
    }

    fn serve(&mut self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut w = stream.try_clone()?;
        let mut r = BufReader::new(stream);
        w.write_all(b"220 assure-test ESMTP\r\n")?;
        while let Some(line) = self.read_line(&mut r)? {
            let (verb, arg) = match line.split_once(' ') {
                Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_owned()),
                None => (line.to_ascii_uppercase(), String::new()),
            };
            let reply = match verb.as_str() {
                "EHLO" => {
                    let extensions = self.behaviour().extensions;
                    let mut reply = String::from("250");
                    reply.push(if extensions.is_empty() { ' ' } else { '-' });
                    reply.push_str("assure-test\r\n");
                    for (i, e) in extensions.iter().enumerate() {
                        let sep = if i + 1 == extensions.len() { ' ' } else { '-' };
                        reply.push_str(&format!("250{sep}{e}\r\n"));
                    }
                    self.clear_transaction();
                    reply
                }
                "HELO" => {
                    self.clear_transaction();
                    "250 assure-test\r\n".into()
                }
                "STARTTLS" => "454 4.7.0 TLS not available\r\n".into(),
                "AUTH" => self.auth(&arg, &mut r, &mut w)?,
                "MAIL" => self.mail(&arg),
                "RCPT" => self.rcpt(&arg),
                "DATA" => {
                    if self.mail_from.is_none() || self.rcpt_tos.is_empty() {
                        "503 5.5.1 need MAIL and RCPT first\r\n".into()
                    } else {
                        w.write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")?;
                        let Some(raw) = self.read_data(&mut r)? else {
                            return Ok(());
                        };
                        let mail = parse_mail(
                            self.mail_from.take().unwrap_or_default(),
                            std::mem::take(&mut self.rcpt_tos),
                            raw,
                            self.login.clone(),
                        );
                        lock(&self.shared.record).messages.push(mail);
                        "250 2.0.0 message accepted for delivery\r\n".into()
                    }
                }
                "RSET" => {
                    self.clear_transaction();
                    "250 2.0.0 OK\r\n".into()
                }
                "NOOP" => "250 2.0.0 OK\r\n".into(),
                "QUIT" => {
                    w.write_all(b"221 2.0.0 bye\r\n")?;
                    return Ok(());
                }
                _ => "500 5.5.2 command not recognized\r\n".into(),
            };
            w.write_all(reply.as_bytes())?;
        }
        Ok(())
    }

    /// The next line without its CRLF, recorded; `None` at the end of the stream.
    fn read_line(&self, r: &mut impl BufRead) -> std::io::Result<Option<String>> {
        let mut bytes = Vec::new();
        if r.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(None);
        }
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        let line = String::from_utf8_lossy(&bytes).into_owned();
        lock(&self.shared.record).lines.push(line.clone());
        Ok(Some(line))
    }

    /// The message after DATA up to the lone dot, dot-unstuffed, with CRLF line ends.
    fn read_data(&self, r: &mut impl BufRead) -> std::io::Result<Option<String>> {
        let mut raw = String::new();
        loop {
            let Some(line) = self.read_line(r)? else {
                return Ok(None);
            };
            if line == "." {
                return Ok(Some(raw));
            }
            // RFC 5321 §4.5.2: a leading dot was doubled by the client.
            raw.push_str(line.strip_prefix('.').unwrap_or(&line));
            raw.push_str("\r\n");
        }
    }

    fn clear_transaction(&mut self) {
        self.mail_from = None;
        self.rcpt_tos.clear();
    }

    fn mail(&mut self, arg: &str) -> String {
        let Some(addr) = path_arg(arg, "FROM:") else {
            return "501 5.5.4 syntax: MAIL FROM:<address>\r\n".into();
        };
        if self.behaviour().auth.is_some() && self.login.is_none() {
            return "530 5.7.0 authentication required\r\n".into();
        }
        self.mail_from = Some(addr);
        self.rcpt_tos.clear();
        "250 2.1.0 OK\r\n".into()
    }

    fn rcpt(&mut self, arg: &str) -> String {
        if self.mail_from.is_none() {
            return "503 5.5.1 need MAIL first\r\n".into();
        }
        let Some(addr) = path_arg(arg, "TO:") else {
            return "501 5.5.4 syntax: RCPT TO:<address>\r\n".into();
        };
        let b = self.behaviour();
        if b.refuse_all || b.refuse_rcpt.iter().any(|r| r.eq_ignore_ascii_case(&addr)) {
            lock(&self.shared.record).refused.push(addr.clone());
            return format!("550 5.1.1 <{addr}>: mailbox unavailable\r\n");
        }
        self.rcpt_tos.push(addr);
        "250 2.1.5 OK\r\n".into()
    }

    /// AUTH PLAIN [initial] or AUTH LOGIN [user]: reads the challenges' answers itself.
    fn auth(
        &mut self,
        arg: &str,
        r: &mut impl BufRead,
        w: &mut impl Write,
    ) -> std::io::Result<String> {
        if self.login.is_some() {
            return Ok("503 5.5.1 already authenticated\r\n".into());
        }
        let mut parts = arg.split_whitespace();
        let mechanism = parts.next().unwrap_or("").to_ascii_uppercase();
        let initial = parts.next().map(str::to_owned);
        let mut answer = |w: &mut dyn Write, challenge: &str| -> std::io::Result<Option<String>> {
            w.write_all(format!("334 {challenge}\r\n").as_bytes())?;
            self.read_line(r)
        };
        let (user, password) = match mechanism.as_str() {
            "PLAIN" => {
                let response = match initial {
                    Some(i) => i,
                    None => match answer(w, "")? {
                        Some(a) => a,
                        None => return Ok(String::new()),
                    },
                };
                let decoded = base64_decode(&response).unwrap_or_default();
                // authzid NUL authcid NUL password
                let mut fields = decoded.split(|b| *b == 0).skip(1);
                let user = fields.next().unwrap_or_default();
                let password = fields.next().unwrap_or_default();
                (
                    String::from_utf8_lossy(user).into_owned(),
                    String::from_utf8_lossy(password).into_owned(),
                )
            }
            "LOGIN" => {
                let user = match initial {
                    Some(i) => i,
                    // base64("Username:")
                    None => match answer(w, "VXNlcm5hbWU6")? {
                        Some(a) => a,
                        None => return Ok(String::new()),
                    },
                };
                // base64("Password:")
                let Some(password) = answer(w, "UGFzc3dvcmQ6")? else {
                    return Ok(String::new());
                };
                let text = |s: &str| {
                    String::from_utf8_lossy(&base64_decode(s).unwrap_or_default()).into_owned()
                };
                (text(&user), text(&password))
            }
            _ => return Ok("504 5.5.4 unrecognized authentication type\r\n".into()),
        };
        let accepted = match &self.behaviour().auth {
            Some((u, p)) => *u == user && *p == password,
            None => true,
        };
        if accepted {
            self.login = Some(user);
            Ok("235 2.7.0 authentication successful\r\n".into())
        } else {
            Ok("535 5.7.8 authentication credentials invalid\r\n".into())
        }
    }
}

/// The address of `FROM:<a>` / `TO:<a>` (parameters after it ignored).
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

fn parse_mail(
    mail_from: String,
    rcpt_tos: Vec<String>,
    raw: String,
    auth_login: Option<String>,
) -> Mail {
    let (headers, body) = parse_message(&raw);
    let get = |name: &str| header(&headers, name).unwrap_or_default().to_owned();
    Mail {
        mail_from,
        rcpt_tos,
        from: get("From"),
        to: get("To"),
        subject: get("Subject"),
        body,
        headers: headers.clone(),
        raw,
        auth_login,
    }
}

/// The value of header `name` (case-insensitive) in `headers`.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The headers (unfolded, encoded words decoded) and the transfer-decoded body of a
/// single-part message, with `\n` line ends.
pub fn parse_message(text: &str) -> (Vec<(String, String)>, String) {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
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
    for (_, v) in &mut headers {
        *v = decode_words(v);
    }
    let encoding = header(&headers, "Content-Transfer-Encoding")
        .unwrap_or("7bit")
        .to_ascii_lowercase();
    let body = match encoding.as_str() {
        "quoted-printable" => decode_qp(body),
        "base64" => String::from_utf8(base64_decode(body).expect("base64 body"))
            .expect("utf-8 body")
            .replace("\r\n", "\n"),
        _ => body.to_owned(),
    };
    (headers, body)
}

/// Decodes quoted-printable text (soft line breaks removed).
pub fn decode_qp(s: &str) -> String {
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

/// RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) decoded; whitespace between
/// two adjacent encoded words dropped, as the RFC says.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let decoded = rest[start + 2..]
            .split_once("?=")
            .and_then(|(inner, after)| {
                let mut p = inner.splitn(3, '?');
                let (_charset, enc, text) = (p.next()?, p.next()?, p.next()?);
                let bytes = match enc.to_ascii_lowercase().as_str() {
                    "b" => base64_decode(text)?,
                    "q" => decode_qp(&text.replace('_', " ")).into_bytes(),
                    _ => return None,
                };
                Some((String::from_utf8_lossy(&bytes).into_owned(), after))
            });
        let Some((word, after)) = decoded else { break };
        let between = &rest[..start];
        if !(last_was_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        out.push_str(&word);
        rest = after;
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

/// Standard base64 (whitespace ignored, padding optional); `None` on another byte.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------
// The server's own tests: what the notification tests rely on it for.

#[test]
fn base64_and_encoded_words_decode() {
    assert_eq!(
        base64_decode("AG1haWxlcgBzM2NyZXQ=").as_deref(),
        Some(&b"\0mailer\0s3cret"[..])
    );
    assert_eq!(
        decode_words("=?utf-8?b?w6l0w6k=?= =?utf-8?q?_ok?= x"),
        "été ok x"
    );
    assert_eq!(
        path_arg("FROM:<a@example.com> BODY=8BITMIME", "FROM:").as_deref(),
        Some("a@example.com")
    );
}

/// Sends one message to `server` with lettre (the client assure uses), without TLS.
fn lettre_send(
    server: &SmtpServer,
    login: Option<(&str, &str)>,
    mechanism: lettre::transport::smtp::authentication::Mechanism,
    body: &str,
) -> Result<(), String> {
    use lettre::Transport;
    use lettre::transport::smtp::authentication::Credentials;
    let mut transport = lettre::SmtpTransport::builder_dangerous("127.0.0.1")
        .port(server.port)
        .authentication(vec![mechanism]);
    if let Some((user, password)) = login {
        transport = transport.credentials(Credentials::new(user.into(), password.into()));
    }
    let message = lettre::Message::builder()
        .from("Sender <sender@example.com>".parse().expect("address"))
        .to("Bob <bob@example.com>".parse().expect("address"))
        .subject("Caf\u{e9} 6.2.2.1")
        .body(body.to_owned())
        .expect("message");
    transport
        .build()
        .send(&message)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn lettre_authenticates_and_its_message_reads_back() {
    use lettre::transport::smtp::authentication::Mechanism;
    let server = SmtpServer::with(Behaviour::requiring_auth("mailer", "s3cret"));
    // A body with lines starting with a dot (stuffed by the client) and non-ASCII text.
    let body = ".hidden\n..two dots\nna\u{ef}ve\n";
    for mechanism in [Mechanism::Plain, Mechanism::Login] {
        let e = lettre_send(&server, Some(("mailer", "wrong")), mechanism, body)
            .expect_err("a wrong password is refused");
        assert!(e.contains("535"), "{e}");
        lettre_send(&server, None, mechanism, body).expect_err("no AUTH, no MAIL");
        lettre_send(&server, Some(("mailer", "s3cret")), mechanism, body)
            .unwrap_or_else(|e| panic!("{mechanism:?}: {e}"));
    }
    let mails = server.messages();
    assert_eq!(mails.len(), 2, "{mails:#?}");
    for m in &mails {
        assert_eq!(m.auth_login.as_deref(), Some("mailer"));
        assert_eq!(m.mail_from, "sender@example.com");
        assert_eq!(m.rcpt_tos, ["bob@example.com"]);
        assert_eq!(m.subject, "Caf\u{e9} 6.2.2.1");
        assert!(m.to.contains("bob@example.com"), "{}", m.to);
        assert_eq!(m.body.trim_end(), body.trim_end(), "{}", m.raw);
    }
    assert!(
        server
            .lines()
            .iter()
            .any(|l| l == "..hidden" || l.ends_with("..hidden"))
    );
}

#[test]
fn the_session_commands_answer_as_rfc_5321_says() {
    let server = SmtpServer::with(Behaviour::refusing("no@example.com"));
    let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, server.port)).expect("connect");
    let mut w = stream.try_clone().expect("clone");
    let mut data = stream.try_clone().expect("clone");
    let mut r = BufReader::new(stream);
    let mut say = |line: &str| -> String {
        if !line.is_empty() {
            w.write_all(format!("{line}\r\n").as_bytes())
                .expect("write");
        }
        let mut reply = String::new();
        loop {
            let mut l = String::new();
            r.read_line(&mut l).expect("read");
            reply.push_str(&l);
            // A multi-line reply continues with `250-`; the last line has `250 `.
            if l.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    };
    assert!(say("").starts_with("220 "));
    assert!(say("HELO client").starts_with("250 "));
    assert!(say("EHLO client").contains("250 SMTPUTF8"));
    assert!(say("STARTTLS").starts_with("454 "));
    assert!(say("DATA").starts_with("503 "), "DATA before MAIL");
    assert!(say("RCPT TO:<a@example.com>").starts_with("503 "));
    assert!(say("MAIL FROM:<s@example.com>").starts_with("250 "));
    assert!(say("RCPT TO:<No@Example.com>").starts_with("550 "));
    assert!(say("RCPT TO:<a@example.com>").starts_with("250 "));
    assert!(say("RSET").starts_with("250 "));
    assert!(
        say("DATA").starts_with("503 "),
        "RSET cleared the transaction"
    );
    assert!(say("NOOP").starts_with("250 "));
    assert!(say("MAIL FROM:<s@example.com>").starts_with("250 "));
    assert!(say("RCPT TO:<a@example.com>").starts_with("250 "));
    assert!(say("DATA").starts_with("354 "));
    data.write_all(b"Subject: hi\r\n\r\n..x\r\n")
        .expect("write");
    assert!(say(".").starts_with("250 "));
    assert!(say("VRFY a").starts_with("500 "));
    assert!(say("QUIT").starts_with("221 "));
    assert_eq!(server.refused(), ["No@Example.com"]);
    let mails = server.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        (mails[0].subject.as_str(), mails[0].body.as_str()),
        ("hi", ".x\n")
    );
    assert_eq!(server.connections(), 1);
}
