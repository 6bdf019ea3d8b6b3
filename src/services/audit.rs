//! Writing the audit log: who did what to which post or user, inside the action's transaction.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::ServiceResult;
use crate::db::models::audit_log::{self, NewAuditEntry};
use crate::db::DbConnection;

/// Records one staff, moderator or admin action.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    target: (&str, i64),
    detail: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    insert(conn, Some(actor.id), action, target, detail, now)
}

/// Records an action that followed from another one of `actor_id`'s, e.g. an assignment
/// released because they posted the official answer (a change feed consumer knows only the id).
pub fn record_following(
    conn: &mut DbConnection,
    actor_id: i64,
    action: &str,
    target: (&str, i64),
    detail: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    insert(conn, Some(actor_id), action, target, detail, now)
}

/// Records an action no person took: a role that followed an identity provider's claim at sign-in.
pub fn record_automatic(
    conn: &mut DbConnection,
    action: &str,
    target: (&str, i64),
    detail: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    insert(conn, None, action, target, detail, now)
}

fn insert(
    conn: &mut DbConnection,
    actor_id: Option<i64>,
    action: &str,
    (target_kind, target_id): (&str, i64),
    detail: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    audit_log::insert(conn, &NewAuditEntry { actor_id, action, target_kind, target_id, detail, created_at: now })?;
    Ok(())
}
