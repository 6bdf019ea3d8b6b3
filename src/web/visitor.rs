//! Who is asking: the `Visitor` extractor (anyone, maybe signed in) and `CurrentUser` (must be
//! signed in). The user is loaded once per request and cached in the request's extensions.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use tera::Context;

use crate::error::{AppError, FieldErrors};
use crate::services::actor::Actor;
use crate::services::sessions;
use crate::state::AppState;
use crate::web::csrf::{self, CsrfToken};
use crate::web::{http_cache, layout, session};

/// The visitor of a page: the path, the CSRF token for forms, the signed-in user if any, and a
/// one-time message left by the previous action.
pub struct Visitor {
    /// The request path (no query).
    pub path: String,
    /// The token forms must carry.
    pub csrf: CsrfToken,
    /// The signed-in user.
    pub user: Option<Actor>,
    /// A message from the previous action ("Signed out.").
    pub flash: Option<String>,
    /// The signed-in user's unread notifications, for the header badge.
    pub unread_count: i64,
    /// The request, to note whether the page used the CSRF token.
    request: HttpRequest,
}

/// A signed-in user; extracting it from an anonymous request sends the visitor to sign in.
pub struct CurrentUser(pub Actor);

/// The request's user, cached after the first look-up.
#[derive(Clone)]
struct LoadedUser(Option<Actor>);

/// The request's user's unread notification count, read with the user.
#[derive(Clone, Copy)]
struct UnreadCount(i64);

impl Visitor {
    /// Renders a page template inside the layout.
    pub fn render(&self, state: &AppState, template: &str, page: Context) -> Result<HttpResponse, AppError> {
        self.render_as(state, template, page, StatusCode::OK)
    }

    /// Renders a page holding a form, with its messages as `errors`; the page's status is the
    /// one [`FieldErrors`] carries (200 with none, else that of the refusal: see [`crate::error`]).
    pub fn render_form(
        &self,
        state: &AppState,
        template: &str,
        mut page: Context,
        errors: &FieldErrors,
    ) -> Result<HttpResponse, AppError> {
        page.insert("errors", errors);
        self.render_as(state, template, page, errors.status())
    }

    /// Renders a page that no cache, shared or private, may keep: internal figures, staff and
    /// moderator queues, and pages that show what only the visitor should see (an address,
    /// a secret link's form), even to an anonymous visitor.
    pub fn render_private(&self, state: &AppState, template: &str, page: Context) -> Result<HttpResponse, AppError> {
        let html = self.render_html(state, template, page)?;
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((CACHE_CONTROL, "private, no-store"))
            .body(html))
    }

    /// Renders a page template inside the layout with the status already chosen for it.
    pub(crate) fn render_as(
        &self,
        state: &AppState,
        template: &str,
        page: Context,
        status: StatusCode,
    ) -> Result<HttpResponse, AppError> {
        let html = self.render_html(state, template, page)?;
        let uses_token = html.contains(self.csrf.0.as_str());
        // Only a page that is the same for every anonymous visitor may be kept by shared caches:
        // no signed-in user, no one-time message, no form token.
        let shared = self.user.is_none() && self.flash.is_none() && !uses_token && status == StatusCode::OK;
        if !shared {
            return Ok(HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .insert_header((CACHE_CONTROL, "private, no-cache"))
                .body(html));
        }
        Ok(http_cache::public_html(&self.request, status, html))
    }

    /// The page's HTML inside the layout; notes whether it printed the form token.
    fn render_html(&self, state: &AppState, template: &str, page: Context) -> Result<String, AppError> {
        let mut context = layout::context(state, &self.path, Some(&self.csrf), self.user.as_ref());
        context.insert("flash", &self.flash);
        context.insert("unread_count", &self.unread_count);
        context.extend(page);
        let html = state.templates.render(template, &context)?;
        if html.contains(self.csrf.0.as_str()) {
            csrf::mark_used(&self.request);
        }
        Ok(html)
    }
}

/// The signed-in user cached for this request, if the visitor extractor already ran.
pub fn cached_user(req: &HttpRequest) -> Option<Actor> {
    req.extensions().get::<LoadedUser>().and_then(|l| l.0.clone())
}

/// The member the request's session cookie signs in, if it is still valid; read once per request.
pub async fn load_user(req: &HttpRequest) -> Result<Option<Actor>, AppError> {
    if let Some(loaded) = req.extensions().get::<LoadedUser>() {
        return Ok(loaded.0.clone());
    }
    let session = req.get_session();
    let actor = match session::claim(&session) {
        None => None,
        Some(claim) => {
            let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::internal("no app state"))?;
            let now = chrono::Utc::now().naive_utc();
            let (user_id, secret) = (claim.user_id, claim.secret.clone());
            let resumed = state.db(move |conn| sessions::resume(conn, user_id, &secret, now)).await?;
            req.extensions_mut().insert(UnreadCount(resumed.unread));
            match resumed.actor {
                Some(actor) if resumed.open && session::honours(&actor, claim.epoch) => Some(actor),
                _ => {
                    // A void session (signed out, password changed elsewhere, suspended,
                    // deleted) ends here.
                    session::end(&session);
                    None
                }
            }
        }
    };
    req.extensions_mut().insert(LoadedUser(actor.clone()));
    Ok(actor)
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let csrf = csrf::peek(&req).ok_or_else(|| AppError::internal("csrf middleware missing"))?;
            let user = load_user(&req).await?;
            let flash = session::take_flash(&req.get_session());
            let unread_count = req.extensions().get::<UnreadCount>().map_or(0, |c| c.0);
            Ok(Visitor { path: req.path().to_owned(), csrf, user, flash, unread_count, request: req })
        })
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match load_user(&req).await? {
                Some(actor) => Ok(CurrentUser(actor)),
                None => Err(AppError::SignInRequired(sign_in_return_path(&req))),
            }
        })
    }
}

/// Where to come back to after signing in: the page itself for GETs, else the referring page.
fn sign_in_return_path(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        return req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".to_owned());
    }
    "/".to_owned()
}
