//! The HTTP client the OpenID Connect exchange runs on: the ureq agent the webhooks already use,
//! shaped as openidconnect's `SyncHttpClient`. It never follows a redirect (a token endpoint that
//! redirects could leak the code), gives up after fixed timeouts, and reads at most
//! [`MAX_RESPONSE_BYTES`] of an answer. The issuer is the operator's choice, so unlike a
//! webhook's URL, private addresses are allowed (a company's provider often lives on one).

use std::io::Read as _;
use std::time::Duration;

use openidconnect::{HttpRequest, HttpResponse};

/// How long connecting to the provider may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole exchange with the provider may take.
const OVERALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer that is read; discovery documents and key sets are a few kilobytes.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// Why the provider did not answer.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProviderUnreachable(String);

/// Talks to identity providers; cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct ProviderClient {
    agent: ureq::Agent,
}

impl Default for ProviderClient {
    fn default() -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(OVERALL_TIMEOUT))
            .user_agent(concat!("Guidepost/", env!("CARGO_PKG_VERSION")))
            .build();
        Self { agent: ureq::Agent::new_with_config(config) }
    }
}

impl ProviderClient {
    /// A GET with a bearer token (the userinfo endpoint), answered as JSON.
    pub fn get_json_with_bearer(&self, url: &str, token: &str) -> Result<(u16, Vec<u8>), ProviderUnreachable> {
        let mut response = self
            .agent
            .get(url)
            .header("authorization", format!("Bearer {token}"))
            .header("accept", "application/json")
            .call()
            .map_err(|e| ProviderUnreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = read_capped(response.body_mut())?;
        Ok((status, body))
    }
}

impl openidconnect::SyncHttpClient for ProviderClient {
    type Error = ProviderUnreachable;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, Self::Error> {
        let mut response = self.agent.run(request).map_err(|e| ProviderUnreachable(e.to_string()))?;
        let mut answer = HttpResponse::new(read_capped(response.body_mut())?);
        *answer.status_mut() = response.status();
        *answer.headers_mut() = response.headers().clone();
        Ok(answer)
    }
}

fn read_capped(body: &mut ureq::Body) -> Result<Vec<u8>, ProviderUnreachable> {
    let mut bytes = Vec::new();
    body.as_reader()
        .take(MAX_RESPONSE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| ProviderUnreachable(format!("reading the answer: {e}")))?;
    Ok(bytes)
}
