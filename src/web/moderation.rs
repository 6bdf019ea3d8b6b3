//! Moderators' actions on posts, comments and members: locking and (soft) deleting posts
//! (`/posts/{id}/{lock|unlock|delete|undelete}`), deleting comments
//! (`/comments/{id}/{delete|undelete}`, authors may delete their own), and "delete as spam" on a
//! member (`/users/{id}/delete-as-spam`).

use actix_session::{Session, SessionExt};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::{paths, CommentId, QuestionId, UserId};
use crate::error::AppError;
use crate::services::moderation::{self, PostAction};
use crate::services::spam;
use crate::state::AppState;
use crate::web::visitor::CurrentUser;
use crate::web::{forms, session};

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

/// Where to go back to after deleting a member as spam.
#[derive(Deserialize)]
pub struct SpamForm {
    next: Option<String>,
}

/// POST /users/{id}/delete-as-spam
pub async fn delete_as_spam(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<UserId>,
    form: web::Form<SpamForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let sweep = state.write(move |conn, feed| spam::delete_as_spam(conn, feed, &actor, user_id, now)).await?;
    session::flash(
        &req.get_session(),
        &format!(
            "Deleted as spam: {} {} and {} {} hidden, and the account is suspended.",
            sweep.posts,
            if sweep.posts == 1 { "post" } else { "posts" },
            sweep.comments,
            if sweep.comments == 1 { "comment" } else { "comments" }
        ),
    );
    Ok(forms::see_other(&forms::safe_return_path(form.next.as_deref())))
}
