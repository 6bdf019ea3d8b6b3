//! Row types and the SQL that reads and writes them, one module per table.

pub mod audit_log;
pub mod auth_tokens;
pub mod comments;
pub mod feeds;
pub mod flags;
pub mod health;
pub mod imports;
pub mod mail_outbox;
pub mod member_activity;
pub mod notifications;
pub mod official;
pub mod posts;
pub mod question_pages;
pub mod revisions;
pub mod search_changes;
pub mod search_documents;
pub mod search_log;
pub mod sessions;
pub mod site_settings;
pub mod sitemaps;
pub mod staff_queue;
pub mod staff_stats;
pub mod tags;
pub mod users;
pub mod votes;
pub mod watches;
