//! Question pages (`/questions`, `/questions/{id}/{slug}`): the list, and the question page
//! with its canonical URL.

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::domain::QuestionId;
use crate::error::AppError;
use crate::services::question_lists::{PageRequest, QuestionOrder};
use crate::services::{question_lists, question_page, related};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::question_page::AnswerDraft;
use crate::web::visitor::Visitor;
use crate::web::{page_cache, question_views};

/// `?sort=&page=` or `?sort=&after=` / `?sort=&before=`
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    sort: QuestionOrder,
    page: Option<i64>,
    after: Option<String>,
    before: Option<String>,
}

/// `/questions/{id}/{slug}`, the slug optional.
#[derive(Deserialize)]
pub struct QuestionPath {
    id: i64,
    slug: Option<String>,
}

/// GET /questions — every question, in the chosen order.
pub async fn list(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let ListQuery { sort, page, after, before } = query.into_inner();
    let cursor = match (after, before) {
        (Some(after), _) => question_lists::decode_cursor(sort, &after, true),
        (None, Some(before)) => question_lists::decode_cursor(sort, &before, false),
        (None, None) => None,
    };
    let request = match cursor {
        Some(cursor) => PageRequest::Seek(cursor),
        None => PageRequest::Number(page.unwrap_or(1)),
    };
    let list = state.db(move |conn| question_lists::list(conn, sort, request)).await?;
    let mut context = Context::new();
    context.insert("list", &list);
    context.insert("sort", &sort);
    context.insert("heading", "All questions");
    visitor.render(&state, "questions/list.html", context)
}

/// GET /questions/{id} and /questions/{id}/{slug} — the question page; any other slug is
/// redirected (301) to the canonical one.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<QuestionPath>,
) -> Result<HttpResponse, AppError> {
    let QuestionPath { id, slug } = path.into_inner();
    let viewer = visitor.user.clone();
    let index = state.search.index();
    let cache = Arc::clone(&state.related);
    let (page, related) = state
        .db(move |conn| {
            let page = question_page::load(conn, QuestionId(id), viewer.as_ref())?;
            let related = related::for_question(conn, &index, &cache, id, &page.title)?;
            Ok::<_, AppError>((page, related))
        })
        .await?;
    if slug.as_deref() != Some(page.slug.as_str()) {
        return Ok(forms::moved_permanently(&page.path()));
    }
    // A duplicate with nothing of its own to read sends visitors (and crawlers) to the question
    // that holds the answers; members still reach it, to see why it was closed.
    if let Some(canonical) = page.closed.as_ref().and_then(|c| c.duplicate_of.as_ref()) {
        if visitor.user.is_none() && page.answers.is_empty() {
            return Ok(forms::moved_permanently(&canonical.path));
        }
    }
    let mut view_count = page.view_count;
    let counted = match &visitor.user {
        Some(user) => question_views::count_view(&state, &format!("user:{}", user.id), id).await,
        None => question_views::count_anonymous_view(&state, &req, id).await,
    };
    if counted {
        view_count += 1;
    }
    let draft = AnswerDraft { related: &related, ..AnswerDraft::default() };
    let mut response =
        crate::web::question_page::render(&state, &visitor, &page, view_count, &FieldErrors::new(), draft)?;
    if visitor.user.is_none() {
        // A visit answered from the page cache must count as a view too.
        response.extensions_mut().insert(page_cache::CountsViewOf(id));
        response.extensions_mut().insert(page_cache::ShowsQuestion(id));
    }
    Ok(response)
}
