//! Email verification (`/verify-email/{token}`, `/verify-email/resend`): following the link, and
//! asking for a new one.

use actix_session::Session;
use actix_web::http::header::{HeaderValue, REFERRER_POLICY};
use actix_web::{web, HttpResponse};
use tera::Context;

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::email_verification;
use crate::state::AppState;
use crate::web::forms;
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// GET /verify-email/{token}
pub async fn verify(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let user = state.write(move |conn, feed| email_verification::verify(conn, feed, &token, now)).await?;
    let mut page = Context::new();
    page.insert("username", &user.username);
    page.insert("email", &user.email);
    page.insert("signed_in", &visitor.user.is_some());
    // It names the address just confirmed: no cache may keep it.
    let mut response = visitor.render_private(&state, "auth/verified.html", page)?;
    response.headers_mut().insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}

/// POST /verify-email/resend
pub async fn resend(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    state.rate_limits.check(Limit::VerifyResendPerUser, &actor.id.to_string())?;
    let outbox = state.outbox.clone();
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| email_verification::resend(conn, feed, &outbox, &actor, now)).await?;
    session::flash(&session, "We have sent you a new confirmation link.");
    Ok(forms::see_other("/settings"))
}
