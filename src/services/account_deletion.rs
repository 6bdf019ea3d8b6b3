//! Deleting a member's account, by the member or by an admin on the member's request. Audited.
//!
//! The account's row is anonymised in place rather than removed or swapped for one shared
//! placeholder account: every post, comment, vote, revision and flag keeps pointing at the same
//! id, so scores, histories and the one-vote-per-member rule stay consistent, and nothing else
//! has to be rewritten. The row loses everything personal (name, address, password, source ids,
//! preferences), gets the username `deleted-member-ID` and the name "Deleted member", and is
//! marked `deleted_at`, so it can never sign in or be invited again. The rows kept only for the
//! member (sessions, link tokens, watches, notifications, mail to them) are removed. The old
//! username and address are free again: keeping them reserved would mean keeping them.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed, Changes};
use crate::db::models::member_erasure as erasure;
use crate::db::models::member_export;
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::domain::{Role, UserId};

/// Usernames starting with this are kept for deleted accounts; nobody may sign up with one.
pub const DELETED_USERNAME_PREFIX: &str = "deleted-member-";

/// Longest note an admin may record with a deletion on request.
pub const MAX_NOTE: usize = 500;

/// The member an admin is about to delete, for the confirmation page.
pub fn member_to_delete(conn: &mut DbConnection, actor: &Actor, UserId(member): UserId) -> ServiceResult<User> {
    actor.ensure_admin()?;
    live_member(conn, member)
}

/// Deletes the actor's own account once they typed their username as `confirmation`.
pub fn delete_own_account(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    confirmation: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, changes| {
        let user = live_member(conn, actor.id)?;
        check_confirmation(&user, confirmation, "Type your username")?;
        erase(conn, changes, actor, &user, "by the member", now)
    })
}

/// Deletes a member's account on their request; `confirmation` must be their username, `note`
/// (optional) says how they asked and goes to the audit log. Admins only.
pub fn delete_on_request(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    UserId(member): UserId,
    confirmation: &str,
    note: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    actor.ensure_admin()?;
    let note = note.trim();
    if note.chars().count() > MAX_NOTE || note.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "note",
            format!("Keep the note to one line of at most {MAX_NOTE} characters."),
        ));
    }
    let detail = if note.is_empty() { "on request".to_owned() } else { format!("on request: {note}") };
    feed.write(conn, now, |conn, changes| {
        let user = live_member(conn, member)?;
        check_confirmation(&user, confirmation, "Type the member's username")?;
        erase(conn, changes, actor, &user, &detail, now)
    })
}

/// The member, unless there is none or the account is already deleted.
fn live_member(conn: &mut DbConnection, id: i64) -> ServiceResult<User> {
    let user = users::find(conn, id)?.ok_or(ServiceError::NotFound("Member"))?;
    if user.deleted_at.is_some() {
        return Err(ServiceError::Gone("This account is already deleted.".into()));
    }
    Ok(user)
}

fn check_confirmation(user: &User, typed: &str, ask: &str) -> ServiceResult<()> {
    if typed.trim().eq_ignore_ascii_case(&user.username) {
        Ok(())
    } else {
        Err(ServiceError::invalid("confirm", format!("{ask}, {}, to confirm. Nothing was deleted.", user.username)))
    }
}

/// Everything a deletion does, inside the caller's transaction.
fn erase(
    conn: &mut DbConnection,
    changes: &mut Changes,
    actor: &Actor,
    user: &User,
    detail: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    if user.role == Role::Admin && !users::other_active_admin_exists(conn, user.id)? {
        return Err(ServiceError::Conflict(
            "This is the only administrator; make someone else admin before deleting this account.".into(),
        ));
    }
    // Mail may wait for the current address and for one being confirmed (held by its token).
    let mut addresses: Vec<String> = member_export::tokens_of(conn, user.id)?.into_iter().filter_map(|t| t.1).collect();
    addresses.extend(user.email.clone());
    addresses.sort_unstable();
    addresses.dedup();
    for address in &addresses {
        erasure::delete_mail_to(conn, address)?;
        erasure::redact_audit_details(conn, user.id, address)?;
    }
    erasure::delete_sessions(conn, user.id)?;
    erasure::delete_tokens(conn, user.id)?;
    erasure::delete_api_tokens(conn, user.id)?;
    // Its provider accounts could otherwise sign in to the anonymised row, or make a new one.
    crate::db::models::sso::delete_identities_of(conn, user.id)?;
    crate::db::models::sso::delete_link_requests_of(conn, user.id)?;
    erasure::delete_watches(conn, user.id)?;
    crate::db::models::suggested_edits::withdraw_pending_by(conn, user.id)?;
    // Topics they led or watched, and questions they were on, go back to nobody.
    crate::db::models::topics::forget_user(conn, user.id)?;
    crate::db::models::assignments::release_all_of(conn, user.id)?;
    erasure::delete_notifications(conn, user.id)?;
    erasure::anonymise(conn, user.id, &format!("{DELETED_USERNAME_PREFIX}{}", user.id), now)?;
    audit::record(conn, actor, "user.delete", ("user", user.id), Some(detail), now)?;
    // Search documents hold the asker's username; each of their questions is indexed again.
    for question in erasure::question_ids_by(conn, user.id)? {
        changes.push(Change::AskerRenamed { question, user: user.id });
    }
    changes.push(Change::AccountDeleted { user: user.id, by: actor.id });
    Ok(())
}
