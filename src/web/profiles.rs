//! Public profiles: who someone is, and what they asked and answered.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::db::models::{posts, users};
use crate::domain::{paths, AnswerId, PostKind, UserId};
use crate::error::AppError;
use crate::services::question_lists::{self, excerpt};
use crate::services::question_page::author_view;
use crate::services::questions::slugify;
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// How many of each kind a profile lists.
const RECENT: i64 = 20;

/// `/users/{id}/{slug}`, the slug optional.
#[derive(Deserialize)]
pub struct ProfilePath {
    id: i64,
    slug: Option<String>,
}

/// An answer on a profile.
#[derive(serde::Serialize)]
struct AnswerLine {
    path: String,
    question_title: String,
    score: i32,
    excerpt: String,
    created_at: chrono::NaiveDateTime,
}

/// GET /users/{id}/{slug}
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<ProfilePath>,
) -> Result<HttpResponse, AppError> {
    let ProfilePath { id, slug } = path.into_inner();
    let (user, questions, answers) = state
        .db(move |conn| {
            let user = users::find(conn, id)?.ok_or(AppError::NotFound)?;
            let asked = posts::by_author(conn, id, PostKind::Question, RECENT)?;
            let questions = question_lists::summarize(conn, asked, 1)?;
            let answer_rows = posts::by_author(conn, id, PostKind::Answer, RECENT)?;
            let question_ids: Vec<i64> = answer_rows.iter().filter_map(|a| a.question_id).collect();
            let titles: std::collections::HashMap<i64, (String, String)> = posts::visible_titles(conn, &question_ids)?
                .into_iter()
                .map(|(id, title, slug)| (id, (title.unwrap_or_default(), slug.unwrap_or_default())))
                .collect();
            let answers: Vec<AnswerLine> = answer_rows
                .iter()
                .filter_map(|a| {
                    let (title, _) = titles.get(&a.question_id?)?;
                    Some(AnswerLine {
                        path: paths::answer_permalink(AnswerId(a.id)),
                        question_title: title.clone(),
                        score: a.score,
                        excerpt: excerpt(&a.body_markdown, 160),
                        created_at: a.created_at,
                    })
                })
                .collect();
            Ok::<_, AppError>((user, questions, answers))
        })
        .await?;
    let canonical = slugify(&user.username);
    if slug.as_deref() != Some(canonical.as_str()) {
        let location = paths::profile(UserId(user.id), &user.username);
        return Ok(HttpResponse::MovedPermanently().insert_header((header::LOCATION, location)).finish());
    }
    let mut context = Context::new();
    let profile = author_view(&user);
    context.insert("social_title", &profile.display_name);
    context.insert(
        "description",
        &format!("{} on {}: questions asked and answers given.", profile.display_name, state.config.site_name),
    );
    context.insert("profile", &profile);
    context.insert("username", &user.username);
    context.insert("member_since", &user.created_at);
    context.insert("questions", &questions.questions);
    context.insert("answers", &answers);
    visitor.render(&state, "users/show.html", context)
}
