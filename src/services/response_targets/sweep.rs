//! The sweep every node runs about once a minute: questions past their nearing point alert their
//! topic leads, questions past due alert the leads and the admins, each exactly once. The
//! `question_alerts` row is inserted first in each alert's own transaction; a unique violation
//! means another node (or a restarted one) sent it, and ours rolls back with its mail.

use anyhow::Context as _;
use chrono::{Duration, NaiveDateTime};

use crate::db::models::response_deadlines::{self, Moment};
use crate::db::models::users::User;
use crate::db::models::{question_alerts, topics, users};
use crate::db::{write_transaction, DbConnection, DbPool};
use crate::domain::{MailPreference, NotificationEvent, QuestionAlert};
use crate::mail::Outbox;
use crate::services::notifications::{tell, Event};
use crate::services::{ServiceError, ServiceResult};

/// Moments older than this are left alone: turning targets on, or a node down for a while,
/// should not alert about years of old questions at once.
pub const LOOKBACK: Duration = Duration::days(7);
/// Alerts of each kind per sweep; the rest wait for the next one.
const BATCH: i64 = 50;

/// What one sweep sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Swept {
    /// Questions whose leads were told the target is near.
    pub nearing: usize,
    /// Questions whose leads and admins were told the target passed.
    pub breached: usize,
}

/// Sends the alerts due at `now`, then wakes the mail worker if any went out.
pub fn sweep(pool: &DbPool, outbox: &Outbox, now: NaiveDateTime) -> anyhow::Result<Swept> {
    let mut conn = pool.get().context("response target sweep: no database connection")?;
    let since = now - LOOKBACK;
    let mut swept = Swept::default();
    for (moment, alert) in [(Moment::Nearing, QuestionAlert::Nearing), (Moment::Due, QuestionAlert::Breached)] {
        let questions = response_deadlines::unalerted(&mut conn, moment, alert, since, now, BATCH)
            .context("finding questions to alert about")?;
        for question in questions {
            let outcome = write_transaction(&mut conn, |conn| alert_once(conn, outbox, question, alert, now));
            match outcome {
                Ok(()) if alert == QuestionAlert::Nearing => swept.nearing += 1,
                Ok(()) => swept.breached += 1,
                // Another node sent it first; its row stands, ours rolled back.
                Err(ServiceError::Database(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ))) => {}
                Err(e) => return Err(e).context("sending a response target alert"),
            }
        }
    }
    if swept != Swept::default() {
        outbox.wake();
    }
    Ok(swept)
}

/// Records the alert, then tells its recipients, in the caller's transaction.
fn alert_once(
    conn: &mut DbConnection,
    outbox: &Outbox,
    question: i64,
    alert: QuestionAlert,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    question_alerts::insert(conn, question, alert, now)?;
    let kind = match alert {
        QuestionAlert::Breached => NotificationEvent::TargetBreached,
        _ => NotificationEvent::TargetNearing,
    };
    let recipients = recipients(conn, question, alert == QuestionAlert::Breached)?;
    tell(conn, outbox, Event::about_question(kind, question, None), &recipients, now).map(drop)
}

/// The question's topic leads still on staff, and the active admins when `admins`; each once.
fn recipients(conn: &mut DbConnection, question: i64, admins: bool) -> ServiceResult<Vec<(User, MailPreference)>> {
    let mut people: Vec<User> = topics::leads_of_question(conn, question)?
        .into_iter()
        .filter(|lead| lead.role.is_staff() && lead.suspended_at.is_none())
        .collect();
    if admins {
        for admin in users::active_admins(conn)? {
            if !people.iter().any(|p| p.id == admin.id) {
                people.push(admin);
            }
        }
    }
    Ok(people.into_iter().map(|user| (user, MailPreference::Each)).collect())
}
