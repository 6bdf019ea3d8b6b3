//! Row types and the SQL that reads and writes them, one module per table.

pub mod audit_log;
pub mod auth_tokens;
pub mod mail_outbox;
pub mod users;
