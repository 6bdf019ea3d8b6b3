//! Every integration test of the app, in one test binary: one link of the whole app instead of one
//! per file keeps a clean build's disk and time in bounds (a file of its own per test binary took
//! tens of gigabytes and a linker crash in CI). Each module is one area of the forum, and a new test
//! file is declared here. Run one area with `cargo test --test suite <module>::`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test should fail loudly at the first surprise")]

// First, so its `on_both_backends!` is in scope in every module below.
#[macro_use]
mod common;

mod accounts;
mod admin_users;
mod anti_spam;
mod api;
mod api_tokens;
mod app_shell;
mod backup_restore;
mod badges;
mod change_feed;
mod checkpoints;
mod cli;
mod closing;
mod concurrent_writes;
mod crash_safety;
mod embeds;
mod feeds;
mod gap_waiters;
mod hardening;
mod import;
mod insights;
mod insights_mail;
mod listening;
mod mail_delivery;
mod mail_worker;
mod markdown_snapshots;
mod member_data;
mod mentions;
mod metrics;
mod migrations;
mod moderation;
mod notifications;
mod official_answers;
mod page_cache;
mod page_cache_invalidation;
mod postgres_tls;
mod privileges;
mod question_page_queries;
mod questions;
mod reputation;
mod reputation_queue;
mod response_targets;
mod route_fuzzer;
mod search;
mod search_recovery;
mod seed;
mod seo;
mod set_password_link;
mod site_settings;
mod sitemaps;
mod sso;
mod staff_dashboard;
mod suggested_edits;
mod topic_digest;
mod topics;
mod users_page;
mod webhooks;
