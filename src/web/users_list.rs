//! The users page (`/users`): members by reputation, or a tag's best answerers, by name.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::users_list::{self, UsersQuery};
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// `?name=&tag=&after=`
#[derive(Deserialize)]
pub struct UsersParams {
    name: Option<String>,
    tag: Option<String>,
    after: Option<String>,
}

/// GET /users — members by reputation (or by answer score in `tag`), filtered by `name`.
pub async fn index(
    state: web::Data<AppState>,
    visitor: Visitor,
    params: web::Query<UsersParams>,
) -> Result<HttpResponse, AppError> {
    let UsersParams { name, tag, after } = params.into_inner();
    let after = match after.as_deref().filter(|a| !a.is_empty()) {
        Some(text) => Some(users_list::decode_cursor(text).ok_or_else(|| {
            AppError::BadRequest(
                "This page link is not one the users page made; start again from the first page.".to_owned(),
            )
        })?),
        None => None,
    };
    let page = state.db(move |conn| users_list::list(conn, UsersQuery { name, tag, after })).await?;
    let mut context = Context::new();
    context.insert("page", &page);
    context.insert("first_page", &(after.is_none()));
    visitor.render(&state, "users/list.html", context)
}
