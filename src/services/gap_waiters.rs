//! Closing the loop on FAQ gaps: someone whose search found no good answer may ask to be told
//! when it is answered (a visitor by leaving an address, a member with one click). When staff
//! link an answer to the gap on `/staff/gaps`, everyone waiting is mailed once, in the same
//! transaction that deletes them: an address is used once and then gone. Unanswered waits are
//! deleted after [`WAIT_DAYS`].

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use tera::Context;

use super::actor::Actor;
use super::search::{clean_query, log_key};
use super::{accounts, audit, ServiceError, ServiceResult};
use crate::changes::ChangeFeed;
use crate::db::models::gap_waiters::{self, Waiter};
use crate::db::models::posts::{self, Post};
use crate::db::{DbConnection, DbPool};
use crate::domain::{paths, PostKind, QuestionId};
use crate::mail::{Letter, Outbox};
use crate::periodic::PeriodicTask;

/// How long a wait is kept when no answer is linked.
pub const WAIT_DAYS: i64 = 90;
/// How often each node deletes expired waits.
const EXPIRY_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// What asking to be told came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// The wait is stored (or already was: asking twice changes nothing).
    Added,
    /// Staff already linked an answer: here it is, nothing is stored.
    Answered {
        /// The question's title.
        title: String,
        /// Its canonical path.
        path: String,
    },
}

/// Asks to be told when the gap `query` is answered: a member (`actor`) by account, a visitor
/// by `email`. Bad input (no query, no valid address) is refused and stores nothing.
pub fn wait(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: Option<&Actor>,
    query: &str,
    email: &str,
    now: NaiveDateTime,
) -> ServiceResult<Waiting> {
    let key = gap_key(query)?;
    let waiter = match actor {
        Some(member) => Waiter::Member(member.id),
        None => Waiter::Address(accounts::normalize_email(email)?),
    };
    feed.write(conn, now, |conn, _changes| {
        if let Some(question) = linked_question(conn, &key)? {
            let title = question.title.clone().unwrap_or_default();
            return Ok(Waiting::Answered {
                title,
                path: paths::question(QuestionId(question.id), question.slug.as_deref()),
            });
        }
        gap_waiters::insert(conn, &key, &waiter, now)?;
        Ok(Waiting::Added)
    })
}

/// Whether the member already waits for `query` (the search page shows the click as done).
pub fn member_waits(conn: &mut DbConnection, actor: &Actor, query: &str) -> ServiceResult<bool> {
    let key = log_key(&clean_query(query));
    Ok(!key.is_empty() && gap_waiters::member_waits(conn, &key, actor.id)?)
}

/// An answer linked to a gap, and how many waiting people were told.
#[derive(Debug, Clone)]
pub struct Linked {
    /// People mailed.
    pub mailed: usize,
    /// The linked question's title.
    pub title: String,
}

/// Links the question `question_ref` (its number or a link to it) to the gap `query` and mails
/// everyone waiting for it, once; staff only. A gap is answered once: a second link (from
/// another member of staff, on another node) is refused and mails nobody, unless the question
/// linked first has been deleted since.
pub fn link_answer(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    outbox: &Outbox,
    actor: &Actor,
    query: &str,
    question_ref: &str,
    now: NaiveDateTime,
) -> ServiceResult<Linked> {
    actor.ensure_staff("link answers to FAQ gaps")?;
    let key = gap_key(query)?;
    let id = question_number(question_ref).ok_or_else(|| {
        ServiceError::invalid("question", "Give the question's number or its link, like /questions/123/its-title.")
    })?;
    feed.write(conn, now, |conn, changes| {
        let question = posts::find(conn, id)?
            .filter(|post| post.kind == PostKind::Question && post.deleted_at.is_none() && post.held_reason.is_none())
            .ok_or_else(|| ServiceError::invalid("question", format!("There is no public question {id}.")))?;
        // A gap whose linked question was deleted since is open again.
        if gap_waiters::answer_of(conn, &key)?.is_some() && linked_question(conn, &key)?.is_none() {
            gap_waiters::unlink_answer(conn, &key)?;
        }
        let addresses = gap_waiters::addresses_for(conn, &key)?;
        let mailed = i32::try_from(addresses.len()).unwrap_or(i32::MAX);
        if !gap_waiters::link_answer(conn, &key, id, actor.id, mailed, now)? {
            return Err(ServiceError::Conflict(format!("“{key}” already has an answer linked.")));
        }
        let title = question.title.clone().unwrap_or_default();
        let path = paths::question(QuestionId(id), question.slug.as_deref());
        for address in &addresses {
            let mut context = Context::new();
            context.insert("query", &key);
            context.insert("title", &title);
            context.insert("path", &path);
            context.insert("wait_days", &WAIT_DAYS);
            let subject = format!("Answered: {title}");
            outbox.queue(conn, changes, Letter { to: address, subject, template: "gap_answered", context })?;
        }
        gap_waiters::delete_for(conn, &key)?;
        audit::record(
            conn,
            actor,
            "gap.answer",
            ("post", id),
            Some(&format!("{key} ({} told)", addresses.len())),
            now,
        )?;
        Ok(Linked { mailed: addresses.len(), title })
    })
}

/// Deletes waits older than [`WAIT_DAYS`]; returns how many.
pub fn expire(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<usize> {
    let before = now - TimeDelta::days(WAIT_DAYS);
    Ok(crate::db::write_transaction(conn, |conn| gap_waiters::delete_older_than(conn, before))?)
}

/// Starts each node's hourly deletion of expired waits.
pub fn start_expiry(pool: DbPool) -> PeriodicTask {
    PeriodicTask::start("gap waits", EXPIRY_INTERVAL, move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let deleted = expire(&mut conn, chrono::Utc::now().naive_utc()).map_err(|e| e.to_string())?;
        if deleted > 0 {
            tracing::info!(deleted, "expired waits for FAQ gaps deleted");
        }
        Ok(())
    })
}

/// The gap a query stands for, as the search log groups it; an empty one is refused.
fn gap_key(query: &str) -> ServiceResult<String> {
    let key = log_key(&clean_query(query));
    if key.trim().is_empty() {
        return Err(ServiceError::invalid("q", "Search for something first."));
    }
    Ok(key)
}

/// The public question linked to a gap, if any.
fn linked_question(conn: &mut DbConnection, key: &str) -> ServiceResult<Option<Post>> {
    let Some(id) = gap_waiters::answer_of(conn, key)? else {
        return Ok(None);
    };
    Ok(posts::find(conn, id)?.filter(|post| post.deleted_at.is_none() && post.held_reason.is_none()))
}

/// A question's number from what staff pasted: `123`, `/questions/123/slug` or a full link.
fn question_number(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = match text.find("/questions/") {
        Some(at) => &text[at + "/questions/".len()..],
        None => text,
    };
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    let rest = &digits[end..];
    // `123abc` is not a number; `123/slug`, `123?x` and `123#answer` are.
    if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
        return None;
    }
    digits[..end].parse().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::question_number;

    #[test]
    fn question_numbers_come_from_numbers_and_links() {
        assert_eq!(question_number(" 42 "), Some(42));
        assert_eq!(question_number("/questions/42/reset-the-router"), Some(42));
        assert_eq!(question_number("https://faq.example.com/questions/7?tab=new#answer-3"), Some(7));
        assert_eq!(question_number("42abc"), None);
        assert_eq!(question_number("/questions/"), None);
        assert_eq!(question_number("0"), None);
        assert_eq!(question_number("the router one"), None);
    }
}
