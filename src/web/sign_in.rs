//! Signing in and out.

use std::time::Instant;

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::db::models::users::User;
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
    if !state.config.password_sign_in {
        return page(&state, &visitor, &login, &next, &FieldErrors::forbidden("login", PASSWORDS_OFF));
    }
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
            start_session(&state, &session, &user, None, &next).await
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

/// What a member who tries a password is told while password sign-in is off.
pub const PASSWORDS_OFF: &str =
    "This site signs you in through your company's account: use the button above. (Administrators: `guidepost user break-glass`.)";

/// Starts a signed-in session for `user` (through `provider`, when an identity provider vouched)
/// and sends the browser on to `next`.
pub(crate) async fn start_session(
    state: &AppState,
    session: &Session,
    user: &User,
    provider: Option<&str>,
    next: &str,
) -> Result<HttpResponse, AppError> {
    let (user_id, now) = (user.id, chrono::Utc::now().naive_utc());
    let secret = state.db(move |conn| sessions::open(conn, user_id, now)).await?;
    session::begin(session, user.id, user.session_epoch, &secret)?;
    if let Some(provider) = provider {
        session::note_provider(session, provider)?;
    }
    session::flash(session, &format!("Signed in as {}.", user.display_name));
    let mut response = forms::see_other(next);
    // A new session gets a new CSRF token, so a token planted before sign-in is worthless.
    response.add_cookie(&csrf::fresh_cookie(state)).map_err(AppError::internal)?;
    Ok(response)
}

/// POST /logout — ends the session here and in the database, so a copy of its cookie is void.
/// A session that an identity provider vouched for goes on to a page offering to sign out there
/// too, when the provider supports it.
pub async fn sign_out(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, AppError> {
    if let Some(claim) = session::claim(&session) {
        state.db(move |conn| sessions::close(conn, &claim.secret)).await?;
    }
    let provider = session::provider(&session);
    session::end(&session);
    session::flash(&session, "Signed out.");
    let next = match provider {
        Some(id) if state.identity_providers.get(&id).is_ok() => format!("/signed-out?provider={id}"),
        _ => "/".to_owned(),
    };
    let mut response = forms::see_other(&next);
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
    sign_in_choices(state, &mut page);
    visitor.render_form(state, "auth/login.html", page, errors)
}

/// What the sign-in and sign-up pages offer: the providers' buttons, and whether passwords work.
pub(crate) fn sign_in_choices(state: &AppState, page: &mut Context) {
    page.insert("sso_providers", &state.identity_providers.buttons());
    page.insert("password_sign_in", &state.config.password_sign_in);
}

/// Checks the password of an account already known (a link request's, a break-glass link's),
/// counting the attempt against the account and the address as the sign-in form does.
pub(crate) async fn check_known_account(
    state: &AppState,
    address: &str,
    account: &User,
    password: String,
) -> Result<Verified, AppError> {
    let target = SignInTarget::Account(account.id);
    state.sign_in_failures.check(&target, address, Instant::now())?;
    let checked = Some(account.clone());
    let verified = state.compute(move || sign_in::check_password(checked.as_ref(), &password)).await?;
    if verified == Verified::No {
        state.sign_in_failures.record_failure(&target, address, Instant::now());
    } else {
        state.sign_in_failures.record_success(&target, address);
    }
    Ok(verified)
}
