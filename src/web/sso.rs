//! Signing in through an OpenID provider: the button's POST sends the browser to the provider,
//! the provider sends it back to the callback, and the callback signs in, links, or asks the
//! existing account to prove itself. A failure shows the sign-in page again with what to do.

use actix_session::Session;
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use tera::Context;

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::sso::{self, Outcome};
use crate::sso::SsoError;
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::sign_in::{sign_in_choices, start_session};
use crate::web::visitor::Visitor;

/// The cookie binding a sign-in under way to the browser that started it, so a callback link
/// made by someone else (signing a victim in as the attacker) finds no match.
const STATE_COOKIE: &str = "gp_sso_state";
/// The cookie naming a link request this browser may complete.
pub(crate) const LINK_COOKIE: &str = "gp_sso_link";

/// `?next=` on the button's link.
#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// What the provider sends back.
#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// GET /auth/sso/{provider} — to the provider, with a fresh state, nonce and PKCE challenge.
/// A signed-in member comes here from Settings to link the provider to their account.
///
/// A link, not a form: the site's CSP allows forms to post only to itself, and browsers apply
/// that to where a form's answer redirects. Starting here changes nothing anyone could abuse: the
/// worst a forged visit does is sign a person in to their own account.
pub async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    provider: web::Path<String>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let id = provider.into_inner();
    let linking = visitor.user.as_ref().map(|user| user.id);
    let next = match linking {
        Some(_) => "/settings/sign-in".to_owned(),
        None => forms::safe_return_path(query.next.as_deref()),
    };
    state.rate_limits.check(Limit::SignInPerIp, &forms::client_ip(&req, state.config.behind_proxy))?;
    let providers = std::sync::Arc::clone(&state.identity_providers);
    let provider_id = id.clone();
    let begun = web::block(move || providers.get(&provider_id).and_then(|p| p.begin())).await?;
    let start = match begun {
        Ok(start) => start,
        Err(e) => return failure(&state, &visitor, e),
    };
    let now = chrono::Utc::now().naive_utc();
    let cookie_value = start.state.clone();
    let url = start.url.clone();
    state.db(move |conn| sso::remember_attempt(conn, &id, &start, linking, &next, now)).await?;
    let mut response = forms::see_other(&url);
    let cookie = short_cookie(&state, STATE_COOKIE, cookie_value, sso::ATTEMPT_LIFETIME.num_seconds());
    response.add_cookie(&cookie).map_err(AppError::internal)?;
    Ok(response)
}

/// GET /auth/sso/{provider}/callback — the provider's answer. The attempt is taken (and so
/// spent) before anything else is judged, so no answer can be used twice.
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    visitor: Visitor,
    provider: web::Path<String>,
    answer: web::Query<Callback>,
) -> Result<HttpResponse, AppError> {
    let id = provider.into_inner();
    let answer = answer.into_inner();
    let name = state.identity_providers.get(&id)?.name().to_owned();
    state.rate_limits.check(Limit::SignInPerIp, &forms::client_ip(&req, state.config.behind_proxy))?;
    let returned = answer.state.clone().unwrap_or_default();
    let bound = req
        .cookie(STATE_COOKIE)
        .is_some_and(|cookie| !returned.is_empty() && bool::from(cookie.value().as_bytes().ct_eq(returned.as_bytes())));
    let now = chrono::Utc::now().naive_utc();
    let (provider_id, spent) = (id.clone(), returned.clone());
    let attempt = state.db(move |conn| sso::take_attempt(conn, &provider_id, &spent, now)).await?;
    let outcome = match (attempt, bound, answer.error, answer.code) {
        (_, _, Some(error), _) => {
            // The code comes from the query string: cut short and quoted, so it cannot forge log lines.
            let logged: String = error.chars().take(64).collect();
            tracing::info!(provider = %id, error = ?logged, "the provider sent back an error");
            let reason = answer
                .error_description
                .filter(|_| error != "access_denied")
                .map(|d| format!(": {}", d.chars().take(200).collect::<String>()))
                .unwrap_or_default();
            Err(SsoError::Cancelled { provider: name.clone(), reason }.into())
        }
        (Some(attempt), true, None, Some(code)) => finish(&state, &session, &visitor, &id, &name, attempt, code).await,
        _ => Err(SsoError::Stale.into()),
    };
    let mut response = match outcome {
        Ok(response) => response,
        Err(AppError::SingleSignOn(e)) => failure(&state, &visitor, e)?,
        Err(e) => return Err(e),
    };
    response.add_removal_cookie(&short_cookie(&state, STATE_COOKIE, String::new(), 0)).map_err(AppError::internal)?;
    Ok(response)
}

async fn finish(
    state: &AppState,
    session: &Session,
    visitor: &Visitor,
    id: &str,
    name: &str,
    attempt: crate::db::models::sso::SsoAttempt,
    code: String,
) -> Result<HttpResponse, AppError> {
    let providers = std::sync::Arc::clone(&state.identity_providers);
    let provider_id = id.to_owned();
    let identity = web::block(move || {
        providers.get(&provider_id).and_then(|p| p.finish(&code, &attempt.pkce_verifier, &attempt.nonce))
    })
    .await??;
    let now = chrono::Utc::now().naive_utc();
    let provider_name = name.to_owned();
    if let Some(user_id) = attempt.user_id {
        // Only the member who started the link may finish it.
        if visitor.user.as_ref().map(|u| u.id) != Some(user_id) {
            return Err(SsoError::Stale.into());
        }
        state
            .write(move |conn, feed| sso::link_to_signed_in(conn, feed, user_id, &identity, &provider_name, now))
            .await?;
        crate::web::session::flash(session, &format!("Your {name} account is linked: you can sign in with it."));
        return Ok(forms::see_other(&attempt.return_to));
    }
    let outbox = state.outbox.clone();
    let email_required = state.config.require_verified_email;
    let email_claim = state.identity_providers.get(id)?.config.email_claim.clone();
    let outcome = state
        .write(move |conn, feed| sso::sign_in(conn, feed, &outbox, &identity, &provider_name, email_required, now))
        .await?;
    match outcome {
        Outcome::SignedIn(user) => start_session(state, session, &user, Some(id), &attempt.return_to).await,
        Outcome::LinkNeeded { browser_token } => {
            let mut response = forms::see_other("/auth/sso/link");
            let lifetime = sso::linking::REQUEST_LIFETIME.num_seconds();
            response
                .add_cookie(&short_cookie(state, LINK_COOKIE, browser_token, lifetime))
                .map_err(AppError::internal)?;
            Ok(response)
        }
        Outcome::EmailMissing => Err(SsoError::ClaimMissing { provider: name.to_owned(), claim: email_claim }.into()),
    }
}

/// The sign-in page again, with what went wrong and what to do; the status is the error's.
fn failure(state: &AppState, visitor: &Visitor, error: SsoError) -> Result<HttpResponse, AppError> {
    let error = match error {
        SsoError::ProviderDown { provider, .. } if state.config.password_sign_in => {
            SsoError::ProviderDown { provider, fallback: ", or sign in with your password".to_owned() }
        }
        other => other,
    };
    let message = error.to_string();
    let status = actix_web::ResponseError::status_code(&AppError::SingleSignOn(error));
    let mut page = Context::new();
    page.insert("values", &serde_json::json!({ "login": "" }));
    page.insert("next", "/");
    page.insert("errors", &FieldErrors::new());
    page.insert("sso_problem", &message);
    sign_in_choices(state, &mut page);
    visitor.render_as(state, "auth/login.html", page, status)
}

/// A cookie for one step of the flow: HttpOnly, SameSite=Lax (the provider's redirect back is a
/// top-level navigation, which Lax lets through), Secure over https.
pub(crate) fn short_cookie(state: &AppState, name: &'static str, value: String, seconds: i64) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/auth/sso")
        .http_only(true)
        .secure(state.config.is_https())
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(seconds))
        .finish()
}

/// `?provider=` on the signed-out page.
#[derive(Deserialize)]
pub struct SignedOutQuery {
    provider: Option<String>,
}

/// GET /signed-out — after signing out of a session a provider vouched for: offers to sign out
/// at the provider too, when it supports RP-initiated logout.
pub async fn signed_out(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<SignedOutQuery>,
) -> Result<HttpResponse, AppError> {
    let provider = query.provider.as_deref().and_then(|id| state.identity_providers.get(id).ok());
    let post_logout = format!("{}/", state.config.base_url_str());
    let mut page = Context::new();
    page.insert("provider_name", &provider.map(|p| p.name().to_owned()));
    page.insert("end_session_url", &provider.and_then(|p| p.end_session_url(&post_logout)));
    visitor.render_as(&state, "auth/signed_out.html", page, StatusCode::OK)
}
