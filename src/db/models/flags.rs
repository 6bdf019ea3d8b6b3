//! The `flags` table: members telling moderators that a post or comment needs a look.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::flags;
use crate::db::DbConnection;
use crate::domain::FlagReason;

/// What a flag points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum FlagTarget {
    /// A question or answer.
    Post(i64),
    /// A comment.
    Comment(i64),
}

impl FlagTarget {
    /// `post` or `comment`, as in URLs and the audit log.
    pub fn kind(self) -> &'static str {
        match self {
            FlagTarget::Post(_) => "post",
            FlagTarget::Comment(_) => "comment",
        }
    }

    /// The post's or comment's id.
    pub fn id(self) -> i64 {
        match self {
            FlagTarget::Post(id) | FlagTarget::Comment(id) => id,
        }
    }

    /// Reads `post`/`comment` and an id from a URL.
    pub fn parse(kind: &str, id: i64) -> Option<FlagTarget> {
        match kind {
            "post" => Some(FlagTarget::Post(id)),
            "comment" => Some(FlagTarget::Comment(id)),
            _ => None,
        }
    }
}

/// A stored flag.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = flags)]
pub struct Flag {
    /// Row id.
    pub id: i64,
    /// The member who flagged.
    pub flagger_id: i64,
    /// The flagged question or answer.
    pub post_id: Option<i64>,
    /// The flagged comment.
    pub comment_id: Option<i64>,
    /// `spam`, `rude`, `off-topic` or `needs-moderator`.
    pub reason: FlagReason,
    /// The flagger's note.
    pub note: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
    /// When a moderator handled it.
    pub handled_at: Option<NaiveDateTime>,
}

impl Flag {
    /// What it points at.
    pub fn target(&self) -> FlagTarget {
        match (self.post_id, self.comment_id) {
            (Some(post), _) => FlagTarget::Post(post),
            (None, comment) => FlagTarget::Comment(comment.unwrap_or_default()),
        }
    }
}

/// Narrows a flags query to one target.
macro_rules! on_target {
    ($query:expr, $target:expr) => {
        match $target {
            FlagTarget::Post(id) => $query.filter(flags::post_id.eq(id)).into_boxed(),
            FlagTarget::Comment(id) => $query.filter(flags::comment_id.eq(id)).into_boxed(),
        }
    };
}

/// Whether the member already flagged this.
pub fn exists(conn: &mut DbConnection, flagger_id: i64, target: FlagTarget) -> QueryResult<bool> {
    let query = on_target!(flags::table.filter(flags::flagger_id.eq(flagger_id)), target);
    Ok(query.select(flags::id).first::<i64>(conn).optional()?.is_some())
}

/// Adds a flag.
pub fn insert(
    conn: &mut DbConnection,
    flagger_id: i64,
    target: FlagTarget,
    reason: FlagReason,
    note: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (post_id, comment_id) = match target {
        FlagTarget::Post(id) => (Some(id), None),
        FlagTarget::Comment(id) => (None, Some(id)),
    };
    diesel::insert_into(flags::table)
        .values((
            flags::flagger_id.eq(flagger_id),
            flags::post_id.eq(post_id),
            flags::comment_id.eq(comment_id),
            flags::reason.eq(reason),
            flags::note.eq(note),
            flags::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Open spam flags on a target (one per member, so this is the number of members).
pub fn open_spam_count(conn: &mut DbConnection, target: FlagTarget) -> QueryResult<i64> {
    let query =
        on_target!(flags::table.filter(flags::handled_at.is_null()).filter(flags::reason.eq(FlagReason::Spam)), target);
    query.count().get_result(conn)
}

/// The open flags on a target, oldest first.
pub fn open_on(conn: &mut DbConnection, target: FlagTarget) -> QueryResult<Vec<Flag>> {
    let query = on_target!(flags::table.filter(flags::handled_at.is_null()), target);
    query.order(flags::id.asc()).select(Flag::as_select()).load(conn)
}

/// The oldest open flags, at most `limit`.
pub fn oldest_open(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<Flag>> {
    flags::table
        .filter(flags::handled_at.is_null())
        .order((flags::created_at.asc(), flags::id.asc()))
        .limit(limit)
        .select(Flag::as_select())
        .load(conn)
}

/// How many flags are open.
pub fn open_count(conn: &mut DbConnection) -> QueryResult<i64> {
    flags::table.filter(flags::handled_at.is_null()).count().get_result(conn)
}

/// Marks the open flags on a target handled with `outcome` (`agreed` or `disagreed`).
pub fn handle_open(
    conn: &mut DbConnection,
    target: FlagTarget,
    moderator_id: i64,
    outcome: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let open = flags::handled_at.is_null();
    let values = (flags::handled_at.eq(now), flags::handled_by.eq(moderator_id), flags::outcome.eq(outcome));
    match target {
        FlagTarget::Post(id) => {
            diesel::update(flags::table.filter(open).filter(flags::post_id.eq(id))).set(values).execute(conn)
        }
        FlagTarget::Comment(id) => {
            diesel::update(flags::table.filter(open).filter(flags::comment_id.eq(id))).set(values).execute(conn)
        }
    }
}
