//! Public profiles (`/users/{id}/{slug}`): who someone is, and what they asked and answered.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::domain::{paths, UserId};
use crate::error::AppError;
use crate::services::profiles;
use crate::services::questions::slugify;
use crate::state::AppState;
use crate::web::forms;
use crate::web::visitor::Visitor;

/// `/users/{id}/{slug}`, the slug optional.
#[derive(Deserialize)]
pub struct ProfilePath {
    id: i64,
    slug: Option<String>,
}

/// GET /users/{id}/{slug}
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<ProfilePath>,
) -> Result<HttpResponse, AppError> {
    let ProfilePath { id, slug } = path.into_inner();
    let profile = state.db(move |conn| profiles::load(conn, id)).await?.ok_or(AppError::NotFound)?;
    let canonical = slugify(&profile.username);
    if slug.as_deref() != Some(canonical.as_str()) {
        return Ok(forms::moved_permanently(&paths::profile(UserId(profile.user_id), &profile.username)));
    }
    let mut context = Context::new();
    let author = &profile.author;
    context.insert("social_title", &author.display_name);
    context.insert(
        "description",
        &format!("{} on {}: questions asked and answers given.", author.display_name, state.settings().site_name),
    );
    context.insert("profile", author);
    context.insert("username", &profile.username);
    context.insert("member_since", &profile.member_since);
    context.insert("questions", &profile.questions);
    context.insert("answers", &profile.answers);
    visitor.render(&state, "users/show.html", context)
}

/// `?before=` on the reputation page: the ledger row the page continues before.
#[derive(Deserialize)]
pub struct LedgerPage {
    before: Option<i64>,
}

/// GET /users/{id}/{slug}/reputation: what the member's reputation is made of.
pub async fn reputation(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<ProfilePath>,
    page: web::Query<LedgerPage>,
) -> Result<HttpResponse, AppError> {
    let ProfilePath { id, slug } = path.into_inner();
    let before = page.into_inner().before;
    let profiles::ReputationPage { author, username, lines, next } =
        state.db(move |conn| profiles::reputation(conn, id, before)).await?.ok_or(AppError::NotFound)?;
    let canonical = slugify(&username);
    if slug.as_deref() != Some(canonical.as_str()) {
        let path = format!("{}/reputation", paths::profile(UserId(author.id), &username));
        return Ok(forms::moved_permanently(&path));
    }
    let mut context = Context::new();
    context.insert("social_title", &format!("{} — reputation", author.display_name));
    context.insert("profile", &author);
    context.insert("username", &username);
    context.insert("lines", &lines);
    context.insert("next", &next);
    context.insert("first_page", &before.is_none());
    visitor.render(&state, "users/reputation.html", context)
}
