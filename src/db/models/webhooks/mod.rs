//! The webhook tables: the endpoints admins registered, the durable delivery outbox, and the
//! events about a question that may be announced only once.

pub mod announcements;
pub mod deliveries;
pub mod endpoints;
