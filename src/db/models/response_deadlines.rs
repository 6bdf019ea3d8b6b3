//! The `response_deadlines` table: the response promised for each public question when it was
//! asked (its target then, when it nears, when it is due), and the queries that read questions
//! by that promise: the ones to alert about, the current breaches, and the dashboard's window.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::posts::Post;
use crate::db::schema::{post_tags, posts, question_alerts, response_deadlines, tags};
use crate::db::DbConnection;
use crate::domain::{PostKind, QuestionAlert};

/// The promise made for one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = response_deadlines)]
pub struct ResponseDeadline {
    /// The question.
    pub question_id: i64,
    /// The target in force when it was asked, in hours.
    pub target_hours: i32,
    /// When it is near (75 % of the target, in business time).
    pub nearing_at: NaiveDateTime,
    /// When it is due.
    pub due_at: NaiveDateTime,
}

/// A question with a deadline, as the dashboard counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Promise {
    /// The question.
    pub question_id: i64,
    /// When it was asked.
    pub created_at: NaiveDateTime,
    /// Its first official answer, if any.
    pub first_official_at: Option<NaiveDateTime>,
    /// When it was due.
    pub due_at: NaiveDateTime,
}

/// Records a question's promise.
pub fn insert(conn: &mut DbConnection, deadline: &ResponseDeadline) -> QueryResult<()> {
    diesel::insert_into(response_deadlines::table)
        .values((
            response_deadlines::question_id.eq(deadline.question_id),
            response_deadlines::target_hours.eq(deadline.target_hours),
            response_deadlines::nearing_at.eq(deadline.nearing_at),
            response_deadlines::due_at.eq(deadline.due_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether a question already has its promise.
pub fn exists(conn: &mut DbConnection, question_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(response_deadlines::table.find(question_id))).get_result(conn)
}

/// The promises of these questions (those that have one).
pub fn of_questions(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<ResponseDeadline>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    response_deadlines::table
        .filter(response_deadlines::question_id.eq_any(ids))
        .select(ResponseDeadline::as_select())
        .load(conn)
}

/// Which moment of the promise a query is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// `nearing_at`.
    Nearing,
    /// `due_at`.
    Due,
}

/// Open questions (public, not closed, no official answer) whose `moment` fell in `(since, now]`
/// and whose `alert` has not gone out, earliest first, at most `limit`.
pub fn unalerted(
    conn: &mut DbConnection,
    moment: Moment,
    alert: QuestionAlert,
    since: NaiveDateTime,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let alerted = question_alerts::table.filter(question_alerts::kind.eq(alert)).select(question_alerts::question_id);
    let query = response_deadlines::table
        .inner_join(posts::table)
        .filter(open_question())
        .filter(response_deadlines::question_id.ne_all(alerted))
        .select(response_deadlines::question_id)
        .limit(limit)
        .into_boxed();
    match moment {
        Moment::Nearing => query
            .filter(response_deadlines::nearing_at.gt(since).and(response_deadlines::nearing_at.le(now)))
            .order((response_deadlines::nearing_at.asc(), response_deadlines::question_id.asc()))
            .load(conn),
        Moment::Due => query
            .filter(response_deadlines::due_at.gt(since).and(response_deadlines::due_at.le(now)))
            .order((response_deadlines::due_at.asc(), response_deadlines::question_id.asc()))
            .load(conn),
    }
}

/// Open questions past due at `now`, due longest ago first, at most `limit`, with their promise.
pub fn breaches(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<(Post, ResponseDeadline)>> {
    response_deadlines::table
        .inner_join(posts::table)
        .filter(open_question())
        .filter(response_deadlines::due_at.le(now))
        .order((response_deadlines::due_at.asc(), response_deadlines::question_id.asc()))
        .limit(limit)
        .select((Post::as_select(), ResponseDeadline::as_select()))
        .load(conn)
}

/// Open questions nearing or past due at `now` among `ids` (a staff member's topics' and
/// assigned questions), due soonest first.
pub fn nearing_among(
    conn: &mut DbConnection,
    tag_ids: &[i64],
    assigned: &[i64],
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Post>> {
    if tag_ids.is_empty() && assigned.is_empty() {
        return Ok(Vec::new());
    }
    let tagged = post_tags::table.filter(post_tags::tag_id.eq_any(tag_ids.to_vec())).select(post_tags::post_id);
    response_deadlines::table
        .inner_join(posts::table)
        .filter(open_question())
        .filter(response_deadlines::nearing_at.le(now))
        .filter(posts::id.eq_any(tagged).or(posts::id.eq_any(assigned.to_vec())))
        .order((response_deadlines::due_at.asc(), posts::id.asc()))
        .limit(limit)
        .select(Post::as_select())
        .load(conn)
}

/// The promises of public questions asked in `[from, until)`.
pub fn asked_between(conn: &mut DbConnection, from: NaiveDateTime, until: NaiveDateTime) -> QueryResult<Vec<Promise>> {
    response_deadlines::table
        .inner_join(posts::table)
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(posts::created_at.ge(from).and(posts::created_at.lt(until)))
        .order((posts::created_at.asc(), posts::id.asc()))
        .select((posts::id, posts::created_at, posts::first_official_at, response_deadlines::due_at))
        .load(conn)
}

/// The tag names of these questions: `(question id, tag name)`.
pub fn tag_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    post_tags::table
        .inner_join(tags::table)
        .filter(post_tags::post_id.eq_any(ids))
        .select((post_tags::post_id, tags::name))
        .load(conn)
}

/// A question still waiting for its first official answer, in public, and open.
#[diesel::dsl::auto_type]
fn open_question() -> _ {
    let question: PostKind = PostKind::Question;
    let answered: bool = false;
    posts::kind
        .eq(question)
        .and(posts::deleted_at.is_null())
        .and(posts::closed_at.is_null())
        .and(posts::held_reason.is_null())
        .and(posts::has_official.eq(answered))
}
