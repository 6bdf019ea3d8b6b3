//! SQL for imports: finding what a source already gave us (by its own ids), inserting imported
//! rows with their attribution, and recomputing counters once a site's rows are in.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::schema::{comments, post_sources, post_tags, posts, reputation_events, tags, users};
use crate::db::{insert_many, DbConnection};
use crate::domain::{CloseReason, PostKind, ReputationReason};

/// Local ids of a source's users, by their source id.
pub fn users_by_source(conn: &mut DbConnection, site: &str, ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(Option<i64>, i64)> = users::table
        .filter(users::source_site.eq(site))
        .filter(users::source_id.eq_any(ids))
        .select((users::source_id, users::id))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(source, id)| source.map(|s| (s, id))).collect())
}

/// An imported author: no email, no password, so no sign-in until an admin invites them.
pub struct ImportedUser {
    /// A unique username made from the name, site and source id.
    pub username: String,
    /// The name the source showed.
    pub display_name: String,
    /// Their id on the source site.
    pub source_id: i64,
    /// When they joined the source site.
    pub created_at: NaiveDateTime,
    /// Their reputation there: kept as a starting balance, marked as imported.
    pub reputation: i64,
}

/// Rows per multi-row INSERT: well under both backends' limits on bound values.
const ROWS_PER_STATEMENT: usize = 500;

/// Inserts imported authors, many a statement.
pub fn insert_users(conn: &mut DbConnection, site: &str, fresh: &[ImportedUser]) -> QueryResult<()> {
    for part in fresh.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<_> = part
            .iter()
            .map(|u| {
                (
                    users::username.eq(u.username.as_str()),
                    users::username_key.eq(u.username.to_lowercase()),
                    users::display_name.eq(u.display_name.as_str()),
                    users::created_at.eq(u.created_at),
                    users::source_site.eq(site),
                    users::source_id.eq(u.source_id),
                    users::reputation.eq(u.reputation.max(1)),
                    // the starting balance's ledger row explains all of it
                    users::reputation_earned.eq((u.reputation - 1).max(0)),
                )
            })
            .collect();
        insert_many!(conn, users::table, &rows)?;
    }
    starting_balances(conn, site, fresh)
}

/// One `imported` ledger row per fresh author who brought reputation, so their total stays
/// explained (and recomputable) like any other.
fn starting_balances(conn: &mut DbConnection, site: &str, fresh: &[ImportedUser]) -> QueryResult<()> {
    let earned: Vec<&ImportedUser> = fresh.iter().filter(|u| u.reputation > 1).collect();
    if earned.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = earned.iter().map(|u| u.source_id).collect();
    let local = users_by_source(conn, site, &ids)?;
    for part in earned.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<_> = part
            .iter()
            .filter_map(|u| {
                let amount = i32::try_from(u.reputation - 1).ok()?;
                Some((
                    reputation_events::user_id.eq(*local.get(&u.source_id)?),
                    reputation_events::reason.eq(ReputationReason::Imported),
                    reputation_events::amount.eq(amount),
                    reputation_events::created_at.eq(u.created_at),
                ))
            })
            .collect();
        insert_many!(conn, reputation_events::table, &rows)?;
    }
    Ok(())
}

/// Local ids of a source's posts (questions and answers), by their source id.
pub fn posts_by_source(conn: &mut DbConnection, site: &str, ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = post_sources::table
        .filter(post_sources::source_site.eq(site))
        .filter(post_sources::source_id.eq_any(ids))
        .select((post_sources::source_id, post_sources::post_id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Local ids of a source's questions (not answers), by their source id.
pub fn questions_by_source(conn: &mut DbConnection, site: &str, ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = post_sources::table
        .inner_join(posts::table)
        .filter(post_sources::source_site.eq(site))
        .filter(post_sources::source_id.eq_any(ids))
        .filter(posts::kind.eq(PostKind::Question))
        .select((post_sources::source_id, post_sources::post_id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// A stored attribution row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = post_sources)]
pub struct StoredSource {
    /// The local post.
    pub post_id: i64,
    /// The source site's host name.
    pub source_site: String,
    /// The original's address.
    pub source_url: String,
    /// The original author's name.
    pub author_name: String,
    /// The licence.
    pub license: String,
}

/// The attributions of the given posts (those that were imported).
pub fn sources_of(conn: &mut DbConnection, post_ids: &[i64]) -> QueryResult<Vec<StoredSource>> {
    post_sources::table.filter(post_sources::post_id.eq_any(post_ids)).select(StoredSource::as_select()).load(conn)
}

/// Local ids of a source's comments, by their source id.
pub fn comments_by_source(conn: &mut DbConnection, site: &str, ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(Option<i64>, i64)> = comments::table
        .filter(comments::source_site.eq(site))
        .filter(comments::source_id.eq_any(ids))
        .select((comments::source_id, comments::id))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(source, id)| source.map(|s| (s, id))).collect())
}

/// A question or answer as imported, counters and dates included. It owns its values, so its
/// many-row INSERTs are prepared once (see `db::insert_all`).
#[derive(Debug, Insertable)]
#[diesel(table_name = posts)]
// `None` binds NULL (these columns default to NULL anyway): the statement's SQL is then always
// the same, and diesel's SQLite backend can write many rows a statement.
#[diesel(treat_none_as_default_value = false)]
pub struct ImportedPost {
    /// Its id here, from [`reserve_post_ids`].
    pub id: i64,
    /// A question or an answer.
    pub kind: PostKind,
    /// For answers: the local question.
    pub question_id: Option<i64>,
    /// The local author.
    pub author_id: i64,
    /// For questions: the title.
    pub title: Option<String>,
    /// For questions: the slug.
    pub slug: Option<String>,
    /// For questions: tag names, space-separated.
    pub tags: Option<String>,
    /// The Markdown converted from the source's HTML.
    pub body_markdown: String,
    /// That Markdown rendered and sanitised like any post.
    pub body_html: String,
    /// The source's score.
    pub score: i32,
    /// The source's view count.
    pub view_count: i64,
    /// When it was posted.
    pub created_at: NaiveDateTime,
    /// When it was last edited, if ever.
    pub edited_at: Option<NaiveDateTime>,
    /// The source's last activity.
    pub last_activity_at: NaiveDateTime,
    /// For closed questions: when.
    pub closed_at: Option<NaiveDateTime>,
    /// For closed questions: why (refined from PostLinks and PostHistory later).
    pub close_reason: Option<CloseReason>,
}

/// Where an imported post came from, shown under it.
#[derive(Debug, Insertable)]
#[diesel(table_name = post_sources)]
pub struct PostSource<'a> {
    /// The local post.
    pub post_id: i64,
    /// The source site's host name.
    pub source_site: &'a str,
    /// The post's id there.
    pub source_id: i64,
    /// The original's address.
    pub source_url: &'a str,
    /// The original author's name.
    pub author_name: &'a str,
    /// The licence it was published under.
    pub license: &'a str,
}

/// A post id, as read by [`reserve_post_ids`].
#[derive(QueryableByName)]
struct PostId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Ids for `count` new posts. On PostgreSQL they are drawn from the posts' sequence, which other
/// writers draw from beside us; on SQLite they follow the highest id ever used, and stay ours
/// while the caller's write transaction holds the database's write lock.
pub fn reserve_post_ids(conn: &mut DbConnection, count: usize) -> QueryResult<Vec<i64>> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    match conn {
        DbConnection::Sqlite(_) => {
            // `posts` is AUTOINCREMENT: ids of deleted posts are never handed out again.
            let highest: PostId = diesel::sql_query(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM posts), 0), \
                 COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'posts'), 0)) AS id",
            )
            .get_result(conn)?;
            Ok((1..=count).map(|n| highest.id + n).collect())
        }
        DbConnection::Postgresql(_) => {
            let ids: Vec<PostId> = diesel::sql_query(
                "SELECT nextval(pg_get_serial_sequence('posts', 'id')) AS id FROM generate_series(1, $1)",
            )
            .bind::<BigInt, _>(count)
            .load(conn)?;
            Ok(ids.into_iter().map(|row| row.id).collect())
        }
    }
}

/// Inserts imported posts (ids from [`reserve_post_ids`]), many a statement.
pub fn insert_posts(conn: &mut DbConnection, posts: &[ImportedPost]) -> QueryResult<()> {
    crate::db::insert_all!(conn, posts::table, posts)
}

/// Inserts the attributions of imported posts, `(post, source)`, many a statement.
pub fn insert_sources(conn: &mut DbConnection, sources: &[(i64, PostSourceOwned)]) -> QueryResult<()> {
    for part in sources.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<PostSource<'_>> = part
            .iter()
            .map(|(post_id, s)| PostSource {
                post_id: *post_id,
                source_site: &s.site,
                source_id: s.source_id,
                source_url: &s.url,
                author_name: &s.author_name,
                license: &s.license,
            })
            .collect();
        insert_many!(conn, post_sources::table, &rows)?;
    }
    Ok(())
}

/// The owned parts of a [`PostSource`].
#[derive(Debug, Clone)]
pub struct PostSourceOwned {
    /// The source site's host name.
    pub site: String,
    /// The post's id there.
    pub source_id: i64,
    /// The original's address.
    pub url: String,
    /// The original author's name.
    pub author_name: String,
    /// The licence.
    pub license: String,
}

/// A comment as imported.
pub struct ImportedComment {
    /// Its id on the source site.
    pub source_id: i64,
    /// The local post it is on.
    pub post_id: i64,
    /// The local author.
    pub author_id: i64,
    /// The text as the source stored it (comment Markdown).
    pub markdown: String,
    /// That text rendered like any comment.
    pub html: String,
    /// When it was written.
    pub created_at: NaiveDateTime,
}

/// Inserts imported comments, many a statement.
pub fn insert_comments(conn: &mut DbConnection, site: &str, fresh: &[ImportedComment]) -> QueryResult<()> {
    for part in fresh.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<_> = part
            .iter()
            .map(|c| {
                (
                    comments::post_id.eq(c.post_id),
                    comments::author_id.eq(c.author_id),
                    comments::body_markdown.eq(c.markdown.as_str()),
                    comments::body_html.eq(c.html.as_str()),
                    comments::created_at.eq(c.created_at),
                    comments::source_site.eq(site),
                    comments::source_id.eq(c.source_id),
                )
            })
            .collect();
        insert_many!(conn, comments::table, &rows)?;
    }
    Ok(())
}

/// Files questions under tags, `(question, tag)`, many a statement (counts: [`count_tag`]).
pub fn tag_questions(conn: &mut DbConnection, taggings: &[(i64, i64)]) -> QueryResult<()> {
    for part in taggings.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<_> =
            part.iter().map(|(post, tag)| (post_tags::post_id.eq(*post), post_tags::tag_id.eq(*tag))).collect();
        insert_many!(conn, post_tags::table, &rows)?;
    }
    Ok(())
}

/// Adds `added` questions to a tag's count.
pub fn count_tag(conn: &mut DbConnection, tag_id: i64, added: i32) -> QueryResult<()> {
    diesel::update(tags::table.find(tag_id))
        .set(tags::question_count.eq(tags::question_count + added))
        .execute(conn)?;
    Ok(())
}

/// Marks an answer accepted, if it belongs to the question; returns whether it changed anything.
pub fn set_accepted(conn: &mut DbConnection, question_id: i64, answer_id: i64) -> QueryResult<bool> {
    let belongs: bool = diesel::select(diesel::dsl::exists(
        posts::table.filter(posts::id.eq(answer_id)).filter(posts::question_id.eq(question_id)),
    ))
    .get_result(conn)?;
    if !belongs {
        return Ok(false);
    }
    let changed = diesel::update(posts::table.find(question_id))
        .filter(posts::accepted_answer_id.is_null().or(posts::accepted_answer_id.ne(answer_id)))
        .set(posts::accepted_answer_id.eq(answer_id))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Closes a question as a duplicate of another, unless it already is one of something.
pub fn close_as_duplicate(
    conn: &mut DbConnection,
    duplicate: i64,
    canonical: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(posts::table.find(duplicate))
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::duplicate_of_id.is_null())
        .set((
            posts::closed_at.eq(diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Timestamp>>(
                "COALESCE(closed_at, ",
            )
            .bind::<diesel::sql_types::Timestamp, _>(at)
            .sql(")")),
            posts::close_reason.eq(CloseReason::Duplicate),
            posts::duplicate_of_id.eq(canonical),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Refines why a closed (not duplicate) question was closed.
pub fn set_close_reason(conn: &mut DbConnection, question_id: i64, reason: CloseReason) -> QueryResult<usize> {
    diesel::update(posts::table.find(question_id))
        .filter(posts::closed_at.is_not_null())
        .filter(posts::duplicate_of_id.is_null())
        .set(posts::close_reason.eq(reason))
        .execute(conn)
}

/// Recomputes the answer and comment counters and first-answer times of a site's imported posts.
pub fn recount(conn: &mut DbConnection, site: &str) -> QueryResult<()> {
    let imported = "SELECT post_id FROM post_sources WHERE source_site = $1";
    let statements = [
        format!(
            "UPDATE posts SET answer_count = (SELECT COUNT(*) FROM posts a WHERE a.question_id = posts.id \
             AND a.kind = 'answer' AND a.deleted_at IS NULL), first_answer_at = (SELECT MIN(a.created_at) \
             FROM posts a WHERE a.question_id = posts.id AND a.kind = 'answer') \
             WHERE kind = 'question' AND id IN ({imported})"
        ),
        format!(
            "UPDATE posts SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.post_id = posts.id \
             AND c.deleted_at IS NULL) WHERE id IN ({imported})"
        ),
    ];
    for statement in statements {
        // `$1` is PostgreSQL's placeholder; SQLite accepts it too.
        diesel::sql_query(statement).bind::<Text, _>(site).execute(conn)?;
    }
    Ok(())
}

/// Makes each imported question's asker watch it, as asking here does, so an author who is
/// invited later hears about new answers; returns how many watches are new. The placeholder
/// for departed authors (source id 0) and the Community bot (-1) watch nothing.
pub fn askers_watch(conn: &mut DbConnection, site: &str) -> QueryResult<usize> {
    // SQLite needs the `WHERE` before `ON CONFLICT`: without it, it reads the conflict clause
    // as part of a join.
    diesel::sql_query(
        "INSERT INTO watches (user_id, question_id, created_at) SELECT p.author_id, p.id, p.created_at \
         FROM posts p JOIN users u ON u.id = p.author_id \
         WHERE p.kind = 'question' AND u.source_site = $1 AND u.source_id > 0 \
         AND p.id IN (SELECT post_id FROM post_sources WHERE source_site = $1) ON CONFLICT DO NOTHING",
    )
    .bind::<Text, _>(site)
    .execute(conn)
}
