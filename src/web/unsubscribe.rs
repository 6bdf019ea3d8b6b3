//! `/unsubscribe/{token}`: turning notification mail off from a link in that mail, without
//! signing in. GET only asks (mail scanners open links); POST does it, either from the page's
//! form or as an RFC 8058 one-click request from the mail provider (see `csrf.rs`).

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::domain::MailPreference;
use crate::error::AppError;
use crate::services::unsubscribe::{self, UnsubscribeKey};
use crate::state::AppState;
use crate::web::forms;
use crate::web::visitor::Visitor;

fn key(state: &AppState) -> UnsubscribeKey {
    UnsubscribeKey::derive(state.cookie_key.signing())
}

/// GET /unsubscribe/{token} — the confirm page (or "done" once unsubscribed).
pub async fn form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (key, lookup) = (key(&state), token.clone());
    let user = state.db(move |conn| unsubscribe::find(conn, &key, &lookup)).await?;
    let mut context = Context::new();
    context.insert("token", &token);
    context.insert("account", &user.username);
    context.insert("unsubscribed", &(user.email_preference == MailPreference::Never));
    visitor.render(&state, "unsubscribe.html", context)
}

/// POST /unsubscribe/{token} — turns notification mail off. A one-click request gets a plain
/// 200; a browser is sent back to the page, which now says it is done.
pub async fn submit(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (key, lookup) = (key(&state), token.clone());
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| unsubscribe::unsubscribe(conn, feed, &key, &lookup, now)).await?;
    Ok(done(&body, &format!("/unsubscribe/{token}")))
}

/// The answer to an unsubscribe POST: a plain 200 to a mail provider's one-click request, and
/// the link's page again to a browser, which now says it is done.
pub fn done(body: &[u8], page: &str) -> HttpResponse {
    if crate::web::csrf::is_one_click_body(body) {
        return HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("Unsubscribed.\n");
    }
    forms::see_other(page)
}
