//! Generating a chunk of questions with their answers, comments and tags, on its own thread:
//! everything the writing thread binds is made here, ready to go.

use chrono::{Datelike, NaiveDateTime, Timelike};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Timestamp;
use diesel::sqlite::Sqlite;
use rand::rngs::StdRng;
use rand::Rng;

use super::write::Ids;
use super::{text, Plan};
use crate::db::schema::{comments, post_tags, posts, revisions};
use crate::domain::{OfficialKind, PostKind};
use crate::services::questions::slugify;

/// A moment, with its SQLite text already made. On SQLite a timestamp is bound as text, and
/// formatting it is a good share of what binding a row costs: done here, it is done on the
/// generating thread rather than on the writing one, which is the one that limits seeding.
#[derive(Debug, Clone, AsExpression)]
#[diesel(sql_type = Timestamp)]
pub(crate) struct Stamp {
    at: NaiveDateTime,
    text: String,
}

impl Stamp {
    /// The moment, formatted as diesel formats it for SQLite (so it reads back the same).
    pub(crate) fn new(at: NaiveDateTime) -> Stamp {
        // Seeded moments are whole seconds. chrono's formatter reads its pattern again on every
        // call, which made formatting a third of the generating thread's time; written digit by
        // digit, whole seconds come out the same (`%.f` prints nothing for them).
        if at.nanosecond() != 0 || !(0..=9_999).contains(&at.year()) {
            return Stamp { at, text: at.format("%F %T%.f").to_string() };
        }
        let mut text = String::with_capacity(19);
        let fields = [(at.year().unsigned_abs(), 4, '-'), (at.month(), 2, '-'), (at.day(), 2, ' ')];
        let times = [(at.hour(), 2, ':'), (at.minute(), 2, ':'), (at.second(), 2, '\0')];
        for (value, width, then) in fields.into_iter().chain(times) {
            for place in (0..width).rev() {
                let digit = value / 10_u32.pow(place) % 10;
                text.push(char::from_digit(digit, 10).unwrap_or('0'));
            }
            if then != '\0' {
                text.push(then);
            }
        }
        Stamp { at, text }
    }
}

impl ToSql<Timestamp, Sqlite> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.text.as_str());
        Ok(IsNull::No)
    }
}

impl ToSql<Timestamp, Pg> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        ToSql::<Timestamp, Pg>::to_sql(&self.at, out)
    }
}

/// A seeded question with every counter already right. Questions and answers are written by
/// separate statements, each binding only the columns its kind fills (the rest keep their
/// defaults).
#[derive(Insertable)]
#[diesel(table_name = posts)]
// `None` binds NULL instead of meaning DEFAULT (the same here: these columns default to NULL).
// With DEFAULT possible, diesel's SQLite backend cannot batch and inserts row by row.
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct SeedQuestion {
    id: i64,
    kind: PostKind,
    author_id: i64,
    title: String,
    slug: String,
    tags: String,
    body_markdown: String,
    body_html: String,
    score: i32,
    answer_count: i32,
    comment_count: i32,
    view_count: i64,
    accepted_answer_id: Option<i64>,
    created_at: Stamp,
    last_activity_at: Stamp,
    has_official: bool,
    first_answer_at: Option<Stamp>,
    first_official_at: Option<Stamp>,
}

/// A seeded answer, official or not.
#[derive(Insertable)]
#[diesel(table_name = posts)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct SeedAnswer {
    id: i64,
    kind: PostKind,
    question_id: i64,
    author_id: i64,
    body_markdown: String,
    body_html: String,
    score: i32,
    comment_count: i32,
    created_at: Stamp,
    last_activity_at: Stamp,
    official_kind: Option<OfficialKind>,
    official_by: Option<i64>,
    official_at: Option<Stamp>,
}

/// A post's first revision. Its text is the post's (see `models::revisions`), so not repeated.
#[derive(Insertable)]
#[diesel(table_name = revisions)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct SeedRevision {
    post_id: i64,
    editor_id: i64,
    title: Option<String>,
    tags: Option<String>,
    created_at: Stamp,
}

/// A question filed under a tag.
#[derive(Insertable)]
#[diesel(table_name = post_tags)]
pub(crate) struct SeedTagging {
    post_id: i64,
    tag_id: i64,
}

/// A comment.
#[derive(Insertable)]
#[diesel(table_name = comments)]
pub(crate) struct SeedComment {
    post_id: i64,
    author_id: i64,
    body_markdown: String,
    body_html: String,
    created_at: Stamp,
}

/// One chunk of questions with their answers, comments, tags and first revisions, as rows.
/// They own their values: diesel reuses a prepared statement only for rows that borrow nothing.
/// The questions' ids come first, then their answers': each table receives its rows in id
/// order, so every insert appends.
pub(crate) struct Chunk {
    pub(super) questions: Vec<SeedQuestion>,
    pub(super) answers: Vec<SeedAnswer>,
    pub(super) revisions: Vec<SeedRevision>,
    pub(super) post_tags: Vec<SeedTagging>,
    pub(super) comments: Vec<SeedComment>,
}

impl Chunk {
    /// Generates questions `first..first + count` (counted from 0) and everything under them.
    pub(crate) fn generate(rng: &mut StdRng, ids: &mut Ids, plan: &Plan<'_>, first: u64, count: u64) -> Chunk {
        let mut chunk = Chunk {
            questions: Vec::with_capacity(usize::try_from(count).unwrap_or(0)),
            answers: Vec::new(),
            revisions: Vec::new(),
            post_tags: Vec::new(),
            comments: Vec::new(),
        };
        let question_ids = ids.reserve_posts(count);
        for (number, id) in (first..first + count).zip(question_ids) {
            let asked = plan.asked(rng, number);
            let title = text::title(rng);
            let (markdown, html) = plan.body(rng);
            let mut tag_names = Vec::new();
            for _ in 0..rng.random_range(1..=4) {
                let (tag_id, name) = &plan.tags[text::zipf(rng, plan.tags.len())];
                if !tag_names.contains(name) {
                    tag_names.push(name.clone());
                    chunk.post_tags.push(SeedTagging { post_id: id, tag_id: *tag_id });
                }
            }
            let mean = plan.options.answers_per_question;
            let answer_count = rng.random_range(0..=mean.saturating_mul(2));
            let mut question = SeedQuestion {
                id,
                kind: PostKind::Question,
                author_id: plan.member(rng),
                slug: slugify(&title),
                title,
                tags: tag_names.join(" "),
                body_markdown: markdown,
                body_html: html,
                score: score(rng),
                answer_count: i32::try_from(answer_count).unwrap_or(i32::MAX),
                comment_count: 0,
                view_count: rng.random_range(1..5_000),
                accepted_answer_id: None,
                created_at: Stamp::new(asked),
                // Set below, once the answers are known.
                last_activity_at: Stamp::new(asked),
                has_official: false,
                first_answer_at: None,
                first_official_at: None,
            };
            question.comment_count = chunk.comments_on(rng, plan, id, asked);
            let first_answer = chunk.answers.len();
            let mut at = asked;
            for n in 0..answer_count {
                at = plan.later(rng, at, 5_000);
                let official = n == 0 && rng.random_range(0..10) == 0;
                let (markdown, html) = plan.body(rng);
                let answer_id = ids.next_post();
                let author = if official { plan.staff(rng) } else { plan.member(rng) };
                let mut answer = SeedAnswer {
                    id: answer_id,
                    kind: PostKind::Answer,
                    question_id: id,
                    author_id: author,
                    body_markdown: markdown,
                    body_html: html,
                    score: score(rng),
                    comment_count: 0,
                    created_at: Stamp::new(at),
                    last_activity_at: Stamp::new(at),
                    official_kind: official.then_some(OfficialKind::Authored),
                    official_by: official.then_some(author),
                    official_at: official.then(|| Stamp::new(at)),
                };
                answer.comment_count = chunk.comments_on(rng, plan, answer_id, at);
                if question.first_answer_at.is_none() {
                    question.first_answer_at = Some(Stamp::new(at));
                }
                if official {
                    question.has_official = true;
                    question.first_official_at = Some(Stamp::new(at));
                }
                chunk.answers.push(answer);
            }
            let answers = &chunk.answers[first_answer..];
            if !answers.is_empty() && rng.random_range(0..10) < 4 {
                question.accepted_answer_id = Some(answers[rng.random_range(0..answers.len())].id);
            }
            question.last_activity_at = Stamp::new(at);
            chunk.questions.push(question);
        }
        let question_revisions = chunk.questions.iter().map(|q| SeedRevision {
            post_id: q.id,
            editor_id: q.author_id,
            title: Some(q.title.clone()),
            tags: Some(q.tags.clone()),
            created_at: q.created_at.clone(),
        });
        let answer_revisions = chunk.answers.iter().map(|a| SeedRevision {
            post_id: a.id,
            editor_id: a.author_id,
            title: None,
            tags: None,
            created_at: a.created_at.clone(),
        });
        chunk.revisions = question_revisions.chain(answer_revisions).collect();
        // In the order of their posts, as the other rows (a stable sort: each post's comments
        // keep their order).
        chunk.comments.sort_by_key(|comment| comment.post_id);
        chunk
    }

    fn comments_on(&mut self, rng: &mut StdRng, plan: &Plan<'_>, post_id: i64, after: NaiveDateTime) -> i32 {
        let count = [0, 0, 0, 1, 1, 2, 3][rng.random_range(0..7)];
        for _ in 0..count {
            let (markdown, html) = plan.comment(rng);
            let at = plan.later(rng, after, 3_000);
            self.comments.push(SeedComment {
                post_id,
                author_id: plan.member(rng),
                body_markdown: markdown,
                body_html: html,
                created_at: Stamp::new(at),
            });
        }
        count
    }

    /// Answers in this chunk.
    pub(crate) fn answer_count(&self) -> u64 {
        self.answers.len() as u64
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveDateTime};

    use super::Stamp;

    #[test]
    fn stamps_read_as_diesel_writes_them() {
        let at = |y, mo, d, h, mi, s, nano| -> NaiveDateTime {
            NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_nano_opt(h, mi, s, nano).unwrap()
        };
        for moment in [at(2024, 2, 29, 23, 59, 59, 0), at(1999, 1, 1, 0, 0, 0, 0), at(2026, 12, 2, 5, 7, 9, 120_000)] {
            assert_eq!(Stamp::new(moment).text, moment.format("%F %T%.f").to_string());
        }
    }
}
