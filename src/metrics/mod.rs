//! This node's measurements for Prometheus, kept and written out by `prometheus-client`.
//!
//! Two kinds live here. What happens in this process (requests, waits for a pooled connection,
//! page-cache hits and misses) is counted as it happens, on [`Metrics`]. What other nodes share
//! or only the database knows (the mail outbox, the search change feed) and what is a state
//! rather than an event (the pool's connections, the process's memory) is read when Prometheus
//! scrapes, handed in as a [`Sample`]: one query each, so every node reports the truth of the
//! shared database rather than its own share of it, and nothing is kept up to date between
//! scrapes that nobody reads.
//!
//! Requests are labelled by their route's pattern, never by the raw path, so the number of series
//! stays bounded whatever addresses visitors type. This module reads no request and no database;
//! the web layer records into it and the scrape handler gathers the sample.

mod labels;
pub mod process;
mod scrape;

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

use labels::{RequestLabels, RouteLabels};

pub use labels::MethodLabel;

pub use scrape::{Format, IndexLag, OutboxDepth, PoolUse, Sample};

/// The route label of a request that no route matched.
pub const UNMATCHED: &str = "unmatched";

/// The pattern of the route a response came from, set in the response's extensions by whoever
/// knows it without asking the router again (the page cache, for a page served from its copy).
#[derive(Debug, Clone)]
pub struct RoutePattern(pub Arc<str>);

/// Upper bounds, in seconds, of the request-latency buckets: from a page-cache hit (well under a
/// millisecond) to a request that waited for the whole connection checkout timeout.
const REQUEST_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Upper bounds, in seconds, of the connection-wait buckets: a free connection is handed out in
/// microseconds; anything in the upper buckets means the pool is too small for the load.
const POOL_WAIT_BUCKETS: [f64; 12] = [0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0];

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// What this node counts as it runs, and the registry that writes it out.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: HistogramFamily,
    pool_wait: Histogram,
    pool_timeouts: Counter,
    page_cache_hits: Counter,
    page_cache_misses: Counter,
    unmatched: Arc<str>,
}

/// Records how long one request waited for a pooled connection; cheap to clone into the
/// blocking task that waits.
#[derive(Debug, Clone)]
pub struct PoolWaitRecorder {
    wait: Histogram,
    timeouts: Counter,
}

impl PoolWaitRecorder {
    /// A connection was handed out after `waited`.
    pub fn checked_out(&self, waited: Duration) {
        self.wait.observe(waited.as_secs_f64());
    }

    /// No connection came before the pool's checkout timeout.
    pub fn timed_out(&self, waited: Duration) {
        self.wait.observe(waited.as_secs_f64());
        self.timeouts.inc();
    }
}

impl Metrics {
    /// The metrics of a node running this build against `backend` (`sqlite` or `postgres`).
    pub fn new(backend: &str) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "guidepost_http_requests",
            "HTTP requests answered, by method, route pattern and status",
            requests.clone(),
        );
        let durations: HistogramFamily = Family::new_with_constructor(|| Histogram::new(REQUEST_BUCKETS));
        registry.register_with_unit(
            "guidepost_http_request_duration",
            "Time from a request's arrival to its response head, by method and route pattern",
            Unit::Seconds,
            durations.clone(),
        );
        let pool_wait = Histogram::new(POOL_WAIT_BUCKETS);
        registry.register_with_unit(
            "guidepost_db_pool_wait",
            "Time requests waited for a pooled database connection",
            Unit::Seconds,
            pool_wait.clone(),
        );
        let pool_timeouts = Counter::default();
        registry.register(
            "guidepost_db_pool_timeouts",
            "Requests that got no pooled database connection in time (answered 503)",
            pool_timeouts.clone(),
        );
        let page_cache_hits = Counter::default();
        registry.register(
            "guidepost_page_cache_hits",
            "Anonymous page requests answered from this node's copy",
            page_cache_hits.clone(),
        );
        let page_cache_misses = Counter::default();
        registry.register(
            "guidepost_page_cache_misses",
            "Anonymous pages rendered because this node had no fresh copy",
            page_cache_misses.clone(),
        );
        registry.register(
            "guidepost_build",
            "The running build: version and database backend",
            Info::new(vec![
                ("version".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
                ("backend".to_owned(), backend.to_owned()),
            ]),
        );
        Self {
            registry,
            requests,
            durations,
            pool_wait,
            pool_timeouts,
            page_cache_hits,
            page_cache_misses,
            unmatched: Arc::from(UNMATCHED),
        }
    }

    /// Counts one answered request and its latency. `route` is the pattern of the route that
    /// answered (`/questions/{id}/{slug}`), or `None` when none matched.
    pub fn record_request(&self, method: MethodLabel, route: Option<Arc<str>>, status: StatusCode, elapsed: Duration) {
        let route = route.unwrap_or_else(|| Arc::clone(&self.unmatched));
        let status = status.as_u16();
        // Once a series exists (nearly always) this is a read lock and a hash per family.
        self.requests.get_or_create(&RequestLabels { method, route: Arc::clone(&route), status }).inc();
        self.durations.get_or_create(&RouteLabels { method, route }).observe(elapsed.as_secs_f64());
    }

    /// The recorder of waits for pooled connections.
    pub fn pool_wait(&self) -> PoolWaitRecorder {
        PoolWaitRecorder { wait: self.pool_wait.clone(), timeouts: self.pool_timeouts.clone() }
    }

    /// An anonymous page was answered from this node's copy.
    pub fn page_cache_hit(&self) {
        self.page_cache_hits.inc();
    }

    /// An anonymous page that may be kept was rendered because no fresh copy was at hand.
    pub fn page_cache_miss(&self) {
        self.page_cache_misses.inc();
    }
}
