//! Passwords through mailed or printed links: choosing one (accounts made by the CLI), "forgot
//! password", and the reset link it mails.

use actix_session::Session;
use actix_web::http::header::{HeaderValue, CACHE_CONTROL, REFERRER_POLICY};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::accounts::TokenPurpose;
use crate::services::{accounts, password_reset, ServiceError};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::Visitor;

/// The new-password form.
#[derive(Deserialize)]
pub struct NewPasswordForm {
    password: String,
    password_confirm: String,
}

/// The forgot-password form.
#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

/// GET /password/set/{token}
pub async fn set_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    show_form(&state, &visitor, TokenPurpose::SetPassword, token.into_inner()).await
}

/// POST /password/set/{token}
pub async fn set_submit(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, AppError> {
    submit(&state, &visitor, TokenPurpose::SetPassword, token.into_inner(), form.into_inner()).await
}

/// GET /password/reset/{token}
pub async fn reset_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    ensure_passwords_on(&state)?;
    show_form(&state, &visitor, TokenPurpose::ResetPassword, token.into_inner()).await
}

/// POST /password/reset/{token}
pub async fn reset_submit(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, AppError> {
    ensure_passwords_on(&state)?;
    submit(&state, &visitor, TokenPurpose::ResetPassword, token.into_inner(), form.into_inner()).await
}

/// Refuses password resets while password sign-in is off: a new password could not be used.
fn ensure_passwords_on(state: &AppState) -> Result<(), AppError> {
    if state.config.password_sign_in {
        return Ok(());
    }
    Err(ServiceError::Forbidden(
        "This site signs you in through your company's account, so there is no password to reset here.".to_owned(),
    )
    .into())
}

/// GET /password/forgot
pub async fn forgot_form(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    ensure_passwords_on(&state)?;
    let mut page = Context::new();
    page.insert("errors", &FieldErrors::new());
    visitor.render(&state, "auth/forgot.html", page)
}

/// POST /password/forgot — the same answer whether or not the address has an account.
pub async fn forgot_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    ensure_passwords_on(&state)?;
    let email = form.into_inner().email;
    state.rate_limits.check(Limit::ResetPerIp, &forms::client_ip(&req, state.config.behind_proxy))?;
    state.rate_limits.check(Limit::ResetPerAddress, email.trim())?;
    let outbox = state.outbox.clone();
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| password_reset::request(conn, feed, &outbox, &email, now)).await?;
    session::flash(
        &session,
        "If an account uses that address, we have sent it a link to choose a new password. The link works for one hour.",
    );
    Ok(forms::see_other("/login"))
}

async fn show_form(
    state: &AppState,
    visitor: &Visitor,
    purpose: TokenPurpose,
    token: String,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    let user = state.db(move |conn| accounts::user_for_password_token(conn, purpose, &token, now)).await?;
    private(form_page(state, visitor, purpose, &user.username, &FieldErrors::new()))
}

async fn submit(
    state: &AppState,
    visitor: &Visitor,
    purpose: TokenPurpose,
    token: String,
    form: NewPasswordForm,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    let outcome = if form.password != form.password_confirm {
        Err(AppError::Service(ServiceError::invalid("password_confirm", "The two passwords differ.")))
    } else {
        let token = token.clone();
        state
            .write(move |conn, feed| {
                accounts::set_password_with_token(conn, feed, purpose, &token, &form.password, now)
            })
            .await
    };
    match outcome {
        Ok(user) => {
            let mut page = Context::new();
            page.insert("username", &user.username);
            private(visitor.render(state, "password/done.html", page))
        }
        Err(e) => {
            let errors = FieldErrors::from_error(e)?;
            let user = state.db(move |conn| accounts::user_for_password_token(conn, purpose, &token, now)).await?;
            private(form_page(state, visitor, purpose, &user.username, &errors))
        }
    }
}

fn form_page(
    state: &AppState,
    visitor: &Visitor,
    purpose: TokenPurpose,
    username: &str,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut page = Context::new();
    page.insert("username", username);
    page.insert("resetting", &(purpose == TokenPurpose::ResetPassword));
    visitor.render_form(state, "password/set.html", page, errors)
}

/// Pages behind a secret link are never cached and never leak the link through `Referer`.
pub(crate) fn private(response: Result<HttpResponse, AppError>) -> Result<HttpResponse, AppError> {
    let mut response = response?;
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}
