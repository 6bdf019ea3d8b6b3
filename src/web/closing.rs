//! Closing (as a duplicate or for another reason) and reopening questions; locking and
//! (soft) deleting posts and comments; finding any post by id.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::{paths, AnswerId, CommentId, PostId, QuestionId};
use crate::error::AppError;
use crate::services::closing::{self, Closing};
use crate::services::moderation::{self, PostAction};
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

/// The optional reason given with a moderation action, kept in the audit log.
#[derive(Deserialize)]
pub struct ReasonForm {
    reason: Option<String>,
}

/// POST /posts/{id}/lock, /unlock, /delete and /undelete (moderators).
pub async fn post_action(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(i64, String)>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    let action = PostAction::parse(&action).ok_or(AppError::NotFound)?;
    let reason =
        form.into_inner().reason.map(|r| r.trim().chars().take(500).collect::<String>()).filter(|r| !r.is_empty());
    let now = chrono::Utc::now().naive_utc();
    let question =
        state.write(move |conn, feed| moderation::act(conn, feed, &actor, id, action, reason.as_deref(), now)).await?;
    session::flash(
        &session,
        match action {
            PostAction::Lock => "The question is locked.",
            PostAction::Unlock => "The question is unlocked.",
            PostAction::Delete => "The post is deleted; moderators can still see and undelete it.",
            PostAction::Undelete => "The post is back.",
        },
    );
    let anchor = if id == question.id { String::new() } else { format!("#answer-{id}") };
    Ok(forms::see_other(&format!(
        "/questions/{}/{}{anchor}",
        question.id,
        question.slug.as_deref().unwrap_or_default()
    )))
}

/// POST /comments/{id}/delete and /undelete (moderators; authors may delete their own).
pub async fn comment_action(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(CommentId, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    let delete = action == "delete";
    let now = chrono::Utc::now().naive_utc();
    let question =
        state.write(move |conn, feed| moderation::act_on_comment(conn, feed, &actor, id, delete, now)).await?;
    session::flash(&session, if delete { "The comment is deleted." } else { "The comment is back." });
    Ok(forms::see_other(&paths::question(QuestionId(question.id), question.slug.as_deref())))
}

/// GET /posts/{id} — any question or answer's place on its question page, deleted or not (the
/// moderation log links here; the question page decides who may see a deleted post).
pub async fn locate_post(state: web::Data<AppState>, id: web::Path<PostId>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let post = state.db(move |conn| crate::db::models::posts::find(conn, id.get())).await?.ok_or(AppError::NotFound)?;
    let location = match post.question_id {
        Some(question) => paths::answer_by_question_id(QuestionId(question), AnswerId(post.id)),
        None => paths::question_by_id(QuestionId(post.id)),
    };
    Ok(HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location)).finish())
}
