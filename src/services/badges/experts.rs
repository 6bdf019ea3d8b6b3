//! Community experts: the members whose answers in a tag did the most good over the last
//! [`WINDOW_DAYS`] days, computed by the badge job into `community_experts` (for the tags its
//! checks touched, and in full every few hours so the window slides), shown on the tag page and
//! offered to staff as people to thank or invite. Points come from the posts and votes alone.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

use crate::db::models::experts::{self, Expert, Standing};
use crate::db::models::tags;
use crate::db::{write_transaction, DbConnection};
use crate::services::actor::Actor;
use crate::services::{ServiceError, ServiceResult};

/// The window experts are counted over.
pub const WINDOW_DAYS: i64 = 90;
/// Points for each upvote an answer received in the window.
pub const UPVOTE_POINTS: i64 = 1;
/// Points for an answer posted in the window that its asker accepted.
pub const ACCEPTED_POINTS: i64 = 5;
/// Points for an answer staff endorsed as official in the window.
pub const ENDORSED_POINTS: i64 = 5;
/// Experts a tag page shows.
pub const ON_TAG_PAGE: i64 = 5;
/// Experts the staff page lists.
pub const ON_STAFF_PAGE: i64 = 100;

/// Recomputes the experts of tags `only` (every tag when `None`) as of `now`; returns how many
/// (tag, member) standings it stored.
pub fn refresh(conn: &mut DbConnection, only: Option<&[i64]>, now: NaiveDateTime) -> ServiceResult<usize> {
    if only.is_some_and(<[i64]>::is_empty) {
        return Ok(0);
    }
    let since = now - TimeDelta::days(WINDOW_DAYS);
    let mut standings: BTreeMap<(i64, i64), Standing> = BTreeMap::new();
    let mut add = |tally: experts::Tally, field: fn(&mut Standing) -> &mut i64| {
        for (tag_id, user_id, n) in tally {
            let standing =
                standings.entry((tag_id, user_id)).or_insert(Standing { tag_id, user_id, ..Standing::default() });
            *field(standing) += n;
        }
    };
    add(experts::upvotes_since(conn, since, only)?, |s| &mut s.upvotes);
    add(experts::accepted_since(conn, since, only)?, |s| &mut s.accepted);
    add(experts::endorsed_since(conn, since, only)?, |s| &mut s.endorsed);
    let rows: Vec<Standing> = standings
        .into_values()
        .map(|s| Standing {
            points: s.upvotes * UPVOTE_POINTS + s.accepted * ACCEPTED_POINTS + s.endorsed * ENDORSED_POINTS,
            ..s
        })
        .filter(|s| s.points > 0)
        .collect();
    let outcome = write_transaction(conn, |conn| experts::replace(conn, only, &rows, now));
    match outcome {
        Ok(()) => Ok(rows.len()),
        // Another node stored the same tags at the same moment, from the same posts.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// The experts a tag page shows: its top [`ON_TAG_PAGE`], most points first.
pub fn of_tag(conn: &mut DbConnection, tag_id: i64) -> ServiceResult<Vec<Expert>> {
    Ok(experts::top(conn, Some(tag_id), ON_TAG_PAGE)?)
}

/// What `/staff/experts` shows.
#[derive(Debug, Serialize)]
pub struct ExpertsReport {
    /// The tag asked for, if any.
    pub tag: Option<String>,
    /// The experts, most points first.
    pub experts: Vec<Expert>,
    /// The window, in days.
    pub window_days: i64,
}

/// Experts in tag `tag` (or in every tag) for staff to thank or invite; members are refused, and
/// an unknown tag is a 404.
pub fn staff_report(conn: &mut DbConnection, actor: &Actor, tag: Option<&str>) -> ServiceResult<ExpertsReport> {
    actor.ensure_staff("see the community experts")?;
    let tag_id = match tag.map(str::trim).filter(|t| !t.is_empty()) {
        Some(name) => Some(tags::find_by_name(conn, &name.to_lowercase())?.ok_or(ServiceError::NotFound("Tag"))?),
        None => None,
    };
    let experts = experts::top(conn, tag_id.as_ref().map(|t| t.id), ON_STAFF_PAGE)?;
    Ok(ExpertsReport { tag: tag_id.map(|t| t.name), experts, window_days: WINDOW_DAYS })
}
