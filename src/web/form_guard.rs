//! Robot traps on the sign-up and ask forms: a honeypot field people never see (robots fill in
//! every field), and a signed timestamp of when the form was shown (robots post at once). A form
//! that trips either is refused with a message and changes nothing.
//!
//! The timestamp is HMAC-signed with a key derived from the site secret, so it needs no storage,
//! is the same on every node, and cannot be back-dated. It is not secret; it only proves the
//! form was fetched from us at least `min_form_seconds` earlier.

use crate::signing::NumberSigner;
use crate::state::AppState;

/// Separates this use of the site secret from its others.
const PURPOSE: &[u8] = b"guidepost form stamp v1";

/// A stamp older than this is refused: a robot must fetch the form again at least daily.
const MAX_AGE_SECONDS: i64 = 24 * 60 * 60;

/// The honeypot field's name: a plausible field robots like to fill in.
pub const HONEYPOT: &str = "website";
/// Why a form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The hidden field was filled in.
    Honeypot,
    /// Sent back too fast, or with a missing, forged or stale stamp.
    TooFast,
}

impl Refusal {
    /// What the form shows. People never see the honeypot, so its message speaks to whoever
    /// (or whatever) filled it in.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Honeypot => {
                "This form could not be sent. If you are a person, leave the field marked “Leave this empty” empty."
            }
            Refusal::TooFast => "That was quick! Please take a moment to check the form, then send it again.",
        }
    }
}

/// The stamp to put in a form shown at `now` (milliseconds since the epoch).
pub fn stamp(state: &AppState, now: i64) -> String {
    signer(state).token(now)
}

/// Checks a submitted form's trap fields at `now` (milliseconds since the epoch).
pub fn check(state: &AppState, honeypot: &str, stamp: Option<&str>, now: i64) -> Result<(), Refusal> {
    if !honeypot.trim().is_empty() {
        return Err(Refusal::Honeypot);
    }
    let min = i64::from(state.settings().moderation.min_form_seconds);
    if min == 0 {
        return Ok(());
    }
    let shown_at = stamp.and_then(|s| signer(state).verify(s)).ok_or(Refusal::TooFast)?;
    // In milliseconds: counted in whole seconds, a form shown at 12:00:00.9 and sent back at
    // 12:00:01.0 looked a second old.
    let age = now - shown_at;
    if (min * 1_000..=MAX_AGE_SECONDS * 1_000).contains(&age) {
        Ok(())
    } else {
        Err(Refusal::TooFast)
    }
}

/// Milliseconds since the epoch, as stamps count them.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn signer(state: &AppState) -> NumberSigner {
    NumberSigner::derive(state.cookie_key.signing(), PURPOSE)
}
