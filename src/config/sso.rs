//! Single sign-on providers: the file's `[[sso.providers]]` tables, each judged here once, so a
//! wrong issuer or a duplicate id stops the server at start-up with the key to fix.

use serde::Deserialize;
use url::Url;

use super::sources::Layers;
use super::ConfigError;

/// The file's `[sso]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SsoFile {
    #[serde(default)]
    providers: Vec<ProviderFile>,
}

/// One `[[sso.providers]]` table as written; every key but the first four is optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderFile {
    id: String,
    name: String,
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    scopes: Option<Vec<String>>,
    username_claim: Option<String>,
    display_name_claim: Option<String>,
    email_claim: Option<String>,
    role_claim: Option<String>,
    staff_values: Option<Vec<String>>,
    moderator_values: Option<Vec<String>>,
    max_clock_skew_seconds: Option<u32>,
}

/// One OpenID Connect provider people may sign in with.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoProvider {
    /// The provider's name in addresses (`/auth/sso/{id}`) and in stored identities.
    pub id: String,
    /// Shown on the button: "Sign in with {name}".
    pub name: String,
    /// The issuer, whose `/.well-known/openid-configuration` describes the provider.
    pub issuer: Url,
    /// The client id the provider gave this site.
    pub client_id: String,
    /// The client secret; `None` for a public client (PKCE alone). Never logged.
    pub client_secret: Option<String>,
    /// Scopes asked for; always includes `openid`.
    pub scopes: Vec<String>,
    /// The claim a new member's username is made from.
    pub username_claim: String,
    /// The claim holding the name shown on posts.
    pub display_name_claim: String,
    /// The claim holding the email address.
    pub email_claim: String,
    /// The claim (a string or a list of strings) that roles follow; `None` leaves roles alone.
    pub role_claim: Option<String>,
    /// Values of the role claim that make someone staff.
    pub staff_values: Vec<String>,
    /// Values of the role claim that make someone a moderator (wins over staff).
    pub moderator_values: Vec<String>,
    /// How far the provider's clock may be from ours when judging an ID token's times.
    pub max_clock_skew_seconds: u32,
}

impl std::fmt::Debug for SsoProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of logs and panics.
        f.debug_struct("SsoProvider")
            .field("id", &self.id)
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "(set)"))
            .finish_non_exhaustive()
    }
}

/// Reads and judges every provider of the file.
pub(super) fn load(layers: &Layers, file_setting: &str) -> Result<Vec<SsoProvider>, ConfigError> {
    let file: SsoFile = layers.table("sso").map_err(|e| ConfigError::new(file_setting, e))?.unwrap_or_default();
    let mut providers: Vec<SsoProvider> = Vec::new();
    for (index, raw) in file.providers.into_iter().enumerate() {
        let provider = judge(raw).map_err(|(key, message)| {
            ConfigError::new(&format!("sso.providers[{index}].{key} in {file_setting}"), message)
        })?;
        if providers.iter().any(|p| p.id == provider.id) {
            return Err(ConfigError::new(
                &format!("sso.providers[{index}].id in {file_setting}"),
                format!("`{}` names two providers; give each its own id", provider.id),
            ));
        }
        providers.push(provider);
    }
    Ok(providers)
}

type Refusal = (&'static str, String);

fn judge(raw: ProviderFile) -> Result<SsoProvider, Refusal> {
    let id = raw.id.trim().to_owned();
    let id_ok =
        (1..=32).contains(&id.len()) && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    // `link` is the address of the page that links a provider to an existing account.
    if !id_ok || id == "link" {
        return Err(("id", format!("`{id}` is not 1 to 32 lower-case letters, digits or '-'")));
    }
    let name = raw.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(("name", "must be 1 to 60 characters".to_owned()));
    }
    let issuer = issuer(&raw.issuer).map_err(|message| ("issuer", message))?;
    let client_id = raw.client_id.trim().to_owned();
    if client_id.is_empty() {
        return Err(("client_id", "is empty".to_owned()));
    }
    let client_secret = raw.client_secret.filter(|s| !s.is_empty());
    let mut scopes = raw.scopes.unwrap_or_else(|| vec!["openid".into(), "email".into(), "profile".into()]);
    scopes.retain(|s| !s.trim().is_empty());
    if let Some(bad) = scopes.iter().find(|s| s.chars().any(|c| c.is_whitespace() || c == '"' || c == '\\')) {
        return Err(("scopes", format!("`{bad}` is not a scope name")));
    }
    if !scopes.iter().any(|s| s == "openid") {
        scopes.insert(0, "openid".to_owned());
    }
    let claim = |value: Option<String>, default: &str| -> Result<String, Refusal> {
        let value = value.unwrap_or_else(|| default.to_owned());
        if value.trim().is_empty() {
            return Err(("claim", "a claim name is empty".to_owned()));
        }
        Ok(value.trim().to_owned())
    };
    let max_clock_skew_seconds = raw.max_clock_skew_seconds.unwrap_or(60);
    if max_clock_skew_seconds > 600 {
        return Err(("max_clock_skew_seconds", "must be at most 600".to_owned()));
    }
    Ok(SsoProvider {
        id,
        name,
        issuer,
        client_id,
        client_secret,
        scopes,
        username_claim: claim(raw.username_claim, "preferred_username")?,
        display_name_claim: claim(raw.display_name_claim, "name")?,
        email_claim: claim(raw.email_claim, "email")?,
        role_claim: raw.role_claim.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
        staff_values: raw.staff_values.unwrap_or_default(),
        moderator_values: raw.moderator_values.unwrap_or_default(),
        max_clock_skew_seconds,
    })
}

/// An issuer must be https, except on this machine (a provider beside the server, or tests):
/// ID tokens and secrets must not cross a network in clear text.
fn issuer(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(format!("`{raw}` must start with https:// (http:// only for 127.0.0.1 or localhost)")),
    }
    if url.query().is_some() || url.fragment().is_some() || url.cannot_be_a_base() {
        return Err(format!("`{raw}` must be a plain issuer URL without ? or #"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(issuer: &str) -> ProviderFile {
        ProviderFile {
            id: "acme".into(),
            name: "Acme".into(),
            issuer: issuer.into(),
            client_id: "guidepost".into(),
            client_secret: Some("s".into()),
            scopes: Some(vec!["email".into()]),
            username_claim: None,
            display_name_claim: None,
            email_claim: None,
            role_claim: None,
            staff_values: None,
            moderator_values: None,
            max_clock_skew_seconds: None,
        }
    }

    #[test]
    fn issuers_are_https_except_on_this_machine() {
        assert!(judge(raw("https://id.example.com/realms/acme")).is_ok());
        assert!(judge(raw("http://127.0.0.1:9400")).is_ok());
        assert!(judge(raw("http://id.example.com")).is_err());
        assert!(judge(raw("https://id.example.com/?x=1")).is_err());
    }

    #[test]
    fn openid_is_always_asked_for_and_claims_have_defaults() {
        let provider = judge(raw("https://id.example.com")).unwrap();
        assert_eq!(provider.scopes, ["openid", "email"]);
        assert_eq!(provider.username_claim, "preferred_username");
        assert_eq!(provider.max_clock_skew_seconds, 60);
        assert!(!format!("{provider:?}").contains("\"s\""));
    }
}
