//! Changing the run-time site settings (`/admin/settings`): admins only, every value checked by
//! the same rules as the operator's configuration, each change audited (who, which setting,
//! from what to what) in the transaction that stores it, and applied on this node at once.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::actor::Actor;
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::site_settings as rows;
use crate::db::DbConnection;
use crate::domain::SettingName;
use crate::site_settings::rules::{self, Kind};
use crate::site_settings::LiveSettings;

/// The audit log's action for a setting given a new value.
pub const CHANGED: &str = "settings.change";
/// The audit log's action for a setting handed back to the operator's value.
pub const RESET: &str = "settings.reset";

/// One setting as the admin page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SettingView {
    /// The setting's name: its form field.
    pub name: &'static str,
    /// Its label.
    pub label: &'static str,
    /// A sentence under the field.
    pub help: &'static str,
    /// `line`, `url`, `colour`, `markdown`, `switch`, `number`, `schedule` or `origins`: which control draws it.
    pub control: &'static str,
    /// The most characters or the largest number, for the control's limits.
    pub max: u64,
    /// Whether blank is refused.
    pub required: bool,
    /// The value in effect.
    pub value: String,
    /// The operator's value (environment, file or built-in).
    pub operator_value: String,
    /// An admin's value is stored (so it can be handed back to the operator's).
    pub changed_here: bool,
    /// The operator fixed it: shown read-only.
    pub pinned: bool,
}

/// Every setting as the admin page shows it, in the order of [`SettingName::ALL`].
pub fn overview(actor: &Actor, live: &LiveSettings) -> ServiceResult<Vec<SettingView>> {
    actor.ensure_admin()?;
    let current = live.current();
    let operator = live.operator();
    Ok(SettingName::ALL
        .iter()
        .map(|&name| {
            let (control, max, required) = match rules::kind(name) {
                Kind::Line { max, required } => ("line", max as u64, required),
                Kind::Url => ("url", 500, false),
                Kind::Colour => ("colour", 7, true),
                Kind::Markdown => ("markdown", rules::MAX_MARKDOWN_CHARS as u64, false),
                Kind::Switch => ("switch", 0, true),
                Kind::Number { max } => ("number", u64::from(max), true),
                Kind::Schedule => ("schedule", 60, false),
                Kind::Origins => ("origins", 2_000, false),
            };
            let value = current.text(name);
            let operator_value = operator.text(name);
            SettingView {
                name: name.as_str(),
                label: rules::label(name),
                help: rules::help(name),
                control,
                max,
                required,
                changed_here: !current.is_pinned(name) && value != operator_value,
                value,
                operator_value,
                pinned: current.is_pinned(name),
            }
        })
        .collect())
}

/// Takes the submitted values (form field -> text; settings left out stay as they are), stores
/// those that differ, and returns the names that changed. Nothing is stored unless every value
/// passes; a value equal to the operator's removes the admin's instead of copying it.
pub fn change(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    live: &LiveSettings,
    actor: &Actor,
    submitted: &BTreeMap<String, String>,
    now: NaiveDateTime,
) -> ServiceResult<Vec<SettingName>> {
    actor.ensure_admin()?;
    let current = live.current();
    let mut wanted = Vec::new();
    for (field, raw) in submitted {
        let name = SettingName::from_stored(field)
            .ok_or_else(|| ServiceError::invalid("form", format!("There is no setting called `{field}`.")))?;
        let value = rules::normalise(name, raw).map_err(|reason| ServiceError::invalid(name.as_str(), reason))?;
        if current.is_pinned(name) {
            if value != current.text(name) {
                return Err(fixed_by_operator(name));
            }
            continue;
        }
        wanted.push((name, value));
    }
    // This node's copy was reloaded after its own last change; if it already holds every value,
    // there is nothing to write (the usual case for a form sent back untouched).
    if wanted.iter().all(|(name, value)| *value == current.text(*name)) {
        return Ok(Vec::new());
    }
    let changed = feed.write(conn, now, |conn, changes| {
        rows::bump_generation(conn)?;
        // Compared with the stored state itself, which another node may have changed since.
        let before = live.read(conn)?;
        let mut changed = Vec::new();
        for (name, value) in &wanted {
            let old = before.text(*name);
            if *value == old {
                continue;
            }
            if *value == live.operator().text(*name) {
                rows::remove(conn, name.as_str())?;
            } else {
                rows::put(conn, name.as_str(), value, actor.id, now)?;
            }
            let detail = format!("{name}: {} -> {}", quoted(&old), quoted(value));
            audit::record(conn, actor, CHANGED, ("setting", 0), Some(&detail), now)?;
            changed.push(*name);
        }
        changes.push(Change::SiteSettingsChanged { by: actor.id });
        changed.sort_unstable();
        Ok(changed)
    })?;
    live.reload(conn)?;
    Ok(changed)
}

/// Hands a setting back to the operator's value; false when the admin had not changed it.
pub fn reset(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    live: &LiveSettings,
    actor: &Actor,
    name: &str,
    now: NaiveDateTime,
) -> ServiceResult<bool> {
    actor.ensure_admin()?;
    let name = SettingName::from_stored(name).ok_or(ServiceError::NotFound("Setting"))?;
    if live.current().is_pinned(name) {
        return Err(fixed_by_operator(name));
    }
    let removed = feed.write(conn, now, |conn, changes| {
        rows::bump_generation(conn)?;
        let Some(row) = rows::find(conn, name.as_str())? else {
            return Ok(false);
        };
        rows::remove(conn, name.as_str())?;
        let operator = live.operator().text(name);
        let detail = format!("{name}: {} -> {} (the operator's value)", quoted(&row.value), quoted(&operator));
        audit::record(conn, actor, RESET, ("setting", 0), Some(&detail), now)?;
        changes.push(Change::SiteSettingsChanged { by: actor.id });
        Ok(true)
    })?;
    live.reload(conn)?;
    Ok(removed)
}

fn fixed_by_operator(name: SettingName) -> ServiceError {
    ServiceError::Forbidden(format!(
        "{} is fixed by the operator (pinned_settings), so it cannot be changed here.",
        rules::label(name)
    ))
}

/// A value as the audit log shows it: quoted and escaped, so any text reads unambiguously.
fn quoted(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}
