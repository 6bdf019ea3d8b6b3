//! Badge pages (`/badges`, `/badges/{slug}`) and the staff's community experts
//! (`/staff/experts`).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::badges::{experts, pages};
use crate::state::AppState;
use crate::web::visitor::{CurrentUser, Visitor};

/// `?tag=&before=`
#[derive(Deserialize)]
pub struct HoldersQuery {
    tag: Option<String>,
    before: Option<i64>,
}

/// `?tag=`
#[derive(Deserialize)]
pub struct ExpertsQuery {
    tag: Option<String>,
}

/// GET /badges — every badge by class, with how often it was awarded.
pub async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let badges = state.db(pages::index).await?;
    let mut context = Context::new();
    context.insert("description", "The badges members earn for answering well, and how often each was awarded.");
    context.insert("index", &badges);
    visitor.render(&state, "badges/index.html", context)
}

/// GET /badges/{slug} — who holds a badge, newest first (`?tag=` for a tag badge in one tag).
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<HoldersQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let HoldersQuery { tag, before } = query.into_inner();
    let page = state.db(move |conn| pages::holders(conn, &slug, tag.as_deref(), before)).await?;
    let mut context = Context::new();
    context.insert("description", &format!("{} — {}", page.badge.name, page.badge.description));
    context.insert("page", &page);
    visitor.render(&state, "badges/show.html", context)
}

/// GET /staff/experts — community experts to thank or invite, in every tag or `?tag=`.
pub async fn staff_experts(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<ExpertsQuery>,
) -> Result<HttpResponse, AppError> {
    let tag = query.into_inner().tag;
    let report = state.db(move |conn| experts::staff_report(conn, &actor, tag.as_deref())).await?;
    let mut context = Context::new();
    context.insert("report", &report);
    visitor.render_private(&state, "badges/experts.html", context)
}
