//! Tag pages: the popular tags, and one tag with its questions. Reads only.

use super::question_lists::{self, QuestionList};
use super::ServiceResult;
use crate::db::models::posts::Cursor;
use crate::db::models::tags::{self, Tag};
use crate::db::DbConnection;

/// Tags per page of the tag index.
pub const TAGS_PER_PAGE: i64 = 60;

/// One page of the tag index.
pub struct TagIndex {
    /// The tags, most used first.
    pub tags: Vec<Tag>,
    /// Whether a next page exists.
    pub has_next: bool,
}

/// Page `page` (1-based) of the tags whose names start with `prefix`, most used first.
pub fn popular(conn: &mut DbConnection, prefix: Option<&str>, page: i64) -> ServiceResult<TagIndex> {
    // One more than a page tells whether there is a next one.
    let mut found = tags::popular(conn, prefix, (page - 1) * TAGS_PER_PAGE, TAGS_PER_PAGE + 1)?;
    let has_next = found.len() as i64 > TAGS_PER_PAGE;
    found.truncate(TAGS_PER_PAGE as usize);
    Ok(TagIndex { tags: found, has_next })
}

/// The tag called `name` and a page of its questions, or `None` when no tag has that name.
pub fn tagged(
    conn: &mut DbConnection,
    name: &str,
    cursor: Option<Cursor>,
) -> ServiceResult<Option<(Tag, QuestionList)>> {
    let Some(tag) = tags::find_by_name(conn, name)? else {
        return Ok(None);
    };
    let list = question_lists::tagged(conn, tag.id, cursor)?;
    Ok(Some((tag, list)))
}
