//! POST /preview: renders Markdown exactly as posting would, for the live preview script.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::markdown::{self, MarkdownOptions};
use crate::state::AppState;

/// The text to preview.
#[derive(Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    body: String,
}

/// POST /preview — the sanitised HTML fragment.
pub async fn render(state: web::Data<AppState>, form: web::Form<PreviewForm>) -> HttpResponse {
    let html = markdown::render_post(&form.body, &MarkdownOptions { allow_images: state.config.allow_images });
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(html.into_string())
}
