//! Garbage of every shape for the route fuzzer (tests/route_fuzzer.rs): path segments, query
//! strings, form fields, bodies in every content type, headers and methods. Everything is drawn
//! from one seeded PRNG, so a failing run replays from its seed; plausible values (real ids,
//! names, tokens, the right password) are mixed in so requests also get past the first check.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

/// Every method the fuzzer sends: the ones routes use and the ones no route answers.
pub const METHODS: [&str; 8] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];

/// Query keys some page reads; drawn as often as made-up ones.
const QUERY_KEYS: [&str; 17] = [
    "q", "sort", "page", "after", "before", "next", "title", "filter", "tag", "days", "actor", "action", "target",
    "id", "v", "email", "login",
];

/// Numbers a handler might not expect.
const NUMBERS: [&str; 22] = [
    "0",
    "-1",
    "-0",
    "1",
    "2",
    "007",
    "+3",
    "1.5",
    "1e9",
    "0x1f",
    " 4",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "2147483648",
    "NaN",
    "inf",
    "٣",
    "１",
];

/// Words with a history of breaking things.
const WORDS: [&str; 45] = [
    "",
    " ",
    "null",
    "undefined",
    "true",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "\"; DROP TABLE posts; --",
    "../../etc/passwd",
    "..",
    ".",
    "%",
    "%00",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "ünïcødé",
    "日本語のテキスト",
    "😀🔥👍🏽",
    "\u{202e}evil",
    "\u{200b}",
    "\u{0}",
    "\r\n",
    "\t",
    "a\u{0}b",
    "Ω≈ç√",
    "\u{feff}",
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/",
    "\\\\evil",
    "#",
    "?",
    "&",
    "=",
    "+",
    "/",
    "\u{7f}",
    "\u{1b}[31m",
    "ﷺ",
    "𝕬𝖇𝖈",
    "i\u{307}",
    "widgets",
    "/questions/1",
];

/// Path segments that are already percent-encoded, some of them wrongly.
const ENCODED_JUNK: [&str; 14] = [
    "%ff%fe",
    "%zz",
    "%",
    "%%",
    "%2e%2e",
    "%2F..%2F",
    "%c0%ae",
    "%00",
    "%e2%80%ae",
    "%ed%a0%80",
    "%20",
    "%2f",
    "a%2Fb",
    "%F0%9F%98%80",
];

/// Markdown that has made renderers slow or deep.
const MARKDOWN_BOMBS: [(&str, usize); 10] = [
    ("[", 5_000),
    ("*", 10_000),
    ("> ", 2_000),
    ("- ", 2_000),
    ("`", 5_000),
    ("<!--", 2_000),
    ("[a](", 2_000),
    ("_a", 5_000),
    ("\\", 10_000),
    ("&#", 5_000),
];

/// Characters percent-encoded in a path segment or query value: everything but the unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// What a form field holds, so plausible values can be drawn as well as garbage.
#[derive(Debug, Clone, Copy)]
pub enum Value {
    /// Free text (titles, reasons, notes).
    Text,
    /// Markdown (post and comment bodies).
    Markdown,
    /// Tags, separated by spaces or commas.
    Tags,
    /// An email address.
    Email,
    /// A password.
    Password,
    /// A username or sign-in name.
    Username,
    /// A post, user or other id, or a question's address.
    Id,
    /// A return path.
    Next,
    /// A checkbox.
    Checkbox,
    /// One of a few words.
    OneOf(&'static [&'static str]),
}

/// Real things of the seeded site that make a request plausible.
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// Ids of every row: posts, comments, users, flags, search log entries.
    pub ids: Vec<i64>,
    /// The same ids by what they are ids of ("questions", "answers", "comments", "users", ...).
    pub ids_of: std::collections::BTreeMap<&'static str, Vec<i64>>,
    /// Usernames.
    pub usernames: Vec<String>,
    /// Email addresses of accounts.
    pub emails: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Question slugs.
    pub slugs: Vec<String>,
    /// Real tokens: email verification, password set and reset, unsubscribe.
    pub tokens: Vec<String>,
    /// Asset file names.
    pub assets: Vec<String>,
    /// The password every seeded account has.
    pub password: String,
}

/// A coin that lands heads with probability `p`.
pub fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random_bool(p)
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    items.choose(rng).unwrap_or_else(|| panic!("picked from an empty list"))
}

fn pick_owned(rng: &mut StdRng, items: &[String], fallback: &str) -> String {
    items.choose(rng).cloned().unwrap_or_else(|| fallback.to_owned())
}

/// Percent-encodes a raw value for a path segment or a query.
pub fn encode(raw: &str) -> String {
    utf8_percent_encode(raw, SEGMENT).to_string()
}

/// A real id, a neighbour of one, or a number no row has.
pub fn plausible_id(rng: &mut StdRng, known: &Known) -> String {
    match rng.random_range(0..10) {
        0..=6 => pick(rng, &known.ids).to_string(),
        7 => (known.ids.iter().max().copied().unwrap_or(0) + rng.random_range(1..5)).to_string(),
        _ => pick(rng, &NUMBERS).to_string(),
    }
}

/// Mostly an id of the kind a route expects, sometimes any other.
pub fn id_of(rng: &mut StdRng, known: &Known, kind: &str) -> String {
    match known.ids_of.get(kind) {
        Some(ids) if !ids.is_empty() && chance(rng, 0.7) => pick(rng, ids).to_string(),
        _ => plausible_id(rng, known),
    }
}

/// Random text: a word of ill repute, random code points, a long run or a markdown bomb.
pub fn junk_text(rng: &mut StdRng) -> String {
    match rng.random_range(0..10) {
        0..=3 => pick(rng, &WORDS).to_string(),
        4 => pick(rng, &NUMBERS).to_string(),
        5 | 6 => (0..rng.random_range(1..40))
            .map(|_| match rng.random_range(0..4) {
                // NUL comes from WORDS and ENCODED_JUNK now and then; everywhere, it would stop most
                // requests at the door (it is refused with 400 before any handler).
                0 => char::from(rng.random_range(1u8..0x80)),
                1 => char::from_u32(rng.random_range(0x80..0xD800)).unwrap_or('?'),
                2 => char::from_u32(rng.random_range(0xE000..0x11_0000)).unwrap_or('?'),
                _ => *pick(rng, &['\u{1}', '\r', '\n', '\u{202e}', '\u{fffd}', '"', '<', '&', '%']),
            })
            .collect(),
        7 => pick(rng, &WORDS).repeat(rng.random_range(50..3_000)),
        8 => "a".repeat(*pick(rng, &[256, 1_000, 10_000, 40_000])),
        _ => {
            let (unit, times) = pick(rng, &MARKDOWN_BOMBS);
            unit.repeat(*times)
        }
    }
}

/// A value for a form field: plausible for its kind most of the time, garbage otherwise.
pub fn field_value(rng: &mut StdRng, value: Value, known: &Known) -> String {
    if chance(rng, 0.3) {
        return junk_text(rng);
    }
    match value {
        Value::Text => pick(rng, &["Not what this forum is for", "spam", "typo fixed", "x", ""]).to_string(),
        Value::Markdown => match rng.random_range(0..4) {
            0 => "Have you tried drying it overnight? It worked for **my** widget; see <https://example.com>.".into(),
            1 => "short".into(),
            2 => format!("```\n{}\n```", "code line\n".repeat(rng.random_range(1..500))),
            _ => "A reasonable sentence about widgets and gadgets. ".repeat(rng.random_range(1..700)),
        },
        Value::Tags => match rng.random_range(0..4) {
            0 => pick_owned(rng, &known.tags, "widgets"),
            1 => "widgets rain, gadgets;sprockets".into(),
            2 => (0..rng.random_range(6..2_000)).map(|i| format!("tag{i}")).collect::<Vec<_>>().join(" "),
            _ => ",".repeat(rng.random_range(1..5_000)),
        },
        Value::Email => match rng.random_range(0..4) {
            0 | 1 => pick_owned(rng, &known.emails, "fred@example.com"),
            2 => format!("new{}@example.com", rng.random_range(0..1_000_000)),
            _ => pick(rng, &["a@", "@b", "a@b@c", "<a@b.c>", "a@b.c\r\nBcc: x@y.z"]).to_string(),
        },
        Value::Password => match rng.random_range(0..3) {
            0 => known.password.clone(),
            1 => pick(rng, &["short", "password123", "tulip-quartz-lantern2"]).to_string(),
            _ => "p".repeat(rng.random_range(100..20_000)),
        },
        Value::Username => match rng.random_range(0..3) {
            0 | 1 => pick_owned(rng, &known.usernames, "fred"),
            _ => format!("newbie_{}", rng.random_range(0..1_000_000)),
        },
        Value::Id => match rng.random_range(0..3) {
            0 | 1 => plausible_id(rng, known),
            _ => format!("/questions/{}/slug", plausible_id(rng, known)),
        },
        Value::Next => {
            pick(rng, &["/questions/1", "//evil.example/", "https://evil.example/", "/\\evil", "/%0d%0aX:1"])
                .to_string()
        }
        Value::Checkbox => pick(rng, &["on", "1", "", "true", "off"]).to_string(),
        Value::OneOf(words) => pick(rng, words).to_string(),
    }
}

/// One path segment, already encoded: a number of any size, encoded text, wrongly encoded bytes,
/// or a very long run.
pub fn junk_segment(rng: &mut StdRng) -> String {
    match rng.random_range(0..10) {
        0..=2 => encode(pick::<&str>(rng, &NUMBERS)),
        3..=5 => encode(&junk_text(rng)).chars().take(20_000).collect(),
        6 | 7 => pick(rng, &ENCODED_JUNK).to_string(),
        8 => "9".repeat(rng.random_range(20..2_000)),
        _ => "a".repeat(*pick(rng, &[300, 5_000, 30_000])),
    }
}

/// A query string (without `?`): known and made-up keys, repeated keys, bare keys, huge values,
/// invalid percent-encoding and invalid UTF-8.
pub fn junk_query(rng: &mut StdRng, known: &Known) -> String {
    let mut pairs: Vec<String> = Vec::new();
    for _ in 0..rng.random_range(1..6) {
        let key = if chance(rng, 0.75) { pick(rng, &QUERY_KEYS).to_string() } else { encode(&junk_text(rng)) };
        let value = match rng.random_range(0..8) {
            0 => encode(pick::<&str>(rng, &NUMBERS)),
            1 => encode(&plausible_id(rng, known)),
            2 | 3 => encode(&junk_text(rng)),
            4 => pick(rng, &ENCODED_JUNK).to_string(),
            5 => "x".repeat(rng.random_range(1_000..30_000)),
            6 => pick(rng, &["relevance", "newest", "votes", "active", "oldest", "views", "7", "30", "90"]).to_string(),
            _ => encode(&pick_owned(rng, &known.tags, "widgets")),
        };
        match rng.random_range(0..10) {
            0 => pairs.push(key),
            1 => pairs.push(format!("={value}")),
            2 => {
                pairs.push(format!("{key}={value}"));
                pairs.push(format!("{key}={}", encode(&junk_text(rng))));
            }
            3 => pairs.push(format!("{key}[]={value}&{key}[0]={value}")),
            _ => pairs.push(format!("{key}={value}")),
        }
    }
    let mut query = pairs.join(if chance(rng, 0.1) { "&&" } else { "&" });
    if chance(rng, 0.05) {
        query.push_str("&%ff%fe=%c3%28");
    }
    query.chars().take(60_000).collect()
}

/// Whether the request carries the visitor's real CSRF token, a wrong one, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Csrf {
    /// The token of the visitor's cookie.
    Real,
    /// Someone else's or made-up.
    Wrong,
    /// Left out.
    Missing,
}

impl Csrf {
    /// Mostly the real token, so most requests reach their handler.
    pub fn draw(rng: &mut StdRng) -> Self {
        match rng.random_range(0..10) {
            0 => Csrf::Wrong,
            1 => Csrf::Missing,
            _ => Csrf::Real,
        }
    }

    fn token(self, real: &str) -> Option<String> {
        match self {
            Csrf::Real => Some(real.to_owned()),
            Csrf::Wrong => Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned()),
            Csrf::Missing => None,
        }
    }
}

/// A request body with its content type and any headers it needs (a CSRF token for scripts).
#[derive(Debug, Default, Clone)]
pub struct Body {
    /// The `Content-Type` header, if any.
    pub content_type: Option<Vec<u8>>,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Extra headers (`X-CSRF-Token`).
    pub headers: Vec<(&'static str, String)>,
}

/// Over the app's 512 KiB body limit.
const OVERSIZED: usize = 600 * 1024;

/// A body for a route whose form has `fields`: a form with missing, extra, duplicated, oversized
/// or wrongly typed fields, or JSON, multipart, raw binary, invalid UTF-8, nothing at all, or too
/// much. The CSRF token goes where a browser or a script would put it.
pub fn body(rng: &mut StdRng, fields: &[(&str, Value)], known: &Known, csrf: Csrf, token: &str) -> Body {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, value) in fields {
        if chance(rng, 0.92) {
            pairs.push(((*name).to_owned(), field_value(rng, *value, known)));
        }
        if chance(rng, 0.08) {
            pairs.push(((*name).to_owned(), junk_text(rng)));
        }
        if chance(rng, 0.04) {
            pairs.push((format!("{name}[]"), "1".to_owned()));
        }
    }
    if chance(rng, 0.2) {
        pairs.push((junk_text(rng), junk_text(rng)));
    }
    let header_token = csrf.token(token).map(|t| vec![("x-csrf-token", t)]).unwrap_or_default();
    let content_type = |value: &str| Some(value.as_bytes().to_vec());
    match rng.random_range(0..26) {
        0..=16 => {
            if let Some(token) = csrf.token(token) {
                pairs.push(("csrf_token".to_owned(), token));
            }
            let mut bytes = form_urlencoded(&pairs).into_bytes();
            match rng.random_range(0..12) {
                0 => bytes.extend_from_slice(b"&body=%ff%fe%fd&title=\xff\xc3\x28"),
                1 => bytes.extend_from_slice(b"&%zz=%&&==&=&a=%G1"),
                2 => bytes.extend(std::iter::repeat_n(b'a', OVERSIZED)),
                _ => {}
            }
            let kind = match rng.random_range(0..20) {
                0 => "application/x-www-form-urlencoded; charset=utf-16",
                1 => "application/x-www-form-urlencoded;;;",
                2 | 3 => "application/x-www-form-urlencoded; charset=utf-8",
                _ => "application/x-www-form-urlencoded",
            };
            Body { content_type: content_type(kind), bytes, headers: Vec::new() }
        }
        17 | 18 => {
            let object: serde_json::Map<String, serde_json::Value> =
                pairs.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
            let bytes = match rng.random_range(0..5) {
                0 => b"{\"body\": ".to_vec(),
                1 => "[".repeat(10_000).into_bytes(),
                2 => serde_json::json!([1, "two", null, {"body": [1, 2]}]).to_string().into_bytes(),
                _ => serde_json::Value::Object(object).to_string().into_bytes(),
            };
            let kind = *pick(rng, &["application/json", "application/json; charset=latin1", "text/json"]);
            Body { content_type: content_type(kind), bytes, headers: header_token }
        }
        19 | 20 => multipart(rng, &pairs, header_token),
        21 => Body {
            content_type: content_type(pick::<&str>(rng, &["application/octet-stream", "image/png", "zzz/zzz", ""])),
            bytes: (0..rng.random_range(0..4_096)).map(|_| rng.random()).collect(),
            headers: header_token,
        },
        22 => Body {
            content_type: content_type("text/plain; charset=utf-8"),
            bytes: b"body=\xff\xfe\xfd caf\xe9 \xc3\x28 \xed\xa0\x80".to_vec(),
            headers: header_token,
        },
        23 => Body {
            content_type: if chance(rng, 0.5) { content_type("application/x-www-form-urlencoded") } else { None },
            bytes: Vec::new(),
            headers: header_token,
        },
        24 => Body {
            content_type: content_type(pick::<&str>(
                rng,
                &["application/x-www-form-urlencoded", "application/octet-stream"],
            )),
            bytes: format!("csrf_token={token}&body=")
                .into_bytes()
                .into_iter()
                .chain(std::iter::repeat_n(b'x', OVERSIZED))
                .collect(),
            headers: header_token,
        },
        _ => Body {
            content_type: Some(b"application/x-www-form-urlencoded; x=\xff\xfe".to_vec()),
            bytes: form_urlencoded(&pairs).into_bytes(),
            headers: header_token,
        },
    }
}

fn form_urlencoded(pairs: &[(String, String)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        serializer.append_pair(key, value);
    }
    serializer.finish()
}

/// A multipart body, well-formed or not: with a file part, without a boundary, or cut short.
fn multipart(rng: &mut StdRng, pairs: &[(String, String)], headers: Vec<(&'static str, String)>) -> Body {
    let boundary = format!("----fuzz{}", rng.random_range(0..1_000_000));
    let mut bytes = Vec::new();
    for (key, value) in pairs {
        bytes.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n").as_bytes(),
        );
        bytes.extend_from_slice(value.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    if chance(rng, 0.3) {
        bytes.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x.png\"\r\n\
                 Content-Type: image/png\r\n\r\n\x7fELF\r\n"
            )
            .as_bytes(),
        );
    }
    if chance(rng, 0.8) {
        bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    }
    let content_type = match rng.random_range(0..4) {
        0 => "multipart/form-data".to_owned(),
        1 => "multipart/form-data; boundary=wrong".to_owned(),
        _ => format!("multipart/form-data; boundary={boundary}"),
    };
    Body { content_type: Some(content_type.into_bytes()), bytes, headers }
}

/// Extra headers: content negotiation, caches, credentials, proxies, ranges and hostile values.
pub fn junk_headers(rng: &mut StdRng) -> Vec<(&'static str, Vec<u8>)> {
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
pub fn junk_cookies(rng: &mut StdRng, cookies: &[(String, String)]) -> String {
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
