//! Members' public profiles and the official-answers feed through the API.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::Problem;
use super::resources::{time, User};
use super::respond;
use crate::error::AppError;
use crate::services::{feeds, profiles};
use crate::state::AppState;
use crate::web::api_auth::ApiCaller;

/// GET /api/v1/users/{id} — a member's public profile.
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users", operation_id = "get_user",
    summary = "Read a member's profile",
    description = "Who a member is, with their latest questions and answers, as their profile page shows.",
    params(("id" = i64, Path, description = "The member's id.")),
    responses(
        (status = 200, description = "The profile.", body = User),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current."),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearerAuth" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiCaller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let profile = state.db(move |conn| profiles::load(conn, id)).await?.ok_or(AppError::NotFound)?;
    respond::read(&req, &User::from(&profile), caller.viewer().is_some(), None)
}

/// An answer staff made official.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialAnswer {
    /// "Official answer: " and the question's title.
    pub title: String,
    /// The answer on its question's page (absolute).
    pub url: String,
    /// When it became official.
    #[schema(format = DateTime)]
    pub official_since: String,
    /// When it last changed.
    #[schema(format = DateTime)]
    pub updated: String,
    /// The author's shown name.
    pub author: String,
    /// The answer as sanitised HTML.
    pub body_html: String,
}

/// The newest official answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialAnswers {
    /// The answers, newest first.
    pub items: Vec<OfficialAnswer>,
    /// Always `null`: the feed holds the newest answers only, as the Atom feed does.
    pub next: Option<String>,
}

/// GET /api/v1/official-answers — the newest official answers (the Atom feed's entries).
#[utoipa::path(
    get, path = "/api/v1/official-answers", tag = "official answers", operation_id = "list_official_answers",
    summary = "List the newest official answers",
    description = "The entries of `/feeds/official.atom`: the answers staff most recently posted or endorsed as official.",
    responses(
        (status = 200, description = "The newest official answers.", body = OfficialAnswers),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current."),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearerAuth" = []))
)]
pub async fn official_answers(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiCaller,
) -> Result<HttpResponse, AppError> {
    let site =
        feeds::Site { base_url: state.config.base_url_str().to_owned(), name: state.settings().site_name.clone() };
    let feed = state.db(move |conn| feeds::official_answers(conn, &site)).await?;
    let items = feed
        .entries
        .into_iter()
        .map(|e| OfficialAnswer {
            title: e.title,
            url: e.url,
            official_since: time(e.published),
            updated: time(e.updated),
            author: e.author,
            body_html: e.html,
        })
        .collect();
    respond::read(&req, &OfficialAnswers { items, next: None }, caller.viewer().is_some(), None)
}

/// GET /api/v1/me — who the caller is; the handler is the token feature's own (api_tokens.rs),
/// documented here with the rest of the API.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "users", operation_id = "me",
    summary = "Who am I",
    description = "The caller's member (id, username, display name, role) and what the request may do: a token's scopes, or every scope for a browser session.",
    responses(
        (status = 200, description = "The caller.", content_type = "application/json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn me(caller: ApiCaller) -> Result<HttpResponse, AppError> {
    crate::web::api_tokens::me(caller).await
}
