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
        let sent = Command::new("kill").args([signal, &self.child.id().to_string()]).status().expect("kill");
        assert!(sent.success(), "kill {signal} failed");
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
