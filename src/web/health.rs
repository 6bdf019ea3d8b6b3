//! Probes for load balancers and orchestrators (`/healthz`, `/readyz`).

use actix_web::{web, HttpResponse};

use crate::error::readiness_status;
use crate::services::health;
use crate::state::AppState;

/// GET /healthz — the process is up and answering.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(serde_json::json!({ "status": "ok" }))
}

/// GET /readyz — the database answers a query; 503 otherwise, so the node is taken out of rotation.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.config.database_url.backend_name();
    let outcome = state.db(health::database_answers).await;
    if let Err(e) = &outcome {
        tracing::warn!(error = %e, "readiness check failed");
    }
    let status = if outcome.is_ok() { "ready" } else { "unavailable" };
    HttpResponse::build(readiness_status(&outcome))
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "status": status, "database": backend }))
}
