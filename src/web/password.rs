//! Choosing a password through a single-use link (`guidepost user create` prints one).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::{accounts, ServiceError};
use crate::state::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::layout;

/// The set-password form.
#[derive(Deserialize)]
pub struct SetPasswordForm {
    password: String,
    password_confirm: String,
}

/// GET /password/set/{token} — the form, if the link is still valid.
pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    csrf: CsrfToken,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let user = state.db(move |conn| accounts::user_for_set_password_token(conn, &token, now)).await?;
    let mut page = Context::new();
    page.insert("username", &user.username);
    page.insert("errors", &Context::new().into_json());
    private(layout::render(&state, req.path(), &csrf, "password/set.html", page, StatusCode::OK))
}

/// POST /password/set/{token} — stores the password and uses up the link.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    csrf: CsrfToken,
    token: web::Path<String>,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let token = token.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let outcome = if form.password != form.password_confirm {
        Err(ServiceError::invalid("password_confirm", "The two passwords differ."))
    } else {
        let token = token.clone();
        state.db(move |conn| accounts::set_password_with_token(conn, &token, &form.password, now)).await.map_err(|e| {
            match e {
                AppError::Service(e) => e,
                other => ServiceError::Internal(other.to_string()),
            }
        })
    };
    match outcome {
        Ok(user) => {
            let mut page = Context::new();
            page.insert("username", &user.username);
            private(layout::render(&state, req.path(), &csrf, "password/done.html", page, StatusCode::OK))
        }
        Err(ServiceError::Invalid { field, reason }) => {
            let user = state.db(move |conn| accounts::user_for_set_password_token(conn, &token, now)).await?;
            let mut errors = serde_json::Map::new();
            errors.insert(field.to_owned(), reason.into());
            let mut page = Context::new();
            page.insert("username", &user.username);
            page.insert("errors", &errors);
            private(layout::render(
                &state,
                req.path(),
                &csrf,
                "password/set.html",
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// Pages behind a secret link are never cached and never leak the link through `Referer`.
fn private(response: Result<HttpResponse, AppError>) -> Result<HttpResponse, AppError> {
    let mut response = response?;
    let headers = response.headers_mut();
    headers
        .insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    headers.insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}
