//! The admin's view of users: finding them, changing roles, suspending, inviting imported
//! authors to sign in. Every change is audited.

use chrono::NaiveDateTime;
use tera::Context;

use super::actor::Actor;
use super::{accounts, audit};
use super::{ServiceError, ServiceResult};
use crate::changes::{AccountChange, Change, ChangeFeed};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::domain::UserId;
use crate::mail::{Letter, Outbox};
use crate::roles::Role;

/// Users shown per page.
pub const PAGE_SIZE: i64 = 50;

/// One page of users, newest first; `before` continues after the previous page's last id.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    query: Option<&str>,
    before: Option<i64>,
) -> ServiceResult<Vec<User>> {
    actor.ensure_admin()?;
    Ok(users::search(conn, query, before, PAGE_SIZE)?)
}

/// Gives a user another role; the last admin cannot be demoted.
pub fn set_role(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    UserId(user_id): UserId,
    role: Role,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    actor.ensure_admin()?;
    feed.write(conn, now, |conn, changes| {
        let user = live_user(conn, user_id)?;
        if user.role == role {
            return Ok(user);
        }
        if user.role == Role::Admin && !other_admin_exists(conn, user.id)? {
            return Err(ServiceError::Conflict(
                "This is the only administrator; make someone else admin first.".into(),
            ));
        }
        users::set_role(conn, user.id, role)?;
        changes.push(Change::AccountChanged { user: user.id, what: AccountChange::Role });
        audit::record(conn, actor, "user.role", ("user", user.id), Some(&format!("{} -> {}", user.role, role)), now)?;
        users::find(conn, user.id)?.ok_or(ServiceError::NotFound("User"))
    })
}

/// Suspends a user: they can still read, but cannot sign in or post; their sessions end.
pub fn suspend(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    UserId(user_id): UserId,
    reason: &str,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    actor.ensure_admin()?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ServiceError::invalid("reason", "Give a reason of up to 500 characters."));
    }
    if user_id == actor.id {
        return Err(ServiceError::Conflict("You cannot suspend yourself.".into()));
    }
    feed.write(conn, now, |conn, changes| {
        let user = live_user(conn, user_id)?;
        users::set_suspension(conn, user.id, Some((now, reason)))?;
        changes.push(Change::AccountChanged { user: user.id, what: AccountChange::Suspension });
        audit::record(conn, actor, "user.suspend", ("user", user.id), Some(reason), now)?;
        users::find(conn, user.id)?.ok_or(ServiceError::NotFound("User"))
    })
}

/// Lifts a suspension.
pub fn unsuspend(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    UserId(user_id): UserId,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    actor.ensure_admin()?;
    feed.write(conn, now, |conn, changes| {
        let user = live_user(conn, user_id)?;
        users::set_suspension(conn, user.id, None)?;
        changes.push(Change::AccountChanged { user: user.id, what: AccountChange::Suspension });
        audit::record(conn, actor, "user.unsuspend", ("user", user.id), None, now)?;
        users::find(conn, user.id)?.ok_or(ServiceError::NotFound("User"))
    })
}

/// Invites a member who cannot sign in yet (an imported author) by mail: the account gets this
/// address, and the mail a one-time link to choose a password.
pub fn invite(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    outbox: &Outbox,
    actor: &Actor,
    UserId(user_id): UserId,
    email: &str,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    actor.ensure_admin()?;
    feed.write(conn, now, |conn, changes| {
        let (user, token) = accounts::invite_within(conn, changes, user_id, email, now)?;
        let address = user.email.clone().unwrap_or_default();
        let mut context = Context::new();
        context.insert("username", &user.username);
        context.insert("display_name", &user.display_name);
        context.insert("path", &format!("/password/set/{token}"));
        context.insert("hours", &accounts::SET_PASSWORD_LINK_LIFETIME.num_hours());
        let subject = "You are invited to choose a password".to_owned();
        outbox.queue(conn, changes, Letter { to: &address, subject, template: "invitation", context })?;
        audit::record(conn, actor, "user.invite", ("user", user.id), Some(&address), now)?;
        Ok(user)
    })
}

fn other_admin_exists(conn: &mut DbConnection, except: i64) -> ServiceResult<bool> {
    Ok(users::other_active_admin_exists(conn, except)?)
}

/// The user, unless there is none or the account was deleted (nothing is left to change, and
/// an invitation would bring it back).
fn live_user(conn: &mut DbConnection, user_id: i64) -> ServiceResult<User> {
    let user = users::find(conn, user_id)?.ok_or(ServiceError::NotFound("User"))?;
    if user.deleted_at.is_some() {
        return Err(ServiceError::Gone("This account was deleted.".into()));
    }
    Ok(user)
}
