//! The tables that say who looks after a topic (a tag): `tag_leads` (staff who lead it),
//! `tag_watches` (members who follow its new questions) and `tag_response_targets` (its own
//! response target). A lead who is no longer staff stays on record (made staff again, they lead
//! again) but is neither listed nor told. Deciding who is told what belongs to
//! `services::topic_alerts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::users::User;
use crate::db::schema::{post_tags, tag_leads, tag_response_targets, tag_watches, tags, users};
use crate::db::DbConnection;
use crate::domain::MailPreference;
use crate::roles::Role;

/// A topic's lead, with the tag's name (for lists and pages).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, serde::Serialize)]
pub struct Lead {
    /// The tag.
    pub tag_id: i64,
    /// The tag's name.
    pub tag: String,
    /// The staff member.
    pub user_id: i64,
    /// Their username.
    pub username: String,
    /// Their display name.
    pub display_name: String,
}

/// Makes `user_id` a lead of `tag_id`; already leading is a no-op. Returns whether it is new.
pub fn add_lead(conn: &mut DbConnection, tag_id: i64, user_id: i64, by: i64, now: NaiveDateTime) -> QueryResult<bool> {
    // MultiConnection has no ON CONFLICT; the writer's transaction makes look-then-insert safe.
    let present = diesel::select(diesel::dsl::exists(tag_leads::table.find((tag_id, user_id)))).get_result(conn)?;
    if present {
        return Ok(false);
    }
    diesel::insert_into(tag_leads::table)
        .values((
            tag_leads::tag_id.eq(tag_id),
            tag_leads::user_id.eq(user_id),
            tag_leads::created_by.eq(by),
            tag_leads::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Stops `user_id` leading `tag_id`; returns whether they did.
pub fn remove_lead(conn: &mut DbConnection, tag_id: i64, user_id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(tag_leads::table.find((tag_id, user_id))).execute(conn)? == 1)
}

/// The leads of these tags, by tag name then username.
pub fn leads_of_tags(conn: &mut DbConnection, tag_ids: &[i64]) -> QueryResult<Vec<Lead>> {
    leads_among(conn, TagsBy::Ids(tag_ids))
}

/// The leads of the tags with these names (a question's tags, as its row lists them), by tag
/// name then username.
pub fn leads_of_tag_names(conn: &mut DbConnection, names: &[String]) -> QueryResult<Vec<Lead>> {
    leads_among(conn, TagsBy::Names(names))
}

/// How a lead query names its tags.
enum TagsBy<'a> {
    Ids(&'a [i64]),
    Names(&'a [String]),
}

/// The leads still on staff of some tags, by tag name then username.
fn leads_among(conn: &mut DbConnection, which: TagsBy<'_>) -> QueryResult<Vec<Lead>> {
    let query = tag_leads::table
        .inner_join(tags::table)
        .inner_join(users::table.on(users::id.eq(tag_leads::user_id)))
        .filter(users::role.ne(Role::Member))
        .order((tags::name.asc(), users::username.asc()))
        .select((tag_leads::tag_id, tags::name, users::id, users::username, users::display_name))
        .into_boxed();
    match which {
        TagsBy::Ids(ids) => query.filter(tag_leads::tag_id.eq_any(ids)).load(conn),
        TagsBy::Names(names) => query.filter(tags::name.eq_any(names)).load(conn),
    }
}

/// The names of the tags a user leads, in order.
pub fn tag_names_led_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<String>> {
    tag_leads::table
        .inner_join(tags::table)
        .filter(tag_leads::user_id.eq(user_id))
        .order(tags::name.asc())
        .select(tags::name)
        .load(conn)
}

/// The ids of the tags a user leads.
pub fn tags_led_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<i64>> {
    tag_leads::table.filter(tag_leads::user_id.eq(user_id)).select(tag_leads::tag_id).load(conn)
}

/// The leads of a question's tags, as user rows, each once.
pub fn leads_of_question(conn: &mut DbConnection, question_id: i64) -> QueryResult<Vec<User>> {
    let tag_ids = post_tags::table.filter(post_tags::post_id.eq(question_id)).select(post_tags::tag_id);
    let lead_ids = tag_leads::table.filter(tag_leads::tag_id.eq_any(tag_ids)).select(tag_leads::user_id);
    users::table
        .filter(users::id.eq_any(lead_ids))
        .filter(users::role.ne(Role::Member))
        .order(users::id)
        .select(User::as_select())
        .load(conn)
}

/// Drops every topic a user leads or watches (their account is being deleted).
pub fn forget_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    Ok(diesel::delete(tag_leads::table.filter(tag_leads::user_id.eq(user_id))).execute(conn)?
        + diesel::delete(tag_watches::table.filter(tag_watches::user_id.eq(user_id))).execute(conn)?)
}

/// Starts watching a tag with a mail choice, or changes the choice of an existing watch.
pub fn set_watch(
    conn: &mut DbConnection,
    user_id: i64,
    tag_id: i64,
    mail: MailPreference,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(tag_watches::table.find((user_id, tag_id)))
        .set(tag_watches::mail.eq(mail.as_str()))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(tag_watches::table)
            .values((
                tag_watches::user_id.eq(user_id),
                tag_watches::tag_id.eq(tag_id),
                tag_watches::mail.eq(mail.as_str()),
                tag_watches::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Stops watching a tag; not watching is a no-op.
pub fn remove_watch(conn: &mut DbConnection, user_id: i64, tag_id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(tag_watches::table.find((user_id, tag_id))).execute(conn)? == 1)
}

/// A user's mail choice for a tag they watch, if they watch it.
pub fn watch_of(conn: &mut DbConnection, user_id: i64, tag_id: i64) -> QueryResult<Option<MailPreference>> {
    let mail: Option<String> =
        tag_watches::table.find((user_id, tag_id)).select(tag_watches::mail).first(conn).optional()?;
    Ok(mail.and_then(|m| MailPreference::from_stored(&m)))
}

/// The tags a user watches, with each watch's mail choice, by name.
pub fn watched_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(i64, String, String)>> {
    tag_watches::table
        .inner_join(tags::table)
        .filter(tag_watches::user_id.eq(user_id))
        .order(tags::name.asc())
        .select((tags::id, tags::name, tag_watches::mail))
        .load(conn)
}

/// The watchers of a question's tags with their mail choice (the strictest, `never` over `daily`
/// over `each`, when they watch several of its tags).
pub fn watchers_of_question(conn: &mut DbConnection, question_id: i64) -> QueryResult<Vec<(User, MailPreference)>> {
    let tag_ids = post_tags::table.filter(post_tags::post_id.eq(question_id)).select(post_tags::tag_id);
    let rows: Vec<(User, String)> = tag_watches::table
        .inner_join(users::table.on(users::id.eq(tag_watches::user_id)))
        .filter(tag_watches::tag_id.eq_any(tag_ids))
        .order(users::id)
        .select((User::as_select(), tag_watches::mail))
        .load(conn)?;
    let mut watchers: Vec<(User, MailPreference)> = Vec::new();
    for (user, mail) in rows {
        let mail = MailPreference::from_stored(&mail).unwrap_or(MailPreference::Daily);
        match watchers.last_mut() {
            Some((last, choice)) if last.id == user.id => *choice = (*choice).max(mail),
            _ => watchers.push((user, mail)),
        }
    }
    Ok(watchers)
}

/// The users who watch at least one tag, after id `after`, `limit` at a time (the weekly digest).
pub fn watchers_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<User>> {
    let watcher_ids = tag_watches::table.select(tag_watches::user_id);
    users::table
        .filter(users::id.gt(after))
        .filter(users::id.eq_any(watcher_ids))
        .order(users::id)
        .limit(limit)
        .select(User::as_select())
        .load(conn)
}

/// How many members watch a tag.
pub fn watcher_count(conn: &mut DbConnection, tag_id: i64) -> QueryResult<i64> {
    tag_watches::table.filter(tag_watches::tag_id.eq(tag_id)).count().get_result(conn)
}

/// Sets (`Some`) or clears a tag's own response target, in hours.
pub fn set_target(
    conn: &mut DbConnection,
    tag_id: i64,
    hours: Option<i32>,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(tag_response_targets::table.find(tag_id)).execute(conn)?;
    if let Some(hours) = hours {
        diesel::insert_into(tag_response_targets::table)
            .values((
                tag_response_targets::tag_id.eq(tag_id),
                tag_response_targets::hours.eq(hours),
                tag_response_targets::updated_by.eq(by),
                tag_response_targets::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A tag's own target, in hours, if it has one.
pub fn target_of_tag(conn: &mut DbConnection, tag_id: i64) -> QueryResult<Option<i32>> {
    tag_response_targets::table.find(tag_id).select(tag_response_targets::hours).first(conn).optional()
}

/// The strictest own target among a question's tags, in hours, if any of them has one.
pub fn target_of_question(conn: &mut DbConnection, question_id: i64) -> QueryResult<Option<i32>> {
    let tag_ids = post_tags::table.filter(post_tags::post_id.eq(question_id)).select(post_tags::tag_id);
    tag_response_targets::table
        .filter(tag_response_targets::tag_id.eq_any(tag_ids))
        .select(diesel::dsl::min(tag_response_targets::hours))
        .get_result(conn)
}
