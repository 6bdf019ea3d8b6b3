//! Answering, accepting, voting and commenting: the actions on a question page. Each ends with
//! a 303 back to the page (post/redirect/get), or JSON for scripts that ask for it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::{paths, AnswerId, PostId, QuestionId};
use crate::error::AppError;
use crate::services::answers::{self, Acceptance};
use crate::services::policy::PostingPolicy;
use crate::services::voting::{self, VoteValue};
use crate::services::{commenting, question_page, questions};
use crate::state::AppState;
use crate::web::forms;
use crate::web::questions::{render_page, AnswerDraft};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// A form with one Markdown body (answers, comments).
#[derive(Deserialize)]
pub struct BodyForm {
    #[serde(default)]
    body: String,
    /// Present when "Preview" was pressed instead of "Post".
    preview: Option<String>,
    /// Staff: "Post as official answer" (a checkbox, checked by default for them).
    official: Option<String>,
}

/// The vote form.
#[derive(Deserialize)]
pub struct VoteForm {
    value: String,
}

/// Told to a new member whose post waits for a moderator.
pub const HELD_FOR_REVIEW: &str =
    "Thanks! Because you are new here and your post has links, a moderator will check it \
     before others can see it. Until then only you and the moderators see it.";

/// POST /questions/{id}/answers
pub async fn post_answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    id: web::Path<QuestionId>,
    form: web::Form<BodyForm>,
) -> Result<HttpResponse, AppError> {
    let question_id = id.into_inner();
    let BodyForm { body, preview, official } = form.into_inner();
    let official = official.is_some();
    let draft = body.clone();
    let policy = PostingPolicy::from_config(&state.config);
    if preview.is_some() {
        let html = state.compute(move || questions::preview_body(&body, &policy)).await?;
        let page = state.db(move |conn| question_page::load(conn, question_id, Some(&actor))).await?;
        let draft = AnswerDraft { text: &draft, preview: Some(html.as_str()), related: &[] };
        return render_page(&state, &visitor, &page, page.view_count, forms::FieldErrors::new(), draft, StatusCode::OK);
    }
    let now = chrono::Utc::now().naive_utc();
    let author = actor.clone();
    let posted = match state.compute(move || questions::prepare_body(&body, &policy)).await {
        Ok(body) => {
            let form = answers::AnswerForm { body, official };
            state
                .write(move |conn, feed| answers::post_answer(conn, feed, &author, policy, question_id, form, now))
                .await
        }
        Err(e) => Err(e),
    };
    match posted {
        Ok(answer) if forms::accepts_json(&req) => Ok(HttpResponse::Created()
            .json(serde_json::json!({ "answer_id": answer.id, "url": paths::answer_permalink(AnswerId(answer.id)) }))),
        Ok(answer) if answer.held_reason.is_some() => {
            session::flash(&actix_session::SessionExt::get_session(&req), HELD_FOR_REVIEW);
            Ok(forms::see_other(&paths::answer_by_question_id(question_id, AnswerId(answer.id))))
        }
        Ok(answer) => Ok(forms::see_other(&paths::answer_permalink(AnswerId(answer.id)))),
        Err(e) if forms::accepts_json(&req) => Err(e),
        Err(e) => {
            let errors = forms::field_errors(e)?;
            let page = state.db(move |conn| question_page::load(conn, question_id, Some(&actor))).await?;
            let draft = AnswerDraft { text: &draft, preview: None, related: &[] };
            render_page(&state, &visitor, &page, page.view_count, errors, draft, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// POST /answers/{id}/accept — accepts the answer, or withdraws acceptance if it was accepted.
pub async fn accept(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<AnswerId>,
) -> Result<HttpResponse, AppError> {
    let answer_id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let (question, outcome) =
        state.write(move |conn, feed| answers::toggle_accept(conn, feed, &actor, answer_id, now)).await?;
    if forms::accepts_json(&req) {
        return Ok(HttpResponse::Ok().json(serde_json::json!({
            "answer_id": answer_id, "accepted": outcome == Acceptance::Accepted
        })));
    }
    let message = match outcome {
        Acceptance::Accepted => "You accepted this answer.",
        Acceptance::Withdrawn => "You withdrew your acceptance.",
    };
    session::flash(&actix_session::SessionExt::get_session(&req), message);
    Ok(forms::see_other(&paths::answer_on_page(QuestionId(question.id), question.slug.as_deref(), answer_id)))
}

/// POST /posts/{id}/vote — `value` up, down or none.
pub async fn vote(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<PostId>,
    form: web::Form<VoteForm>,
) -> Result<HttpResponse, AppError> {
    let post_id = id.into_inner();
    let value = VoteValue::parse(&form.value)?;
    let policy = PostingPolicy::from_config(&state.config);
    let now = chrono::Utc::now().naive_utc();
    let outcome = state.write(move |conn, feed| voting::vote(conn, feed, &actor, policy, post_id, value, now)).await?;
    if forms::accepts_json(&req) {
        return Ok(HttpResponse::Ok().json(outcome));
    }
    Ok(back_to_post(outcome.question_id, post_id))
}

/// POST /posts/{id}/comments
pub async fn comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<PostId>,
    form: web::Form<BodyForm>,
) -> Result<HttpResponse, AppError> {
    let post_id = id.into_inner();
    let body = form.into_inner().body;
    let policy = PostingPolicy::from_config(&state.config);
    let now = chrono::Utc::now().naive_utc();
    match state.write(move |conn, feed| commenting::add_comment(conn, feed, &actor, policy, post_id, &body, now)).await
    {
        Ok(question_id) if forms::accepts_json(&req) => {
            Ok(HttpResponse::Created().json(serde_json::json!({ "post_id": post_id, "question_id": question_id })))
        }
        Ok(question_id) => Ok(back_to_post(question_id, post_id)),
        Err(e) if forms::accepts_json(&req) => Err(e),
        Err(AppError::Service(crate::services::ServiceError::Invalid { reason, .. })) => {
            // The comment box is small; say what was wrong above it and keep the page.
            session::flash(&actix_session::SessionExt::get_session(&req), &format!("Comment not added: {reason}"));
            let question_id = state
                .db(move |conn| crate::db::models::posts::find(conn, post_id.get()))
                .await?
                .map(|p| p.question_id.unwrap_or(p.id))
                .ok_or(AppError::NotFound)?;
            Ok(back_to_post(question_id, post_id))
        }
        Err(e) => Err(e),
    }
}

/// A 303 to a post's place on its question page (the question redirects to its canonical URL).
fn back_to_post(question_id: i64, post_id: PostId) -> HttpResponse {
    let question_id = QuestionId(question_id);
    if question_id.get() == post_id.get() {
        forms::see_other(&format!("{}#question", paths::question_by_id(question_id)))
    } else {
        forms::see_other(&paths::answer_by_question_id(question_id, AnswerId(post_id.get())))
    }
}
