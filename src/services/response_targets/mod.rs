//! Response targets: the promise made to each public question (an official answer within the
//! target, counted in business hours), the sweep that alerts its topic's leads as the promise
//! nears and the admins too once it is broken, and the dashboard's account of promises kept.
//!
//! A promise is fixed when the question becomes public ([`promise`]): a later change of the
//! site's or a topic's target, or of the business hours, does not move it. Nothing here knows
//! about HTTP.

pub mod promise;
pub mod report;
pub mod sweep;
pub mod task;

/// The share of a target after which a question is "nearing" it, in percent.
pub const NEARING_PERCENT: i64 = 75;
