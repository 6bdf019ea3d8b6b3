//! One case of the run: drawing a request for a route as a visitor, sending it (timed), and
//! tallying the answers. Whether an answer is a failure is decided by the run in `main.rs`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use crate::route_fuzzer::garbage::{self, chance, Csrf, Known, METHODS};
use crate::route_fuzzer::routes::Route;
use crate::route_fuzzer::visitors::{Call, Reply, Visitor};
use crate::route_fuzzer::SLOW;

/// One request of the run, kept so it can be sent again and shown when it fails.
pub(crate) struct Case {
    role: &'static str,
    method: Method,
    uri: String,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    peer: Option<SocketAddr>,
}

impl Case {
    fn request(&self) -> TestRequest {
        let mut req = TestRequest::default().method(self.method.clone()).uri(&self.uri);
        for (name, value) in &self.headers {
            req = req.append_header((*name, HeaderValue::from_bytes(value).unwrap()));
        }
        if let Some(peer) = self.peer {
            req = req.peer_addr(peer);
        }
        req.set_payload(self.body.clone())
    }

    fn describe(&self, reply: &Reply, took: Duration) -> String {
        let headers: Vec<String> =
            self.headers.iter().map(|(k, v)| format!("{k}: {}", clip(&String::from_utf8_lossy(v), 200))).collect();
        format!(
            "{}: {} {} -> {} in {} ms\n  headers: {}\n  body ({} bytes): {:?}\n  response: {:?}",
            self.role,
            self.method,
            clip(&self.uri, 300),
            reply.status,
            took.as_millis(),
            headers.join(" | "),
            self.body.len(),
            clip(&String::from_utf8_lossy(&self.body), 400),
            clip(&reply.body, 800),
        )
    }
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}… ({} more bytes)", &text[..at], text.len() - at),
        None => text.to_owned(),
    }
}

/// A route's pattern with each `{name}` or `{name:regex}` filled in: a real value of that kind
/// most of the time, garbage otherwise.
fn fill(rng: &mut StdRng, pattern: &str, known: &Known) -> String {
    let (mut out, mut rest) = (String::new(), pattern);
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').unwrap();
        let (name, regex) = match rest[open + 1..close].split_once(':') {
            Some((name, regex)) => (name, Some(regex)),
            None => (&rest[open + 1..close], None),
        };
        let real = |rng: &mut StdRng, items: &[String]| garbage::encode(items.choose(rng).unwrap());
        let value = if chance(rng, 0.2) {
            garbage::junk_segment(rng)
        } else {
            match (name, regex) {
                (_, Some(words)) if words.chars().all(|c| c.is_ascii_lowercase() || c == '|' || c == '-') => {
                    words.split('|').collect::<Vec<_>>().choose(rng).unwrap().to_string()
                }
                ("n", _) => rng.random_range(1..4).to_string(),
                ("path", _) if chance(rng, 0.2) => {
                    ["css/../../Cargo.toml", "..%2f..%2fCargo.toml", "css/", "./favicon.svg"]
                        .choose(rng)
                        .unwrap()
                        .to_string()
                }
                ("path", _) => real(rng, &known.assets),
                ("token", _) | ("log", _) => real(rng, &known.tokens),
                ("name", _) => real(rng, &known.tags),
                ("slug", _) => real(rng, &known.slugs),
                ("kind", _) => ["post", "comment", "posts"].choose(rng).unwrap().to_string(),
                _ => garbage::encode(&garbage::id_of(rng, known, id_kind(&out, name))),
            }
        };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out + rest
}

/// What the `{name}` placeholder after `path` (filled in so far) is the id of.
fn id_kind(path: &str, name: &str) -> &'static str {
    let segments: Vec<&str> = path.split('/').collect();
    match (name, segments.get(1).copied()) {
        ("question", _) | (_, Some("questions" | "ask" | "feeds")) => "questions",
        _ if segments.iter().any(|s| s.starts_with("comment")) => "comments",
        (_, Some("a" | "answers")) => "answers",
        (_, Some("users" | "admin")) => "users",
        _ => "posts",
    }
}

/// Draws one request for `route` as `visitor`.
pub(crate) fn draw(rng: &mut StdRng, route: &Route, visitor: &Visitor, known: &Known) -> Case {
    let method = if chance(rng, 0.65) { route.methods.choose(rng) } else { METHODS.choose(rng) };
    let method = Method::from_bytes(method.unwrap().as_bytes()).unwrap();
    // What the CSRF check calls unsafe: these carry a body, and mostly the visitor's token.
    let writes = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut uri = fill(rng, route.pattern, known);
    if chance(rng, if writes { 0.2 } else { 0.5 }) {
        // Below the 64 KiB an http::Uri may hold; servers refuse far shorter request lines anyway.
        let query: String =
            garbage::junk_query(rng, known).chars().take(65_000usize.saturating_sub(uri.len())).collect();
        uri = format!("{uri}?{query}");
    }
    assert!(uri.parse::<actix_web::http::Uri>().is_ok(), "the fuzzer made an invalid URI: {uri}");
    let cookies: Vec<(String, String)> = visitor.cookies.clone().into_iter().collect();
    let mut headers = vec![(header::COOKIE.as_str(), garbage::junk_cookies(rng, &cookies).into_bytes())];
    let body = if writes || chance(rng, 0.1) {
        let csrf = Csrf::draw(rng);
        garbage::body(rng, route.fields, known, csrf, &visitor.token)
    } else {
        garbage::Body::default()
    };
    if let Some(content_type) = body.content_type {
        headers.push(("content-type", content_type));
    }
    headers.extend(body.headers.into_iter().map(|(k, v)| (k, v.into_bytes())));
    headers.extend(garbage::junk_headers(rng));
    let peer = chance(rng, 0.95).then(|| SocketAddr::from(([10, 1, rng.random(), rng.random()], 50_000)));
    Case { role: visitor.role, method, uri, headers, body: body.bytes, peer }
}

/// The run's findings and tallies.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) sent: usize,
    pub(crate) statuses: BTreeMap<u16, usize>,
    pub(crate) by_route: BTreeMap<&'static str, BTreeMap<String, usize>>,
    pub(crate) failures: Vec<String>,
    pub(crate) failed_routes: BTreeMap<(&'static str, u16), usize>,
    pub(crate) slowest: (Duration, String),
}

impl Tally {
    /// Counts one answer, and keeps the first few failures in full.
    pub(crate) fn note(
        &mut self,
        route: &'static str,
        case: &Case,
        reply: &Reply,
        took: Duration,
        problems: &[String],
    ) {
        self.sent += 1;
        *self.statuses.entry(reply.status.as_u16()).or_default() += 1;
        let method_status = format!("{} {}", case.method, reply.status.as_u16());
        *self.by_route.entry(route).or_default().entry(method_status).or_default() += 1;
        if took > self.slowest.0 {
            self.slowest = (took, format!("{} {} {}", case.role, case.method, clip(&case.uri, 120)));
        }
        if !problems.is_empty() {
            *self.failed_routes.entry((route, reply.status.as_u16())).or_default() += 1;
            if self.failures.len() < 40 {
                self.failures.push(format!("{}: {}", problems.join(" and "), case.describe(reply, took)));
            }
        }
    }
}

/// Sends a case; a slow one is sent once more, to tell a slow handler from a moment the shared
/// machine was busy, and the faster time counts.
pub(crate) async fn send_timed(call: &Call, case: &Case) -> (Reply, Duration) {
    let clock = Instant::now();
    let reply = call(case.request().to_request()).await;
    let took = clock.elapsed();
    if took <= SLOW {
        return (reply, took);
    }
    let clock = Instant::now();
    let again = call(case.request().to_request()).await;
    (again, took.min(clock.elapsed()))
}
