//! Webhooks hear of changes through their durable delivery outbox: in the transaction of the
//! change, one `webhook_deliveries` row per (event, subscribed endpoint), so a delivery commits
//! or vanishes with its change and a crash can delay it but never lose it. This node's webhook
//! worker is woken after the commit ([`WakeWebhookWorker`], added once the worker runs).

use std::sync::Arc;

use chrono::NaiveDateTime;
use tokio::sync::Notify;

use crate::changes::{Change, Consumer};
use crate::db::models::webhooks::{announcements, endpoints};
use crate::db::DbConnection;
use crate::domain::WebhookEvent;
use crate::services::ServiceResult;
use crate::webhooks::payload::{self, Subject};

/// Queues the deliveries each change calls for.
#[derive(Debug, Clone)]
pub struct WebhookOutbox {
    base_url: String,
}

impl WebhookOutbox {
    /// Payloads link to pages under `base_url` (the site's public URL, without a trailing slash).
    pub fn new(base_url: &str) -> Self {
        Self { base_url: base_url.to_owned() }
    }
}

/// The webhook events a change is, if any (held posts are announced when a moderator lets them
/// through, never before).
fn events(change: &Change) -> Vec<(WebhookEvent, Subject)> {
    match *change {
        Change::QuestionAsked { question, author, held: false } => {
            vec![(WebhookEvent::QuestionAsked, Subject::question(question, Some(author)))]
        }
        // A held question that comes into view was approved (or restored: see `record`).
        Change::PostVisibilityChanged { question, post, visible: true } if question == post => {
            vec![(WebhookEvent::QuestionAsked, Subject::question(question, None))]
        }
        Change::AnswerPosted { question, answer, author, official, held: false } => {
            let mut events = vec![(WebhookEvent::AnswerPosted, Subject::answer(question, answer, author))];
            if official {
                events.push((WebhookEvent::AnswerOfficial, Subject::answer(question, answer, author)));
            }
            events
        }
        Change::HeldAnswerApproved { question, answer, author } => {
            vec![(WebhookEvent::AnswerPosted, Subject::answer(question, answer, author))]
        }
        Change::AnswerEndorsed { question, answer, by } => {
            vec![(WebhookEvent::AnswerOfficial, Subject::answer(question, answer, by))]
        }
        Change::AnswerAccepted { question, answer, by } => {
            vec![(WebhookEvent::AnswerAccepted, Subject::answer(question, answer, by))]
        }
        Change::QuestionClosed { question, duplicate_of, by } => {
            let subject = Subject { duplicate_of, ..Subject::question(question, Some(by)) };
            vec![(WebhookEvent::QuestionClosed, subject)]
        }
        Change::Flagged { question, by } => vec![(WebhookEvent::FlagRaised, Subject::question(question, Some(by)))],
        Change::QuestionAsked { held: true, .. }
        | Change::AnswerPosted { held: true, .. }
        | Change::PostVisibilityChanged { .. }
        | Change::AcceptanceWithdrawn { .. }
        | Change::OfficialWithdrawn { .. }
        | Change::OfficialReviewed { .. }
        | Change::VoteCast { .. }
        | Change::PostEdited { .. }
        | Change::SuggestedEditReviewed { .. }
        | Change::PostModerated { .. }
        | Change::QuestionReopened { .. }
        | Change::CommentPosted { .. }
        | Change::CommentModerated { .. }
        | Change::FlagsHandled { .. }
        | Change::SpammerRemoved { .. }
        | Change::AccountCreated { .. }
        | Change::AccountChanged { .. }
        | Change::AccountDeleted { .. }
        | Change::AskerRenamed { .. }
        | Change::WatchChanged { .. }
        | Change::QuestionAssigned { .. }
        | Change::TopicChanged { .. }
        | Change::MailQueued
        | Change::SiteSettingsChanged { .. } => Vec::new(),
    }
}

impl Consumer for WebhookOutbox {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        let events: Vec<(WebhookEvent, Subject)> = changes.iter().flat_map(events).collect();
        if events.is_empty() {
            return Ok(());
        }
        let subscribed = endpoints::enabled(conn)?;
        for (event, subject) in events {
            let wanted = subscribed.iter().any(|endpoint| endpoint.wants(event));
            if event == WebhookEvent::QuestionAsked {
                // Remembered whether or not anyone listens, so a question asked before an
                // endpoint existed is not announced when it is later hidden and restored.
                if announcements::exists(conn, subject.question, event)? {
                    continue;
                }
                let Some(announcement) = payload::data(conn, &self.base_url, &subject)? else { continue };
                announcements::insert(conn, subject.question, event, now)?;
                if wanted {
                    payload::enqueue(conn, &subscribed, event, &announcement, now)?;
                }
                continue;
            }
            if !wanted {
                continue;
            }
            if let Some(announcement) = payload::data(conn, &self.base_url, &subject)? {
                payload::enqueue(conn, &subscribed, event, &announcement, now)?;
            }
        }
        Ok(())
    }
}

/// Wakes this node's webhook worker after a commit that may have queued deliveries.
#[derive(Debug)]
pub struct WakeWebhookWorker {
    wake: Arc<Notify>,
}

impl WakeWebhookWorker {
    /// Notifies `wake`, the signal the worker waits on.
    pub fn new(wake: Arc<Notify>) -> Self {
        Self { wake }
    }
}

impl Consumer for WakeWebhookWorker {
    fn committed(&self, changes: &[Change]) {
        if changes.iter().any(|change| !events(change).is_empty()) {
            self.wake.notify_one();
        }
    }
}
