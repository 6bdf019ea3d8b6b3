//! `GET /metrics`: this node's measurements in the Prometheus text format (or OpenMetrics, when
//! the scraper asks for it), for the holder of `GUIDEPOST_METRICS_TOKEN` alone. Without a
//! configured token the address answers 404 like any unknown one; without the right bearer token,
//! 401. The response is never cached, and robots.txt keeps crawlers out (`Disallow: /`).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::metrics::process::ProcessMemory;
use crate::metrics::{Format, PoolUse, Sample};
use crate::services;
use crate::state::AppState;

/// The realm named in `WWW-Authenticate`.
const REALM: &str = "metrics";

/// GET /metrics
pub async fn scrape(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    authorize(&state, &req)?;
    let format = Format::from_accept(req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()));
    let search = state.search.clone();
    let now = chrono::Utc::now().naive_utc();
    // A scrape while the database is away still reports the node (and says the database is down).
    let database = match state.db(move |conn| services::metrics::sample(conn, &search, now)).await {
        Ok(figures) => Some(figures),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the database's figures could not be read");
            None
        }
    };
    let pool = state.pool.state();
    let sample = Sample {
        pool: PoolUse {
            in_use: pool.connections.saturating_sub(pool.idle_connections),
            idle: pool.idle_connections,
            max: state.pool.max_size(),
        },
        database,
        memory: ProcessMemory::read(),
    };
    let body = state.metrics.render(&sample, format).map_err(|e| AppError::internal(format!("metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .body(body))
}

/// Lets the request through only with the configured token.
fn authorize(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    let Some(token) = &state.config.metrics_token else {
        return Err(AppError::NotFound);
    };
    let presented = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(bearer_token);
    match presented {
        Some(presented) if token.matches(presented) => Ok(()),
        presented => Err(AppError::TokenRequired { realm: REALM, refused: presented.is_some() }),
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn reads_bearer_tokens_only() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer   abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }
}
