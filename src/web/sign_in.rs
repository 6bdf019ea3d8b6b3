//! Signing in and out.

use std::time::Instant;

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::passwords::Verified;
use crate::services::{sessions, sign_in, ServiceError};
use crate::sign_in_failures::SignInTarget;
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::visitor::Visitor;
use crate::web::{csrf, session};

/// `?next=` on the sign-in page.
#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    login: String,
    password: String,
    next: Option<String>,
}

/// GET /login
pub async fn form(
    state: web::Data<AppState>,
    visitor: Visitor,
    next: web::Query<Next>,
) -> Result<HttpResponse, AppError> {
    let next = forms::safe_return_path(next.next.as_deref());
    if visitor.user.is_some() {
        return Ok(forms::see_other(&next));
    }
    page(&state, &visitor, "", &next, &FieldErrors::new())
}

/// POST /login — one answer for every failure, so it never tells which accounts exist.
///
/// The account is looked up first and its failed sign-ins checked (only failures count, per
/// account however it was named: see [`crate::sign_in_failures`]); then the password is checked
/// off the database connection, since argon2 is deliberately slow.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    visitor: Visitor,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let SignInForm { login, password, next } = form.into_inner();
    let next = forms::safe_return_path(next.as_deref());
    let address = forms::client_ip(&req, state.config.behind_proxy);
    state.rate_limits.check(Limit::SignInPerIp, &address)?;
    let typed = login.clone();
    let account = state.db(move |conn| sign_in::find_account(conn, &typed)).await?;
    let target = match &account {
        Some(user) => SignInTarget::Account(user.id),
        None => SignInTarget::Unknown(login.trim().to_lowercase()),
    };
    state.sign_in_failures.check(&target, &address, Instant::now())?;
    let (account, verified) = state
        .compute(move || sign_in::check_password(account.as_ref(), &password).map(|verified| (account, verified)))
        .await?;
    let now = chrono::Utc::now().naive_utc();
    let outcome = match account {
        Some(user) if verified != Verified::No => {
            state.db(move |conn| sign_in::complete(conn, user, verified, now)).await
        }
        _ => Err(ServiceError::invalid("login", sign_in::FAILED).into()),
    };
    match outcome {
        Ok(user) => {
            state.sign_in_failures.record_success(&target, &address);
            let user_id = user.id;
            let secret = state.db(move |conn| sessions::open(conn, user_id, now)).await?;
            session::begin(&session, user.id, user.session_epoch, &secret)?;
            session::flash(&session, &format!("Signed in as {}.", user.display_name));
            let mut response = forms::see_other(&next);
            // A new session gets a new CSRF token, so a token planted before sign-in is worthless.
            response.add_cookie(&csrf::fresh_cookie(&state)).map_err(AppError::internal)?;
            Ok(response)
        }
        Err(AppError::Service(ServiceError::Forbidden(message))) => {
            page(&state, &visitor, &login, &next, &FieldErrors::forbidden("login", &message))
        }
        Err(e) => {
            state.sign_in_failures.record_failure(&target, &address, Instant::now());
            page(&state, &visitor, &login, &next, &FieldErrors::from_error(e)?)
        }
    }
}

/// POST /logout — ends the session here and in the database, so a copy of its cookie is void.
pub async fn sign_out(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, AppError> {
    if let Some(claim) = session::claim(&session) {
        state.db(move |conn| sessions::close(conn, &claim.secret)).await?;
    }
    session::end(&session);
    session::flash(&session, "Signed out.");
    let mut response = forms::see_other("/");
    response.add_cookie(&csrf::fresh_cookie(&state)).map_err(AppError::internal)?;
    Ok(response)
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    login: &str,
    next: &str,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut page = Context::new();
    page.insert("values", &serde_json::json!({ "login": login }));
    page.insert("next", next);
    visitor.render_form(state, "auth/login.html", page, errors)
}
