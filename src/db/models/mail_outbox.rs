//! The `mail_outbox` table: mail waiting to be sent, and the worker's bookkeeping for it —
//! claiming due rows so no two workers send the same one, recording success, and retrying
//! failures with backoff until it gives up. Sending itself belongs to `crate::mail`.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::mail_outbox;
use crate::db::DbConnection;

/// A message to queue.
#[derive(Debug, Insertable)]
#[diesel(table_name = mail_outbox)]
pub struct NewMail<'a> {
    /// The recipient's address.
    pub to_address: &'a str,
    /// The subject line.
    pub subject: &'a str,
    /// The plain-text part.
    pub text_body: &'a str,
    /// The HTML part.
    pub html_body: &'a str,
    /// When it was queued.
    pub created_at: NaiveDateTime,
    /// When the worker should first try it (normally at once).
    pub next_attempt_at: NaiveDateTime,
}

/// Queues a message; call inside the transaction of the change that causes it.
pub fn insert(conn: &mut DbConnection, mail: &NewMail<'_>) -> QueryResult<i64> {
    diesel::insert_into(mail_outbox::table).values(mail).returning(mail_outbox::id).get_result(conn)
}

/// Queues a message with extra headers (a JSON object of name -> value), like [`insert`].
pub fn insert_with_headers(conn: &mut DbConnection, mail: &NewMail<'_>, headers: &str) -> QueryResult<i64> {
    diesel::insert_into(mail_outbox::table)
        .values((mail, mail_outbox::headers.eq(headers)))
        .returning(mail_outbox::id)
        .get_result(conn)
}

/// A row of the outbox, as the worker and reports read it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxMail {
    /// Row id.
    pub id: i64,
    /// The recipient's address.
    pub to_address: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text_body: String,
    /// The HTML part.
    pub html_body: String,
    /// When it was queued.
    pub created_at: NaiveDateTime,
    /// Delivery attempts so far, failed or not.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: NaiveDateTime,
    /// A worker owns the row until then.
    pub claimed_until: Option<NaiveDateTime>,
    /// When it was sent.
    pub sent_at: Option<NaiveDateTime>,
    /// When the worker gave up.
    pub failed_at: Option<NaiveDateTime>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Extra headers as a JSON object of name -> value (List-Unsubscribe...).
    pub headers: Option<String>,
}

/// After this many failed attempts a message is marked failed and never tried again.
pub const MAX_ATTEMPTS: i32 = 10;
/// The wait after the first failure; it doubles with each further failure ...
const FIRST_RETRY_DELAY: Duration = Duration::minutes(1);
/// ... up to this.
const LONGEST_RETRY_DELAY: Duration = Duration::hours(6);
/// Error texts are cut to this many characters; a server's whole reply helps nobody.
const MAX_ERROR_CHARS: usize = 1_000;

/// How long to wait after the `attempts`-th failed attempt: 1 min, 2, 4, ... capped at 6 h.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    (FIRST_RETRY_DELAY * 2_i32.pow(doublings)).min(LONGEST_RETRY_DELAY)
}

/// Unsent, not given up, due by `now`, and not owned by a live claim.
#[diesel::dsl::auto_type(no_type_alias)]
fn due(now: NaiveDateTime) -> _ {
    mail_outbox::sent_at
        .is_null()
        .and(mail_outbox::failed_at.is_null())
        .and(mail_outbox::next_attempt_at.le(now))
        .and(mail_outbox::claimed_until.is_null().or(mail_outbox::claimed_until.lt(now)))
}

/// Claims up to `limit` due messages, oldest first, for `lease`: until it ends no other worker
/// (on this node or another) claims them, and a crashed worker's claim simply runs out.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
    lease: Duration,
) -> QueryResult<Vec<OutboxMail>> {
    let until = now + lease;
    let ids: Vec<i64> = match conn {
        // Several nodes may claim at once: SKIP LOCKED lets each take rows the others have not
        // locked, instead of waiting for them and then sending the same rows again.
        DbConnection::Postgresql(pg) => pg.transaction(|pg| {
            let ids: Vec<i64> = mail_outbox::table
                .filter(due(now))
                .order((mail_outbox::next_attempt_at, mail_outbox::id))
                .limit(limit)
                .select(mail_outbox::id)
                .for_update()
                .skip_locked()
                .load(pg)?;
            diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
                .set(mail_outbox::claimed_until.eq(until))
                .execute(pg)?;
            Ok::<_, diesel::result::Error>(ids)
        })?,
        // SQLite has no row locks but runs one writer at a time, so one UPDATE that picks and
        // stamps the rows is atomic against every other claimer.
        DbConnection::Sqlite(lite) => {
            // diesel will not UPDATE a table filtered by a subquery on that same table, so the
            // subquery reads it under another name; the conditions are those of `due`.
            let due_mail = diesel::alias!(mail_outbox as due_mail);
            let picked = due_mail
                .filter(due_mail.field(mail_outbox::sent_at).is_null())
                .filter(due_mail.field(mail_outbox::failed_at).is_null())
                .filter(due_mail.field(mail_outbox::next_attempt_at).le(now))
                .filter(
                    due_mail
                        .field(mail_outbox::claimed_until)
                        .is_null()
                        .or(due_mail.field(mail_outbox::claimed_until).lt(now)),
                )
                .order((due_mail.field(mail_outbox::next_attempt_at), due_mail.field(mail_outbox::id)))
                .limit(limit)
                .select(due_mail.field(mail_outbox::id));
            diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(picked)))
                .set(mail_outbox::claimed_until.eq(until))
                .returning(mail_outbox::id)
                .get_results(lite)?
        }
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    mail_outbox::table
        .filter(mail_outbox::id.eq_any(&ids))
        .order((mail_outbox::next_attempt_at, mail_outbox::id))
        .select(OutboxMail::as_select())
        .load(conn)
}

/// Records that a claimed message was sent, and releases the claim.
pub fn mark_sent(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(mail_outbox::table.filter(mail_outbox::id.eq(id)).filter(mail_outbox::sent_at.is_null()))
        .set((
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::sent_at.eq(now),
            mail_outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

/// What became of a message whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// It will be tried again at this time.
    RetryAt(NaiveDateTime),
    /// It will never be tried again.
    GaveUp,
}

/// Records a failed attempt of a claimed message: schedules the next one with backoff, or gives
/// up after [`MAX_ATTEMPTS`] (or at once when `permanent`), keeping the error either way.
pub fn record_failure(
    conn: &mut DbConnection,
    mail: &OutboxMail,
    error: &str,
    now: NaiveDateTime,
    permanent: bool,
) -> QueryResult<FailureOutcome> {
    let attempts = mail.attempts.saturating_add(1);
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let outcome = if permanent || attempts >= MAX_ATTEMPTS {
        FailureOutcome::GaveUp
    } else {
        FailureOutcome::RetryAt(now + retry_delay(attempts))
    };
    let (next_attempt_at, failed_at) = match outcome {
        FailureOutcome::RetryAt(at) => (at, None),
        FailureOutcome::GaveUp => (mail.next_attempt_at, Some(now)),
    };
    diesel::update(mail_outbox::table.filter(mail_outbox::id.eq(mail.id)))
        .set((
            mail_outbox::attempts.eq(attempts),
            mail_outbox::last_error.eq(error),
            mail_outbox::next_attempt_at.eq(next_attempt_at),
            mail_outbox::failed_at.eq(failed_at),
            mail_outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(outcome)
}

/// How much mail is waiting and how much was given up, for logs and the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Not sent yet and still being tried.
    pub pending: i64,
    /// Given up after the last attempt.
    pub failed: i64,
}

/// Counts pending and failed messages.
pub fn counts(conn: &mut DbConnection) -> QueryResult<OutboxCounts> {
    let pending = mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::failed_at.is_null())
        .count()
        .get_result(conn)?;
    let failed = mail_outbox::table.filter(mail_outbox::failed_at.is_not_null()).count().get_result(conn)?;
    Ok(OutboxCounts { pending, failed })
}

/// Unsent messages whose last attempt failed and that wait for their retry (through the partial
/// index of unsent mail, as the pending count does).
pub fn retrying(conn: &mut DbConnection) -> QueryResult<i64> {
    mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::failed_at.is_null())
        .filter(mail_outbox::attempts.gt(0))
        .count()
        .get_result(conn)
}

/// One message by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<OutboxMail> {
    mail_outbox::table.find(id).select(OutboxMail::as_select()).first(conn)
}

/// The `limit` most recently queued messages, newest first.
pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<OutboxMail>> {
    mail_outbox::table.order(mail_outbox::id.desc()).limit(limit).select(OutboxMail::as_select()).load(conn)
}

/// Gives up this worker's claim on unsent messages, so another run may take them at once.
pub fn release(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<()> {
    diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(ids)).filter(mail_outbox::sent_at.is_null()))
        .set(mail_outbox::claimed_until.eq(None::<NaiveDateTime>))
        .execute(conn)
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_six_hours() {
        let minutes: Vec<i64> = (1..=12).map(|n| retry_delay(n).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360]);
        assert_eq!(retry_delay(i32::MAX).num_minutes(), 360);
        assert_eq!(retry_delay(0).num_minutes(), 1);
    }
}
