//! HTTP validators for pages that are the same for every anonymous visitor: an ETag from the
//! page's bytes, `If-None-Match` answered with 304, and a `Cache-Control` a CDN can use.
//!
//! The ETag is a digest of what was rendered, so any change a visitor could see (a new answer,
//! a vote, an edit) changes it, and every node computes the same one for the same page.

use actix_web::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// Anonymous pages: browsers and CDNs may keep them a minute, then revalidate by ETag.
pub const PUBLIC_PAGE: &str = "public, max-age=60, stale-while-revalidate=60";

/// A weak ETag for a body: weak because compression may change the bytes on the wire.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(40);
    tag.push_str("W/\"");
    for byte in &digest[..12] {
        tag.push_str(&format!("{byte:02x}"));
    }
    tag.push('"');
    tag
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for
/// GET), or is `*`.
pub fn matches(req: &HttpRequest, etag: &str) -> bool {
    fn opaque(tag: &str) -> &str {
        tag.trim().trim_start_matches("W/")
    }
    let wanted = opaque(etag);
    req.headers()
        .get_all(IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|candidate| candidate.trim() == "*" || opaque(candidate) == wanted)
}

/// An HTML page that is the same for every anonymous visitor, with its ETag and public caching,
/// or 304 when the request already holds it. `Vary: Cookie`: a member's own page differs.
pub fn public_html(req: &HttpRequest, status: StatusCode, html: String) -> HttpResponse {
    let etag = etag_of(html.as_bytes());
    let not_modified = matches(req, &etag);
    let mut response = if not_modified { HttpResponse::NotModified() } else { HttpResponse::build(status) };
    response.insert_header((CACHE_CONTROL, PUBLIC_PAGE)).insert_header((ETAG, etag)).insert_header((VARY, "Cookie"));
    if not_modified {
        return response.finish();
    }
    response.content_type("text/html; charset=utf-8").body(html)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::{etag_of, matches};

    #[test]
    fn weak_comparison_and_lists() {
        let tag = etag_of(b"page");
        assert!(tag.starts_with("W/\"") && tag.ends_with('"'));
        let req =
            TestRequest::default().insert_header(("If-None-Match", format!("\"x\", {}", &tag[2..]))).to_http_request();
        assert!(matches(&req, &tag));
        let other = TestRequest::default().insert_header(("If-None-Match", "W/\"nope\"")).to_http_request();
        assert!(!matches(&other, &tag));
        assert!(!matches(&TestRequest::default().to_http_request(), &tag));
    }
}
