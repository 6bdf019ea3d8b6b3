//! Flags: any member can tell moderators that a question, answer or comment is spam, rude,
//! off-topic or needs a moderator for another reason. Enough spam flags hide the post until a
//! moderator looks. Moderators work the flags oldest first at `/mod/flags`: agreeing acts on
//! the post (deletes it, or closes an off-topic question); disagreeing dismisses the flags and
//! brings back anything they hid.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::closing::{self, Closing};
use super::hiding::{self, Visibility};
use super::moderation::{self, PostAction};
use super::policy::PostingPolicy;
use super::queue_items::{authors, queue_item, unknown, FlagView, QueueItem};
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed, Changes};
use crate::db::models::comments::{self, Comment};
/// What a flag is raised on (a post or a comment); handlers name it through this service.
pub use crate::db::models::flags::FlagTarget;
use crate::db::models::flags::{self, Flag};
use crate::db::models::posts::{self, Post};
use crate::db::DbConnection;
use crate::domain::{HeldReason, Privilege, QuestionId};

pub use crate::domain::FlagReason;

impl FlagReason {
    /// Reads the form's `reason`.
    pub fn parse(text: &str) -> ServiceResult<FlagReason> {
        FlagReason::from_stored(text)
            .ok_or_else(|| ServiceError::invalid("reason", "Choose why you are flagging this."))
    }
}

/// Longest note, in characters.
const NOTE_LENGTH: usize = 500;

/// What flagging did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flagged {
    /// The flag is in the moderators' queue.
    Queued,
    /// It was the flag that reached the threshold: the post is hidden until a moderator looks.
    Hidden,
}

/// What a member's flag says.
#[derive(Debug, Clone, Copy)]
pub struct FlagForm<'a> {
    /// The post or comment flagged.
    pub target: FlagTarget,
    /// Why.
    pub reason: FlagReason,
    /// A note for the moderators (required for "needs a moderator").
    pub note: Option<&'a str>,
}

/// A member flags a post or comment; returns the question it is under and what happened.
pub fn flag(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    form: FlagForm<'_>,
    now: NaiveDateTime,
) -> ServiceResult<(Post, Flagged)> {
    actor.ensure_can_post(policy.require_verified_email)?;
    actor.ensure_privilege(Privilege::Flag, &policy.privileges)?;
    let FlagForm { target, reason, note } = form;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > NOTE_LENGTH) {
        return Err(ServiceError::invalid("note", format!("Keep the note under {NOTE_LENGTH} characters.")));
    }
    if reason == FlagReason::NeedsModerator && note.is_none() {
        return Err(ServiceError::invalid("note", "Tell the moderators what needs their attention."));
    }
    feed.write(conn, now, |conn, changes| {
        let subject = Subject::load(conn, target)?;
        if subject.hidden() {
            return Err(ServiceError::NotFound(subject.noun()));
        }
        // A post on a deleted question is out of reach, and so is a comment on one.
        let post_id = match &subject {
            Subject::Post(post) | Subject::Comment(_, post) => post.id,
        };
        super::questions::find_live_post(conn, post_id)?;
        if subject.author_id() == actor.id {
            return Err(ServiceError::Forbidden("You cannot flag what you wrote yourself.".to_owned()));
        }
        if flags::exists(conn, actor.id, target)? {
            return Err(ServiceError::Conflict(format!("You have already flagged this {}.", subject.noun_lower())));
        }
        flags::insert(conn, actor.id, target, reason, note, now)?;
        let threshold = i64::from(policy.moderation.spam_flags_to_hide);
        let mut outcome = Flagged::Queued;
        if reason == FlagReason::Spam && threshold > 0 && flags::open_spam_count(conn, target)? >= threshold {
            subject.set_visibility(conn, changes, Visibility::Held(HeldReason::Flags), now)?;
            // The site hid it, not a person: the log shows no actor.
            crate::db::models::audit_log::insert(
                conn,
                &crate::db::models::audit_log::NewAuditEntry {
                    actor_id: None,
                    action: "flags.hide",
                    target_kind: target.kind(),
                    target_id: target.id(),
                    detail: Some(&format!("{threshold} spam flags")),
                    created_at: now,
                },
            )?;
            outcome = Flagged::Hidden;
        }
        let question = subject.question(conn)?;
        changes.push(Change::Flagged { question: question.id, by: actor.id });
        Ok((question, outcome))
    })
}

/// A flagged (or held) post or comment, loaded.
pub(crate) enum Subject {
    /// A question or answer.
    Post(Post),
    /// A comment, with the post it is on.
    Comment(Comment, Post),
}

impl Subject {
    pub(crate) fn load(conn: &mut DbConnection, target: FlagTarget) -> ServiceResult<Subject> {
        match target {
            FlagTarget::Post(id) => Ok(Subject::Post(posts::find(conn, id)?.ok_or(ServiceError::NotFound("Post"))?)),
            FlagTarget::Comment(id) => {
                let comment = comments::find(conn, id)?.ok_or(ServiceError::NotFound("Comment"))?;
                let post = posts::find(conn, comment.post_id)?.ok_or(ServiceError::NotFound("Post"))?;
                Ok(Subject::Comment(comment, post))
            }
        }
    }

    fn noun(&self) -> &'static str {
        match self {
            Subject::Post(p) if p.is_question() => "Question",
            Subject::Post(_) => "Answer",
            Subject::Comment(..) => "Comment",
        }
    }

    pub(crate) fn noun_lower(&self) -> &'static str {
        match self {
            Subject::Post(p) => p.kind.as_str(),
            Subject::Comment(..) => "comment",
        }
    }

    fn author_id(&self) -> i64 {
        match self {
            Subject::Post(p) => p.author_id,
            Subject::Comment(c, _) => c.author_id,
        }
    }

    pub(crate) fn hidden(&self) -> bool {
        match self {
            Subject::Post(p) => p.deleted_at.is_some(),
            Subject::Comment(c, p) => c.deleted_at.is_some() || p.deleted_at.is_some(),
        }
    }

    pub(crate) fn held_by_flags(&self) -> bool {
        let held = match self {
            Subject::Post(p) => p.held_reason,
            Subject::Comment(c, _) => c.held_reason,
        };
        held == Some(HeldReason::Flags)
    }

    fn set_visibility(
        &self,
        conn: &mut DbConnection,
        changes: &mut Changes,
        to: Visibility,
        now: NaiveDateTime,
    ) -> ServiceResult<()> {
        match self {
            Subject::Post(p) => hiding::set_post(conn, changes, p, to, now),
            Subject::Comment(c, _) => hiding::set_comment(conn, c, to, now),
        }
    }

    /// The question the subject is on (itself for a question).
    pub(crate) fn question(&self, conn: &mut DbConnection) -> ServiceResult<Post> {
        let post = match self {
            Subject::Post(p) | Subject::Comment(_, p) => p,
        };
        match post.question_id {
            Some(id) => posts::find(conn, id)?.ok_or(ServiceError::NotFound("Question")),
            None => Ok(post.clone()),
        }
    }
}

/// A moderator's verdict on the flags of one post or comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The flags are right: act on the post.
    Agree,
    /// The flags are wrong: dismiss them and bring back anything they hid.
    Disagree,
}

/// Handles every open flag on a target at once; returns what was done, for the flash message.
pub fn handle(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    target: FlagTarget,
    verdict: Verdict,
    now: NaiveDateTime,
) -> ServiceResult<&'static str> {
    ensure_moderator(actor)?;
    feed.write(conn, now, |conn, changes| {
        let open = flags::open_on(conn, target)?;
        let Some(strongest) = open.iter().map(|f| f.reason).min() else {
            return Err(ServiceError::Conflict("These flags were already handled.".to_owned()));
        };
        let reasons = reason_list(&open);
        let subject = Subject::load(conn, target)?;
        let done = match verdict {
            Verdict::Disagree => {
                if subject.held_by_flags() {
                    subject.set_visibility(conn, changes, Visibility::Shown, now)?;
                }
                flags::handle_open(conn, target, actor.id, "disagreed", now)?;
                audit::record(conn, actor, "flags.dismiss", (target.kind(), target.id()), Some(&reasons), now)?;
                "Flags dismissed; the post is visible."
            }
            Verdict::Agree => {
                flags::handle_open(conn, target, actor.id, "agreed", now)?;
                audit::record(conn, actor, "flags.agree", (target.kind(), target.id()), Some(&reasons), now)?;
                act_on_agreement(conn, changes, actor, &subject, strongest, now)?
            }
        };
        let question = subject.question(conn)?;
        changes.push(Change::FlagsHandled { question: question.id, by: actor.id });
        Ok(done)
    })
}

/// What agreeing with the strongest flag does to the subject.
fn act_on_agreement(
    conn: &mut DbConnection,
    changes: &mut Changes,
    actor: &Actor,
    subject: &Subject,
    strongest: FlagReason,
    now: NaiveDateTime,
) -> ServiceResult<&'static str> {
    let why = format!("agreed with a {} flag", strongest.as_str());
    let deletable = |deleted: bool, held: bool| !deleted || held;
    match (subject, strongest) {
        (_, FlagReason::NeedsModerator) => Ok("Marked as handled."),
        (Subject::Post(question), FlagReason::OffTopic) if question.is_question() => {
            if question.closed_at.is_none() && question.deleted_at.is_none() {
                closing::close_within(conn, changes, actor, QuestionId(question.id), Closing::OffTopic, now)?;
            }
            Ok("The question is closed as off-topic.")
        }
        (Subject::Post(post), _) => {
            if deletable(post.deleted_at.is_some(), post.held_reason.is_some()) {
                moderation::act_within(conn, changes, actor, post.id, PostAction::Delete, Some(&why), now)?;
            }
            Ok("The post is deleted.")
        }
        (Subject::Comment(comment, _), _) => {
            if deletable(comment.deleted_at.is_some(), comment.held_reason.is_some()) {
                moderation::act_on_comment_within(conn, changes, actor, comment.id, true, now)?;
            }
            Ok("The comment is deleted.")
        }
    }
}

fn reason_list(open: &[Flag]) -> String {
    let mut reasons: Vec<&str> = open.iter().map(|f| f.reason.as_str()).collect();
    reasons.sort_unstable();
    reasons.dedup();
    reasons.join(", ")
}

fn ensure_moderator(actor: &Actor) -> ServiceResult<()> {
    if actor.role.is_moderator() && !actor.suspended {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Only moderators can do this.".to_owned()))
    }
}

/// Targets shown in the flag queue at once.
const QUEUE_TARGETS: usize = 30;

/// The flag queue: flagged posts and comments whose oldest open flag is oldest, first.
pub fn queue(conn: &mut DbConnection, actor: &Actor) -> ServiceResult<(Vec<QueueItem>, i64)> {
    ensure_moderator(actor)?;
    let total = flags::open_count(conn)?;
    // Enough flags to fill the page even when many point at the same post.
    let open = flags::oldest_open(conn, (QUEUE_TARGETS * 20) as i64)?;
    let mut order: Vec<FlagTarget> = Vec::new();
    let mut by_target: HashMap<FlagTarget, Vec<Flag>> = HashMap::new();
    for flag in open {
        let target = flag.target();
        if !by_target.contains_key(&target) {
            if order.len() == QUEUE_TARGETS {
                continue;
            }
            order.push(target);
        }
        by_target.entry(target).or_default().push(flag);
    }
    let flagger_ids: Vec<i64> = by_target.values().flatten().map(|f| f.flagger_id).collect();
    let flaggers = authors(conn, &flagger_ids)?;
    let mut items = Vec::with_capacity(order.len());
    for target in order {
        let mut item = queue_item(conn, target)?;
        item.flags = by_target
            .remove(&target)
            .unwrap_or_default()
            .into_iter()
            .map(|f| FlagView {
                reason: f.reason,
                note: f.note,
                flagger: flaggers.get(&f.flagger_id).map(|(a, _)| a.clone()).unwrap_or_else(|| unknown(f.flagger_id)),
                created_at: f.created_at,
            })
            .collect();
        items.push(item);
    }
    Ok((items, total))
}
