//! Request bodies of every content type: forms with missing, extra or wrongly typed fields, JSON,
//! multipart, raw bytes, invalid UTF-8, nothing or too much, each with the CSRF token where a
//! browser or a script would put it (or a wrong one, or none).

use rand::rngs::StdRng;
use rand::Rng;

use super::values::{field_value, junk_text};
use super::{chance, pick, Known, Value};

/// Whether the request carries the visitor's real CSRF token, a wrong one, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Csrf {
    /// The token of the visitor's cookie.
    Real,
    /// Someone else's or made-up.
    Wrong,
    /// Left out.
    Missing,
}

impl Csrf {
    /// Mostly the real token, so most requests reach their handler.
    pub(crate) fn draw(rng: &mut StdRng) -> Self {
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
pub(crate) struct Body {
    /// The `Content-Type` header, if any.
    pub(crate) content_type: Option<Vec<u8>>,
    /// The bytes.
    pub(crate) bytes: Vec<u8>,
    /// Extra headers (`X-CSRF-Token`).
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// Over the app's 512 KiB body limit.
const OVERSIZED: usize = 600 * 1024;

/// A body for a route whose form has `fields`: a form with missing, extra, duplicated, oversized
/// or wrongly typed fields, or JSON, multipart, raw binary, invalid UTF-8, nothing at all, or too
/// much. The CSRF token goes where a browser or a script would put it.
pub(crate) fn body(rng: &mut StdRng, fields: &[(&str, Value)], known: &Known, csrf: Csrf, token: &str) -> Body {
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
