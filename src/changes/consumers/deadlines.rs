//! Fixes the response promise of each question as it becomes public (asked in the open, or let
//! through by a moderator), in the transaction of the change, so a question is never public
//! without its deadline and a second node never makes another. The site's target and business
//! hours are read from the database inside that transaction, so a node (or a CLI command) whose
//! copy of the settings lags still promises what the site promises.

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::changes::{Change, Consumer};
use crate::db::DbConnection;
use crate::services::response_targets::promise;
use crate::services::ServiceResult;
use crate::site_settings::LiveSettings;

/// Writes `response_deadlines` rows for questions made public.
#[derive(Clone)]
pub struct Deadlines {
    settings: Arc<LiveSettings>,
}

impl Deadlines {
    /// Reads the site's target through `settings`.
    pub fn new(settings: Arc<LiveSettings>) -> Self {
        Self { settings }
    }
}

impl Consumer for Deadlines {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], now: NaiveDateTime) -> ServiceResult<()> {
        let mut settings = None;
        for change in changes {
            // The clock starts when the question became public: asked in the open, or let through.
            let question = match *change {
                Change::QuestionAsked { question, held: false, .. } => question,
                Change::PostVisibilityChanged { question, post, visible: true } if question == post => question,
                _ => continue,
            };
            let current = match &settings {
                Some(current) => current,
                None => settings.insert(self.settings.read(conn)?),
            };
            promise::make(conn, current, question, now)?;
        }
        Ok(())
    }
}
