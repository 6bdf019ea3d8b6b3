//! The staff dashboard's figures: how many questions were asked in a window of days, how many the
//! community and the staff answered, how long the first answer and the first official answer
//! took, the daily or weekly trend, and the backlog of unanswered questions by age.
//!
//! All time arithmetic happens here, in Rust, on plain timestamps the model fetched, so SQLite and
//! PostgreSQL give the same numbers. Times are UTC; days are UTC calendar days. It reads only and
//! knows nothing of HTTP or of how the figures are drawn.

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use super::actor::Actor;
use super::{ServiceError, ServiceResult};
use crate::db::models::staff_stats::{self, AskedQuestion, AskedRange};
use crate::db::DbConnection;

/// The windows the dashboard offers, in days.
pub const WINDOW_DAYS: [u32; 3] = [7, 30, 90];
/// The window shown when none is asked for.
pub const DEFAULT_DAYS: u32 = 30;

/// The backlog's age groups, in days: `[from, to)`, the last one open-ended.
const BACKLOG_AGES: [(u64, Option<u64>, &str); 5] = [
    (0, Some(1), "Under 1 day"),
    (1, Some(7), "1–7 days"),
    (7, Some(30), "7–30 days"),
    (30, Some(90), "30–90 days"),
    (90, None, "Over 90 days"),
];

/// A window of whole UTC days ending today (today included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    days: u32,
}

impl Window {
    /// Reads `?days=`: absent means [`DEFAULT_DAYS`]; anything but 7, 30 or 90 is refused.
    pub fn parse(days: Option<&str>) -> ServiceResult<Self> {
        let Some(text) = days.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Self { days: DEFAULT_DAYS });
        };
        text.parse::<u32>()
            .ok()
            .filter(|d| WINDOW_DAYS.contains(d))
            .map(|days| Self { days })
            .ok_or_else(|| ServiceError::invalid("days", "Choose a window of 7, 30 or 90 days."))
    }

    /// The number of days.
    pub fn days(self) -> u32 {
        self.days
    }

    /// Days per trend bucket: one day for short windows, a week for 90 days (90 bars would be
    /// too thin to read).
    pub fn bucket_days(self) -> u32 {
        if self.days > 30 {
            7
        } else {
            1
        }
    }
}

/// Median and 90th percentile of a set of durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    /// How many durations there were.
    pub count: usize,
    /// The median, or `None` without data.
    pub median: Option<TimeDelta>,
    /// The 90th percentile, or `None` without data.
    pub p90: Option<TimeDelta>,
}

impl Percentiles {
    /// The percentiles of durations given in seconds (in any order).
    pub fn of_seconds(mut seconds: Vec<i64>) -> Self {
        seconds.sort_unstable();
        let at = |p| percentile(&seconds, p).map(TimeDelta::seconds);
        Self { count: seconds.len(), median: at(0.5), p90: at(0.9) }
    }
}

/// One bar of the trend: the questions asked in `days` days from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendBucket {
    /// The first day of the bucket.
    pub start: NaiveDate,
    /// How many days it covers (the last week of a 90-day window is shorter).
    pub days: u32,
    /// Questions asked.
    pub asked: i64,
    /// Of those, questions that have an official answer.
    pub official: i64,
}

/// Open questions in one age group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BacklogBucket {
    /// The age group, e.g. "1–7 days".
    pub label: &'static str,
    /// Open questions of that age.
    pub count: i64,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The window shown.
    pub window: Window,
    /// The first day of the window.
    pub first_day: NaiveDate,
    /// The last day of the window (today).
    pub last_day: NaiveDate,
    /// Questions asked in the window (not deleted).
    pub asked: i64,
    /// Of those, questions with at least one answer.
    pub answered: i64,
    /// Of those, questions with an official answer.
    pub official: i64,
    /// Time from asking to the first answer, over the window's questions that have one.
    pub first_answer: Percentiles,
    /// Time from asking to the first official answer, over those that have one.
    pub first_official: Percentiles,
    /// Questions per day (7 and 30 days) or per week (90 days), oldest first.
    pub trend: Vec<TrendBucket>,
    /// Open questions (no answer yet) by age, youngest first; independent of the window.
    pub backlog: Vec<BacklogBucket>,
}

impl Dashboard {
    /// The share of questions answered by anyone, 0–1, or `None` when none were asked.
    pub fn answered_share(&self) -> Option<f64> {
        share(self.answered, self.asked)
    }

    /// The share of questions with an official answer, 0–1, or `None` when none were asked.
    pub fn official_share(&self) -> Option<f64> {
        share(self.official, self.asked)
    }
}

/// The dashboard for staff, over the window `days` (see [`Window::parse`]) ending on `now`'s day.
pub fn overview(
    conn: &mut DbConnection,
    actor: &Actor,
    days: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<Dashboard> {
    actor.ensure_staff("see the dashboard")?;
    let window = Window::parse(days)?;
    let last_day = now.date();
    let first_day = last_day - Days::new(u64::from(window.days()) - 1);
    let until = (last_day + Days::new(1)).and_time(NaiveTime::MIN);
    let (questions, counts) =
        staff_stats::window_and_backlog(conn, first_day.and_time(NaiveTime::MIN), until, &backlog_ranges(now))?;
    let backlog =
        BACKLOG_AGES.iter().zip(counts).map(|(&(_, _, label), count)| BacklogBucket { label, count }).collect();
    Ok(summarise(window, first_day, last_day, &questions, backlog))
}

/// The asking times of each age group, counted with one indexed range count apiece.
fn backlog_ranges(now: NaiveDateTime) -> Vec<AskedRange> {
    BACKLOG_AGES
        .iter()
        .map(|&(from, to, _)| {
            // Age in [from, to) means asked in (now - to, now - from]; the youngest group also
            // takes questions stamped slightly in the future by a skewed clock.
            let up_to = (from > 0).then(|| now - Days::new(from));
            let after = to.map(|to| now - Days::new(to));
            (after, up_to)
        })
        .collect()
}

/// Turns the window's questions into the figures.
fn summarise(
    window: Window,
    first_day: NaiveDate,
    last_day: NaiveDate,
    questions: &[AskedQuestion],
    backlog: Vec<BacklogBucket>,
) -> Dashboard {
    let total_days = window.days();
    let step = window.bucket_days();
    let mut trend: Vec<TrendBucket> = (0..total_days.div_ceil(step))
        .map(|i| TrendBucket {
            start: first_day + Days::new(u64::from(i * step)),
            days: step.min(total_days - i * step),
            asked: 0,
            official: 0,
        })
        .collect();
    let (mut to_answer, mut to_official) = (Vec::new(), Vec::new());
    for q in questions {
        let day = (q.created_at.date() - first_day).num_days();
        let bucket = usize::try_from(day / i64::from(step)).ok().and_then(|i| trend.get_mut(i));
        if let Some(bucket) = bucket {
            bucket.asked += 1;
            bucket.official += i64::from(q.has_official);
        }
        // A first answer stamped before its question (an import, a clock step) counts as instant.
        if let Some(at) = q.first_answer_at {
            to_answer.push((at - q.created_at).num_seconds().max(0));
        }
        if let Some(at) = q.first_official_at {
            to_official.push((at - q.created_at).num_seconds().max(0));
        }
    }
    Dashboard {
        window,
        first_day,
        last_day,
        asked: questions.len() as i64,
        answered: questions.iter().filter(|q| q.answer_count > 0).count() as i64,
        official: questions.iter().filter(|q| q.has_official).count() as i64,
        first_answer: Percentiles::of_seconds(to_answer),
        first_official: Percentiles::of_seconds(to_official),
        trend,
        backlog,
    }
}

/// `part / whole`, or `None` when `whole` is zero.
fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The `p`-th quantile (0–1) of sorted values, interpolating linearly between the two nearest
/// ranks (as spreadsheets' PERCENTILE.INC does, so staff can check a figure by hand), rounded to
/// the nearest whole value; `None` for no values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let above = (below + 1).min(last);
    let (low, high) = (*sorted.get(below)? as f64, *sorted.get(above)? as f64);
    Some((low + (high - low) * (rank - below as f64)).round() as i64)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test should fail loudly")]

    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[42], 0.5), Some(42));
        assert_eq!(percentile(&[42], 0.9), Some(42));
        assert_eq!(percentile(&[10, 20, 30], 0.5), Some(20));
        assert_eq!(percentile(&[10, 20, 30, 40], 0.5), Some(25));
        // rank 0.9 * 9 = 8.1: between 90 and 100, a tenth of the way.
        let tens: Vec<i64> = (1..=10).map(|i| i * 10).collect();
        assert_eq!(percentile(&tens, 0.9), Some(91));
        assert_eq!(percentile(&tens, 0.0), Some(10));
        assert_eq!(percentile(&tens, 1.0), Some(100));
    }

    #[test]
    fn percentiles_sort_their_input() {
        let p = Percentiles::of_seconds(vec![3600, 60, 7200]);
        assert_eq!(p.count, 3);
        assert_eq!(p.median, Some(TimeDelta::seconds(3600)));
        assert_eq!(p.p90, Some(TimeDelta::seconds(6480)));
        assert_eq!(Percentiles::of_seconds(Vec::new()), Percentiles::default());
    }

    #[test]
    fn windows_are_7_30_or_90_days() {
        assert_eq!(Window::parse(None).unwrap().days(), 30);
        assert_eq!(Window::parse(Some("")).unwrap().days(), 30);
        assert_eq!(Window::parse(Some("7")).unwrap().bucket_days(), 1);
        assert_eq!(Window::parse(Some("90")).unwrap().bucket_days(), 7);
        for bad in ["0", "8", "365", "-7", "abc", "30.5"] {
            assert!(Window::parse(Some(bad)).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn a_90_day_trend_has_13_weeks_the_last_one_short() {
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let window = Window::parse(Some("90")).unwrap();
        let board = summarise(window, first, first + Days::new(89), &[], Vec::new());
        assert_eq!(board.trend.len(), 13);
        assert_eq!(board.trend.iter().map(|b| b.days).sum::<u32>(), 90);
        assert_eq!(board.trend[12].days, 6);
        assert_eq!(board.trend[12].start, first + Days::new(84));
        assert_eq!(board.answered_share(), None);
    }
}
