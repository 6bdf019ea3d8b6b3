//! The staff's "FAQ gaps": what people searched for in the last 30 days and did not find (no
//! result, or no result worth opening), most frequent first, so staff know which answer to write.

use chrono::{NaiveDateTime, TimeDelta};

use super::actor::Actor;
use super::ServiceResult;
use crate::db::models::gap_waiters::{self, AnsweredGap};
use crate::db::models::search_log::{self, Deflector, Gap, SearchTotals};
use crate::db::DbConnection;

/// The window the report covers.
pub const WINDOW_DAYS: i64 = 30;
/// Gaps listed, at most.
const MAX_GAPS: i64 = 50;
/// Questions listed as the most useful suggestions, at most.
const MAX_DEFLECTORS: i64 = 10;
/// Gaps with people waiting that are counted, at most.
const MAX_WAITING: i64 = 200;
/// Answered gaps listed, at most.
const MAX_ANSWERED: i64 = 10;

/// Everything `/staff/gaps` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GapsReport {
    /// Days covered.
    pub window_days: i64,
    /// Unanswered queries, most searched first.
    pub gaps: Vec<Gap>,
    /// Totals over the window.
    pub totals: SearchTotals,
    /// Questions members opened instead of asking, most often first.
    pub deflectors: Vec<Deflector>,
    /// People waiting to be told, by gap (the gaps listed and any other waited for).
    pub waiting: Vec<WaitingGap>,
    /// Everyone waiting, over every gap.
    pub waiting_total: i64,
    /// Gaps staff answered lately, newest first.
    pub answered: Vec<AnsweredGap>,
}

/// A gap someone asked to hear about, with how many wait.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WaitingGap {
    /// The normalised query.
    pub query: String,
    /// People waiting.
    pub waiting: i64,
}

/// The report for staff (moderators and admins included); members are refused.
pub fn report(conn: &mut DbConnection, actor: &Actor, now: NaiveDateTime) -> ServiceResult<GapsReport> {
    actor.ensure_staff("see what people searched for")?;
    let since = now - TimeDelta::days(WINDOW_DAYS);
    let waiting: Vec<WaitingGap> = gap_waiters::waiting_counts(conn, MAX_WAITING)?
        .into_iter()
        .map(|(query, waiting)| WaitingGap { query, waiting })
        .collect();
    Ok(GapsReport {
        window_days: WINDOW_DAYS,
        gaps: search_log::gaps(conn, since, MAX_GAPS)?,
        totals: search_log::totals(conn, since)?,
        deflectors: search_log::top_deflectors(conn, since, MAX_DEFLECTORS)?,
        waiting_total: waiting.iter().map(|gap| gap.waiting).sum(),
        waiting,
        answered: gap_waiters::recently_answered(conn, MAX_ANSWERED)?,
    })
}
