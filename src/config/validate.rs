//! Judging one setting's text: numbers in range, switches, addresses and URLs. Every error names
//! the setting the value came from; nothing here knows which layer won or why.

use std::net::{SocketAddr, ToSocketAddrs};
use std::ops::RangeInclusive;

use url::Url;

use super::sources::Setting;
use super::ConfigError;

impl Setting {
    /// A whole number in `range`; `what` completes "`raw` is not ...".
    pub(super) fn whole_number(&self, range: RangeInclusive<u32>, what: &str) -> Result<u32, ConfigError> {
        match self.text.trim().parse::<u32>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::new(&self.name, format!("`{}` is not {what}", self.text))),
        }
    }

    /// A switch, in any of the spellings people write in environment files.
    pub(super) fn switch(&self) -> Result<bool, ConfigError> {
        match self.text.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::new(&self.name, format!("`{}` is not true or false", self.text))),
        }
    }

    /// A socket address to listen on; a host name is resolved once, here.
    pub(super) fn bind_address(&self) -> Result<SocketAddr, ConfigError> {
        let invalid = || ConfigError::new(&self.name, format!("`{}` is not an address like 127.0.0.1:8080", self.text));
        match self.text.trim().to_socket_addrs() {
            Ok(mut addrs) => addrs.next().ok_or_else(invalid),
            Err(_) => Err(invalid()),
        }
    }

    /// The site's public URL.
    pub(super) fn base_url(&self) -> Result<Url, ConfigError> {
        parse_base_url(&self.name, &self.text)
    }
}

fn parse_base_url(setting: &str, raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim()).map_err(|e| ConfigError::new(setting, format!("`{raw}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(setting, format!("`{raw}` must be an http:// or https:// URL with a host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new(setting, "must not have a query or fragment"));
    }
    Ok(url)
}

/// The URL a browser on this machine would use to reach `bind`.
pub(super) fn default_base_url(bind: SocketAddr) -> Result<Url, ConfigError> {
    // A wildcard bind address is not something a browser can visit; point at loopback instead.
    let host = match bind.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
        ip if ip.is_unspecified() => "[::1]".to_owned(),
        ip if ip.is_ipv6() => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    parse_base_url("GUIDEPOST_BASE_URL", &format!("http://{host}:{}", bind.port()))
}
