//! Insights for the company (`/staff/insights`): what the market is asking more of this week
//! (topics and title words whose questions grow beyond chance), searches rising without an
//! answer, and how long official answers take by topic. Counts only: no member is named.

pub mod mail;
pub mod rising;
pub mod terms;

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};

use super::actor::Actor;
use super::{dashboard, ServiceResult};
use crate::db::models::insights;
use crate::db::DbConnection;
use crate::domain::{paths, QuestionId};
pub use rising::{Rising, BASE_WEEKS, MIN_COUNT, Z_MIN};

/// Topics or queries read for each week compared, at most (the most frequent).
const CANDIDATES: i64 = 300;
/// Titles read for the word counts, at most (the newest).
const MAX_TITLES: i64 = 50_000;
/// Rows listed in each table, at most.
const LISTED: usize = 25;
/// The window the official-answer times cover.
pub const OFFICIAL_DAYS: i64 = 90;

/// How fast a topic's questions got their first official answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OfficialSpeed {
    /// The topic.
    pub tag: String,
    /// Questions of the window with an official answer.
    pub answered: i64,
    /// Half of them were answered within this many hours.
    pub median_hours: f64,
    /// Nine in ten were answered within this many hours.
    pub p90_hours: f64,
}

/// An answer that serves many: a question with an official or accepted answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ServedAnswer {
    /// The question's title.
    pub title: String,
    /// Its canonical path.
    pub path: String,
    /// Times its page was viewed.
    pub views: i64,
    /// Whether the answer is official (else accepted).
    pub official: bool,
    /// Members about to ask who opened it instead.
    pub deflections: i64,
    /// Searches that led to it.
    pub search_clicks: i64,
    /// The estimate of questions it saved: people who had the question, searched or were about
    /// to ask, and found it instead (deflections plus search clicks).
    pub saved: i64,
}

/// Everything `/staff/insights` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InsightsReport {
    /// The start of the week compared (the last seven days).
    pub week_start: NaiveDateTime,
    /// How many earlier weeks it is compared with.
    pub base_weeks: i64,
    /// The significance a rise needs (standard deviations above what the earlier weeks predict).
    pub z_min: f64,
    /// Topics whose questions rose.
    pub rising_topics: Vec<Rising>,
    /// Title words whose questions rose.
    pub rising_terms: Vec<Rising>,
    /// Searches nobody followed to a question, rising.
    pub rising_searches: Vec<Rising>,
    /// Days the official-answer times cover.
    pub official_days: i64,
    /// Time to the first official answer, by topic, busiest first.
    pub official_speed: Vec<OfficialSpeed>,
    /// The most viewed questions with an official or accepted answer.
    pub most_served: Vec<ServedAnswer>,
}

/// The report, for staff only.
pub fn report(conn: &mut DbConnection, actor: &Actor, now: NaiveDateTime) -> ServiceResult<InsightsReport> {
    actor.ensure_staff("see the insights")?;
    build(conn, now)
}

/// The report as of `now`, for whoever may see it (the page checks; the weekly mail goes to the
/// list admins keep).
pub fn build(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<InsightsReport> {
    let week_start = now - TimeDelta::weeks(1);
    let base_start = week_start - TimeDelta::weeks(BASE_WEEKS);
    Ok(InsightsReport {
        week_start,
        base_weeks: BASE_WEEKS,
        z_min: Z_MIN,
        rising_topics: rising_topics(conn, base_start, week_start, now)?,
        rising_terms: rising_terms(conn, base_start, week_start)?,
        rising_searches: rising_searches(conn, base_start, week_start, now)?,
        official_days: OFFICIAL_DAYS,
        official_speed: official_speed(conn, now - TimeDelta::days(OFFICIAL_DAYS))?,
        most_served: most_served(conn)?,
    })
}

fn rising_topics(
    conn: &mut DbConnection,
    base_start: NaiveDateTime,
    week_start: NaiveDateTime,
    now: NaiveDateTime,
) -> ServiceResult<Vec<Rising>> {
    let this_week = insights::questions_by_tag(conn, week_start, now, None, CANDIDATES)?;
    let names: Vec<String> = this_week.iter().map(|(name, _)| name.clone()).collect();
    let before: HashMap<String, i64> =
        insights::questions_by_tag(conn, base_start, week_start, Some(&names), CANDIDATES)?.into_iter().collect();
    Ok(list(rising::rising(this_week.into_iter().map(|(name, count)| {
        let earlier = before.get(&name).copied().unwrap_or(0);
        (name, count, earlier)
    }))))
}

fn rising_terms(
    conn: &mut DbConnection,
    base_start: NaiveDateTime,
    week_start: NaiveDateTime,
) -> ServiceResult<Vec<Rising>> {
    let titles = insights::question_titles_since(conn, base_start, MAX_TITLES)?;
    let counts =
        terms::count_by_week(titles.iter().filter_map(|(title, at)| title.as_deref().map(|t| (t, *at >= week_start))));
    Ok(list(rising::rising(counts)))
}

fn rising_searches(
    conn: &mut DbConnection,
    base_start: NaiveDateTime,
    week_start: NaiveDateTime,
    now: NaiveDateTime,
) -> ServiceResult<Vec<Rising>> {
    let this_week = insights::unanswered_searches(conn, week_start, now, None, CANDIDATES)?;
    let queries: Vec<String> = this_week.iter().map(|(query, _)| query.clone()).collect();
    let before: HashMap<String, i64> =
        insights::unanswered_searches(conn, base_start, week_start, Some(&queries), CANDIDATES)?.into_iter().collect();
    Ok(list(rising::rising(this_week.into_iter().map(|(query, count)| {
        let earlier = before.get(&query).copied().unwrap_or(0);
        (query, count, earlier)
    }))))
}

fn official_speed(conn: &mut DbConnection, since: NaiveDateTime) -> ServiceResult<Vec<OfficialSpeed>> {
    let mut by_tag: HashMap<String, Vec<i64>> = HashMap::new();
    for (tag, asked, answered) in insights::first_official_by_tag(conn, since)? {
        by_tag.entry(tag).or_default().push((answered - asked).num_seconds().max(0));
    }
    let hours = |seconds: Option<i64>| (seconds.unwrap_or(0) as f64 / 360.0).round() / 10.0;
    let mut speeds: Vec<OfficialSpeed> = by_tag
        .into_iter()
        .map(|(tag, mut seconds)| {
            seconds.sort_unstable();
            OfficialSpeed {
                tag,
                answered: i64::try_from(seconds.len()).unwrap_or(i64::MAX),
                // The dashboard's percentiles, so the two pages agree on a figure.
                median_hours: hours(dashboard::percentile(&seconds, 0.5)),
                p90_hours: hours(dashboard::percentile(&seconds, 0.9)),
            }
        })
        .collect();
    speeds.sort_by(|a, b| b.answered.cmp(&a.answered).then_with(|| a.tag.cmp(&b.tag)));
    speeds.truncate(LISTED);
    Ok(speeds)
}

fn most_served(conn: &mut DbConnection) -> ServiceResult<Vec<ServedAnswer>> {
    let questions = insights::most_viewed_answered(conn, LISTED as i64)?;
    let ids: Vec<i64> = questions.iter().map(|q| q.id).collect();
    let deflections: HashMap<i64, i64> = insights::deflections_of(conn, &ids)?.into_iter().collect();
    let clicks: HashMap<i64, i64> = insights::search_clicks_of(conn, &ids)?.into_iter().collect();
    Ok(questions
        .into_iter()
        .map(|q| {
            let deflections = deflections.get(&q.id).copied().unwrap_or(0);
            let search_clicks = clicks.get(&q.id).copied().unwrap_or(0);
            ServedAnswer {
                path: paths::question(QuestionId(q.id), q.slug.as_deref()),
                title: q.title.unwrap_or_default(),
                views: q.views,
                official: q.official,
                deflections,
                search_clicks,
                saved: deflections + search_clicks,
            }
        })
        .collect())
}

fn list(mut rows: Vec<Rising>) -> Vec<Rising> {
    rows.truncate(LISTED);
    rows
}
