//! POST /preview: renders Markdown exactly as posting would, for the live preview script.
//!
//! Only members write posts, so only members may preview; rendering is CPU work, so it runs on
//! the blocking pool, on text no longer than a post may be, within the member's budget of costly
//! requests.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::error::AppError;
use crate::services::questions;
use crate::state::AppState;
use crate::web::request_budget::CostlyRequest;
use crate::web::visitor::CurrentUser;

/// The text to preview.
#[derive(Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    body: String,
}

/// POST /preview — the sanitised HTML fragment.
pub async fn render(
    state: web::Data<AppState>,
    _member: CurrentUser,
    _budget: CostlyRequest,
    form: web::Form<PreviewForm>,
) -> Result<HttpResponse, AppError> {
    let policy = state.posting_policy();
    let body = form.into_inner().body;
    let html = state.compute(move || questions::preview_body(&body, &policy)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(html.into_string()))
}
