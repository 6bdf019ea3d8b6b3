//! A webhook receiver on 127.0.0.1 for tests: a std `TcpListener` in a thread that records every
//! request (headers and body) and answers with the status the test chose. It can be started on a
//! port picked earlier, to play a receiver that was down and came back. It also serves the replies
//! a test sets by path (the listening posts' feeds), honouring `If-None-Match` and
//! `If-Modified-Since` against the reply's own `ETag` and `Last-Modified` with a 304.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path asked for.
    pub path: String,
    /// The headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Received {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// What the receiver answers at a path the test set.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: u16,
    /// Extra headers (`ETag`, `Last-Modified`, `Location`, `Content-Type`).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// 200 with `body` of `content_type`.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply { status: 200, headers: vec![("content-type".into(), content_type.into())], body: body.into() }
    }

    /// The same reply with a header added.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// A redirect to `location`.
    pub fn redirect(location: &str) -> Self {
        Reply { status: 302, headers: vec![("location".into(), location.into())], body: Vec::new() }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

type Replies = Arc<Mutex<HashMap<String, Reply>>>;

/// A running receiver; stops when dropped.
pub struct Receiver {
    ip: IpAddr,
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    replies: Replies,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// A receiver on a port of its own, answering 200.
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// A receiver on `port` (0 for any free port), answering 200.
    pub fn start_on(port: u16) -> Self {
        Self::start_at(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    }

    /// A receiver on `ip` (a loopback address) and `port` (0 for any free port), answering 200.
    pub fn start_at(ip: IpAddr, port: u16) -> Self {
        let listener = TcpListener::bind((ip, port)).expect("bind the receiver");
        let port = listener.local_addr().expect("receiver address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let replies: Replies = Arc::new(Mutex::new(HashMap::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = {
            let (received, status, stopping) = (Arc::clone(&received), Arc::clone(&status), Arc::clone(&stopping));
            let replies = Arc::clone(&replies);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    answer(stream, status.load(Ordering::SeqCst), &received, &replies);
                }
            })
        };
        Self { ip, port, received, status, replies, stopping, thread: Some(thread) }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `path` on it.
    pub fn url_of(&self, path: &str) -> String {
        format!("http://{}:{}{path}", self.ip, self.port)
    }

    /// Answers requests for `path` with `reply` from now on.
    pub fn serve(&self, path: &str, reply: Reply) {
        self.replies.lock().unwrap().insert(path.to_owned(), reply);
    }

    /// The requests it received for `path`, in order.
    pub fn received_at(&self, path: &str) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.path == path).collect()
    }

    /// The URL to register: `http://127.0.0.1:{port}/hooks`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks", self.port)
    }

    /// Answers every later request with `status`.
    pub fn answer_with(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// What it received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to `limit`) until it received `count` requests; returns them.
    pub fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        let deadline = Instant::now() + limit;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(Instant::now() < deadline, "the receiver got {} of {count} requests in {limit:?}", received.len());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect((self.ip, self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request, records it, and only then answers it (with the reply set for its path, else
/// with `status`): whoever got the answer finds the request recorded.
fn answer(stream: TcpStream, status: u16, received: &Mutex<Vec<Received>>, replies: &Replies) -> Option<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let request = Received { path, headers, body: String::from_utf8_lossy(&body).into_owned() };
    let reply = replies.lock().unwrap().get(&request.path).cloned();
    let reply =
        reply.map_or_else(|| Reply { status, headers: Vec::new(), body: b"ok".to_vec() }, |r| unchanged(r, &request));
    received.lock().unwrap().push(request);
    let mut head =
        format!("HTTP/1.1 {} Test\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, reply.body.len());
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = stream;
    stream.write_all(head.as_bytes()).ok()?;
    // A client that stops reading (a size cap) ends the write early; that is its right.
    stream.write_all(&reply.body).ok()
}

/// `reply`, or a 304 when the request's validators match its own.
fn unchanged(reply: Reply, request: &Received) -> Reply {
    let etag_matches = reply.header("etag").is_some_and(|etag| request.header("if-none-match") == etag);
    let date_matches = reply.header("last-modified").is_some_and(|date| request.header("if-modified-since") == date);
    if reply.status == 200 && (etag_matches || date_matches) {
        Reply {
            status: 304,
            headers: reply.headers.into_iter().filter(|(n, _)| n == "etag").collect(),
            body: Vec::new(),
        }
    } else {
        reply
    }
}
