//! Atom feeds: the newest questions (all, or one tag's), a question's answers and the official
//! answers. Each is rendered from `templates/feeds/atom.xml`, cached publicly for five minutes and
//! revalidated by an ETag, so a feed reader polling every few minutes mostly gets a 304.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use tera::Context;

use crate::domain::QuestionId;
use crate::error::AppError;
use crate::services::feeds::{self, Feed, Site};
use crate::state::AppState;

/// The Atom media type.
pub const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";
/// Feeds may be kept by any cache for five minutes.
const CACHE_CONTROL: &str = "public, max-age=300";

/// GET /feeds/questions.atom — the newest questions.
pub async fn newest_questions(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let site = site(&state);
    let feed = state.db(move |conn| feeds::newest_questions(conn, &site)).await?;
    respond(&state, &req, &feed)
}

/// GET /feeds/tags/{name}.atom — the newest questions with a tag.
pub async fn tagged(
    state: web::Data<AppState>,
    req: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (site, name) = (site(&state), name.into_inner());
    let feed = state.db(move |conn| feeds::tagged_questions(conn, &site, &name)).await?;
    respond(&state, &req, &feed)
}

/// GET /feeds/questions/{id}.atom — a question's newest answers (410 once it is deleted).
pub async fn answers(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<QuestionId>,
) -> Result<HttpResponse, AppError> {
    let (site, id) = (site(&state), id.into_inner());
    let feed = state.db(move |conn| feeds::answers_to(conn, &site, id)).await?;
    respond(&state, &req, &feed)
}

/// GET /feeds/official.atom — the newest official answers.
pub async fn official(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let site = site(&state);
    let feed = state.db(move |conn| feeds::official_answers(conn, &site)).await?;
    respond(&state, &req, &feed)
}

fn site(state: &AppState) -> Site {
    Site { base_url: state.config.base_url_str().to_owned(), name: state.settings().site_name.clone() }
}

/// Renders a feed, or answers 304 when the reader already holds this very body.
fn respond(state: &AppState, req: &HttpRequest, feed: &Feed) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("feed", feed);
    context.insert("base_url", state.config.base_url_str());
    let body = state.templates.render("feeds/atom.xml", &context)?;
    let etag = etag_of(body.as_bytes());
    let cached = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    if cached.is_some_and(|list| none_match_hits(list, &etag)) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .body(body))
}

/// A strong ETag: the first 128 bits of the body's SHA-256, in hex, quoted.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether an `If-None-Match` list names `etag` (or is `*`). RFC 9110 compares these weakly, so a
/// `W/` prefix a proxy may have added does not matter.
pub fn none_match_hits(list: &str, etag: &str) -> bool {
    list.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists() {
        let etag = etag_of(b"<feed/>");
        assert_eq!(etag.len(), 34);
        assert!(none_match_hits(&etag, &etag));
        assert!(none_match_hits(&format!("\"other\", W/{etag}"), &etag));
        assert!(none_match_hits("*", &etag));
        assert!(!none_match_hits("\"other\"", &etag));
        assert!(!none_match_hits("", &etag));
    }
}
