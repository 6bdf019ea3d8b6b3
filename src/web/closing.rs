//! Closing (as a duplicate or for another reason) and reopening questions.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::error::AppError;
use crate::services::closing::{self, CloseReason};
use crate::state::AppState;
use crate::web::forms;
use crate::web::session;
use crate::web::visitor::CurrentUser;

/// The close form: `reason` and, for duplicates, `duplicate_of` (an id or a question's URL).
#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
    duplicate_of: Option<String>,
}

/// POST /questions/{id}/close
pub async fn close(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let CloseForm { reason, duplicate_of } = form.into_inner();
    let reason = CloseReason::from_form(&reason, duplicate_of.as_deref())?;
    let now = chrono::Utc::now().naive_utc();
    let question = state.db(move |conn| closing::close(conn, &actor, id, reason, now)).await?;
    session::flash(&session, "The question is closed.");
    Ok(forms::see_other(&format!("/questions/{}/{}", question.id, question.slug.as_deref().unwrap_or_default())))
}

/// POST /questions/{id}/reopen
pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let question = state.db(move |conn| closing::reopen(conn, &actor, id, now)).await?;
    session::flash(&session, "The question is open again.");
    Ok(forms::see_other(&format!("/questions/{}/{}", question.id, question.slug.as_deref().unwrap_or_default())))
}
