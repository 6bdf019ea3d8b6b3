//! One log line per request (method, path, status, time), with secrets kept out: the tokens in
//! password and verification links are redacted, and query strings are never logged.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

/// Paths whose last segment is a secret token.
const SECRET_PREFIXES: [&str; 6] =
    ["/password/set/", "/password/reset/", "/verify-email/", "/unsubscribe/", "/login/break-glass/", "/auth/sso/link/"];

/// Fixed last segments under those prefixes, which name an action rather than hold a token.
const ACTIONS: [&str; 3] = ["resend", "password", "mail"];

/// Builds the span for each request and logs its outcome.
pub struct RequestLog;

#[derive(Clone, Copy)]
struct Started(Instant);

/// The path as it may be logged.
pub fn loggable_path(path: &str) -> String {
    for prefix in SECRET_PREFIXES {
        if let Some(rest) = path.strip_prefix(prefix) {
            if !rest.is_empty() && !ACTIONS.contains(&rest) {
                return format!("{prefix}[redacted]");
            }
        }
    }
    path.to_owned()
}

impl RootSpanBuilder for RequestLog {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(Started(Instant::now()));
        let request_id = request.extensions().get::<tracing_actix_web::RequestId>().map(|id| id.to_string());
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %loggable_path(request.path()),
            request_id = %request_id.unwrap_or_default(),
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let _entered = span.enter();
        match outcome {
            Ok(response) => {
                let elapsed_ms = response
                    .request()
                    .extensions()
                    .get::<Started>()
                    .map(|s| s.0.elapsed().as_secs_f64() * 1000.0)
                    .unwrap_or_default();
                let status = response.status().as_u16();
                if response.status().is_server_error() {
                    tracing::error!(status, elapsed_ms, "request failed");
                } else {
                    tracing::info!(status, elapsed_ms, "request");
                }
            }
            Err(error) => tracing::error!(error = %error, "request failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/password/reset/abcDEF123"), "/password/reset/[redacted]");
        assert_eq!(loggable_path("/verify-email/abc"), "/verify-email/[redacted]");
        assert_eq!(loggable_path("/login/break-glass/abc"), "/login/break-glass/[redacted]");
        assert_eq!(loggable_path("/auth/sso/link/abc"), "/auth/sso/link/[redacted]");
        assert_eq!(loggable_path("/auth/sso/link/mail"), "/auth/sso/link/mail");
        assert_eq!(loggable_path("/verify-email/resend"), "/verify-email/resend");
        assert_eq!(loggable_path("/unsubscribe/5.abc"), "/unsubscribe/[redacted]");
        assert_eq!(loggable_path("/questions/1/slug"), "/questions/1/slug");
    }
}
