//! Joining the forum.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::sign_up::{self, SignUp};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::form_guard::{self, unix_now};
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::Visitor;

/// Why a password sign-up is refused while password sign-in is off.
const PASSWORDS_OFF_SIGN_UP: &str =
    "This site creates accounts through your company's sign-in: use the \"Sign in with\" button on the sign-in page.";

/// The sign-up form.
#[derive(Deserialize)]
pub struct SignUpForm {
    username: String,
    email: String,
    password: String,
    /// The honeypot: people leave it empty.
    #[serde(default)]
    website: String,
    /// When the form was shown, signed.
    form_started: Option<String>,
}

/// GET /signup
pub async fn form(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    if visitor.user.is_some() {
        return Ok(forms::see_other("/"));
    }
    page(&state, &visitor, "", "", &FieldErrors::new())
}

/// POST /signup — creates the account and mails a verification link. The answer is the same
/// whether or not the address already had an account.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    form: web::Form<SignUpForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    if !state.config.password_sign_in {
        return Err(ServiceError::Forbidden(PASSWORDS_OFF_SIGN_UP.to_owned()).into());
    }
    state.rate_limits.check(Limit::SignUpPerIp, &forms::client_ip(&req, state.config.behind_proxy))?;
    if let Err(refusal) = form_guard::check(&state, &form.website, form.form_started.as_deref(), unix_now()) {
        let errors = FieldErrors::one("form", refusal.message());
        return page(&state, &visitor, &form.username, &form.email, &errors);
    }
    let (username, email) = (form.username.clone(), form.email.clone());
    let outbox = state.outbox.clone();
    let now = chrono::Utc::now().naive_utc();
    let outcome = state
        .write(move |conn, feed| {
            sign_up::sign_up(
                conn,
                feed,
                &outbox,
                SignUp { username: form.username, email: form.email, password: form.password },
                now,
            )
        })
        .await;
    match outcome {
        Ok(_) => {
            session::flash(
                &actix_session::SessionExt::get_session(&req),
                "Thanks! We have sent an email to that address. Follow its link to confirm the address, then sign in.",
            );
            Ok(forms::see_other("/login"))
        }
        Err(e) => page(&state, &visitor, &username, &email, &FieldErrors::from_error(e)?),
    }
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    username: &str,
    email: &str,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut page = Context::new();
    page.insert("values", &serde_json::json!({ "username": username, "email": email }));
    page.insert("form_started", &form_guard::stamp(state, unix_now()));
    page.insert("next", "/");
    super::sign_in::sign_in_choices(state, &mut page);
    visitor.render_form(state, "auth/signup.html", page, errors)
}
