//! The weekly insights mail's list over HTTP: admins add and remove addresses on
//! `/staff/insights`; anyone with a message's link leaves the list at `/insights/unsubscribe/{token}`
//! (GET asks, POST does it, also as an RFC 8058 one-click request, see `csrf.rs`).

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::insights::mail::{self, InsightsMailKey};
use crate::state::AppState;
use crate::web::visitor::{CurrentUser, Visitor};
use crate::web::{forms, session};

/// The key the links are signed with, as the weekly job derives it.
pub fn key(state: &AppState) -> InsightsMailKey {
    InsightsMailKey::derive(state.cookie_key.signing())
}

/// The add form on `/staff/insights`.
#[derive(Deserialize)]
pub struct RecipientForm {
    email: String,
}

/// POST /staff/insights/recipients
pub async fn add(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<RecipientForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.into_inner().email;
    let now = chrono::Utc::now().naive_utc();
    let added = state.write(move |conn, feed| mail::add_recipient(conn, feed, &actor, &email, now)).await?;
    let message = if added {
        "Added: that address gets the next weekly insights mail."
    } else {
        "That address is already on the list."
    };
    session::flash(&session, message);
    Ok(forms::see_other("/staff/insights#insights-mail"))
}

/// POST /staff/insights/recipients/{id}/remove
pub async fn remove(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (id, now) = (id.into_inner(), chrono::Utc::now().naive_utc());
    state.write(move |conn, feed| mail::remove_recipient(conn, feed, &actor, id, now)).await?;
    session::flash(&session, "Removed from the insights list.");
    Ok(forms::see_other("/staff/insights#insights-mail"))
}

/// GET /insights/unsubscribe/{token}
pub async fn unsubscribe_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (key, lookup) = (key(&state), token.clone());
    let email = state.db(move |conn| mail::recipient_for(conn, &key, &lookup)).await?;
    let mut context = Context::new();
    context.insert("token", &token);
    context.insert("email", &email);
    visitor.render_private(&state, "insights_unsubscribe.html", context)
}

/// POST /insights/unsubscribe/{token}
pub async fn unsubscribe(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (key, lookup) = (key(&state), token.clone());
    state.db(move |conn| mail::unsubscribe(conn, &key, &lookup)).await?;
    Ok(crate::web::unsubscribe::done(&body, &format!("/insights/unsubscribe/{token}")))
}
