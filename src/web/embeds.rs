//! The pages other sites frame (`/embed/...`): a question or an answer as a compact card, and
//! the ask box for product pages. They read no session and set no cookie, so every visitor gets
//! the same page and caches may keep it; `security::headers` lets only the origins the admin
//! lists frame them.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::domain::{AnswerId, QuestionId};
use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::embeds::{self, Embedded};
use crate::services::{search, similar};
use crate::state::AppState;
use crate::web::{forms, http_cache, page_cache, request_budget};

/// The look an embedding page asks for; the visitor's own preference when it names none.
#[derive(Deserialize, Default)]
pub struct Look {
    /// `light` or `dark`.
    theme: Option<String>,
}

impl Look {
    /// The class the page's root element takes, if the host asked for a fixed theme.
    fn class(&self) -> Option<&'static str> {
        match self.theme.as_deref() {
            Some("light") => Some("theme-light"),
            Some("dark") => Some("theme-dark"),
            _ => None,
        }
    }
}

/// GET /embed/questions/{id}
pub async fn question(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<QuestionId>,
    look: web::Query<Look>,
) -> Result<HttpResponse, AppError> {
    card_page(&state, &req, Embedded::Question(id.into_inner()), &look).await
}

/// GET /embed/answers/{id}
pub async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<AnswerId>,
    look: web::Query<Look>,
) -> Result<HttpResponse, AppError> {
    card_page(&state, &req, Embedded::Answer(id.into_inner()), &look).await
}

async fn card_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    embedded: Embedded,
    look: &Look,
) -> Result<HttpResponse, AppError> {
    let card = state.db(move |conn| embeds::load(conn, embedded)).await?;
    let mut context = Context::new();
    context.insert("card", &card);
    context.insert("answer_only", &matches!(embedded, Embedded::Answer(_)));
    let question = card.question_id;
    let mut response = render(state, req, "embed/card.html", context, look)?;
    response.extensions_mut().insert(page_cache::ShowsQuestion(question));
    Ok(response)
}

/// The ask box's query: the tags the product page names, and the title typed so far.
#[derive(Deserialize, Default)]
pub struct AskBoxQuery {
    /// Space- or comma-separated tags the new question gets.
    #[serde(default)]
    tags: String,
    /// The title typed (sent by the form without JavaScript, and by the script as one types).
    #[serde(default)]
    title: String,
    /// `light` or `dark`.
    theme: Option<String>,
}

/// Tags an ask box may carry (more are dropped; the ask form checks each anyway).
const MAX_ASK_BOX_TAGS: usize = 5;

/// A suggestion in the ask box, with the answer that may already solve it.
#[derive(serde::Serialize)]
struct AskBoxSuggestion {
    #[serde(flatten)]
    found: embeds::Answered,
    /// Where opening it goes: counted as a deflection, then on to the question.
    opened: String,
}

/// GET /embed/ask?tags=&title= — the ask box: a title field, the existing questions resembling
/// what was typed with their official (or accepted) answers, and the hand-over to `/ask`.
pub async fn ask_box(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<AskBoxQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let title = search::clean_query(&query.title);
    let tags: Vec<String> = query
        .tags
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .take(MAX_ASK_BOX_TAGS)
        .map(str::to_lowercase)
        .collect();
    let looked_up = title.trim().chars().count() >= similar::MIN_TITLE_CHARS;
    let suggestions = if !looked_up {
        Vec::new()
    } else {
        // A look-up costs a search: counted like the ask form's own as-you-type requests.
        state.rate_limits.check(Limit::HeavyPerClient, &request_budget::client_key(&req, &state))?;
        let (index, cache, typed) = (state.search.index(), std::sync::Arc::clone(&state.similar_titles), title.clone());
        let found = state.db(move |conn| embeds::suggestions_with_answers(conn, &index, &cache, &typed)).await?;
        let typed = query_of(&[("title", &title)]);
        found
            .into_iter()
            .map(|found| {
                let opened = format!("/embed/ask/opened/{}?{typed}", found.question.id);
                AskBoxSuggestion { found, opened }
            })
            .collect()
    };
    let mut context = Context::new();
    context.insert("title", &title);
    context.insert("tags", &tags.join(" "));
    context.insert("looked_up", &looked_up);
    context.insert("suggestions", &suggestions);
    context.insert("ask_url", &format!("/ask?{}", query_of(&[("title", &title), ("tags", &tags.join(" "))])));
    let look = Look { theme: query.theme };
    // Kept through the form, which works without JavaScript too.
    context.insert("theme", &look.class().and(look.theme.as_deref()));
    render(&state, &req, "embed/ask.html", context, &look)
}

/// The ask box's look-up of a suggestion that was opened: which question and the title typed.
#[derive(Deserialize)]
pub struct OpenedQuery {
    #[serde(default)]
    title: String,
}

/// GET /embed/ask/opened/{id}?title= — a customer opened a suggestion instead of asking: count
/// it (a deflection, as on `/ask`) and go to the question.
pub async fn opened(
    state: web::Data<AppState>,
    _budget: request_budget::CostlyRequest,
    id: web::Path<QuestionId>,
    query: web::Query<OpenedQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let draft = search::clean_query(&query.into_inner().title);
    let now = chrono::Utc::now().naive_utc();
    let target = state.db(move |conn| similar::deflect(conn, id, &draft, now)).await?;
    Ok(forms::see_other(&target))
}

/// `name=value&...`, form-encoded.
fn query_of(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// Renders an embed page: its own small layout, public and cacheable like anonymous pages.
fn render(
    state: &AppState,
    req: &HttpRequest,
    template: &str,
    mut context: Context,
    look: &Look,
) -> Result<HttpResponse, AppError> {
    let site = state.settings();
    context.insert("site_name", &site.site_name);
    context.insert("theme_css", &site.custom_accent().map(|accent| format!("/theme.css?accent={}", &accent[1..])));
    context.insert("base_url", state.config.base_url_str());
    context.insert("theme_class", &look.class());
    let html = state.templates.render(template, &context)?;
    Ok(http_cache::public_html(req, actix_web::http::StatusCode::OK, html))
}
