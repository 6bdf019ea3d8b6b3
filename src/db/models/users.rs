//! The `users` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConnection;
use crate::domain::{MailPreference, Role};

/// A stored user.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// The name as the user typed it.
    pub username: String,
    /// The lower-cased username, unique.
    pub username_key: String,
    /// The name shown on posts.
    pub display_name: String,
    /// Normalised address; `None` for imported authors.
    pub email: Option<String>,
    /// argon2 PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// When the email address was proven.
    pub email_verified_at: Option<NaiveDateTime>,
    /// Set while the user is suspended.
    pub suspended_at: Option<NaiveDateTime>,
    /// Why the user was suspended.
    pub suspended_reason: Option<String>,
    /// Sessions issued under an older epoch are void.
    pub session_epoch: i64,
    /// When the account was created.
    pub created_at: NaiveDateTime,
    /// Last time the user was seen signed in.
    pub last_seen_at: Option<NaiveDateTime>,
    /// Notification mail: `each` event, a `daily` digest, or `never`.
    pub email_preference: MailPreference,
    /// When the last daily digest went out.
    pub digest_sent_at: Option<NaiveDateTime>,
    /// Set once the account is deleted: the row stays, anonymised, as the author of its posts.
    pub deleted_at: Option<NaiveDateTime>,
    /// Reputation: 1 plus what the member's unreversed reputation events granted, never below 1.
    pub reputation: i64,
    /// Gold badges held.
    pub gold_badges: i32,
    /// Silver badges held.
    pub silver_badges: i32,
    /// Bronze badges held.
    pub bronze_badges: i32,
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    /// The name as typed.
    pub username: &'a str,
    /// Lower-cased username.
    pub username_key: &'a str,
    /// The name shown on posts.
    pub display_name: &'a str,
    /// Normalised address.
    pub email: Option<&'a str>,
    /// argon2 PHC string.
    pub password_hash: Option<&'a str>,
    /// What the user may do.
    pub role: Role,
    /// When the email address was proven.
    pub email_verified_at: Option<NaiveDateTime>,
    /// Creation time.
    pub created_at: NaiveDateTime,
}

/// Inserts a user and returns its id.
pub fn insert(conn: &mut DbConnection, user: &NewUser<'_>) -> QueryResult<i64> {
    diesel::insert_into(users::table).values(user).returning(users::id).get_result(conn)
}

/// A user by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    // Without LIMIT, for the reason given at `posts::find`.
    Ok(users::table.find(id).select(User::as_select()).load(conn)?.pop())
}

/// A user by lower-cased username.
pub fn find_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username_key.eq(username.to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// A user by normalised email address.
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table.filter(users::email.eq(email)).select(User::as_select()).first(conn).optional()
}

/// Whether a username (any case) is taken.
pub fn username_taken(conn: &mut DbConnection, username_key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::username_key.eq(username_key)))).get_result(conn)
}

/// Whether an email address is taken.
pub fn email_taken(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::email.eq(email)))).get_result(conn)
}

/// Changes a user's role.
pub fn set_role(conn: &mut DbConnection, id: i64, role: Role) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(users::role.eq(role)).execute(conn)
}

/// Stores a new password hash and voids every existing session of the user.
pub fn set_password(conn: &mut DbConnection, id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::session_epoch.eq(users::session_epoch + 1)))
        .execute(conn)
}

/// Whether anyone holds a role (an index look-up, whatever the number of users).
pub fn any_with_role(conn: &mut DbConnection, role: Role) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::role.eq(role)))).get_result(conn)
}

/// Replaces the hash of an unchanged password (stronger parameters); sessions stay valid.
pub fn upgrade_password_hash(conn: &mut DbConnection, id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(users::password_hash.eq(hash)).execute(conn)
}

/// Voids every session of the user issued so far; returns the new epoch.
pub fn bump_session_epoch(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    diesel::update(users::table.find(id)).set(users::session_epoch.eq(users::session_epoch + 1)).execute(conn)?;
    users::table.find(id).select(users::session_epoch).first(conn)
}

/// Changes the name shown on posts.
pub fn set_display_name(conn: &mut DbConnection, id: i64, name: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(users::display_name.eq(name)).execute(conn)
}

/// Records a proven address (the current one, or a new one the user switched to).
pub fn set_verified_email(conn: &mut DbConnection, id: i64, email: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set((users::email.eq(email), users::email_verified_at.eq(now))).execute(conn)
}

/// Gives the account an address not yet proven (an invitation's; the link mailed there proves it).
pub fn set_unproven_email(conn: &mut DbConnection, id: i64, email: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::email.eq(email), users::email_verified_at.eq(None::<NaiveDateTime>)))
        .execute(conn)
}

/// Suspends a user (and ends their sessions) or lifts a suspension.
pub fn set_suspension(
    conn: &mut DbConnection,
    id: i64,
    suspended: Option<(NaiveDateTime, &str)>,
) -> QueryResult<usize> {
    match suspended {
        Some((at, reason)) => diesel::update(users::table.find(id))
            .set((
                users::suspended_at.eq(at),
                users::suspended_reason.eq(reason),
                users::session_epoch.eq(users::session_epoch + 1),
            ))
            .execute(conn),
        None => diesel::update(users::table.find(id))
            .set((users::suspended_at.eq(None::<NaiveDateTime>), users::suspended_reason.eq(None::<String>)))
            .execute(conn),
    }
}

/// Notes that the user signed in.
pub fn touch_last_seen(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(users::last_seen_at.eq(now)).execute(conn)
}

/// One page of users for the admin list, newest first, optionally filtered by a username or
/// email prefix; `before` is the id where the previous page ended (keyset paging).
pub fn search(
    conn: &mut DbConnection,
    prefix: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<User>> {
    let mut query = users::table.select(User::as_select()).order(users::id.desc()).limit(limit).into_boxed();
    if let Some(prefix) = prefix.map(str::trim).filter(|p| !p.is_empty()) {
        let pattern = format!("{}%", escape_like(&prefix.to_lowercase()));
        query = query
            .filter(users::username_key.like(pattern.clone()).escape('\\').or(users::email.like(pattern).escape('\\')));
    }
    if let Some(before) = before {
        query = query.filter(users::id.lt(before));
    }
    query.load(conn)
}

/// Escapes LIKE wildcards so user input matches literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Several users at once (authors on a page), in no particular order.
pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<User>> {
    users::table.filter(users::id.eq_any(ids)).select(User::as_select()).load(conn)
}

/// Chooses how notifications are mailed: `each`, `daily` or `never`.
pub fn set_email_preference(conn: &mut DbConnection, id: i64, preference: MailPreference) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(users::email_preference.eq(preference)).execute(conn)
}

/// Up to `limit` users, by id after `after`, who want some mail, can receive it, were not
/// sent one since `cutoff`, and have notifications not yet mailed.
pub fn due_for_digest(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<User>> {
    use crate::db::schema::notifications;
    let unmailed = notifications::table.filter(notifications::emailed_at.is_null()).select(notifications::user_id);
    users::table
        .filter(users::id.gt(after))
        // `each` members too: a topic they watch in a digest leaves its notifications unmailed.
        .filter(users::email_preference.ne(MailPreference::Never))
        .filter(users::email.is_not_null())
        .filter(users::email_verified_at.is_not_null())
        .filter(users::suspended_at.is_null())
        .filter(users::digest_sent_at.is_null().or(users::digest_sent_at.lt(cutoff)))
        .filter(users::id.eq_any(unmailed))
        .order(users::id)
        .limit(limit)
        .select(User::as_select())
        .load(conn)
}

/// Stamps a digest as sent unless another worker did since `cutoff`; true when this call won.
pub fn claim_digest(conn: &mut DbConnection, id: i64, cutoff: NaiveDateTime, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(users::table.find(id).filter(users::digest_sent_at.is_null().or(users::digest_sent_at.lt(cutoff))))
        .set(users::digest_sent_at.eq(now))
        .execute(conn)
        .map(|rows| rows == 1)
}

/// Whether an administrator other than `except` exists and is neither suspended nor deleted.
pub fn other_active_admin_exists(conn: &mut DbConnection, except: i64) -> QueryResult<bool> {
    let found: Option<i64> = users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::id.ne(except))
        .filter(users::suspended_at.is_null())
        .filter(users::deleted_at.is_null())
        .select(users::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// The administrators neither suspended nor deleted, by id.
pub fn active_admins(conn: &mut DbConnection) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::suspended_at.is_null())
        .filter(users::deleted_at.is_null())
        .order(users::id.asc())
        .select(User::as_select())
        .load(conn)
}

/// When a user's account was created.
pub fn joined_at(conn: &mut DbConnection, id: i64) -> QueryResult<NaiveDateTime> {
    users::table.find(id).select(users::created_at).first(conn)
}

/// The addresses of the administrators who can be told of something (not suspended, not
/// deleted, with an address), e.g. that a webhook endpoint was switched off.
pub fn admin_addresses(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    let addresses: Vec<Option<String>> = users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::suspended_at.is_null())
        .filter(users::deleted_at.is_null())
        .filter(users::email.is_not_null())
        .order(users::id)
        .select(users::email)
        .load(conn)?;
    Ok(addresses.into_iter().flatten().collect())
}
