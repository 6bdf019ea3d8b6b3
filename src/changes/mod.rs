//! The change feed: how "something changed" travels from a write use case to everything that
//! must react, through one mechanism that the application state owns.
//!
//! A write use case runs in [`ChangeFeed::write`] and states what it changed as [`Change`]s. Each
//! [`Consumer`] then gets the changes twice: inside the same transaction (to write its own durable
//! rows, such as the search queue or watchers' notifications, which commit or vanish with the
//! change), and after the commit (to wake whoever should look now). A rolled-back transaction
//! reaches no consumer. Other nodes learn of changes from the durable rows, as before.

mod change;
pub mod consumers;
mod reach;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::NaiveDateTime;

pub use change::{AccountChange, Change, ModerationAction};
pub use reach::PublicPages;

use crate::db::DbConnection;
use crate::services::{ServiceError, ServiceResult};

/// Something that reacts to committed changes. Adding one is one module and one line in
/// [`consumers::standard`].
pub trait Consumer: Send + Sync {
    /// Inside the writer's transaction, just before it commits: durable effects (rows) that must
    /// commit or roll back with the change. Runs on every node and in the CLI.
    fn record(&self, _conn: &mut DbConnection, _changes: &[Change], _now: NaiveDateTime) -> ServiceResult<()> {
        Ok(())
    }

    /// After the commit: wake-ups and in-memory effects of this process. Must not block.
    fn committed(&self, _changes: &[Change]) {}
}

/// The changes one write transaction states, in the order it stated them.
#[derive(Debug, Default)]
pub struct Changes {
    list: Vec<Change>,
}

impl Changes {
    /// States one change; consumers hear it only if the transaction commits.
    pub fn push(&mut self, change: Change) {
        self.list.push(change);
    }

    /// The changes stated so far.
    pub fn as_slice(&self) -> &[Change] {
        &self.list
    }
}

/// The one route from write use cases to their consumers.
pub struct ChangeFeed {
    consumers: RwLock<Vec<Arc<dyn Consumer>>>,
    /// Write transactions committed through this feed; see [`ChangeFeed::generation`].
    generation: AtomicU64,
}

impl std::fmt::Debug for ChangeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeFeed").field("generation", &self.generation).finish_non_exhaustive()
    }
}

impl ChangeFeed {
    /// A feed with these consumers; see [`consumers::standard`] for the ones every process needs.
    pub fn new(consumers: Vec<Arc<dyn Consumer>>) -> Self {
        Self { consumers: RwLock::new(consumers), generation: AtomicU64::new(0) }
    }

    /// Adds a consumer, e.g. a process-local waker that exists only once the feed does.
    pub fn subscribe(&self, consumer: Arc<dyn Consumer>) {
        self.consumers.write().unwrap_or_else(PoisonError::into_inner).push(consumer);
    }

    /// A number that grows whenever a write through this feed commits: whatever was read or
    /// rendered under an older number may be out of date (the page and result caches key on it).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Runs `work` in a write transaction (see [`crate::db::write_transaction`]) and hands what it
    /// stated to every consumer: in the transaction, then after the commit. On `Err`, or if the
    /// commit fails, nothing is written and no consumer hears anything.
    ///
    /// Refuses to run inside another transaction, whose fate its consumers could not know: a use
    /// case that builds on another passes its [`Changes`] down instead.
    pub fn write<T, F>(&self, conn: &mut DbConnection, now: NaiveDateTime, work: F) -> ServiceResult<T>
    where
        F: FnOnce(&mut DbConnection, &mut Changes) -> ServiceResult<T>,
    {
        if in_transaction(conn) {
            // Its changes would be announced before the outer transaction commits (or even if it
            // rolls back): a use case that builds on another calls its `_within` variant instead.
            return Err(ServiceError::Internal("a change feed write nested in another transaction".to_owned()));
        }
        let consumers = self.consumers.read().unwrap_or_else(PoisonError::into_inner).clone();
        let (value, changes) = crate::db::write_transaction(conn, |conn| {
            let mut changes = Changes::default();
            let value = work(conn, &mut changes)?;
            for consumer in &consumers {
                consumer.record(conn, changes.as_slice(), now)?;
            }
            Ok::<_, ServiceError>((value, changes))
        })?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        for consumer in &consumers {
            consumer.committed(changes.as_slice());
        }
        Ok(value)
    }
}

/// Whether `conn` is inside a transaction already.
fn in_transaction(conn: &mut DbConnection) -> bool {
    type Manager = <DbConnection as diesel::Connection>::TransactionManager;
    <Manager as diesel::connection::TransactionManager<DbConnection>>::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_or(true, |depth| depth.is_some())
}
