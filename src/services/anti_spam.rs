//! Rules against spam that need no moderator: new members' links wait for review (and are
//! capped), and every member's posting is rate-limited.
//!
//! Rate limits count rows in the database rather than in a node's memory, so a member gets the
//! same allowance whichever node of a cluster serves them, and only what was actually posted
//! counts (a form sent back with a mistake costs nothing). Staff, moderators and admins are
//! exempt from both rules: they speak for the company.

use chrono::{NaiveDateTime, TimeDelta};

use super::actor::Actor;
use super::{ServiceError, ServiceResult};
use crate::config::ModerationConfig;
use crate::db::models::{member_activity, users};
use crate::db::DbConnection;
use crate::domain::{HeldReason, PostKind};

/// Something a member does that is rate-limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Asking a question.
    Question,
    /// Posting an answer.
    Answer,
    /// Writing a comment.
    Comment,
    /// Casting or changing a vote.
    Vote,
}

impl Activity {
    fn allowance(self, rules: &ModerationConfig) -> u32 {
        match self {
            Activity::Question => rules.questions_per_hour,
            Activity::Answer => rules.answers_per_hour,
            Activity::Comment => rules.comments_per_hour,
            Activity::Vote => rules.votes_per_hour,
        }
    }

    fn noun(self, n: u32) -> String {
        let (one, many) = match self {
            Activity::Question => ("question", "questions"),
            Activity::Answer => ("answer", "answers"),
            Activity::Comment => ("comment", "comments"),
            Activity::Vote => ("vote", "votes"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

/// The window posting limits count over.
const WINDOW: TimeDelta = TimeDelta::hours(1);

/// Refuses with [`ServiceError::RateLimited`] when the member already did `activity` as often as
/// the site allows in the last hour; says how long to wait.
pub fn check_rate(
    conn: &mut DbConnection,
    actor: &Actor,
    activity: Activity,
    rules: &ModerationConfig,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let allowance = activity.allowance(rules);
    if allowance == 0 || actor.role.is_staff() {
        return Ok(());
    }
    let since = now - WINDOW;
    let limit = i64::from(allowance);
    // The `allowance`-th newest time in the window; when it exists, the member is at the limit
    // until it leaves the window.
    let times: Vec<NaiveDateTime> = match activity {
        Activity::Question => member_activity::post_times(conn, actor.id, PostKind::Question, since, limit)?,
        Activity::Answer => member_activity::post_times(conn, actor.id, PostKind::Answer, since, limit)?,
        Activity::Comment => member_activity::comment_times(conn, actor.id, since, limit)?,
        Activity::Vote => member_activity::vote_times(conn, actor.id, since, limit)?,
    };
    match times.get(allowance as usize - 1) {
        Some(oldest) => {
            let wait = (*oldest + WINDOW - now).to_std().unwrap_or_default().max(std::time::Duration::from_secs(1));
            let minutes = wait.as_secs().div_ceil(60);
            Err(ServiceError::RateLimited {
                message: format!(
                    "You have reached this site's limit of {} an hour. Please try again in {minutes} {}.",
                    activity.noun(allowance),
                    if minutes == 1 { "minute" } else { "minutes" }
                ),
                wait,
            })
        }
        None => Ok(()),
    }
}

/// Whether the member is still new: fewer visible posts than the site asks for, or a younger
/// account. Staff are never new.
pub fn is_new_member(
    conn: &mut DbConnection,
    actor: &Actor,
    rules: &ModerationConfig,
    now: NaiveDateTime,
) -> ServiceResult<bool> {
    if actor.role.is_staff() {
        return Ok(false);
    }
    let joined = users::joined_at(conn, actor.id)?;
    if joined + TimeDelta::days(i64::from(rules.new_member_days)) > now {
        return Ok(true);
    }
    let needed = i64::from(rules.new_member_posts);
    let visible = member_activity::visible_posts_up_to(conn, actor.id, needed)?;
    Ok((visible as i64) < needed)
}

/// The web addresses in a post's Markdown: links, autolinks, images and bare URLs alike, since a
/// spammer is as happy with an address readers copy as with one they click.
pub fn count_links(markdown: &str) -> usize {
    markdown.matches("://").count() + markdown.matches("](//").count()
}

/// Checks the links in a new question's or answer's Markdown: a new member's post over the cap is refused, and
/// one with any link is held for review. Returns whether to hold it.
pub fn check_post_links(
    conn: &mut DbConnection,
    actor: &Actor,
    markdown: &str,
    rules: &ModerationConfig,
    now: NaiveDateTime,
) -> ServiceResult<Option<HeldReason>> {
    let links = count_links(markdown);
    if links == 0 || !is_new_member(conn, actor, rules, now)? {
        return Ok(None);
    }
    let cap = rules.new_member_max_links as usize;
    if links > cap {
        return Err(ServiceError::invalid(
            "body",
            format!(
                "New members can include up to {cap} {} in a post; this one has {links}. Remove some and try again.",
                if cap == 1 { "link" } else { "links" }
            ),
        ));
    }
    Ok(Some(HeldReason::Links))
}

/// New members' comments may not carry links: comments are not reviewed before they appear.
pub fn check_comment_links(
    conn: &mut DbConnection,
    actor: &Actor,
    markdown: &str,
    rules: &ModerationConfig,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    if count_links(markdown) > 0 && is_new_member(conn, actor, rules, now)? {
        return Err(ServiceError::invalid(
            "body",
            "New members cannot put links in comments yet; put the link in an answer, where a moderator checks it.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::count_links;

    #[test]
    fn links_are_counted_in_rendered_html() {
        assert_eq!(count_links("see [a](https://a.example), <https://b.example> and http://c.example"), 3);
        assert_eq!(count_links("![logo](https://img.example/a.png) and [x](//d.example)"), 2);
        assert_eq!(count_links("no links, just [an anchor](#answer-3)"), 0);
    }
}
