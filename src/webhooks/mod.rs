//! Signed webhooks: deliveries of forum events to endpoints admins registered, signed per the
//! Standard Webhooks convention. The change feed queues them durably
//! ([`crate::changes::consumers::webhooks`]); [`worker`] claims, signs, posts, retries and
//! switches off endpoints that keep failing; [`outbound`] is the one client allowed to post to
//! a URL someone typed. Nothing here runs inside a request.

pub mod chat;
pub mod notice;
pub mod outbound;
pub mod overdue;
pub mod payload;
pub mod signing;
pub mod worker;

pub use outbound::{FeedAnswer, OutboundClient, Reach, Validators};
pub use worker::{deliver_due, Job, Report, WebhookWorker};
