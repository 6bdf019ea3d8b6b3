//! The `users` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConnection;

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
    /// member, staff, moderator or admin.
    pub role: String,
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
    /// The role's stored name.
    pub role: &'a str,
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
    users::table.find(id).select(User::as_select()).first(conn).optional()
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
pub fn set_role(conn: &mut DbConnection, id: i64, role: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(users::role.eq(role)).execute(conn)
}

/// Stores a new password hash and voids every existing session of the user.
pub fn set_password(conn: &mut DbConnection, id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::session_epoch.eq(users::session_epoch + 1)))
        .execute(conn)
}

/// Whether anyone holds a role (an index look-up, whatever the number of users).
pub fn any_with_role(conn: &mut DbConnection, role: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::role.eq(role)))).get_result(conn)
}
