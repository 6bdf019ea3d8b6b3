//! The signed-in member's settings (`/settings`, `/settings/*`): the page and its forms, the
//! notification-mail preference included.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::{notifications, settings, ServiceError};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// The display-name form.
#[derive(Deserialize)]
pub struct ProfileForm {
    display_name: String,
}

/// The change-email form.
#[derive(Deserialize)]
pub struct EmailForm {
    email: String,
    current_password: String,
}

/// The change-password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

/// GET /settings
pub async fn show(state: web::Data<AppState>, visitor: Visitor, _user: CurrentUser) -> Result<HttpResponse, AppError> {
    page(&state, &visitor, &FieldErrors::new(), serde_json::json!({}))
}

/// POST /settings/profile
pub async fn profile(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let name = form.into_inner().display_name;
    let value = name.clone();
    let now = chrono::Utc::now().naive_utc();
    match state.write(move |conn, feed| settings::set_display_name(conn, feed, &actor, &name, now)).await {
        Ok(()) => done(&session, "Your display name is saved."),
        Err(e) => refused(&state, &visitor, e, serde_json::json!({ "display_name": value })),
    }
}

/// POST /settings/email
pub async fn email(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let value = form.email.clone();
    let outbox = state.outbox.clone();
    let now = chrono::Utc::now().naive_utc();
    let outcome = state
        .write(move |conn, feed| {
            settings::change_email(conn, feed, &outbox, &actor, &form.email, &form.current_password, now)
        })
        .await;
    match outcome {
        Ok(()) => done(
            &session,
            "We have sent a confirmation link to the new address. Your address changes once you follow it.",
        ),
        Err(e) => refused(&state, &visitor, e, serde_json::json!({ "email": value })),
    }
}

/// POST /settings/password — every other session ends; this one stays signed in.
pub async fn password(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    if !state.config.password_sign_in && actor.role != crate::roles::Role::Admin {
        return Err(ServiceError::Forbidden(
            "Password sign-in is off on this site, so there is no password to change.".into(),
        )
        .into());
    }
    if form.new_password != form.new_password_confirm {
        let error = ServiceError::invalid("new_password_confirm", "The two passwords differ.");
        return refused(&state, &visitor, error.into(), serde_json::json!({}));
    }
    let keep = current_secret(&session)?;
    let now = chrono::Utc::now().naive_utc();
    let outcome = state
        .write(move |conn, feed| {
            settings::change_password(conn, feed, &actor, &keep, &form.current_password, &form.new_password, now)
        })
        .await;
    match outcome {
        Ok(epoch) => {
            session::carry_epoch(&session, epoch)?;
            done(&session, "Your password is changed. You were signed out everywhere else.")
        }
        Err(e) => refused(&state, &visitor, e, serde_json::json!({})),
    }
}

/// POST /settings/password/link — mails a member without a password (made through single
/// sign-on) a link to set one: proof of the address, as "Forgot your password?" asks.
pub async fn password_link(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    if !state.config.password_sign_in {
        return Err(ServiceError::Forbidden(
            "Password sign-in is off on this site, so there is no password to set.".into(),
        )
        .into());
    }
    let Some(email) = actor.email.clone() else {
        return Err(ServiceError::invalid("email", "Add an email address first: the link goes there.").into());
    };
    let (outbox, now, to) = (state.outbox.clone(), chrono::Utc::now().naive_utc(), email.clone());
    state.write(move |conn, feed| crate::services::password_reset::request(conn, feed, &outbox, &to, now)).await?;
    done(&session, &format!("We sent a link to {email}; it works for one hour."))
}

/// POST /settings/sign-out-everywhere
pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let keep = current_secret(&session)?;
    let now = chrono::Utc::now().naive_utc();
    let epoch = state.write(move |conn, feed| settings::sign_out_everywhere(conn, feed, &actor, &keep, now)).await?;
    session::carry_epoch(&session, epoch)?;
    done(&session, "You were signed out on every other device.")
}

/// The secret naming the current session's row (a signed-in request always has one).
fn current_secret(session: &Session) -> Result<String, AppError> {
    session::claim(session).map(|claim| claim.secret).ok_or_else(|| AppError::internal("signed in without a session"))
}

fn done(session: &Session, message: &str) -> Result<HttpResponse, AppError> {
    session::flash(session, message);
    Ok(forms::see_other("/settings"))
}

fn refused(
    state: &AppState,
    visitor: &Visitor,
    error: AppError,
    values: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    page(state, visitor, &FieldErrors::from_error(error)?, values)
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    errors: &FieldErrors,
    values: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    let mut page = Context::new();
    page.insert("values", &values);
    page.insert("password_sign_in", &state.config.password_sign_in);
    visitor.render_form(state, "settings.html", page, errors)
}

/// The notification-mail form.
#[derive(Deserialize)]
pub struct PreferenceForm {
    email_preference: String,
}

/// POST /settings/notifications — each event, a daily digest, or no mail.
pub async fn set_preference(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<PreferenceForm>,
) -> Result<HttpResponse, AppError> {
    let preference = form.into_inner().email_preference;
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| notifications::set_email_preference(conn, feed, &actor, &preference, now)).await?;
    session::flash(&session, "Your notification mail setting is saved.");
    Ok(forms::see_other("/settings"))
}
