//! Running the real `guidepost` binary as an operator would, over a test database.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::TestDb;

/// The binary with a clean environment pointing at `db`.
pub fn guidepost(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guidepost"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GUIDEPOST_DATABASE_URL", db.url_string())
        .env("GUIDEPOST_DATA_DIR", db.dir.path())
        .env("GUIDEPOST_BASE_URL", "https://forum.example")
        // Tests poll search from one address; the costly-request budget has its own tests.
        .env("GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE", "0")
        .env("RUST_LOG", "info");
    cmd
}

/// Runs a command to the end with no input.
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run guidepost")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fails unless the command failed with exactly one `guidepost: error:` line mentioning
/// `mentions`, and no panic or backtrace; returns the whole stderr.
#[track_caller]
pub fn assert_one_clear_error(output: &Output, mentions: &str) -> String {
    assert!(!output.status.success(), "expected failure, got success");
    let stderr = text(&output.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("guidepost: error:")).collect();
    assert_eq!(errors.len(), 1, "expected one error line, got:\n{stderr}");
    assert!(errors[0].contains(mentions), "error line does not mention {mentions}: {}", errors[0]);
    assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"), "{stderr}");
    stderr
}

/// A running `guidepost serve`. Its log goes to a file: a pipe that nobody reads until the end
/// fills after a few hundred logged requests, and then the server stalls writing to it. A test
/// that fails before stopping it still kills it, so no server outlives its test.
pub struct Server {
    child: Child,
    log_dir: TempDir,
}

impl Server {
    /// Starts `serve` (a command from [`guidepost`]) without waiting for it to answer.
    pub fn spawn(serve: &mut Command) -> Server {
        let log_dir = tempfile::tempdir().expect("a folder for the server log");
        let log = std::fs::File::create(log_dir.path().join("serve.log")).expect("server log file");
        let child = serve.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log).spawn().expect("start server");
        Server { child, log_dir }
    }

    /// Starts `serve` on `port` and waits until it answers its health check.
    pub fn start_on(serve: &mut Command, port: u16) -> Server {
        let mut server = Server::spawn(serve.env("GUIDEPOST_BIND", format!("127.0.0.1:{port}")));
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_get(port, "/healthz").is_none() {
            assert!(!server.has_exited(), "the server exited at start:\n{}", server.log());
            assert!(Instant::now() < deadline, "server did not come up:\n{}", server.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// True once the process has ended.
    pub fn has_exited(&mut self) -> bool {
        self.child.try_wait().expect("server status").is_some()
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_dir.path().join("serve.log")).unwrap_or_default()
    }

    /// Sends `signal` (as `kill` spells it) and waits up to `patience` for the server to exit;
    /// returns how it exited and its whole log.
    pub fn stop(mut self, signal: &str, patience: Duration) -> (ExitStatus, String) {
        // Sent from here rather than by the `kill` command, which a slim image may lack.
        let sig = match signal {
            "-TERM" => rustix::process::Signal::TERM,
            "-INT" => rustix::process::Signal::INT,
            "-KILL" => rustix::process::Signal::KILL,
            other => panic!("unknown signal {other}"),
        };
        rustix::process::kill_process(rustix::process::Pid::from_child(&self.child), sig)
            .unwrap_or_else(|e| panic!("kill {signal} failed: {e}"));
        let deadline = Instant::now() + patience;
        loop {
            if let Some(status) = self.child.try_wait().expect("server status") {
                return (status, self.log());
            }
            assert!(Instant::now() < deadline, "the server did not stop within {patience:?} of {signal}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // No panicking here: this may run while a failed test unwinds.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A minimal HTTP/1.1 GET, enough for a smoke test without an HTTP client dependency.
pub fn http_get(port: u16, path: &str) -> Option<String> {
    http_request(port, "GET", path)
}

/// A minimal HTTP/1.1 request without a body; returns the whole response as text.
pub fn http_request(port: u16, method: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// A response from a running server, read in full.
#[derive(Debug)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The headers, names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl HttpReply {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The value of the first hidden field called `name`.
    pub fn hidden_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let rest = &self.body[self.body.find(&marker)? + marker.len()..];
        Some(rest[..rest.find('"')?].to_owned())
    }
}

/// A browser of a running server over plain std sockets (one connection per request): it keeps
/// the cookies it is given and posts URL-encoded forms. Any response that did not arrive whole
/// (the server died mid-way) is an error, never a short page.
pub struct HttpVisitor {
    port: u16,
    cookies: std::collections::BTreeMap<String, String>,
}

impl HttpVisitor {
    /// A visitor with an empty cookie jar.
    pub fn new(port: u16) -> Self {
        Self { port, cookies: Default::default() }
    }

    /// GET a path.
    pub fn get(&mut self, path: &str) -> std::io::Result<HttpReply> {
        self.send("GET", path, None)
    }

    /// POST a URL-encoded form.
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> std::io::Result<HttpReply> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        self.send("POST", path, Some(body))
    }

    fn send(&mut self, method: &str, path: &str, form: Option<String>) -> std::io::Result<HttpReply> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        // Generous: a debug build under load on a busy machine can take seconds per page.
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            head.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        let body = form.unwrap_or_default();
        if method == "POST" {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        stream.write_all(format!("{head}\r\n{body}").as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let reply = parse_reply(&raw)?;
        for set_cookie in reply.headers.iter().filter(|(n, _)| n == "set-cookie").map(|(_, v)| v) {
            let pair = set_cookie.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else { continue };
            let expired = value.is_empty() || set_cookie.split(';').any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            if expired {
                self.cookies.remove(name.trim());
            } else {
                self.cookies.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
        Ok(reply)
    }
}

fn parse_reply(raw: &[u8]) -> std::io::Result<HttpReply> {
    let cut =
        |what: &str| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, format!("response cut short: {what}"));
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| cut("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status =
        lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).ok_or_else(|| cut("status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = unchunk(&body).ok_or_else(|| cut("chunked body"))?;
    } else if let Some(length) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
        if body.len() < length {
            return Err(cut("body shorter than its Content-Length"));
        }
        body.truncate(length);
    }
    Ok(HttpReply { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

/// A chunked body decoded, or `None` when it stops before its last chunk.
fn unchunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}
