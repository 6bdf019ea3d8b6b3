//! The `notifications` table: one row per watcher per event, with when it was read and mailed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::notifications;
use crate::db::DbConnection;
use crate::domain::NotificationEvent;

/// A stored notification.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct Notification {
    /// Row id; newer rows have larger ids.
    pub id: i64,
    /// Who is told.
    pub user_id: i64,
    /// The question it is about.
    pub question_id: i64,
    /// The answer it is about, if any.
    pub post_id: Option<i64>,
    /// What happened.
    pub event: NotificationEvent,
    /// Who caused it.
    pub actor_id: Option<i64>,
    /// When it happened.
    pub created_at: NaiveDateTime,
    /// When the user saw it.
    pub read_at: Option<NaiveDateTime>,
    /// When mail about it was settled: sent, or not wanted (a topic watched without mail).
    pub emailed_at: Option<NaiveDateTime>,
}

/// A notification to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = notifications)]
pub struct NewNotification {
    /// Who is told.
    pub user_id: i64,
    /// The question it is about.
    pub question_id: i64,
    /// The answer it is about.
    pub post_id: Option<i64>,
    /// What happened.
    pub event: NotificationEvent,
    /// Who caused it.
    pub actor_id: Option<i64>,
    /// When it happened.
    pub created_at: NaiveDateTime,
}

/// Inserts a notification and returns its id.
pub fn insert(conn: &mut DbConnection, row: &NewNotification) -> QueryResult<i64> {
    diesel::insert_into(notifications::table).values(row).returning(notifications::id).get_result(conn)
}

/// Records that these notifications went out by mail.
pub fn mark_emailed(conn: &mut DbConnection, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(notifications::table.filter(notifications::id.eq_any(ids)))
        .set(notifications::emailed_at.eq(now))
        .execute(conn)
}

/// How many notifications a user has not read (served by the partial `notifications_unread`).
pub fn unread_count(conn: &mut DbConnection, user_id: i64) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
}

/// One page of a user's notifications, newest first; `before` is the id the last page ended at.
pub fn page_of(
    conn: &mut DbConnection,
    user_id: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Notification>> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id.desc())
        .limit(limit)
        .select(Notification::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(notifications::id.lt(before));
    }
    query.load(conn)
}

/// Marks some of a user's notifications read (only the user's own, only once).
pub fn mark_read(conn: &mut DbConnection, user_id: i64, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::id.eq_any(ids))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)
}

/// Marks every unread notification of a user read.
pub fn mark_all_read(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        notifications::table.filter(notifications::user_id.eq(user_id)).filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)
}

/// A user's oldest notifications not yet mailed (served by `notifications_unmailed`).
pub fn unmailed_of(conn: &mut DbConnection, user_id: i64, limit: i64) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::emailed_at.is_null())
        .order(notifications::id)
        .limit(limit)
        .select(Notification::as_select())
        .load(conn)
}
