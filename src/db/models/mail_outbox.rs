//! The `mail_outbox` table: mail waiting to be sent.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::mail_outbox;
use crate::db::DbConnection;

/// A message to queue.
#[derive(Debug, Insertable)]
#[diesel(table_name = mail_outbox)]
pub struct NewMail<'a> {
    /// The recipient's address.
    pub to_address: &'a str,
    /// The subject line.
    pub subject: &'a str,
    /// The plain-text part.
    pub text_body: &'a str,
    /// The HTML part.
    pub html_body: &'a str,
    /// When it was queued.
    pub created_at: NaiveDateTime,
    /// When the worker should first try it (normally at once).
    pub next_attempt_at: NaiveDateTime,
}

/// Queues a message; call inside the transaction of the change that causes it.
pub fn insert(conn: &mut DbConnection, mail: &NewMail<'_>) -> QueryResult<i64> {
    diesel::insert_into(mail_outbox::table).values(mail).returning(mail_outbox::id).get_result(conn)
}
