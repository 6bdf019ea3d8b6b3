//! The one HTTP client for URLs someone typed (webhook endpoints, listening posts' feeds): it
//! gives up after fixed timeouts, reads at most a fixed size of an answer, and refuses to connect
//! to loopback, private, link-local and other non-public addresses unless the operator allows
//! them (`GUIDEPOST_WEBHOOK_ALLOW_PRIVATE` for all, `GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES` for a
//! few). Webhooks post and never follow a redirect; feeds are fetched with a conditional GET and
//! follow up to [`FEED_MAX_REDIRECTS`], each judged like the first address.
//!
//! The addresses are checked after resolving, in the resolver the connection itself uses, so a
//! name that resolves to a private address (or starts to, between two lookups), or a redirect to
//! one, is refused too.

use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use ureq::config::Config as AgentConfig;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take, from resolving to the last byte read.
const OVERALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a receiver's answer that is read; the rest is dropped with the connection.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024;
/// The largest feed read; a bigger one is refused whole (no feed of recent items is this big).
pub const FEED_MAX_BYTES: u64 = 2 * 1024 * 1024;
/// Redirects a feed may take (a moved blog, http to https).
pub const FEED_MAX_REDIRECTS: u32 = 3;

/// Where outbound requests may go besides public addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// Any address at all (`GUIDEPOST_WEBHOOK_ALLOW_PRIVATE`).
    pub allow_private: bool,
    /// These private addresses only (`GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES`).
    pub allowed: Vec<IpAddr>,
}

impl Reach {
    /// As the operator configured it.
    pub fn of(config: &crate::config::Config) -> Self {
        Self { allow_private: config.webhook_allow_private, allowed: config.outbound_allow_addresses.clone() }
    }

    fn permits(&self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip) || self.allowed.contains(&ip)
    }
}

/// The receiver's answer (any status: the caller judges it).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The start of the body, as text (at most [`MAX_RESPONSE_BYTES`]).
    pub body: String,
}

/// What a feed's server answered to a conditional GET.
#[derive(Debug, Clone)]
pub enum FeedAnswer {
    /// 304: nothing changed since the validators sent.
    NotModified,
    /// 200 with the whole body (at most [`FEED_MAX_BYTES`]) and the validators to send next time.
    Fetched {
        /// The body.
        body: Vec<u8>,
        /// Its `ETag`, if any.
        etag: Option<String>,
        /// Its `Last-Modified`, if any.
        last_modified: Option<String>,
    },
}

/// The validators of the last full answer, sent back on the next request.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// Why nothing came back.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// The URL is not an http(s) URL we may post to.
    #[error("the URL is refused: {0}")]
    BadUrl(String),
    /// Connecting, sending or reading failed (refusals of private addresses included).
    #[error("{0}")]
    Failed(String),
}

/// Posts to URLs someone typed, safely; cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct OutboundClient {
    agent: ureq::Agent,
}

impl OutboundClient {
    /// A webhook client that refuses non-public addresses unless `allow_private`.
    pub fn new(allow_private: bool) -> Self {
        Self::for_webhooks(Reach { allow_private, allowed: Vec::new() })
    }

    /// A webhook client: posts, no redirects, reaching what `reach` permits.
    pub fn for_webhooks(reach: Reach) -> Self {
        Self::build(reach, 0, concat!("Guidepost-Webhooks/", env!("CARGO_PKG_VERSION")))
    }

    /// A feed client: GETs, up to [`FEED_MAX_REDIRECTS`] redirects, reaching what `reach` permits.
    pub fn for_feeds(reach: Reach) -> Self {
        Self::build(reach, FEED_MAX_REDIRECTS, concat!("Guidepost-Listening/", env!("CARGO_PKG_VERSION")))
    }

    fn build(reach: Reach, max_redirects: u32, user_agent: &'static str) -> Self {
        let config: AgentConfig = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(max_redirects)
            // An operator's proxy variables are for their own traffic, not for where admins aim.
            .proxy(None)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(OVERALL_TIMEOUT))
            .user_agent(user_agent)
            .build();
        let resolver = PublicOnly { reach: Arc::new(reach) };
        let agent = ureq::Agent::with_parts(config, DefaultConnector::default(), resolver);
        Self { agent }
    }

    /// POSTs `body` as JSON with extra `headers`; any status is an [`Answer`].
    pub fn post_json(&self, url: &str, headers: &[(&str, String)], body: &[u8]) -> Result<Answer, OutboundError> {
        check_url(url).map_err(OutboundError::BadUrl)?;
        let mut request = self.agent.post(url).header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let mut response = request.send(body).map_err(|e| OutboundError::Failed(describe(&e)))?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        // A receiver that sends more than the cap is cut off; its status still counts.
        let read = response.body_mut().as_reader().take(MAX_RESPONSE_BYTES).read_to_end(&mut bytes);
        if let Err(e) = read {
            tracing::debug!(status, error = %e, "webhook answer cut short");
        }
        Ok(Answer { status, body: String::from_utf8_lossy(&bytes).into_owned() })
    }

    /// GETs a feed, conditionally on `validators`; any status but 200 and 304 is an error, and
    /// so is a body over [`FEED_MAX_BYTES`].
    pub fn get_feed(&self, url: &str, validators: &Validators) -> Result<FeedAnswer, OutboundError> {
        check_url(url).map_err(OutboundError::BadUrl)?;
        let mut request = self.agent.get(url).header(
            "accept",
            "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5",
        );
        if let Some(etag) = &validators.etag {
            request = request.header("if-none-match", etag.as_str());
        }
        if let Some(date) = &validators.last_modified {
            request = request.header("if-modified-since", date.as_str());
        }
        let mut response = request.call().map_err(|e| OutboundError::Failed(describe(&e)))?;
        match response.status().as_u16() {
            304 => return Ok(FeedAnswer::NotModified),
            200 => {}
            status => return Err(OutboundError::Failed(format!("the server answered HTTP {status}"))),
        }
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned).filter(|v| v.len() <= 200)
        };
        let (etag, last_modified) = (header("etag"), header("last-modified"));
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(FEED_MAX_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| OutboundError::Failed(format!("reading the feed failed: {e}")))?;
        if body.len() as u64 > FEED_MAX_BYTES {
            return Err(OutboundError::Failed(format!(
                "the feed is larger than {} MB; refused",
                FEED_MAX_BYTES / (1024 * 1024)
            )));
        }
        Ok(FeedAnswer::Fetched { body, etag, last_modified })
    }
}

/// Whether `url` is one a webhook may be aimed at: http or https, with a host, without
/// credentials. (Where it resolves to is checked at every attempt.)
pub fn check_url(url: &str) -> Result<url::Url, String> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| format!("it is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("it must start with http:// or https://".to_owned());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("it has no host".to_owned());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("it must not hold a user name or password; the signature proves who sends".to_owned());
    }
    Ok(parsed)
}

/// Errors as a delivery log shows them: what happened, never a secret (requests carry none in
/// their URL, which [`check_url`] makes sure of).
fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(what) => format!("timed out ({what:?})"),
        ureq::Error::HostNotFound => "the host name did not resolve".to_owned(),
        ureq::Error::ConnectionFailed => "the connection failed".to_owned(),
        other => other.to_string(),
    }
}

/// The system resolver, keeping only public addresses (unless allowed otherwise).
#[derive(Debug)]
struct PublicOnly {
    reach: Arc<Reach>,
}

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &Uri,
        config: &AgentConfig,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = DefaultResolver::default().resolve(uri, config, timeout)?;
        if self.reach.allow_private {
            return Ok(resolved);
        }
        let mut public = self.empty();
        let mut refused = None;
        for address in resolved.iter() {
            if self.reach.permits(address.ip()) {
                public.push(*address);
            } else {
                refused = Some(address.ip());
            }
        }
        match refused {
            // One non-public address among public ones is still refused: a name should not be
            // half aimed inside the network.
            Some(ip) => Err(ureq::Error::Other(
                format!("refused: {ip} is not a public address (see GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES)").into(),
            )),
            None if public.is_empty() => Err(ureq::Error::HostNotFound),
            None => Ok(public),
        }
    }
}

/// Whether `ip` is a public unicast address: not loopback, private, link-local, unspecified,
/// multicast, broadcast, documentation, shared (CGNAT), benchmarking or reserved; IPv4 inside
/// IPv6 (mapped, NAT64) is judged as the IPv4 address it carries.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // 64:ff9b::/96 (NAT64) reaches the IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated, still private)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || segments[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        let refused = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "::127.0.0.1",
        ];
        for ip in refused {
            assert!(!is_public(ip.parse().unwrap()), "{ip} passed");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} was refused");
        }
    }

    #[test]
    fn urls_must_be_http_without_credentials() {
        assert!(check_url("https://hooks.example.com/in").is_ok());
        assert!(check_url("http://127.0.0.1:9/x").is_ok(), "addresses are judged when resolved");
        for bad in ["ftp://example.com/", "https://user:pw@example.com/", "not a url", "https://", "file:///etc/passwd"]
        {
            assert!(check_url(bad).is_err(), "{bad} passed");
        }
    }
}
