//! The home page (`/`).

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::error::AppError;
use crate::services::home;
use crate::services::question_lists::QuestionOrder;
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// GET / — the most active questions; on an empty site, what the site is for and, on a
/// brand-new install, how to create the first admin.
pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let front = state.db(home::front_page).await?;
    let mut page = Context::new();
    page.insert("needs_admin", &front.needs_admin);
    page.insert("list", &front.list);
    page.insert("sort", &QuestionOrder::Active);
    page.insert("welcome_html", &state.settings().welcome_html);
    visitor.render(&state, "home.html", page)
}
