//! Mail test helpers: a real SMTP server (Python's `aiosmtpd`) on a free loopback port, and a
//! standard MIME parser (Python's `email` package) to read what arrived, so tests check mail the
//! way a mail client would see it rather than trusting lettre to read its own output.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tempfile::TempDir;

/// A loopback port nothing listens on (at the moment it is returned).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().expect("local address").port()
}

/// Fails the test, with the fix, when the SMTP test server is not installed: a mail test must
/// never pass by skipping delivery.
pub fn require_aiosmtpd() {
    let found = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        found,
        "the mail delivery tests need the aiosmtpd SMTP server: run `python3 -m pip install aiosmtpd` \
         (or `pip install aiosmtpd`; add --break-system-packages on Debian's Python)"
    );
}

/// `python3 -m aiosmtpd` storing every message it accepts in a temporary maildir; killed on drop.
pub struct SmtpServer {
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    child: Child,
    maildir: TempDir,
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts a server on `port` and waits until it accepts connections.
    pub fn start_on(port: u16) -> Self {
        require_aiosmtpd();
        let maildir = tempfile::tempdir().expect("maildir");
        // Python creates the maildir's tmp/new/cur only when it creates the folder itself.
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("inbox"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start python3 -m aiosmtpd");
        let mut server = Self { port, child, maildir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().expect("poll aiosmtpd") {
                let mut stderr = String::new();
                if let Some(mut pipe) = server.child.stderr.take() {
                    std::io::Read::read_to_string(&mut pipe, &mut stderr).ok();
                }
                panic!("aiosmtpd exited ({status}) before listening on port {port}:\n{stderr}");
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not listen on port {port} within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The URL that sends through this server (plain SMTP: it is a local test server).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Every message received so far, parsed.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let new = self.maildir.path().join("inbox").join("new");
        eml_files(&new).iter().map(|path| parse_mail(&std::fs::read(path).expect("read maildir file"))).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The files in a folder (a maildir's `new/`, or a `file://` transport's folder), sorted.
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
#[derive(Debug, Deserialize)]
pub struct ReceivedMail {
    /// The `From` header.
    pub from: Option<String>,
    /// The `To` header.
    pub to: Option<String>,
    /// The `Subject` header.
    pub subject: Option<String>,
    /// The `Message-ID` header.
    pub message_id: Option<String>,
    /// The `Date` header.
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

const PARSE_MAIL: &str = r#"
import email, json, sys
from email import policy
msg = email.message_from_binary_file(sys.stdin.buffer, policy=policy.default)
parts = [[p.get_content_type(), p.get_content()] for p in msg.walk() if not p.is_multipart()]
out = {k: (str(msg[h]) if msg[h] is not None else None)
       for k, h in [("from", "From"), ("to", "To"), ("subject", "Subject"),
                    ("message_id", "Message-ID"), ("date", "Date")]}
out["content_type"] = msg.get_content_type()
out["parts"] = parts
print(json.dumps(out))
"#;

/// Parses a raw message with Python's `email` package.
pub fn parse_mail(raw: &[u8]) -> ReceivedMail {
    let mut child = Command::new("python3")
        .args(["-c", PARSE_MAIL])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python3");
    child.stdin.take().expect("stdin").write_all(raw).expect("write the message to python3");
    let output = child.wait_with_output().expect("python3 output");
    assert!(
        output.status.success(),
        "python3 could not parse the message: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("parsed message as JSON")
}
