//! Answering and accepting through the API: `POST /api/v1/questions/{id}/answers` and
//! `POST /api/v1/answers/{id}/accept`.

use actix_web::http::header::LOCATION;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Written;
use crate::domain::{paths, AnswerId, ApiScope, QuestionId};
use crate::error::AppError;
use crate::services::answers::{self, Acceptance};
use crate::services::questions;
use crate::state::AppState;
use crate::web::api::problem::Problem;
use crate::web::api_auth::ApiCaller;

/// A new answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnswer {
    /// The answer, in Markdown.
    pub body: String,
    /// Post it as the official answer (staff only; needs the `staff` scope).
    #[serde(default)]
    pub official: bool,
}

/// POST /api/v1/questions/{id}/answers — answers a question (officially, for staff).
#[utoipa::path(
    post, path = "/api/v1/questions/{id}/answers", tag = "answers", operation_id = "post_answer",
    summary = "Answer a question",
    description = "Answers as the caller, under the same rules as the answer form. `official: true` posts a staff member's official answer and needs the `staff` scope; otherwise `write`.",
    params(("id" = i64, Path, description = "The question's id.")),
    request_body = NewAnswer,
    responses(
        (status = 201, description = "Answered; `Location` is the question in the API.", body = Written),
        (status = 400, description = "The body is not JSON, or the id not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the scope, the member is not staff (official answers), suspended, or the question is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The question does not take answers now (closed).", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many answers or requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn post_answer(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<QuestionId>,
    body: web::Json<NewAnswer>,
) -> Result<HttpResponse, AppError> {
    let NewAnswer { body, official } = body.into_inner();
    let actor = caller.require(if official { ApiScope::Staff } else { ApiScope::Write })?;
    let question_id = id.into_inner();
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let body = state.compute(move || questions::prepare_body(&body, &policy)).await?;
    let form = answers::AnswerForm { body, official };
    let answer =
        state.write(move |conn, feed| answers::post_answer(conn, feed, &actor, policy, question_id, form, now)).await?;
    let api_url = paths::api_question(question_id);
    Ok(HttpResponse::Created().insert_header((LOCATION, api_url.clone())).json(Written {
        id: answer.id,
        path: paths::answer_permalink(AnswerId(answer.id)),
        api_url,
        held_for_review: answer.held_reason.is_some(),
    }))
}

/// Whether an answer is accepted now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptanceState {
    /// The answer.
    pub answer_id: i64,
    /// Accepted after this request (`false`: the acceptance was withdrawn).
    pub accepted: bool,
}

/// POST /api/v1/answers/{id}/accept — the asker accepts an answer, or withdraws acceptance.
#[utoipa::path(
    post, path = "/api/v1/answers/{id}/accept", tag = "answers", operation_id = "accept_answer",
    summary = "Accept an answer (or withdraw acceptance)",
    description = "As the question page's button: accepts the answer, or withdraws the acceptance when it was already accepted. Only the asker may. Needs the `write` scope.",
    params(("id" = i64, Path, description = "The answer's id.")),
    responses(
        (status = 200, description = "The answer's acceptance now.", body = AcceptanceState),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the scope, or the caller did not ask the question.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such answer.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The question does not allow it now.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn accept(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<AnswerId>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Write)?;
    let answer_id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let (_, outcome) =
        state.write(move |conn, feed| answers::toggle_accept(conn, feed, &actor, answer_id, now)).await?;
    Ok(HttpResponse::Ok()
        .json(AcceptanceState { answer_id: answer_id.get(), accepted: outcome == Acceptance::Accepted }))
}
