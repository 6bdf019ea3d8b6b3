//! Helpers shared by form handlers: field errors, safe return paths, the client's address.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// A form's messages and the status of the page showing them (decided in [`crate::error`]).
pub use crate::error::FieldErrors;

/// Told to a new member whose post waits for a moderator.
pub const HELD_FOR_REVIEW: &str =
    "Thanks! Because you are new here and your post has links, a moderator will check it \
     before others can see it. Until then only you and the moderators see it.";

/// Whether the client (a script) asked for JSON rather than a page.
pub fn accepts_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.starts_with("application/json") && !accept.contains("text/html"))
}

/// A 303 redirect (post/redirect/get).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_owned())).finish()
}

/// A 301 redirect to the one address a page is known by, so links and crawlers move there.
pub fn moved_permanently(location: &str) -> HttpResponse {
    HttpResponse::MovedPermanently().insert_header((header::LOCATION, location.to_owned())).finish()
}

/// A 201 with the JSON a script is told about what its request created.
pub fn created(body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Created().json(body)
}

/// A local path to return to; anything else (other sites, `//host`, odd schemes) becomes `/`.
///
/// The check is the URL standard's own: browsers drop tabs and newlines and read `\` as `/`
/// before resolving a `Location`, so `/\t/evil.example` means `//evil.example` to them. The path
/// is resolved against a stand-in origin exactly as a browser would, kept only if it stays on that
/// origin, and returned in its normalised form, which is checked once more the same way.
pub fn safe_return_path(next: Option<&str>) -> String {
    next.and_then(same_origin_path).unwrap_or_else(|| "/".to_owned())
}

fn same_origin_path(raw: &str) -> Option<String> {
    // Only a path may come back; a scheme or authority is refused before the parser can guess.
    if !raw.starts_with('/') || raw.chars().any(char::is_control) {
        return None;
    }
    let base = url::Url::parse("https://return-path.invalid/").ok()?;
    let normalised = |candidate: &str| -> Option<String> {
        let resolved = base.join(candidate).ok()?;
        if resolved.origin() != base.origin() || resolved.path().starts_with("//") {
            return None;
        }
        let mut path = resolved.path().to_owned();
        if let Some(query) = resolved.query() {
            path.push('?');
            path.push_str(query);
        }
        if let Some(fragment) = resolved.fragment() {
            path.push('#');
            path.push_str(fragment);
        }
        Some(path)
    };
    let path = normalised(raw)?;
    // What the browser will resolve is the normalised text; it must say the same thing again.
    (normalised(&path)? == path).then_some(path)
}

/// The client's address, for rate limits: the peer, or the proxy's report when configured.
pub fn client_ip(req: &HttpRequest, behind_proxy: bool) -> String {
    let info = req.connection_info();
    let address = if behind_proxy { info.realip_remote_addr() } else { info.peer_addr() };
    address.unwrap_or("unknown").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_site() {
        assert_eq!(safe_return_path(Some("/questions/1")), "/questions/1");
        assert_eq!(safe_return_path(Some("//evil.example/")), "/");
        assert_eq!(safe_return_path(Some("https://evil.example/")), "/");
        assert_eq!(safe_return_path(Some("/\\evil.example")), "/");
        assert_eq!(safe_return_path(None), "/");
    }

    #[test]
    fn return_paths_are_judged_as_browsers_read_them() {
        // Browsers drop tabs and newlines, so these mean `//evil.example`.
        for sneaky in ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/%09/evil.example"] {
            let back = safe_return_path(Some(sneaky));
            assert!(!back.starts_with("//"), "{sneaky:?} came back as {back:?}");
            assert!(!back.contains('\t') && !back.contains('\n'), "{sneaky:?} came back as {back:?}");
        }
        assert_eq!(safe_return_path(Some("/\t/evil.example")), "/");
        assert_eq!(safe_return_path(Some("/.//evil.example")), "/");
        assert_eq!(safe_return_path(Some("/questions/1?tab=votes#answer-3")), "/questions/1?tab=votes#answer-3");
        assert_eq!(safe_return_path(Some("/search?q=red widget")), "/search?q=red%20widget");
    }
}
