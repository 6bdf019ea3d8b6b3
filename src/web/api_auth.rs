//! Who calls the API: [`ApiCaller`], the extractor every `/api/v1` handler names.
//!
//! A request is authenticated by exactly one thing. With an `Authorization` header it is the
//! bearer token and nothing else: the cookie is ignored, which is why such requests may skip the
//! CSRF check (see [`skips_csrf`]); a forger can make a browser send cookies, never a
//! header. Without one it is the browser's session cookie, and the CSRF middleware has already
//! checked the request like a form. Without either the caller is anonymous, and may read what
//! the public may read; such a request carries no credential a forger could borrow, so it skips
//! the CSRF check too, and a write is answered 401 (send a token) rather than 403.
//!
//! Each request also counts against its caller's allowance of API requests per minute.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::domain::ApiScope;
use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::actor::Actor;
use crate::services::api_tokens::{self, Bearer};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::{request_budget, session, visitor};

/// The `WWW-Authenticate` realm of the API.
const REALM: &str = "api";

/// The caller of an API request and what it may do.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    grant: Grant,
}

/// How the caller proved who it is.
#[derive(Debug, Clone)]
enum Grant {
    /// Nobody: public reads only.
    Anonymous,
    /// A browser's session (CSRF-checked): everything the member's role allows.
    Session(Actor),
    /// A personal API token: its member, within its scopes.
    Token(Bearer),
}

impl ApiCaller {
    /// Who reads: the member whose view the answer should reflect (their own held posts, say),
    /// or `None` for the public view. A token without any scope reading implies (none exists
    /// today) reads as the public.
    pub fn viewer(&self) -> Option<&Actor> {
        match &self.grant {
            Grant::Anonymous => None,
            Grant::Session(actor) => Some(actor),
            Grant::Token(bearer) => bearer.scopes.iter().any(|s| s.covers(ApiScope::Read)).then_some(&bearer.actor),
        }
    }

    /// The member to act as, if the caller may do what `scope` allows: anonymous callers are
    /// asked for a token (401), tokens without the scope are refused (403). The use case still
    /// checks the member's role and standing, exactly as for the HTML form.
    pub fn require(&self, scope: ApiScope) -> Result<Actor, AppError> {
        match &self.grant {
            Grant::Anonymous => Err(AppError::TokenRequired { realm: REALM, refused: false }),
            Grant::Session(actor) => Ok(actor.clone()),
            Grant::Token(bearer) if bearer.scopes.iter().any(|s| s.covers(scope)) => Ok(bearer.actor.clone()),
            Grant::Token(_) => Err(ServiceError::Forbidden(format!(
                "This token does not have the \u{201c}{scope}\u{201d} scope; make one that does in Settings."
            ))
            .into()),
        }
    }

    /// What the request may do: a token's scopes, every scope for a browser session (the
    /// member's role still decides), none for an anonymous caller.
    pub fn scopes(&self) -> Vec<ApiScope> {
        match &self.grant {
            Grant::Anonymous => Vec::new(),
            Grant::Session(_) => ApiScope::ALL.to_vec(),
            Grant::Token(bearer) => bearer.scopes.clone(),
        }
    }

    /// The token's row id, when a token authenticated the request.
    pub fn token_id(&self) -> Option<i64> {
        match &self.grant {
            Grant::Token(bearer) => Some(bearer.token_id),
            _ => None,
        }
    }

    /// Whose allowance of API requests this one counts against.
    fn rate_key(&self, req: &HttpRequest, state: &AppState) -> String {
        match &self.grant {
            Grant::Token(bearer) => format!("token:{}", bearer.token_id),
            Grant::Session(actor) => format!("member:{}", actor.id),
            Grant::Anonymous => request_budget::client_key(req, state),
        }
    }
}

/// Whether the request authenticates with an `Authorization` header under `/api/`: then
/// [`ApiCaller`] ignores its cookies.
pub fn is_token_request(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/") && req.headers().contains_key(AUTHORIZATION)
}

/// Whether an API request is exempt from the CSRF check: it authenticates by its token (and its
/// cookies are ignored), or it carries no session cookie and so is anonymous. Either way no
/// credential rides along that a forged request could borrow.
pub fn skips_csrf(req: &HttpRequest) -> bool {
    is_token_request(req) || (req.path().starts_with("/api/") && req.cookie(session::COOKIE).is_none())
}

/// The caller, worked out once per request.
#[derive(Clone)]
struct Resolved(ApiCaller);

async fn resolve(req: &HttpRequest) -> Result<ApiCaller, AppError> {
    if let Some(Resolved(caller)) = req.extensions().get::<Resolved>() {
        return Ok(caller.clone());
    }
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::internal("no app state"))?;
    let grant = if is_token_request(req) {
        let secret = bearer_secret(req)?;
        let now = chrono::Utc::now().naive_utc();
        let bearer = state.db(move |conn| api_tokens::authenticate(conn, &secret, now)).await.map_err(|e| match e {
            AppError::Service(ServiceError::Unauthenticated) => AppError::TokenRequired { realm: REALM, refused: true },
            other => other,
        })?;
        Grant::Token(bearer)
    } else {
        match visitor::load_user(req).await? {
            Some(actor) => Grant::Session(actor),
            None => Grant::Anonymous,
        }
    };
    let caller = ApiCaller { grant };
    state.rate_limits.check(Limit::ApiPerCaller, &caller.rate_key(req, state))?;
    req.extensions_mut().insert(Resolved(caller.clone()));
    Ok(caller)
}

/// The secret of an `Authorization: Bearer` header; any other scheme is refused as a wrong token.
fn bearer_secret(req: &HttpRequest) -> Result<String, AppError> {
    let refused = AppError::TokenRequired { realm: REALM, refused: true };
    let value = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(refused)?;
    let (scheme, secret) =
        value.trim().split_once(' ').ok_or(AppError::TokenRequired { realm: REALM, refused: true })?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::TokenRequired { realm: REALM, refused: true });
    }
    Ok(secret.trim().to_owned())
}

impl FromRequest for ApiCaller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(&req).await })
    }
}
