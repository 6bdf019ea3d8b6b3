//! The administrators' break-glass sign-in (see [`crate::services::break_glass`]): the CLI's
//! one-time link opens a password form for that admin, which works even while password sign-in
//! is off for members.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::passwords::Verified;
use crate::services::{break_glass, sign_in};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::password::private;
use crate::web::sign_in::{check_known_account, start_session};
use crate::web::visitor::Visitor;

/// The password form.
#[derive(Deserialize)]
pub struct BreakGlassForm {
    password: String,
}

/// GET /login/break-glass/{token}
pub async fn form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let (_, admin) = state.db(move |conn| break_glass::holder(conn, &token, now)).await?;
    page(&state, &visitor, &admin.username, &FieldErrors::new())
}

/// POST /login/break-glass/{token} — the admin's password, counted like any sign-in attempt.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    visitor: Visitor,
    token: web::Path<String>,
    form: web::Form<BreakGlassForm>,
) -> Result<HttpResponse, AppError> {
    let address = forms::client_ip(&req, state.config.behind_proxy);
    state.rate_limits.check(Limit::SignInPerIp, &address)?;
    let token = token.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let (stored, admin) = state.db(move |conn| break_glass::holder(conn, &token, now)).await?;
    let verified = check_known_account(&state, &address, &admin, form.into_inner().password).await?;
    if verified == Verified::No {
        let errors = FieldErrors::one("password", sign_in::FAILED);
        return page(&state, &visitor, &admin.username, &errors);
    }
    let token_id = stored.id;
    let admin = state
        .db(move |conn| {
            break_glass::spend(conn, token_id, now)?;
            sign_in::complete(conn, admin, verified, now)
        })
        .await?;
    start_session(&state, &session, &admin, None, "/admin/settings").await
}

fn page(state: &AppState, visitor: &Visitor, username: &str, errors: &FieldErrors) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("username", username);
    private(visitor.render_form(state, "auth/break_glass.html", context, errors))
}
