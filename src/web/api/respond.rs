//! How every `/api/v1` read answers: JSON with a weak ETag over the body, 304 when the client
//! already holds it, a `Cache-Control` that keeps a member's view out of shared caches, and the
//! `Link` header of the next page.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::AppError;
use crate::web::http_cache;

/// What an anonymous read may be kept for; the same as the site's public pages.
const PUBLIC: &str = http_cache::PUBLIC_PAGE;
/// A member's view: their browser or program may keep it, but must revalidate it.
const PRIVATE: &str = "private, no-cache";

/// A read's JSON, or 304 when `If-None-Match` names it. `private` when the caller is
/// authenticated (the body may show what only they may see); `next` is the next page's link.
pub fn read(
    req: &HttpRequest,
    body: &impl Serialize,
    private: bool,
    next: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let bytes = serde_json::to_vec(body).map_err(AppError::internal)?;
    let etag = http_cache::etag_of(&bytes);
    let cache_control = if private { PRIVATE } else { PUBLIC };
    let held = http_cache::matches(req, &etag);
    let mut response = if held { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control))
        // One address answers anonymous callers and members differently.
        .insert_header((header::VARY, "Authorization, Cookie"));
    if let Some(next) = next {
        if let Ok(link) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")) {
            response.insert_header((header::LINK, link));
        }
    }
    if held {
        return Ok(response.finish());
    }
    Ok(response.content_type("application/json").body(bytes))
}
