//! Asking (`/ask`): the form, its no-JavaScript preview, similar questions shown before posting,
//! and posting the question.

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::domain::{paths, QuestionId};
use crate::error::AppError;
use crate::services::listening;
use crate::services::questions::{self, Ask};
use crate::services::similar;
use crate::state::AppState;
use crate::web::form_guard::{self, unix_now};
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// The ask form (and its no-JavaScript preview button).
#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: String,
    /// Present when "Preview" was pressed instead of "Post".
    preview: Option<String>,
    /// Present once the member has been shown similar questions and still wants to post.
    similar_checked: Option<String>,
    /// The honeypot: people leave it empty.
    #[serde(default)]
    website: String,
    /// When the form was first shown, signed.
    form_started: Option<String>,
    /// The heard-elsewhere item this question brings home (staff), handled once it is posted.
    heard: Option<i64>,
}

/// `/ask?heard=ID`: staff bringing home an item heard elsewhere; `/ask?title=&tags=`: a question
/// begun elsewhere (the ask box of a product page) handed over to be finished here.
#[derive(Deserialize)]
pub struct AskQuery {
    heard: Option<i64>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    tags: String,
}

/// GET /ask (`?heard=ID`: with a heard-elsewhere item's text quoted, for staff; `?title=&tags=`: filled in)
pub async fn form(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<AskQuery>,
) -> Result<HttpResponse, AppError> {
    let AskQuery { heard, title, tags } = query.into_inner();
    let draft = match heard {
        Some(id) => state.db(move |conn| listening::draft(conn, &actor, id)).await?,
        None => listening::Draft { title, body: String::new() },
    };
    ask_page(
        &state,
        &visitor,
        &AskForm {
            title: draft.title,
            body: draft.body,
            tags,
            preview: None,
            similar_checked: None,
            website: String::new(),
            form_started: None,
            heard,
        },
        &AskExtras::default(),
    )
}

/// POST /ask — posts the question, or shows a preview; the first submit of a title that
/// existing questions strongly resemble shows those first instead of posting.
pub async fn submit(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: actix_session::Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<AskForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let policy = state.posting_policy();
    if form.preview.is_some() {
        let body = form.body.clone();
        let preview = state.compute(move || questions::preview_body(&body, &policy)).await?;
        let extras = AskExtras { preview: Some(preview.as_str()), ..AskExtras::default() };
        return ask_page(&state, &visitor, &form, &extras);
    }
    if let Err(refusal) = form_guard::check(&state, &form.website, form.form_started.as_deref(), unix_now()) {
        let extras = AskExtras { errors: FieldErrors::one("form", refusal.message()), ..AskExtras::default() };
        return ask_page(&state, &visitor, &form, &extras);
    }
    if form.similar_checked.is_none() {
        let (index, title) = (state.search.index(), form.title.clone());
        let cache = Arc::clone(&state.similar_titles);
        let found = state.db(move |conn| similar::ask_suggestions(conn, &index, &cache, &title)).await?;
        if found.iter().any(|s| s.strong) {
            let extras = AskExtras { suggestions: found.as_ref().clone(), ..AskExtras::default() };
            return ask_page(&state, &visitor, &form, &extras);
        }
    }
    let ask = Ask { title: form.title.clone(), body: form.body.clone(), tags: form.tags.clone() };
    let now = chrono::Utc::now().naive_utc();
    let asker = actor.clone();
    let asked = match state.compute(move || ask.prepare(&policy)).await {
        Ok(draft) => state.write(move |conn, feed| questions::ask(conn, feed, &asker, policy, draft, now)).await,
        Err(e) => Err(e),
    };
    match asked {
        Ok(question) => {
            // Only staff bring items home; anyone else's `heard` field is ignored.
            if let Some(heard) = form.heard.filter(|_| actor.role.is_staff()) {
                let question_id = question.id;
                state.db(move |conn| listening::brought_home(conn, &actor, heard, question_id, now)).await?;
            }
            if question.held_reason.is_some() {
                session::flash(&session, forms::HELD_FOR_REVIEW);
            }
            let path = paths::question(QuestionId(question.id), question.slug.as_deref());
            Ok(forms::see_other(&path))
        }
        Err(e) => {
            let extras = AskExtras { errors: FieldErrors::from_error(e)?, ..AskExtras::default() };
            ask_page(&state, &visitor, &form, &extras)
        }
    }
}

/// What the ask page shows besides the member's own text.
#[derive(Default)]
struct AskExtras<'a> {
    errors: FieldErrors,
    preview: Option<&'a str>,
    /// Existing questions resembling the title, shown above the form before posting.
    suggestions: Vec<similar::Suggestion>,
}

fn ask_page(
    state: &AppState,
    visitor: &Visitor,
    form: &AskForm,
    extras: &AskExtras<'_>,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("values", &serde_json::json!({ "title": form.title, "body": form.body, "tags": form.tags }));
    context.insert("heard", &form.heard);
    context.insert("preview", &extras.preview);
    context.insert("suggestions", &extras.suggestions);
    // A preview or a correction keeps the first stamp: the member has been at it since then.
    let stamp = match (&form.form_started, extras.errors.contains_key("form")) {
        (Some(stamp), false) => stamp.clone(),
        _ => form_guard::stamp(state, unix_now()),
    };
    context.insert("form_started", &stamp);
    // Once shown, the next submit posts whatever the suggestions were.
    context.insert("similar_checked", &(form.similar_checked.is_some() || !extras.suggestions.is_empty()));
    visitor.render_form(state, "questions/ask.html", context, &extras.errors)
}
