//! A member whose suggested edit was reviewed hears the verdict, in the transaction of the
//! review itself, so the notification (and any mail) commits or vanishes with it.

use std::cell::Cell;

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer};
use crate::db::models::users;
use crate::db::DbConnection;
use crate::domain::{MailPreference, NotificationEvent};
use crate::mail::Outbox;
use crate::services::notifications::{tell, Event};
use crate::services::ServiceResult;

/// Tells suggesters that their edit was approved or rejected.
#[derive(Clone)]
pub struct TellSuggesters {
    outbox: Outbox,
}

impl TellSuggesters {
    /// Queues mail through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

thread_local! {
    /// Whether this thread's transaction queued mail; `record` and `committed` run on one thread
    /// for each transaction (as in the topics consumer), so the worker wakes only when needed.
    static QUEUED_MAIL: Cell<bool> = const { Cell::new(false) };
}

impl Consumer for TellSuggesters {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        QUEUED_MAIL.set(false);
        let mut mailed = 0;
        for change in changes {
            let Change::SuggestedEditReviewed { question, post, author, approved, by, .. } = *change else { continue };
            let Some(suggester) = users::find(conn, author)? else { continue };
            let kind = if approved { NotificationEvent::EditApproved } else { NotificationEvent::EditRejected };
            let event = if post == question {
                Event::about_question(kind, question, Some(by))
            } else {
                Event::new(kind, question, post, by)
            };
            mailed += tell(conn, &self.outbox, event, &[(suggester, MailPreference::Each)], now)?;
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
