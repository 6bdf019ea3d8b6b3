//! Headers that every response carries, and limits on what a request may send.

use actix_web::error::{JsonPayloadError, UrlencodedError};
use actix_web::middleware::DefaultHeaders;
use actix_web::web;

use crate::error::AppError;

/// Largest request body accepted, in bytes: a 30,000-character post, URL-encoded, fits easily.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// The Content-Security-Policy: our own scripts, styles and images only; no inline script, no
/// framing, forms only to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: https:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Security headers added to every response (a handler may override any of them).
pub fn headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"));
    if https {
        headers.add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    } else {
        headers
    }
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
