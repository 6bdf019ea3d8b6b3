//! "My work" for staff (`/staff/my-work`): the questions assigned to me, and the ones in the
//! topics I lead that still wait for an official answer, with who (if anyone) is on each; and
//! first, those of either kind nearing or past their response target, due soonest first.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::actor::Actor;
use super::staff_queue::{items_of, QueueItem};
use super::topics::{self, MyTopics};
use super::ServiceResult;
use crate::db::models::{assignments, posts, response_deadlines, staff_queue, topics as topic_rows};
use crate::db::DbConnection;

/// Questions listed in each section, at most.
const SECTION_SIZE: i64 = 50;

/// What "My work" shows.
#[derive(Debug, Clone, Serialize)]
pub struct MyWork {
    /// Questions in my topics or assigned to me past 75 % of their target, due soonest first.
    pub nearing: Vec<QueueItem>,
    /// Questions I am on, longest held first.
    pub assigned: Vec<QueueItem>,
    /// Questions in topics I lead without an official answer, waiting longest first, those I am
    /// on left out (they are listed above).
    pub in_my_topics: Vec<QueueItem>,
    /// The topics I lead and watch.
    pub topics: MyTopics,
}

/// My work, for a staff member.
pub fn load(conn: &mut DbConnection, actor: &Actor, now: NaiveDateTime) -> ServiceResult<MyWork> {
    actor.ensure_staff("see staff work")?;
    let assigned_ids = assignments::question_ids_of(conn, actor.id, SECTION_SIZE)?;
    let mut assigned_rows = posts::find_many(conn, &assigned_ids)?;
    assigned_rows.retain(|p| p.deleted_at.is_none());
    assigned_rows.sort_by_key(|p| assigned_ids.iter().position(|id| *id == p.id));
    let led = topic_rows::tags_led_by(conn, actor.id)?;
    let mut open_rows = staff_queue::in_tags(conn, &led, SECTION_SIZE + assigned_ids.len() as i64)?;
    open_rows.retain(|p| !assigned_ids.contains(&p.id));
    open_rows.truncate(SECTION_SIZE as usize);
    let nearing_rows = response_deadlines::nearing_among(conn, &led, &assigned_ids, now, SECTION_SIZE)?;
    Ok(MyWork {
        nearing: items_of(conn, nearing_rows, now)?,
        assigned: items_of(conn, assigned_rows, now)?,
        in_my_topics: items_of(conn, open_rows, now)?,
        topics: topics::mine(conn, actor)?,
    })
}
