//! The home page.

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::db::models::posts::QuestionOrder;
use crate::db::models::users;
use crate::error::AppError;
use crate::roles::Role;
use crate::services::question_lists;
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// GET / — the most active questions; on an empty site, what the site is for and, on a
/// brand-new install, how to create the first admin.
pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let (has_admin, list) = state
        .db(|conn| {
            let has_admin = users::any_with_role(conn, Role::Admin)?;
            let list = question_lists::list(conn, QuestionOrder::Active, question_lists::PageRequest::Number(1))?;
            Ok::<_, AppError>((has_admin, list))
        })
        .await?;
    let mut page = Context::new();
    page.insert("needs_admin", &!has_admin);
    page.insert("list", &list);
    page.insert("sort", &QuestionOrder::Active);
    visitor.render(&state, "home.html", page)
}
