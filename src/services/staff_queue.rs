//! The staff queue: questions still waiting for an official answer, with how long they have
//! waited and how many people they reach. A question leaves it when it gets one.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::question_lists::{summarize, QuestionSummary, PAGE_SIZE};
use super::ServiceResult;
use crate::db::models::posts::Post;
/// The orders the staff queue can be read in; handlers name it through this service.
pub use crate::db::models::staff_queue::QueueOrder;
use crate::db::models::staff_queue::{self, QueueCursor};
use crate::db::models::{assignments, response_deadlines, tags};
use crate::db::DbConnection;

/// A page of the queue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueuePage {
    /// The questions, each with its age.
    pub items: Vec<QueueItem>,
    /// The `after=` cursor of the next page.
    pub next: Option<String>,
    /// The tag filter, when one applies and exists.
    pub tag: Option<String>,
}

/// One waiting question.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueItem {
    /// The summary lists show.
    pub question: QuestionSummary,
    /// How long it has waited, e.g. "3 days".
    pub age: String,
    /// The display name of the staff member on it, if someone is.
    pub assignee: Option<String>,
    /// Its response target in words ("3 hours left", "overdue by 2 hours"), when it has one.
    pub time_left: Option<String>,
    /// Whether it is past its target.
    pub overdue: bool,
}

/// A page of the queue for staff.
pub fn page(
    conn: &mut DbConnection,
    actor: &Actor,
    order: QueueOrder,
    tag: Option<&str>,
    after: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<QueuePage> {
    actor.ensure_staff("see the staff queue")?;
    let tag = match tag.map(str::trim).filter(|t| !t.is_empty()) {
        Some(name) => tags::find_by_name(conn, &name.to_lowercase())?,
        None => None,
    };
    let cursor = after.and_then(|text| decode(order, text));
    let mut rows = staff_queue::page(conn, order, tag.as_ref().map(|t| t.id), cursor, PAGE_SIZE + 1)?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let last = has_next.then(|| rows.last()).flatten();
    let next = match last {
        None => None,
        Some(p) => Some(match order {
            QueueOrder::Oldest => format!("{}_{}", nanos(p.created_at), p.id),
            QueueOrder::Views => format!("{}_{}", p.view_count, p.id),
            QueueOrder::TimeLeft => {
                let due = response_deadlines::of_questions(conn, &[p.id])?.first().map(|d| d.due_at);
                let due = due.map_or_else(|| "none".to_owned(), |d| nanos(d).to_string());
                format!("{due}_{}_{}", nanos(p.created_at), p.id)
            }
        }),
    };
    let items = items_of(conn, rows, now)?;
    Ok(QueuePage { items, next, tag: tag.map(|t| t.name) })
}

/// Queue items for these questions, in their order, with their age and who is on them.
pub fn items_of(conn: &mut DbConnection, rows: Vec<Post>, now: NaiveDateTime) -> ServiceResult<Vec<QueueItem>> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let on: HashMap<i64, String> =
        assignments::of_questions(conn, &ids)?.into_iter().map(|a| (a.question_id, a.display_name)).collect();
    let due: HashMap<i64, NaiveDateTime> =
        response_deadlines::of_questions(conn, &ids)?.into_iter().map(|d| (d.question_id, d.due_at)).collect();
    let list = summarize(conn, rows, 1)?;
    Ok(list
        .questions
        .into_iter()
        .map(|q| {
            let due_at = due.get(&q.id).copied();
            QueueItem {
                age: age(now - q.created_at),
                assignee: on.get(&q.id).cloned(),
                time_left: due_at.map(|d| time_left(d, now)),
                overdue: due_at.is_some_and(|d| d <= now),
                question: q,
            }
        })
        .collect())
}

/// How long until a deadline, or how long past it: "3 hours left", "overdue by 2 hours".
pub fn time_left(due_at: NaiveDateTime, now: NaiveDateTime) -> String {
    if due_at > now {
        format!("{} left", age(due_at - now))
    } else {
        format!("overdue by {}", age(now - due_at))
    }
}

fn nanos(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp_nanos_opt().unwrap_or_default()
}

fn decode(order: QueueOrder, text: &str) -> Option<QueueCursor> {
    let at = |key: &str| Some(chrono::DateTime::from_timestamp_nanos(key.parse().ok()?).naive_utc());
    if order == QueueOrder::TimeLeft {
        let mut parts = text.splitn(3, '_');
        let due = match parts.next()? {
            "none" => None,
            key => Some(at(key)?),
        };
        return Some(QueueCursor::Due(due, at(parts.next()?)?, parts.next()?.parse().ok()?));
    }
    let (key, id) = text.split_once('_')?;
    let id = id.parse().ok()?;
    Some(match order {
        QueueOrder::Oldest => {
            QueueCursor::Asked(chrono::DateTime::from_timestamp_nanos(key.parse().ok()?).naive_utc(), id)
        }
        QueueOrder::Views => QueueCursor::Viewed(key.parse().ok()?, id),
        QueueOrder::TimeLeft => return None,
    })
}

/// A waiting time in words: "5 minutes", "3 hours", "12 days".
pub fn age(waited: chrono::Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match waited {
        w if w.num_days() >= 1 => plural(w.num_days(), "day"),
        w if w.num_hours() >= 1 => plural(w.num_hours(), "hour"),
        w => plural(w.num_minutes().max(0), "minute"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age(chrono::Duration::minutes(1)), "1 minute");
        assert_eq!(age(chrono::Duration::hours(5)), "5 hours");
        assert_eq!(age(chrono::Duration::days(12)), "12 days");
    }

    #[test]
    fn time_left_reads_both_ways() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default().naive_utc();
        assert_eq!(time_left(now + chrono::Duration::minutes(200), now), "3 hours left");
        assert_eq!(time_left(now - chrono::Duration::hours(2), now), "overdue by 2 hours");
        assert_eq!(time_left(now, now), "overdue by 0 minutes");
    }
}
