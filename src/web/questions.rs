//! Question pages: the lists, asking, and the question page with its canonical URL.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::db::models::posts::QuestionOrder;
use crate::domain::{paths, AnswerId, QuestionId};
use crate::error::AppError;
use crate::services::policy::PostingPolicy;
use crate::services::question_lists::PageRequest;
use crate::services::questions::{self, Ask};
use crate::services::{answers, question_lists, question_page, related, similar};
use crate::state::AppState;
use crate::web::answers::HELD_FOR_REVIEW;
use crate::web::form_guard::{self, unix_now};
use crate::web::forms::{self, FieldErrors};
use crate::web::visitor::{CurrentUser, Visitor};
use crate::web::{page_cache, session, structured_data};

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
        return Ok(HttpResponse::MovedPermanently().insert_header((header::LOCATION, page.path())).finish());
    }
    // A duplicate with nothing of its own to read sends visitors (and crawlers) to the question
    // that holds the answers; members still reach it, to see why it was closed.
    if let Some(canonical) = page.closed.as_ref().and_then(|c| c.duplicate_of.as_ref()) {
        if visitor.user.is_none() && page.answers.is_empty() {
            return Ok(HttpResponse::MovedPermanently()
                .insert_header((header::LOCATION, canonical.path.clone()))
                .finish());
        }
    }
    let mut view_count = page.view_count;
    let counted = match &visitor.user {
        Some(user) => count_view(&state, &format!("user:{}", user.id), id).await,
        None => count_anonymous_view(&state, &req, id).await,
    };
    if counted {
        view_count += 1;
    }
    let draft = AnswerDraft { related: &related, ..AnswerDraft::default() };
    let mut response = render_page(&state, &visitor, &page, view_count, FieldErrors::new(), draft, StatusCode::OK)?;
    if visitor.user.is_none() {
        // A visit answered from the page cache must count as a view too.
        response.extensions_mut().insert(page_cache::CountsViewOf(id));
    }
    Ok(response)
}

/// Counts an anonymous visitor's view of a question (by address and browser) unless this node
/// counted it recently; returns whether it counted.
pub async fn count_anonymous_view(state: &AppState, req: &HttpRequest, question_id: i64) -> bool {
    let visitor = format!(
        "ip:{}|{}",
        forms::client_ip(req, state.config.behind_proxy),
        req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default()
    );
    count_view(state, &visitor, question_id).await
}

/// Counts a view once per visitor per window. A failed write only loses the view: the page
/// is worth more to the visitor than the count.
async fn count_view(state: &AppState, visitor: &str, question_id: i64) -> bool {
    if !state.view_counter.is_new_view(visitor, question_id) {
        return false;
    }
    match state.db(move |conn| crate::db::models::posts::add_views(conn, question_id, 1)).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, question_id, "a view could not be counted");
            false
        }
    }
}

/// What the answer form shows again: the text typed so far and, after "Preview", its rendering.
#[derive(Default, Clone, Copy)]
pub struct AnswerDraft<'a> {
    /// The Markdown typed so far.
    pub text: &'a str,
    /// The sanitised preview of it.
    pub preview: Option<&'a str>,
    /// Related questions to list beside the page (none when re-shown after a refused answer).
    pub related: &'a [similar::Suggestion],
}

/// Renders the question page, optionally with a refused answer form.
pub fn render_page(
    state: &AppState,
    visitor: &Visitor,
    page: &question_page::QuestionPage,
    view_count: i64,
    errors: FieldErrors,
    draft: AnswerDraft<'_>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("page", page);
    context.insert("preview", &draft.preview);
    context.insert("view_count", &view_count);
    context.insert("description", &question_lists::excerpt(&page.body_markdown, 155));
    context.insert("social_title", &page.title);
    context.insert("og_type", "article");
    context.insert("errors", &errors);
    context.insert("draft", draft.text);
    let base_url = state.config.base_url_str();
    // A duplicate's wording is worth reading, but its answers live on the canonical question.
    let canonical =
        page.closed.as_ref().and_then(|c| c.duplicate_of.as_ref()).map_or_else(|| page.path(), |d| d.path.clone());
    context.insert("canonical_url", &format!("{base_url}{canonical}"));
    // Nothing useful to a searcher yet: no answer, and the community voted it down.
    context.insert("noindex", &(page.answers.is_empty() && page.question.score < 0));
    // Structured data describes a page where answers can be given; closed or locked ones are not.
    let open = page.closed.is_none() && !page.locked;
    context.insert("structured_data", &open.then(|| structured_data::qa_page(page, base_url)));
    context.insert("related", draft.related);
    visitor.render_with_status(state, "questions/show.html", context, status)
}

/// GET /a/{id} — an answer's permalink: 301 to its anchor on the question page.
pub async fn answer_permalink(state: web::Data<AppState>, id: web::Path<AnswerId>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (answer, question) = state.db(move |conn| answers::find_answer(conn, id)).await?;
    let location = paths::answer_on_page(QuestionId(question.id), question.slug.as_deref(), AnswerId(answer.id));
    Ok(HttpResponse::MovedPermanently().insert_header((header::LOCATION, location)).finish())
}

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
}

/// GET /ask
pub async fn ask_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    _user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    ask_page(
        &state,
        &visitor,
        &AskForm {
            title: String::new(),
            body: String::new(),
            tags: String::new(),
            preview: None,
            similar_checked: None,
            website: String::new(),
            form_started: None,
        },
        &AskExtras::default(),
        StatusCode::OK,
    )
}

/// POST /ask — posts the question, or shows a preview; the first submit of a title that
/// existing questions strongly resemble shows those first instead of posting.
pub async fn ask_submit(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: actix_session::Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<AskForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let policy = PostingPolicy::from_config(&state.config);
    if form.preview.is_some() {
        let body = form.body.clone();
        let preview = state.compute(move || questions::preview_body(&body, &policy)).await?;
        let extras = AskExtras { preview: Some(preview.as_str()), ..AskExtras::default() };
        return ask_page(&state, &visitor, &form, &extras, StatusCode::OK);
    }
    if let Err(refusal) = form_guard::check(&state, &form.website, form.form_started.as_deref(), unix_now()) {
        let extras = AskExtras { errors: forms::one_error("form", refusal.message()), ..AskExtras::default() };
        return ask_page(&state, &visitor, &form, &extras, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if form.similar_checked.is_none() {
        let (index, title) = (state.search.index(), form.title.clone());
        let cache = Arc::clone(&state.similar_titles);
        let found = state.db(move |conn| similar::ask_suggestions(conn, &index, &cache, &title)).await?;
        if found.iter().any(|s| s.strong) {
            let extras = AskExtras { suggestions: found.as_ref().clone(), ..AskExtras::default() };
            return ask_page(&state, &visitor, &form, &extras, StatusCode::OK);
        }
    }
    let ask = Ask { title: form.title.clone(), body: form.body.clone(), tags: form.tags.clone() };
    let now = chrono::Utc::now().naive_utc();
    let asked = match state.compute(move || ask.prepare(&policy)).await {
        Ok(draft) => state.write(move |conn, feed| questions::ask(conn, feed, &actor, policy, draft, now)).await,
        Err(e) => Err(e),
    };
    match asked {
        Ok(question) => {
            if question.held_reason.is_some() {
                session::flash(&session, HELD_FOR_REVIEW);
            }
            let path = paths::question(QuestionId(question.id), question.slug.as_deref());
            Ok(forms::see_other(&path))
        }
        Err(e) => {
            let extras = AskExtras { errors: forms::field_errors(e)?, ..AskExtras::default() };
            ask_page(&state, &visitor, &form, &extras, StatusCode::UNPROCESSABLE_ENTITY)
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
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("values", &serde_json::json!({ "title": form.title, "body": form.body, "tags": form.tags }));
    context.insert("errors", &extras.errors);
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
    visitor.render_with_status(state, "questions/ask.html", context, status)
}
