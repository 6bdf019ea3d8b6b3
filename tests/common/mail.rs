//! Mail test helpers: a real SMTP server on a free loopback port, run inside the test process
//! (the `mailin` crate speaks the protocol; this file only accepts connections and keeps what
//! arrives), and a standard MIME parser (`mail-parser`) to read what arrived, so tests check
//! mail the way a mail client would see it rather than trusting lettre to read its own output.
//! Nothing outside Rust is needed: `cargo test` alone runs the mail tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mail_parser::{Address, MessageParser, MimeHeaders, PartType};
use mailin::{response, Action, Handler, Response, Session, SessionBuilder};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// A loopback port nothing listens on (at the moment it is returned).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().expect("local address").port()
}

/// How long a session may sit idle before the server drops it, so a stuck client cannot keep a
/// thread past the end of its test.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The CA that signed the TLS test server's certificate (for `localhost` and `127.0.0.1`); a
/// client trusts it through `SSL_CERT_FILE`, as an operator would trust a private CA.
pub const TEST_CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/tls/smtp-ca.pem");
const SERVER_CERT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/tls/smtp-localhost.pem");
const SERVER_KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/tls/smtp-localhost.key");

/// How the test server protects its sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP, no STARTTLS offered.
    None,
    /// Offers STARTTLS (port 587 style).
    StartTls,
    /// TLS from the first byte (port 465 style).
    Implicit,
}

/// The raw messages a server accepted, shared by its sessions.
type Inbox = Arc<Mutex<Vec<Vec<u8>>>>;

/// An SMTP server on 127.0.0.1 that accepts every message and keeps it in memory. Dropping it
/// closes the port, so a test can take a server away (an outage) and start another on the same
/// port.
pub struct SmtpServer {
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    tls: SmtpTls,
    inbox: Inbox,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl SmtpServer {
    /// Starts a plain server on a free port.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts a plain server on `port`; it accepts connections as soon as this returns.
    pub fn start_on(port: u16) -> Self {
        Self::start_with(port, SmtpTls::None)
    }

    /// Starts a server with TLS on a free port, presenting the certificate [`TEST_CA`] signed.
    pub fn start_tls(tls: SmtpTls) -> Self {
        Self::start_with(free_port(), tls)
    }

    fn start_with(port: u16, tls: SmtpTls) -> Self {
        let tls_config = (tls != SmtpTls::None).then(server_tls_config);
        // A port just given up by a stopped server may still be held for a moment.
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(listener) => break listener,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("SMTP test server: port {port} is busy ({e}); retrying");
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("the SMTP test server cannot listen on 127.0.0.1:{port}: {e}"),
            }
        };
        let inbox = Inbox::default();
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (inbox, stopping) = (inbox.clone(), stopping.clone());
            std::thread::Builder::new()
                .name(format!("smtp-test-{port}"))
                .spawn(move || accept(&listener, &inbox, &stopping, tls, tls_config))
                .expect("start the SMTP test server thread")
        };
        Self { port, tls, inbox, stopping, acceptor: Some(acceptor) }
    }

    /// The URL that sends through this server: plain SMTP to the address for a plain server;
    /// for a TLS one, the name its certificate carries, with TLS required.
    pub fn url(&self) -> String {
        match self.tls {
            SmtpTls::None => format!("smtp://127.0.0.1:{}?tls=none", self.port),
            SmtpTls::StartTls => format!("smtp://localhost:{}", self.port),
            SmtpTls::Implicit => format!("smtps://localhost:{}", self.port),
        }
    }

    /// Every message received so far, oldest first, as sent over the wire (dot-unstuffed).
    pub fn raw(&self) -> Vec<Vec<u8>> {
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Every message received so far, parsed.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.raw().iter().map(|raw| parse_mail(raw)).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // The acceptor blocks in accept(); one connection wakes it to see the flag and return,
        // dropping the listener, so the port is closed once this returns.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn server_tls_config() -> Arc<ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(SERVER_CERT)
        .and_then(Iterator::collect)
        .expect("read the test server certificate");
    let key = PrivateKeyDer::from_pem_file(SERVER_KEY).expect("read the test server key");
    let config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("the test certificate and key match");
    Arc::new(config)
}

fn accept(
    listener: &TcpListener,
    inbox: &Inbox,
    stopping: &AtomicBool,
    tls: SmtpTls,
    tls_config: Option<Arc<ServerConfig>>,
) {
    for stream in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let (inbox, tls_config) = (inbox.clone(), tls_config.clone());
        // A session per thread, as a client may hold its connection open between messages.
        let _ = std::thread::Builder::new().name("smtp-test-session".into()).spawn(move || {
            if let Err(e) = serve(stream, inbox, tls, tls_config) {
                eprintln!("SMTP test server: session ended: {e}");
            }
        });
    }
}

/// Runs one SMTP session, upgrading it to TLS from the start or on STARTTLS.
fn serve(stream: TcpStream, inbox: Inbox, tls: SmtpTls, config: Option<Arc<ServerConfig>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    let remote = stream.peer_addr().map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip());
    let mut builder = SessionBuilder::new("smtp.test");
    if tls == SmtpTls::StartTls {
        builder.enable_start_tls();
    }
    let mut session = builder.build(remote, Recorder { inbox, current: Vec::new() });
    let secure = |stream: TcpStream| -> std::io::Result<StreamOwned<ServerConnection, TcpStream>> {
        let config = config.clone().expect("a TLS server has a TLS configuration");
        Ok(StreamOwned::new(ServerConnection::new(config).map_err(std::io::Error::other)?, stream))
    };
    if tls == SmtpTls::Implicit {
        let mut stream = secure(stream)?;
        session.tls_active();
        reply(&mut stream, &session.greeting())?;
        converse(&mut session, stream)?;
        return Ok(());
    }
    let mut stream = stream;
    reply(&mut stream, &session.greeting())?;
    if let Some(plain) = converse(&mut session, stream)? {
        let stream = secure(plain)?;
        session.tls_active();
        converse(&mut session, stream)?;
    }
    Ok(())
}

/// Feeds each line to `mailin`'s state machine and sends its replies; hands the stream back
/// when the client asked for STARTTLS (nothing is buffered then: it waits for our 220).
fn converse<S: Read + Write>(session: &mut Session<Recorder>, stream: S) -> std::io::Result<Option<S>> {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let response = session.process(&line);
        match response.action {
            Action::NoReply => {}
            Action::Reply => reply(reader.get_mut(), &response)?,
            Action::Close => {
                reply(reader.get_mut(), &response)?;
                return Ok(None);
            }
            Action::UpgradeTls => {
                reply(reader.get_mut(), &response)?;
                return Ok(Some(reader.into_inner()));
            }
        }
    }
}

fn reply(writer: &mut impl Write, response: &Response) -> std::io::Result<()> {
    response.write_to(writer)?;
    writer.flush()
}

/// Keeps each message whole, and only once the client has sent all of it.
struct Recorder {
    inbox: Inbox,
    current: Vec<u8>,
}

impl Handler for Recorder {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.current.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        // Stored before the 250 goes out, so a sender that got its 250 finds the message here.
        let message = std::mem::take(&mut self.current);
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner).push(message);
        response::OK
    }
}

/// The files in a folder (a `file://` transport's folder), sorted.
pub fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.expect("dir entry").path()).filter(|p| p.is_file() && !is_hidden(p)).collect();
    files.sort();
    files
}

fn is_hidden(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'))
}

/// A message as a standard MIME parser reads it.
#[derive(Debug)]
pub struct ReceivedMail {
    /// The `From` header, e.g. `Guidepost <noreply@forum.test>`.
    pub from: Option<String>,
    /// The `To` header.
    pub to: Option<String>,
    /// The `Subject` header, decoded.
    pub subject: Option<String>,
    /// The `Message-ID` header, with its angle brackets.
    pub message_id: Option<String>,
    /// The `Date` header, as sent.
    pub date: Option<String>,
    /// The top-level content type, e.g. `multipart/alternative`.
    pub content_type: String,
    /// Each leaf part: its content type and decoded text.
    pub parts: Vec<(String, String)>,
}

impl ReceivedMail {
    /// The decoded text of the first part of this content type.
    #[track_caller]
    pub fn part(&self, content_type: &str) -> &str {
        self.parts
            .iter()
            .find(|(kind, _)| kind == content_type)
            .map(|(_, body)| body.as_str())
            .unwrap_or_else(|| panic!("no {content_type} part in {:?}", self.parts))
    }
}

/// Parses a raw message with `mail-parser`; a message it cannot read fails the test.
pub fn parse_mail(raw: &[u8]) -> ReceivedMail {
    let message = MessageParser::default()
        .parse(raw)
        .unwrap_or_else(|| panic!("not a mail message:\n{}", String::from_utf8_lossy(raw)));
    let parts = message
        .parts
        .iter()
        .filter_map(|part| {
            let text = match &part.body {
                PartType::Text(text) | PartType::Html(text) => text.to_string(),
                PartType::Binary(bytes) | PartType::InlineBinary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                PartType::Message(_) | PartType::Multipart(_) => return None,
            };
            Some((content_type(part.content_type()), text))
        })
        .collect();
    ReceivedMail {
        from: message.from().map(mailbox),
        to: message.to().map(mailbox),
        subject: message.subject().map(str::to_owned),
        message_id: message.message_id().map(|id| format!("<{id}>")),
        date: message.header_raw("Date").map(|date| date.trim().to_owned()),
        content_type: content_type(message.content_type()),
        parts,
    }
}

/// `type/subtype` in lower case; a part without the header is `text/plain` (RFC 2045).
fn content_type(header: Option<&mail_parser::ContentType<'_>>) -> String {
    header.map_or_else(
        || "text/plain".to_owned(),
        |ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase(),
    )
}

/// An address header as a mail client shows it: `Name <address>`, or the bare address.
fn mailbox(address: &Address<'_>) -> String {
    address
        .iter()
        .map(|addr| match (addr.name(), addr.address()) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.to_owned(),
            (name, None) => name.unwrap_or_default().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
