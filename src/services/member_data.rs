//! A member's own data: everything Guidepost holds about one member, as one versioned JSON
//! document they (or an admin, on their request) can download. Audited.
//!
//! What the export leaves out, on purpose: password and token hashes, session secrets, the text
//! of mail (it can hold live links), other members' ids where a row names them (who handled a
//! flag, who caused a notification), and the details of audit entries the member made about
//! others (an invitation records another person's address).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use super::actor::Actor;
use super::{audit, ServiceError, ServiceResult};
use crate::changes::ChangeFeed;
use crate::db::models::member_export::{self as rows, RevisionRow};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, PostId, PostKind, QuestionId, UserId};

/// The `format` field, so a reader can tell the document from any other JSON.
pub const FORMAT: &str = "guidepost-member-export";
/// The shape's version; bumped when a field changes meaning or goes away (added fields do not).
pub const VERSION: u32 = 1;

type Time = DateTime<Utc>;

fn utc(at: NaiveDateTime) -> Time {
    at.and_utc()
}

/// Everything Guidepost holds about one member (see the module doc for what is left out).
#[derive(Debug, Serialize)]
pub struct MemberExport {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// When this document was made.
    pub exported_at: Time,
    /// The site's public address, which the `url` fields start with.
    pub site: String,
    /// The account itself.
    pub profile: Profile,
    /// Questions they asked, deleted ones included.
    pub questions: Vec<QuestionEntry>,
    /// Answers they wrote, deleted ones included.
    pub answers: Vec<AnswerEntry>,
    /// Comments they wrote, deleted ones included.
    pub comments: Vec<CommentEntry>,
    /// Votes they cast.
    pub votes: Vec<VoteEntry>,
    /// Versions of posts they wrote (the first version of each of their posts, and their edits).
    pub revisions: Vec<RevisionEntry>,
    /// Questions they watch.
    pub watches: Vec<WatchEntry>,
    /// Their notifications.
    pub notifications: Vec<NotificationEntry>,
    /// Flags they raised.
    pub flags: Vec<FlagEntry>,
    /// Their signed-in sessions.
    pub sessions: Vec<SessionEntry>,
    /// Their link tokens (confirmation, password reset, set-password), without the secrets.
    pub auth_tokens: Vec<TokenEntry>,
    /// Mail addressed to them, without its text.
    pub mail: Vec<MailEntry>,
    /// Audit entries about their account or made by them.
    pub audit: Vec<AuditEntryView>,
}

/// The account.
#[derive(Debug, Serialize)]
pub struct Profile {
    /// Account id.
    pub id: i64,
    /// The sign-in name.
    pub username: String,
    /// The name shown on posts.
    pub display_name: String,
    /// The address, if any.
    pub email: Option<String>,
    /// When the address was proven.
    pub email_verified_at: Option<Time>,
    /// member, staff, moderator or admin.
    pub role: String,
    /// When the account was made.
    pub created_at: Time,
    /// When they last signed in.
    pub last_seen_at: Option<Time>,
    /// Since when the account is suspended, if it is.
    pub suspended_at: Option<Time>,
    /// Why.
    pub suspended_reason: Option<String>,
    /// Their choices.
    pub preferences: Preferences,
}

/// A member's choices.
#[derive(Debug, Serialize)]
pub struct Preferences {
    /// Notification mail: `each`, `daily` or `never`.
    pub notification_mail: String,
    /// When the last daily digest went out.
    pub digest_sent_at: Option<Time>,
}

/// A question they asked.
#[derive(Debug, Serialize)]
pub struct QuestionEntry {
    /// Post id.
    pub id: i64,
    /// Its page.
    pub url: String,
    /// The title.
    pub title: String,
    /// Tag names.
    pub tags: Vec<String>,
    /// The text as written (Markdown).
    pub body_markdown: String,
    /// Up votes minus down votes.
    pub score: i32,
    /// When it was asked.
    pub created_at: Time,
    /// When it was last edited.
    pub edited_at: Option<Time>,
    /// Deleted (by a moderator, or hidden for review).
    pub deleted: bool,
}

/// An answer they wrote.
#[derive(Debug, Serialize)]
pub struct AnswerEntry {
    /// Post id.
    pub id: i64,
    /// The question it answers.
    pub question_id: Option<i64>,
    /// Its permalink.
    pub url: String,
    /// The text as written (Markdown).
    pub body_markdown: String,
    /// Up votes minus down votes.
    pub score: i32,
    /// When it was posted.
    pub created_at: Time,
    /// When it was last edited.
    pub edited_at: Option<Time>,
    /// Deleted (by a moderator, or hidden for review).
    pub deleted: bool,
}

/// A comment they wrote.
#[derive(Debug, Serialize)]
pub struct CommentEntry {
    /// Comment id.
    pub id: i64,
    /// The question or answer it is on.
    pub post_id: i64,
    /// Where it is shown.
    pub url: String,
    /// The text as written (inline Markdown).
    pub body_markdown: String,
    /// When.
    pub created_at: Time,
    /// Deleted.
    pub deleted: bool,
}

/// A vote they cast.
#[derive(Debug, Serialize)]
pub struct VoteEntry {
    /// The post voted on.
    pub post_id: i64,
    /// Where it is.
    pub url: String,
    /// +1 or -1.
    pub value: i32,
    /// When.
    pub created_at: Time,
}

/// A version of a post they wrote.
#[derive(Debug, Serialize)]
pub struct RevisionEntry {
    /// Revision id.
    pub id: i64,
    /// The post.
    pub post_id: i64,
    /// For questions: the title then.
    pub title: Option<String>,
    /// For questions: the tags then, space-separated.
    pub tags: Option<String>,
    /// The text then (Markdown).
    pub body_markdown: String,
    /// Why it was edited.
    pub reason: Option<String>,
    /// When.
    pub created_at: Time,
}

/// A question they watch.
#[derive(Debug, Serialize)]
pub struct WatchEntry {
    /// The question.
    pub question_id: i64,
    /// Its page.
    pub url: String,
    /// Since when.
    pub created_at: Time,
}

/// A notification of theirs.
#[derive(Debug, Serialize)]
pub struct NotificationEntry {
    /// Notification id.
    pub id: i64,
    /// What happened: `answer`, `official_answer` or `accepted`.
    pub event: String,
    /// The question.
    pub question_id: i64,
    /// The answer, if any.
    pub post_id: Option<i64>,
    /// When it happened.
    pub created_at: Time,
    /// When they saw it.
    pub read_at: Option<Time>,
    /// When it was mailed.
    pub emailed_at: Option<Time>,
}

/// A flag they raised.
#[derive(Debug, Serialize)]
pub struct FlagEntry {
    /// Flag id.
    pub id: i64,
    /// The post flagged.
    pub post_id: Option<i64>,
    /// The comment flagged.
    pub comment_id: Option<i64>,
    /// Why.
    pub reason: String,
    /// Their note.
    pub note: Option<String>,
    /// When.
    pub created_at: Time,
    /// When a moderator handled it.
    pub handled_at: Option<Time>,
}

/// A signed-in session.
#[derive(Debug, Serialize)]
pub struct SessionEntry {
    /// When they signed in.
    pub created_at: Time,
    /// When the session was last used (noted at most daily).
    pub last_seen_at: Time,
}

/// A link token's record.
#[derive(Debug, Serialize)]
pub struct TokenEntry {
    /// `set_password`, `verify_email` or `reset_password`.
    pub purpose: String,
    /// The address it confirms, for `verify_email`.
    pub email: Option<String>,
    /// When it was issued.
    pub created_at: Time,
    /// When it stops working.
    pub expires_at: Time,
    /// When it was used.
    pub used_at: Option<Time>,
}

/// A letter to them.
#[derive(Debug, Serialize)]
pub struct MailEntry {
    /// Its subject.
    pub subject: String,
    /// When it was queued.
    pub created_at: Time,
    /// When it was sent.
    pub sent_at: Option<Time>,
    /// When sending was given up.
    pub failed_at: Option<Time>,
}

/// An audit entry about them or by them.
#[derive(Debug, Serialize)]
pub struct AuditEntryView {
    /// Entry id.
    pub id: i64,
    /// What was done, e.g. `user.role`.
    pub action: String,
    /// Who did it: `you`, `staff` (a moderator or admin) or `the site`.
    pub actor: &'static str,
    /// What kind of thing it was done to.
    pub target_kind: String,
    /// Which one.
    pub target_id: i64,
    /// Details, for entries about their own account.
    pub detail: Option<String>,
    /// When.
    pub created_at: Time,
}

/// A member's export, ready to download, and the file name to save it under.
#[derive(Debug)]
pub struct Download {
    /// The document.
    pub export: MemberExport,
    /// `guidepost-data-USERNAME-DATE.json`.
    pub file_name: String,
}

/// The export of member `member`, for the member themselves or an admin (on the member's
/// request); `site` is the site's public address. Records who asked in the audit log, in the
/// same transaction that reads the data, so the export includes its own entry.
pub fn export(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    UserId(member): UserId,
    site: &str,
    now: NaiveDateTime,
) -> ServiceResult<Download> {
    if actor.id != member {
        actor.ensure_admin()?;
    }
    let site = site.trim_end_matches('/').to_owned();
    feed.write(conn, now, |conn, _changes| {
        let user = users::find(conn, member)?.ok_or(ServiceError::NotFound("Member"))?;
        if user.deleted_at.is_some() {
            return Err(ServiceError::Gone("This account was deleted; nothing personal is left to export.".into()));
        }
        audit::record(conn, actor, "user.export", ("user", member), None, now)?;
        let file_name = format!("guidepost-data-{}-{}.json", user.username, now.format("%Y-%m-%d"));
        let export = gather(conn, &user, &site, now)?;
        Ok(Download { export, file_name })
    })
}

fn gather(conn: &mut DbConnection, user: &User, site: &str, now: NaiveDateTime) -> ServiceResult<MemberExport> {
    let url = |path: String| format!("{site}{path}");
    let id = user.id;
    let (mut questions, mut answers) = (Vec::new(), Vec::new());
    for post in rows::posts_by(conn, id)? {
        let deleted = post.deleted_at.is_some();
        match post.kind {
            PostKind::Question => questions.push(QuestionEntry {
                id: post.id,
                url: url(paths::question(QuestionId(post.id), post.slug.as_deref())),
                tags: post.tag_list(),
                title: post.title.unwrap_or_default(),
                body_markdown: post.body_markdown,
                score: post.score,
                created_at: utc(post.created_at),
                edited_at: post.edited_at.map(utc),
                deleted,
            }),
            PostKind::Answer => answers.push(AnswerEntry {
                id: post.id,
                question_id: post.question_id,
                url: url(paths::answer_permalink(AnswerId(post.id))),
                body_markdown: post.body_markdown,
                score: post.score,
                created_at: utc(post.created_at),
                edited_at: post.edited_at.map(utc),
                deleted,
            }),
        }
    }
    let comments = rows::comments_by(conn, id)?
        .into_iter()
        .map(|c| CommentEntry {
            id: c.id,
            post_id: c.post_id,
            url: url(format!("{}#comment-{}", paths::post(PostId(c.post_id)), c.id)),
            body_markdown: c.body_markdown,
            created_at: utc(c.created_at),
            deleted: c.deleted_at.is_some(),
        })
        .collect();
    let votes = rows::votes_by(conn, id)?
        .into_iter()
        .map(|(post_id, value, at)| VoteEntry {
            post_id,
            url: url(paths::post(PostId(post_id))),
            value,
            created_at: utc(at),
        })
        .collect();
    let revisions = rows::revisions_by(conn, id)?.into_iter().map(revision_entry).collect();
    let watches = rows::watches_of(conn, id)?
        .into_iter()
        .map(|(question_id, at)| WatchEntry {
            question_id,
            url: url(paths::question_by_id(QuestionId(question_id))),
            created_at: utc(at),
        })
        .collect();
    let notifications = rows::notifications_of(conn, id)?
        .into_iter()
        .map(|n| NotificationEntry {
            id: n.id,
            event: n.event.as_str().to_owned(),
            question_id: n.question_id,
            post_id: n.post_id,
            created_at: utc(n.created_at),
            read_at: n.read_at.map(utc),
            emailed_at: n.emailed_at.map(utc),
        })
        .collect();
    let flags = rows::flags_by(conn, id)?
        .into_iter()
        .map(|f| FlagEntry {
            id: f.id,
            post_id: f.post_id,
            comment_id: f.comment_id,
            reason: f.reason.as_str().to_owned(),
            note: f.note,
            created_at: utc(f.created_at),
            handled_at: f.handled_at.map(utc),
        })
        .collect();
    let sessions = rows::sessions_of(conn, id)?
        .into_iter()
        .map(|(created, seen)| SessionEntry { created_at: utc(created), last_seen_at: utc(seen) })
        .collect();
    let auth_tokens = rows::tokens_of(conn, id)?
        .into_iter()
        .map(|(purpose, email, created, expires, used)| TokenEntry {
            purpose: purpose.as_str().to_owned(),
            email,
            created_at: utc(created),
            expires_at: utc(expires),
            used_at: used.map(utc),
        })
        .collect();
    let mail = match user.email.as_deref() {
        Some(address) => rows::mail_to(conn, address)?
            .into_iter()
            .map(|(subject, created, sent, failed)| MailEntry {
                subject,
                created_at: utc(created),
                sent_at: sent.map(utc),
                failed_at: failed.map(utc),
            })
            .collect(),
        None => Vec::new(),
    };
    let audit = rows::audit_about_or_by(conn, id)?
        .into_iter()
        .map(|e| {
            let about_them = e.target_kind == "user" && e.target_id == id;
            AuditEntryView {
                id: e.id,
                actor: match e.actor_id {
                    Some(actor) if actor == id => "you",
                    Some(_) => "staff",
                    None => "the site",
                },
                // What they recorded about someone else is that person's, not theirs.
                detail: if about_them { e.detail } else { None },
                action: e.action,
                target_kind: e.target_kind,
                target_id: e.target_id,
                created_at: utc(e.created_at),
            }
        })
        .collect();
    Ok(MemberExport {
        format: FORMAT,
        version: VERSION,
        exported_at: utc(now),
        site: site.to_owned(),
        profile: profile(user),
        questions,
        answers,
        comments,
        votes,
        revisions,
        watches,
        notifications,
        flags,
        sessions,
        auth_tokens,
        mail,
        audit,
    })
}

fn profile(user: &User) -> Profile {
    Profile {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        email: user.email.clone(),
        email_verified_at: user.email_verified_at.map(utc),
        role: user.role.as_str().to_owned(),
        created_at: utc(user.created_at),
        last_seen_at: user.last_seen_at.map(utc),
        suspended_at: user.suspended_at.map(utc),
        suspended_reason: user.suspended_reason.clone(),
        preferences: Preferences {
            notification_mail: user.email_preference.as_str().to_owned(),
            digest_sent_at: user.digest_sent_at.map(utc),
        },
    }
}

fn revision_entry(r: RevisionRow) -> RevisionEntry {
    RevisionEntry {
        id: r.id,
        post_id: r.post_id,
        title: r.title,
        tags: r.tags,
        body_markdown: r.body_markdown,
        reason: r.reason,
        created_at: utc(r.created_at),
    }
}
