//! `/staff/my-work`: a staff member's own questions and topics.

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::error::AppError;
use crate::services::my_work;
use crate::state::AppState;
use crate::web::visitor::{CurrentUser, Visitor};

/// GET /staff/my-work
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    let work = state.db(move |conn| my_work::load(conn, &actor, now)).await?;
    let mut context = Context::new();
    context.insert("work", &work);
    visitor.render_private(&state, "staff/my_work.html", context)
}
