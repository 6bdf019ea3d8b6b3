//! The `/users` page: members by reputation, or a tag's best answerers, filtered by name and
//! read a page at a time along an index.

use serde::Serialize;

use super::{ServiceError, ServiceResult};
use crate::db::models::tags::{self, Tag};
use crate::db::models::users_list::{self, After, ListedMember};
use crate::db::DbConnection;
use crate::domain::{paths, UserId};

/// Members on one page.
pub const PAGE_SIZE: i64 = 36;
/// The longest name filter accepted, in characters; no username or display name is longer.
pub const MAX_NAME_FILTER: usize = 60;

/// What the visitor asked for.
#[derive(Debug, Clone, Default)]
pub struct UsersQuery {
    /// Part of a username or display name, any case.
    pub name: Option<String>,
    /// A tag's name: list its best answerers instead.
    pub tag: Option<String>,
    /// Start after this member (from [`decode_cursor`]).
    pub after: Option<After>,
}

/// One member's card.
#[derive(Debug, Clone, Serialize)]
pub struct MemberCard {
    /// The member.
    #[serde(flatten)]
    pub member: ListedMember,
    /// Site-relative link to the profile.
    pub profile: String,
}

/// One page of `/users`.
#[derive(Debug, Clone, Serialize)]
pub struct UsersPage {
    /// The members, in the list's order.
    pub members: Vec<MemberCard>,
    /// The tag whose answerers these are, if one was asked for.
    pub tag: Option<Tag>,
    /// The name filter in effect (trimmed), empty when none.
    pub name: String,
    /// The `after=` of the next page, when there is one.
    pub next_after: Option<String>,
}

/// A page cursor as links carry it: `<key>,<id>`. `None` when it is not one.
pub fn decode_cursor(text: &str) -> Option<After> {
    let (key, id) = text.split_once(',')?;
    let (key, id) = (key.trim().parse::<i64>().ok()?, id.trim().parse::<i64>().ok()?);
    (id > 0).then_some((key, id))
}

fn encode_cursor(member: &ListedMember) -> String {
    format!("{},{}", member.key, member.id)
}

/// The page of members `query` asks for. An unknown tag is [`ServiceError::NotFound`]; a name
/// filter longer than any name is refused.
pub fn list(conn: &mut DbConnection, query: UsersQuery) -> ServiceResult<UsersPage> {
    let name = query.name.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if name.chars().count() > MAX_NAME_FILTER {
        return Err(ServiceError::invalid(
            "name",
            format!("Use at most {MAX_NAME_FILTER} characters to filter by name."),
        ));
    }
    let filter = (!name.is_empty()).then_some(name.as_str());
    let tag = match query.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(tag_name) => {
            Some(tags::find_by_name(conn, &tag_name.to_lowercase())?.ok_or(ServiceError::NotFound("Tag"))?)
        }
        None => None,
    };
    let mut members = match &tag {
        Some(tag) => users_list::by_tag_score(conn, tag.id, filter, query.after, PAGE_SIZE + 1)?,
        None => users_list::by_reputation(conn, filter, query.after, PAGE_SIZE + 1)?,
    };
    let more = members.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    members.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
    let next_after = if more { members.last().map(encode_cursor) } else { None };
    let members = members
        .into_iter()
        .map(|member| MemberCard { profile: paths::profile(UserId(member.id), &member.username), member })
        .collect();
    Ok(UsersPage { members, tag, name, next_after })
}
