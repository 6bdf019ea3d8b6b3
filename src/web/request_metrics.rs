//! Middleware: counts every request by method, route pattern and status, and times it, for
//! `/metrics`. It wraps every request, so it stays cheap: the route is the pattern actix already
//! matched (or the one the page cache remembered), never the raw path, and an existing series is
//! found under a read lock.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::Error;

use crate::metrics::{MethodLabel, RoutePattern};
use crate::state::AppState;

/// Records the request once its response head is ready (streamed bodies are not waited for).
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let started = Instant::now();
    let Some(state) = req.app_data::<Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let method = MethodLabel::of(req.method());
    let outcome = next.call(req).await;
    let elapsed = started.elapsed();
    match &outcome {
        Ok(res) => {
            let remembered = res.response().extensions().get::<RoutePattern>().map(|r| Arc::clone(&r.0));
            let route = remembered.or_else(|| res.request().match_pattern().map(Arc::from));
            state.metrics.record_request(method, route, res.status(), elapsed);
        }
        // The request is gone with the error; the route cannot be told any more.
        Err(error) => state.metrics.record_request(method, None, error.as_response_error().status_code(), elapsed),
    }
    outcome
}
