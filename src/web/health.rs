//! Probes for load balancers and orchestrators.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;

use crate::error::AppError;
use crate::state::AppState;

/// GET /healthz — the process is up and answering.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(serde_json::json!({ "status": "ok" }))
}

/// GET /readyz — the database answers a query; 503 otherwise, so the node is taken out of rotation.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.config.database_url.backend_name();
    let outcome = state.db(|conn| conn.batch_execute("SELECT 1").map_err(AppError::from)).await;
    let (mut response, status) = match outcome {
        Ok(()) => (HttpResponse::Ok(), "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (HttpResponse::ServiceUnavailable(), "unavailable")
        }
    };
    response
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "status": status, "database": backend }))
}
