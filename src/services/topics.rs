//! Who looks after a topic (a tag): its leads, named by admins or taken up by staff themselves;
//! the members who watch it, each with a mail choice; and its own response target. The page of
//! a tag shows all of it; the alerts that follow live in [`super::topic_alerts`].

use chrono::NaiveDateTime;
use serde::Serialize;

use super::actor::Actor;
use super::questions::parse_tags;
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::tags::{self, Tag};
use crate::db::models::topics::{self, Lead};
use crate::db::models::users;
use crate::db::DbConnection;
use crate::domain::MailPreference;

/// The longest response target a topic may have: four weeks.
pub const MAX_TARGET_HOURS: i32 = 24 * 28;

/// What a tag's page shows about who looks after it, for one visitor.
#[derive(Debug, Clone, Serialize)]
pub struct TopicPanel {
    /// Its leads, by username.
    pub leads: Vec<Lead>,
    /// Its own response target in hours, when it has one.
    pub target_hours: Option<i32>,
    /// How many members watch it.
    pub watchers: i64,
    /// The visitor's watch of it (its mail choice), when they watch it.
    pub my_watch: Option<MailPreference>,
    /// The visitor leads it.
    pub i_lead: bool,
    /// The visitor is staff, so may lead it.
    pub can_lead: bool,
    /// The visitor is an admin, so may name and remove leads and set its target.
    pub can_manage: bool,
}

/// The panel for the tag `tag` as `actor` (or an anonymous visitor) sees it.
pub fn panel(conn: &mut DbConnection, tag: &Tag, actor: Option<&Actor>) -> ServiceResult<TopicPanel> {
    let leads = topics::leads_of_tags(conn, &[tag.id])?;
    let target_hours = topics::target_of_tag(conn, tag.id)?;
    let my_watch = match actor {
        Some(actor) => topics::watch_of(conn, actor.id, tag.id)?,
        None => None,
    };
    Ok(TopicPanel {
        i_lead: actor.is_some_and(|a| leads.iter().any(|l| l.user_id == a.id)),
        can_lead: actor.is_some_and(|a| a.role.is_staff() && !a.suspended),
        can_manage: actor.is_some_and(|a| a.role.is_admin() && !a.suspended),
        watchers: topics::watcher_count(conn, tag.id)?,
        leads,
        target_hours,
        my_watch,
    })
}

/// Finds a tag by name, or says there is none.
fn find_tag(conn: &mut DbConnection, name: &str) -> ServiceResult<Tag> {
    tags::find_by_name(conn, &name.trim().to_lowercase())?.ok_or(ServiceError::NotFound("Tag"))
}

/// Finds a tag by name, creating it when it is a valid name no question uses yet: staff set up
/// the topics they lead before the first question arrives.
fn find_or_create_tag(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> ServiceResult<Tag> {
    let names = parse_tags(name).map_err(|_| {
        ServiceError::invalid("tag", "Name one topic: letters, digits and . + # - (starting with a letter or digit).")
    })?;
    let [name] = names.as_slice() else {
        return Err(ServiceError::invalid("tag", "Name one topic at a time."));
    };
    if let Some(tag) = tags::find_by_name(conn, name)? {
        return Ok(tag);
    }
    tags::find_or_create(conn, name, now)?;
    find_tag(conn, name)
}

/// Who a lead change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadOf<'a> {
    /// The actor themselves (any staff member).
    Myself,
    /// Another staff member, by username (admins only).
    Username(&'a str),
}

/// Makes a staff member a lead of a topic (made, if no question uses it yet). Staff may lead a
/// topic themselves; only admins name others. Returns the tag's name.
pub fn add_lead(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    tag_name: &str,
    who: LeadOf<'_>,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    actor.ensure_staff("lead topics")?;
    feed.write(conn, now, |conn, changes| {
        let tag = find_or_create_tag(conn, tag_name, now)?;
        let user_id = match who {
            LeadOf::Myself => actor.id,
            LeadOf::Username(name) => {
                actor.ensure_admin()?;
                let user = users::find_by_username(conn, name.trim().trim_start_matches('@'))?
                    .filter(|u| u.deleted_at.is_none())
                    .ok_or_else(|| ServiceError::invalid("username", "There is no member with that username."))?;
                if !user.role.is_staff() || user.suspended_at.is_some() {
                    return Err(ServiceError::invalid("username", "Only staff members can lead a topic."));
                }
                user.id
            }
        };
        if topics::add_lead(conn, tag.id, user_id, actor.id, now)? {
            let detail = format!("{}: user {user_id}", tag.name);
            audit::record(conn, actor, "topic.lead_added", ("tag", tag.id), Some(&detail), now)?;
            changes.push(Change::TopicChanged { tag: tag.id, by: actor.id });
        }
        Ok(tag.name)
    })
}

/// Stops a staff member leading a topic: themselves, or anyone when the actor is an admin.
pub fn remove_lead(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    tag_name: &str,
    user_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    actor.ensure_staff("lead topics")?;
    if user_id != actor.id {
        actor.ensure_admin()?;
    }
    feed.write(conn, now, |conn, changes| {
        let tag = find_tag(conn, tag_name)?;
        if topics::remove_lead(conn, tag.id, user_id)? {
            let detail = format!("{}: user {user_id}", tag.name);
            audit::record(conn, actor, "topic.lead_removed", ("tag", tag.id), Some(&detail), now)?;
            changes.push(Change::TopicChanged { tag: tag.id, by: actor.id });
        }
        Ok(tag.name)
    })
}

/// Watches a topic with a mail choice (`each`, `daily`, `never`), or stops watching (`None`).
/// Any signed-in member may. Returns the tag's name.
pub fn watch(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    tag_name: &str,
    mail: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    let mail = match mail.map(str::trim) {
        None | Some("" | "stop") => None,
        Some(text) => Some(
            MailPreference::from_stored(text)
                .ok_or_else(|| ServiceError::invalid("mail", "Choose each, daily or never."))?,
        ),
    };
    feed.write(conn, now, |conn, changes| {
        let tag = find_tag(conn, tag_name)?;
        match mail {
            Some(mail) => topics::set_watch(conn, actor.id, tag.id, mail, now)?,
            None => {
                topics::remove_watch(conn, actor.id, tag.id)?;
            }
        }
        changes.push(Change::TopicChanged { tag: tag.id, by: actor.id });
        Ok(tag.name)
    })
}

/// Sets a topic's own response target in hours, or clears it (empty text) so the site's applies.
/// Admins only. Returns the tag's name.
pub fn set_target(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    tag_name: &str,
    hours: &str,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    actor.ensure_admin()?;
    let hours = match hours.trim() {
        "" => None,
        text => Some(text.parse::<i32>().ok().filter(|h| (1..=MAX_TARGET_HOURS).contains(h)).ok_or_else(|| {
            ServiceError::invalid(
                "hours",
                format!("Give a whole number of hours from 1 to {MAX_TARGET_HOURS}, or leave it empty."),
            )
        })?),
    };
    feed.write(conn, now, |conn, changes| {
        let tag = find_tag(conn, tag_name)?;
        topics::set_target(conn, tag.id, hours, actor.id, now)?;
        let detail =
            format!("{}: {}", tag.name, hours.map_or_else(|| "site target".to_owned(), |h| format!("{h} hours")));
        audit::record(conn, actor, "topic.target_set", ("tag", tag.id), Some(&detail), now)?;
        changes.push(Change::TopicChanged { tag: tag.id, by: actor.id });
        Ok(tag.name)
    })
}

/// The topics a member looks after: the tags they lead and the ones they watch.
#[derive(Debug, Clone, Serialize)]
pub struct MyTopics {
    /// Tags led, by name.
    pub led: Vec<String>,
    /// Tags watched, by name, with the watch's mail choice.
    pub watched: Vec<(String, String)>,
}

/// The topics `actor` leads and watches.
pub fn mine(conn: &mut DbConnection, actor: &Actor) -> ServiceResult<MyTopics> {
    let led_ids = topics::tags_led_by(conn, actor.id)?;
    let led =
        topics::leads_of_tags(conn, &led_ids)?.into_iter().filter(|l| l.user_id == actor.id).map(|l| l.tag).collect();
    let watched = topics::watched_by(conn, actor.id)?.into_iter().map(|(_, name, mail)| (name, mail)).collect();
    Ok(MyTopics { led, watched })
}
