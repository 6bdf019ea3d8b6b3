//! Headers that every response carries, and limits on what a request may send.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, UrlencodedError};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};

use crate::error::AppError;
use crate::state::AppState;

/// Largest request body accepted, in bytes: a 30,000-character post, URL-encoded, fits easily.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// The Content-Security-Policy up to its `frame-ancestors`, which differs for embed pages.
macro_rules! policy_before_framing {
    () => {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    };
}

/// The Content-Security-Policy: our own scripts, styles and images only; no inline script, no
/// framing, forms only to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = concat!(policy_before_framing!(), "frame-ancestors 'none'");

/// Where the pages meant to be framed by other sites live (`/embed/questions/1`, `/embed/ask`).
pub const EMBED_PREFIX: &str = "/embed/";

/// Middleware: the security headers every response carries, unless the handler set its own.
/// Only the embed pages may be framed, and only by the origins the admin lists (any when none
/// are): that list is read from the settings in effect for each response, so a change applies
/// at once on every node, to copies served from the page cache too.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let under_embed = req.path().starts_with(EMBED_PREFIX);
    let mut res = next.call(req).await?;
    // An error page under the prefix is the site's own page, not an embed.
    let embed = under_embed && (res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED);
    let https = state.as_ref().is_some_and(|s| s.config.is_https());
    let policy = match (&state, embed) {
        (Some(state), true) => {
            let ancestors = state.settings();
            HeaderValue::from_str(&format!(
                "{}frame-ancestors {}",
                policy_before_framing!(),
                ancestors.frame_ancestors()
            ))
            .unwrap_or(HeaderValue::from_static(CONTENT_SECURITY_POLICY))
        }
        _ => HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    };
    let headers = res.headers_mut();
    let mut add = |name: HeaderName, value: HeaderValue| {
        if !headers.contains_key(&name) {
            headers.insert(name, value);
        }
    };
    add(header::CONTENT_SECURITY_POLICY, policy);
    add(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    add(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    add(header::CROSS_ORIGIN_OPENER_POLICY, HeaderValue::from_static("same-origin"));
    add(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    // Browsers obey either header; an embed page must not carry the one that forbids all framing.
    if !embed {
        add(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if https {
        add(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    Ok(res)
}

/// Body-size limits and clear 400 messages for malformed forms, queries, JSON and paths.
pub fn configure_extractors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .app_data(web::FormConfig::default().limit(MAX_BODY_BYTES).error_handler(|e, _| match e {
            UrlencodedError::Overflow { .. } => AppError::TooLarge.into(),
            e => AppError::BadRequest(format!("The form could not be read: {e}")).into(),
        }))
        .app_data(web::JsonConfig::default().limit(MAX_BODY_BYTES).error_handler(|e, _| match e {
            JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                AppError::TooLarge.into()
            }
            e => AppError::BadRequest(format!("The JSON body could not be read: {e}")).into(),
        }))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| AppError::BadRequest(format!("The query string could not be read: {e}")).into()),
        )
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()));
}

/// Middleware: refuses (400) a request whose path, query string or URL-encoded form holds a NUL
/// character. No browser sends one, and PostgreSQL refuses any text that holds one, so a NUL in a
/// tag name, a sign-in name or a comment ended in a database error (a 500) there, while SQLite
/// stored it. Every handler reads text only from these three places.
pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // Search promises a page for any query: it drops control characters (NUL among them) itself.
    let query_is_cleaned = SEARCHES.contains(&req.path());
    let mut found = has_nul(req.path().as_bytes()) || (!query_is_cleaned && has_nul(req.query_string().as_bytes()));
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !found && is_form {
        // Bytes obeys the app's PayloadConfig limit, so an oversized body is refused here too.
        let body = match req.extract::<Bytes>().await {
            Ok(body) => body,
            Err(e) if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Ok(req.error_response(AppError::TooLarge).map_into_right_body())
            }
            Err(e) => return Ok(req.error_response(e).map_into_right_body()),
        };
        found = has_nul(&body);
        req.set_payload(Payload::from(body));
    }
    if found {
        let refusal = AppError::BadRequest("Text here cannot hold a NUL character.".to_owned());
        return Ok(req.error_response(refusal).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Pages whose handlers clean their query of control characters before using it.
const SEARCHES: [&str; 2] = ["/search", "/questions/similar"];

/// Whether raw (still percent-encoded) request text decodes to a NUL anywhere.
fn has_nul(raw: &[u8]) -> bool {
    raw.contains(&0) || raw.windows(3).any(|w| w == b"%00")
}

#[cfg(test)]
mod tests {
    use super::has_nul;

    #[test]
    fn nul_is_found_only_where_it_decodes() {
        assert!(has_nul(b"/tags/a%00b"));
        assert!(has_nul(b"body=x\0y"));
        assert!(!has_nul(b"q=%2500&page=100"));
        assert!(!has_nul(b"/questions/1000/slug"));
    }
}
