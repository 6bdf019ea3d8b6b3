//! Settings → Sign-in: the providers linked to the account, buttons to link the others, and
//! unlinking one (never the last way in).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use tera::Context;

use crate::error::AppError;
use crate::services::sso::identities::{self, WaysIn};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::forms;
use crate::web::visitor::{CurrentUser, Visitor};

/// One row of the page.
#[derive(serde::Serialize)]
struct LinkedRow {
    id: i64,
    provider_name: String,
    email: Option<String>,
    created_at: chrono::NaiveDateTime,
    last_used_at: chrono::NaiveDateTime,
    /// Something else could still sign them in without it.
    removable: bool,
}

/// GET /settings/sign-in
pub async fn show(state: web::Data<AppState>, visitor: Visitor, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let CurrentUser(actor) = user;
    page(&state, &visitor, actor.id, None).await
}

/// The page, with the message and status of a refused unlinking when there was one.
async fn page(
    state: &AppState,
    visitor: &Visitor,
    user_id: i64,
    refusal: Option<(String, StatusCode)>,
) -> Result<HttpResponse, AppError> {
    let linked = state.db(move |conn| identities::list(conn, user_id)).await?;
    let providers = state.identity_providers.buttons();
    let name_of = |id: &str| providers.iter().find(|p| p.id == id).map_or_else(|| id.to_owned(), |p| p.name.clone());
    let user = state.db(move |conn| crate::db::models::users::find(conn, user_id)).await?;
    let has_password = user.as_ref().is_some_and(|u| u.password_hash.is_some());
    let configured: Vec<&str> = providers.iter().map(|p| p.id.as_str()).collect();
    let ways = WaysIn { password_sign_in: state.config.password_sign_in, providers: &configured };
    let rows: Vec<LinkedRow> = linked
        .iter()
        .map(|i| LinkedRow {
            id: i.id,
            provider_name: name_of(&i.provider),
            email: i.email.clone(),
            created_at: i.created_at,
            last_used_at: i.last_used_at,
            removable: user.as_ref().is_some_and(|u| identities::other_way_in(u, &linked, i.id, ways)),
        })
        .collect();
    let unlinked: Vec<_> = providers.iter().filter(|p| !linked.iter().any(|i| i.provider == p.id)).collect();
    let mut page = Context::new();
    page.insert("linked", &rows);
    page.insert("unlinked", &unlinked);
    page.insert("has_password", &has_password);
    page.insert("password_sign_in", &state.config.password_sign_in);
    let status = match refusal {
        Some((message, status)) => {
            page.insert("problem", &message);
            status
        }
        None => StatusCode::OK,
    };
    let mut response = visitor.render_private(state, "settings/sign_in.html", page)?;
    *response.status_mut() = status;
    Ok(response)
}

/// POST /settings/sign-in/{id}/remove
pub async fn remove(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: actix_session::Session,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let CurrentUser(actor) = user;
    let user_id = actor.id;
    let identity_id = id.into_inner();
    let password_sign_in = state.config.password_sign_in;
    let configured: Vec<String> = state.identity_providers.buttons().into_iter().map(|p| p.id).collect();
    let now = chrono::Utc::now().naive_utc();
    let outcome = state
        .write(move |conn, feed| {
            let providers: Vec<&str> = configured.iter().map(String::as_str).collect();
            let ways = WaysIn { password_sign_in, providers: &providers };
            identities::remove(conn, feed, actor.id, identity_id, ways, now)
        })
        .await;
    match outcome {
        Ok(()) => {
            crate::web::session::flash(&session, "Unlinked. That provider no longer signs you in here.");
            Ok(forms::see_other("/settings/sign-in"))
        }
        Err(AppError::Service(refusal @ ServiceError::Conflict(_))) => {
            let message = refusal.to_string();
            let status = actix_web::ResponseError::status_code(&AppError::Service(refusal));
            page(&state, &visitor, user_id, Some((message, status))).await
        }
        Err(e) => Err(e),
    }
}
