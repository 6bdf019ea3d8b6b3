//! The staff queue's queries: open questions without an official answer, served by the
//! `staff_queue_oldest` and `staff_queue_views` partial indexes (and, by time left, by the
//! `response_deadlines_due` index).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::posts::Post;
use crate::db::schema::{post_tags, posts, response_deadlines};
use crate::db::DbConnection;
use crate::domain::PostKind;

/// The queue's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueOrder {
    /// Due soonest (or overdue longest) first; questions without a deadline after, oldest first.
    #[default]
    #[serde(rename = "time-left")]
    TimeLeft,
    /// Waiting longest first.
    Oldest,
    /// Most viewed first: where an official answer helps most people.
    Views,
}

/// Where a queue page starts: after this row of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueCursor {
    /// After a question asked at this time (oldest order).
    Asked(NaiveDateTime, i64),
    /// After a question with this many views (views order).
    Viewed(i64, i64),
    /// After a question due then (`None`: without a deadline), asked then (time-left order).
    Due(Option<NaiveDateTime>, NaiveDateTime, i64),
}

/// A question in the queue: not deleted and without an official answer (the condition of the
/// `staff_queue_*` partial indexes).
#[diesel::dsl::auto_type]
fn waiting() -> _ {
    let question: PostKind = PostKind::Question;
    let answered: bool = false;
    posts::kind.eq(question).and(posts::deleted_at.is_null()).and(posts::has_official.eq(answered))
}

/// One page of the queue, optionally only questions with a tag.
pub fn page(
    conn: &mut DbConnection,
    order: QueueOrder,
    tag_id: Option<i64>,
    after: Option<QueueCursor>,
    limit: i64,
) -> QueryResult<Vec<Post>> {
    if order == QueueOrder::TimeLeft {
        return by_time_left(conn, tag_id, after, limit);
    }
    let mut query = posts::table.filter(waiting()).select(Post::as_select()).limit(limit).into_boxed();
    if let Some(tag_id) = tag_id {
        query = query
            .filter(posts::id.eq_any(post_tags::table.filter(post_tags::tag_id.eq(tag_id)).select(post_tags::post_id)));
    }
    match (order, after) {
        (QueueOrder::Oldest, Some(QueueCursor::Asked(at, id))) => {
            query = query.filter(posts::created_at.gt(at).or(posts::created_at.eq(at).and(posts::id.gt(id))));
        }
        (QueueOrder::Views, Some(QueueCursor::Viewed(views, id))) => {
            query = query.filter(posts::view_count.lt(views).or(posts::view_count.eq(views).and(posts::id.lt(id))));
        }
        _ => {}
    }
    match order {
        QueueOrder::Views => query.order((posts::view_count.desc(), posts::id.desc())).load(conn),
        _ => query.order((posts::created_at.asc(), posts::id.asc())).load(conn),
    }
}

/// A page of the queue by time left: due soonest first, then the questions without a deadline,
/// oldest first.
fn by_time_left(
    conn: &mut DbConnection,
    tag_id: Option<i64>,
    after: Option<QueueCursor>,
    limit: i64,
) -> QueryResult<Vec<Post>> {
    let due = response_deadlines::due_at;
    let mut query = posts::table
        .left_join(response_deadlines::table)
        .filter(waiting())
        .select(Post::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(tag_id) = tag_id {
        query = query
            .filter(posts::id.eq_any(post_tags::table.filter(post_tags::tag_id.eq(tag_id)).select(post_tags::post_id)));
    }
    if let Some(QueueCursor::Due(after_due, at, id)) = after {
        let later_asked = posts::created_at.gt(at).or(posts::created_at.eq(at).and(posts::id.gt(id)));
        query = match after_due {
            Some(d) => query.filter(due.gt(d).or(due.eq(d).and(later_asked)).or(due.is_null())),
            None => query.filter(due.is_null().and(later_asked)),
        };
    }
    // `is_null` first: SQLite sorts NULL first and PostgreSQL last; this puts them last on both.
    query.order((due.is_null().asc(), due.asc(), posts::created_at.asc(), posts::id.asc())).load(conn)
}

/// Open questions without an official answer in any of these tags, waiting longest first.
pub fn in_tags(conn: &mut DbConnection, tag_ids: &[i64], limit: i64) -> QueryResult<Vec<Post>> {
    if tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    let tagged = post_tags::table.filter(post_tags::tag_id.eq_any(tag_ids)).select(post_tags::post_id);
    posts::table
        .filter(waiting())
        .filter(posts::id.eq_any(tagged))
        .order((posts::created_at.asc(), posts::id.asc()))
        .limit(limit)
        .select(Post::as_select())
        .load(conn)
}
