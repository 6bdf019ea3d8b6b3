//! Staff actions on answers: endorse as official, withdraw, and "still accurate".

use actix_session::Session;
use actix_web::{web, HttpResponse};

use crate::db::models::posts::Post;
use crate::error::AppError;
use crate::services::official;
use crate::state::AppState;
use crate::web::forms;
use crate::web::session;
use crate::web::visitor::CurrentUser;

/// POST /answers/{id}/endorse
pub async fn endorse(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let answer_id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let outbox = state.outbox.clone();
    let question = state.db(move |conn| official::endorse(conn, &outbox, &actor, answer_id, now)).await?;
    state.outbox.wake();
    done(&session, &question, answer_id, "The answer is now official.")
}

/// POST /answers/{id}/withdraw-official
pub async fn withdraw(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let answer_id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let question = state.db(move |conn| official::withdraw(conn, &actor, answer_id, now)).await?;
    done(&session, &question, answer_id, "The answer is no longer official.")
}

/// POST /answers/{id}/review — "still accurate".
pub async fn review(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let answer_id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let question = state.db(move |conn| official::review(conn, &actor, answer_id, now)).await?;
    done(&session, &question, answer_id, "Marked as reviewed today.")
}

fn done(session: &Session, question: &Post, answer_id: i64, message: &str) -> Result<HttpResponse, AppError> {
    session::flash(session, message);
    Ok(forms::see_other(&format!(
        "/questions/{}/{}#answer-{answer_id}",
        question.id,
        question.slug.as_deref().unwrap_or_default()
    )))
}
