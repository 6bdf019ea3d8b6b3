//! Links `@username` mentions in what was just written and tells the members mentioned, in the
//! transaction of the write itself, so the links, the `mentions` rows and the notifications
//! commit (or vanish) with it. The rules live in `services::mentions`.

use std::sync::{Mutex, PoisonError};

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer};
use crate::db::models::mentions::MentionedIn;
use crate::db::DbConnection;
use crate::mail::Outbox;
use crate::services::mentions::record;
use crate::services::ServiceResult;

/// Remembered changes whose mail awaits its commit; more than this means commits failed after
/// recording, and the oldest are forgotten (at worst the mail worker is woken once for nothing).
const MAX_PENDING: usize = 1_000;

/// Turns writes of posts and comments into linked mentions and notifications.
pub struct TellMentioned {
    outbox: Outbox,
    /// The changes whose mentions queued mail, until their commit wakes the mail worker: most
    /// writes mention nobody, and must not wake it.
    mailed: Mutex<Vec<Change>>,
}

impl TellMentioned {
    /// Queues mail through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox, mailed: Mutex::new(Vec::new()) }
    }
}

/// What a change asks of mentions: the text, whether it was just (re)written and so needs its
/// mentions linked, and who wrote the mentions (`None`: the text's author).
fn work(change: &Change) -> Option<(MentionedIn, bool, Option<i64>)> {
    match *change {
        Change::QuestionAsked { question, author, .. } => Some((MentionedIn::Post(question), true, Some(author))),
        Change::AnswerPosted { answer, author, .. } => Some((MentionedIn::Post(answer), true, Some(author))),
        Change::PostEdited { post, editor, .. } => Some((MentionedIn::Post(post), true, Some(editor))),
        Change::CommentPosted { comment, author, .. } => Some((MentionedIn::Comment(comment), true, Some(author))),
        // Text that becomes public tells whom it mentions now (never twice: see the table).
        Change::HeldAnswerApproved { answer, author, .. } => Some((MentionedIn::Post(answer), false, Some(author))),
        Change::PostVisibilityChanged { post, visible: true, .. } => Some((MentionedIn::Post(post), false, None)),
        Change::CommentModerated { comment, visible: true, .. } => Some((MentionedIn::Comment(comment), false, None)),
        Change::PostVisibilityChanged { visible: false, .. }
        | Change::CommentModerated { visible: false, .. }
        // An approval also states the `PostEdited` it made, which is handled above.
        | Change::SuggestedEditReviewed { .. }
        | Change::AnswerAccepted { .. }
        | Change::AcceptanceWithdrawn { .. }
        | Change::AnswerEndorsed { .. }
        | Change::OfficialWithdrawn { .. }
        | Change::OfficialReviewed { .. }
        | Change::VoteCast { .. }
        | Change::PostModerated { .. }
        | Change::QuestionClosed { .. }
        | Change::QuestionReopened { .. }
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

impl Consumer for TellMentioned {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        for change in changes {
            let Some((place, relink, actor)) = work(change) else { continue };
            if record(conn, &self.outbox, place, relink, actor, now)? > 0 {
                let mut mailed = self.mailed.lock().unwrap_or_else(PoisonError::into_inner);
                if mailed.len() >= MAX_PENDING {
                    mailed.remove(0);
                }
                mailed.push(*change);
            }
        }
        Ok(())
    }

    /// Wakes the mail worker when this commit's mentions queued mail.
    fn committed(&self, changes: &[Change]) {
        let mut mailed = self.mailed.lock().unwrap_or_else(PoisonError::into_inner);
        let before = mailed.len();
        mailed.retain(|change| !changes.contains(change));
        if mailed.len() < before {
            self.outbox.wake();
        }
    }
}
