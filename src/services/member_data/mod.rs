//! A member's own data: everything Guidepost holds about one member, as one versioned JSON
//! document they (or an admin, on their request) can download. Audited.
//!
//! What the export leaves out, on purpose: password and token hashes, session secrets, the text
//! of mail (it can hold live links), other members' ids where a row names them (who handled a
//! flag, who caused a notification), and the details of audit entries the member made about
//! others (an invitation records another person's address).

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::{audit, ServiceError, ServiceResult};
use crate::changes::ChangeFeed;
use crate::db::models::member_export::{self as rows, RevisionRow};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, PostId, PostKind, QuestionId, UserId};

mod shape;

pub use shape::*;

/// The `format` field, so a reader can tell the document from any other JSON.
pub const FORMAT: &str = "guidepost-member-export";
/// The shape's version; bumped when a field changes meaning or goes away (added fields do not).
pub const VERSION: u32 = 1;

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
    let suggested_edits = crate::db::models::suggested_edits::by_author(conn, id)?
        .into_iter()
        .map(|s| SuggestedEditEntry {
            id: s.id,
            post_id: s.post_id,
            title: s.title,
            tags: s.tags,
            body_markdown: s.body,
            summary: s.summary,
            status: s.status.as_str().to_owned(),
            review_note: s.review_note,
            created_at: utc(s.created_at),
            reviewed_at: s.reviewed_at.map(utc),
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
    let api_tokens = crate::db::models::api_tokens::of_user(conn, id)?
        .into_iter()
        .map(|t| ApiTokenEntry {
            name: t.name,
            prefix: t.prefix,
            scopes: t.scopes,
            created_at: utc(t.created_at),
            expires_at: t.expires_at.map(utc),
            last_used_at: t.last_used_at.map(utc),
            revoked_at: t.revoked_at.map(utc),
        })
        .collect();
    let linked_accounts = crate::db::models::sso::identities_of(conn, id)?
        .into_iter()
        .map(|i| LinkedAccountEntry {
            provider: i.provider,
            subject: i.subject,
            email: i.email,
            linked_at: utc(i.created_at),
            last_used_at: utc(i.last_used_at),
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
        suggested_edits,
        sessions,
        auth_tokens,
        api_tokens,
        linked_accounts,
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
