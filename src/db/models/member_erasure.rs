//! Deleting a member's account: the row is anonymised in place (so posts, votes and revisions
//! stay consistent under one "Deleted member"), and the rows kept only for them are removed.
//! Called inside one transaction by `services::account_deletion`, which owns the rules.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use crate::db::schema::{
    api_tokens, audit_log, auth_tokens, mail_outbox, notifications, posts, sessions, users, watches,
};
use crate::db::DbConnection;
use crate::domain::{MailPreference, PostKind, Role};

diesel::define_sql_function! {
    /// SQL `replace(text, from, to)`, the same on SQLite and PostgreSQL.
    fn replace(text: Nullable<Text>, from: Text, to: Text) -> Nullable<Text>;
}

/// The name a deleted member's row shows.
pub const DELETED_DISPLAY_NAME: &str = "Deleted member";

/// The questions the member asked, deleted ones included (their search documents name them).
pub fn question_ids_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<i64>> {
    posts::table
        .filter(posts::author_id.eq(user_id))
        .filter(posts::kind.eq(PostKind::Question))
        .select(posts::id)
        .load(conn)
}

/// Replaces every personal field of the row: the new `username` (unique, made from the id),
/// "Deleted member", no address, password or source, a plain member who wants no mail, and
/// `deleted_at`, which keeps the row from ever signing in again. Voids every session cookie.
pub fn anonymise(conn: &mut DbConnection, user_id: i64, username: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::username.eq(username),
            users::username_key.eq(username.to_lowercase()),
            users::display_name.eq(DELETED_DISPLAY_NAME),
            users::email.eq(None::<String>),
            users::password_hash.eq(None::<String>),
            users::role.eq(Role::Member),
            users::email_verified_at.eq(None::<NaiveDateTime>),
            users::suspended_at.eq(None::<NaiveDateTime>),
            users::suspended_reason.eq(None::<String>),
            users::session_epoch.eq(users::session_epoch + 1),
            users::last_seen_at.eq(None::<NaiveDateTime>),
            users::email_preference.eq(MailPreference::Never),
            users::digest_sent_at.eq(None::<NaiveDateTime>),
            users::source_site.eq(None::<String>),
            users::source_id.eq(None::<i64>),
            users::deleted_at.eq(now),
        ))
        .execute(conn)
}

/// Ends every session of the member: copies of their cookie stop working on every node.
pub fn delete_sessions(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

/// Removes every link token of the member (confirmation, reset, set-password), used or not.
pub fn delete_tokens(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(auth_tokens::table.filter(auth_tokens::user_id.eq(user_id))).execute(conn)
}

/// Removes the member's API tokens, revoked or not: programs acting for them stop at once.
pub fn delete_api_tokens(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(user_id))).execute(conn)
}

/// Stops the member watching anything.
pub fn delete_watches(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(watches::table.filter(watches::user_id.eq(user_id))).execute(conn)
}

/// Removes the member's own notifications (others' notifications of their answers stay).
pub fn delete_notifications(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(notifications::table.filter(notifications::user_id.eq(user_id))).execute(conn)
}

/// Removes every letter to an address, sent or waiting: each holds the address and its text.
pub fn delete_mail_to(conn: &mut DbConnection, address: &str) -> QueryResult<usize> {
    diesel::delete(mail_outbox::table.filter(mail_outbox::to_address.eq(address))).execute(conn)
}

/// Blanks an address out of the details of the audit entries about the member (an invitation
/// records the address it went to); the entries themselves stay.
pub fn redact_audit_details(conn: &mut DbConnection, user_id: i64, address: &str) -> QueryResult<usize> {
    diesel::update(audit_log::table.filter(audit_log::target_kind.eq("user")).filter(audit_log::target_id.eq(user_id)))
        .set(audit_log::detail.eq(replace(audit_log::detail, address, "[address removed]")))
        .execute(conn)
}
