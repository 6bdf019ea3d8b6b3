//! The home page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use tera::Context;

use crate::db::models::users;
use crate::error::AppError;
use crate::roles::Role;
use crate::state::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::layout;

/// GET / — the front page; until there are questions, it explains what the site is for and,
/// on a brand-new install, how to create the first admin.
pub async fn show(state: web::Data<AppState>, req: HttpRequest, csrf: CsrfToken) -> Result<HttpResponse, AppError> {
    let has_admin = state.db(|conn| users::any_with_role(conn, Role::Admin.as_str())).await?;
    let mut page = Context::new();
    page.insert("needs_admin", &!has_admin);
    layout::render(&state, req.path(), &csrf, "home.html", page, StatusCode::OK)
}
