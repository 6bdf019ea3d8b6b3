//! Voting (`/posts/{id}/vote`) on questions and answers.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::PostId;
use crate::error::AppError;
use crate::services::voting::{self, VoteValue};
use crate::state::AppState;
use crate::web::forms;
use crate::web::question_page::back_to_post;
use crate::web::visitor::CurrentUser;

/// The vote form.
#[derive(Deserialize)]
pub struct VoteForm {
    value: String,
}

/// POST /posts/{id}/vote — `value` up, down or none.
pub async fn vote(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<PostId>,
    form: web::Form<VoteForm>,
) -> Result<HttpResponse, AppError> {
    let post_id = id.into_inner();
    let value = VoteValue::parse(&form.value)?;
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let outcome = state.write(move |conn, feed| voting::vote(conn, feed, &actor, policy, post_id, value, now)).await?;
    if forms::accepts_json(&req) {
        return Ok(HttpResponse::Ok().json(outcome));
    }
    Ok(back_to_post(outcome.question_id, post_id))
}
