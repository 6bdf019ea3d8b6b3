//! Reading questions through the API: the lists (`/api/v1/questions`, a tag's questions), one
//! question with its answers and comments, and the questions resembling a title. Each calls the
//! service the HTML page calls and answers with the JSON of [`super::resources`].

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::pagination;
use super::problem::Problem;
use super::resources::{Question, QuestionList, QuestionSummary, SimilarQuestion, SimilarQuestions};
use super::respond;
use crate::domain::QuestionId;
use crate::error::AppError;
use crate::services::question_lists::{self, PageRequest, QuestionOrder};
use crate::services::{question_page, search, similar, tags, ServiceError};
use crate::state::AppState;
use crate::web::api_auth::ApiCaller;
use crate::web::request_budget::CostlyRequest;

/// The orders of a question list, as the site offers them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Most recent activity first.
    #[default]
    Active,
    /// Newest first.
    Newest,
    /// Highest score first.
    Votes,
    /// Newest without answers first.
    Unanswered,
}

impl Sort {
    fn order(self) -> QuestionOrder {
        match self {
            Self::Active => QuestionOrder::Active,
            Self::Newest => QuestionOrder::Newest,
            Self::Votes => QuestionOrder::Votes,
            Self::Unanswered => QuestionOrder::Unanswered,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Newest => "newest",
            Self::Votes => "votes",
            Self::Unanswered => "unanswered",
        }
    }
}

/// `?sort=&tag=&cursor=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The order: `active` (the default), `newest`, `votes` or `unanswered`.
    #[param(inline)]
    sort: Option<Sort>,
    /// Only the questions with this tag, newest first (as the tag's page lists them).
    tag: Option<String>,
    /// Where the page starts: the `next` link of the previous page carries it.
    cursor: Option<String>,
}

/// `?cursor=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorQuery {
    /// Where the page starts: the `next` link of the previous page carries it.
    cursor: Option<String>,
}

/// GET /api/v1/questions — questions in the site's orders, 30 a page, optionally of one tag.
#[utoipa::path(
    get, path = "/api/v1/questions", tag = "questions", operation_id = "list_questions",
    summary = "List questions",
    description = "Every question in one of the site's orders, 30 a page, or one tag's questions newest first.",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of questions; `next` links the following page.", body = QuestionList),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current."),
        (status = 400, description = "A query parameter is malformed.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cursor this list did not give out, or a tag with an order other than newest.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearerAuth" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiCaller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let ListQuery { sort, tag, cursor } = query.into_inner();
    if let Some(tag) = tag {
        if sort.is_some_and(|s| s != Sort::Newest) {
            return Err(ServiceError::invalid("sort", "A tag's questions are listed newest first.").into());
        }
        return tagged_page(&state, &req, &caller, tag, cursor).await;
    }
    let sort = sort.unwrap_or_default();
    let request = match cursor {
        Some(cursor) => PageRequest::Seek(seek_cursor(sort, &cursor)?),
        None => PageRequest::Number(1),
    };
    let list = state.db(move |conn| question_lists::list(conn, sort.order(), request)).await?;
    page_of(&req, &caller, sort, &list)
}

/// GET /api/v1/tags/{name}/questions — a tag's questions, newest first.
#[utoipa::path(
    get, path = "/api/v1/tags/{name}/questions", tag = "tags", operation_id = "list_tagged_questions",
    summary = "List a tag's questions",
    description = "The questions carrying a tag, newest first, 30 a page.",
    params(("name" = String, Path, description = "The tag's name."), CursorQuery),
    responses(
        (status = 200, description = "A page of questions; `next` links the following page.", body = QuestionList),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current."),
        (status = 400, description = "A query parameter is malformed.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cursor this list did not give out.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearerAuth" = []))
)]
pub async fn tagged(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiCaller,
    name: web::Path<String>,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, AppError> {
    tagged_page(&state, &req, &caller, name.into_inner(), query.into_inner().cursor).await
}

async fn tagged_page(
    state: &AppState,
    req: &HttpRequest,
    caller: &ApiCaller,
    name: String,
    cursor: Option<String>,
) -> Result<HttpResponse, AppError> {
    let cursor = cursor.map(|c| seek_cursor(Sort::Newest, &c)).transpose()?;
    let name = name.to_lowercase();
    let (_, list) = state.db(move |conn| tags::tagged(conn, &name, cursor)).await?.ok_or(AppError::NotFound)?;
    page_of(req, caller, Sort::Newest, &list)
}

/// The keyset position a list cursor holds.
fn seek_cursor(sort: Sort, cursor: &str) -> Result<crate::db::models::posts::Cursor, AppError> {
    let mut scratch = String::new();
    let position = pagination::decode(cursor, sort.name(), &mut scratch)?;
    question_lists::decode_cursor(sort.order(), position, true).ok_or_else(|| {
        ServiceError::invalid("cursor", "This cursor was not given out by this list; start without one.").into()
    })
}

fn page_of(
    req: &HttpRequest,
    caller: &ApiCaller,
    sort: Sort,
    list: &question_lists::QuestionList,
) -> Result<HttpResponse, AppError> {
    let next =
        list.next.as_ref().map(|n| pagination::next_link(req, &pagination::encode(&format!("{}:{n}", sort.name()))));
    let body = QuestionList { items: list.questions.iter().map(QuestionSummary::from).collect(), next: next.clone() };
    respond::read(req, &body, caller.viewer().is_some(), next.as_deref())
}

/// GET /api/v1/questions/{id} — one question, its answers in the page's order, and comments.
#[utoipa::path(
    get, path = "/api/v1/questions/{id}", tag = "questions", operation_id = "get_question",
    summary = "Read a question",
    description = "A question with its answers (official first, then the accepted one, then by score) and comments; bodies as Markdown and as sanitised HTML.",
    params(("id" = i64, Path, description = "The question's id.")),
    responses(
        (status = 200, description = "The question.", body = Question),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current."),
        (status = 400, description = "The id is not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question (or hidden from the caller).", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The question was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearerAuth" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiCaller,
    id: web::Path<QuestionId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = caller.viewer().cloned();
    let page = state.db(move |conn| question_page::load(conn, id, viewer.as_ref())).await?;
    let mut response = respond::read(&req, &Question::from(&page), caller.viewer().is_some(), None)?;
    // Its copy for anonymous callers goes stale with this question, not with every write.
    response.extensions_mut().insert(crate::web::page_cache::ShowsQuestion(page.id));
    Ok(response)
}

/// `?title=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// The title of a question about to be asked.
    #[serde(default)]
    title: String,
}

/// GET /api/v1/questions/similar?title= — existing questions resembling a title.
#[utoipa::path(
    get, path = "/api/v1/questions/similar", tag = "questions", operation_id = "similar_questions",
    summary = "Find questions similar to a title",
    description = "Up to five existing questions resembling a title, as the ask form shows them. Counts against the costly-request limit, as search does.",
    params(SimilarQuery),
    responses(
        (status = 200, description = "The similar questions, most similar first.", body = SimilarQuestions),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current."),
        (status = 400, description = "A query parameter is malformed.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearerAuth" = []))
)]
pub async fn similar(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiCaller,
    _budget: CostlyRequest,
    query: web::Query<SimilarQuery>,
) -> Result<HttpResponse, AppError> {
    let title = search::clean_query(&query.into_inner().title);
    let index = state.search.index();
    let cache = Arc::clone(&state.similar_titles);
    let found = state.db(move |conn| similar::ask_suggestions(conn, &index, &cache, &title)).await?;
    let body = SimilarQuestions { items: found.iter().map(SimilarQuestion::from).collect() };
    respond::read(&req, &body, caller.viewer().is_some(), None)
}
