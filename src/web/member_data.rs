//! A member's own data (`/settings/export`, `/settings/delete-account`) and the same for an
//! admin acting on a member's request (`/admin/users/{id}/export`, `/admin/users/{id}/delete`).

use actix_session::Session;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType, CACHE_CONTROL};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::db::models::users::User;
use crate::domain::UserId;
use crate::error::AppError;
use crate::services::account_deletion;
use crate::services::member_data::{self, Download};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// The deletion form: the username typed again, and for admins an optional note.
#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    note: String,
}

/// POST /settings/export — "Download my data".
pub async fn export_own(state: web::Data<AppState>, CurrentUser(actor): CurrentUser) -> Result<HttpResponse, AppError> {
    let site = state.config.base_url.to_string();
    let now = chrono::Utc::now().naive_utc();
    let member = UserId(actor.id);
    let download = state.write(move |conn, feed| member_data::export(conn, feed, &actor, member, &site, now)).await?;
    attachment(&download)
}

/// POST /admin/users/{id}/export — an admin downloads a member's data on their request.
pub async fn export_member(
    state: web::Data<AppState>,
    CurrentUser(actor): CurrentUser,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let site = state.config.base_url.to_string();
    let now = chrono::Utc::now().naive_utc();
    let member = id.into_inner();
    let download = state.write(move |conn, feed| member_data::export(conn, feed, &actor, member, &site, now)).await?;
    attachment(&download)
}

/// GET /settings/delete-account — what deleting means, and the form to confirm it.
pub async fn delete_own_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let page = context(true, actor.id, &actor.username, &actor.display_name, "/settings/delete-account");
    visitor.render_form(&state, "members/delete.html", page, &FieldErrors::new())
}

/// POST /settings/delete-account — the member deletes their own account and is signed out.
pub async fn delete_own(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let confirm = form.into_inner().confirm;
    let page = context(true, actor.id, &actor.username, &actor.display_name, "/settings/delete-account");
    let now = chrono::Utc::now().naive_utc();
    let outcome =
        state.write(move |conn, feed| account_deletion::delete_own_account(conn, feed, &actor, &confirm, now)).await;
    match outcome {
        Ok(()) => {
            session::end(&session);
            session::flash(&session, "Your account is deleted. Your posts stay, shown as by a deleted member.");
            Ok(forms::see_other("/"))
        }
        Err(error) => visitor.render_form(&state, "members/delete.html", page, &FieldErrors::from_error(error)?),
    }
}

/// GET /admin/users/{id}/delete — the admin's confirmation page for a deletion on request.
pub async fn delete_member_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let member = id.into_inner();
    let user = state.db(move |conn| account_deletion::member_to_delete(conn, &actor, member)).await?;
    visitor.render_form(&state, "members/delete.html", member_context(&user), &FieldErrors::new())
}

/// POST /admin/users/{id}/delete — an admin deletes a member's account on their request.
pub async fn delete_member(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<UserId>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let member = id.into_inner();
    let DeleteForm { confirm, note } = form.into_inner();
    let page_actor = actor.clone();
    let now = chrono::Utc::now().naive_utc();
    let outcome = state
        .write(move |conn, feed| account_deletion::delete_on_request(conn, feed, &actor, member, &confirm, &note, now))
        .await;
    match outcome {
        Ok(()) => {
            session::flash(
                &session,
                &format!("Account #{member} is deleted; its posts now show as by a deleted member."),
            );
            Ok(forms::see_other("/admin/users"))
        }
        Err(error) => {
            let errors = FieldErrors::from_error(error)?;
            let user = state.db(move |conn| account_deletion::member_to_delete(conn, &page_actor, member)).await?;
            visitor.render_form(&state, "members/delete.html", member_context(&user), &errors)
        }
    }
}

fn member_context(user: &User) -> Context {
    let action = format!("/admin/users/{}/delete", user.id);
    let mut page = context(false, user.id, &user.username, &user.display_name, &action);
    page.insert("email", &user.email);
    page
}

fn context(own: bool, id: i64, username: &str, display_name: &str, action: &str) -> Context {
    let mut page = Context::new();
    page.insert("own", &own);
    page.insert("member_id", &id);
    page.insert("member_username", username);
    page.insert("member_display_name", display_name);
    page.insert("action", action);
    page
}

/// The export as a JSON file to save, which no cache may keep.
fn attachment(download: &Download) -> Result<HttpResponse, AppError> {
    let body = serde_json::to_vec_pretty(&download.export).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(download.file_name.clone())],
        })
        .body(body))
}
