//! Cross-site request forgery protection for every state-changing request.
//!
//! Each browser gets a random token in a signed, HttpOnly cookie; every form carries the same
//! token in a hidden `csrf_token` field (scripts send it in `X-CSRF-Token`). A POST, PUT, PATCH
//! or DELETE whose token is missing or different is refused with 403 before any handler runs, so
//! no route can forget the check. The only exemption is an RFC 8058 one-click unsubscribe (see
//! [`is_one_click_unsubscribe`]), and an API request that carries an `Authorization` header or
//! no session cookie: [`crate::web::api_auth`] authenticates the first by its bearer token alone,
//! ignoring its cookies (a forger can make a browser send cookies but never that header), and
//! the second is anonymous. Anywhere
//! else an `Authorization` header exempts nothing. So a request is authenticated by its token,
//! or by its cookie and CSRF token, never by a cookie alone.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{Cookie, CookieJar, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::{ready, Ready};
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::services::tokens;
use crate::state::AppState;
use crate::web::api_auth;

/// Name of the cookie holding the token.
pub const COOKIE: &str = "gp_csrf";
/// Name of the form field carrying the token.
pub const FIELD: &str = "csrf_token";
/// Name of the header scripts use instead of the form field.
pub const HEADER: &str = "x-csrf-token";

/// The request's CSRF token, to be put in forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Marks a request whose browser had no token yet and whose page used the new one, so the
/// response must set the cookie. Responses that show no form (assets, probes) set nothing.
#[derive(Debug, Clone, Copy)]
struct NeedsCookie;

/// A token generated for this request, not yet in the browser's cookie.
#[derive(Debug, Clone)]
struct FreshToken(String);

/// The request's token without claiming it: pages call [`mark_used`] only if they print it, so
/// a page without a form sets no cookie and stays cacheable.
pub fn peek(req: &HttpRequest) -> Option<CsrfToken> {
    req.extensions().get::<CsrfToken>().cloned()
}

/// Notes that the response printed the request's token, so a browser without the cookie gets it.
pub fn mark_used(req: &HttpRequest) {
    let mut extensions = req.extensions_mut();
    if extensions.contains::<FreshToken>() {
        extensions.insert(NeedsCookie);
    }
}

impl FromRequest for CsrfToken {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let mut extensions = req.extensions_mut();
        let token = extensions.get::<CsrfToken>().cloned();
        if extensions.contains::<FreshToken>() {
            extensions.insert(NeedsCookie);
        }
        ready(token.ok_or_else(|| AppError::internal("csrf middleware missing")))
    }
}

/// Middleware: checks the token on unsafe methods and makes sure every browser has one.
pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(AppError::internal("app state missing")).map_into_right_body());
    };
    let stored = read_cookie(req.request(), &state);
    let unsafe_method =
        !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !api_auth::skips_csrf(req.request());
    if unsafe_method {
        let submitted = match submitted_token(&mut req).await {
            Ok(token) => token,
            Err(e) => return Ok(req.error_response(e).map_into_right_body()),
        };
        let valid = match (&stored, &submitted.token) {
            (Some(stored), Some(submitted)) => bool::from(stored.as_bytes().ct_eq(submitted.as_bytes())),
            _ => false,
        };
        if !valid && !is_one_click_unsubscribe(req.path(), &submitted) {
            return Ok(req.error_response(AppError::CsrfRejected).map_into_right_body());
        }
    }
    let token = match stored {
        Some(token) => token,
        None => {
            let token = tokens::generate();
            req.extensions_mut().insert(FreshToken(token.clone()));
            token
        }
    };
    req.extensions_mut().insert(CsrfToken(token));
    let mut res = next.call(req).await?;
    let fresh = res.request().extensions().get::<NeedsCookie>().is_some();
    let fresh_token = res.request().extensions().get::<FreshToken>().cloned();
    if let (true, Some(FreshToken(token))) = (fresh, fresh_token) {
        let cookie = signed_cookie(&state, token);
        // Failing to set the cookie only means the next form submission is refused; not fatal.
        if let Err(e) = res.response_mut().add_cookie(&cookie) {
            tracing::warn!(error = %e, "could not set the CSRF cookie");
        }
    }
    Ok(res.map_into_left_body())
}

fn read_cookie(req: &HttpRequest, state: &AppState) -> Option<String> {
    let raw = req.cookie(COOKIE)?;
    let mut jar = CookieJar::new();
    jar.add_original(raw.into_owned());
    jar.signed(&state.cookie_key).get(COOKIE).map(|c| c.value().to_owned())
}

/// A cookie with a brand-new token, set when a session begins or ends.
pub fn fresh_cookie(state: &AppState) -> Cookie<'static> {
    signed_cookie(state, tokens::generate())
}

fn signed_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let cookie = Cookie::build(COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(state.config.is_https())
        .same_site(SameSite::Lax)
        .finish();
    let mut jar = CookieJar::new();
    jar.signed_mut(&state.cookie_key).add(cookie);
    jar.get(COOKIE).cloned().unwrap_or_else(|| Cookie::new(COOKIE, ""))
}

/// What an unsafe request carried: its token, and whether its form body is a one-click unsubscribe.
#[derive(Default)]
struct Submitted {
    token: Option<String>,
    one_click: bool,
}

/// Mail providers POST `List-Unsubscribe=One-Click` to a message's `List-Unsubscribe` URL
/// (RFC 8058) with no cookies and so no CSRF token. That request needs no token: the
/// unguessable HMAC token in the `/unsubscribe/{token}` (or `/insights/unsubscribe/{token}`) path
/// is itself the credential, so a forger cannot name a victim's URL, and all it can do is turn
/// mail off for that one member (or take that one address off the insights list).
fn is_one_click_unsubscribe(path: &str, submitted: &Submitted) -> bool {
    submitted.one_click
        && ["/unsubscribe/", "/insights/unsubscribe/"]
            .iter()
            .any(|prefix| path.strip_prefix(prefix).is_some_and(|token| !token.is_empty() && !token.contains('/')))
}

/// Whether a URL-encoded body is exactly the RFC 8058 one-click form, `List-Unsubscribe=One-Click`.
pub fn is_one_click_body(body: &[u8]) -> bool {
    url::form_urlencoded::parse(body).any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click")
}

/// The token from the header, or from a URL-encoded form body (which is put back for the handler).
async fn submitted_token(req: &mut ServiceRequest) -> Result<Submitted, actix_web::Error> {
    if let Some(value) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return Ok(Submitted { token: Some(value.to_owned()), one_click: false });
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(Submitted::default());
    }
    // Bytes obeys the app's PayloadConfig limit, so an oversized body is refused here too.
    let body = req.extract::<Bytes>().await.map_err(|e| match e.as_response_error().status_code() {
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge.into(),
        _ => e,
    })?;
    let token = url::form_urlencoded::parse(&body).find(|(k, _)| k == FIELD).map(|(_, v)| v.into_owned());
    let one_click = is_one_click_body(&body);
    req.set_payload(Payload::from(body));
    Ok(Submitted { token, one_click })
}
