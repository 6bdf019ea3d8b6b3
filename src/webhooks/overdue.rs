//! `question.overdue`: a sweep every node's worker runs, finding public questions still without
//! an answer past the response target, and queueing their announcement exactly once — the
//! announcement row's key makes a second node's (or a restarted node's) attempt fail and roll
//! back with its deliveries.

use anyhow::Context as _;
use chrono::{Duration, NaiveDateTime};

use super::payload::{self, Subject};
use crate::db::models::webhooks::{announcements, endpoints};
use crate::db::{write_transaction, DbPool};
use crate::domain::WebhookEvent;

/// Questions older than the target by more than this are left alone: switching the event on
/// should not announce years of unanswered questions at once.
const LOOKBACK: Duration = Duration::days(7);
/// Questions announced per sweep; the rest wait for the next one.
const BATCH: i64 = 50;

/// How long a question may wait for its first answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseTarget(pub Duration);

impl ResponseTarget {
    /// A target of `hours` (`GUIDEPOST_WEBHOOK_RESPONSE_TARGET_HOURS`).
    pub fn hours(hours: u32) -> Self {
        Self(Duration::hours(i64::from(hours)))
    }
}

/// Announces the questions overdue at `now` to the endpoints that subscribe; returns how many.
pub fn sweep(pool: &DbPool, base_url: &str, target: ResponseTarget, now: NaiveDateTime) -> anyhow::Result<usize> {
    let mut conn = pool.get().context("overdue sweep: no database connection")?;
    let subscribed = endpoints::enabled(&mut conn).context("reading webhook endpoints")?;
    if !subscribed.iter().any(|e| e.wants(WebhookEvent::QuestionOverdue)) {
        return Ok(0);
    }
    let asked_before = now - target.0;
    let due = announcements::overdue(&mut conn, asked_before - LOOKBACK, asked_before, BATCH)
        .context("finding overdue questions")?;
    let mut announced = 0;
    for question in due {
        let outcome = write_transaction(&mut conn, |conn| -> diesel::QueryResult<bool> {
            announcements::insert(conn, question, WebhookEvent::QuestionOverdue, now)?;
            let subject = Subject::question(question, None);
            match payload::data(conn, base_url, &subject)? {
                Some(announcement) => {
                    payload::enqueue(conn, &subscribed, WebhookEvent::QuestionOverdue, &announcement, now)?;
                    Ok(true)
                }
                None => Ok(false),
            }
        });
        match outcome {
            Ok(true) => announced += 1,
            Ok(false) => {}
            // Another node announced it first; its row stands, ours rolled back.
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e).context("announcing an overdue question"),
        }
    }
    Ok(announced)
}
