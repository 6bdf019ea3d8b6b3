//! The `listening_feeds` and `heard_items` tables: feeds staff follow elsewhere, and the items on
//! them that matched a rule.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{heard_items, listening_feeds};
use crate::db::DbConnection;

/// A feed staff follow.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = listening_feeds)]
pub struct Feed {
    /// Row id.
    pub id: i64,
    /// Where it is fetched.
    pub url: String,
    /// What staff call it.
    pub name: String,
    /// Its keyword rules, one per line.
    pub rules: String,
    /// Minutes between polls while it answers.
    pub interval_minutes: i32,
    /// The last full answer's `ETag`.
    pub etag: Option<String>,
    /// The last full answer's `Last-Modified`.
    pub last_modified: Option<String>,
    /// When it is next due.
    pub next_poll_at: NaiveDateTime,
    /// When it was last polled.
    pub polled_at: Option<NaiveDateTime>,
    /// What the last poll came to.
    pub last_outcome: Option<String>,
    /// Polls failed in a row.
    pub failures: i32,
    /// Who added it.
    pub added_by: Option<i64>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A feed to add.
#[derive(Debug, Clone)]
pub struct NewFeed<'a> {
    /// Its URL, checked.
    pub url: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its rules, each line checked.
    pub rules: &'a str,
    /// Minutes between polls.
    pub interval_minutes: i32,
}

/// Adds a feed, due at once; returns its id.
pub fn insert_feed(conn: &mut DbConnection, feed: &NewFeed<'_>, by: i64, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(listening_feeds::table)
        .values((
            listening_feeds::url.eq(feed.url),
            listening_feeds::name.eq(feed.name),
            listening_feeds::rules.eq(feed.rules),
            listening_feeds::interval_minutes.eq(feed.interval_minutes),
            listening_feeds::next_poll_at.eq(now),
            listening_feeds::failures.eq(0),
            listening_feeds::added_by.eq(by),
            listening_feeds::created_at.eq(now),
        ))
        .returning(listening_feeds::id)
        .get_result(conn)
}

/// Whether a feed with this URL is followed already.
pub fn url_taken(conn: &mut DbConnection, url: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(listening_feeds::table.filter(listening_feeds::url.eq(url)))).get_result(conn)
}

/// Every feed, by name.
pub fn all_feeds(conn: &mut DbConnection) -> QueryResult<Vec<Feed>> {
    listening_feeds::table.order((listening_feeds::name, listening_feeds::id)).select(Feed::as_select()).load(conn)
}

/// One feed.
pub fn find_feed(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Feed>> {
    listening_feeds::table.find(id).select(Feed::as_select()).first(conn).optional()
}

/// Deletes a feed, and with it (`ON DELETE CASCADE`) the items heard on it; returns whether it
/// existed.
pub fn delete_feed(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(listening_feeds::table.find(id)).execute(conn)? == 1)
}

/// The feed due longest ago, if any is due at `now`.
pub fn next_due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Option<Feed>> {
    listening_feeds::table
        .filter(listening_feeds::next_poll_at.le(now))
        .order(listening_feeds::next_poll_at)
        .select(Feed::as_select())
        .first(conn)
        .optional()
}

/// Claims a feed for one poll by moving its next poll to `hold_until`, if it is still due as
/// `due_at` said: of two nodes claiming the same feed, one wins.
pub fn claim(conn: &mut DbConnection, id: i64, due_at: NaiveDateTime, hold_until: NaiveDateTime) -> QueryResult<bool> {
    let claimed = diesel::update(
        listening_feeds::table.filter(listening_feeds::id.eq(id)).filter(listening_feeds::next_poll_at.eq(due_at)),
    )
    .set(listening_feeds::next_poll_at.eq(hold_until))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// What one poll came to, as the feed row keeps it.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = listening_feeds, treat_none_as_null = true)]
pub struct Polled<'a> {
    /// The validators to send next time.
    pub etag: Option<&'a str>,
    /// See `etag`.
    pub last_modified: Option<&'a str>,
    /// When the next poll is due.
    pub next_poll_at: NaiveDateTime,
    /// When this one ran.
    pub polled_at: Option<NaiveDateTime>,
    /// In words.
    pub last_outcome: Option<&'a str>,
    /// Failures in a row, this one included.
    pub failures: i32,
}

/// Records a poll.
pub fn record_poll(conn: &mut DbConnection, id: i64, polled: &Polled<'_>) -> QueryResult<()> {
    diesel::update(listening_feeds::table.find(id)).set(polled).execute(conn)?;
    Ok(())
}

/// Names a feed.
pub fn rename_feed(conn: &mut DbConnection, id: i64, name: &str) -> QueryResult<()> {
    diesel::update(listening_feeds::table.find(id)).set(listening_feeds::name.eq(name)).execute(conn)?;
    Ok(())
}

/// An item heard on a feed.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = heard_items)]
pub struct HeardItem {
    /// Row id.
    pub id: i64,
    /// The feed it was heard on.
    pub feed_id: i64,
    /// Its id in that feed.
    pub item_key: String,
    /// Where it is read.
    pub link: Option<String>,
    /// Its title.
    pub title: String,
    /// The start of its text, plain.
    pub excerpt: String,
    /// Who wrote it, as the feed names them.
    pub author: Option<String>,
    /// When it was published, as the feed says.
    pub published_at: Option<NaiveDateTime>,
    /// When it was heard here.
    pub heard_at: NaiveDateTime,
    /// When staff handled it.
    pub handled_at: Option<NaiveDateTime>,
    /// Who did.
    pub handled_by: Option<i64>,
    /// The question opened here from it.
    pub question_id: Option<i64>,
}

/// An item to keep.
#[derive(Debug, Clone)]
pub struct NewItem<'a> {
    /// Its id in the feed.
    pub key: &'a str,
    /// Its link.
    pub link: Option<&'a str>,
    /// Its title.
    pub title: &'a str,
    /// Its excerpt.
    pub excerpt: &'a str,
    /// Its author.
    pub author: Option<&'a str>,
    /// When it was published.
    pub published_at: Option<NaiveDateTime>,
}

/// Keeps an item unless the feed already has it (by id, or by link); returns whether it is new.
pub fn insert_item(conn: &mut DbConnection, feed_id: i64, item: &NewItem<'_>, now: NaiveDateTime) -> QueryResult<bool> {
    let by_key = heard_items::table.filter(heard_items::feed_id.eq(feed_id)).filter(heard_items::item_key.eq(item.key));
    if diesel::select(diesel::dsl::exists(by_key)).get_result::<bool>(conn)? {
        return Ok(false);
    }
    if let Some(link) = item.link {
        let by_link = heard_items::table.filter(heard_items::feed_id.eq(feed_id)).filter(heard_items::link.eq(link));
        if diesel::select(diesel::dsl::exists(by_link)).get_result::<bool>(conn)? {
            return Ok(false);
        }
    }
    let row = (
        heard_items::feed_id.eq(feed_id),
        heard_items::item_key.eq(item.key),
        heard_items::link.eq(item.link),
        heard_items::title.eq(item.title),
        heard_items::excerpt.eq(item.excerpt),
        heard_items::author.eq(item.author),
        heard_items::published_at.eq(item.published_at),
        heard_items::heard_at.eq(now),
    );
    // Two nodes polling one feed back to back (a claim that ran out) may race to the same item.
    let added = match conn {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(heard_items::table).values(row).on_conflict_do_nothing().execute(pg)?
        }
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(heard_items::table).values(row).execute(lite)?,
    };
    Ok(added == 1)
}

/// Items waiting for staff (`handled` false) or handled lately (true), newest first.
pub fn queue(conn: &mut DbConnection, handled: bool, limit: i64) -> QueryResult<Vec<(HeardItem, String)>> {
    let query = heard_items::table.inner_join(listening_feeds::table).into_boxed();
    let query = if handled {
        query.filter(heard_items::handled_at.is_not_null()).order(heard_items::handled_at.desc())
    } else {
        query.filter(heard_items::handled_at.is_null()).order(heard_items::heard_at.desc())
    };
    query
        .then_order_by(heard_items::id.desc())
        .limit(limit)
        .select((HeardItem::as_select(), listening_feeds::name))
        .load(conn)
}

/// Items waiting for staff.
pub fn open_count(conn: &mut DbConnection) -> QueryResult<i64> {
    heard_items::table.filter(heard_items::handled_at.is_null()).count().get_result(conn)
}

/// One item, with its feed's name.
pub fn find_item(conn: &mut DbConnection, id: i64) -> QueryResult<Option<(HeardItem, String)>> {
    heard_items::table
        .inner_join(listening_feeds::table)
        .filter(heard_items::id.eq(id))
        .select((HeardItem::as_select(), listening_feeds::name))
        .first(conn)
        .optional()
}

/// Marks an item handled (or open again, with `None`), noting the question opened from it.
pub fn set_handled(
    conn: &mut DbConnection,
    id: i64,
    handled: Option<(i64, NaiveDateTime)>,
    question_id: Option<i64>,
) -> QueryResult<bool> {
    let (by, at) = handled.map_or((None, None), |(by, at)| (Some(by), Some(at)));
    let changed = diesel::update(heard_items::table.find(id))
        .set((heard_items::handled_by.eq(by), heard_items::handled_at.eq(at), heard_items::question_id.eq(question_id)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Deletes items handled before `before`; returns how many.
pub fn delete_handled_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(heard_items::table.filter(heard_items::handled_at.lt(before))).execute(conn)
}
