//! The weekly topic digest's tables: `topic_digests` (when each watcher last got one) and the
//! reads that fill it — who is due, what they watch, and the week's best-answered questions in
//! those topics. What goes in the mail and when belongs to `services::topic_digest`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::users::User;
use crate::db::schema::{post_tags, posts, tag_watches, tags, topic_digests, users};
use crate::db::DbConnection;
use crate::domain::{MailPreference, PostKind};

/// A question as the digest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DigestQuestion {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: Option<String>,
    /// Its URL slug.
    pub slug: Option<String>,
    /// Its tag names, space-separated.
    pub tags: Option<String>,
    /// Whether one of its answers is official.
    pub has_official: bool,
}

/// Up to `limit` users, by id after `after`, who watch a topic with mail other than `never`,
/// whose own mail choice is not `never`, who can receive mail (a proven address, not suspended,
/// not deleted) and who got no weekly digest since `cutoff`.
pub fn due_after(conn: &mut DbConnection, cutoff: NaiveDateTime, after: i64, limit: i64) -> QueryResult<Vec<User>> {
    let watching =
        tag_watches::table.filter(tag_watches::mail.ne(MailPreference::Never.as_str())).select(tag_watches::user_id);
    let recent = topic_digests::table.filter(topic_digests::sent_at.ge(cutoff)).select(topic_digests::user_id);
    users::table
        .filter(users::id.gt(after))
        .filter(users::id.eq_any(watching))
        .filter(users::id.ne_all(recent))
        .filter(users::email_preference.ne(MailPreference::Never))
        .filter(users::email.is_not_null())
        .filter(users::email_verified_at.is_not_null())
        .filter(users::suspended_at.is_null())
        .filter(users::deleted_at.is_null())
        .order(users::id)
        .limit(limit)
        .select(User::as_select())
        .load(conn)
}

/// When a user last got the weekly digest, if ever.
pub fn last_sent(conn: &mut DbConnection, user_id: i64) -> QueryResult<Option<NaiveDateTime>> {
    topic_digests::table.find(user_id).select(topic_digests::sent_at).first(conn).optional()
}

/// Stamps the weekly digest as sent at `now` unless it was stamped since `cutoff`; true when this
/// call won. Call inside the member's transaction: two nodes racing for a first digest both
/// insert, and the primary key fails the second one's transaction, mail and all.
pub fn claim(conn: &mut DbConnection, user_id: i64, cutoff: NaiveDateTime, now: NaiveDateTime) -> QueryResult<bool> {
    // MultiConnection has no ON CONFLICT: a conditional update, then an insert when no row exists.
    let updated = diesel::update(topic_digests::table.find(user_id).filter(topic_digests::sent_at.lt(cutoff)))
        .set(topic_digests::sent_at.eq(now))
        .execute(conn)?;
    if updated == 1 {
        return Ok(true);
    }
    if last_sent(conn, user_id)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(topic_digests::table)
        .values((topic_digests::user_id.eq(user_id), topic_digests::sent_at.eq(now)))
        .execute(conn)?;
    Ok(true)
}

/// The topics a user watches with mail other than `never`: `(tag id, tag name)`, by name.
pub fn mailed_topics_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(i64, String)>> {
    tag_watches::table
        .inner_join(tags::table)
        .filter(tag_watches::user_id.eq(user_id))
        .filter(tag_watches::mail.ne(MailPreference::Never.as_str()))
        .order(tags::name.asc())
        .select((tags::id, tags::name))
        .load(conn)
}

/// Up to `limit` public questions (not deleted, not held) in any of `tag_ids` that got an
/// official answer since `since`, or have an accepted answer and were active since `since`
/// (accepting touches the question's activity and keeps no time of its own), official ones
/// first, then by score, then by views.
pub fn best_answered(
    conn: &mut DbConnection,
    tag_ids: &[i64],
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<DigestQuestion>> {
    let in_topics = post_tags::table.filter(post_tags::tag_id.eq_any(tag_ids)).select(post_tags::post_id);
    let official_since = official_answers_since(conn, since)?;
    posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(posts::id.eq_any(in_topics))
        .filter(
            posts::id
                .eq_any(official_since)
                .or(posts::accepted_answer_id.is_not_null().and(posts::last_activity_at.ge(since))),
        )
        .order((posts::has_official.desc(), posts::score.desc(), posts::view_count.desc(), posts::id.desc()))
        .limit(limit)
        .select((posts::id, posts::title, posts::slug, posts::tags, posts::has_official))
        .load(conn)
}

/// The questions whose public answers became official since `since` (a week's worth: few).
fn official_answers_since(conn: &mut DbConnection, since: NaiveDateTime) -> QueryResult<Vec<i64>> {
    let ids: Vec<Option<i64>> = posts::table
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::official_at.ge(since))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .select(posts::question_id)
        .distinct()
        .load(conn)?;
    Ok(ids.into_iter().flatten().collect())
}
