//! `GET /mod/log`: the moderation log, filterable by who acted, what was done and to what.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::mod_log::{self, LogQuery};
use crate::services::{review, ServiceError};
use crate::state::AppState;
use crate::web::visitor::{CurrentUser, Visitor};

/// `?actor=&action=&target=&id=&before=`; empty fields mean "any".
#[derive(Deserialize)]
pub struct LogParams {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    id: Option<String>,
    before: Option<String>,
}

/// Target kinds the filter offers.
const TARGET_KINDS: [&str; 5] = ["post", "comment", "user", "setting", "api_token"];

/// GET /mod/log
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    params: web::Query<LogParams>,
) -> Result<HttpResponse, AppError> {
    let LogParams { actor: by, action, target, id, before } = params.into_inner();
    let number = |field: &str, raw: Option<String>| -> Result<Option<i64>, AppError> {
        match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| AppError::BadRequest(format!("`{field}` must be a number; `{v}` is not."))),
        }
    };
    let target = target.filter(|t| !t.is_empty());
    if target.as_deref().is_some_and(|t| !TARGET_KINDS.contains(&t)) {
        return Err(AppError::BadRequest("`target` must be post, comment, user, setting or api_token.".to_owned()));
    }
    let query = LogQuery {
        actor: by.clone(),
        action: action.clone(),
        target_kind: target.clone(),
        target_id: number("id", id.clone())?,
        before: number("before", before)?,
    };
    let (page, pending) = state
        .db(move |conn| Ok::<_, ServiceError>((mod_log::page(conn, &actor, query)?, review::pending_counts(conn)?)))
        .await?;
    let mut context = Context::new();
    context.insert("log", &page);
    context.insert("filters", &serde_json::json!({ "actor": by, "action": action, "target": target, "id": id }));
    context.insert("target_kinds", &TARGET_KINDS);
    context.insert("waiting_count", &pending.0);
    context.insert("flag_count", &pending.1);
    visitor.render_private(&state, "mod/log.html", context)
}
