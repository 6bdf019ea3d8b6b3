//! Telling the people who look after a topic what happens in it: a question asked in a topic
//! reaches its leads (staff) and watchers (members) once, and a staff member put on a question
//! hears of it. Called by the change feed's consumer ([`crate::changes::consumers::topics`]) in
//! the transaction of the change, never by a request handler.

use chrono::NaiveDateTime;

use super::notifications::{tell, Event};
use super::ServiceResult;
use crate::db::models::users::User;
use crate::db::models::{question_alerts, topics, users};
use crate::db::DbConnection;
use crate::domain::{MailPreference, NotificationEvent, QuestionAlert};
use crate::mail::Outbox;

/// Who hears of a new question in its topics: the leads still on staff, who mail as their
/// account says, and the watchers with their watch's mail choice (a lead who also watches is
/// told once, as a lead).
pub fn recipients_of_question(conn: &mut DbConnection, question_id: i64) -> ServiceResult<Vec<(User, MailPreference)>> {
    let mut recipients: Vec<(User, MailPreference)> = topics::leads_of_question(conn, question_id)?
        .into_iter()
        .filter(|lead| lead.role.is_staff())
        .map(|lead| (lead, MailPreference::Each))
        .collect();
    for (watcher, choice) in topics::watchers_of_question(conn, question_id)? {
        if !recipients.iter().any(|(user, _)| user.id == watcher.id) {
            recipients.push((watcher, choice));
        }
    }
    Ok(recipients)
}

/// Tells a question's topic leads and watchers that it was asked, unless they were told
/// already (a held question is announced when approved, never again when restored). Returns
/// how many mails were queued.
pub fn question_asked(
    conn: &mut DbConnection,
    outbox: &Outbox,
    question_id: i64,
    asker: Option<i64>,
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    if question_alerts::exists(conn, question_id, QuestionAlert::Asked)? {
        return Ok(0);
    }
    question_alerts::insert(conn, question_id, QuestionAlert::Asked, now)?;
    let recipients = recipients_of_question(conn, question_id)?;
    let event = Event::about_question(NotificationEvent::QuestionInTopic, question_id, asker);
    tell(conn, outbox, event, &recipients, now)
}

/// Tells a staff member someone else put them on a question; returns how many mails were queued.
pub fn assigned(
    conn: &mut DbConnection,
    outbox: &Outbox,
    question_id: i64,
    assignee: i64,
    by: i64,
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    let Some(user) = users::find(conn, assignee)? else { return Ok(0) };
    let event = Event::about_question(NotificationEvent::Assigned, question_id, Some(by));
    tell(conn, outbox, event, &[(user, MailPreference::Each)], now)
}
