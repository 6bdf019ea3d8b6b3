//! Keeps the reputation ledger in step with acceptance, endorsement, approved edit suggestions
//! and deletions, in the writer's transaction: the act and what it earned commit or roll back
//! together, and every node's writes reach the one ledger. A vote leaves a queue row in its
//! transaction instead, which the reputation job applies a moment later
//! ([`crate::services::reputation::queue`]); [`WakeReputationJob`] wakes this node's job.

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer, ModerationAction};
use crate::db::models::reputation_queue;
use crate::db::DbConnection;
use crate::search::signal::Bell;
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
                Change::VoteCast { post, voter, .. } => reputation_queue::record(conn, post, voter, now)?,
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

/// Wakes this node's reputation job after a vote commits.
#[derive(Debug)]
pub struct WakeReputationJob {
    bell: Arc<Bell>,
}

impl WakeReputationJob {
    /// Rings `bell`, the one the job waits on.
    pub fn new(bell: Arc<Bell>) -> Self {
        Self { bell }
    }
}

impl Consumer for WakeReputationJob {
    fn committed(&self, changes: &[Change]) {
        if changes.iter().any(|change| matches!(change, Change::VoteCast { .. })) {
            self.bell.ring();
        }
    }
}
