//! The test harness: every test gets a fresh database (a temporary SQLite file, or a fresh
//! PostgreSQL database when `GUIDEPOST_TEST_POSTGRES_URL` is set) and drives the real app built by
//! `build_app`, with a cookie jar like a browser's.
#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support code; each test binary uses a part"
)]

pub mod backends;
pub mod browser;
pub mod cli;
pub mod dumps;
pub mod forum;
pub mod mail;
pub mod members;
pub mod oidc;
pub mod receiver;
pub mod xml;

pub use backends::TestDb;
pub use browser::{Page, TestApp};

/// Rules without posting limits, for tests that write many posts as one member (the limits have
/// their own tests in tests/anti_spam.rs).
pub const NO_POSTING_LIMITS: guidepost::config::ModerationConfig = guidepost::config::ModerationConfig {
    questions_per_hour: 0,
    answers_per_hour: 0,
    comments_per_hour: 0,
    votes_per_hour: 0,
    reputation_to_flag: 0,
    reputation_to_comment: 0,
    reputation_to_vote_down: 0,
    reputation_to_review: 0,
    reputation_to_close: 0,
    reputation_to_edit: 0,
    ..guidepost::config::ModerationConfig::DEFAULT
};

/// The posting policy of a site without posting limits, where every privilege opens at 0
/// reputation: for tests that call write use cases directly.
pub fn open_posting_policy() -> guidepost::services::policy::PostingPolicy {
    guidepost::services::policy::PostingPolicy {
        require_verified_email: false,
        allow_images: false,
        moderation: NO_POSTING_LIMITS,
        privileges: guidepost::domain::Privileges::of(&NO_POSTING_LIMITS),
    }
}

/// Runs an async scenario once on SQLite and once on PostgreSQL (when configured), as two tests
/// named `<scenario>::sqlite` and `<scenario>::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[actix_web::test]
            async fn sqlite() {
                super::$scenario($crate::common::TestApp::start($crate::common::TestDb::sqlite()).await).await;
            }

            #[actix_web::test]
            async fn postgres() {
                match $crate::common::TestDb::postgres() {
                    Some(db) => super::$scenario($crate::common::TestApp::start(db).await).await,
                    None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
                }
            }
        }
    )+};
}
