//! Badges: earned by answering well, awarded by a background job (never in a request) from the
//! checks the change feed leaves (`changes::consumers::badges`), once each whatever reruns,
//! restarts or other nodes do. This module runs the job and reads what the badge pages show;
//! `rules` says what earns what, `job` awards, `experts` keeps the community experts.

pub mod experts;
pub mod job;
pub mod pages;
pub mod rules;
pub mod task;

use chrono::NaiveDateTime;

use crate::db::models::{badge_facts, badges};
use crate::db::DbConnection;
use crate::services::ServiceResult;

/// Members re-checked per transaction by a full re-check.
pub const MEMBERS_PER_BATCH: i64 = 500;

/// What a run of the job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Checks done (or members re-checked, for a full re-check).
    pub checked: usize,
    /// Badges awarded.
    pub awarded: usize,
    /// Community expert standings stored.
    pub experts: usize,
}

/// Does every waiting check, then recomputes the experts of the tags they touched (of every tag
/// when `all_experts`); `progress` hears how many checks each batch did.
pub fn run(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    all_experts: bool,
    progress: &mut dyn FnMut(u64),
) -> ServiceResult<RunSummary> {
    let pass = job::run_pending(conn, now, progress)?;
    let touched: Vec<i64> = pass.tags.into_iter().collect();
    let experts =
        if all_experts { experts::refresh(conn, None, now)? } else { experts::refresh(conn, Some(&touched), now)? };
    Ok(RunSummary { checked: pass.checks, awarded: pass.awarded, experts })
}

/// How many members a full re-check goes through (its progress bar's length).
pub fn member_count(conn: &mut DbConnection) -> ServiceResult<u64> {
    Ok(u64::try_from(badge_facts::member_count(conn)?).unwrap_or(0))
}

/// Re-checks every member and every answer from scratch (after an import, or to repair), a batch
/// of members per transaction, then drops the checks it covered and recomputes every tag's
/// experts; `progress` hears how many members each batch did.
pub fn recheck_all(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    progress: &mut dyn FnMut(u64),
) -> ServiceResult<RunSummary> {
    // Checks written from here on may concern answers already re-checked: they stay for the job.
    let covered = badges::newest_check(conn)?;
    let mut summary = RunSummary::default();
    let mut after = 0;
    loop {
        let members = badge_facts::member_ids_after(conn, after, MEMBERS_PER_BATCH)?;
        let Some(&last) = members.last() else { break };
        let pass = job::recheck_members(conn, &members, now)?;
        summary.checked += members.len();
        summary.awarded += pass.awarded;
        progress(members.len() as u64);
        after = last;
    }
    badges::delete_checks_through(conn, covered)?;
    summary.experts = experts::refresh(conn, None, now)?;
    Ok(summary)
}
