//! The mail worker: claims due `mail_outbox` rows, turns each into a multipart message, sends it
//! through the configured [`Transport`] and records the outcome; plus [`MailWorker`], which does
//! that in the background whenever the outbox is woken and every few seconds.
//!
//! Delivery is at least once: a message that was sent but whose success could not be recorded
//! (the database went away) is sent again when its claim runs out. Its `Message-ID` stays the
//! same, so mail systems can recognise the copy as a duplicate. Bodies, tokens and passwords are never logged;
//! recipients appear only as row ids (though a server's error text, which is logged, may quote one).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use chrono::NaiveDateTime;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use tokio::sync::{watch, Notify};

use super::transport::{parse_sender, Transport};
use crate::db::models::mail_outbox::{self, FailureOutcome, OutboxMail};
use crate::db::{write_transaction, DbConnection, DbPool};

/// Messages claimed at a time; small, so a slow server cannot outlast [`CLAIM_LEASE`].
const BATCH_SIZE: i64 = 10;
/// How long a claim keeps other workers away: far longer than a batch can take even when every
/// message waits out the SMTP timeout, so a live worker never loses its rows to another.
const CLAIM_LEASE: chrono::Duration = chrono::Duration::minutes(15);
/// How often the worker looks for mail it was not woken for (other nodes', retries that fell due).
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);

/// What one delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Messages sent.
    pub sent: usize,
    /// Messages that failed and will be tried again later.
    pub retrying: usize,
    /// Messages given up for good.
    pub gave_up: usize,
    /// The last failure's error text, if any.
    pub last_error: Option<String>,
}

impl Report {
    /// True when the run found nothing to do.
    pub fn is_empty(&self) -> bool {
        self.sent == 0 && self.retrying == 0 && self.gave_up == 0
    }
}

/// Sends every message due at `now`, batch by batch, until none is left; `from` is
/// `GUIDEPOST_MAIL_FROM`. Failures are recorded on their rows, not returned: an `Err` means the
/// database (or the sender setting) failed.
pub fn deliver_due(pool: &DbPool, transport: &Transport, from: &str, now: NaiveDateTime) -> anyhow::Result<Report> {
    let from = parse_sender(from)?;
    deliver(pool, transport, &from, &|| now, &|| false)
}

/// The delivery loop; `clock` gives the time for each batch, `stopping` is checked between messages.
fn deliver(
    pool: &DbPool,
    transport: &Transport,
    from: &Mailbox,
    clock: &dyn Fn() -> NaiveDateTime,
    stopping: &dyn Fn() -> bool,
) -> anyhow::Result<Report> {
    let mut conn = pool.get().context("mail worker: no database connection")?;
    let mut report = Report::default();
    while !stopping() {
        // In a write transaction, so on SQLite the claim waits its turn among this process's writers.
        let claim = |c: &mut DbConnection| mail_outbox::claim_due(c, clock(), BATCH_SIZE, CLAIM_LEASE);
        let batch = write_transaction(&mut conn, claim).context("claiming due mail")?;
        if batch.is_empty() {
            break;
        }
        for (index, mail) in batch.iter().enumerate() {
            if stopping() {
                // Hand the rest back now rather than leave them to wait out the lease.
                let rest: Vec<i64> = batch[index..].iter().map(|m| m.id).collect();
                mail_outbox::release(&mut conn, &rest).context("releasing claimed mail")?;
                break;
            }
            let (result, permanent) = match build_message(from, mail) {
                Ok(message) => (transport.send(&message), false),
                // A row that cannot become a message never will; retrying would not help.
                Err(e) => (Err(e), true),
            };
            let now = clock();
            match result {
                Ok(()) => {
                    mail_outbox::mark_sent(&mut conn, mail.id, now).context("recording sent mail")?;
                    tracing::debug!(id = mail.id, "mail sent");
                    report.sent += 1;
                }
                Err(error) => {
                    let outcome = mail_outbox::record_failure(&mut conn, mail, &error, now, permanent)
                        .context("recording a mail failure")?;
                    let attempts = mail.attempts + 1;
                    match outcome {
                        FailureOutcome::RetryAt(at) => {
                            tracing::warn!(id = mail.id, attempts, retry_at = %at, %error, "mail not sent; will retry");
                            report.retrying += 1;
                        }
                        FailureOutcome::GaveUp => {
                            tracing::error!(id = mail.id, attempts, %error, "mail not sent; gave up");
                            report.gave_up += 1;
                        }
                    }
                    report.last_error = Some(error);
                }
            }
        }
    }
    Ok(report)
}

/// Turns an outbox row into a multipart/alternative message (plain text, then HTML).
pub fn build_message(from: &Mailbox, mail: &OutboxMail) -> Result<Message, String> {
    let to: Mailbox = mail.to_address.parse().map_err(|e| format!("the recipient address is not valid: {e}"))?;
    // Stable across retries of the same row, so a message sent twice is recognisably one message.
    let message_id =
        format!("<outbox.{}.{}@{}>", mail.id, mail.created_at.and_utc().timestamp_micros(), from.email.domain());
    let mut builder = Message::builder();
    for (name, value) in extra_headers(mail)? {
        builder = builder.raw_header(HeaderValue::new(name, value));
    }
    builder
        .from(from.clone())
        .to(to)
        .subject(mail.subject.as_str())
        .date(SystemTime::now())
        .message_id(Some(message_id))
        .multipart(MultiPart::alternative_plain_html(mail.text_body.clone(), mail.html_body.clone()))
        .map_err(|e| format!("building the message: {e}"))
}

/// The row's extra headers (a JSON object of name -> text), checked to be header-safe.
fn extra_headers(mail: &OutboxMail) -> Result<Vec<(HeaderName, String)>, String> {
    let Some(json) = mail.headers.as_deref() else { return Ok(Vec::new()) };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|e| format!("the stored headers are not a JSON object: {e}"))?;
    map.into_iter()
        .map(|(name, value)| {
            let value = value.as_str().ok_or_else(|| format!("header {name} is not text"))?.to_owned();
            // A line break would let a value smuggle in headers of its own.
            if value.contains(['\r', '\n']) {
                return Err(format!("header {name} contains a line break"));
            }
            let name = HeaderName::new_from_ascii(name).map_err(|e| format!("bad header name: {e}"))?;
            Ok((name, value))
        })
        .collect()
}

/// What the background task needs for each run.
struct Job {
    pool: DbPool,
    transport: Transport,
    from: Mailbox,
}

/// The background sender: runs at start, when the outbox is woken, and every [`POLL_INTERVAL`].
pub struct MailWorker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl MailWorker {
    /// Starts the worker on the current tokio runtime; `wake` is [`super::Outbox::wake_signal`].
    pub fn start(pool: DbPool, transport: Transport, from: Mailbox, wake: Arc<Notify>) -> Self {
        let (stop, stopped) = watch::channel(false);
        let job = Arc::new(Job { pool, transport, from });
        let task = tokio::spawn(run(job, wake, stopped));
        Self { stop, task }
    }

    /// Stops the worker, letting a message already being handed to the server finish.
    pub async fn stop(self) {
        // Fails only when the task already ended, which is what we want anyway.
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the mail worker ended abnormally");
        }
    }
}

async fn run(job: Arc<Job>, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        let (job_ref, flag) = (Arc::clone(&job), stopped.clone());
        // SMTP is blocking, and so is the database: keep both off the async threads.
        let run = tokio::task::spawn_blocking(move || {
            deliver(&job_ref.pool, &job_ref.transport, &job_ref.from, &|| chrono::Utc::now().naive_utc(), &|| {
                *flag.borrow()
            })
        });
        match run.await {
            Ok(Ok(report)) if report.is_empty() => {}
            Ok(Ok(report)) => tracing::info!(
                sent = report.sent,
                retrying = report.retrying,
                gave_up = report.gave_up,
                "mail delivery run"
            ),
            Ok(Err(e)) => tracing::warn!(error = format!("{e:#}"), "mail delivery interrupted; will try again"),
            Err(e) => tracing::error!(error = %e, "mail delivery crashed; will try again"),
        }
        tokio::select! {
            _ = stopped.changed() => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
    tracing::info!("mail worker stopped");
}
