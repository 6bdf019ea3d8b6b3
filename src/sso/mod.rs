//! Single sign-on through OpenID Connect: the configured providers, each with its cached
//! discovery document and keys. The flow's durable parts (sign-ins under way, linked identities,
//! links waiting for proof) live in the database, through `services::sso`, so any node can
//! finish a sign-in another node started.

pub mod claims;
pub mod error;
pub mod http;
pub mod provider;

pub use claims::ProviderIdentity;
pub use error::SsoError;
pub use provider::{AuthorizationStart, IdentityProvider};

use crate::config::Config;

/// Every configured provider, in the configuration's order.
#[derive(Debug, Default)]
pub struct IdentityProviders {
    providers: Vec<IdentityProvider>,
}

impl IdentityProviders {
    /// The configuration's providers; nothing is fetched until someone signs in.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let http = http::ProviderClient::default();
        let providers = config
            .sso_providers
            .iter()
            .map(|p| IdentityProvider::new(p.clone(), config.base_url_str(), http.clone()))
            .collect::<Result<_, _>>()?;
        Ok(Self { providers })
    }

    /// The provider with this id.
    pub fn get(&self, id: &str) -> Result<&IdentityProvider, SsoError> {
        self.providers.iter().find(|p| p.config.id == id).ok_or(SsoError::UnknownProvider)
    }

    /// Every provider, for the sign-in buttons.
    pub fn all(&self) -> &[IdentityProvider] {
        &self.providers
    }

    /// The buttons' data: id and name of each provider.
    pub fn buttons(&self) -> Vec<ProviderButton> {
        self.providers.iter().map(|p| ProviderButton { id: p.config.id.clone(), name: p.config.name.clone() }).collect()
    }
}

/// What a "Sign in with ..." button needs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProviderButton {
    /// The provider's id (its address).
    pub id: String,
    /// The provider's name.
    pub name: String,
}
