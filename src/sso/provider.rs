//! One OpenID provider: its discovery document and keys, cached; the authorization request; and
//! the return trip: the code exchanged (with the PKCE verifier), the ID token's signature,
//! issuer, audience, nonce and times checked, then its claims read.

use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, DiscoveryError,
    EmptyAdditionalClaims, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl, JsonWebKeySet, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, RequestTokenError, Scope, SignatureVerificationError, TokenResponse,
};

use super::claims::{self, Claims, ProviderIdentity};
use super::error::SsoError;
use super::http::ProviderClient;
use crate::config::SsoProvider;

/// How long a discovery document is trusted before it is fetched again.
const DISCOVERY_LIFETIME: Duration = Duration::from_secs(3600);
/// The least time between two fetches of the keys prompted by a token they cannot verify.
const KEY_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

type Metadata = ProviderMetadataWithLogout;
/// A client built from discovery: authorization endpoint known, token and userinfo maybe.
type OidcClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;
type ProviderIdToken = IdToken<
    EmptyAdditionalClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJwsSigningAlgorithm,
>;

/// Where the browser goes to sign in, and what must be kept until it comes back.
#[derive(Debug)]
pub struct AuthorizationStart {
    /// The provider's authorization URL, with every parameter.
    pub url: String,
    /// The `state` parameter (kept only as a digest).
    pub state: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier the code exchange needs.
    pub pkce_verifier: String,
}

/// A configured provider and what was learnt from it.
#[derive(Debug)]
pub struct IdentityProvider {
    /// Its configuration.
    pub config: SsoProvider,
    redirect_url: RedirectUrl,
    http: ProviderClient,
    discovered: RwLock<Option<(Metadata, Instant)>>,
    last_key_refresh: Mutex<Option<Instant>>,
}

impl IdentityProvider {
    /// A provider whose callback is `{base_url}/auth/sso/{id}/callback`.
    pub fn new(config: SsoProvider, base_url: &str, http: ProviderClient) -> Result<Self, String> {
        let redirect_url = RedirectUrl::new(format!("{base_url}{}", crate::domain::paths::sso_callback(&config.id)))
            .map_err(|e| format!("the callback URL for {} is not a URL: {e}", config.id))?;
        Ok(Self { config, redirect_url, http, discovered: RwLock::new(None), last_key_refresh: Mutex::new(None) })
    }

    /// The provider's name for buttons and messages.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Builds the authorization request: a fresh state, nonce and PKCE pair, every scope.
    pub fn begin(&self) -> Result<AuthorizationStart, SsoError> {
        let client = self.client(self.metadata()?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(AuthorizationStart {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code and checks the ID token; blocking (it talks to the provider).
    pub fn finish(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<ProviderIdentity, SsoError> {
        let metadata = self.metadata()?;
        let client = self.client(metadata.clone());
        let exchange = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| self.down(&format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()));
        let response = exchange.request(&self.http).map_err(|e| match e {
            RequestTokenError::ServerResponse(refusal) => {
                tracing::warn!(provider = %self.config.id, error = %refusal.error(), "the provider refused the code");
                self.untrusted()
            }
            RequestTokenError::Request(e) => self.down(&e.to_string()),
            other => {
                tracing::warn!(provider = %self.config.id, error = %other, "the token response is not OpenID Connect");
                self.untrusted()
            }
        })?;
        let id_token = response.id_token().ok_or_else(|| {
            tracing::warn!(provider = %self.config.id, "the token response has no ID token");
            self.untrusted()
        })?;
        let nonce = Nonce::new(nonce.to_owned());
        let subject = match self.verify(&client, id_token, &nonce) {
            Err(e) if self.may_be_new_key(&e, id_token) => {
                // The provider may have rotated its keys since we fetched them: fetch them again.
                let refreshed = self.refresh_keys(metadata.clone())?;
                self.verify(&self.client(refreshed), id_token, &nonce)
            }
            other => other,
        }
        .map_err(|e| self.refusal(&e))?;
        let mut claims = payload(id_token).map_err(|_| self.untrusted())?;
        if claims::missing(&self.config, &claims) {
            self.add_userinfo(&metadata, response.access_token().secret(), &subject, &mut claims);
        }
        Ok(claims::identity(&self.config, &subject, &claims))
    }

    /// The provider's RP-initiated logout URL, when its discovery document (as already fetched)
    /// advertises one; sign-out never waits for the provider.
    pub fn end_session_url(&self, post_logout: &str) -> Option<String> {
        let guard = self.discovered.read().ok()?;
        let (metadata, _) = guard.as_ref()?;
        let endpoint = metadata.additional_metadata().end_session_endpoint.clone()?;
        let mut request =
            openidconnect::LogoutRequest::from(endpoint).set_client_id(ClientId::new(self.config.client_id.clone()));
        if let Ok(url) = PostLogoutRedirectUrl::new(post_logout.to_owned()) {
            request = request.set_post_logout_redirect_uri(url);
        }
        Some(request.http_get_url().to_string())
    }

    fn verify(
        &self,
        client: &OidcClient,
        id_token: &ProviderIdToken,
        nonce: &Nonce,
    ) -> Result<String, ClaimsVerificationError> {
        let skew = chrono::Duration::seconds(i64::from(self.config.max_clock_skew_seconds));
        let verifier = client
            .id_token_verifier()
            // Judging expiry by a clock `skew` behind ours forgives a provider that is that far behind.
            .set_time_fn(move || Utc::now() - skew)
            .set_issue_time_verifier_fn(move |issued| {
                if issued > Utc::now() + skew {
                    Err(format!("issued at {issued}, in the future"))
                } else {
                    Ok(())
                }
            });
        let claims = id_token.claims(&verifier, nonce)?;
        Ok(claims.subject().to_string())
    }

    /// Whether a signature failure may come from keys newer than ours: an unknown key id, or a
    /// token that names no key at all (some providers leave `kid` out). At most one refetch a
    /// minute, so forged tokens cannot make us hammer the provider.
    fn may_be_new_key(&self, error: &ClaimsVerificationError, id_token: &ProviderIdToken) -> bool {
        let new_key = match error {
            ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey) => true,
            ClaimsVerificationError::SignatureVerification(SignatureVerificationError::CryptoError(_)) => {
                !names_a_key(id_token)
            }
            _ => false,
        };
        let Ok(mut last) = self.last_key_refresh.lock() else { return false };
        if !new_key || last.is_some_and(|at| at.elapsed() < KEY_REFRESH_INTERVAL) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    fn refusal(&self, error: &ClaimsVerificationError) -> SsoError {
        tracing::warn!(provider = %self.config.id, error = %error, "the ID token was refused");
        match error {
            ClaimsVerificationError::Expired(_) => SsoError::ClockSkew { provider: self.config.name.clone() },
            _ => self.untrusted(),
        }
    }

    fn untrusted(&self) -> SsoError {
        SsoError::Untrusted { provider: self.config.name.clone() }
    }

    fn down(&self, detail: &str) -> SsoError {
        tracing::warn!(provider = %self.config.id, error = %detail, "the identity provider did not answer");
        SsoError::ProviderDown { provider: self.config.name.clone(), fallback: String::new() }
    }

    fn client(&self, metadata: Metadata) -> OidcClient {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect_url.clone())
    }

    /// The discovery document (with its keys): cached, fetched again once it is an hour old; a
    /// failed refetch keeps using the old one rather than lock everyone out.
    fn metadata(&self) -> Result<Metadata, SsoError> {
        let cached = self.discovered.read().ok().and_then(|guard| guard.clone());
        if let Some((metadata, fetched)) = &cached {
            if fetched.elapsed() < DISCOVERY_LIFETIME {
                return Ok(metadata.clone());
            }
        }
        match self.discover() {
            Ok(metadata) => {
                self.remember(metadata.clone());
                Ok(metadata)
            }
            Err(e) => match cached {
                Some((metadata, _)) => {
                    tracing::warn!(provider = %self.config.id, error = %e, "using the provider's older discovery document");
                    Ok(metadata)
                }
                None => Err(e),
            },
        }
    }

    fn discover(&self) -> Result<Metadata, SsoError> {
        let issuer = IssuerUrl::new(self.config.issuer.as_str().trim_end_matches('/').to_owned())
            .map_err(|e| self.down(&e.to_string()))?;
        Metadata::discover(&issuer, &self.http).map_err(|e| match e {
            DiscoveryError::Request(e) => self.down(&e.to_string()),
            other => self.down(&format!("discovery failed: {other}")),
        })
    }

    fn refresh_keys(&self, metadata: Metadata) -> Result<Metadata, SsoError> {
        let keys: JsonWebKeySet<CoreJsonWebKey> = JsonWebKeySet::fetch(metadata.jwks_uri(), &self.http)
            .map_err(|e| self.down(&format!("fetching keys: {e}")))?;
        let metadata = metadata.set_jwks(keys);
        self.remember(metadata.clone());
        Ok(metadata)
    }

    fn remember(&self, metadata: Metadata) {
        if let Ok(mut guard) = self.discovered.write() {
            *guard = Some((metadata, Instant::now()));
        }
    }

    /// Adds the userinfo endpoint's claims the ID token lacked; the ID token's own always win,
    /// and an answer about another subject is ignored.
    fn add_userinfo(&self, metadata: &Metadata, access_token: &str, subject: &str, claims: &mut Claims) {
        let Some(endpoint) = metadata.userinfo_endpoint() else { return };
        let answer = self.http.get_json_with_bearer(endpoint.as_str(), access_token);
        let extra = match answer {
            Ok((200, body)) => serde_json::from_slice::<Claims>(&body).ok(),
            Ok((status, _)) => {
                tracing::warn!(provider = %self.config.id, status, "the userinfo endpoint refused");
                None
            }
            Err(e) => {
                tracing::warn!(provider = %self.config.id, error = %e, "the userinfo endpoint did not answer");
                None
            }
        };
        let Some(extra) = extra else { return };
        if extra.get("sub").and_then(|v| v.as_str()) != Some(subject) {
            tracing::warn!(provider = %self.config.id, "the userinfo answer is about someone else; ignored");
            return;
        }
        for (name, value) in extra {
            claims.entry(name).or_insert(value);
        }
    }
}

/// Whether the token's header names its signing key (`kid`).
fn names_a_key(id_token: &ProviderIdToken) -> bool {
    let compact = id_token.to_string();
    let header = compact.split('.').next().unwrap_or_default();
    URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Claims>(&bytes).ok())
        .is_some_and(|h| h.contains_key("kid"))
}

/// The ID token's claims as JSON; read only after its signature was verified.
fn payload(id_token: &ProviderIdToken) -> Result<Claims, ()> {
    let compact = id_token.to_string();
    let body = compact.split('.').nth(1).unwrap_or_default();
    URL_SAFE_NO_PAD
        .decode(body.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Claims>(&bytes).ok())
        .ok_or(())
}
