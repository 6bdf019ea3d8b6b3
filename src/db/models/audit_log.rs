//! The `audit_log` table: an append-only record of staff and moderator actions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::DbConnection;

/// One recorded action.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// Who acted; `None` for the command line or a deleted account.
    pub actor_id: Option<i64>,
    /// What was done, e.g. `user.role`, `user.suspend`.
    pub action: String,
    /// What kind of thing it was done to, e.g. `user`.
    pub target_kind: String,
    /// Which one.
    pub target_id: i64,
    /// Details, e.g. the new role or the reason.
    pub detail: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// An action to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry<'a> {
    /// Who acted.
    pub actor_id: Option<i64>,
    /// What was done.
    pub action: &'a str,
    /// What kind of thing it was done to.
    pub target_kind: &'a str,
    /// Which one.
    pub target_id: i64,
    /// Details.
    pub detail: Option<&'a str>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Records an action; call inside the transaction of the action itself.
pub fn insert(conn: &mut DbConnection, entry: &NewAuditEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table).values(entry).execute(conn).map(drop)
}

/// The newest entries about one target, newest first.
pub fn for_target(conn: &mut DbConnection, kind: &str, id: i64, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::target_kind.eq(kind))
        .filter(audit_log::target_id.eq(id))
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
}
