//! The weekly insights mail: each Monday (UTC) the week's report goes to the list of addresses
//! admins keep on `/staff/insights` (product teams, not necessarily members). Each message
//! carries a one-click unsubscribe link (RFC 8058) that deletes its address from the list. The
//! node that claims the week's row sends it, so several nodes send it once.

use std::time::Duration;

use chrono::{Datelike, NaiveDateTime, TimeDelta};
use tera::Context;

use super::build;
use crate::changes::ChangeFeed;
use crate::db::models::insights_mail::{self, Recipient};
use crate::db::{write_transaction, DbConnection, DbPool};
use crate::mail::{Letter, Outbox};
use crate::periodic::PeriodicTask;
use crate::services::actor::Actor;
use crate::services::{accounts, audit, ServiceError, ServiceResult};
use crate::signing::NumberSigner;

/// How often each node looks whether the week's mail is due.
const CHECK_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// Signs and checks the unsubscribe links of the insights mail.
#[derive(Clone)]
pub struct InsightsMailKey(NumberSigner);

impl InsightsMailKey {
    /// Derived from the site's signing secret, apart from every other token.
    pub fn derive(secret: &[u8]) -> Self {
        Self(NumberSigner::derive(secret, b"guidepost insights mail unsubscribe"))
    }

    /// The token of a recipient's unsubscribe link.
    pub fn token(&self, recipient_id: i64) -> String {
        self.0.token(recipient_id)
    }

    fn verify(&self, token: &str) -> ServiceResult<i64> {
        self.0.verify(token).ok_or(ServiceError::NotFound("unsubscribe link"))
    }
}

/// The list, for staff.
pub fn recipients(conn: &mut DbConnection, actor: &Actor) -> ServiceResult<Vec<Recipient>> {
    actor.ensure_staff("see who gets the insights mail")?;
    Ok(insights_mail::all(conn)?)
}

/// Adds an address to the list (admins); returns false when it was already there.
pub fn add_recipient(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    email: &str,
    now: NaiveDateTime,
) -> ServiceResult<bool> {
    actor.ensure_admin()?;
    let email = accounts::normalize_email(email)?;
    feed.write(conn, now, |conn, _changes| {
        let added = insights_mail::add(conn, &email, actor.id, now)?;
        if added {
            audit::record(conn, actor, "insights.recipient.add", ("user", actor.id), Some(&email), now)?;
        }
        Ok(added)
    })
}

/// Removes an address from the list (admins).
pub fn remove_recipient(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    actor.ensure_admin()?;
    feed.write(conn, now, |conn, _changes| {
        let recipient = insights_mail::find(conn, id)?.ok_or(ServiceError::NotFound("insights recipient"))?;
        insights_mail::remove(conn, id)?;
        audit::record(conn, actor, "insights.recipient.remove", ("user", actor.id), Some(&recipient.email), now)
    })
}

/// The address an unsubscribe link is for; `None` once it has left the list. A forged link is
/// not found.
pub fn recipient_for(conn: &mut DbConnection, key: &InsightsMailKey, token: &str) -> ServiceResult<Option<String>> {
    let id = key.verify(token)?;
    Ok(insights_mail::find(conn, id)?.map(|r| r.email))
}

/// Takes the link's address off the list (again is fine).
pub fn unsubscribe(conn: &mut DbConnection, key: &InsightsMailKey, token: &str) -> ServiceResult<()> {
    let id = key.verify(token)?;
    write_transaction(conn, |conn| insights_mail::remove(conn, id))?;
    Ok(())
}

/// Monday 00:00 UTC of the week `now` is in.
pub fn week_start(now: NaiveDateTime) -> NaiveDateTime {
    let monday = now.date() - TimeDelta::days(i64::from(now.weekday().num_days_from_monday()));
    monday.and_time(chrono::NaiveTime::MIN)
}

/// Sends this week's mail if nobody has: one message per address on the list, with the report
/// as of `now`. Returns how many were queued (0 when the week was sent or the list is empty).
/// The caller wakes the mail worker.
pub fn send_weekly(
    conn: &mut DbConnection,
    outbox: &Outbox,
    key: &InsightsMailKey,
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    let week = week_start(now);
    // Looked at hourly by every node: the report is built only when it may be sent.
    if insights_mail::all(conn)?.is_empty() || insights_mail::week_sent(conn, week)? {
        return Ok(0);
    }
    let report = build(conn, now)?;
    let insights_url = format!("{}/staff/insights", outbox.base_url());
    write_transaction(conn, |conn| {
        let recipients = insights_mail::all(conn)?;
        let count = i32::try_from(recipients.len()).unwrap_or(i32::MAX);
        if recipients.is_empty() || !insights_mail::claim_week(conn, week, count, now)? {
            return Ok(0);
        }
        for recipient in &recipients {
            let unsubscribe_url = format!("{}/insights/unsubscribe/{}", outbox.base_url(), key.token(recipient.id));
            let mut context = Context::new();
            context.insert("report", &report);
            context.insert("insights_url", &insights_url);
            context.insert("unsubscribe_url", &unsubscribe_url);
            let letter = Letter {
                to: &recipient.email,
                subject: format!("This week's insights ({})", now.format("%b %-d")),
                template: "insights_weekly",
                context,
            };
            let headers = [
                ("List-Unsubscribe", format!("<{unsubscribe_url}>")),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()),
            ];
            outbox.queue_with_headers(conn, letter, &headers)?;
        }
        Ok(recipients.len())
    })
}

/// Starts each node's hourly look at whether the week's mail is due.
pub fn start_weekly(pool: DbPool, outbox: Outbox, key: InsightsMailKey) -> PeriodicTask {
    PeriodicTask::start("insights mail", CHECK_INTERVAL, move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let sent = send_weekly(&mut conn, &outbox, &key, chrono::Utc::now().naive_utc()).map_err(|e| e.to_string())?;
        if sent > 0 {
            outbox.wake();
            tracing::info!(recipients = sent, "weekly insights mail queued");
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::week_start;

    #[test]
    fn weeks_start_on_monday_at_midnight() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 12, 9).and_then(|d| d.and_hms_opt(15, 30, 0));
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).and_then(|d| d.and_hms_opt(0, 0, 0));
        assert_eq!(wednesday.map(week_start), monday);
        assert_eq!(monday.map(week_start), monday);
    }
}
