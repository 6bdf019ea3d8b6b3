//! Proving an existing account before a provider account is linked to it: the browser that came
//! back from the provider holds the request (a cookie); the account's password, or the link
//! mailed to the account's address, completes it.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::db::models::sso::SsoLinkRequest;
use crate::db::models::users::User;
use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::passwords::Verified;
use crate::services::sso::linking;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::password::private;
use crate::web::sign_in::{check_known_account, start_session};
use crate::web::sso::{short_cookie, LINK_COOKIE};
use crate::web::visitor::Visitor;

/// The password proof.
#[derive(Deserialize)]
pub struct PasswordProof {
    password: String,
}

fn browser_token(req: &HttpRequest) -> Result<String, AppError> {
    req.cookie(LINK_COOKIE).map(|c| c.value().to_owned()).filter(|v| !v.is_empty()).ok_or_else(|| {
        ServiceError::Gone(
            "This link request has expired or was already used. Sign in with your provider again.".into(),
        )
        .into()
    })
}

fn provider_name(state: &AppState, request: &SsoLinkRequest) -> String {
    state.identity_providers.get(&request.provider).map_or_else(|_| request.provider.clone(), |p| p.name().to_owned())
}

/// GET /auth/sso/link — what the account must do to link the provider.
pub async fn show(state: web::Data<AppState>, req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let token = browser_token(&req)?;
    let now = chrono::Utc::now().naive_utc();
    let (request, owner) = state.db(move |conn| linking::request_for_browser(conn, &token, now)).await?;
    page(&state, &visitor, &request, &owner, false, &FieldErrors::new())
}

/// POST /auth/sso/link/password — the account's password proves it; counted as a sign-in
/// attempt against the account, like the sign-in form.
pub async fn with_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    visitor: Visitor,
    form: web::Form<PasswordProof>,
) -> Result<HttpResponse, AppError> {
    let token = browser_token(&req)?;
    let address = forms::client_ip(&req, state.config.behind_proxy);
    state.rate_limits.check(Limit::SignInPerIp, &address)?;
    let now = chrono::Utc::now().naive_utc();
    let (request, owner) = state.db(move |conn| linking::request_for_browser(conn, &token, now)).await?;
    if check_known_account(&state, &address, &owner, form.into_inner().password).await? == Verified::No {
        let errors = FieldErrors::one("password", "That password does not match this account.");
        return page(&state, &visitor, &request, &owner, false, &errors);
    }
    complete(&state, &session, request).await
}

/// POST /auth/sso/link/mail — mails the account's address a link that completes the request.
pub async fn by_mail(state: web::Data<AppState>, req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let token = browser_token(&req)?;
    state.rate_limits.check(Limit::ResetPerIp, &forms::client_ip(&req, state.config.behind_proxy))?;
    let now = chrono::Utc::now().naive_utc();
    let lookup = token.clone();
    let (request, owner) = state.db(move |conn| linking::request_for_browser(conn, &lookup, now)).await?;
    let (outbox, name) = (state.outbox.clone(), provider_name(&state, &request));
    state.write(move |conn, feed| linking::mail_link(conn, feed, &outbox, &token, &name, now)).await?;
    page(&state, &visitor, &request, &owner, true, &FieldErrors::new())
}

/// GET /auth/sso/link/{token} — the mailed link: a button, so a mail scanner that follows
/// links links nothing.
pub async fn mailed_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let (request, owner) = state.db(move |conn| linking::request_for_mail(conn, &token, now)).await?;
    let mut context = Context::new();
    context.insert("provider_name", &provider_name(&state, &request));
    context.insert("username", &owner.username);
    private(visitor.render(&state, "auth/sso_link_confirm.html", context))
}

/// POST /auth/sso/link/{token} — the mailed link proves the account: link and sign in.
pub async fn mailed_submit(
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let (request, _) = state.db(move |conn| linking::request_for_mail(conn, &token, now)).await?;
    complete(&state, &session, request).await
}

async fn complete(state: &AppState, session: &Session, request: SsoLinkRequest) -> Result<HttpResponse, AppError> {
    let name = provider_name(state, &request);
    let provider = request.provider.clone();
    let now = chrono::Utc::now().naive_utc();
    let link_name = name.clone();
    let user = state.write(move |conn, feed| linking::complete(conn, feed, &request, &link_name, now)).await?;
    let mut response = start_session(state, session, &user, Some(&provider), "/").await?;
    crate::web::session::flash(
        session,
        &format!("Your {name} account is now linked to {}: next time, sign in with {name}.", user.username),
    );
    response.add_removal_cookie(&short_cookie(state, LINK_COOKIE, String::new(), 0)).map_err(AppError::internal)?;
    Ok(response)
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    request: &SsoLinkRequest,
    owner: &User,
    mailed: bool,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("provider_name", &provider_name(state, request));
    context.insert("email", &request.email);
    context.insert("has_password", &owner.password_hash.is_some());
    context.insert("mailed", &mailed);
    private(visitor.render_form(state, "auth/sso_link.html", context, errors))
}
