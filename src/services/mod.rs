//! The forum's rules. Each public function is one use case: it takes plain data and the acting
//! user, checks permissions and input, and runs one database transaction.
//!
//! Services know nothing of HTTP or actix; they report failures as [`ServiceError`], in terms a
//! user could understand, and the web layer decides how to show them.

pub mod account_deletion;
pub mod accounts;
pub mod actor;
pub mod admin_users;
pub mod answers;
pub mod anti_spam;
pub mod api_tokens;
pub mod assignments;
pub mod audit;
pub mod badges;
pub mod break_glass;
pub mod close_votes;
pub mod closing;
pub mod commenting;
pub mod dashboard;
pub mod editing;
pub mod email_verification;
pub mod embeds;
pub mod feeds;
pub mod flags;
pub mod gap_waiters;
pub mod health;
pub mod hiding;
pub mod home;
pub mod insights;
pub mod listening;
pub mod member_data;
pub mod mentions;
pub mod metrics;
pub mod mod_log;
pub mod moderation;
pub mod my_work;
pub mod notifications;
pub mod official;
pub mod password_reset;
pub mod passwords;
pub mod policy;
pub mod posts;
pub mod profiles;
pub mod question_lists;
pub mod question_page;
pub mod questions;
pub mod queue_items;
pub mod recent;
pub mod related;
pub mod reputation;
pub mod response_targets;
pub mod review;
pub mod search;
pub mod search_gaps;
pub mod sessions;
pub mod settings;
pub mod share_card;
pub mod sign_in;
pub mod sign_up;
pub mod similar;
pub mod site_settings;
pub mod sitemaps;
pub mod spam;
pub mod sso;
pub mod staff_queue;
pub mod suggested_edits;
pub mod tags;
pub mod tokens;
pub mod topic_alerts;
pub mod topic_digest;
pub mod topics;
pub mod unsubscribe;
pub mod users_list;
pub mod views;
pub mod voting;
pub mod watching;
pub mod webhooks;

/// Why a use case was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing asked for does not exist (or is hidden from this user).
    #[error("{0} not found.")]
    NotFound(&'static str),
    /// The thing existed but was removed for good.
    #[error("{0}")]
    Gone(String),
    /// The action needs a signed-in user.
    #[error("Please sign in first.")]
    Unauthenticated,
    /// The user may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// One input field is not acceptable; the form can show `reason` next to `field`.
    #[error("{field}: {reason}")]
    Invalid {
        /// The form field at fault.
        field: &'static str,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// The action clashes with the current state (a taken username, say).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts in too short a time; says how long to wait.
    #[error("{message}")]
    RateLimited {
        /// What the limit is and when to come back, in plain words.
        message: String,
        /// How long until the next attempt can succeed.
        wait: std::time::Duration,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// Something else failed that the user cannot fix.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// Shorthand for an [`ServiceError::Invalid`] error.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { field, reason: reason.into() }
    }
}

/// The result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;
