//! Notifications (`/notifications`): the list, and marking them all read. Watching a question
//! is in [`super::watching`], the mail preference in [`super::settings`].

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::notifications;
use crate::state::AppState;
use crate::web::forms;
use crate::web::visitor::{CurrentUser, Visitor};

/// `?before=` — the id the previous page ended at.
#[derive(Deserialize)]
pub struct ListQuery {
    before: Option<i64>,
}

/// GET /notifications — newest first; what the page shows becomes read.
pub async fn list(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let before = query.into_inner().before;
    let now = chrono::Utc::now().naive_utc();
    let (list, unread) = state
        .db(move |conn| {
            let list = notifications::list(conn, &actor, before, now)?;
            notifications::unread_count(conn, actor.id).map(|unread| (list, unread))
        })
        .await?;
    // The header badge should agree with the page, which just marked these read.
    visitor.unread_count = unread;
    let mut context = Context::new();
    context.insert("list", &list);
    visitor.render(&state, "notifications.html", context)
}

/// POST /notifications/read — marks every notification read.
pub async fn mark_all_read(
    state: web::Data<AppState>,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    state.db(move |conn| notifications::mark_all_read(conn, &actor, now)).await?;
    Ok(forms::see_other("/notifications"))
}
