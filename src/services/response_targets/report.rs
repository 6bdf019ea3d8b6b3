//! The dashboard's account of promises kept: per week of the window and per topic, how many
//! questions were answered officially within their target, and the promises broken right now.
//!
//! A question with a deadline is **met** when its first official answer came at or before its
//! due time, **missed** when it had none by then and that time has passed, and **pending**
//! otherwise; the share is met / (met + missed), pending left out. Weeks and topics count the
//! questions asked in the window; all time arithmetic happens here, in Rust, so both backends
//! give the same figures.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::Serialize;

use crate::db::models::assignments;
use crate::db::models::response_deadlines::{self, Promise};
use crate::db::DbConnection;
use crate::domain::{paths, QuestionId};
use crate::services::actor::Actor;
use crate::services::dashboard::Window;
use crate::services::ServiceResult;

/// Topics shown in the per-topic figures, those with most promises first.
pub const TOP_TAGS: usize = 10;
/// Breaches listed, due longest ago first.
pub const BREACHES_SHOWN: i64 = 50;

/// Promises met, missed and still pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    /// Answered officially by the due time.
    pub met: i64,
    /// Not answered officially by a due time now past.
    pub missed: i64,
    /// Not yet due and not yet answered officially.
    pub pending: i64,
}

impl Tally {
    /// Counts one promise as it stands at `now`.
    fn count(&mut self, promise: &Promise, now: NaiveDateTime) {
        match promise.first_official_at {
            Some(at) if at <= promise.due_at => self.met += 1,
            _ if promise.due_at <= now => self.missed += 1,
            _ => self.pending += 1,
        }
    }

    /// The share met of those decided (met or missed), 0–1, or `None` when none are.
    pub fn share(&self) -> Option<f64> {
        let decided = self.met + self.missed;
        (decided > 0).then(|| self.met as f64 / decided as f64)
    }

    /// All promises counted.
    pub fn total(&self) -> i64 {
        self.met + self.missed + self.pending
    }
}

/// One week of the window (the last may be shorter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekTally {
    /// Its first day.
    pub start: NaiveDate,
    /// Its days.
    pub days: u32,
    /// Its questions' promises.
    pub tally: Tally,
}

/// One topic's promises in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagTally {
    /// The tag's name.
    pub tag: String,
    /// Its questions' promises.
    pub tally: Tally,
}

/// A question past its due time without an official answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    /// The question.
    pub question_id: i64,
    /// Its title.
    pub title: String,
    /// Where it is.
    pub path: String,
    /// When it was due.
    pub due_at: NaiveDateTime,
    /// How long ago that was.
    #[serde(skip)]
    pub overdue: TimeDelta,
    /// Its topics.
    pub tags: Vec<String>,
    /// The display name of the staff member on it, if anyone is.
    pub assignee: Option<String>,
}

/// What the dashboard shows about response targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetReport {
    /// The window's weeks, oldest first.
    pub weeks: Vec<WeekTally>,
    /// The window's topics with most promises, most first (then by name).
    pub tags: Vec<TagTally>,
    /// All of the window's promises.
    pub total: Tally,
    /// Open questions past due now, due longest ago first.
    pub breaches: Vec<Breach>,
}

/// The report for staff over the dashboard's window `days` ending on `now`'s day.
pub fn overview(
    conn: &mut DbConnection,
    actor: &Actor,
    days: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<TargetReport> {
    actor.ensure_staff("see the dashboard")?;
    let window = Window::parse(days)?;
    let last_day = now.date();
    let first_day = last_day - Days::new(u64::from(window.days()) - 1);
    let until = (last_day + Days::new(1)).and_time(NaiveTime::MIN);
    let promises = response_deadlines::asked_between(conn, first_day.and_time(NaiveTime::MIN), until)?;
    let ids: Vec<i64> = promises.iter().map(|p| p.question_id).collect();
    let tag_rows = response_deadlines::tag_names(conn, &ids)?;
    let mut report = summarise(window.days(), first_day, &promises, &tag_rows, now);
    report.breaches = breaches(conn, now)?;
    Ok(report)
}

/// Open questions past due at `now`, due longest ago first, with their topics and assignee.
pub fn breaches(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<Vec<Breach>> {
    let rows = response_deadlines::breaches(conn, now, BREACHES_SHOWN)?;
    let ids: Vec<i64> = rows.iter().map(|(post, _)| post.id).collect();
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in response_deadlines::tag_names(conn, &ids)? {
        tags.entry(id).or_default().push(name);
    }
    let on: HashMap<i64, String> =
        assignments::of_questions(conn, &ids)?.into_iter().map(|a| (a.question_id, a.display_name)).collect();
    Ok(rows
        .into_iter()
        .map(|(post, deadline)| {
            let mut topic_names = tags.remove(&post.id).unwrap_or_default();
            topic_names.sort();
            Breach {
                question_id: post.id,
                path: paths::question(QuestionId(post.id), post.slug.as_deref()),
                title: post.title.unwrap_or_default(),
                due_at: deadline.due_at,
                overdue: now - deadline.due_at,
                tags: topic_names,
                assignee: on.get(&post.id).cloned(),
            }
        })
        .collect())
}

/// Counts the window's promises by week and by topic.
fn summarise(
    total_days: u32,
    first_day: NaiveDate,
    promises: &[Promise],
    tag_rows: &[(i64, String)],
    now: NaiveDateTime,
) -> TargetReport {
    let mut weeks: Vec<WeekTally> = (0..total_days.div_ceil(7))
        .map(|i| WeekTally {
            start: first_day + Days::new(u64::from(i * 7)),
            days: 7.min(total_days - i * 7),
            tally: Tally::default(),
        })
        .collect();
    let mut total = Tally::default();
    let mut by_question: HashMap<i64, &Promise> = HashMap::new();
    for promise in promises {
        total.count(promise, now);
        by_question.insert(promise.question_id, promise);
        let day = (promise.created_at.date() - first_day).num_days();
        if let Some(week) = usize::try_from(day / 7).ok().and_then(|i| weeks.get_mut(i)) {
            week.tally.count(promise, now);
        }
    }
    let mut by_tag: BTreeMap<&str, Tally> = BTreeMap::new();
    for (question, tag) in tag_rows {
        if let Some(promise) = by_question.get(question) {
            by_tag.entry(tag.as_str()).or_default().count(promise, now);
        }
    }
    let mut tags: Vec<TagTally> =
        by_tag.into_iter().map(|(tag, tally)| TagTally { tag: tag.to_owned(), tally }).collect();
    // Stable: equal totals stay in name order.
    tags.sort_by_key(|t| std::cmp::Reverse(t.tally.total()));
    tags.truncate(TOP_TAGS);
    TargetReport { weeks, tags, total, breaches: Vec::new() }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test should fail loudly")]

    use super::*;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap().and_hms_opt(hour, 0, 0).unwrap()
    }

    fn promise(id: i64, asked: NaiveDateTime, official: Option<NaiveDateTime>, due: NaiveDateTime) -> Promise {
        Promise { question_id: id, created_at: asked, first_official_at: official, due_at: due }
    }

    #[test]
    fn met_missed_and_pending_follow_the_due_time() {
        let now = at(10, 12);
        let mut tally = Tally::default();
        tally.count(&promise(1, at(1, 0), Some(at(1, 24 - 1)), at(2, 0)), now);
        tally.count(&promise(2, at(1, 0), Some(at(2, 0)), at(2, 0)), now);
        tally.count(&promise(3, at(1, 0), Some(at(3, 0)), at(2, 0)), now);
        tally.count(&promise(4, at(1, 0), None, at(2, 0)), now);
        tally.count(&promise(5, at(10, 0), None, at(11, 0)), now);
        tally.count(&promise(6, at(10, 0), Some(at(12, 0)), at(11, 0)), now);
        assert_eq!(tally, Tally { met: 2, missed: 2, pending: 2 });
        assert_eq!(tally.share(), Some(0.5));
        assert_eq!(Tally::default().share(), None);
    }
}
