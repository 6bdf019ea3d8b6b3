//! Settings and indexes for a bulk load: what makes filling a fresh site fast, and how the
//! site is put back the way it runs afterwards.

use diesel::prelude::*;

use crate::db::schema::posts;
use crate::db::DbConnection;

/// SQLite's page cache while loading (in KiB when negative): 256 MiB.
const LOAD_CACHE_SIZE: i64 = -262_144;

/// Relaxes SQLite's durability and grows its page cache on this connection for a bulk load: a
/// crash mid-seed only means seeding again, so a sync per transaction is not worth its cost.
/// (Seeding is a one-off command; its connection is not handed to a running site.)
pub(crate) fn bulk_mode(conn: &mut DbConnection) -> QueryResult<()> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        diesel::sql_query("PRAGMA synchronous = OFF").execute(conn)?;
        // Without the WAL every page is written once, not twice (WAL, then checkpoint). This
        // needs the database to itself; when another connection holds it, WAL stays.
        let _ = diesel::sql_query("PRAGMA journal_mode = TRUNCATE").execute(conn);
        diesel::sql_query(format!("PRAGMA cache_size = {LOAD_CACHE_SIZE}")).execute(conn)?;
        // Building each deferred index scans the whole posts table; mapped, its pages are read
        // in place instead of copied through the page cache one read() at a time.
        diesel::sql_query("PRAGMA mmap_size = 17179869184").execute(conn)?;
        // Every reference is chosen here, to rows written before it: checking each one again
        // costs a lookup per foreign key per row.
        diesel::sql_query("PRAGMA foreign_keys = OFF").execute(conn)?;
    }
    Ok(())
}

/// Puts SQLite back into the WAL mode the site runs in.
pub(crate) fn end_bulk_mode(conn: &mut DbConnection) -> QueryResult<()> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        diesel::sql_query("PRAGMA journal_mode = WAL").execute(conn)?;
        diesel::sql_query("PRAGMA synchronous = NORMAL").execute(conn)?;
        diesel::sql_query("PRAGMA foreign_keys = ON").execute(conn)?;
        diesel::sql_query("PRAGMA mmap_size = 0").execute(conn)?;
        // SQLite's default, which the pool's connections run with.
        diesel::sql_query("PRAGMA cache_size = -2000").execute(conn)?;
    }
    Ok(())
}

/// The secondary indexes of the tables seeding fills: `(name, CREATE statement)`.
#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// Indexes kept up to date while a fresh site is filled rather than built at the end. Building
/// one afterwards scans the whole table (for posts, every body: a gigabyte per 100,000
/// questions), whatever the index holds. These are cheap to keep instead: their keys arrive in
/// order (ids; questions' dates, which grow with their ids; answers, revisions and comments
/// written after the rows they belong to), nearly in order (last activity, within days of the
/// question), or they hold only the rare rows their condition picks (held, duplicate, official).
const KEPT_DURING_LOAD: &[&str] = &[
    "questions_by_id",
    "questions_newest",
    "questions_unanswered",
    "questions_active",
    "staff_queue_oldest",
    "answers_of_question",
    "comments_of_post",
    "revisions_of_post",
    "posts_held",
    "duplicates_of_question",
    "official_answers_newest",
];

/// Secondary indexes set aside while a fresh site is filled, to be built once at the end:
/// building an index over sorted data beats updating it a million times.
pub(crate) struct DeferredIndexes(Vec<IndexDefinition>);

/// Drops the secondary indexes of the seeded tables when the site has no posts yet (on a site
/// with content, updating them as rows arrive is cheaper than rebuilding them).
pub(crate) fn defer_indexes(conn: &mut DbConnection) -> QueryResult<DeferredIndexes> {
    let empty: bool =
        diesel::select(diesel::dsl::not(diesel::dsl::exists(posts::table.select(posts::id)))).get_result(conn)?;
    if !empty {
        return Ok(DeferredIndexes(Vec::new()));
    }
    // Read from the catalogue, so the definitions stay those of the migrations.
    let query = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('posts', 'comments', 'revisions', 'post_tags') AND name NOT LIKE '%by_source%'"
        }
        DbConnection::Postgresql(_) => {
            "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename IN ('posts', 'comments', 'revisions', 'post_tags') AND indexname NOT LIKE '%pkey' \
             AND indexname NOT LIKE '%by_source%'"
        }
    };
    let indexes: Vec<IndexDefinition> = diesel::sql_query(query).load(conn)?;
    let indexes: Vec<IndexDefinition> =
        indexes.into_iter().filter(|index| !KEPT_DURING_LOAD.contains(&index.name.as_str())).collect();
    for index in &indexes {
        diesel::sql_query(format!("DROP INDEX {}", index.name)).execute(conn)?;
    }
    Ok(DeferredIndexes(indexes))
}

/// Builds the indexes [`defer_indexes`] set aside.
pub(crate) fn restore_indexes(conn: &mut DbConnection, deferred: DeferredIndexes) -> QueryResult<()> {
    if deferred.0.is_empty() {
        return Ok(());
    }
    if matches!(conn, DbConnection::Sqlite(_)) {
        // SQLite sorts an index's keys in one piece when they fit its page cache, on this thread.
        // With a small cache it sorts them in runs of about a megabyte instead, each on a helper
        // thread while this one reads on through the table, then merges the runs: twice as fast
        // on two cores (posts_by_author at 100,000 questions: 0.70 s, now 0.31 s).
        let helpers = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
        diesel::sql_query(format!("PRAGMA threads = {helpers}")).execute(conn)?;
        diesel::sql_query("PRAGMA cache_size = -1024").execute(conn)?;
    }
    for index in deferred.0 {
        tracing::debug!(index = index.name, "building an index");
        diesel::sql_query(index.definition).execute(conn)?;
    }
    if matches!(conn, DbConnection::Sqlite(_)) {
        diesel::sql_query("PRAGMA threads = 0").execute(conn)?;
        diesel::sql_query(format!("PRAGMA cache_size = {LOAD_CACHE_SIZE}")).execute(conn)?;
    }
    Ok(())
}
