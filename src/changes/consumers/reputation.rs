//! Keeps the reputation ledger in step with votes, acceptance, endorsement, approved edit
//! suggestions and deletions, in the writer's transaction: a vote and what it earned commit or
//! roll back together, and every node's writes reach the one ledger.

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer, ModerationAction};
use crate::db::DbConnection;
use crate::services::reputation::{self, Rules};
use crate::services::ServiceResult;
use crate::site_settings::LiveSettings;

/// Turns changes into reputation events.
#[derive(Clone)]
pub struct ReputationLedger {
    settings: Arc<LiveSettings>,
}

impl ReputationLedger {
    /// Reads the daily cap through `settings` (this node's copy: a cap changed a moment ago on
    /// another node applies here within the settings' refresh interval).
    pub fn new(settings: Arc<LiveSettings>) -> Self {
        Self { settings }
    }
}

impl Consumer for ReputationLedger {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        let rules = Rules { daily_cap: self.settings.current().moderation.reputation_daily_cap };
        for change in changes {
            match *change {
                Change::VoteCast { question, post, voter, author, value, previous } => {
                    let vote = reputation::Vote { post, is_answer: post != question, voter, author, value, previous };
                    reputation::vote_changed(conn, rules, vote, now)?;
                }
                Change::AnswerAccepted { question, .. } | Change::AcceptanceWithdrawn { question, .. } => {
                    reputation::acceptance_changed(conn, rules, question, now)?;
                }
                Change::AnswerEndorsed { answer, .. } | Change::OfficialWithdrawn { answer, .. } => {
                    reputation::endorsement_changed(conn, rules, answer, now)?;
                }
                Change::PostModerated { post, action: ModerationAction::Deleted, .. } => {
                    reputation::post_deleted(conn, post, true, now)?;
                }
                Change::PostModerated { post, action: ModerationAction::Undeleted, .. } => {
                    reputation::post_deleted(conn, post, false, now)?;
                }
                Change::SuggestedEditReviewed { post, author, approved: true, by, .. } => {
                    reputation::edit_approved(conn, rules, post, author, by, now)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}
