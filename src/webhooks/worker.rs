//! The webhook worker: claims due deliveries, signs and posts each to its endpoint through the
//! [`OutboundClient`], and records the outcome: a 2xx answer delivers it; anything else retries
//! with backoff until it gives up, and a run of failed attempts switches the endpoint off and
//! tells the admins by mail. Plus [`WebhookWorker`], which does that in the background (woken by
//! the change feed and polling for other nodes' rows), and sweeps for overdue questions.
//!
//! Delivery is at least once: a delivery whose success could not be recorded is sent again when
//! its claim runs out, with the same `webhook-id`, so receivers can drop the repeat. Secrets and
//! payloads are never logged.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::NaiveDateTime;
use tokio::sync::{watch, Notify};

use super::notice;
use super::outbound::OutboundClient;
use super::overdue::{self, ResponseTarget};
use super::{chat, signing};
use crate::db::models::webhooks::deliveries::{self, Attempt, Delivery, FailureOutcome};
use crate::db::models::webhooks::endpoints::{self, Endpoint};
use crate::db::{write_transaction, DbConnection, DbPool};
use crate::domain::WebhookFormat;
use crate::mail::Outbox;

/// Deliveries claimed at a time: few, so a batch of slow receivers stays within the lease.
const BATCH_SIZE: i64 = 3;
/// How long a claim keeps other workers away: longer than a batch can take when every request
/// waits out its timeout (3 x 10 s), and short, because a node killed in the middle of an
/// attempt leaves its claim behind and its delivery waits this long for another run.
const CLAIM_LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// How often the worker looks for deliveries it was not woken for, and for overdue questions.
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);
/// Failed attempts in a row after which an endpoint is switched off.
pub const DISABLE_AFTER_FAILURES: i32 = 10;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Deliveries a receiver took (2xx).
    pub delivered: usize,
    /// Deliveries that failed and will be tried again.
    pub retrying: usize,
    /// Deliveries given up for good.
    pub gave_up: usize,
    /// Endpoints switched off by this run.
    pub disabled: usize,
}

impl Report {
    /// True when the run found nothing to do.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// What a run needs: where to read, how to post, and whom to tell.
#[derive(Clone)]
pub struct Job {
    /// The database.
    pub pool: DbPool,
    /// The safe HTTP client.
    pub client: OutboundClient,
    /// Queues the admins' notice when an endpoint is switched off.
    pub outbox: Outbox,
    /// The site's name, for chat messages.
    pub site_name: String,
    /// When an unanswered question becomes overdue.
    pub target: ResponseTarget,
}

/// Sends every delivery due at `now`, batch by batch, until none is left. Failures are recorded
/// on their rows; an `Err` means the database failed.
pub fn deliver_due(job: &Job, now: NaiveDateTime) -> anyhow::Result<Report> {
    deliver(job, &|| now, &|| false)
}

fn deliver(job: &Job, clock: &dyn Fn() -> NaiveDateTime, stopping: &dyn Fn() -> bool) -> anyhow::Result<Report> {
    let mut conn = job.pool.get().context("webhook worker: no database connection")?;
    let mut report = Report::default();
    while !stopping() {
        // In a write transaction, so on SQLite the claim waits its turn among this process's writers.
        let claim = |c: &mut DbConnection| deliveries::claim_due(c, clock(), BATCH_SIZE, CLAIM_LEASE);
        let batch = write_transaction(&mut conn, claim).context("claiming due webhook deliveries")?;
        if batch.is_empty() {
            break;
        }
        for (index, delivery) in batch.iter().enumerate() {
            let endpoint = endpoints::find(&mut conn, delivery.endpoint_id).context("reading a webhook endpoint")?;
            // Switched off (by an admin, or by another node's run) since the claim.
            let endpoint = endpoint.filter(|e| e.disabled_at.is_none());
            let Some(endpoint) = endpoint.filter(|_| !stopping()) else {
                let rest: Vec<i64> = batch[index..].iter().map(|d| d.id).collect();
                deliveries::release(&mut conn, &rest).context("releasing claimed deliveries")?;
                break;
            };
            let attempt = attempt(job, &endpoint, delivery, clock());
            let now = clock();
            if attempt.error.is_none() {
                deliveries::mark_delivered(&mut conn, delivery, &attempt, now).context("recording a delivery")?;
                endpoints::record_success(&mut conn, endpoint.id).context("recording a delivery")?;
                tracing::debug!(delivery = delivery.id, endpoint = endpoint.id, "webhook delivered");
                report.delivered += 1;
                continue;
            }
            let error = attempt.error.clone().unwrap_or_default();
            match deliveries::record_failure(&mut conn, delivery, &attempt, now)
                .context("recording a failed delivery")?
            {
                FailureOutcome::RetryAt(at) => {
                    tracing::warn!(delivery = delivery.id, endpoint = endpoint.id, retry_at = %at, %error, "webhook not delivered; will retry");
                    report.retrying += 1;
                }
                FailureOutcome::GaveUp => {
                    tracing::error!(delivery = delivery.id, endpoint = endpoint.id, %error, "webhook not delivered; gave up");
                    report.gave_up += 1;
                }
            }
            let failures = endpoints::record_failure(&mut conn, endpoint.id).context("counting endpoint failures")?;
            // `None`: deleted meanwhile, with its deliveries; nothing is left to switch off.
            let failures = failures.unwrap_or(0);
            if failures >= DISABLE_AFTER_FAILURES
                && notice::disable_after_failures(&mut conn, &job.outbox, &endpoint, failures, &error, now)
                    .context("switching off a failing endpoint")?
            {
                tracing::error!(endpoint = endpoint.id, failures, "webhook endpoint switched off after failures");
                report.disabled += 1;
            }
        }
    }
    Ok(report)
}

/// One signed POST of a delivery to its endpoint.
fn attempt(job: &Job, endpoint: &Endpoint, delivery: &Delivery, now: NaiveDateTime) -> Attempt {
    let body = match endpoint.format {
        WebhookFormat::Standard => Some(delivery.payload.clone()),
        WebhookFormat::Chat => chat::body(&job.site_name, &delivery.payload),
    };
    let Some(body) = body else {
        return Attempt { error: Some("the stored payload is not an event".to_owned()), ..Attempt::default() };
    };
    let timestamp = now.and_utc().timestamp();
    let signature = match signing::signature(&endpoint.secret, &delivery.message_id, timestamp, body.as_bytes()) {
        Ok(signature) => signature,
        Err(e) => return Attempt { error: Some(e.to_string()), ..Attempt::default() },
    };
    let headers = [
        ("webhook-id", delivery.message_id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ];
    match job.client.post_json(&endpoint.url, &headers, body.as_bytes()) {
        Ok(answer) if (200..300).contains(&answer.status) => {
            Attempt { status: Some(answer.status), error: None, excerpt: Some(answer.body) }
        }
        Ok(answer) => Attempt {
            status: Some(answer.status),
            error: Some(format!("the receiver answered {}", answer.status)),
            excerpt: Some(answer.body),
        },
        Err(e) => Attempt { status: None, error: Some(e.to_string()), excerpt: None },
    }
}

/// The background worker: runs at start, when woken, and every [`POLL_INTERVAL`].
pub struct WebhookWorker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    wake: Arc<Notify>,
}

impl WebhookWorker {
    /// Starts the worker on the current tokio runtime.
    pub fn start(job: Job) -> Self {
        let (stop, stopped) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let task = tokio::spawn(run(Arc::new(job), Arc::clone(&wake), stopped));
        Self { stop, task, wake }
    }

    /// What the change feed notifies when it queued deliveries
    /// ([`crate::changes::consumers::webhooks::WakeWebhookWorker`]).
    pub fn wake_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Stops the worker, letting a request already under way finish.
    pub async fn stop(self) {
        // Fails only when the task already ended, which is what we want anyway.
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the webhook worker ended abnormally");
        }
    }
}

async fn run(job: Arc<Job>, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        let (job_ref, flag) = (Arc::clone(&job), stopped.clone());
        // HTTP and the database are blocking: keep both off the async threads.
        let run = tokio::task::spawn_blocking(move || {
            let now = chrono::Utc::now().naive_utc();
            let swept = overdue::sweep(&job_ref.pool, job_ref.outbox.base_url(), job_ref.target, now);
            let report = deliver(&job_ref, &|| chrono::Utc::now().naive_utc(), &|| *flag.borrow());
            (swept, report)
        });
        match run.await {
            Ok((swept, report)) => {
                match swept {
                    Ok(0) => {}
                    Ok(found) => tracing::info!(found, "overdue questions announced"),
                    Err(e) => tracing::warn!(error = format!("{e:#}"), "overdue sweep interrupted; will try again"),
                }
                match report {
                    Ok(report) if report.is_empty() => {}
                    Ok(report) => tracing::info!(
                        delivered = report.delivered,
                        retrying = report.retrying,
                        gave_up = report.gave_up,
                        disabled = report.disabled,
                        "webhook delivery run"
                    ),
                    Err(e) => tracing::warn!(error = format!("{e:#}"), "webhook delivery interrupted; will try again"),
                }
            }
            Err(e) => tracing::error!(error = %e, "webhook delivery crashed; will try again"),
        }
        tokio::select! {
            _ = stopped.changed() => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
    tracing::info!("webhook worker stopped");
}
