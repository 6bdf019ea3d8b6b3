//! Read-only figures for the staff dashboard: the timestamps of the questions asked in a time
//! range, and counts of open questions by age.
//!
//! Every query is a range on `created_at` that the partial indexes `questions_newest` and
//! `questions_unanswered` serve, so the cost follows the size of the window, not of the site. It
//! selects a few columns, never whole posts, does no time arithmetic in SQL (the service does it
//! in Rust, so both backends agree to the second) and writes nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::posts;
use crate::db::DbConnection;
use crate::domain::PostKind;

/// What the dashboard needs of one question asked in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct AskedQuestion {
    /// When it was asked.
    pub created_at: NaiveDateTime,
    /// When its first answer arrived.
    pub first_answer_at: Option<NaiveDateTime>,
    /// When its first official answer arrived (or was endorsed).
    pub first_official_at: Option<NaiveDateTime>,
    /// Answers that are not deleted.
    pub answer_count: i32,
    /// Whether an answer is official now.
    pub has_official: bool,
}

/// The questions (not deleted) asked at or after `from` and before `until`, oldest first.
pub fn asked_between(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<AskedQuestion>> {
    // `kind` and `deleted_at IS NULL` repeat the partial index's condition so both planners use it.
    posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::created_at.ge(from))
        .filter(posts::created_at.lt(until))
        .order((posts::created_at.asc(), posts::id.asc()))
        .select((
            posts::created_at,
            posts::first_answer_at,
            posts::first_official_at,
            posts::answer_count,
            posts::has_official,
        ))
        .load(conn)
}

/// How many open questions (not deleted, no answers) were asked after `after` (when given) and
/// at or before `up_to` (when given).
pub fn count_open_asked(
    conn: &mut DbConnection,
    after: Option<NaiveDateTime>,
    up_to: Option<NaiveDateTime>,
) -> QueryResult<i64> {
    let mut query = posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::answer_count.eq(0))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(posts::created_at.gt(after));
    }
    if let Some(up_to) = up_to {
        query = query.filter(posts::created_at.le(up_to));
    }
    query.count().get_result(conn)
}

/// A range of asking times for [`count_open_asked`]: after the first (when given), at or before
/// the second (when given).
pub type AskedRange = (Option<NaiveDateTime>, Option<NaiveDateTime>);

/// The window's questions ([`asked_between`]) and the open-question count of each `backlog` range
/// ([`count_open_asked`]), read in one transaction.
pub fn window_and_backlog(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    until: NaiveDateTime,
    backlog: &[AskedRange],
) -> QueryResult<(Vec<AskedQuestion>, Vec<i64>)> {
    // One transaction, so the figures and the backlog come from the same moment where the
    // backend allows it.
    conn.transaction(|conn| {
        let questions = asked_between(conn, from, until)?;
        let counts =
            backlog.iter().map(|&(after, up_to)| count_open_asked(conn, after, up_to)).collect::<QueryResult<_>>()?;
        Ok((questions, counts))
    })
}
