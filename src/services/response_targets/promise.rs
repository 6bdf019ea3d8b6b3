//! Fixing a question's promise when it becomes public: its strictest topic target, else the
//! site's; none when that is 0. Runs in the transaction of the change that made it public.

use chrono::{NaiveDateTime, TimeDelta};

use super::NEARING_PERCENT;
use crate::db::models::response_deadlines::{self, ResponseDeadline};
use crate::db::models::topics;
use crate::db::DbConnection;
use crate::services::ServiceResult;
use crate::site_settings::SiteSettings;

/// The promise for a question made public at `at` under `settings`, with its topics' targets
/// taken into account, or `None` when no target applies.
pub fn of_question(
    conn: &mut DbConnection,
    settings: &SiteSettings,
    question_id: i64,
    at: NaiveDateTime,
) -> ServiceResult<Option<ResponseDeadline>> {
    let site = i32::try_from(settings.response_target_hours).unwrap_or(i32::MAX);
    let hours = topics::target_of_question(conn, question_id)?.filter(|h| *h > 0).unwrap_or(site);
    Ok(deadline(settings, question_id, hours, at))
}

/// The promise of `hours` made at `at`: nearing at 75 % of the target, both counted in
/// business hours; `None` for no target.
pub fn deadline(settings: &SiteSettings, question_id: i64, hours: i32, at: NaiveDateTime) -> Option<ResponseDeadline> {
    if hours <= 0 {
        return None;
    }
    let target = TimeDelta::hours(i64::from(hours));
    let nearing = TimeDelta::seconds(target.num_seconds() * NEARING_PERCENT / 100);
    Some(ResponseDeadline {
        question_id,
        target_hours: hours,
        nearing_at: settings.business_hours.deadline(at, nearing),
        due_at: settings.business_hours.deadline(at, target),
    })
}

/// Records a question's promise unless it has one (a hidden question restored keeps the
/// promise it was first given).
pub fn make(
    conn: &mut DbConnection,
    settings: &SiteSettings,
    question_id: i64,
    at: NaiveDateTime,
) -> ServiceResult<()> {
    if response_deadlines::exists(conn, question_id)? {
        return Ok(());
    }
    if let Some(deadline) = of_question(conn, settings, question_id, at)? {
        response_deadlines::insert(conn, &deadline)?;
    }
    Ok(())
}
