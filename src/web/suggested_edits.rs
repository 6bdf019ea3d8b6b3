//! The suggested-edit review queue (`/review/suggested-edits`) and its verdicts.

use actix_session::SessionExt;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::suggested_edits::{self, RejectReason};
use crate::state::AppState;
use crate::web::visitor::{CurrentUser, Visitor};
use crate::web::{forms, session};

/// The queue's address.
const QUEUE: &str = "/review/suggested-edits";

/// The queue's page number.
#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    page: Option<i64>,
}

/// GET /review/suggested-edits — pending suggestions, oldest first, each with its differences.
pub async fn queue(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let policy = state.posting_policy();
    let page = query.page.unwrap_or(1);
    let queue = state.db(move |conn| suggested_edits::queue(conn, &actor, &policy, page)).await?;
    let mut context = Context::new();
    context.insert("queue", &queue);
    visitor.render_private(&state, "review/suggested_edits.html", context)
}

/// POST /review/suggested-edits/{id}/approve
pub async fn approve(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let policy = state.posting_policy();
    let reviewer = actor.clone();
    let edit = state.db(move |conn| suggested_edits::approval_edit(conn, &reviewer, &policy, id)).await?;
    let draft = state.compute(move || edit.prepare(&policy)).await?;
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| suggested_edits::approve(conn, feed, &actor, policy, id, draft, now)).await?;
    session::flash(&req.get_session(), "Approved: the post now shows the suggested edit.");
    Ok(forms::see_other(QUEUE))
}

/// The rejection form: one of the listed reasons, or `other` with a typed note.
#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

/// POST /review/suggested-edits/{id}/reject
pub async fn reject(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<RejectForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reason = RejectReason::parse(&form.reason, &form.note)?;
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| suggested_edits::reject(conn, feed, &actor, &policy, id, &reason, now)).await?;
    session::flash(&req.get_session(), "Rejected: the post stays as it was, and the member is told why.");
    Ok(forms::see_other(QUEUE))
}
