//! Search through the API: the same query language, ranking and log as `/search`, and the same
//! budget of costly requests.

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use guidepost_search::Sort;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination;
use super::problem::Problem;
use super::resources::QuestionSummary;
use super::respond;
use crate::error::AppError;
use crate::services::search::{self, SearchRequest};
use crate::state::AppState;
use crate::web::api_auth::ApiCaller;
use crate::web::request_budget::{self, CostlyRequest};

/// The orders of search results.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchSort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Highest score first.
    Votes,
}

/// `?q=&sort=&cursor=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The query: words, `"exact phrases"`, `-excluded`, `tag:name`, `user:name`, `is:answered`,
    /// `is:unanswered`, `is:official`, `is:accepted`, `is:closed`.
    #[serde(default)]
    q: String,
    /// The order: `relevance` (the default), `newest` or `votes`.
    #[param(inline)]
    sort: Option<SearchSort>,
    /// Where the page starts: the `next` link of the previous page carries it.
    cursor: Option<String>,
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// The question as lists show it.
    pub question: QuestionSummary,
    /// The title as HTML, the matched words in `<b>`.
    pub title_html: String,
    /// The best fragment of the text as HTML, the matched words in `<b>`.
    pub snippet_html: String,
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    /// How many questions matched.
    pub total: usize,
    /// `total` is a floor: counting stops once more match than anyone pages through.
    pub total_is_lower_bound: bool,
    /// Nothing matched exactly, so these are what the typo-forgiving pass found.
    pub fuzzy: bool,
    /// The results, 20 a page.
    pub items: Vec<SearchHit>,
    /// The next page's link, or `null` on the last page.
    pub next: Option<String>,
}

/// GET /api/v1/search — full-text search.
#[utoipa::path(
    get, path = "/api/v1/search", tag = "search", operation_id = "search",
    summary = "Search questions",
    description = "The site's search: the same query language and ranking, 20 results a page. Counts against the costly-request limit.",
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of results; `next` links the following page.", body = SearchResults),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current."),
        (status = 400, description = "A query parameter is malformed.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cursor this search did not give out.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearerAuth" = []))
)]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiCaller,
    _budget: CostlyRequest,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let SearchQuery { q, sort, cursor } = query.into_inner();
    let sort = match sort.unwrap_or_default() {
        SearchSort::Relevance => Sort::Relevance,
        SearchSort::Newest => Sort::Newest,
        SearchSort::Votes => Sort::Votes,
    };
    let page = pagination::page_of(cursor.as_deref(), search::MAX_PAGE)?;
    let request = SearchRequest { query: search::clean_query(&q), sort, page };
    let index = state.search.index();
    let now = chrono::Utc::now().naive_utc();
    let cache = Arc::clone(&state.search_results);
    let (client, logged) = (request_budget::client_key(&req, &state), Arc::clone(&state.logged_searches));
    let written = state.feed.generation();
    let found = state
        .db(move |conn| {
            let searcher = search::Searcher { client: &client, logged: &logged };
            search::run(conn, &index, &cache, &searcher, &request, written, now)
        })
        .await?;
    let next = found.has_next.then(|| pagination::next_link(&req, &pagination::page_cursor(page + 1)));
    let body = SearchResults {
        total: found.total,
        total_is_lower_bound: found.total_is_lower_bound,
        fuzzy: found.fuzzy,
        items: found
            .results
            .iter()
            .map(|r| SearchHit {
                question: QuestionSummary::from(&r.question),
                title_html: r.title_html.clone(),
                snippet_html: r.snippet_html.clone(),
            })
            .collect(),
        next: next.clone(),
    };
    respond::read(&req, &body, caller.viewer().is_some(), next.as_deref())
}
