//! The `webhook_deliveries` table: the durable outbox of webhook deliveries, and the worker's
//! bookkeeping for it — claiming due rows so no two workers send the same one, recording each
//! attempt, and retrying with backoff until it gives up. Sending belongs to `crate::webhooks`.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::db::DbConnection;

/// A delivery to queue.
#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery<'a> {
    /// The endpoint.
    pub endpoint_id: i64,
    /// The event type's word.
    pub event_type: &'a str,
    /// `msg_...`: the `webhook-id` of every attempt.
    pub message_id: &'a str,
    /// The event as JSON.
    pub payload: &'a str,
    /// When it was queued.
    pub created_at: NaiveDateTime,
    /// When the worker should first try it (at once).
    pub next_attempt_at: NaiveDateTime,
}

/// Queues a delivery; call inside the transaction of the change that causes it.
pub fn insert(conn: &mut DbConnection, delivery: &NewDelivery<'_>) -> QueryResult<i64> {
    diesel::insert_into(webhook_deliveries::table).values(delivery).returning(webhook_deliveries::id).get_result(conn)
}

/// A stored delivery.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// The endpoint.
    pub endpoint_id: i64,
    /// The event type's word.
    pub event_type: String,
    /// The `webhook-id`.
    pub message_id: String,
    /// The event as JSON.
    pub payload: String,
    /// When it was queued.
    pub created_at: NaiveDateTime,
    /// Attempts so far.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: NaiveDateTime,
    /// A worker owns the row until then.
    pub claimed_until: Option<NaiveDateTime>,
    /// When a receiver answered 2xx.
    pub delivered_at: Option<NaiveDateTime>,
    /// When the worker gave up.
    pub failed_at: Option<NaiveDateTime>,
    /// The last answer's status code, if one came.
    pub last_status: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The start of the last answer's body.
    pub response_excerpt: Option<String>,
}

/// After this many failed attempts a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 12;
/// The wait after the first failure; it doubles with each further failure ...
const FIRST_RETRY_DELAY: Duration = Duration::seconds(30);
/// ... up to this.
const LONGEST_RETRY_DELAY: Duration = Duration::hours(6);
/// Error texts and response excerpts are cut to this many characters.
const MAX_TEXT_CHARS: usize = 1_000;

/// How long to wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, ... capped at 6 h.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    (FIRST_RETRY_DELAY * 2_i32.pow(doublings)).min(LONGEST_RETRY_DELAY)
}

/// Claims up to `limit` due deliveries of enabled endpoints, oldest first, for `lease`: until it
/// ends no other worker (on this node or another) claims them; a crashed worker's claim runs out.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
    lease: Duration,
) -> QueryResult<Vec<Delivery>> {
    let until = now + lease;
    let enabled =
        webhook_endpoints::table.filter(webhook_endpoints::disabled_at.is_null()).select(webhook_endpoints::id);
    let ids: Vec<i64> = match conn {
        // Several nodes may claim at once: SKIP LOCKED lets each take rows the others have not
        // locked, instead of waiting for them and then sending the same rows again.
        DbConnection::Postgresql(pg) => pg.transaction(|pg| {
            let ids: Vec<i64> = webhook_deliveries::table
                .filter(webhook_deliveries::delivered_at.is_null())
                .filter(webhook_deliveries::failed_at.is_null())
                .filter(webhook_deliveries::next_attempt_at.le(now))
                .filter(webhook_deliveries::claimed_until.is_null().or(webhook_deliveries::claimed_until.lt(now)))
                .filter(webhook_deliveries::endpoint_id.eq_any(enabled))
                .order((webhook_deliveries::next_attempt_at, webhook_deliveries::id))
                .limit(limit)
                .select(webhook_deliveries::id)
                .for_update()
                .skip_locked()
                .load(pg)?;
            diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
                .set(webhook_deliveries::claimed_until.eq(until))
                .execute(pg)?;
            Ok::<_, diesel::result::Error>(ids)
        })?,
        // SQLite runs one writer at a time, so one UPDATE that picks and stamps the rows is
        // atomic against every other claimer. diesel will not UPDATE a table filtered by a
        // subquery on that same table, so the subquery reads it under another name.
        DbConnection::Sqlite(lite) => {
            let due = diesel::alias!(webhook_deliveries as due);
            let picked = due
                .filter(due.field(webhook_deliveries::delivered_at).is_null())
                .filter(due.field(webhook_deliveries::failed_at).is_null())
                .filter(due.field(webhook_deliveries::next_attempt_at).le(now))
                .filter(
                    due.field(webhook_deliveries::claimed_until)
                        .is_null()
                        .or(due.field(webhook_deliveries::claimed_until).lt(now)),
                )
                .filter(due.field(webhook_deliveries::endpoint_id).eq_any(enabled))
                .order((due.field(webhook_deliveries::next_attempt_at), due.field(webhook_deliveries::id)))
                .limit(limit)
                .select(due.field(webhook_deliveries::id));
            diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(picked)))
                .set(webhook_deliveries::claimed_until.eq(until))
                .returning(webhook_deliveries::id)
                .get_results(lite)?
        }
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    webhook_deliveries::table
        .filter(webhook_deliveries::id.eq_any(&ids))
        .order((webhook_deliveries::next_attempt_at, webhook_deliveries::id))
        .select(Delivery::as_select())
        .load(conn)
}

/// What one attempt brought back.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// The status code, when the receiver answered.
    pub status: Option<u16>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// The start of the answer's body.
    pub excerpt: Option<String>,
}

fn cut(text: Option<&str>) -> Option<String> {
    text.map(|t| t.chars().take(MAX_TEXT_CHARS).collect())
}

/// Records that a claimed delivery arrived (the receiver answered 2xx), releasing the claim.
pub fn mark_delivered(
    conn: &mut DbConnection,
    delivery: &Delivery,
    attempt: &Attempt,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(delivery.id))
        .set((
            webhook_deliveries::attempts.eq(delivery.attempts.saturating_add(1)),
            webhook_deliveries::delivered_at.eq(now),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_status.eq(attempt.status.map(i32::from)),
            webhook_deliveries::last_error.eq(None::<String>),
            webhook_deliveries::response_excerpt.eq(cut(attempt.excerpt.as_deref())),
        ))
        .execute(conn)
        .map(drop)
}

/// What became of a delivery whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// It will be tried again at this time.
    RetryAt(NaiveDateTime),
    /// It will never be tried again.
    GaveUp,
}

/// Records a failed attempt: schedules the next one with backoff, or gives up after
/// [`MAX_ATTEMPTS`], keeping the status and error either way.
pub fn record_failure(
    conn: &mut DbConnection,
    delivery: &Delivery,
    attempt: &Attempt,
    now: NaiveDateTime,
) -> QueryResult<FailureOutcome> {
    let attempts = delivery.attempts.saturating_add(1);
    let outcome = if attempts >= MAX_ATTEMPTS {
        FailureOutcome::GaveUp
    } else {
        FailureOutcome::RetryAt(now + retry_delay(attempts))
    };
    let (next_attempt_at, failed_at) = match outcome {
        FailureOutcome::RetryAt(at) => (at, None),
        FailureOutcome::GaveUp => (delivery.next_attempt_at, Some(now)),
    };
    diesel::update(webhook_deliveries::table.find(delivery.id))
        .set((
            webhook_deliveries::attempts.eq(attempts),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::failed_at.eq(failed_at),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_status.eq(attempt.status.map(i32::from)),
            webhook_deliveries::last_error.eq(cut(attempt.error.as_deref())),
            webhook_deliveries::response_excerpt.eq(cut(attempt.excerpt.as_deref())),
        ))
        .execute(conn)?;
    Ok(outcome)
}

/// Gives up this worker's claim on deliveries it did not try, so another run may take them.
pub fn release(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<()> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq_any(ids))
            .filter(webhook_deliveries::delivered_at.is_null()),
    )
    .set(webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>))
    .execute(conn)
    .map(drop)
}

/// Queues a delivery again ("Send again"): due now, its attempts and outcome kept for the log
/// until the next attempt replaces them. Returns false when it is not the endpoint's.
pub fn send_again(conn: &mut DbConnection, endpoint_id: i64, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let changed =
        diesel::update(webhook_deliveries::table.find(id).filter(webhook_deliveries::endpoint_id.eq(endpoint_id)))
            .set((
                webhook_deliveries::delivered_at.eq(None::<NaiveDateTime>),
                webhook_deliveries::failed_at.eq(None::<NaiveDateTime>),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::attempts.eq(0),
            ))
            .execute(conn)?;
    Ok(changed == 1)
}

/// An endpoint's newest deliveries, newest first: its delivery log.
pub fn log_of(conn: &mut DbConnection, endpoint_id: i64, limit: i64) -> QueryResult<Vec<Delivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_thirty_seconds_to_six_hours() {
        let seconds: Vec<i64> = (1..=12).map(|n| retry_delay(n).num_seconds()).collect();
        assert_eq!(seconds, [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600]);
        assert_eq!(retry_delay(0).num_seconds(), 30);
    }
}
