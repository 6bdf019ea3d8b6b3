//! The weekly topic digest: once a week, each member who watches topics (tags) gets the week's
//! best-answered questions in them — those that got an official or accepted answer — by mail.
//! It only queues mail, one transaction per member; the hourly digest task calls it and the mail
//! worker sends.
//!
//! A member is looked at once a week whether or not anything qualified: the stamp in
//! `topic_digests` is kept even when no mail goes out, so a quiet week costs one query per
//! member, not one an hour. The next window starts where the last one ended, so nothing is
//! missed in between.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use tera::Context;

use super::notifications::{can_receive_mail, queue_member_mail, send_in_batches};
use super::{ServiceError, ServiceResult};
use crate::db::models::topic_digests::{self, DigestQuestion};
use crate::db::models::users::User;
use crate::db::{write_transaction, DbConnection};
use crate::domain::{paths, QuestionId};
use crate::mail::{Letter, Outbox};

/// A member gets the weekly digest at most this often.
pub const INTERVAL: Duration = Duration::days(7);
/// How far before the usual week a window may start, to cover the hour or so the hourly task
/// runs late after the previous digest.
const CATCH_UP: Duration = Duration::days(1);
/// Members looked at per query, so one run never loads every watcher at once.
const BATCH: i64 = 100;
/// Questions listed in one digest.
const ITEMS: i64 = 10;

/// A question as the digest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DigestItem {
    /// The question's title.
    pub title: String,
    /// Its absolute link.
    pub link: String,
    /// The watched topic it is in (the first, by the question's order, when several).
    pub tag: String,
    /// Whether an answer to it is official.
    pub official: bool,
}

/// Queues the weekly digest for every watcher due one; returns how many mails went out. Safe to
/// run on several nodes at once: the claim in `topic_digests` lets one of them win.
pub fn send_weekly_digests(conn: &mut DbConnection, outbox: &Outbox, now: NaiveDateTime) -> ServiceResult<usize> {
    let cutoff = now - INTERVAL;
    send_in_batches(
        conn,
        |conn, after| topic_digests::due_after(conn, cutoff, after, BATCH),
        |conn, user| send_one(conn, outbox, user, cutoff, now),
    )
}

/// One member's digest, in its own transaction; false when another node claimed it or nothing
/// qualified.
fn send_one(
    conn: &mut DbConnection,
    outbox: &Outbox,
    user: &User,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> ServiceResult<bool> {
    let Some(address) = can_receive_mail(user) else { return Ok(false) };
    let outcome = write_transaction(conn, |conn| {
        let previous = topic_digests::last_sent(conn, user.id)?;
        if !topic_digests::claim(conn, user.id, cutoff, now)? {
            return Ok(false);
        }
        let since = previous.map_or(cutoff, |at| at.clamp(cutoff - CATCH_UP, cutoff));
        let topics = topic_digests::mailed_topics_of(conn, user.id)?;
        let tag_ids: Vec<i64> = topics.iter().map(|(id, _)| *id).collect();
        let questions = topic_digests::best_answered(conn, &tag_ids, since, ITEMS)?;
        if questions.is_empty() {
            // The stamp stays: this week was looked at and had nothing to say.
            return Ok(false);
        }
        let names: Vec<&str> = topics.iter().map(|(_, name)| name.as_str()).collect();
        let items: Vec<DigestItem> = questions.iter().map(|q| item(outbox.base_url(), q, &names)).collect();
        let mut context = Context::new();
        context.insert("items", &items);
        let subject = match items.len() {
            1 => "This week in your topics: 1 answered question".to_owned(),
            n => format!("This week in your topics: {n} answered questions"),
        };
        queue_member_mail(conn, outbox, user, Letter { to: address, subject, template: "topic_digest", context })?;
        Ok(true)
    });
    match outcome {
        // Another node inserted this member's first stamp at the same moment; its mail stands.
        Err(ServiceError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Ok(false),
        other => other,
    }
}

fn item(base_url: &str, question: &DigestQuestion, watched: &[&str]) -> DigestItem {
    let tag = question
        .tags
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .find(|name| watched.contains(name))
        .unwrap_or_default()
        .to_owned();
    DigestItem {
        title: question.title.clone().unwrap_or_default(),
        link: format!("{base_url}{}", paths::question(QuestionId(question.id), question.slug.as_deref())),
        tag,
        official: question.has_official,
    }
}
