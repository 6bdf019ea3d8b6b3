//! Closing (`/questions/{id}/close`, as a duplicate or for another reason) and reopening
//! (`/questions/{id}/reopen`) questions.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::{paths, QuestionId};
use crate::error::AppError;
use crate::services::closing::{self, Closing};
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
    id: web::Path<QuestionId>,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let CloseForm { reason, duplicate_of } = form.into_inner();
    let reason = Closing::from_form(&reason, duplicate_of.as_deref())?;
    let now = chrono::Utc::now().naive_utc();
    let question = state.write(move |conn, feed| closing::close(conn, feed, &actor, id, reason, now)).await?;
    session::flash(&session, "The question is closed.");
    Ok(forms::see_other(&paths::question(QuestionId(question.id), question.slug.as_deref())))
}

/// POST /questions/{id}/reopen
pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<QuestionId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let question = state.write(move |conn, feed| closing::reopen(conn, feed, &actor, id, now)).await?;
    session::flash(&session, "The question is open again.");
    Ok(forms::see_other(&paths::question(QuestionId(question.id), question.slug.as_deref())))
}
