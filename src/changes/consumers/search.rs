//! The search index hears of changes through the durable `search_changes` queue that every node's
//! indexer tails; this node's indexer is also woken at once.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer};
use crate::db::models::search_changes;
use crate::db::DbConnection;
use crate::search::signal::Bell;
use crate::services::ServiceResult;

/// Queues each question whose search document a change may alter, once per transaction.
#[derive(Debug, Clone, Copy)]
pub struct SearchQueue;

impl Consumer for SearchQueue {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        let questions: BTreeSet<i64> = changes.iter().flat_map(Change::searched_questions).collect();
        for question in questions {
            search_changes::record(conn, question, now)?;
        }
        Ok(())
    }
}

/// Wakes this node's indexer after a commit that queued something for it.
#[derive(Debug)]
pub struct WakeIndexer {
    bell: Arc<Bell>,
}

impl WakeIndexer {
    /// Rings `bell`, the one the indexer waits on.
    pub fn new(bell: Arc<Bell>) -> Self {
        Self { bell }
    }
}

impl Consumer for WakeIndexer {
    fn committed(&self, changes: &[Change]) {
        if changes.iter().any(|change| change.searched_questions().next().is_some()) {
            self.bell.ring();
        }
    }
}
