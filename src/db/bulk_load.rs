//! Filling a site in bulk (`seed`, `import`): the settings that make it fast, the indexes set
//! aside and built once at the end, and putting the connection back the way the site runs.

use diesel::prelude::*;

use crate::db::schema::posts;
use crate::db::DbConnection;

/// SQLite's page cache while loading (in KiB when negative): 256 MiB.
const LOAD_CACHE_SIZE: i64 = -262_144;

/// A bulk load under way on one connection; [`BulkLoad::end`] puts everything back.
#[must_use = "a bulk load must be ended, or the site is left without some of its indexes"]
pub(crate) struct BulkLoad {
    deferred: Vec<IndexDefinition>,
}

impl BulkLoad {
    /// Relaxes SQLite's durability and grows its page cache on this connection, and sets aside
    /// the secondary indexes that are cheaper to build at the end (only on a site without posts).
    ///
    /// A crash mid-load only means loading again (an import carries on where it stopped), so a
    /// sync per transaction is not worth its cost; a failed batch still rolls back. (Loading is a
    /// one-off command; its connection is not handed to a running site.)
    pub(crate) fn begin(conn: &mut DbConnection) -> QueryResult<BulkLoad> {
        if matches!(conn, DbConnection::Sqlite(_)) {
            diesel::sql_query("PRAGMA synchronous = OFF").execute(conn)?;
            // Without the WAL every page is written once, not twice (WAL, then checkpoint).
            // This needs the database to itself; when another connection holds it, WAL stays.
            let _ = diesel::sql_query("PRAGMA journal_mode = TRUNCATE").execute(conn);
            diesel::sql_query(format!("PRAGMA cache_size = {LOAD_CACHE_SIZE}")).execute(conn)?;
            // Building each deferred index scans the whole posts table; mapped, its pages are
            // read in place instead of copied through the page cache one read() at a time (up to
            // the bundled SQLite's 2 GB limit on mappings).
            diesel::sql_query("PRAGMA mmap_size = 17179869184").execute(conn)?;
            // Every reference a load writes points to a row it has just written or looked up
            // in the same transaction: checking each one again costs a lookup per key per row.
            diesel::sql_query("PRAGMA foreign_keys = OFF").execute(conn)?;
        } else {
            // The same on PostgreSQL: a commit returns before its WAL reaches the disk. A crash
            // may lose the last batches, never corrupt anything.
            diesel::sql_query("SET synchronous_commit = off").execute(conn)?;
        }
        Ok(BulkLoad { deferred: defer_indexes(conn)? })
    }

    /// Builds the indexes set aside, for what comes after the rows (recounting through them,
    /// say). [`BulkLoad::end`] does it too.
    pub(crate) fn build_indexes(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        let deferred = std::mem::take(&mut self.deferred);
        if deferred.is_empty() {
            return Ok(());
        }
        if matches!(conn, DbConnection::Sqlite(_)) {
            // SQLite sorts an index's keys in one piece when they fit its page cache, on this
            // thread. With a small cache it sorts them in runs of half a megabyte instead, each
            // on a helper thread while this one reads on through the table, then merges the
            // runs: twice as fast on two cores (posts_by_author at 100,000 questions: 0.70 s,
            // now 0.30 s; runs of 256 KB, 1 MB or 16 MB were slower).
            let helpers = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
            diesel::sql_query(format!("PRAGMA threads = {helpers}")).execute(conn)?;
            diesel::sql_query("PRAGMA cache_size = -512").execute(conn)?;
        }
        for index in deferred {
            tracing::debug!(index = index.name, "building an index");
            diesel::sql_query(index.definition).execute(conn)?;
        }
        if matches!(conn, DbConnection::Sqlite(_)) {
            diesel::sql_query("PRAGMA threads = 0").execute(conn)?;
            diesel::sql_query(format!("PRAGMA cache_size = {LOAD_CACHE_SIZE}")).execute(conn)?;
        }
        Ok(())
    }

    /// Ends the load, also after a failed one (a site must never be left without its indexes):
    /// builds the indexes set aside, puts SQLite back into the WAL mode the site runs in, and
    /// refreshes PostgreSQL's planner statistics.
    pub(crate) fn end(mut self, conn: &mut DbConnection) -> QueryResult<()> {
        let built = self.build_indexes(conn);
        if matches!(conn, DbConnection::Sqlite(_)) {
            diesel::sql_query("PRAGMA journal_mode = WAL").execute(conn)?;
            diesel::sql_query("PRAGMA synchronous = NORMAL").execute(conn)?;
            diesel::sql_query("PRAGMA foreign_keys = ON").execute(conn)?;
            diesel::sql_query("PRAGMA mmap_size = 0").execute(conn)?;
            // What the pool's connections run with.
            let cache = crate::db::pool::SQLITE_CACHE_KIB_NEGATED;
            diesel::sql_query(format!("PRAGMA cache_size = {cache}")).execute(conn)?;
        } else {
            diesel::sql_query("RESET synchronous_commit").execute(conn)?;
        }
        built?;
        analyze(conn)
    }
}

/// Refreshes PostgreSQL's planner statistics after a bulk load. Without them the planner
/// guessed that the most used tag of a 100,000-question site had 717 questions (it had 24,889)
/// and read its page by scanning every tagging and sorting: 140 ms instead of 2 ms. Autovacuum
/// gets there eventually where it runs, but a site should be fast the moment the load ends.
/// SQLite keeps no statistics unless asked, and our queries are written for that planner (see
/// `models::sitemaps`), so it is left alone.
fn analyze(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgresql(_) = conn {
        diesel::sql_query("ANALYZE").execute(conn)?;
    }
    Ok(())
}

/// A secondary index of a table a load fills: its name and CREATE statement.
#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// Indexes kept up to date while a fresh site is filled rather than built at the end. Building
/// one afterwards scans the whole table (for posts, every body: a gigabyte per 100,000
/// questions, 3.4 s at a million), whatever the index holds. These are cheap to keep instead:
/// their keys arrive in order (ids; questions' dates, which grow with their ids on a real site
/// and in a seed; answers, revisions and comments written after the rows they belong to),
/// nearly in order (last activity, within days of the question), or they hold only the rare
/// rows their condition picks (held, duplicate, official). Keys that land anywhere (author,
/// tag, score, views) are left to the end: kept live, they made a million-question seed a
/// seventh slower, their pages pushed out of the cache by the table's.
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

/// Drops the secondary indexes of the tables a load fills when the site has no posts yet, to be
/// built once at the end: building an index over all its keys at once beats updating it a
/// million times. (On a site with content, updating them as rows arrive is cheaper than
/// rebuilding them.)
fn defer_indexes(conn: &mut DbConnection) -> QueryResult<Vec<IndexDefinition>> {
    let empty: bool =
        diesel::select(diesel::dsl::not(diesel::dsl::exists(posts::table.select(posts::id)))).get_result(conn)?;
    if !empty {
        return Ok(Vec::new());
    }
    // Read from the catalogue, so the definitions stay those of the migrations. The indexes by
    // source id stay: an import looks every row up by them as it goes.
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
    Ok(indexes)
}
