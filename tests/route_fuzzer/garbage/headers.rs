//! What goes around a body: the methods, extra headers and the cookie header, the visitor's own
//! or forged.

use rand::rngs::StdRng;
use rand::Rng;

use super::{chance, pick};

/// Every method the fuzzer sends: the ones routes use and the ones no route answers.
pub(crate) const METHODS: [&str; 8] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];

/// Extra headers: content negotiation, caches, credentials, proxies, ranges and hostile values.
pub(crate) fn junk_headers(rng: &mut StdRng) -> Vec<(&'static str, Vec<u8>)> {
    const CHOICES: [(&str, &[u8]); 20] = [
        ("accept", b"application/json"),
        ("accept", b"text/html"),
        ("accept", b"*/*;q=0.1, application/json"),
        ("if-none-match", b"\"junk\""),
        ("if-none-match", b"*"),
        ("if-modified-since", b"Thu, 01 Jan 1970 00:00:00 GMT"),
        ("if-modified-since", b"garbage"),
        ("accept-encoding", b"gzip"),
        ("accept-encoding", b"br, gzip;q=0, zzz"),
        ("authorization", b"Bearer junk-token"),
        ("authorization", b"Basic Zm9vOmJhcg=="),
        ("x-forwarded-for", b"1.2.3.4, junk, ::1"),
        ("referer", b"javascript:alert(1)"),
        ("range", b"bytes=0-1"),
        ("range", b"bytes=9999999-"),
        ("accept-language", b"zz;q=garbage"),
        ("host", b"evil.example"),
        ("origin", b"https://evil.example"),
        ("user-agent", b"\xff\xfe\xc3\x28"),
        ("x-requested-with", b"XMLHttpRequest"),
    ];
    let mut headers = Vec::new();
    for _ in 0..rng.random_range(0..3) {
        let (name, value) = pick(rng, &CHOICES);
        headers.push((*name, value.to_vec()));
    }
    if chance(rng, 0.02) {
        headers.push(("user-agent", vec![b'A'; 8_000]));
    }
    headers
}

/// The cookie header to send: the visitor's own, or one with a forged, broken or extra cookie.
pub(crate) fn junk_cookies(rng: &mut StdRng, cookies: &[(String, String)]) -> String {
    let mut cookies: Vec<(String, String)> = cookies.to_vec();
    match rng.random_range(0..25) {
        0 => cookies.retain(|(name, _)| name != "gp_session"),
        1 => cookies.push(("gp_session".into(), "forged-session-value".into())),
        2 => cookies.retain(|(name, _)| name != "gp_csrf"),
        3 => cookies.push(("gp_csrf".into(), "forged".into())),
        4 => cookies.push(("".into(), ";;=;".into())),
        _ => {}
    }
    cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
}
