//! Where mail goes: `GUIDEPOST_MAIL_URL` parsed into a [`MailUrl`], and the lettre transport it
//! names, wrapped as [`Transport`].
//!
//! This module owns the secrecy of the SMTP password: it is never part of a `Display`, a `Debug`
//! or an error text. It knows nothing of the outbox; the worker decides what to send and when.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};
use percent_encoding::percent_decode_str;
use url::{Host, Url};

/// The setting naming the transport.
const URL_SETTING: &str = "GUIDEPOST_MAIL_URL";
/// The setting naming the sender.
const FROM_SETTING: &str = "GUIDEPOST_MAIL_FROM";
/// How long one SMTP step (connect, a command, the data) may take before the attempt fails.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// A bad mail setting; its message names the setting (`GUIDEPOST_MAIL_URL`, ...) and says what
/// is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct MailConfigError {
    /// The environment variable at fault.
    pub setting: &'static str,
    /// What is wrong with it, in plain words.
    pub message: String,
}

impl MailConfigError {
    fn new(message: impl Into<String>) -> Self {
        Self { setting: URL_SETTING, message: message.into() }
    }
}

/// Parses `GUIDEPOST_MAIL_FROM` (e.g. `Support <help@example.com>`) into the sender's mailbox.
pub fn parse_sender(raw: &str) -> Result<Mailbox, MailConfigError> {
    raw.trim().parse().map_err(|e| MailConfigError {
        setting: FROM_SETTING,
        message: format!("`{raw}` is not an address like Support <help@example.com>: {e}"),
    })
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://`: plain connection upgraded with STARTTLS; refuses servers without it.
    StartTls,
    /// `smtp://...?tls=opportunistic`: STARTTLS when the server offers it, plain otherwise.
    Opportunistic,
    /// `smtp://...?tls=none`: never encrypted; only for a local relay or a test server.
    None,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// A password that never prints.
#[derive(Clone, PartialEq, Eq)]
struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An SMTP server to send through; its `Debug` hides the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Transport security.
    pub security: SmtpSecurity,
    /// The user name, when the server wants one.
    pub user: Option<String>,
    password: Option<Password>,
}

/// `GUIDEPOST_MAIL_URL`, parsed.
#[derive(Clone, PartialEq, Eq)]
pub enum MailUrl {
    /// `smtp://` or `smtps://`.
    Smtp(SmtpServer),
    /// `file://DIR`: each message becomes `DIR/<uuid>.eml`.
    File(PathBuf),
    /// `memory://`: messages are kept in this process, for tests.
    Memory,
}

impl MailUrl {
    /// Parses `smtp://[user:pass@]host[:port][?tls=none|opportunistic]`, `smtps://...`,
    /// `file://DIR` or `memory://`.
    pub fn parse(raw: &str) -> Result<Self, MailConfigError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(MailConfigError::new("is empty; use smtp://HOST, smtps://HOST, file://DIR or memory://"));
        }
        // A file URL is taken literally, so the default `file://data/mail` means the relative
        // folder `data/mail` rather than a host called `data`.
        if let Some(dir) = raw.strip_prefix("file://") {
            if dir.is_empty() {
                return Err(MailConfigError::new("file:// needs a folder, e.g. file://data/mail"));
            }
            return Ok(Self::File(PathBuf::from(dir)));
        }
        if let Some(rest) = raw.strip_prefix("memory://") {
            if !rest.is_empty() {
                return Err(MailConfigError::new("memory:// takes nothing after it"));
            }
            return Ok(Self::Memory);
        }
        let url = Url::parse(raw).map_err(|e| MailConfigError::new(format!("is not a valid URL: {e}")))?;
        let implicit_tls = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => {
                return Err(MailConfigError::new(format!(
                    "unsupported scheme `{other}`; use smtp://HOST, smtps://HOST, file://DIR or memory://"
                )))
            }
        };
        Ok(Self::Smtp(smtp_server(&url, implicit_tls)?))
    }

    /// Builds the transport this URL names; a `file://` folder is created here.
    pub fn transport(&self) -> Result<Transport, MailConfigError> {
        match self {
            Self::Smtp(server) => Ok(Transport {
                kind: Kind::Smtp { smtp: Box::new(server.transport()?), password: server.password.clone() },
            }),
            Self::File(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| MailConfigError::new(format!("cannot create the folder {}: {e}", dir.display())))?;
                Ok(Transport { kind: Kind::File(FileTransport::new(dir)) })
            }
            Self::Memory => Ok(Transport { kind: Kind::Memory(MemoryMailbox::default()) }),
        }
    }
}

fn smtp_server(url: &Url, implicit_tls: bool) -> Result<SmtpServer, MailConfigError> {
    let host = match url.host() {
        Some(Host::Domain(name)) if !name.is_empty() => name.to_owned(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(MailConfigError::new("the SMTP URL names no host, e.g. smtp://mail.example.com")),
    };
    if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
        return Err(MailConfigError::new("an SMTP URL takes no path or fragment, only ?tls=..."));
    }
    let mut security = if implicit_tls { SmtpSecurity::Implicit } else { SmtpSecurity::StartTls };
    for (key, value) in url.query_pairs() {
        security = match (key.as_ref(), value.as_ref(), implicit_tls) {
            ("tls", _, true) => {
                return Err(MailConfigError::new("smtps:// always uses TLS; use smtp://...?tls=... to choose"))
            }
            ("tls", "required" | "starttls", false) => SmtpSecurity::StartTls,
            ("tls", "opportunistic", false) => SmtpSecurity::Opportunistic,
            ("tls", "none", false) => SmtpSecurity::None,
            ("tls", other, false) => {
                return Err(MailConfigError::new(format!("tls={other} is not one of required, opportunistic or none")))
            }
            (other, _, _) => return Err(MailConfigError::new(format!("unknown option `{other}`; only tls= is known"))),
        };
    }
    let decode = |part: &str, what: &str| {
        percent_decode_str(part)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| MailConfigError::new(format!("the SMTP {what} is not valid UTF-8 once percent-decoded")))
    };
    let user = Some(url.username()).filter(|u| !u.is_empty()).map(|u| decode(u, "user name")).transpose()?;
    // Deliberately no detail in this error: the text it would quote is the password.
    let password = url.password().map(|p| decode(p, "password")).transpose()?.map(Password);
    if password.is_some() != user.is_some() {
        return Err(MailConfigError::new(
            "give both a user name and a password (smtp://USER:PASSWORD@HOST), or neither",
        ));
    }
    let port = url.port().unwrap_or(if implicit_tls { 465 } else { 587 });
    Ok(SmtpServer { host, port, security, user, password })
}

impl SmtpServer {
    fn transport(&self) -> Result<SmtpTransport, MailConfigError> {
        let tls_parameters = || {
            TlsParameters::new(self.host.clone())
                .map_err(|e| MailConfigError::new(format!("cannot set up TLS for {}: {e}", self.host)))
        };
        let tls = match self.security {
            SmtpSecurity::StartTls => Tls::Required(tls_parameters()?),
            SmtpSecurity::Opportunistic => Tls::Opportunistic(tls_parameters()?),
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::Implicit => Tls::Wrapper(tls_parameters()?),
        };
        let mut builder =
            SmtpTransport::builder_dangerous(self.host.as_str()).port(self.port).tls(tls).timeout(Some(SMTP_TIMEOUT));
        if let (Some(user), Some(Password(password))) = (&self.user, &self.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }
}

/// Shows the URL with the password replaced by `***`, so it is safe to log.
impl fmt::Display for MailUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Smtp(server) => {
                let scheme = if server.security == SmtpSecurity::Implicit { "smtps" } else { "smtp" };
                write!(f, "{scheme}://")?;
                if let Some(user) = &server.user {
                    let password = if server.password.is_some() { ":***" } else { "" };
                    write!(f, "{user}{password}@")?;
                }
                let host = if server.host.contains(':') { format!("[{}]", server.host) } else { server.host.clone() };
                write!(f, "{host}:{}", server.port)?;
                match server.security {
                    SmtpSecurity::Opportunistic => f.write_str("?tls=opportunistic"),
                    SmtpSecurity::None => f.write_str("?tls=none"),
                    SmtpSecurity::StartTls | SmtpSecurity::Implicit => Ok(()),
                }
            }
            Self::File(dir) => write!(f, "file://{}", dir.display()),
            Self::Memory => f.write_str("memory://"),
        }
    }
}

impl fmt::Debug for MailUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MailUrl({self})")
    }
}

/// A message the memory transport kept.
#[derive(Debug, Clone)]
pub struct SentMail {
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The whole message as it would go on the wire.
    pub raw: String,
}

/// The memory transport's store, shared by every clone.
#[derive(Debug, Clone, Default)]
pub struct MemoryMailbox {
    sent: Arc<Mutex<Vec<SentMail>>>,
}

impl MemoryMailbox {
    /// Every message sent so far, oldest first.
    pub fn messages(&self) -> Vec<SentMail> {
        self.sent.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn push(&self, message: &Message) {
        let to = message.envelope().to().iter().map(ToString::to_string).collect();
        let raw = String::from_utf8_lossy(&message.formatted()).into_owned();
        self.sent.lock().unwrap_or_else(PoisonError::into_inner).push(SentMail { to, raw });
    }
}

/// A ready transport: SMTP, `.eml` files, or memory. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    /// Blocking: run it off the async threads. The password is kept only to scrub error texts.
    Smtp {
        smtp: Box<SmtpTransport>,
        password: Option<Password>,
    },
    File(FileTransport),
    Memory(MemoryMailbox),
}

impl Transport {
    /// Sends one message; the error text is safe to store and log (it never holds the password).
    pub fn send(&self, message: &Message) -> Result<(), String> {
        match &self.kind {
            Kind::Smtp { smtp, password } => {
                smtp.send(message).map(drop).map_err(|e| scrub(e.to_string(), password.as_ref()))
            }
            Kind::File(files) => files.send(message).map(drop).map_err(|e| format!("writing the .eml file: {e}")),
            Kind::Memory(mailbox) => {
                mailbox.push(message);
                Ok(())
            }
        }
    }

    /// The memory transport's store, so tests can read what was sent.
    pub fn memory(&self) -> Option<&MemoryMailbox> {
        match &self.kind {
            Kind::Memory(mailbox) => Some(mailbox),
            Kind::Smtp { .. } | Kind::File(_) => None,
        }
    }
}

/// Removes the password from a server's or library's error text: a server may echo what it got.
fn scrub(text: String, password: Option<&Password>) -> String {
    match password {
        Some(Password(p)) if !p.is_empty() => text.replace(p.as_str(), "***"),
        _ => text,
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Smtp { .. } => "smtp",
            Kind::File(_) => "file",
            Kind::Memory(_) => "memory",
        };
        write!(f, "Transport({kind})")
    }
}

#[cfg(test)]
mod tests;
