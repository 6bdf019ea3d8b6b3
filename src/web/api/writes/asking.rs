//! Asking a question through the API: `POST /api/v1/questions`.

use actix_web::http::header::LOCATION;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::Written;
use crate::domain::{paths, ApiScope, QuestionId};
use crate::error::AppError;
use crate::services::questions::{self, Ask};
use crate::state::AppState;
use crate::web::api::problem::Problem;
use crate::web::api_auth::ApiCaller;

/// A new question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestion {
    /// The title: a question someone would search for.
    pub title: String,
    /// The details, in Markdown.
    pub body: String,
    /// Tag names (one to five).
    pub tags: Vec<String>,
}

/// POST /api/v1/questions — asks a question as the token's member.
#[utoipa::path(
    post, path = "/api/v1/questions", tag = "questions", operation_id = "ask_question",
    summary = "Ask a question",
    description = "Asks a question as the caller, under the same rules as the ask form: title, body and tag checks, posting limits, anti-spam (a new member's links may hold it for review). Needs the `write` scope.",
    request_body = NewQuestion,
    responses(
        (status = 201, description = "Asked; `Location` is the question in the API.", body = Written),
        (status = 400, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `write` scope, or the member may not post (suspended, unconfirmed address).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many questions or requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn ask(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: web::Json<NewQuestion>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Write)?;
    let NewQuestion { title, body, tags } = body.into_inner();
    let ask = Ask { title, body, tags: tags.join(" ") };
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let draft = state.compute(move || ask.prepare(&policy)).await?;
    let question = state.write(move |conn, feed| questions::ask(conn, feed, &actor, policy, draft, now)).await?;
    let id = QuestionId(question.id);
    let api_url = paths::api_question(id);
    Ok(HttpResponse::Created().insert_header((LOCATION, api_url.clone())).json(Written {
        id: question.id,
        path: paths::question(id, question.slug.as_deref()),
        api_url,
        held_for_review: question.held_reason.is_some(),
    }))
}

/// Whether the caller watches a question now.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct WatchState {
    /// The question.
    pub question_id: i64,
    /// Watching after this request: told about new and accepted answers.
    pub watching: bool,
}

/// PUT /api/v1/questions/{id}/watch — watches a question.
#[utoipa::path(
    put, path = "/api/v1/questions/{id}/watch", tag = "questions", operation_id = "watch_question",
    summary = "Watch a question",
    description = "The caller is told about the question's new and accepted answers. Idempotent. Needs the `write` scope.",
    params(("id" = i64, Path, description = "The question's id.")),
    responses(
        (status = 200, description = "Watching.", body = WatchState),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `write` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn watch(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_watching(state, caller, id.into_inner(), true).await
}

/// DELETE /api/v1/questions/{id}/watch — stops watching a question.
#[utoipa::path(
    delete, path = "/api/v1/questions/{id}/watch", tag = "questions", operation_id = "unwatch_question",
    summary = "Stop watching a question",
    description = "Idempotent. Needs the `write` scope.",
    params(("id" = i64, Path, description = "The question's id.")),
    responses(
        (status = 200, description = "Not watching.", body = WatchState),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `write` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn unwatch(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_watching(state, caller, id.into_inner(), false).await
}

async fn set_watching(
    state: web::Data<AppState>,
    caller: ApiCaller,
    question_id: i64,
    watching: bool,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Write)?;
    let now = chrono::Utc::now().naive_utc();
    state
        .write(move |conn, feed| {
            crate::services::watching::set_watching(conn, feed, &actor, question_id, watching, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(WatchState { question_id, watching }))
}
