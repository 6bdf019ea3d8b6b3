//! `/admin/users`: find users, change roles, suspend and unsuspend, invite imported authors.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::domain::UserId;
use crate::error::AppError;
use crate::roles::Role;
use crate::services::admin_users;
use crate::state::AppState;
use crate::web::forms;
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// `?q=&before=`
#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    before: Option<i64>,
}

/// The change-role form.
#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// The suspend form.
#[derive(Deserialize)]
pub struct SuspendForm {
    reason: String,
}

/// The invite form.
#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
}

/// A user as the admin list shows them.
#[derive(serde::Serialize)]
struct Row {
    id: i64,
    username: String,
    display_name: String,
    email: Option<String>,
    role: String,
    badge: Option<&'static str>,
    verified: bool,
    /// Has a password; without one (an imported author) the account waits for an invitation.
    can_sign_in: bool,
    suspended: bool,
    suspended_reason: Option<String>,
    /// Deleted (anonymised): nothing is left to change.
    deleted: bool,
    created: String,
}

/// GET /admin/users
pub async fn list(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let ListQuery { q, before } = query.into_inner();
    let search = q.clone();
    let users = state.db(move |conn| admin_users::list(conn, &actor, search.as_deref(), before)).await?;
    let next_before = (users.len() as i64 == admin_users::PAGE_SIZE).then(|| users.last().map(|u| u.id)).flatten();
    let rows: Vec<Row> = users
        .into_iter()
        .map(|u| {
            let role = u.role;
            Row {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                email: u.email,
                role: role.as_str().to_owned(),
                badge: role.badge(),
                verified: u.email_verified_at.is_some(),
                can_sign_in: u.password_hash.is_some(),
                suspended: u.suspended_at.is_some(),
                suspended_reason: u.suspended_reason,
                deleted: u.deleted_at.is_some(),
                created: u.created_at.format("%Y-%m-%d").to_string(),
            }
        })
        .collect();
    let mut page = Context::new();
    page.insert("users", &rows);
    page.insert("q", &q.unwrap_or_default());
    page.insert("next_before", &next_before);
    page.insert("roles", &Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>());
    visitor.render_private(&state, "admin/users.html", page)
}

/// POST /admin/users/{id}/role
pub async fn set_role(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<UserId>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let role: Role = form.role.parse().map_err(|e: crate::roles::UnknownRole| AppError::BadRequest(e.to_string()))?;
    let id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let user = state.write(move |conn, feed| admin_users::set_role(conn, feed, &actor, id, role, now)).await?;
    session::flash(&session, &format!("{} is now {}.", user.username, user.role));
    Ok(forms::see_other("/admin/users"))
}

/// POST /admin/users/{id}/suspend
pub async fn suspend(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<UserId>,
    form: web::Form<SuspendForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reason = form.into_inner().reason;
    let now = chrono::Utc::now().naive_utc();
    let user = state.write(move |conn, feed| admin_users::suspend(conn, feed, &actor, id, &reason, now)).await?;
    session::flash(&session, &format!("{} is suspended.", user.username));
    Ok(forms::see_other("/admin/users"))
}

/// POST /admin/users/{id}/unsuspend
pub async fn unsuspend(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let user = state.write(move |conn, feed| admin_users::unsuspend(conn, feed, &actor, id, now)).await?;
    session::flash(&session, &format!("{} may post again.", user.username));
    Ok(forms::see_other("/admin/users"))
}

/// POST /admin/users/{id}/invite
pub async fn invite(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<UserId>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let email = form.into_inner().email;
    let now = chrono::Utc::now().naive_utc();
    let outbox = state.outbox.clone();
    let user = state.write(move |conn, feed| admin_users::invite(conn, feed, &outbox, &actor, id, &email, now)).await?;
    let address = user.email.unwrap_or_default();
    session::flash(&session, &format!("{} is invited: a link to choose a password went to {address}.", user.username));
    Ok(forms::see_other("/admin/users"))
}
