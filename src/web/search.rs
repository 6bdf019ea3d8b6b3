//! Search (`/search`, `/search/click/...`) and what the ask form asks of the index
//! (`/questions/similar`, `/ask/suggested/{id}`): similar questions and deflections.

use std::sync::Arc;

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{web, HttpRequest, HttpResponse};
use guidepost_search::Sort;
use serde::Deserialize;
use tera::Context;

use crate::domain::QuestionId;
use crate::error::AppError;
use crate::services::gap_waiters;
use crate::services::search::{self, SearchRequest};
use crate::services::similar;
use crate::signing::NumberSigner;
use crate::state::AppState;
use crate::web::forms;
use crate::web::request_budget::{self, CostlyRequest};
use crate::web::visitor::{CurrentUser, Visitor};

/// `?q=&sort=&page=`; every field is read leniently, so no query string is ever refused.
#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
}

/// The orders offered, as the `sort` parameter spells them.
const SORTS: [(&str, Sort); 3] = [("relevance", Sort::Relevance), ("newest", Sort::Newest), ("votes", Sort::Votes)];

/// GET /search — results with highlighted snippets; never indexed by search engines.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    _budget: CostlyRequest,
    visitor: Visitor,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let SearchQuery { q, sort, page } = query.into_inner();
    let (sort_name, sort) = SORTS.iter().copied().find(|(name, _)| *name == sort).unwrap_or(SORTS[0]);
    let request = SearchRequest {
        query: search::clean_query(&q),
        sort,
        page: page.trim().parse::<usize>().unwrap_or(1).clamp(1, search::MAX_PAGE),
    };
    let index = state.search.index();
    let now = chrono::Utc::now().naive_utc();
    let shown = request.clone();
    let cache = Arc::clone(&state.search_results);
    let (client, logged) = (request_budget::client_key(&req, &state), Arc::clone(&state.logged_searches));
    // Results computed before the latest write may be out of date.
    let written = state.feed.generation();
    let member = visitor.user.clone();
    let (results, waiting) = state
        .db(move |conn| {
            let searcher = search::Searcher { client: &client, logged: &logged };
            let results = search::run(conn, &index, &cache, &searcher, &request, written, now)?;
            // A member who asked to be told sees that they did, not the button again.
            let waiting = match &member {
                Some(actor) if results.searched => gap_waiters::member_waits(conn, actor, &request.query)?,
                _ => false,
            };
            Ok::<_, crate::services::ServiceError>((results, waiting))
        })
        .await?;
    let mut context = Context::new();
    context.insert("q", &shown.query);
    context.insert("sort", sort_name);
    context.insert("sorts", &SORTS.map(|(name, _)| name));
    // Result links carry the search's log id signed, so only a search's own results page can
    // record a click on it.
    context.insert("click_token", &results.log_id.map(|id| click_signer(&state).token(id)));
    context.insert("results", &results);
    context.insert("waiting", &waiting);
    context.insert("wait_days", &gap_waiters::WAIT_DAYS);
    visitor.render_private(&state, "search/results.html", context)
}

/// GET /search/click/{token}/{question} — records which result a search led to, then goes there.
/// A token that was not signed here records nothing but still leads to the question.
pub async fn click(state: web::Data<AppState>, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (token, question_id) = path.into_inner();
    let log_id = click_signer(&state).verify(&token);
    let target = state.db(move |conn| search::click(conn, log_id, question_id)).await?;
    Ok(forms::see_other(&target))
}

/// Signs the log ids that result links carry.
fn click_signer(state: &AppState) -> NumberSigner {
    NumberSigner::derive(state.cookie_key.signing(), b"search-click")
}

/// `?title=`
#[derive(Deserialize)]
pub struct SimilarQuery {
    #[serde(default)]
    title: String,
}

/// GET /questions/similar?title= — up to five existing questions resembling a title, as JSON.
pub async fn similar_questions(
    state: web::Data<AppState>,
    _budget: CostlyRequest,
    query: web::Query<SimilarQuery>,
) -> Result<HttpResponse, AppError> {
    let title = search::clean_query(&query.into_inner().title);
    let index = state.search.index();
    let cache = Arc::clone(&state.similar_titles);
    let found = state.db(move |conn| similar::ask_suggestions(conn, &index, &cache, &title)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, max-age=60"))
        .json(serde_json::json!({ "questions": found.as_slice() })))
}

/// GET /ask/suggested/{id}?title= — a member opened a suggestion instead of asking: count it
/// (a deflection) and show the question.
pub async fn suggested(
    state: web::Data<AppState>,
    _member: CurrentUser,
    id: web::Path<QuestionId>,
    query: web::Query<SimilarQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let draft = search::clean_query(&query.into_inner().title);
    let now = chrono::Utc::now().naive_utc();
    let target = state.db(move |conn| similar::deflect(conn, id, &draft, now)).await?;
    Ok(forms::see_other(&target))
}
