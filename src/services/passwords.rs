//! Password hashing with argon2id at OWASP's recommended cost, and the password rules.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::{ServiceError, ServiceResult};

/// OWASP (2024): argon2id, 19 MiB of memory, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// Shortest acceptable password, in characters.
pub const MIN_LENGTH: usize = 10;
/// Longest accepted password; hashing cost must not be an attacker's lever.
pub const MAX_LENGTH: usize = 512;

/// Passwords long enough to pass the length rule but among the most common in breach lists.
const COMMON: &str = include_str!("common_passwords.txt");

fn argon2() -> ServiceResult<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .map_err(|e| ServiceError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks a new password against the rules; `field` names the form field for the message.
pub fn check_rules(field: &'static str, password: &str, username: &str) -> ServiceResult<()> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(ServiceError::invalid(field, format!("Use at least {MIN_LENGTH} characters.")));
    }
    if length > MAX_LENGTH {
        return Err(ServiceError::invalid(field, format!("Use at most {MAX_LENGTH} characters.")));
    }
    let lowered = password.to_lowercase();
    if COMMON.lines().any(|common| common == lowered) {
        return Err(ServiceError::invalid(field, "This password is one of the most common ones; choose another."));
    }
    if !username.is_empty() && lowered.contains(&username.to_lowercase()) {
        return Err(ServiceError::invalid(field, "Do not use your username in your password."));
    }
    Ok(())
}

/// Hashes a password into a PHC string with a fresh random salt.
pub fn hash(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing a password: {e}")))
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    /// Wrong password (or an unreadable hash).
    No,
    /// Right password, hash up to date.
    Yes,
    /// Right password, but the hash uses other parameters: store this new hash.
    YesRehashed(String),
}

/// Checks a password, and re-hashes it when the stored hash's parameters are not today's.
pub fn verify(password: &str, stored: &str) -> ServiceResult<Verified> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Ok(Verified::No);
    };
    let hasher = argon2()?;
    if hasher.verify_password(password.as_bytes(), &parsed).is_err() {
        return Ok(Verified::No);
    }
    let current = Params::try_from(&parsed).ok();
    let up_to_date = parsed.algorithm.as_str() == "argon2id"
        && current.is_some_and(|p| p.m_cost() == MEMORY_KIB && p.t_cost() == ITERATIONS && p.p_cost() == LANES);
    if up_to_date {
        Ok(Verified::Yes)
    } else {
        Ok(Verified::YesRehashed(hash(password)?))
    }
}

/// Spends the time a real verification would, so a missing account is not told apart by timing.
pub fn verify_dummy(password: &str) {
    // A fixed, valid hash of a random string; the result is thrown away on purpose.
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0B4nU8Qb0j5g8P9O9Y0vWZ7e3mJY2v0c7s8Yk2kqz0Q";
    let _ = verify(password, DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify("correct horse battery", &stored).unwrap(), Verified::Yes);
        assert_eq!(verify("wrong horse battery", &stored).unwrap(), Verified::No);
        assert_eq!(verify("anything", "not a hash").unwrap(), Verified::No);
    }

    #[test]
    fn weaker_hashes_are_upgraded() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap())
            .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        match verify("correct horse battery", &weak).unwrap() {
            Verified::YesRehashed(new) => assert!(new.contains("m=19456,t=2,p=1")),
            other => panic!("expected a rehash, got {other:?}"),
        }
    }

    #[test]
    fn rules() {
        assert!(check_rules("password", "short", "fred").is_err());
        assert!(check_rules("password", "password123", "fred").is_err());
        assert!(check_rules("password", "fred-is-the-best", "fred").is_err());
        assert!(check_rules("password", "tulip-quartz-lantern", "fred").is_ok());
    }
}
