//! This node's memory of failed sign-ins, which bounds password guessing against one account.
//!
//! Only failures count: a member who signs in often never uses up anything. The allowance is
//! kept per account (however it was typed: username, email, any case), and two ways at once:
//! a small one per account *and address*, so one guesser locks out only itself, and a larger one
//! per account from anywhere, so guessing spread over many addresses still stops. Names that
//! match no account are counted the same way by name, so a refusal does not tell which exist.
//!
//! governor's buckets (see [`crate::rate_limits`]) count every check and cannot be looked at
//! without spending, which is why failures are kept here instead.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

use crate::error::AppError;

/// How long failures are remembered after the first of a run.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures one address may have against one account within the window.
const PER_ACCOUNT_AND_ADDRESS: u32 = 5;
/// Failures from all addresses together against one account within the window.
const PER_ACCOUNT: u32 = 50;
/// Keys remembered; the least recently failed are forgotten first, so a flood of names stays
/// bounded in memory.
const REMEMBERED: NonZeroUsize = match NonZeroUsize::new(100_000) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// Who is trying to sign in as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInTarget {
    /// An existing account, by id.
    Account(i64),
    /// A name that matches no account, lower-cased.
    Unknown(String),
}

impl SignInTarget {
    fn key(&self) -> String {
        match self {
            Self::Account(id) => format!("account:{id}"),
            Self::Unknown(name) => format!("name:{name}"),
        }
    }
}

/// A run of failures: how many, since when.
#[derive(Debug, Clone, Copy)]
struct Run {
    count: u32,
    since: Instant,
}

/// Failed sign-ins this node has seen recently.
pub struct SignInFailures {
    runs: Mutex<LruCache<String, Run>>,
}

impl Default for SignInFailures {
    fn default() -> Self {
        Self { runs: Mutex::new(LruCache::new(REMEMBERED)) }
    }
}

impl SignInFailures {
    /// Refuses with [`AppError::RateLimited`] (and how long to wait) while `target` has had too
    /// many failures, from `address` or from everywhere. Spends nothing.
    pub fn check(&self, target: &SignInTarget, address: &str, now: Instant) -> Result<(), AppError> {
        let Ok(runs) = self.runs.lock() else {
            return Ok(()); // A poisoned lock only means another thread panicked mid-update.
        };
        let key = target.key();
        let limits = [(format!("{key}@{address}"), PER_ACCOUNT_AND_ADDRESS), (key, PER_ACCOUNT)];
        for (key, cap) in limits {
            if let Some(run) = runs.peek(&key).copied() {
                let ends = run.since + WINDOW;
                if ends > now && run.count >= cap {
                    return Err(AppError::RateLimited(ends - now));
                }
            }
        }
        Ok(())
    }

    /// Counts a failed attempt on `target` from `address`.
    pub fn record_failure(&self, target: &SignInTarget, address: &str, now: Instant) {
        let Ok(mut runs) = self.runs.lock() else { return };
        let key = target.key();
        for key in [format!("{key}@{address}"), key] {
            match runs.get_mut(&key) {
                Some(run) if run.since + WINDOW > now => run.count += 1,
                _ => {
                    runs.put(key, Run { count: 1, since: now });
                }
            }
        }
    }

    /// Forgets the failures of `target` from `address` after it signed in there: the member
    /// got the password right, so earlier typos from that address no longer count.
    pub fn record_success(&self, target: &SignInTarget, address: &str) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.pop(&format!("{}@{address}", target.key()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_count_and_each_address_has_its_own_allowance() {
        let failures = SignInFailures::default();
        let fred = SignInTarget::Account(7);
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            failures.check(&fred, "10.0.0.1", now).unwrap();
            failures.record_failure(&fred, "10.0.0.1", now);
        }
        assert!(matches!(failures.check(&fred, "10.0.0.1", now), Err(AppError::RateLimited(_))));
        // Fred himself, elsewhere, is not locked out by the guesser.
        failures.check(&fred, "10.0.0.2", now).unwrap();
        // The run ends with its window.
        failures.check(&fred, "10.0.0.1", now + WINDOW).unwrap();
    }

    #[test]
    fn guessing_from_many_addresses_stops_at_the_account_wide_allowance() {
        let failures = SignInFailures::default();
        let fred = SignInTarget::Account(7);
        let now = Instant::now();
        for n in 0..PER_ACCOUNT {
            failures.record_failure(&fred, &format!("10.0.{}.{}", n / 250, n % 250), now);
        }
        assert!(matches!(failures.check(&fred, "192.0.2.1", now), Err(AppError::RateLimited(_))));
        failures.check(&SignInTarget::Account(8), "192.0.2.1", now).unwrap();
    }

    #[test]
    fn success_forgets_that_addresses_failures() {
        let failures = SignInFailures::default();
        let fred = SignInTarget::Account(7);
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS - 1 {
            failures.record_failure(&fred, "10.0.0.1", now);
        }
        failures.record_success(&fred, "10.0.0.1");
        for _ in 0..PER_ACCOUNT_AND_ADDRESS - 1 {
            failures.record_failure(&fred, "10.0.0.1", now);
        }
        failures.check(&fred, "10.0.0.1", now).unwrap();
    }
}
