//! The shape of a member's export, version 1: what each field holds. Adding a field keeps the
//! version; changing or removing one bumps [`super::VERSION`].

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

/// Times are written in UTC, RFC 3339 (`2026-12-03T12:00:00Z`).
pub type Time = DateTime<Utc>;

/// A stored time as the export writes it.
pub fn utc(at: NaiveDateTime) -> Time {
    at.and_utc()
}

/// Everything Guidepost holds about one member (see the module doc for what is left out).
#[derive(Debug, Serialize)]
pub struct MemberExport {
    /// Always [`super::FORMAT`].
    pub format: &'static str,
    /// Always [`super::VERSION`].
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
    /// Edits they suggested of others' posts, and what became of them.
    pub suggested_edits: Vec<SuggestedEditEntry>,
    /// Their signed-in sessions.
    pub sessions: Vec<SessionEntry>,
    /// Their link tokens (confirmation, password reset, set-password), without the secrets.
    pub auth_tokens: Vec<TokenEntry>,
    /// Their API tokens, without the secrets.
    pub api_tokens: Vec<ApiTokenEntry>,
    /// The identity providers' accounts linked to theirs (single sign-on).
    pub linked_accounts: Vec<LinkedAccountEntry>,
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

/// An edit they suggested.
#[derive(Debug, Serialize)]
pub struct SuggestedEditEntry {
    /// Suggestion id.
    pub id: i64,
    /// The post.
    pub post_id: i64,
    /// The title suggested (questions).
    pub title: Option<String>,
    /// The tags suggested (questions).
    pub tags: Option<String>,
    /// The text suggested.
    pub body_markdown: String,
    /// Their summary.
    pub summary: String,
    /// pending, approved or rejected.
    pub status: String,
    /// The reviewer's reason, for a rejection.
    pub review_note: Option<String>,
    /// When they suggested it.
    pub created_at: Time,
    /// When it was decided.
    pub reviewed_at: Option<Time>,
}

/// A signed-in session.
#[derive(Debug, Serialize)]
pub struct SessionEntry {
    /// When they signed in.
    pub created_at: Time,
    /// When the session was last used (noted at most daily).
    pub last_seen_at: Time,
}

/// An API token's record.
#[derive(Debug, Serialize)]
pub struct ApiTokenEntry {
    /// Their name for it.
    pub name: String,
    /// Its first characters.
    pub prefix: String,
    /// Its scopes, space-separated.
    pub scopes: String,
    /// When they made it.
    pub created_at: Time,
    /// When it stops working, if ever.
    pub expires_at: Option<Time>,
    /// When a program last used it.
    pub last_used_at: Option<Time>,
    /// When it was revoked.
    pub revoked_at: Option<Time>,
}

/// A provider account linked to theirs.
#[derive(Debug, Serialize)]
pub struct LinkedAccountEntry {
    /// The provider's id on this site.
    pub provider: String,
    /// The provider's name for them (`sub`).
    pub subject: String,
    /// The address the provider gave last.
    pub email: Option<String>,
    /// When it was linked.
    pub linked_at: Time,
    /// When it last signed them in.
    pub last_used_at: Time,
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
