//! Writing seeded rows many at a time, with ids chosen up front.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::Rng;

use super::{text, Plan};
use crate::db::schema::{comments, post_tags, posts, revisions, users};
use crate::db::{insert_many, DbConnection};
use crate::services::questions::slugify;

/// Relaxes SQLite's durability and grows its page cache on this connection for a bulk load: a
/// crash mid-seed only means seeding again, so a sync per transaction is not worth its cost.
/// (Seeding is a one-off command; its connection is not handed to a running site.)
pub(crate) fn bulk_mode(conn: &mut DbConnection) -> QueryResult<()> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        diesel::sql_query("PRAGMA synchronous = OFF").execute(conn)?;
        // Without the WAL every page is written once, not twice (WAL, then checkpoint). This
        // needs the database to itself; when another connection holds it, WAL stays.
        let _ = diesel::sql_query("PRAGMA journal_mode = TRUNCATE").execute(conn);
        diesel::sql_query("PRAGMA cache_size = -262144").execute(conn)?;
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
    for index in &indexes {
        diesel::sql_query(format!("DROP INDEX {}", index.name)).execute(conn)?;
    }
    Ok(DeferredIndexes(indexes))
}

/// Builds the indexes [`defer_indexes`] set aside.
pub(crate) fn restore_indexes(conn: &mut DbConnection, deferred: DeferredIndexes) -> QueryResult<()> {
    for index in deferred.0 {
        tracing::debug!(index = index.name, "building an index");
        diesel::sql_query(index.definition).execute(conn)?;
    }
    Ok(())
}

/// Rows per INSERT statement: well under both backends' limits on bound values.
const ROWS_PER_STATEMENT: usize = 500;

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database refused a write (the chunk was rolled back).
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}

/// The next free ids of the tables whose ids other rows refer to.
pub(crate) struct Ids {
    user: i64,
    post: i64,
}

impl Ids {
    /// Starts after the highest ids in use, so seeding adds to an existing site.
    pub(crate) fn start(conn: &mut DbConnection) -> QueryResult<Ids> {
        let user: Option<i64> = users::table.select(diesel::dsl::max(users::id)).first(conn)?;
        let post: Option<i64> = posts::table.select(diesel::dsl::max(posts::id)).first(conn)?;
        Ok(Ids { user: user.unwrap_or(0) + 1, post: post.unwrap_or(0) + 1 })
    }

    fn next_post(&mut self) -> i64 {
        self.post += 1;
        self.post - 1
    }
}

/// Creates the accounts: `staff` staff members first, then members. Returns `(id, is_staff)`.
pub(crate) fn users(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    ids: &mut Ids,
    count: u64,
    staff: u64,
    now: NaiveDateTime,
) -> Result<Vec<(i64, bool)>, SeedError> {
    let first = ids.user;
    let rows: Vec<_> = (0..count)
        .map(|n| {
            let id = first + i64::try_from(n).unwrap_or(i64::MAX);
            let is_staff = n < staff;
            let username = if is_staff { format!("staff{id}") } else { format!("member{id}") };
            (
                users::id.eq(id),
                users::username_key.eq(username.clone()),
                users::username.eq(username),
                users::display_name.eq(text::person(rng)),
                users::role.eq(if is_staff { "staff" } else { "member" }),
                users::created_at.eq(now - TimeDelta::days(rng.random_range(30..1_500))),
            )
        })
        .collect();
    crate::db::write_transaction(conn, |conn| {
        for part in rows.chunks(ROWS_PER_STATEMENT) {
            insert_many!(conn, users::table, part)?;
        }
        Ok::<_, SeedError>(())
    })?;
    ids.user = first + i64::try_from(count).unwrap_or(i64::MAX);
    Ok((0..count).map(|n| (first + i64::try_from(n).unwrap_or(0), n < staff)).collect())
}

/// Makes sure the tags exist; returns `(id, name)` in popularity order.
pub(crate) fn tags(
    conn: &mut DbConnection,
    names: &[String],
    now: NaiveDateTime,
) -> Result<Vec<(i64, String)>, SeedError> {
    crate::db::write_transaction(conn, |conn| {
        names
            .iter()
            .map(|name| Ok((crate::db::models::tags::find_or_create(conn, name, now)?, name.clone())))
            .collect::<Result<Vec<_>, SeedError>>()
    })
}

/// A seeded question or answer with every counter already right.
#[derive(Insertable)]
#[diesel(table_name = posts)]
// `None` binds NULL instead of meaning DEFAULT (the same here: these columns default to NULL).
// With DEFAULT possible, diesel's SQLite backend cannot batch and inserts row by row.
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct SeedPost {
    id: i64,
    kind: &'static str,
    question_id: Option<i64>,
    author_id: i64,
    title: Option<String>,
    slug: Option<String>,
    tags: Option<String>,
    body_markdown: String,
    body_html: String,
    score: i32,
    answer_count: i32,
    comment_count: i32,
    view_count: i64,
    accepted_answer_id: Option<i64>,
    created_at: NaiveDateTime,
    last_activity_at: NaiveDateTime,
    official_kind: Option<&'static str>,
    official_by: Option<i64>,
    official_at: Option<NaiveDateTime>,
    has_official: bool,
    first_answer_at: Option<NaiveDateTime>,
    first_official_at: Option<NaiveDateTime>,
}

/// One chunk of questions with their answers, comments, tags and first revisions.
pub(crate) struct Chunk {
    posts: Vec<SeedPost>,
    post_tags: Vec<(i64, i64)>,
    comments: Vec<(i64, i64, String, String, NaiveDateTime)>,
    answers: u64,
}

impl Chunk {
    /// Generates `count` questions and everything under them.
    pub(crate) fn generate(rng: &mut StdRng, ids: &mut Ids, plan: &Plan<'_>, count: u64) -> Chunk {
        let mut chunk = Chunk { posts: Vec::new(), post_tags: Vec::new(), comments: Vec::new(), answers: 0 };
        for _ in 0..count {
            let id = ids.next_post();
            let asked = plan.when(rng);
            let title = text::title(rng);
            let (markdown, html) = plan.body(rng);
            let mut tag_names = Vec::new();
            for _ in 0..rng.random_range(1..=4) {
                let (tag_id, name) = &plan.tags[text::zipf(rng, plan.tags.len())];
                if !tag_names.contains(name) {
                    tag_names.push(name.clone());
                    chunk.post_tags.push((id, *tag_id));
                }
            }
            let mean = plan.options.answers_per_question;
            let answer_count = rng.random_range(0..=mean.saturating_mul(2));
            let mut question = SeedPost {
                id,
                kind: "question",
                question_id: None,
                author_id: plan.member(rng),
                slug: Some(slugify(&title)),
                title: Some(title),
                tags: Some(tag_names.join(" ")),
                body_markdown: markdown,
                body_html: html,
                score: score(rng),
                answer_count: i32::try_from(answer_count).unwrap_or(i32::MAX),
                comment_count: 0,
                view_count: rng.random_range(1..5_000),
                accepted_answer_id: None,
                created_at: asked,
                last_activity_at: asked,
                official_kind: None,
                official_by: None,
                official_at: None,
                has_official: false,
                first_answer_at: None,
                first_official_at: None,
            };
            question.comment_count = chunk.comments_on(rng, plan, id, asked);
            let mut answers = Vec::new();
            let mut at = asked;
            for n in 0..answer_count {
                at += TimeDelta::minutes(rng.random_range(5..5_000));
                let official = n == 0 && rng.random_range(0..10) == 0;
                let (markdown, html) = plan.body(rng);
                let answer_id = ids.next_post();
                let author = if official { plan.staff(rng) } else { plan.member(rng) };
                let mut answer = SeedPost {
                    id: answer_id,
                    kind: "answer",
                    question_id: Some(id),
                    author_id: author,
                    title: None,
                    slug: None,
                    tags: None,
                    body_markdown: markdown,
                    body_html: html,
                    score: score(rng),
                    answer_count: 0,
                    comment_count: 0,
                    view_count: 0,
                    accepted_answer_id: None,
                    created_at: at,
                    last_activity_at: at,
                    official_kind: official.then_some("authored"),
                    official_by: official.then_some(author),
                    official_at: official.then_some(at),
                    has_official: false,
                    first_answer_at: None,
                    first_official_at: None,
                };
                answer.comment_count = chunk.comments_on(rng, plan, answer_id, at);
                question.first_answer_at = question.first_answer_at.or(Some(at));
                if official {
                    question.has_official = true;
                    question.first_official_at = Some(at);
                }
                answers.push(answer);
            }
            if !answers.is_empty() && rng.random_range(0..10) < 4 {
                question.accepted_answer_id = Some(answers[rng.random_range(0..answers.len())].id);
            }
            question.last_activity_at = at;
            chunk.answers += answers.len() as u64;
            chunk.posts.push(question);
            chunk.posts.extend(answers);
        }
        chunk
    }

    fn comments_on(&mut self, rng: &mut StdRng, plan: &Plan<'_>, post_id: i64, after: NaiveDateTime) -> i32 {
        let count = [0, 0, 0, 1, 1, 2, 3][rng.random_range(0..7)];
        for _ in 0..count {
            let (markdown, html) = plan.comment(rng);
            let at = after + TimeDelta::minutes(rng.random_range(1..3_000));
            self.comments.push((post_id, plan.member(rng), markdown, html, at));
        }
        count
    }

    /// Answers in this chunk.
    pub(crate) fn answer_count(&self) -> u64 {
        self.answers
    }

    /// Comments in this chunk.
    pub(crate) fn comment_count(&self) -> u64 {
        self.comments.len() as u64
    }
}

/// Votes skew positive with a long tail, as on real sites.
fn score(rng: &mut StdRng) -> i32 {
    match rng.random_range(0..20) {
        0 => -rng.random_range(1..4),
        1..=9 => 0,
        10..=17 => rng.random_range(1..6),
        _ => i32::try_from(text::zipf(rng, 200)).unwrap_or(0) + 5,
    }
}

/// Writes a chunk in one transaction.
pub(crate) fn chunk(conn: &mut DbConnection, chunk: &Chunk) -> Result<(), SeedError> {
    crate::db::write_transaction(conn, |conn| {
        for part in chunk.posts.chunks(ROWS_PER_STATEMENT) {
            insert_many!(conn, posts::table, part)?;
            let first_revisions: Vec<_> = part
                .iter()
                .map(|p| {
                    (
                        revisions::post_id.eq(p.id),
                        revisions::editor_id.eq(p.author_id),
                        revisions::title.eq(p.title.as_deref()),
                        revisions::tags.eq(p.tags.as_deref()),
                        revisions::body_markdown.eq(p.body_markdown.as_str()),
                        revisions::created_at.eq(p.created_at),
                    )
                })
                .collect();
            insert_many!(conn, revisions::table, &first_revisions)?;
        }
        for part in chunk.post_tags.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<_> = part.iter().map(|(p, t)| (post_tags::post_id.eq(p), post_tags::tag_id.eq(t))).collect();
            insert_many!(conn, post_tags::table, &rows)?;
        }
        for part in chunk.comments.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<_> = part
                .iter()
                .map(|(post, author, markdown, html, at)| {
                    (
                        comments::post_id.eq(post),
                        comments::author_id.eq(author),
                        comments::body_markdown.eq(markdown.as_str()),
                        comments::body_html.eq(html.as_str()),
                        comments::created_at.eq(at),
                    )
                })
                .collect();
            insert_many!(conn, comments::table, &rows)?;
        }
        Ok(())
    })
}

/// Recounts tags and moves PostgreSQL's id sequences past the ids chosen here.
pub(crate) fn finish(conn: &mut DbConnection) -> Result<(), SeedError> {
    crate::db::write_transaction(conn, |conn| {
        diesel::sql_query(
            "UPDATE tags SET question_count = (SELECT COUNT(*) FROM post_tags WHERE post_tags.tag_id = tags.id)",
        )
        .execute(conn)?;
        if let DbConnection::Postgresql(_) = conn {
            for table in ["users", "posts"] {
                diesel::sql_query(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                ))
                .execute(conn)?;
            }
        }
        Ok(())
    })
}
