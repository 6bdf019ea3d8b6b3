//! What a provider says about a person, read from the verified ID token's claims (and the
//! userinfo endpoint's, for claims some providers only release there), by the claim names the
//! configuration gives.

use serde_json::{Map, Value};

use crate::config::SsoProvider;
use crate::roles::Role;

/// A person as one provider knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderIdentity {
    /// The provider's id from the configuration.
    pub provider: String,
    /// The provider's stable name for the person (`sub`).
    pub subject: String,
    /// The wanted username, as the provider gave it.
    pub username: Option<String>,
    /// The name to show on posts.
    pub display_name: Option<String>,
    /// The address, lower-cased.
    pub email: Option<String>,
    /// The provider says it checked the address (`email_verified: true`).
    pub email_verified: bool,
    /// The role the role claim grants, or `None` when roles do not follow this provider.
    pub role: Option<Role>,
}

/// The claims, as a JSON object.
pub type Claims = Map<String, Value>;

/// Reads the identity from verified claims.
pub fn identity(provider: &SsoProvider, subject: &str, claims: &Claims) -> ProviderIdentity {
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let email = text(&provider.email_claim).map(str::to_lowercase);
    // Some providers send the flag as a string; only a plain yes counts.
    let email_verified = match claims.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    ProviderIdentity {
        provider: provider.id.clone(),
        subject: subject.to_owned(),
        username: text(&provider.username_claim).map(str::to_owned),
        display_name: text(&provider.display_name_claim).map(str::to_owned),
        email,
        email_verified,
        role: provider.role_claim.as_deref().map(|claim| role_from(provider, claims.get(claim))),
    }
}

/// The claims the configuration reads that these claims lack (the userinfo endpoint may have them).
pub fn missing(provider: &SsoProvider, claims: &Claims) -> bool {
    let mut wanted = vec![&provider.username_claim, &provider.display_name_claim, &provider.email_claim];
    wanted.extend(provider.role_claim.as_ref());
    wanted.iter().any(|name| !claims.contains_key(name.as_str()))
}

/// Staff or moderator when the claim holds one of the configured values (moderator wins),
/// member otherwise. Never admin: admins are made by admins.
fn role_from(provider: &SsoProvider, claim: Option<&Value>) -> Role {
    let values: Vec<&str> = match claim {
        Some(Value::String(s)) => s.split_whitespace().collect(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let holds = |wanted: &[String]| values.iter().any(|v| wanted.iter().any(|w| w == v));
    if holds(&provider.moderator_values) {
        Role::Moderator
    } else if holds(&provider.staff_values) {
        Role::Staff
    } else {
        Role::Member
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider() -> SsoProvider {
        SsoProvider {
            id: "acme".into(),
            name: "Acme".into(),
            issuer: url::Url::parse("https://id.example.com").unwrap(),
            client_id: "c".into(),
            client_secret: None,
            scopes: vec!["openid".into()],
            username_claim: "preferred_username".into(),
            display_name_claim: "name".into(),
            email_claim: "email".into(),
            role_claim: Some("groups".into()),
            staff_values: vec!["support-staff".into()],
            moderator_values: vec!["mods".into()],
            max_clock_skew_seconds: 60,
        }
    }

    fn claims(value: Value) -> Claims {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn roles_follow_the_claim_and_never_reach_admin() {
        let p = provider();
        let of = |v: Value| identity(&p, "s", &claims(json!({ "groups": v }))).role;
        assert_eq!(of(json!(["support-staff"])), Some(Role::Staff));
        assert_eq!(of(json!(["support-staff", "mods"])), Some(Role::Moderator));
        assert_eq!(of(json!("admins")), Some(Role::Member));
        assert_eq!(identity(&p, "s", &claims(json!({}))).role, Some(Role::Member));
    }

    #[test]
    fn only_a_plain_yes_verifies_an_address() {
        let p = provider();
        let verified = |v: Value| identity(&p, "s", &claims(json!({ "email": "A@B.example", "email_verified": v })));
        assert!(verified(json!(true)).email_verified);
        assert!(verified(json!("true")).email_verified);
        assert!(!verified(json!(false)).email_verified);
        assert!(!verified(json!("yes")).email_verified);
        assert_eq!(verified(json!(true)).email.as_deref(), Some("a@b.example"));
    }
}
