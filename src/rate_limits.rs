//! Rate limits on the actions attackers repeat: signing in, signing up, asking for reset mail,
//! and the requests that cost the most to answer (search, similar questions, previews, sitemaps).
//!
//! Each limit is a token bucket (governor's GCRA) per key: an account name, an IP address or an
//! email address. The buckets live in this node's memory; with several nodes behind a load
//! balancer each node enforces its own share, which still bounds guessing to a small multiple.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

/// The actions that are limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Sign-in attempts from one address.
    SignInPerIp,
    /// Accounts created from one address.
    SignUpPerIp,
    /// Reset mails asked for one email address.
    ResetPerAddress,
    /// Reset mails asked from one address.
    ResetPerIp,
    /// Verification mails re-sent to one member.
    VerifyResendPerUser,
    /// Requests to be told when a search is answered, from one client.
    GapWaitPerClient,
    /// Costly requests from one client (an address, or a member's account); its rate is set by
    /// `GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE`.
    HeavyPerClient,
    /// API requests from one caller (a token, a member, an address); its rate is set by
    /// `GUIDEPOST_API_REQUESTS_PER_MINUTE`.
    ApiPerCaller,
}

const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

impl Limit {
    /// How many at once, and how fast the allowance refills; `None` when the limit is off.
    fn quota(self, per_minute: PerMinute) -> Option<Quota> {
        match self {
            // A minute's allowance at once: a person typing a title or paging results comes in
            // bursts, and so does a program syncing a page of questions.
            Self::HeavyPerClient => return NonZeroU32::new(per_minute.heavy).map(Quota::per_minute),
            Self::ApiPerCaller => return NonZeroU32::new(per_minute.api).map(Quota::per_minute),
            _ => {}
        }
        let (burst, every) = match self {
            Self::SignInPerIp => (30, Duration::from_secs(10)),
            Self::SignUpPerIp => (5, Duration::from_secs(600)),
            Self::ResetPerAddress => (3, Duration::from_secs(1200)),
            Self::ResetPerIp => (10, Duration::from_secs(60)),
            Self::VerifyResendPerUser => (3, Duration::from_secs(600)),
            Self::GapWaitPerClient => (10, Duration::from_secs(360)),
            Self::HeavyPerClient | Self::ApiPerCaller => return None,
        };
        Some(
            Quota::with_period(every).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(nonzero(burst)),
        )
    }
}

/// The limits the operator sets, per client per minute (0: no limit).
#[derive(Debug, Clone, Copy)]
pub struct PerMinute {
    /// `GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE`.
    pub heavy: u32,
    /// `GUIDEPOST_API_REQUESTS_PER_MINUTE`.
    pub api: u32,
}

/// Keys beyond which stale buckets are dropped, so memory stays bounded under a flood.
const PRUNE_ABOVE: usize = 50_000;

/// Every limiter of this node.
pub struct RateLimits {
    limiters: Vec<(Limit, DefaultKeyedRateLimiter<String>)>,
}

impl RateLimits {
    /// Every limit, with costly and API requests allowed at the operator's rates.
    pub fn new(per_minute: PerMinute) -> Self {
        let all = [
            Limit::SignInPerIp,
            Limit::SignUpPerIp,
            Limit::ResetPerAddress,
            Limit::ResetPerIp,
            Limit::VerifyResendPerUser,
            Limit::GapWaitPerClient,
            Limit::HeavyPerClient,
            Limit::ApiPerCaller,
        ];
        let limiters =
            all.into_iter().filter_map(|l| l.quota(per_minute).map(|q| (l, RateLimiter::keyed(q)))).collect();
        Self { limiters }
    }

    /// Counts one attempt; refuses with [`AppError::RateLimited`] and the wait when over the limit.
    pub fn check(&self, limit: Limit, key: &str) -> Result<(), AppError> {
        let Some((_, limiter)) = self.limiters.iter().find(|(l, _)| *l == limit) else {
            return Ok(());
        };
        if limiter.len() > PRUNE_ABOVE {
            limiter.retain_recent();
        }
        limiter
            .check_key(&key.to_lowercase())
            .map_err(|not_until| AppError::RateLimited(not_until.wait_time_from(DefaultClock::default().now())))
    }
}
