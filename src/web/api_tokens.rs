//! API tokens in the browser: a member's own (`/settings/api-tokens`) and every member's, for
//! admins (`/admin/api-tokens`). Pages that list tokens are never cached; the page that shows a
//! new token's secret, once, is not even kept in the browser's history cache.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use tera::Context;

use crate::error::AppError;
use crate::services::api_tokens::{self, NewToken, MAX_NAME_CHARS};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// The expiries the form offers (value, label); 90 days is preselected.
const EXPIRY_CHOICES: [(&str, &str); 5] =
    [("7", "in 7 days"), ("30", "in 30 days"), ("90", "in 90 days"), ("365", "in a year"), ("never", "never")];

/// The new-token form: a name, scope checkboxes (the same field repeated) and an expiry.
#[derive(Debug, Default)]
pub struct TokenForm {
    name: String,
    scopes: Vec<String>,
    expires_in_days: String,
}

impl TokenForm {
    /// Reads the URL-encoded form; repeated `scope` fields are the checked boxes.
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            match key.as_ref() {
                "name" => form.name = value.into_owned(),
                "scope" => form.scopes.push(value.into_owned()),
                "expires_in_days" => form.expires_in_days = value.into_owned(),
                _ => {}
            }
        }
        form
    }

    /// The form as the service reads it; a blank or `never` expiry is none.
    fn to_new_token(&self) -> Result<NewToken, AppError> {
        let days = self.expires_in_days.trim();
        let expires_in_days = match days {
            "" | "never" => None,
            days => Some(days.parse::<i64>().map_err(|_| {
                crate::services::ServiceError::invalid("expires_in_days", "Choose an expiry from the list.")
            })?),
        };
        Ok(NewToken { name: self.name.clone(), scopes: self.scopes.clone(), expires_in_days })
    }
}

/// GET /settings/api-tokens
pub async fn list_own(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    own_page(&state, &visitor, actor, &FieldErrors::new(), &TokenForm::default(), None).await
}

/// POST /settings/api-tokens — makes a token and shows its secret this once.
pub async fn create(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = TokenForm::parse(&body);
    let now = chrono::Utc::now().naive_utc();
    let made = match form.to_new_token() {
        Ok(new) => {
            let acting = actor.clone();
            state.write(move |conn, feed| api_tokens::create(conn, feed, &acting, &new, now)).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok((token, secret)) => {
            let shown = serde_json::json!({ "name": token.name, "secret": secret, "scopes": token.scopes });
            own_page(&state, &visitor, actor, &FieldErrors::new(), &TokenForm::default(), Some(shown)).await
        }
        Err(e) => own_page(&state, &visitor, actor, &FieldErrors::from_error(e)?, &form, None).await,
    }
}

/// POST /settings/api-tokens/{id}/revoke
pub async fn revoke_own(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| api_tokens::revoke_own(conn, feed, &actor, id, now)).await?;
    session::flash(&session, "The token is revoked; programs using it are refused from now on.");
    Ok(forms::see_other("/settings/api-tokens"))
}

/// GET /admin/api-tokens
pub async fn list_all(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    let tokens = state.db(move |conn| api_tokens::list_all(conn, &actor, now)).await?;
    let mut page = Context::new();
    page.insert("tokens", &tokens);
    page.insert("show_owner", &true);
    page.insert("revoke_base", "/admin/api-tokens");
    visitor.render_private(&state, "admin/api_tokens.html", page)
}

/// POST /admin/api-tokens/{id}/revoke
pub async fn revoke_any(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| api_tokens::revoke_any(conn, feed, &actor, id, now)).await?;
    session::flash(&session, "The token is revoked.");
    Ok(forms::see_other("/admin/api-tokens"))
}

/// The member's token page, with the form's messages and, right after making one, its secret.
async fn own_page(
    state: &AppState,
    visitor: &Visitor,
    actor: crate::services::actor::Actor,
    errors: &FieldErrors,
    form: &TokenForm,
    new_token: Option<serde_json::Value>,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    let is_staff = actor.role.is_staff();
    let tokens = state.db(move |conn| api_tokens::list_own(conn, &actor, now)).await?;
    let mut page = Context::new();
    page.insert("tokens", &tokens);
    page.insert("show_owner", &false);
    page.insert("revoke_base", "/settings/api-tokens");
    page.insert("new_token", &new_token);
    page.insert("errors", errors);
    page.insert("is_staff", &is_staff);
    page.insert("max_name_chars", &MAX_NAME_CHARS);
    page.insert("expiry_choices", &EXPIRY_CHOICES);
    page.insert(
        "values",
        &serde_json::json!({ "name": form.name, "scopes": form.scopes, "expires_in_days": form.expires_in_days }),
    );
    // The secret must not linger in any cache; a refused form keeps its status (422, 409...).
    let mut response = visitor.render_private(state, "settings/api_tokens.html", page)?;
    *response.status_mut() = errors.status();
    Ok(response)
}

/// What `GET /api/v1/me` answers: who the caller is and what it may do, so a program can check
/// its token before it relies on it.
#[derive(Debug, serde::Serialize)]
pub struct Me {
    /// The member's id.
    pub id: i64,
    /// The member's username.
    pub username: String,
    /// The name shown on posts.
    pub display_name: String,
    /// The member's role.
    pub role: crate::domain::Role,
    /// What the request may do: a token's scopes, or every scope for a browser session.
    pub scopes: Vec<crate::domain::ApiScope>,
    /// The token's id, when a token authenticated the request.
    pub token_id: Option<i64>,
}

/// GET /api/v1/me — the caller; anonymous callers are asked for a token.
pub async fn me(caller: crate::web::api_auth::ApiCaller) -> Result<HttpResponse, AppError> {
    let actor = caller.require(crate::domain::ApiScope::Read)?;
    let scopes = caller.scopes();
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store")).json(Me {
        id: actor.id,
        username: actor.username,
        display_name: actor.display_name,
        role: actor.role,
        scopes,
        token_id: caller.token_id(),
    }))
}
