//! One scrape: the figures read at scrape time, set on gauges of a registry made for this scrape
//! alone, written out after the counters [`super::Metrics`] keeps, in the format asked for.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::{prometheus_text, text, EncodeLabelSet};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use super::process::ProcessMemory;
use super::Metrics;

/// How the scrape is written: the classic Prometheus text format, or OpenMetrics for a scraper
/// that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Prometheus text format 0.0.4, which every scraper reads.
    Prometheus,
    /// OpenMetrics 1.0 text, which Prometheus prefers when it may choose.
    OpenMetrics,
}

impl Format {
    /// The format a request's `Accept` header asks for; Prometheus text unless it names
    /// OpenMetrics.
    pub fn from_accept(accept: Option<&str>) -> Self {
        match accept {
            Some(accept) if accept.contains("application/openmetrics-text") => Self::OpenMetrics,
            _ => Self::Prometheus,
        }
    }

    /// The response's `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Prometheus => prometheus_text::CONTENT_TYPE,
            Self::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The connection pool's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections lent out right now.
    pub in_use: u32,
    /// Open connections waiting in the pool.
    pub idle: u32,
    /// The most the pool opens (`GUIDEPOST_DB_POOL_SIZE`).
    pub max: u32,
}

/// How far this node's search index is behind the change feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexLag {
    /// The newest `search_changes` id in the database (0 when there is none).
    pub newest_change: i64,
    /// The change id this node's index has applied everything up to.
    pub cursor: i64,
    /// How long the oldest change past the cursor has waited; `None` when there is none.
    pub oldest_waiting: Option<Duration>,
}

/// The mail outbox, as the database holds it for every node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxDepth {
    /// Messages not sent yet and still to be tried.
    pub unsent: i64,
    /// Of those, the ones whose last attempt failed (waiting for their retry).
    pub retrying: i64,
    /// Messages given up after their last attempt.
    pub failed: i64,
}

/// The figures read at scrape time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// The connection pool.
    pub pool: PoolUse,
    /// The database's figures, or `None` when the database did not answer.
    pub database: Option<(IndexLag, OutboxDepth)>,
    /// The process's memory, where the system reports it.
    pub memory: Option<ProcessMemory>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

/// Registers a gauge set to `value`.
fn gauge(registry: &mut Registry, name: &str, help: &str, unit: Option<Unit>, value: i64) {
    let gauge = Gauge::<i64>::default();
    gauge.set(value);
    match unit {
        Some(unit) => registry.register_with_unit(name, help, unit, gauge),
        None => registry.register(name, help, gauge),
    }
}

fn whole(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

impl Sample {
    /// The registry holding this sample's gauges.
    fn registry(&self) -> Registry {
        let mut registry = Registry::default();
        let pool = Family::<StateLabel, Gauge>::default();
        pool.get_or_create(&StateLabel { state: "in_use" }).set(i64::from(self.pool.in_use));
        pool.get_or_create(&StateLabel { state: "idle" }).set(i64::from(self.pool.idle));
        registry.register("guidepost_db_pool_connections", "Database connections of this node, by state", pool);
        let max = i64::from(self.pool.max);
        gauge(&mut registry, "guidepost_db_pool_max_connections", "The most connections the pool opens", None, max);
        let up = i64::from(self.database.is_some());
        gauge(&mut registry, "guidepost_database_up", "Whether the database answered this scrape's queries", None, up);
        if let Some((lag, outbox)) = &self.database {
            lag.register(&mut registry);
            outbox.register(&mut registry);
        }
        if let Some(memory) = &self.memory {
            let bytes = Some(Unit::Bytes);
            let (rss, peak, size) = (whole(memory.resident), whole(memory.resident_peak), whole(memory.virtual_size));
            gauge(&mut registry, "process_resident_memory", "Resident set size", bytes.clone(), rss);
            gauge(&mut registry, "process_resident_memory_max", "Highest resident set size", bytes.clone(), peak);
            gauge(&mut registry, "process_virtual_memory", "Virtual memory size", bytes, size);
        }
        registry
    }
}

impl IndexLag {
    fn register(&self, registry: &mut Registry) {
        let changes = (self.newest_change - self.cursor).max(0);
        gauge(
            registry,
            "guidepost_search_changes_newest_id",
            "The newest change in the search feed",
            None,
            self.newest_change,
        );
        gauge(
            registry,
            "guidepost_search_index_cursor",
            "The change this node's index is complete up to",
            None,
            self.cursor,
        );
        gauge(
            registry,
            "guidepost_search_index_lag_changes",
            "Change ids past this node's index cursor",
            None,
            changes,
        );
        let seconds = Gauge::<f64, AtomicU64>::default();
        seconds.set(self.oldest_waiting.map_or(0.0, |age| age.as_secs_f64()));
        registry.register_with_unit(
            "guidepost_search_index_lag",
            "How long the oldest change not yet in this node's index has waited",
            Unit::Seconds,
            seconds,
        );
    }
}

impl OutboxDepth {
    fn register(&self, registry: &mut Registry) {
        gauge(
            registry,
            "guidepost_mail_outbox_unsent",
            "Messages waiting to be sent (every node's)",
            None,
            self.unsent,
        );
        gauge(
            registry,
            "guidepost_mail_outbox_retrying",
            "Unsent messages whose last attempt failed",
            None,
            self.retrying,
        );
        gauge(
            registry,
            "guidepost_mail_outbox_failed",
            "Messages given up after their last attempt",
            None,
            self.failed,
        );
    }
}

impl Metrics {
    /// Writes every metric: the counters kept since start, then `sample`'s gauges.
    pub fn render(&self, sample: &Sample, format: Format) -> Result<String, std::fmt::Error> {
        let sampled = sample.registry();
        let mut out = String::with_capacity(16 * 1024);
        match format {
            Format::Prometheus => {
                prometheus_text::encode(&mut out, &self.registry)?;
                prometheus_text::encode(&mut out, &sampled)?;
            }
            Format::OpenMetrics => {
                text::encode_registry(&mut out, &self.registry)?;
                text::encode_registry(&mut out, &sampled)?;
                text::encode_eof(&mut out)?;
            }
        }
        Ok(out)
    }
}
