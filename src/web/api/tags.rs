//! Reading tags through the API: the popular tags, filterable by the start of their names.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination;
use super::problem::Problem;
use super::respond;
use crate::error::AppError;
use crate::services::feeds::tag_path;
use crate::services::tags;
use crate::state::AppState;
use crate::web::api_auth::ApiCaller;

/// The deepest page of tags offered, as on the site.
const MAX_PAGE: usize = 1_000;

/// A tag.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    /// The tag's name.
    pub name: String,
    /// What the tag is about.
    pub description: Option<String>,
    /// Questions carrying the tag.
    pub question_count: i32,
    /// The tag's page on the site.
    pub path: String,
}

/// A page of tags.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    /// The tags, most used first.
    pub items: Vec<Tag>,
    /// The next page's link, or `null` on the last page.
    pub next: Option<String>,
}

/// `?filter=&cursor=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagsQuery {
    /// Only tags whose names start with this.
    filter: Option<String>,
    /// Where the page starts: the `next` link of the previous page carries it.
    cursor: Option<String>,
}

/// GET /api/v1/tags — the tags, most used first, 60 a page.
#[utoipa::path(
    get, path = "/api/v1/tags", tag = "tags", operation_id = "list_tags",
    summary = "List tags",
    description = "The tags, most used first, 60 a page, optionally only those whose names start with `filter`.",
    params(TagsQuery),
    responses(
        (status = 200, description = "A page of tags; `next` links the following page.", body = TagList),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current."),
        (status = 400, description = "A query parameter is malformed.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cursor this list did not give out.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearerAuth" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiCaller,
    query: web::Query<TagsQuery>,
) -> Result<HttpResponse, AppError> {
    let TagsQuery { filter, cursor } = query.into_inner();
    let page = pagination::page_of(cursor.as_deref(), MAX_PAGE)?;
    let found = state.db(move |conn| tags::popular(conn, filter.as_deref(), page as i64)).await?;
    let next =
        (found.has_next && page < MAX_PAGE).then(|| pagination::next_link(&req, &pagination::page_cursor(page + 1)));
    let items = found
        .tags
        .into_iter()
        .map(|t| Tag {
            path: tag_path(&t.name),
            name: t.name,
            description: t.description,
            question_count: t.question_count,
        })
        .collect();
    respond::read(&req, &TagList { items, next: next.clone() }, caller.viewer().is_some(), next.as_deref())
}
