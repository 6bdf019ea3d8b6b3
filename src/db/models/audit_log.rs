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

/// What the moderation log is narrowed to; every part optional.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Only this actor's entries.
    pub actor_id: Option<i64>,
    /// Only actions starting with this (`post.` or `post.delete`).
    pub action_prefix: Option<String>,
    /// Only entries about this kind of target (`post`, `comment`, `user`)...
    pub target_kind: Option<String>,
    /// ...and this one.
    pub target_id: Option<i64>,
    /// Only entries older than this id (the next page).
    pub before_id: Option<i64>,
}

/// The newest entries matching `filter`, at most `limit`, newest first.
pub fn filtered(conn: &mut DbConnection, filter: &LogFilter, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    let mut query = audit_log::table.into_boxed();
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor));
    }
    if let Some(prefix) = &filter.action_prefix {
        // Actions are our own dotted names; escaping keeps a typed `%` or `_` literal.
        let escaped = prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        query = query.filter(audit_log::action.like(format!("{escaped}%")).escape('\\'));
    }
    if let Some(kind) = &filter.target_kind {
        query = query.filter(audit_log::target_kind.eq(kind.clone()));
    }
    if let Some(id) = filter.target_id {
        query = query.filter(audit_log::target_id.eq(id));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(audit_log::id.lt(before));
    }
    query.order(audit_log::id.desc()).limit(limit).select(AuditEntry::as_select()).load(conn)
}
