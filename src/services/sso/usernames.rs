//! A username for a new member from a provider's claims: the claim's text cut to the rules, or
//! the address's local part, or the name; then made unique with a number.

use super::super::accounts::check_username;
use super::super::{ServiceError, ServiceResult};
use crate::db::models::users;
use crate::db::DbConnection;
use crate::sso::ProviderIdentity;

/// The longest base name, leaving room for "-999".
const BASE_LENGTH: usize = 26;

/// A free username for the identity.
pub(super) fn unique(conn: &mut DbConnection, identity: &ProviderIdentity) -> ServiceResult<String> {
    let base = base_name(identity);
    for n in 1..=999 {
        let candidate = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        if check_username(&candidate).is_ok() && !users::username_taken(conn, &candidate.to_lowercase())? {
            return Ok(candidate);
        }
    }
    Err(ServiceError::Conflict("No free username could be made from your name; ask the site's staff.".into()))
}

fn base_name(identity: &ProviderIdentity) -> String {
    let from_email = identity.email.as_deref().and_then(|e| e.split('@').next());
    let sources = [identity.username.as_deref(), from_email, identity.display_name.as_deref()];
    sources.into_iter().flatten().map(clean).find(|name| name.len() >= 3).unwrap_or_else(|| "member".to_owned())
}

/// Keeps the characters usernames allow, turning runs of others into one '-'.
fn clean(raw: &str) -> String {
    let mut name = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name: String = name.trim_matches(['-', '.']).chars().take(BASE_LENGTH).collect();
    let name = name.trim_end_matches(['-', '.']).to_owned();
    if name.to_ascii_lowercase().starts_with("deleted-member") {
        return format!("m-{name}").chars().take(BASE_LENGTH).collect();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn claims_become_usernames_the_rules_allow() {
        assert_eq!(clean("Dana Scully"), "Dana-Scully");
        assert_eq!(clean("dana@example.com"), "dana-example.com");
        assert_eq!(clean("  --Zoë--  "), "Zo");
        assert_eq!(clean("deleted-member-7"), "m-deleted-member-7");
        assert_eq!(clean(&"x".repeat(80)).len(), 26);
    }
}
