//! `/staff/queue`: questions waiting for an official answer.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::staff_queue;
use crate::services::staff_queue::QueueOrder;
use crate::state::AppState;
use crate::web::visitor::{CurrentUser, Visitor};

/// `?sort=oldest|views&tag=&after=`
#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    sort: QueueOrder,
    tag: Option<String>,
    after: Option<String>,
}

/// GET /staff/queue
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let QueueQuery { sort, tag, after } = query.into_inner();
    let filter = tag.clone().unwrap_or_default();
    let now = chrono::Utc::now().naive_utc();
    let page =
        state.db(move |conn| staff_queue::page(conn, &actor, sort, tag.as_deref(), after.as_deref(), now)).await?;
    let mut context = Context::new();
    context.insert("queue", &page);
    context.insert("sort", &sort);
    context.insert("filter", &filter);
    visitor.render_private(&state, "staff/queue.html", context)
}
