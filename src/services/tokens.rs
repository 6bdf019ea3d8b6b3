//! Single-use secrets handed to a user (set-password links, later email verification and
//! password reset). Only a SHA-256 digest is stored, so a database leak reveals no usable token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult};
use crate::db::models::auth_tokens::{self, NewAuthToken, TokenPurpose};
use crate::db::DbConnection;

/// A fresh secret: 256 random bits, URL-safe.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The digest we store and look tokens up by.
pub fn digest(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Issues a token for `user_id`, valid for `lifetime`; returns the secret to hand over.
pub fn issue(
    conn: &mut DbConnection,
    user_id: i64,
    purpose: TokenPurpose,
    email: Option<&str>,
    now: NaiveDateTime,
    lifetime: Duration,
) -> ServiceResult<String> {
    let token = generate();
    auth_tokens::insert(
        conn,
        &NewAuthToken {
            user_id,
            purpose,
            token_hash: &digest(&token),
            email,
            created_at: now,
            expires_at: now + lifetime,
        },
    )?;
    Ok(token)
}

/// Finds the unused, unexpired token for `purpose`; the same error for every kind of bad token.
pub fn find_valid(
    conn: &mut DbConnection,
    token: &str,
    purpose: TokenPurpose,
    now: NaiveDateTime,
) -> ServiceResult<auth_tokens::AuthToken> {
    let expired = || ServiceError::Gone("This link is invalid, already used or expired. Ask for a new one.".to_owned());
    // Tokens are 43 characters; refuse anything else before touching the database.
    if token.len() != 43 {
        return Err(expired());
    }
    match auth_tokens::find_by_hash(conn, &digest(token))? {
        Some(t) if t.purpose == purpose && t.used_at.is_none() && t.expires_at > now => Ok(t),
        _ => Err(expired()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_stable() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
