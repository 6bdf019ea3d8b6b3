//! What every page's layout needs (site name, CSRF token, current path), and the one function
//! that renders a page template into a response.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::Datelike;
use tera::Context;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::csrf::CsrfToken;

/// The layout's variables, shared by every page.
pub fn context(state: &AppState, path: &str, csrf: Option<&CsrfToken>) -> Context {
    let mut context = Context::new();
    context.insert("site_name", &state.config.site_name);
    context.insert("base_url", state.config.base_url_str());
    context.insert("canonical_url", &format!("{}{path}", state.config.base_url_str()));
    context.insert("current_path", path);
    context.insert("csrf_token", &csrf.map(|t| t.0.as_str()).unwrap_or_default());
    context.insert("year", &chrono::Utc::now().year());
    context
}

/// Renders `template` with the layout's variables plus `page`'s, as an HTML response.
pub fn render(
    state: &AppState,
    path: &str,
    csrf: &CsrfToken,
    template: &str,
    page: Context,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut context = context(state, path, Some(csrf));
    context.extend(page);
    let html = state.templates.render(template, &context)?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html))
}
