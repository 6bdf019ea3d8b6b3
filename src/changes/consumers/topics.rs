//! The people who look after topics hear of them from here: a question asked (or let through
//! by a moderator) alerts its topics' leads and watchers once, a staff member put on a question
//! by someone else is told, and an official answer releases whoever was on the question. All of
//! it happens in the transaction of the change, so the alerts commit (or vanish) with it and a
//! second node never repeats them.

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer};
use crate::db::models::{assignments, posts};
use crate::db::DbConnection;
use crate::mail::Outbox;
use crate::services::{audit, topic_alerts, ServiceResult};

/// Turns changes into topic alerts and assignment releases.
#[derive(Clone)]
pub struct TopicOwners {
    outbox: Outbox,
}

impl TopicOwners {
    /// Queues mail through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

thread_local! {
    /// Whether the transaction this thread is writing queued alert mail. `ChangeFeed::write` runs
    /// `record` and then `committed` on one thread, and `record` sets it for every transaction, so
    /// the worker is woken exactly when this commit queued mail (not for every question asked).
    static QUEUED_MAIL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl Consumer for TopicOwners {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        QUEUED_MAIL.set(false);
        let mut mailed = 0;
        for change in changes {
            match *change {
                Change::QuestionAsked { question, author, held: false } => {
                    mailed += topic_alerts::question_asked(conn, &self.outbox, question, Some(author), now)?;
                }
                // A held question a moderator let through (or a hidden one restored: the alert
                // ledger makes that a no-op).
                Change::PostVisibilityChanged { question, post, visible: true } if question == post => {
                    let asker = posts::find(conn, question)?.map(|q| q.author_id);
                    mailed += topic_alerts::question_asked(conn, &self.outbox, question, asker, now)?;
                }
                Change::QuestionAssigned { question, assignee: Some(assignee), by } if assignee != by => {
                    mailed += topic_alerts::assigned(conn, &self.outbox, question, assignee, by, now)?;
                }
                Change::AnswerPosted { question, author: by, official: true, held: false, .. }
                | Change::AnswerEndorsed { question, by, .. } => {
                    if let Some(assignee) = assignments::release(conn, question)? {
                        let detail = format!("released from user {assignee} by an official answer");
                        audit::record_following(
                            conn,
                            by,
                            "question.released",
                            ("question", question),
                            Some(&detail),
                            now,
                        )?;
                    }
                }
                _ => {}
            }
        }
        QUEUED_MAIL.set(mailed > 0);
        Ok(())
    }

    fn committed(&self, _changes: &[Change]) {
        if QUEUED_MAIL.replace(false) {
            self.outbox.wake();
        }
    }
}
