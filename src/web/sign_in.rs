//! Signing in and out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::{sign_in, ServiceError};
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
    page(&state, &visitor, "", &next, FieldErrors::new(), StatusCode::OK)
}

/// POST /login — one answer for every failure, so it never tells which accounts exist.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    visitor: Visitor,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = forms::safe_return_path(form.next.as_deref());
    state.rate_limits.check(Limit::SignInPerIp, &forms::client_ip(&req, state.config.behind_proxy))?;
    state.rate_limits.check(Limit::SignInPerAccount, form.login.trim())?;
    let login = form.login.clone();
    let now = chrono::Utc::now().naive_utc();
    let outcome = state.db(move |conn| sign_in::authenticate(conn, &form.login, &form.password, now)).await;
    match outcome {
        Ok(user) => {
            session::begin(&session, user.id, user.session_epoch)?;
            session::flash(&session, &format!("Signed in as {}.", user.display_name));
            let mut response = forms::see_other(&next);
            // A new session gets a new CSRF token, so a token planted before sign-in is worthless.
            response.add_cookie(&csrf::fresh_cookie(&state)).map_err(AppError::internal)?;
            Ok(response)
        }
        Err(AppError::Service(ServiceError::Forbidden(message))) => {
            page(&state, &visitor, &login, &next, forms::one_error("login", &message), StatusCode::FORBIDDEN)
        }
        Err(e) => page(&state, &visitor, &login, &next, forms::field_errors(e)?, StatusCode::UNPROCESSABLE_ENTITY),
    }
}

/// POST /logout
pub async fn sign_out(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, AppError> {
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
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut page = Context::new();
    page.insert("values", &serde_json::json!({ "login": login }));
    page.insert("next", next);
    page.insert("errors", &errors);
    visitor.render_with_status(state, "auth/login.html", page, status)
}
