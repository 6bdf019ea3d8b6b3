//! The `insights_recipients` and `insights_mailings` tables: who gets the weekly insights mail,
//! and which weeks were sent.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{insights_mailings, insights_recipients};
use crate::db::DbConnection;

/// An address on the list.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct Recipient {
    /// Row id (the unsubscribe link signs it).
    pub id: i64,
    /// The address.
    pub email: String,
    /// When it was added.
    pub added_at: NaiveDateTime,
}

/// Adds an address; returns false when it is already on the list.
pub fn add(conn: &mut DbConnection, email: &str, added_by: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let row = (
        insights_recipients::email.eq(email),
        insights_recipients::added_by.eq(added_by),
        insights_recipients::added_at.eq(now),
    );
    // MultiConnection has no ON CONFLICT; each backend spells "insert unless present" its own way.
    let added = match conn {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(insights_recipients::table).values(row).on_conflict_do_nothing().execute(pg)?
        }
        DbConnection::Sqlite(lite) => {
            diesel::insert_or_ignore_into(insights_recipients::table).values(row).execute(lite)?
        }
    };
    Ok(added == 1)
}

/// Every address, in order of their adding.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Recipient>> {
    insights_recipients::table
        .select((insights_recipients::id, insights_recipients::email, insights_recipients::added_at))
        .order(insights_recipients::id)
        .load(conn)
}

/// One address.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Recipient>> {
    insights_recipients::table
        .find(id)
        .select((insights_recipients::id, insights_recipients::email, insights_recipients::added_at))
        .first(conn)
        .optional()
}

/// Removes an address; returns whether it was there.
pub fn remove(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(insights_recipients::table.find(id)).execute(conn)? == 1)
}

/// Claims the mailing of the week starting `week_start`; false when a node already did.
pub fn claim_week(
    conn: &mut DbConnection,
    week_start: NaiveDateTime,
    recipients: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = (
        insights_mailings::week_start.eq(week_start),
        insights_mailings::recipients.eq(recipients),
        insights_mailings::sent_at.eq(now),
    );
    let added = match conn {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(insights_mailings::table).values(row).on_conflict_do_nothing().execute(pg)?
        }
        DbConnection::Sqlite(lite) => {
            diesel::insert_or_ignore_into(insights_mailings::table).values(row).execute(lite)?
        }
    };
    Ok(added == 1)
}

/// Whether the week starting `week_start` was mailed.
pub fn week_sent(conn: &mut DbConnection, week_start: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(insights_mailings::table.find(week_start))).get_result(conn)
}
