//! Answers (`/questions/{id}/answers`, `/answers/{id}/accept`, `/a/{id}`): posting one,
//! accepting one, and an answer's permalink. Each action ends with a 303 back to the page
//! (post/redirect/get), or JSON for scripts that ask for it.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::{paths, AnswerId, QuestionId};
use crate::error::AppError;
use crate::services::answers::{self, Acceptance};
use crate::services::question_page as question_page_service;
use crate::services::questions;
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::question_page::{self, AnswerDraft};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// The answer form.
#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    body: String,
    /// Present when "Preview" was pressed instead of "Post".
    preview: Option<String>,
    /// Staff: "Post as official answer" (a checkbox, checked by default for them).
    official: Option<String>,
}

/// POST /questions/{id}/answers
pub async fn post_answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    id: web::Path<QuestionId>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let question_id = id.into_inner();
    let AnswerForm { body, preview, official } = form.into_inner();
    let official = official.is_some();
    let draft = body.clone();
    let policy = state.posting_policy();
    if preview.is_some() {
        let html = state.compute(move || questions::preview_body(&body, &policy)).await?;
        let page = state.db(move |conn| question_page_service::load(conn, question_id, Some(&actor))).await?;
        let draft = AnswerDraft { text: &draft, preview: Some(html.as_str()), related: &[] };
        return question_page::render(&state, &visitor, &page, page.view_count, &FieldErrors::new(), draft);
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
        Ok(answer) if forms::accepts_json(&req) => Ok(forms::created(
            &serde_json::json!({ "answer_id": answer.id, "url": paths::answer_permalink(AnswerId(answer.id)) }),
        )),
        Ok(answer) if answer.held_reason.is_some() => {
            session::flash(&actix_session::SessionExt::get_session(&req), forms::HELD_FOR_REVIEW);
            Ok(forms::see_other(&paths::answer_by_question_id(question_id, AnswerId(answer.id))))
        }
        Ok(answer) => Ok(forms::see_other(&paths::answer_permalink(AnswerId(answer.id)))),
        Err(e) if forms::accepts_json(&req) => Err(e),
        Err(e) => {
            let errors = FieldErrors::from_error(e)?;
            let page = state.db(move |conn| question_page_service::load(conn, question_id, Some(&actor))).await?;
            let draft = AnswerDraft { text: &draft, preview: None, related: &[] };
            question_page::render(&state, &visitor, &page, page.view_count, &errors, draft)
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

/// GET /a/{id} — an answer's permalink: 301 to its anchor on the question page.
pub async fn permalink(state: web::Data<AppState>, id: web::Path<AnswerId>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (answer, question) = state.db(move |conn| answers::find_answer(conn, id)).await?;
    let location = paths::answer_on_page(QuestionId(question.id), question.slug.as_deref(), AnswerId(answer.id));
    Ok(forms::moved_permanently(&location))
}
