//! Commenting (`/posts/{id}/comments`) on questions and answers.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::PostId;
use crate::error::AppError;
use crate::services::{commenting, posts, ServiceError};
use crate::state::AppState;
use crate::web::question_page::back_to_post;
use crate::web::visitor::CurrentUser;
use crate::web::{forms, session};

/// The comment form.
#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

/// POST /posts/{id}/comments
pub async fn comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<PostId>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let post_id = id.into_inner();
    let body = form.into_inner().body;
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    match state.write(move |conn, feed| commenting::add_comment(conn, feed, &actor, policy, post_id, &body, now)).await
    {
        Ok(question_id) if forms::accepts_json(&req) => {
            Ok(forms::created(&serde_json::json!({ "post_id": post_id, "question_id": question_id })))
        }
        Ok(question_id) => Ok(back_to_post(question_id, post_id)),
        Err(e) if forms::accepts_json(&req) => Err(e),
        Err(AppError::Service(ServiceError::Invalid { reason, .. })) => {
            // The comment box is small; say what was wrong above it and keep the page.
            session::flash(&actix_session::SessionExt::get_session(&req), &format!("Comment not added: {reason}"));
            let question_id =
                state.db(move |conn| posts::question_of(conn, post_id)).await?.ok_or(AppError::NotFound)?;
            Ok(back_to_post(question_id.get(), post_id))
        }
        Err(e) => Err(e),
    }
}
