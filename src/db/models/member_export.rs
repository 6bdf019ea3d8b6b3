//! What the database holds about one member, read for their data export: every row they wrote
//! or that is kept for them. Reads only; `services::member_data` shapes the export, and decides
//! what of each row a member may see (never a token or password hash).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit_log::AuditEntry;
use super::comments::Comment;
use super::flags::Flag;
use super::notifications::Notification;
use super::posts::Post;
use crate::db::schema::{
    audit_log, auth_tokens, comments, flags, mail_outbox, notifications, posts, revisions, sessions, votes, watches,
};
use crate::db::DbConnection;
use crate::domain::TokenPurpose;

/// A vote the member cast: (post, +1 or -1, when).
pub type VoteRow = (i64, i32, NaiveDateTime);

/// A version the member wrote, its text filled in from the post when the row shares it.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    /// Row id.
    pub id: i64,
    /// The post edited.
    pub post_id: i64,
    /// For questions: the title then.
    pub title: Option<String>,
    /// For questions: the tags then.
    pub tags: Option<String>,
    /// The Markdown then.
    pub body_markdown: String,
    /// Why it was edited.
    pub reason: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A token record without its hash: (purpose, address being verified, issued, expires, used).
pub type TokenRow = (TokenPurpose, Option<String>, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>);

/// A letter addressed to the member, without its text (which can hold live links): (subject,
/// queued, sent, given up).
pub type MailRow = (String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>);

/// Every question and answer the member wrote, deleted ones included, oldest first.
pub fn posts_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<Post>> {
    posts::table.filter(posts::author_id.eq(user_id)).order(posts::id).select(Post::as_select()).load(conn)
}

/// Every comment the member wrote, deleted ones included, oldest first.
pub fn comments_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<Comment>> {
    comments::table.filter(comments::author_id.eq(user_id)).order(comments::id).select(Comment::as_select()).load(conn)
}

/// Every vote the member cast, oldest first.
pub fn votes_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<VoteRow>> {
    votes::table
        .filter(votes::user_id.eq(user_id))
        .order((votes::created_at, votes::post_id))
        .select((votes::post_id, votes::value, votes::created_at))
        .load(conn)
}

/// Every version of a post the member wrote (first versions of their own posts included).
pub fn revisions_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<RevisionRow>> {
    type Row = (i64, i64, Option<String>, Option<String>, Option<String>, String, Option<String>, NaiveDateTime);
    let rows: Vec<Row> = revisions::table
        .inner_join(posts::table)
        .filter(revisions::editor_id.eq(user_id))
        .order(revisions::id)
        .select((
            revisions::id,
            revisions::post_id,
            revisions::title,
            revisions::tags,
            revisions::body_markdown,
            posts::body_markdown,
            revisions::reason,
            revisions::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, post_id, title, tags, own, current, reason, created_at)| RevisionRow {
            id,
            post_id,
            title,
            tags,
            // A row without text shares the post's current text (see `models::revisions`).
            body_markdown: own.unwrap_or(current),
            reason,
            created_at,
        })
        .collect())
}

/// The questions the member watches, as (question, since).
pub fn watches_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(i64, NaiveDateTime)>> {
    watches::table
        .filter(watches::user_id.eq(user_id))
        .order(watches::question_id)
        .select((watches::question_id, watches::created_at))
        .load(conn)
}

/// The member's notifications, oldest first.
pub fn notifications_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id)
        .select(Notification::as_select())
        .load(conn)
}

/// The flags the member raised, oldest first.
pub fn flags_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<Flag>> {
    flags::table.filter(flags::flagger_id.eq(user_id)).order(flags::id).select(Flag::as_select()).load(conn)
}

/// The member's open sessions, as (signed in, last seen); never the secret's digest.
pub fn sessions_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::id)
        .select((sessions::created_at, sessions::last_seen_at))
        .load(conn)
}

/// The member's link tokens, without their hashes, oldest first.
pub fn tokens_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<TokenRow>> {
    auth_tokens::table
        .filter(auth_tokens::user_id.eq(user_id))
        .order(auth_tokens::id)
        .select((
            auth_tokens::purpose,
            auth_tokens::email,
            auth_tokens::created_at,
            auth_tokens::expires_at,
            auth_tokens::used_at,
        ))
        .load(conn)
}

/// The letters queued for an address, oldest first, without their text.
pub fn mail_to(conn: &mut DbConnection, address: &str) -> QueryResult<Vec<MailRow>> {
    mail_outbox::table
        .filter(mail_outbox::to_address.eq(address))
        .order(mail_outbox::id)
        .select((mail_outbox::subject, mail_outbox::created_at, mail_outbox::sent_at, mail_outbox::failed_at))
        .load(conn)
}

/// The audit entries about the member's account or made by them, oldest first.
pub fn audit_about_or_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(
            audit_log::target_kind.eq("user").and(audit_log::target_id.eq(user_id)).or(audit_log::actor_id.eq(user_id)),
        )
        .order(audit_log::id)
        .select(AuditEntry::as_select())
        .load(conn)
}
