//! `guidepost serve`: migrate (unless told not to), then serve until SIGINT or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpServer};
use anyhow::Context as _;

use crate::changes::consumers::reputation::WakeReputationJob;
use crate::changes::consumers::webhooks::WakeWebhookWorker;
use crate::config::{Config, DatabaseUrl};
use crate::db::checkpointer::Checkpointer;
use crate::db::Checkpoints;
use crate::mail::{self, MailUrl, MailWorker};
use crate::secret::{self, KeySource};
use crate::services::reputation::queue::ReputationWorker;
use crate::state::AppState;
use crate::webhooks::overdue::ResponseTarget;
use crate::webhooks::{self, WebhookWorker};

/// How long in-flight requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Runs the web server.
pub async fn run(config: Config) -> anyhow::Result<()> {
    // Mail settings are checked before anything else, so a typo ends start-up at once.
    let mail_url = MailUrl::parse(&config.mail_url)?;
    let transport = mail_url.transport()?;
    let mail_from = mail::parse_sender(&config.mail_from)?;
    // SQLite's log is copied back by a thread of the server's own, not inside a writer's commit.
    let pool = super::open_database_with(&config, Checkpoints::Background)?;
    let checkpointer = match config.database_url {
        DatabaseUrl::Sqlite(_) => Some(Checkpointer::start(pool.clone()).context("starting the SQLite checkpointer")?),
        DatabaseUrl::Postgres(_) => None,
    };
    if config.auto_migrate {
        super::apply_migrations(&pool)?;
    }
    let (secret, source) = secret::resolve(&config)?;
    match &source {
        KeySource::Configured => {}
        KeySource::Stored(path) | KeySource::Generated(path) => tracing::warn!(
            path = %path.display(),
            generated = matches!(source, KeySource::Generated(_)),
            "using a secret key kept in the data folder; multi-node deployments must set \
             GUIDEPOST_SECRET_KEY to one value shared by every node"
        ),
    }
    let bind = config.bind;
    let base_url = config.base_url_str().to_owned();
    let backend = config.database_url.backend_name();
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let blocking_threads = blocking_threads_per_worker(config.db_pool_size, workers);
    let state = web::Data::new(AppState::new(config, pool.clone(), &secret)?);
    let wake = state.outbox.wake_signal();
    let webhook_state = state.clone();
    let outbox = state.outbox.clone();
    let server = HttpServer::new(move || crate::build_app(state.clone()))
        .workers(workers)
        .worker_max_blocking_threads(blocking_threads)
        // A page compressed as it is sent goes out in more than one write; without this, the
        // kernel held the last one until the client acknowledged the first, which a client
        // delays by 40 ms: every such page after the first on a kept-alive connection took 44 ms.
        .tcp_nodelay(true)
        .bind(bind)
        .with_context(|| format!("GUIDEPOST_BIND: cannot listen on {bind}"))?
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs());
    let mail_worker = MailWorker::start(pool.clone(), transport, mail_from, wake);
    tracing::info!(mail_url = %mail_url, "mail worker started");
    let webhooks = start_webhooks(&webhook_state, pool.clone());
    let targets = crate::services::response_targets::task::start(pool.clone(), outbox.clone());
    let badges = crate::services::badges::task::start(pool.clone());
    let reputation = start_reputation_job(&webhook_state, pool.clone())?;
    let serial_voting = crate::services::reputation::serial_voting::start(pool.clone());
    let gap_waits = crate::services::gap_waiters::start_expiry(pool.clone());
    let insights_mail = crate::services::insights::mail::start_weekly(
        pool.clone(),
        outbox.clone(),
        crate::web::insights_mail::key(&webhook_state),
    );
    let listening = crate::services::listening::poll::start(pool.clone(), webhook_state.feed_client.clone());
    let digests = crate::mail::digest::start(pool, outbox);
    let server = server.run();
    tracing::info!(%bind, %base_url, backend, "Guidepost is ready");
    // actix-server stops accepting on SIGINT/SIGTERM and lets in-flight requests finish.
    let served = server.await;
    digests.stop().await;
    listening.stop().await;
    gap_waits.stop().await;
    insights_mail.stop().await;
    drop(reputation);
    badges.stop().await;
    serial_voting.stop().await;
    targets.stop().await;
    webhooks.stop().await;
    mail_worker.stop().await;
    drop(checkpointer);
    served.context("the HTTP server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Starts the webhook worker, and has the change feed wake it when a write queued deliveries.
fn start_webhooks(state: &AppState, pool: crate::db::DbPool) -> WebhookWorker {
    let job = webhooks::Job {
        pool,
        client: webhooks::OutboundClient::for_webhooks(webhooks::Reach::of(&state.config)),
        outbox: state.outbox.clone(),
        site_name: state.config.site_name.clone(),
        target: ResponseTarget::hours(state.config.webhook_response_target_hours),
    };
    let worker = WebhookWorker::start(job);
    state.feed.subscribe(Arc::new(WakeWebhookWorker::new(worker.wake_signal())));
    tracing::info!(allow_private = state.config.webhook_allow_private, "webhook worker started");
    worker
}

/// Starts the job that applies votes' reputation, and has the change feed wake it after a vote.
fn start_reputation_job(state: &AppState, pool: crate::db::DbPool) -> anyhow::Result<ReputationWorker> {
    let worker =
        ReputationWorker::start(pool, Arc::clone(&state.site_settings)).context("starting the reputation job")?;
    state.feed.subscribe(Arc::new(WakeReputationJob::new(worker.bell())));
    Ok(worker)
}

/// Threads each worker may run database and search work on. actix allows 512 in all, and under
/// load every request waiting for a pooled connection held one: dozens of idle threads, each with
/// its own stack and caches. More threads than pooled connections cannot do more database work
/// at once, so the pool size, shared among the workers, is the cap (two a worker at least, so a
/// search or a password check never waits behind database work alone).
fn blocking_threads_per_worker(pool_size: u32, workers: usize) -> usize {
    usize::try_from(pool_size).unwrap_or(usize::MAX).div_ceil(workers.max(1)).max(2)
}
