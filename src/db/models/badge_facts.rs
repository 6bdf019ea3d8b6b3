//! What the badge job reads about answers (score, acceptance, endorsement, the question's views)
//! and the `user_tag_scores` table it keeps: each member's answer score and count per tag.

use diesel::prelude::*;

use crate::db::schema::{post_tags, posts, user_tag_scores, users};
use crate::db::DbConnection;
use crate::domain::{OfficialKind, PostKind};

/// What earns an answer its badges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerFacts {
    /// The answer.
    pub id: i64,
    /// Its author.
    pub author_id: i64,
    /// Its score.
    pub score: i32,
    /// The asker accepted it.
    pub accepted: bool,
    /// Staff endorsed it as official.
    pub endorsed: bool,
    /// Its question's views.
    pub question_views: i64,
}

/// Answer id, author, score, the question's accepted answer, official kind, question views.
type FactRow = (i64, i64, i32, Option<i64>, Option<String>, i64);

/// Which answers to read facts of.
#[derive(Debug, Clone, Copy)]
pub enum Answers<'a> {
    /// These answers.
    Ids(&'a [i64]),
    /// Every answer to these questions.
    OfQuestions(&'a [i64]),
    /// Every answer by these members.
    ByAuthors(&'a [i64]),
}

/// The facts of the visible answers (not deleted, not held) on visible questions chosen by
/// `which`.
pub fn answer_facts(conn: &mut DbConnection, which: Answers<'_>) -> QueryResult<Vec<AnswerFacts>> {
    // The answer's question, read under another name.
    let questions = diesel::alias!(posts as questions);
    let mut query = posts::table
        .inner_join(questions.on(questions.field(posts::id).nullable().eq(posts::question_id)))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(questions.field(posts::deleted_at).is_null())
        .select((
            posts::id,
            posts::author_id,
            posts::score,
            questions.field(posts::accepted_answer_id),
            posts::official_kind,
            questions.field(posts::view_count),
        ))
        .into_boxed();
    query = match which {
        Answers::Ids(ids) => query.filter(posts::id.eq_any(ids)),
        Answers::OfQuestions(ids) => query.filter(posts::question_id.eq_any(ids)),
        Answers::ByAuthors(ids) => query.filter(posts::author_id.eq_any(ids)),
    };
    let rows: Vec<FactRow> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, author_id, score, accepted, official, question_views)| AnswerFacts {
            id,
            author_id,
            score,
            accepted: accepted == Some(id),
            endorsed: official.as_deref() == Some(OfficialKind::Endorsed.as_str()),
            question_views,
        })
        .collect())
}

/// The tags of the questions answers `ids` belong to, as `(answer author, tag)` pairs.
pub fn tags_of_answers(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    posts::table
        .inner_join(post_tags::table.on(post_tags::post_id.nullable().eq(posts::question_id)))
        .filter(posts::id.eq_any(ids))
        .select((posts::author_id, post_tags::tag_id))
        .distinct()
        .load(conn)
}

/// One member's answers in one tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, serde::Serialize)]
pub struct TagScore {
    /// The member.
    pub user_id: i64,
    /// The tag.
    pub tag_id: i64,
    /// Their answers' total score.
    pub answer_score: i64,
    /// How many answers.
    pub answer_count: i64,
}

/// Computes (from the posts) the answer score and count of `users` in each tag, or only in
/// `only_tags` when given; tags where they have no visible answer are absent.
pub fn compute_tag_scores(
    conn: &mut DbConnection,
    users: &[i64],
    only_tags: Option<&[i64]>,
) -> QueryResult<Vec<TagScore>> {
    let query = posts::table
        .inner_join(post_tags::table.on(post_tags::post_id.nullable().eq(posts::question_id)))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::author_id.eq_any(users))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null());
    let per_tag = (posts::author_id, post_tags::tag_id, diesel::dsl::sum(posts::score), diesel::dsl::count_star());
    // Each branch's query has its own type (diesel cannot group a boxed query).
    let rows: Vec<(i64, i64, Option<i64>, i64)> = match only_tags {
        Some(tags) => query
            .filter(post_tags::tag_id.eq_any(tags))
            .group_by((posts::author_id, post_tags::tag_id))
            .select(per_tag)
            .load(conn)?,
        None => query.group_by((posts::author_id, post_tags::tag_id)).select(per_tag).load(conn)?,
    };
    Ok(rows
        .into_iter()
        .map(|(user_id, tag_id, score, answer_count)| TagScore {
            user_id,
            tag_id,
            answer_score: score.unwrap_or(0),
            answer_count,
        })
        .collect())
}

/// Stores `scores` and removes the other `(user, tag)` pairs of `pairs` (a member with no answer
/// left in a tag), in the caller's transaction. Rows are written as "insert or replace", so two
/// nodes recomputing one member at once both succeed, with the same figures.
pub fn store_tag_scores(conn: &mut DbConnection, pairs: &[(i64, i64)], scores: &[TagScore]) -> QueryResult<()> {
    for &(user, tag) in pairs {
        if !scores.iter().any(|s| s.user_id == user && s.tag_id == tag) {
            diesel::delete(user_tag_scores::table.find((user, tag))).execute(conn)?;
        }
    }
    upsert_tag_scores(conn, scores)
}

/// Replaces every stored score of `users` with `scores` (a full re-check of those members).
pub fn replace_tag_scores(conn: &mut DbConnection, users: &[i64], scores: &[TagScore]) -> QueryResult<()> {
    diesel::delete(user_tag_scores::table.filter(user_tag_scores::user_id.eq_any(users))).execute(conn)?;
    upsert_tag_scores(conn, scores)
}

fn upsert_tag_scores(conn: &mut DbConnection, scores: &[TagScore]) -> QueryResult<()> {
    use diesel::upsert::excluded;
    // In key order, so two nodes writing overlapping rows lock them in the same order.
    let mut scores = scores.to_vec();
    scores.sort_by_key(|s| (s.user_id, s.tag_id));
    // Four values a row: well under both backends' limits on bound values.
    for part in scores.chunks(1_000) {
        let values: Vec<_> = part
            .iter()
            .map(|s| {
                (
                    user_tag_scores::user_id.eq(s.user_id),
                    user_tag_scores::tag_id.eq(s.tag_id),
                    user_tag_scores::answer_score.eq(s.answer_score),
                    user_tag_scores::answer_count.eq(s.answer_count),
                )
            })
            .collect();
        let key = (user_tag_scores::user_id, user_tag_scores::tag_id);
        let update = (
            user_tag_scores::answer_score.eq(excluded(user_tag_scores::answer_score)),
            user_tag_scores::answer_count.eq(excluded(user_tag_scores::answer_count)),
        );
        // MultiConnection has no ON CONFLICT; both backends spell it alike, each on its own type.
        match conn {
            DbConnection::Postgresql(pg) => diesel::insert_into(user_tag_scores::table)
                .values(&values)
                .on_conflict(key)
                .do_update()
                .set(update)
                .execute(pg)?,
            DbConnection::Sqlite(lite) => diesel::insert_into(user_tag_scores::table)
                .values(&values)
                .on_conflict(key)
                .do_update()
                .set(update)
                .execute(lite)?,
        };
    }
    Ok(())
}

/// The stored scores of a member, best first.
pub fn tag_scores_of(conn: &mut DbConnection, user_id: i64, limit: i64) -> QueryResult<Vec<TagScore>> {
    user_tag_scores::table
        .filter(user_tag_scores::user_id.eq(user_id))
        .order(user_tag_scores::answer_score.desc())
        .limit(limit)
        .load(conn)
}

/// Members, in id order after `after`, `limit` at a time: the batches of a full re-check.
pub fn member_ids_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<i64>> {
    users::table.filter(users::id.gt(after)).order(users::id).limit(limit).select(users::id).load(conn)
}

/// How many accounts there are (a full re-check's progress bar).
pub fn member_count(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// The answers among `posts`, and the answers to the questions among them, whatever their state.
pub fn answers_among(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    posts::table
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::id.eq_any(ids).or(posts::question_id.eq_any(ids)))
        .select(posts::id)
        .load(conn)
}
