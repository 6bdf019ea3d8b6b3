//! Question views: the count a question page shows. Which visits count (once per visitor per
//! window, on this node) is [`crate::view_counter`]'s business, not this module's.
//!
//! Views do not go through the change feed (they are not a use case anyone reacts to), but one
//! view is special: the one that takes a question past [`HELPFUL_VIEWS`], which earns each of its
//! answers a badge. The count comes back from the same UPDATE, so spotting it costs no query;
//! the badge job does the rest.

use super::ServiceResult;
use crate::db::models::{badges, posts};
use crate::db::{write_transaction, DbConnection};
use crate::domain::badge::HELPFUL_VIEWS;

/// Adds `views` to question `question_id`'s view count, and leaves a badge check for its
/// answers when this crossed the "helpful to many" threshold.
/// One transaction, so the count and the check commit together, and on SQLite it waits its
/// turn with the other writers (see `db::write`) rather than polling for the lock.
pub fn add(conn: &mut DbConnection, question_id: i64, views: i64) -> ServiceResult<()> {
    write_transaction(conn, |conn| {
        let Some(total) = posts::add_views(conn, question_id, views)? else { return Ok(()) };
        if total >= HELPFUL_VIEWS && total - views < HELPFUL_VIEWS {
            badges::record_check(conn, None, Some(question_id), chrono::Utc::now().naive_utc())?;
        }
        Ok(())
    })
}
