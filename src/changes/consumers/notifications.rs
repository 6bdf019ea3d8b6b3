//! Watchers are told of answers, official answers and acceptances, in the transaction of the
//! change itself, so the notification rows and queued mail commit (or vanish) with it.

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer};
use crate::db::DbConnection;
use crate::domain::NotificationEvent;
use crate::mail::Outbox;
use crate::services::notifications::{notify, Event};
use crate::services::ServiceResult;

/// Turns changes into watchers' notifications (and their mail).
#[derive(Clone)]
pub struct TellWatchers {
    outbox: Outbox,
}

impl TellWatchers {
    /// Queues mail through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

/// The notification a change calls for, if any.
fn event(change: &Change) -> Option<Event> {
    match *change {
        Change::AnswerPosted { question, answer, author, official, held: false } => {
            let kind = if official { NotificationEvent::NewOfficialAnswer } else { NotificationEvent::NewAnswer };
            Some(Event::new(kind, question, answer, author))
        }
        // Watchers hear of a held answer when a moderator lets it through.
        Change::HeldAnswerApproved { question, answer, author } => {
            Some(Event::new(NotificationEvent::NewAnswer, question, answer, author))
        }
        Change::AnswerAccepted { question, answer, by } => {
            Some(Event::new(NotificationEvent::Accepted, question, answer, by))
        }
        Change::AnswerEndorsed { question, answer, by } => {
            Some(Event::new(NotificationEvent::NewOfficialAnswer, question, answer, by))
        }
        Change::AnswerPosted { held: true, .. }
        | Change::QuestionAsked { .. }
        | Change::AcceptanceWithdrawn { .. }
        | Change::OfficialWithdrawn { .. }
        | Change::OfficialReviewed { .. }
        | Change::VoteCast { .. }
        | Change::PostEdited { .. }
        | Change::SuggestedEditReviewed { .. }
        | Change::PostVisibilityChanged { .. }
        | Change::PostModerated { .. }
        | Change::QuestionClosed { .. }
        | Change::QuestionReopened { .. }
        | Change::CommentPosted { .. }
        | Change::CommentModerated { .. }
        | Change::Flagged { .. }
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
        | Change::SiteSettingsChanged { .. } => None,
    }
}

impl Consumer for TellWatchers {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        for event in changes.iter().filter_map(event) {
            notify(conn, &self.outbox, event, now)?;
        }
        Ok(())
    }

    /// Watchers who want each event by mail have some waiting now.
    fn committed(&self, changes: &[Change]) {
        if changes.iter().any(|change| event(change).is_some()) {
            self.outbox.wake();
        }
    }
}
