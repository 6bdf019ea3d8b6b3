//! The `site_settings` table (the admin's changes, one row per setting) and its one-row
//! `site_settings_generation` counter, which every change moves in its own transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{site_settings, site_settings_generation};
use crate::db::DbConnection;

/// One stored setting.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = site_settings)]
pub struct StoredSetting {
    /// The setting's name (a `SettingName` word; read as text so a retired name cannot fail the read).
    pub name: String,
    /// Its canonical text.
    pub value: String,
    /// When it was last changed.
    pub updated_at: NaiveDateTime,
    /// Who changed it.
    pub updated_by: Option<i64>,
}

/// The settings' generation: it moves with every change, so a node re-reads only when it moved.
pub fn generation(conn: &mut DbConnection) -> QueryResult<i64> {
    site_settings_generation::table
        .filter(site_settings_generation::id.eq(1))
        .select(site_settings_generation::generation)
        .first(conn)
        .optional()
        .map(|generation| generation.unwrap_or(0))
}

/// The generation and every stored setting. The generation is read first, so the rows are at
/// least as new as it says: a change landing in between only makes the next look read again.
pub fn snapshot(conn: &mut DbConnection) -> QueryResult<(i64, Vec<StoredSetting>)> {
    let generation = generation(conn)?;
    let rows = site_settings::table.order(site_settings::name.asc()).select(StoredSetting::as_select()).load(conn)?;
    Ok((generation, rows))
}

/// Moves the generation on; call first in a change's transaction. On PostgreSQL the row lock
/// this takes also queues concurrent changes one behind the other until each commits.
pub fn bump_generation(conn: &mut DbConnection) -> QueryResult<()> {
    let moved = diesel::update(site_settings_generation::table.filter(site_settings_generation::id.eq(1)))
        .set(site_settings_generation::generation.eq(site_settings_generation::generation + 1))
        .execute(conn)?;
    if moved == 0 {
        // The migration seeds the row, but a restore of an archive made before this table
        // existed empties it; without the row no node would ever see a change.
        diesel::insert_into(site_settings_generation::table)
            .values((site_settings_generation::id.eq(1), site_settings_generation::generation.eq(1)))
            .execute(conn)?;
    }
    Ok(())
}

/// Stores a setting's value, replacing any earlier one. Update-then-insert rather than an
/// upsert, which `MultiConnection` cannot express; safe because [`bump_generation`] already
/// serialised the writers.
pub fn put(conn: &mut DbConnection, name: &str, value: &str, by: i64, now: NaiveDateTime) -> QueryResult<()> {
    let updated = diesel::update(site_settings::table.find(name))
        .set((site_settings::value.eq(value), site_settings::updated_at.eq(now), site_settings::updated_by.eq(by)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(site_settings::table)
            .values((
                site_settings::name.eq(name),
                site_settings::value.eq(value),
                site_settings::updated_at.eq(now),
                site_settings::updated_by.eq(by),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets a setting's stored value, so the operator's applies again; true if there was one.
pub fn remove(conn: &mut DbConnection, name: &str) -> QueryResult<bool> {
    diesel::delete(site_settings::table.find(name)).execute(conn).map(|n| n > 0)
}

/// The stored row of one setting, if any.
pub fn find(conn: &mut DbConnection, name: &str) -> QueryResult<Option<StoredSetting>> {
    site_settings::table.find(name).select(StoredSetting::as_select()).first(conn).optional()
}
