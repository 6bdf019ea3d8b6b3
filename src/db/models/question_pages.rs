//! Question lists by page: the orders, keyset cursors and the queries that walk an index in list
//! order, so every page costs the same however deep it is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::posts::Post;
use crate::db::schema::posts;
use crate::db::DbConnection;
use crate::domain::PostKind;

/// The orders a question list can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum QuestionOrder {
    /// Newest first.
    Newest,
    /// Most recent activity first.
    #[default]
    Active,
    /// Highest score first.
    Votes,
    /// Newest without answers first.
    Unanswered,
}

/// Where a page of a list starts: after or before a row, by the row's sort key and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// Rows that come after this key in the list's order (the next page).
    After(SortKey, i64),
    /// Rows that come before it (the previous page).
    Before(SortKey, i64),
}

/// The value a list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// A creation or activity time.
    Time(NaiveDateTime),
    /// A score.
    Score(i32),
}

impl QuestionOrder {
    /// The sort key of a question in this order.
    pub fn key_of(self, post: &Post) -> SortKey {
        match self {
            Self::Newest | Self::Unanswered => SortKey::Time(post.created_at),
            Self::Active => SortKey::Time(post.last_activity_at),
            Self::Votes => SortKey::Score(post.score),
        }
    }
}

/// Filters a boxed query to the rows after (or before) a cursor in a descending (key, id) order,
/// and orders it so the rows nearest the cursor come first.
macro_rules! seek {
    ($query:expr, $column:expr, $key:expr, $id:expr, $after:expr) => {
        if $after {
            $query
                .filter($column.lt($key).or($column.eq($key).and(posts::id.lt($id))))
                .order(($column.desc(), posts::id.desc()))
        } else {
            $query
                .filter($column.gt($key).or($column.eq($key).and(posts::id.gt($id))))
                .order(($column.asc(), posts::id.asc()))
        }
    };
}

/// One page of questions by keyset: every page costs the same, however deep. Rows come back in
/// list order; with a `Before` cursor the caller gets the page that ends just before it.
pub fn seek_questions(
    conn: &mut DbConnection,
    order: QuestionOrder,
    cursor: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<Post>> {
    let Some(cursor) = cursor else {
        return list_questions(conn, order, 0, limit);
    };
    let query = posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .select(Post::as_select())
        .limit(limit)
        .into_boxed();
    let query = if order == QuestionOrder::Unanswered { query.filter(posts::answer_count.eq(0)) } else { query };
    let (key, id, after) = match cursor {
        Cursor::After(key, id) => (key, id, true),
        Cursor::Before(key, id) => (key, id, false),
    };
    let mut rows = match (order, key) {
        (QuestionOrder::Newest | QuestionOrder::Unanswered, SortKey::Time(t)) => {
            seek!(query, posts::created_at, t, id, after).load(conn)?
        }
        (QuestionOrder::Active, SortKey::Time(t)) => seek!(query, posts::last_activity_at, t, id, after).load(conn)?,
        (QuestionOrder::Votes, SortKey::Score(s)) => seek!(query, posts::score, s, id, after).load(conn)?,
        // A cursor from another order does not apply; start at the top.
        _ => return list_questions(conn, order, 0, limit),
    };
    if !after {
        rows.reverse();
    }
    Ok(rows)
}

/// One page of questions in the given order; `limit` rows from `offset`.
pub fn list_questions(
    conn: &mut DbConnection,
    order: QuestionOrder,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<Post>> {
    let query = posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .select(Post::as_select())
        .offset(offset)
        .limit(limit)
        .into_boxed();
    let query = match order {
        QuestionOrder::Newest => query.order((posts::created_at.desc(), posts::id.desc())),
        QuestionOrder::Active => query.order((posts::last_activity_at.desc(), posts::id.desc())),
        QuestionOrder::Votes => query.order((posts::score.desc(), posts::id.desc())),
        QuestionOrder::Unanswered => {
            query.filter(posts::answer_count.eq(0)).order((posts::created_at.desc(), posts::id.desc()))
        }
    };
    query.load(conn)
}

/// One page of a tag's questions, newest first, by keyset on the question id: ids grow as
/// questions are asked, so this is posting order, and it walks the `(tag_id, post_id)` index
/// backwards instead of sorting every question of a popular tag by date on each visit.
pub fn seek_tagged(conn: &mut DbConnection, tag_id: i64, cursor: Option<Cursor>, limit: i64) -> QueryResult<Vec<Post>> {
    use crate::db::schema::post_tags;
    let query = post_tags::table
        .inner_join(posts::table.on(posts::id.eq(post_tags::post_id)))
        .filter(post_tags::tag_id.eq(tag_id))
        .filter(posts::deleted_at.is_null())
        .select(Post::as_select())
        .limit(limit)
        .into_boxed();
    match cursor {
        None => query.order(post_tags::post_id.desc()).load(conn),
        Some(Cursor::After(_, id)) => {
            query.filter(post_tags::post_id.lt(id)).order(post_tags::post_id.desc()).load(conn)
        }
        Some(Cursor::Before(_, id)) => {
            let mut rows = query.filter(post_tags::post_id.gt(id)).order(post_tags::post_id.asc()).load(conn)?;
            rows.reverse();
            Ok(rows)
        }
    }
}
