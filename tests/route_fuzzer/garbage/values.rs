//! Values of every shape: path segments, query strings and form fields, plausible (real ids,
//! names, tokens, the right password) or garbage (odd numbers, words of ill repute, bad
//! percent-encoding, markdown bombs). Bodies and headers are built elsewhere.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::rngs::StdRng;
use rand::Rng;

use super::{chance, pick, pick_owned, Known, Value};

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

/// Percent-encodes a raw value for a path segment or a query.
pub(crate) fn encode(raw: &str) -> String {
    utf8_percent_encode(raw, SEGMENT).to_string()
}

/// A real id, a neighbour of one, or a number no row has.
pub(crate) fn plausible_id(rng: &mut StdRng, known: &Known) -> String {
    match rng.random_range(0..10) {
        0..=6 => pick(rng, &known.ids).to_string(),
        7 => (known.ids.iter().max().copied().unwrap_or(0) + rng.random_range(1..5)).to_string(),
        _ => pick(rng, &NUMBERS).to_string(),
    }
}

/// Mostly an id of the kind a route expects, sometimes any other.
pub(crate) fn id_of(rng: &mut StdRng, known: &Known, kind: &str) -> String {
    match known.ids_of.get(kind) {
        Some(ids) if !ids.is_empty() && chance(rng, 0.7) => pick(rng, ids).to_string(),
        _ => plausible_id(rng, known),
    }
}

/// Random text: a word of ill repute, random code points, a long run or a markdown bomb.
pub(crate) fn junk_text(rng: &mut StdRng) -> String {
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
pub(crate) fn field_value(rng: &mut StdRng, value: Value, known: &Known) -> String {
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
pub(crate) fn junk_segment(rng: &mut StdRng) -> String {
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
pub(crate) fn junk_query(rng: &mut StdRng, known: &Known) -> String {
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
