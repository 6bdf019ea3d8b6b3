//! Question views: the count a question page shows. Which visits count (once per visitor per
//! window, on this node) is [`crate::view_counter`]'s business, not this module's.

use super::ServiceResult;
use crate::db::models::posts;
use crate::db::DbConnection;

/// Adds `views` to question `question_id`'s view count.
pub fn add(conn: &mut DbConnection, question_id: i64, views: i64) -> ServiceResult<()> {
    posts::add_views(conn, question_id, views)?;
    Ok(())
}
