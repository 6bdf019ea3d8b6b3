//! Badges are awarded by a background job, never in the request: here, in the writer's
//! transaction, each change that can earn (or move) a badge leaves a durable "to check" row
//! naming the post concerned, which commits or vanishes with the change. The job
//! (`services::badges::job`) reads the post's author, score and tags itself, so the request
//! pays one small insert and no read.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer, ModerationAction};
use crate::db::models::badges;
use crate::db::DbConnection;
use crate::services::ServiceResult;

/// Leaves badge checks for the changes that can earn badges.
#[derive(Debug, Clone, Copy)]
pub struct BadgeChecks;

/// The post whose answers (an answer itself, or a question's answers) a change may earn or
/// move badges and tag scores for.
fn checked_post(change: &Change) -> Option<i64> {
    match *change {
        Change::AnswerPosted { answer, held: false, .. }
        | Change::HeldAnswerApproved { answer, .. }
        | Change::AnswerAccepted { answer, .. }
        | Change::AcceptanceWithdrawn { answer, .. }
        | Change::AnswerEndorsed { answer, .. }
        | Change::OfficialWithdrawn { answer, .. } => Some(answer),
        // An answer (or a question with its answers) leaving or coming back moves tag scores.
        Change::PostModerated { post, action: ModerationAction::Deleted | ModerationAction::Undeleted, .. }
        | Change::PostVisibilityChanged { post, .. } => Some(post),
        // A question's tags may have changed: its answerers' tag scores move.
        Change::PostEdited { question, post, .. } => (post == question).then_some(question),
        Change::AnswerPosted { held: true, .. }
        | Change::QuestionAsked { .. }
        // The reputation job leaves the check of an answer voted on, when it applies the vote.
        | Change::VoteCast { .. }
        | Change::OfficialReviewed { .. }
        // An approved suggestion also states the `PostEdited` it made.
        | Change::SuggestedEditReviewed { .. }
        | Change::PostModerated { .. }
        | Change::QuestionClosed { .. }
        | Change::QuestionReopened { .. }
        | Change::CommentPosted { .. }
        | Change::CommentModerated { .. }
        | Change::Flagged { .. }
        | Change::FlagsHandled { .. }
        | Change::SpammerRemoved { .. }
        | Change::AccountCreated { .. }
        | Change::AccountChanged { .. }
        | Change::AccountDeleted { .. }
        | Change::AskerRenamed { .. }
        | Change::WatchChanged { .. }
        | Change::QuestionAssigned { .. }
        | Change::TopicChanged { .. }
        | Change::MailQueued
        | Change::SiteSettingsChanged { .. } => None,
    }
}

impl Consumer for BadgeChecks {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        let posts: BTreeSet<i64> = changes.iter().filter_map(checked_post).collect();
        for post in posts {
            badges::record_check(conn, None, Some(post), now)?;
        }
        Ok(())
    }
}
