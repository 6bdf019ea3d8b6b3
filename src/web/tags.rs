//! Tag pages (`/tags`, `/tags/{name}`): the popular tags, and one tag's questions.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::badges::experts;
use crate::services::question_lists::{self, QuestionOrder};
use crate::services::{tags, topics, ServiceError};
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// `?filter=&page=`
#[derive(Deserialize)]
pub struct TagsQuery {
    filter: Option<String>,
    page: Option<i64>,
}

/// `?after=` or `?before=`
#[derive(Deserialize)]
pub struct PageQuery {
    after: Option<String>,
    before: Option<String>,
}

/// GET /tags — popular tags with their question counts, filterable by name.
pub async fn index(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<TagsQuery>,
) -> Result<HttpResponse, AppError> {
    let TagsQuery { filter, page } = query.into_inner();
    let page = page.unwrap_or(1).clamp(1, 1_000);
    let prefix = filter.clone();
    let found = state.db(move |conn| tags::popular(conn, prefix.as_deref(), page)).await?;
    let mut context = Context::new();
    context.insert("tags", &found.tags);
    context.insert("filter", &filter.unwrap_or_default());
    context.insert("page", &page);
    context.insert("has_next", &found.has_next);
    visitor.render(&state, "tags/index.html", context)
}

/// GET /tags/{name} — the tag's questions, newest first.
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    name: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner().to_lowercase();
    let PageQuery { after, before } = query.into_inner();
    let cursor = match (after, before) {
        (Some(after), _) => question_lists::decode_cursor(QuestionOrder::Newest, &after, true),
        (None, Some(before)) => question_lists::decode_cursor(QuestionOrder::Newest, &before, false),
        (None, None) => None,
    };
    let viewer = visitor.user.clone();
    let (tag, list, topic, experts) = state
        .db(move |conn| {
            let Some((tag, list)) = tags::tagged(conn, &name, cursor)? else { return Ok::<_, ServiceError>(None) };
            let topic = topics::panel(conn, &tag, viewer.as_ref())?;
            let experts = experts::of_tag(conn, tag.id)?;
            Ok(Some((tag, list, topic, experts)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let mut context = Context::new();
    let about = match &tag.description {
        Some(text) if !text.trim().is_empty() => format!(" {}", text.trim()),
        _ => String::new(),
    };
    context.insert(
        "description",
        &format!(
            "{} questions about {}, answered by the {} community and staff.{about}",
            tag.question_count,
            tag.name,
            state.settings().site_name
        ),
    );
    context.insert("social_title", &format!("Questions about {}", tag.name));
    context.insert("tag", &tag);
    context.insert("list", &list);
    context.insert("topic", &topic);
    context.insert("experts", &experts);
    visitor.render(&state, "tags/show.html", context)
}
