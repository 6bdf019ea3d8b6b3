//! `GET /staff`: the staff dashboard. Reads `?days=`, asks the dashboard service for the figures
//! and renders them as headline numbers, two SVG charts and the same numbers as tables.
//!
//! Everything about how a figure reads (durations, percentages, dates) lives here; what the
//! figures are, and who may see them, is the service's business.

use actix_web::{web, HttpResponse};
use chrono::{Days, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use tera::Context;

use crate::error::AppError;
use crate::services::dashboard::{self, Dashboard, Percentiles, WINDOW_DAYS};
use crate::services::response_targets::report;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::charts::{self, Bar, Caption};
use crate::web::visitor::{CurrentUser, Visitor};

/// Shown where there is nothing to measure yet.
const NO_DATA: &str = "—";

/// `?days=7|30|90`
#[derive(Deserialize)]
pub struct DashboardQuery {
    days: Option<String>,
}

/// GET /staff — staff, moderators and admins only.
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let days = query.into_inner().days;
    let now = chrono::Utc::now().naive_utc();
    let (board, targets) = state
        .db(move |conn| {
            let board = dashboard::overview(conn, &actor, days.as_deref(), now).map_err(bad_window)?;
            let targets = report::overview(conn, &actor, days.as_deref(), now)?;
            Ok::<_, AppError>((board, targets))
        })
        .await?;
    let mut context = page(&board);
    crate::web::target_figures::add_to(&mut context, &targets);
    // Internal figures: no cache, shared or private, may keep a copy.
    visitor.render_private(&state, "staff/dashboard.html", context)
}

/// A refused `?days=` is a malformed address (400), not a refused form (422).
fn bad_window(e: ServiceError) -> AppError {
    match e {
        ServiceError::Invalid { field: "days", reason } => AppError::BadRequest(reason),
        other => other.into(),
    }
}

/// A link to another window.
#[derive(Serialize)]
struct WindowLink {
    days: u32,
    current: bool,
}

/// Median and p90 as the page prints them.
#[derive(Serialize)]
struct Times {
    median: String,
    p90: String,
    count: usize,
}

/// One row of the trend table.
#[derive(Serialize)]
struct TrendRow {
    period: String,
    asked: i64,
    official: i64,
}

/// The page's variables.
fn page(board: &Dashboard) -> Context {
    let weekly = board.window.bucket_days() > 1;
    let trend: Vec<TrendRow> = board
        .trend
        .iter()
        .map(|b| TrendRow {
            period: if weekly { week_of(b.start, b.days) } else { iso(b.start) },
            asked: b.asked,
            official: b.official,
        })
        .collect();
    let mut context = Context::new();
    context.insert("days", &board.window.days());
    context.insert("windows", &WINDOW_DAYS.map(|days| WindowLink { days, current: days == board.window.days() }));
    context.insert("first_day", &iso(board.first_day));
    context.insert("last_day", &iso(board.last_day));
    context.insert("weekly", &weekly);
    context.insert("asked", &board.asked);
    context.insert("answered", &board.answered);
    context.insert("official", &board.official);
    context.insert("answered_share", &percent(board.answered_share()));
    context.insert("official_share", &percent(board.official_share()));
    context.insert("first_answer", &times(&board.first_answer));
    context.insert("first_official", &times(&board.first_official));
    context.insert("trend", &trend);
    context.insert("backlog", &board.backlog);
    context.insert("backlog_total", &board.backlog.iter().map(|b| b.count).sum::<i64>());
    context.insert("trend_chart", &trend_chart(board, weekly));
    context.insert("backlog_chart", &backlog_chart(board));
    context
}

fn trend_chart(board: &Dashboard, weekly: bool) -> charts::Svg {
    let bars: Vec<Bar> = board
        .trend
        .iter()
        .map(|b| Bar { label: b.start.format("%b %-d").to_string(), total: b.asked, part: b.official })
        .collect();
    let unit = if weekly { "week" } else { "day" };
    let description = format!(
        "Questions asked per {unit} from {} to {}: {} in all, {} of them with an official answer (the darker \
         part of each bar). The table below gives the same numbers.",
        iso(board.first_day),
        iso(board.last_day),
        board.asked,
        board.official,
    );
    let caption =
        Caption { id: "trend-chart", title: "Questions asked and officially answered", description: &description };
    let x_label = if weekly { "Week starting" } else { "Day" };
    charts::bar_chart(caption, &bars, ("asked", "with an official answer"), (x_label, "Questions"))
}

fn backlog_chart(board: &Dashboard) -> charts::Svg {
    let rows: Vec<(&str, i64)> = board.backlog.iter().map(|b| (b.label, b.count)).collect();
    let parts: Vec<String> = rows.iter().map(|(label, count)| format!("{label}: {count}")).collect();
    let description = format!(
        "Open questions without any answer, by age. {}. The table below gives the same numbers.",
        parts.join("; ")
    );
    let caption = Caption { id: "backlog-chart", title: "Unanswered questions by age", description: &description };
    charts::horizontal_bar_chart(caption, &rows, "Open questions")
}

fn times(p: &Percentiles) -> Times {
    Times { median: duration_or_dash(p.median), p90: duration_or_dash(p.p90), count: p.count }
}

fn duration_or_dash(d: Option<TimeDelta>) -> String {
    d.map_or_else(|| NO_DATA.to_owned(), format_duration)
}

/// A response time the way people say it: "45 min", "3 h 20 min", "2 d 4 h" (rounded down to
/// the two largest units), "< 1 min" below a minute.
pub fn format_duration(d: TimeDelta) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "< 1 min".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// A share as a whole percentage ("67%"), or a dash when there is nothing to divide.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| NO_DATA.to_owned(), |s| format!("{}%", (s * 100.0).round() as i64))
}

fn iso(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// "2026-03-02 to 2026-03-08": a week spelled out, since the last one may be short.
fn week_of(start: NaiveDate, days: u32) -> String {
    let end = start + Days::new(u64::from(days.max(1)) - 1);
    format!("{} to {}", iso(start), iso(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_speech() {
        let cases = [
            (0, "< 1 min"),
            (59, "< 1 min"),
            (60, "1 min"),
            (45 * 60 + 30, "45 min"),
            (3600, "1 h"),
            (3 * 3600 + 20 * 60 + 59, "3 h 20 min"),
            (86_400, "1 d"),
            (2 * 86_400 + 4 * 3600 + 59 * 60, "2 d 4 h"),
            (40 * 86_400, "40 d"),
            (-5, "< 1 min"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(format_duration(TimeDelta::seconds(seconds)), expected, "{seconds} s");
        }
        assert_eq!(duration_or_dash(None), "—");
    }

    #[test]
    fn shares_are_whole_percentages() {
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(0.0)), "0%");
        assert_eq!(percent(Some(2.0 / 3.0)), "67%");
        assert_eq!(percent(Some(0.625)), "63%");
        assert_eq!(percent(Some(1.0)), "100%");
    }
}
