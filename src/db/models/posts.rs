//! The `posts` table: questions and answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::posts;
use crate::db::DbConnection;
use crate::domain::{CloseReason, HeldReason, OfficialKind, PostKind};

pub use super::question_pages::{list_questions, seek_questions, seek_tagged, Cursor, QuestionOrder, SortKey};

/// A stored question or answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct Post {
    /// Row id.
    pub id: i64,
    /// A question or an answer.
    pub kind: PostKind,
    /// For answers: the question.
    pub question_id: Option<i64>,
    /// Who wrote it.
    pub author_id: i64,
    /// For questions: the title.
    pub title: Option<String>,
    /// For questions: the URL slug of the title.
    pub slug: Option<String>,
    /// For questions: tag names, space-separated.
    pub tags: Option<String>,
    /// The Markdown source.
    pub body_markdown: String,
    /// The rendered, sanitised HTML.
    pub body_html: String,
    /// Up votes minus down votes.
    pub score: i32,
    /// For questions: answers that are not deleted.
    pub answer_count: i32,
    /// Comments that are not deleted.
    pub comment_count: i32,
    /// For questions: de-duplicated views.
    pub view_count: i64,
    /// For questions: the answer the asker accepted.
    pub accepted_answer_id: Option<i64>,
    /// When it was posted.
    pub created_at: NaiveDateTime,
    /// When it was last edited.
    pub edited_at: Option<NaiveDateTime>,
    /// Who last edited it.
    pub editor_id: Option<i64>,
    /// For questions: the newest post, edit or answer.
    pub last_activity_at: NaiveDateTime,
    /// Set while the post is locked.
    pub locked_at: Option<NaiveDateTime>,
    /// Set when the post was deleted (never physically removed).
    pub deleted_at: Option<NaiveDateTime>,
    /// For official answers: posted as official, or endorsed by staff.
    pub official_kind: Option<OfficialKind>,
    /// For official answers: the staff member who made it official.
    pub official_by: Option<i64>,
    /// For official answers: when it became official.
    pub official_at: Option<NaiveDateTime>,
    /// For official answers: when staff last confirmed it is still accurate.
    pub reviewed_at: Option<NaiveDateTime>,
    /// For questions: at least one answer is official.
    pub has_official: bool,
    /// For questions: when the first answer arrived.
    pub first_answer_at: Option<NaiveDateTime>,
    /// For questions: when the first official answer arrived (or was endorsed).
    pub first_official_at: Option<NaiveDateTime>,
    /// For questions: set while the question is closed.
    pub closed_at: Option<NaiveDateTime>,
    /// For closed questions: why.
    pub close_reason: Option<CloseReason>,
    /// For questions closed as duplicates: the canonical question.
    pub duplicate_of_id: Option<i64>,
    /// For closed questions: who closed it.
    pub closed_by: Option<i64>,
    /// Set while the post is hidden for a moderator's review.
    pub held_reason: Option<HeldReason>,
}

impl Post {
    /// Whether this is a question.
    pub fn is_question(&self) -> bool {
        self.kind == PostKind::Question
    }

    /// The tag names.
    pub fn tag_list(&self) -> Vec<String> {
        self.tags.as_deref().unwrap_or_default().split_whitespace().map(str::to_owned).collect()
    }
}

/// A post to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = posts)]
pub struct NewPost<'a> {
    /// A question or an answer.
    pub kind: PostKind,
    /// For answers: the question.
    pub question_id: Option<i64>,
    /// Who wrote it.
    pub author_id: i64,
    /// For questions: the title.
    pub title: Option<&'a str>,
    /// For questions: the slug.
    pub slug: Option<&'a str>,
    /// For questions: tag names, space-separated.
    pub tags: Option<&'a str>,
    /// The Markdown source.
    pub body_markdown: &'a str,
    /// The rendered HTML.
    pub body_html: &'a str,
    /// When it was posted.
    pub created_at: NaiveDateTime,
    /// Same as `created_at` at first.
    pub last_activity_at: NaiveDateTime,
}

/// Inserts a post and returns its id.
pub fn insert(conn: &mut DbConnection, post: &NewPost<'_>) -> QueryResult<i64> {
    diesel::insert_into(posts::table).values(post).returning(posts::id).get_result(conn)
}

/// A post by id, deleted or not.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Post>> {
    // No LIMIT: SQLite re-plans a statement whose LIMIT is a bound parameter every time it is
    // bound, so diesel's cached statement would be compiled again on each call (a tenth of a
    // question page's time). The key matches one row at most anyway.
    Ok(posts::table.find(id).select(Post::as_select()).load(conn)?.pop())
}

/// The answers of a question that are not deleted, by score then age (the page re-orders
/// official and accepted answers first).
pub fn answers_of(conn: &mut DbConnection, question_id: i64) -> QueryResult<Vec<Post>> {
    posts::table
        .filter(posts::question_id.eq(question_id))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::deleted_at.is_null())
        .order((posts::score.desc(), posts::id.asc()))
        .select(Post::as_select())
        .load(conn)
}

/// A member's newest posts of one kind.
pub fn by_author(conn: &mut DbConnection, author_id: i64, kind: PostKind, limit: i64) -> QueryResult<Vec<Post>> {
    posts::table
        .filter(posts::author_id.eq(author_id))
        .filter(posts::kind.eq(kind))
        .filter(posts::deleted_at.is_null())
        .order((posts::created_at.desc(), posts::id.desc()))
        .limit(limit)
        .select(Post::as_select())
        .load(conn)
}

/// All answers of a question, deleted ones included (for moderators), in the same order.
pub fn answers_of_including_deleted(conn: &mut DbConnection, question_id: i64) -> QueryResult<Vec<Post>> {
    posts::table
        .filter(posts::question_id.eq(question_id))
        .filter(posts::kind.eq(PostKind::Answer))
        .order((posts::score.desc(), posts::id.asc()))
        .select(Post::as_select())
        .load(conn)
}

/// The ids of a question's answers, deleted ones included.
pub fn answer_ids(conn: &mut DbConnection, question_id: i64) -> QueryResult<Vec<i64>> {
    posts::table.filter(posts::question_id.eq(question_id)).select(posts::id).load(conn)
}

/// Several posts by id, deleted or not, in no particular order.
pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Post>> {
    posts::table.filter(posts::id.eq_any(ids)).select(Post::as_select()).load(conn)
}

/// What a link to a question shows beside its title (suggestions, related questions).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct Listed {
    /// Row id.
    pub id: i64,
    /// A question or an answer.
    pub kind: PostKind,
    /// For questions: the title.
    pub title: Option<String>,
    /// For questions: the URL slug of the title.
    pub slug: Option<String>,
    /// For questions: answers that are not deleted.
    pub answer_count: i32,
    /// For questions: the answer the asker accepted.
    pub accepted_answer_id: Option<i64>,
    /// For questions: an official answer exists.
    pub has_official: bool,
    /// Set when the post was deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

/// Several posts at once, without their bodies.
pub fn listed(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Listed>> {
    posts::table.filter(posts::id.eq_any(ids)).select(Listed::as_select()).load(conn)
}

/// A question's id, title and slug.
pub type TitleRow = (i64, Option<String>, Option<String>);

/// Titles and slugs of several questions at once (for answer lists on profiles).
pub fn titles(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<TitleRow>> {
    posts::table.filter(posts::id.eq_any(ids)).select((posts::id, posts::title, posts::slug)).load(conn)
}

/// Titles and slugs of those of several questions that are not deleted (what a visitor may be
/// shown of them, e.g. the questions a profile's answers belong to).
pub fn visible_titles(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<TitleRow>> {
    posts::table
        .filter(posts::id.eq_any(ids))
        .filter(posts::deleted_at.is_null())
        .select((posts::id, posts::title, posts::slug))
        .load(conn)
}

/// Whether a post exists and is not deleted (nor held).
pub fn is_visible(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(posts::table.find(id).filter(posts::deleted_at.is_null()))).get_result(conn)
}

/// Questions closed as duplicates of `question_id` and not deleted, oldest first: "also asked as".
pub fn duplicates_of(conn: &mut DbConnection, question_id: i64, limit: i64) -> QueryResult<Vec<TitleRow>> {
    posts::table
        .filter(posts::duplicate_of_id.eq(question_id))
        .filter(posts::deleted_at.is_null())
        .order(posts::id)
        .limit(limit)
        .select((posts::id, posts::title, posts::slug))
        .load(conn)
}

/// Adds to a question's answer count and marks it active; the first answer's time is kept.
pub fn add_answer(conn: &mut DbConnection, question_id: i64, delta: i32, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(posts::table.find(question_id))
        .set((posts::answer_count.eq(posts::answer_count + delta), posts::last_activity_at.eq(now)))
        .execute(conn)?;
    diesel::update(posts::table.find(question_id).filter(posts::first_answer_at.is_null()))
        .set(posts::first_answer_at.eq(now))
        .execute(conn)
}

/// Adds to a post's comment count.
pub fn add_comment(conn: &mut DbConnection, post_id: i64, delta: i32) -> QueryResult<usize> {
    diesel::update(posts::table.find(post_id)).set(posts::comment_count.eq(posts::comment_count + delta)).execute(conn)
}

/// Adds to a post's score; returns the new score.
pub fn add_score(conn: &mut DbConnection, post_id: i64, delta: i32) -> QueryResult<i32> {
    diesel::update(posts::table.find(post_id))
        .set(posts::score.eq(posts::score + delta))
        .returning(posts::score)
        .get_result(conn)
}

/// Adds de-duplicated views to a question; returns its new count (`None`: no such question).
pub fn add_views(conn: &mut DbConnection, question_id: i64, views: i64) -> QueryResult<Option<i64>> {
    diesel::update(posts::table.find(question_id))
        .set(posts::view_count.eq(posts::view_count + views))
        .returning(posts::view_count)
        .get_result(conn)
        .optional()
}

/// Sets or clears a question's accepted answer.
pub fn set_accepted(conn: &mut DbConnection, question_id: i64, answer_id: Option<i64>) -> QueryResult<usize> {
    diesel::update(posts::table.find(question_id)).set(posts::accepted_answer_id.eq(answer_id)).execute(conn)
}

/// A post's new text after an edit.
pub struct Edit<'a> {
    /// For questions: the new title and slug.
    pub title: Option<(&'a str, &'a str)>,
    /// For questions: the new tags.
    pub tags: Option<&'a str>,
    /// The new Markdown.
    pub body_markdown: &'a str,
    /// The new HTML.
    pub body_html: &'a str,
    /// Who edited.
    pub editor_id: i64,
    /// When.
    pub at: NaiveDateTime,
}

/// Stores an edit; the revision that shared the outgoing text keeps a copy of it.
pub fn apply_edit(conn: &mut DbConnection, post_id: i64, edit: &Edit<'_>) -> QueryResult<usize> {
    super::revisions::keep_outgoing_body(conn, post_id)?;
    diesel::update(posts::table.find(post_id))
        .set((
            posts::body_markdown.eq(edit.body_markdown),
            posts::body_html.eq(edit.body_html),
            posts::editor_id.eq(edit.editor_id),
            posts::edited_at.eq(edit.at),
        ))
        .execute(conn)?;
    if let Some((title, slug)) = edit.title {
        diesel::update(posts::table.find(post_id)).set((posts::title.eq(title), posts::slug.eq(slug))).execute(conn)?;
    }
    if let Some(tags) = edit.tags {
        diesel::update(posts::table.find(post_id)).set(posts::tags.eq(tags)).execute(conn)?;
    }
    Ok(1)
}

/// Marks a question active now (an edit or answer).
pub fn touch_activity(conn: &mut DbConnection, question_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(posts::table.find(question_id)).set(posts::last_activity_at.eq(now)).execute(conn)
}

/// Locks a question (`Some(when)`) or unlocks it (`None`).
pub fn set_locked(conn: &mut DbConnection, id: i64, at: Option<NaiveDateTime>) -> QueryResult<()> {
    diesel::update(posts::table.find(id)).set(posts::locked_at.eq(at)).execute(conn)?;
    Ok(())
}

/// Hides a post (`deleted_at` set, with `held` when it waits for review) or shows it (both
/// cleared). The caller keeps the counters in step.
pub fn set_visibility(
    conn: &mut DbConnection,
    id: i64,
    deleted_at: Option<NaiveDateTime>,
    held: Option<HeldReason>,
) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set((posts::deleted_at.eq(deleted_at), posts::held_reason.eq(held)))
        .execute(conn)
}

/// Closes a question for `reason`, pointing it at its canonical question for duplicates.
pub fn close(
    conn: &mut DbConnection,
    id: i64,
    reason: CloseReason,
    duplicate_of: Option<i64>,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set((
            posts::closed_at.eq(now),
            posts::close_reason.eq(reason),
            posts::duplicate_of_id.eq(duplicate_of),
            posts::closed_by.eq(by),
        ))
        .execute(conn)
}

/// Reopens a question: clears the close time, reason, canonical question and closer.
pub fn reopen(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set((
            posts::closed_at.eq(None::<NaiveDateTime>),
            posts::close_reason.eq(None::<CloseReason>),
            posts::duplicate_of_id.eq(None::<i64>),
            posts::closed_by.eq(None::<i64>),
        ))
        .execute(conn)
}

/// How many posts are held for `reason`.
pub fn count_held(conn: &mut DbConnection, reason: HeldReason) -> QueryResult<i64> {
    posts::table.filter(posts::held_reason.eq(reason)).count().get_result(conn)
}

/// The ids of the oldest posts held for `reason`, oldest first.
pub fn oldest_held(conn: &mut DbConnection, reason: HeldReason, limit: i64) -> QueryResult<Vec<i64>> {
    posts::table.filter(posts::held_reason.eq(reason)).order(posts::id.asc()).limit(limit).select(posts::id).load(conn)
}

/// A member's posts that are visible or held for review (not deleted by a moderator), answers
/// first (`kind` sorts "answer" before "question"), then oldest first.
pub fn visible_or_held_by(conn: &mut DbConnection, author_id: i64) -> QueryResult<Vec<Post>> {
    posts::table
        .filter(posts::author_id.eq(author_id))
        .filter(posts::deleted_at.is_null().or(posts::held_reason.is_not_null()))
        .order((posts::kind.asc(), posts::id.asc()))
        .select(Post::as_select())
        .load(conn)
}
