//! Notifications: telling a question's watchers what happened to it — a row for the
//! `/notifications` page, and mail per each member's preference (at once, in a daily digest, or
//! never). [`notify`] runs inside the transaction of the change it reports, so the rows and the
//! queued mail commit (or vanish) with it; nothing here sends mail itself.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use tera::Context;

use super::actor::Actor;
use super::{ServiceError, ServiceResult};
use crate::changes::{AccountChange, Change, ChangeFeed};
use crate::db::models::notifications::{self, NewNotification, Notification};
use crate::db::models::users::{self, User};
use crate::db::models::{posts, watches};
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, MailPreference, NotificationEvent, QuestionId};
use crate::mail::{Letter, Outbox};

/// Notifications on one page of `/notifications`.
pub const PAGE_SIZE: i64 = 30;
/// Users looked at per digest query, so one run never loads every member at once.
const DIGEST_BATCH: i64 = 100;
/// Events listed in one digest; any more wait for the next one.
const DIGEST_ITEMS: i64 = 50;
/// A daily digest goes out at most this often.
const DIGEST_INTERVAL: Duration = Duration::hours(24);

/// One event to tell someone about.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// What happened.
    pub kind: NotificationEvent,
    /// The question.
    pub question_id: i64,
    /// The answer it happened to; `None` when it is about the question itself.
    pub post_id: Option<i64>,
    /// Who did it (`None` for the site itself, e.g. a missed target); they are not told about
    /// their own action.
    pub actor_id: Option<i64>,
}

impl Event {
    /// `kind` happened to answer `post_id` of question `question_id`, done by `actor_id`.
    pub fn new(kind: NotificationEvent, question_id: i64, post_id: i64, actor_id: i64) -> Self {
        Self { kind, question_id, post_id: Some(post_id), actor_id: Some(actor_id) }
    }

    /// `kind` happened to question `question_id`, done by `actor_id` (or by the site).
    pub fn about_question(kind: NotificationEvent, question_id: i64, actor_id: Option<i64>) -> Self {
        Self { kind, question_id, post_id: None, actor_id }
    }

    /// The site-relative link the notification leads to.
    fn link(&self) -> String {
        self.post_id.map_or_else(
            || paths::question_by_id(QuestionId(self.question_id)),
            |id| paths::answer_permalink(AnswerId(id)),
        )
    }
}

/// Whether mail may go to this user at all: a proven address and no suspension.
pub(super) fn can_receive_mail(user: &User) -> Option<&str> {
    let address = user.email.as_deref()?;
    (user.email_verified_at.is_some() && user.suspended_at.is_none()).then_some(address)
}

/// Queues mail about what a member follows: their name and unsubscribe link join the letter's
/// context, and `List-Unsubscribe` (RFC 2369) with its one-click form (RFC 8058) its headers.
pub(super) fn queue_member_mail(
    conn: &mut DbConnection,
    outbox: &Outbox,
    member: &User,
    mut letter: Letter<'_>,
) -> ServiceResult<()> {
    let unsubscribe_url = outbox.unsubscribe_url(member.id)?;
    letter.context.insert("name", &member.display_name);
    letter.context.insert("unsubscribe_url", &unsubscribe_url);
    let headers = [
        ("List-Unsubscribe", format!("<{unsubscribe_url}>")),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()),
    ];
    outbox.queue_with_headers(conn, letter, &headers)?;
    Ok(())
}

/// Records an event for every watcher but the actor and mails those who want each event.
/// Call inside the transaction of the change itself.
pub fn notify(conn: &mut DbConnection, outbox: &Outbox, event: Event, now: NaiveDateTime) -> ServiceResult<()> {
    let watchers = watches::watchers(conn, event.question_id)?;
    let recipients: Vec<(User, MailPreference)> = watchers.into_iter().map(|w| (w, MailPreference::Each)).collect();
    tell(conn, outbox, event, &recipients, now).map(drop)
}

/// Records an event for each recipient but its actor, mailing it at once to those whose mail
/// choice (their account's, made stricter by the `MailPreference` given with them) is `each`.
/// A `daily` choice leaves it for the digest; a `never` choice marks it settled, so no digest
/// lists it. Deleted and suspended members are skipped. Call inside the transaction of the
/// change that caused it. Returns how many mails it queued.
pub fn tell(
    conn: &mut DbConnection,
    outbox: &Outbox,
    event: Event,
    recipients: &[(User, MailPreference)],
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    let recipients: Vec<&(User, MailPreference)> =
        recipients.iter().filter(|(user, _)| Some(user.id) != event.actor_id && user.deleted_at.is_none()).collect();
    if recipients.is_empty() {
        return Ok(0);
    }
    let question = posts::find(conn, event.question_id)?.ok_or(ServiceError::NotFound("Question"))?;
    let title = question.title.unwrap_or_default();
    let actor = match event.actor_id {
        Some(id) => users::find(conn, id)?.map(|u| u.display_name),
        None => None,
    };
    let what = event.kind.sentence(actor.as_deref().unwrap_or("Someone"));
    let mut mailed = 0;
    for (recipient, choice) in recipients {
        let id = notifications::insert(
            conn,
            &NewNotification {
                user_id: recipient.id,
                question_id: question.id,
                post_id: event.post_id,
                event: event.kind,
                actor_id: event.actor_id,
                created_at: now,
            },
        )?;
        match recipient.email_preference.max(*choice) {
            MailPreference::Each => {}
            MailPreference::Daily => continue,
            MailPreference::Never => {
                notifications::mark_emailed(conn, &[id], now)?;
                continue;
            }
        }
        let Some(address) = can_receive_mail(recipient) else { continue };
        let mut context = Context::new();
        context.insert("title", &title);
        context.insert("what", &what);
        context.insert("link", &format!("{}{}", outbox.base_url(), event.link()));
        let letter = Letter { to: address, subject: event.kind.subject(&title), template: "notification", context };
        queue_member_mail(conn, outbox, recipient, letter)?;
        notifications::mark_emailed(conn, &[id], now)?;
        mailed += 1;
    }
    Ok(mailed)
}

/// A notification as pages and digests show it.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationView {
    /// Row id.
    pub id: i64,
    /// "Ann answered", "Bob accepted an answer to".
    pub what: String,
    /// The question's title.
    pub title: String,
    /// Site-relative link to the answer (or the question).
    pub link: String,
    /// When it happened.
    pub created_at: NaiveDateTime,
    /// Not seen before this page showed it.
    pub unread: bool,
}

/// Describes notification rows with their questions' titles and actors' names (two queries).
fn describe(conn: &mut DbConnection, rows: &[Notification]) -> ServiceResult<Vec<NotificationView>> {
    let question_ids: Vec<i64> = rows.iter().map(|n| n.question_id).collect();
    let titles: HashMap<i64, String> =
        posts::titles(conn, &question_ids)?.into_iter().map(|(id, title, _)| (id, title.unwrap_or_default())).collect();
    let actor_ids: Vec<i64> = rows.iter().filter_map(|n| n.actor_id).collect();
    let names: HashMap<i64, String> =
        users::find_many(conn, &actor_ids)?.into_iter().map(|u| (u.id, u.display_name)).collect();
    Ok(rows
        .iter()
        .map(|n| {
            let actor = n.actor_id.and_then(|id| names.get(&id)).map_or("Someone", String::as_str);
            NotificationView {
                id: n.id,
                what: n.event.sentence(actor),
                title: titles.get(&n.question_id).cloned().unwrap_or_default(),
                link: n.post_id.map_or_else(
                    || paths::question_by_id(QuestionId(n.question_id)),
                    |id| paths::answer_permalink(AnswerId(id)),
                ),
                created_at: n.created_at,
                unread: n.read_at.is_none(),
            }
        })
        .collect())
}

/// One page of the `/notifications` list.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationPage {
    /// Newest first.
    pub items: Vec<NotificationView>,
    /// The `before` of the next (older) page, if there is one.
    pub next_before: Option<i64>,
}

/// The actor's notifications, newest first, before id `before`; the ones shown become read.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    before: Option<i64>,
    now: NaiveDateTime,
) -> ServiceResult<NotificationPage> {
    crate::db::write_transaction(conn, |conn| {
        let mut rows = notifications::page_of(conn, actor.id, before, PAGE_SIZE + 1)?;
        let more = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
        let items = describe(conn, &rows)?;
        let unread: Vec<i64> = rows.iter().filter(|n| n.read_at.is_none()).map(|n| n.id).collect();
        notifications::mark_read(conn, actor.id, &unread, now)?;
        Ok(NotificationPage { next_before: more.then(|| rows.last().map(|n| n.id)).flatten(), items })
    })
}

/// Marks all the actor's notifications read.
pub fn mark_all_read(conn: &mut DbConnection, actor: &Actor, now: NaiveDateTime) -> ServiceResult<()> {
    notifications::mark_all_read(conn, actor.id, now)?;
    Ok(())
}

/// How many notifications the user has not seen (for the header badge).
pub fn unread_count(conn: &mut DbConnection, user_id: i64) -> ServiceResult<i64> {
    Ok(notifications::unread_count(conn, user_id)?)
}

/// Chooses `each`, `daily` or `never` for the actor's notification mail.
pub fn set_email_preference(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    preference: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let Some(preference) = MailPreference::from_stored(preference) else {
        return Err(ServiceError::invalid("email_preference", "Choose each, daily or never."));
    };
    feed.write(conn, now, |conn, changes| {
        users::set_email_preference(conn, actor.id, preference)?;
        changes.push(Change::AccountChanged { user: actor.id, what: AccountChange::MailPreference });
        Ok(())
    })
}

/// Queues a digest for every member who has notifications left for one (chose `daily`, or
/// watches a topic in a digest), has unmailed notifications and got no
/// digest in the last 24 hours; returns how many went out. One transaction per member, so one
/// failure does not hold back the rest, and safe to run on several nodes at once.
pub fn send_daily_digests(conn: &mut DbConnection, outbox: &Outbox, now: NaiveDateTime) -> ServiceResult<usize> {
    let cutoff = now - DIGEST_INTERVAL;
    send_in_batches(
        conn,
        |conn, after| users::due_for_digest(conn, cutoff, after, DIGEST_BATCH),
        |conn, user| send_digest(conn, outbox, user, cutoff, now),
    )
}

/// Walks the members `due` lists (after a user id, a batch at a time, so one run never loads
/// every member at once) and `send`s each one's digest; returns how many went out.
pub(super) fn send_in_batches(
    conn: &mut DbConnection,
    mut due: impl FnMut(&mut DbConnection, i64) -> diesel::QueryResult<Vec<User>>,
    mut send: impl FnMut(&mut DbConnection, &User) -> ServiceResult<bool>,
) -> ServiceResult<usize> {
    let (mut after, mut sent) = (0, 0);
    loop {
        let batch = due(conn, after)?;
        let Some(last) = batch.last() else { return Ok(sent) };
        after = last.id;
        for user in &batch {
            if send(conn, user)? {
                sent += 1;
            }
        }
    }
}

fn send_digest(
    conn: &mut DbConnection,
    outbox: &Outbox,
    user: &User,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> ServiceResult<bool> {
    let Some(address) = can_receive_mail(user) else { return Ok(false) };
    crate::db::write_transaction(conn, |conn| {
        let rows = notifications::unmailed_of(conn, user.id, DIGEST_ITEMS)?;
        // Another node may have sent this digest a moment ago; the conditional stamp decides.
        if rows.is_empty() || !users::claim_digest(conn, user.id, cutoff, now)? {
            return Ok(false);
        }
        let items = describe(conn, &rows)?;
        let links: Vec<String> = items.iter().map(|i| format!("{}{}", outbox.base_url(), i.link)).collect();
        let mut context = Context::new();
        context.insert("items", &items);
        context.insert("links", &links);
        let subject = match items.len() {
            1 => "1 update on questions and topics you follow".to_owned(),
            n => format!("{n} updates on questions and topics you follow"),
        };
        queue_member_mail(conn, outbox, user, Letter { to: address, subject, template: "digest", context })?;
        let ids: Vec<i64> = rows.iter().map(|n| n.id).collect();
        notifications::mark_emailed(conn, &ids, now)?;
        Ok(true)
    })
}
