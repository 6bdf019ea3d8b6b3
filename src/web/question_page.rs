//! Drawing the question page, shared by the handlers that show it (`/questions/{id}`) and those
//! that show it again around a refused or previewed answer (`/questions/{id}/answers`), and the
//! redirect back to a post's place on it. Holds no handler, so handler modules need not import
//! one another.

use actix_web::HttpResponse;
use tera::Context;

use crate::domain::{paths, AnswerId, PostId, QuestionId};
use crate::error::AppError;
use crate::services::{question_lists, question_page, similar};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::structured_data;
use crate::web::visitor::Visitor;

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

/// Renders the question page, with the answer form's messages (none, or why an answer was
/// refused, which also decides the page's status).
pub fn render(
    state: &AppState,
    visitor: &Visitor,
    page: &question_page::QuestionPage,
    view_count: i64,
    errors: &FieldErrors,
    draft: AnswerDraft<'_>,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("page", page);
    context.insert("preview", &draft.preview);
    context.insert("view_count", &view_count);
    context.insert("description", &question_lists::excerpt(&page.body_markdown, 155));
    context.insert("social_title", &page.title);
    context.insert("og_type", "article");
    context.insert("draft", draft.text);
    let base_url = state.config.base_url_str();
    // A duplicate's wording is worth reading, but its answers live on the canonical question.
    let canonical =
        page.closed.as_ref().and_then(|c| c.duplicate_of.as_ref()).map_or_else(|| page.path(), |d| d.path.clone());
    context.insert("canonical_url", &format!("{base_url}{canonical}"));
    // oEmbed discovery and the share card: chat apps and other sites show the answer itself.
    let page_url = format!("{base_url}{}", page.path());
    let oembed_query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("url", &page_url)
        .append_pair("format", "json")
        .finish();
    context.insert("oembed_url", &format!("{base_url}/oembed?{oembed_query}"));
    context.insert("og_image", &format!("{base_url}/cards/questions/{}.png", page.id));
    // Nothing useful to a searcher yet: no answer, and the community voted it down.
    context.insert("noindex", &(page.answers.is_empty() && page.question.score < 0));
    // Structured data describes a page where answers can be given; closed or locked ones are not.
    let open = page.closed.is_none() && !page.locked;
    context.insert("structured_data", &open.then(|| structured_data::qa_page(page, base_url)));
    context.insert("related", draft.related);
    visitor.render_form(state, "questions/show.html", context, errors)
}

/// A 303 to a post's place on its question page (the question redirects to its canonical URL).
pub fn back_to_post(question_id: i64, post_id: PostId) -> HttpResponse {
    let question_id = QuestionId(question_id);
    if question_id.get() == post_id.get() {
        forms::see_other(&format!("{}#question", paths::question_by_id(question_id)))
    } else {
        forms::see_other(&paths::answer_by_question_id(question_id, AnswerId(post_id.get())))
    }
}
