//! The moderation log at `/mod/log`: every staff, moderator and admin action (and what the site
//! did by itself, like hiding a post that reached the spam-flag threshold), newest first,
//! filterable by who acted, what was done and to what.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::question_page::{author_view, AuthorView};
use super::{ServiceError, ServiceResult};
use crate::db::models::audit_log::{self, LogFilter};
use crate::db::models::users;
use crate::db::DbConnection;
use crate::domain::{paths, PostId};

/// Entries on one page of the log.
pub const PAGE_LENGTH: i64 = 50;

/// The filters as typed into the form.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// A username.
    pub actor: Option<String>,
    /// An action or its start (`post.`, `flags.agree`).
    pub action: Option<String>,
    /// `post`, `comment` or `user`.
    pub target_kind: Option<String>,
    /// The target's id.
    pub target_id: Option<i64>,
    /// Entries older than this id.
    pub before: Option<i64>,
}

/// One entry as the log shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogEntry {
    /// Row id.
    pub id: i64,
    /// Who acted; `None` for the site itself or the command line.
    pub actor: Option<AuthorView>,
    /// What was done.
    pub action: String,
    /// What kind of thing it was done to.
    pub target_kind: String,
    /// Which one.
    pub target_id: i64,
    /// Where to see the target, when it has a page.
    pub target_path: Option<String>,
    /// The target as the log shows it ("post 12"; "site settings", which have no id).
    pub target_label: String,
    /// The reason or details.
    pub detail: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A page of the log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogPage {
    /// The entries, newest first.
    pub entries: Vec<LogEntry>,
    /// The `before` of the next page, when there is one.
    pub next_before: Option<i64>,
}

/// Reads a page of the log; moderators and admins only. An unknown username finds nothing.
pub fn page(conn: &mut DbConnection, actor: &Actor, query: LogQuery) -> ServiceResult<LogPage> {
    if !actor.role.is_moderator() || actor.suspended {
        return Err(ServiceError::Forbidden("Only moderators can read the moderation log.".to_owned()));
    }
    let actor_id = match query.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(name) => match users::find_by_username(conn, name)? {
            Some(user) => Some(user.id),
            None => return Ok(LogPage { entries: Vec::new(), next_before: None }),
        },
        None => None,
    };
    let filter = LogFilter {
        actor_id,
        action_prefix: query.action.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()),
        target_kind: query.target_kind.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()),
        target_id: query.target_id,
        before_id: query.before,
    };
    let mut rows = audit_log::filtered(conn, &filter, PAGE_LENGTH + 1)?;
    let next_before = if rows.len() as i64 > PAGE_LENGTH {
        rows.truncate(PAGE_LENGTH as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let mut actor_ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_id).collect();
    actor_ids.sort_unstable();
    actor_ids.dedup();
    let actors: HashMap<i64, AuthorView> =
        users::find_many(conn, &actor_ids)?.iter().map(|u| (u.id, author_view(u))).collect();
    let entries = rows
        .into_iter()
        .map(|r| LogEntry {
            id: r.id,
            actor: r.actor_id.and_then(|id| actors.get(&id).cloned()),
            target_path: match r.target_kind.as_str() {
                "post" => Some(paths::post(PostId(r.target_id))),
                "user" => Some(format!("/users/{}", r.target_id)),
                "setting" => Some("/admin/settings".to_owned()),
                crate::services::api_tokens::TARGET_KIND => Some("/admin/api-tokens".to_owned()),
                _ => None,
            },
            target_label: match r.target_kind.as_str() {
                "setting" => "site settings".to_owned(),
                crate::services::api_tokens::TARGET_KIND => format!("API token {}", r.target_id),
                kind => format!("{kind} {}", r.target_id),
            },
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            detail: r.detail,
            created_at: r.created_at,
        })
        .collect();
    Ok(LogPage { entries, next_before })
}
