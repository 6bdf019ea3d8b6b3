//! The home page.

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::db::models::users;
use crate::error::AppError;
use crate::roles::Role;
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// GET / — the front page; until there are questions, it explains what the site is for and,
/// on a brand-new install, how to create the first admin.
pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let has_admin = state.db(|conn| users::any_with_role(conn, Role::Admin.as_str())).await?;
    let mut page = Context::new();
    page.insert("needs_admin", &!has_admin);
    visitor.render(&state, "home.html", page)
}
