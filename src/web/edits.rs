//! Editing a post, and its revision history.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::domain::{paths, AnswerId, PostId, QuestionId};
use crate::error::AppError;
use crate::services::editing::Post;
use crate::services::editing::{self, PostEdit};
use crate::services::suggested_edits::{self, EditAccess, EditOutcome};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// What a member below the edit privilege reads after suggesting an edit.
const SUGGESTED: &str = "Thank you. Your edit waits for review: the post changes once a reviewer approves it.";

/// The edit form.
#[derive(Deserialize)]
pub struct EditForm {
    title: Option<String>,
    tags: Option<String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    reason: String,
}

/// GET /posts/{id}/edit
pub async fn form(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let policy = state.posting_policy();
    let (post, access) = state.db(move |conn| suggested_edits::edit_access(conn, &actor, &policy, id)).await?;
    let values = serde_json::json!({
        "title": post.title, "tags": post.tags, "body": post.body_markdown, "reason": ""
    });
    page(&state, &visitor, &post, access, values, &FieldErrors::new())
}

/// POST /posts/{id}/edit
pub async fn submit(
    state: web::Data<AppState>,
    session: actix_session::Session,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    id: web::Path<PostId>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let values =
        serde_json::json!({ "title": form.title, "tags": form.tags, "body": form.body, "reason": form.reason });
    let edit = PostEdit { title: form.title, tags: form.tags, body: form.body, reason: form.reason };
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let editor = actor.clone();
    let edited = match state.compute(move || edit.prepare(&policy)).await {
        Ok(draft) => {
            state
                .write(move |conn, feed| suggested_edits::edit_or_suggest(conn, feed, &editor, policy, id, draft, now))
                .await
        }
        Err(e) => Err(e),
    };
    match edited {
        Ok(EditOutcome::Suggested(post)) => {
            session::flash(&session, SUGGESTED);
            Ok(forms::see_other(&post_location(&post)))
        }
        Ok(EditOutcome::Edited(post)) if post.held_reason.is_some() => {
            session::flash(&session, forms::HELD_FOR_REVIEW);
            // A held answer has no public permalink yet; its author sees it on the question page.
            let location = match post.question_id {
                Some(question_id) => paths::answer_by_question_id(QuestionId(question_id), AnswerId(post.id)),
                None => post_location(&post),
            };
            Ok(forms::see_other(&location))
        }
        Ok(EditOutcome::Edited(post)) => Ok(forms::see_other(&post_location(&post))),
        Err(e) => {
            let errors = FieldErrors::from_error(e)?;
            let (post, access) = state.db(move |conn| suggested_edits::edit_access(conn, &actor, &policy, id)).await?;
            page(&state, &visitor, &post, access, values, &errors)
        }
    }
}

/// GET /posts/{id}/revisions — every version, newest first, with what changed.
pub async fn revisions(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (post, history, editors) = state.db(move |conn| editing::history_page(conn, id)).await?;
    let mut context = Context::new();
    context.insert("post_id", &post.id);
    context.insert("is_question", &post.is_question());
    context.insert("post_path", &post_location(&post));
    let history: Vec<serde_json::Value> =
        history.iter().map(|r| serde_json::json!({ "rev": r, "editor": editors.get(&r.editor_id) })).collect();
    context.insert("history", &history);
    context.insert("title", &post.title);
    visitor.render(&state, "posts/revisions.html", context)
}

fn post_location(post: &Post) -> String {
    match post.question_id {
        Some(_) => paths::answer_permalink(AnswerId(post.id)),
        None => paths::question(QuestionId(post.id), post.slug.as_deref()),
    }
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    post: &Post,
    access: EditAccess,
    values: serde_json::Value,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("access", &access);
    context.insert("post_id", &post.id);
    context.insert("is_question", &post.is_question());
    context.insert("post_path", &post_location(post));
    context.insert("values", &values);
    visitor.render_form(state, "posts/edit.html", context, errors)
}
