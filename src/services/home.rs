//! The home page: the most active questions, and whether the site still needs its first admin.

use super::question_lists::{self, PageRequest, QuestionList, QuestionOrder};
use super::ServiceResult;
use crate::db::models::users;
use crate::db::DbConnection;
use crate::roles::Role;

/// What the home page shows.
pub struct FrontPage {
    /// True on a brand-new install, which then explains how to create the first admin.
    pub needs_admin: bool,
    /// The first page of the most active questions.
    pub list: QuestionList,
}

/// The home page's content.
pub fn front_page(conn: &mut DbConnection) -> ServiceResult<FrontPage> {
    let has_admin = users::any_with_role(conn, Role::Admin)?;
    let list = question_lists::list(conn, QuestionOrder::Active, PageRequest::Number(1))?;
    Ok(FrontPage { needs_admin: !has_admin, list })
}
