//! The change feed's consumers, one module each.

pub mod badges;
pub mod deadlines;
pub mod mail;
pub mod mentions;
pub mod notifications;
pub mod page_notices;
pub mod reputation;
pub mod search;
pub mod suggested_edits;
pub mod topics;
pub mod webhooks;

use std::sync::Arc;

use super::Consumer;
use crate::mail::Outbox;
use crate::site_settings::LiveSettings;

/// The consumers every process that writes needs, the CLI included (`settings` gives the
/// response promises their target): the search queue, the watchers' notifications, the webhook
/// deliveries and the badge checks are durable rows that other nodes and the workers read, and
/// waking the mail worker is harmless where none runs. Page notices tell the nodes' page caches
/// what changed, signed with `origin` (random per process) so a node skips its own. A node adds
/// its own indexer's waker ([`search::WakeIndexer`]) once the indexer is started, and its webhook
/// worker's ([`webhooks::WakeWebhookWorker`]) once that runs.
pub fn standard(outbox: &Outbox, settings: &Arc<LiveSettings>, origin: u64) -> Vec<Arc<dyn Consumer>> {
    vec![
        // First: it links mentions in bodies just written, which later consumers may read.
        Arc::new(mentions::TellMentioned::new(outbox.clone())),
        Arc::new(search::SearchQueue),
        Arc::new(notifications::TellWatchers::new(outbox.clone())),
        Arc::new(topics::TopicOwners::new(outbox.clone())),
        Arc::new(suggested_edits::TellSuggesters::new(outbox.clone())),
        Arc::new(deadlines::Deadlines::new(Arc::clone(settings))),
        Arc::new(reputation::ReputationLedger::new(Arc::clone(settings))),
        Arc::new(mail::WakeMailWorker::new(outbox.clone())),
        Arc::new(webhooks::WebhookOutbox::new(outbox.base_url())),
        Arc::new(badges::BadgeChecks),
        Arc::new(page_notices::AnnouncePages::new(origin)),
    ]
}
