//! Staff and moderator work through the API (the `staff` scope): official-answer actions
//! (endorse, withdraw, "still accurate") and closing and reopening questions.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{ApiScope, QuestionId};
use crate::error::AppError;
use crate::services::closing::{self, Closing};
use crate::services::official;
use crate::state::AppState;
use crate::web::api::problem::Problem;
use crate::web::api_auth::ApiCaller;

/// What a staff action on an answer left.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialState {
    /// The answer.
    pub answer_id: i64,
    /// Its question.
    pub question_id: i64,
}

/// The official-answer actions, as the route's last segment names them.
#[derive(Debug, Clone, Copy)]
enum OfficialAct {
    Endorse,
    Withdraw,
    Review,
}

async fn act(
    state: web::Data<AppState>,
    caller: ApiCaller,
    answer_id: i64,
    act: OfficialAct,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Staff)?;
    let now = chrono::Utc::now().naive_utc();
    let question = state
        .write(move |conn, feed| match act {
            OfficialAct::Endorse => official::endorse(conn, feed, &actor, answer_id, now),
            OfficialAct::Withdraw => official::withdraw(conn, feed, &actor, answer_id, now),
            OfficialAct::Review => official::review(conn, feed, &actor, answer_id, now),
        })
        .await?;
    Ok(HttpResponse::Ok().json(OfficialState { answer_id, question_id: question.id }))
}

/// POST /api/v1/answers/{id}/endorse — staff make a community answer official.
#[utoipa::path(
    post, path = "/api/v1/answers/{id}/endorse", tag = "answers", operation_id = "endorse_answer",
    summary = "Endorse an answer as official",
    description = "Staff make a community answer official, as the button on the question page does. Needs the `staff` scope and a staff member.",
    params(("id" = i64, Path, description = "The answer's id.")),
    responses(
        (status = 200, description = "The answer is official.", body = OfficialState),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `staff` scope, or the caller is not staff.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such answer.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The answer is official already.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The answer or its question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn endorse(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    act(state, caller, id.into_inner(), OfficialAct::Endorse).await
}

/// POST /api/v1/answers/{id}/withdraw-official — staff withdraw an answer's official standing.
#[utoipa::path(
    post, path = "/api/v1/answers/{id}/withdraw-official", tag = "answers", operation_id = "withdraw_official",
    summary = "Withdraw an answer's official standing",
    description = "The answer stays, no longer official. Needs the `staff` scope and a staff member.",
    params(("id" = i64, Path, description = "The answer's id.")),
    responses(
        (status = 200, description = "The answer is no longer official.", body = OfficialState),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `staff` scope, or the caller is not staff.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such answer.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The answer is not official.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The answer or its question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    act(state, caller, id.into_inner(), OfficialAct::Withdraw).await
}

/// POST /api/v1/answers/{id}/review — staff confirm an official answer is still accurate.
#[utoipa::path(
    post, path = "/api/v1/answers/{id}/review", tag = "answers", operation_id = "review_official",
    summary = "Mark an official answer still accurate",
    description = "Sets the official answer's \"last reviewed\" date to today. Needs the `staff` scope and a staff member.",
    params(("id" = i64, Path, description = "The answer's id.")),
    responses(
        (status = 200, description = "Reviewed.", body = OfficialState),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `staff` scope, or the caller is not staff.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such answer.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The answer is not official.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The answer or its question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn review(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    act(state, caller, id.into_inner(), OfficialAct::Review).await
}

/// Why a question is closed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// `duplicate` (staff), `off-topic`, `unclear` or `resolved-elsewhere` (moderators).
    pub reason: String,
    /// For duplicates: the original question's id or address.
    pub duplicate_of: Option<String>,
}

/// Whether a question is closed now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedState {
    /// The question.
    pub question_id: i64,
    /// Closed after this request.
    pub closed: bool,
}

/// POST /api/v1/questions/{id}/close — closes a question, as a duplicate or for another reason.
#[utoipa::path(
    post, path = "/api/v1/questions/{id}/close", tag = "questions", operation_id = "close_question",
    summary = "Close a question",
    description = "Staff close questions as duplicates; moderators for any reason. Needs the `staff` scope.",
    params(("id" = i64, Path, description = "The question's id.")),
    request_body = CloseRequest,
    responses(
        (status = 200, description = "Closed.", body = ClosedState),
        (status = 400, description = "The body is not JSON, or the id not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `staff` scope, or the caller may not close for that reason.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The question is closed already.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn close(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<QuestionId>,
    body: web::Json<CloseRequest>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Staff)?;
    let id = id.into_inner();
    let CloseRequest { reason, duplicate_of } = body.into_inner();
    let reason = Closing::from_form(&reason, duplicate_of.as_deref())?;
    let now = chrono::Utc::now().naive_utc();
    let question = state.write(move |conn, feed| closing::close(conn, feed, &actor, id, reason, now)).await?;
    Ok(HttpResponse::Ok().json(ClosedState { question_id: question.id, closed: true }))
}

/// POST /api/v1/questions/{id}/reopen — reopens a closed question.
#[utoipa::path(
    post, path = "/api/v1/questions/{id}/reopen", tag = "questions", operation_id = "reopen_question",
    summary = "Reopen a question",
    description = "Reopens a closed question, under the same rules as closing it. Needs the `staff` scope.",
    params(("id" = i64, Path, description = "The question's id.")),
    responses(
        (status = 200, description = "Open again.", body = ClosedState),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `staff` scope, or the caller may not reopen it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The question is not closed.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn reopen(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<QuestionId>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Staff)?;
    let id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let question = state.write(move |conn, feed| closing::reopen(conn, feed, &actor, id, now)).await?;
    Ok(HttpResponse::Ok().json(ClosedState { question_id: question.id, closed: false }))
}
