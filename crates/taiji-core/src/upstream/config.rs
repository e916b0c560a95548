//! [`UpstreamConfig`]: where the Taiji site is, how to find it again when it moves, how to reach it
//! (proxy) and how patient to be with it. The site's origin and front-end version move over time
//! (taiji-protocol.md §1), so both are plain configuration that can be replaced at runtime through
//! [`super::UpstreamClient::set_config`], and that the client itself updates when it finds the site
//! moved ([`super::discovery`]).

use std::time::Duration;

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::proxy::ProxySetting;

/// The last known origin (Sep 2026, resolved from the stable entry; taiji-protocol.md §1): the
/// fallback when discovery finds nothing.
pub const DEFAULT_BASE_URL: &str = "https://ai.txg2024.xyz";
/// The front-end version last seen on [`DEFAULT_BASE_URL`].
pub const DEFAULT_APP_VERSION: &str = "3.4.0";
/// The stable entry the site announces in its own notices; its page points at the current origin.
pub const DEFAULT_ENTRY_URL: &str = "https://www.taijiai666.com";
/// Every origin the site has used, newest first: tried (after the entry's answer) when the configured
/// origin stops answering.
pub const KNOWN_ORIGINS: &[&str] = &[
    "https://ai.txg2024.xyz",
    "https://ai.avuuq.cn",
    "https://ai.aurod.cn",
];
/// The origin and version of the 2.x era, the defaults before discovery; stored settings that still
/// carry them are moved to the current defaults.
pub const LEGACY_BASE_URL: &str = "https://ai.aurod.cn";
/// See [`LEGACY_BASE_URL`].
pub const LEGACY_APP_VERSION: &str = "2.16.0";

/// Connection settings of one upstream client. `Debug` shows the proxy redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpstreamConfig {
    /// The site origin, e.g. `https://ai.aurod.cn`; the API lives under `<base_url>/api/...`.
    pub base_url: String,
    /// The front-end version sent as `x-app-version` on every call; replaced by the site's own when
    /// the site refuses it as too old.
    pub app_version: String,
    /// Where to look when `base_url` stops answering; `None` pins the origin.
    pub discovery: Option<Discovery>,
    /// `system` (the environment's proxy), `off`, or an `http://`, `https://` or `socks5://` proxy URL;
    /// used for every upstream call and every image download.
    pub proxy: String,
    /// How long establishing a TCP/TLS connection may take.
    pub connect_timeout: Duration,
    /// Overall limit of one JSON call (login, catalog, sessions, plans).
    pub request_timeout: Duration,
    /// The longest silence tolerated on a completions stream (also the wait for its response
    /// headers). There is deliberately no overall limit: image models can stream for minutes.
    pub stream_idle_timeout: Duration,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            app_version: DEFAULT_APP_VERSION.to_owned(),
            // A library default never wanders off to the internet; the app's settings turn it on.
            discovery: None,
            proxy: super::proxy::SYSTEM.to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            stream_idle_timeout: Duration::from_secs(300),
        }
    }
}

impl std::fmt::Debug for UpstreamConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamConfig")
            .field("base_url", &self.base_url)
            .field("app_version", &self.app_version)
            .field("discovery", &self.discovery)
            .field("proxy", &super::proxy::redact_text(&self.proxy))
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .finish()
    }
}

/// Origin discovery: the stable entry page and the known origins to try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    /// The entry page whose `dd` points at the current origin.
    pub entry_url: String,
    /// Further candidates, tried after the entry's answer.
    pub known_origins: Vec<String>,
}

impl Default for Discovery {
    fn default() -> Self {
        Self {
            entry_url: DEFAULT_ENTRY_URL.to_owned(),
            known_origins: KNOWN_ORIGINS.iter().map(|&o| o.to_owned()).collect(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid upstream configuration: {0}")]
pub struct InvalidConfig(pub String);

/// The URLs and header values derived from a validated [`UpstreamConfig`].
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    /// `base_url`, parsed once: each request's URL is this one with its path set, so the host is
    /// never parsed (and IDNA-mapped) again per request.
    root: Url,
    /// `scheme://host[:port]`, sent as `origin`.
    pub(crate) origin: String,
    /// The `referer` the web UI sends from its chat page.
    chat_referer: String,
    /// The `referer` the web UI sends from its login page.
    auth_referer: String,
    /// The parsed proxy setting.
    pub(crate) proxy: ProxySetting,
}

impl Endpoints {
    /// The absolute URL of an API path such as `/api/chat/tmpl` (a query may follow it).
    pub(crate) fn url(&self, path: &str) -> Url {
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        let mut url = self.root.clone();
        let joined = format!("{}{path}", self.root.path().trim_end_matches('/'));
        url.set_path(&joined);
        url.set_query(query);
        url
    }

    /// The `referer` the web UI sends from its chat page.
    pub(crate) fn chat_referer(&self) -> &str {
        &self.chat_referer
    }

    /// The `referer` the web UI sends from its login page.
    pub(crate) fn auth_referer(&self) -> &str {
        &self.auth_referer
    }
}

impl UpstreamConfig {
    /// Checks the configuration and derives the endpoint URLs from it.
    pub(crate) fn endpoints(&self) -> Result<Endpoints, InvalidConfig> {
        let url = Url::parse(self.base_url.trim())
            .map_err(|e| InvalidConfig(format!("base URL {:?} is not a URL: {e}", self.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(InvalidConfig(format!(
                "base URL {:?} must use http or https",
                self.base_url
            )));
        }
        if url.host_str().is_none() {
            return Err(InvalidConfig(format!("base URL {:?} has no host", self.base_url)));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(InvalidConfig(format!(
                "base URL {:?} must not have a query or fragment",
                self.base_url
            )));
        }
        let app_version = self.app_version.trim();
        if app_version.is_empty() || !app_version.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidConfig(format!(
                "app version {:?} is not a version string",
                self.app_version
            )));
        }
        for (name, value) in [
            ("connect timeout", self.connect_timeout),
            ("request timeout", self.request_timeout),
            ("stream idle timeout", self.stream_idle_timeout),
        ] {
            if value.is_zero() {
                return Err(InvalidConfig(format!("{name} must be longer than zero")));
            }
        }
        let origin = url.origin().ascii_serialization();
        Ok(Endpoints {
            chat_referer: format!("{origin}/chat?_userMenuKey=chat"),
            auth_referer: format!("{origin}/auth"),
            origin,
            root: url,
            proxy: ProxySetting::parse(&self.proxy)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_derives_browser_urls() {
        let endpoints = UpstreamConfig::default()
            .endpoints()
            .expect("default config is valid");
        assert_eq!(
            endpoints.url("/api/chat/tmpl").as_str(),
            "https://ai.txg2024.xyz/api/chat/tmpl"
        );
        assert_eq!(endpoints.origin, "https://ai.txg2024.xyz");
        assert_eq!(
            endpoints.chat_referer(),
            "https://ai.txg2024.xyz/chat?_userMenuKey=chat"
        );
        assert_eq!(endpoints.auth_referer(), "https://ai.txg2024.xyz/auth");
    }

    #[test]
    fn base_url_with_port_and_trailing_slash() {
        let config = UpstreamConfig {
            base_url: "http://127.0.0.1:9000/".into(),
            ..Default::default()
        };
        let endpoints = config.endpoints().expect("valid");
        assert_eq!(
            endpoints.url("/api/user/info").as_str(),
            "http://127.0.0.1:9000/api/user/info"
        );
        assert_eq!(endpoints.origin, "http://127.0.0.1:9000");
    }

    #[test]
    fn paths_join_a_base_path_and_keep_their_query() {
        let config = UpstreamConfig {
            base_url: "https://example.cn/site/".into(),
            ..Default::default()
        };
        let endpoints = config.endpoints().expect("valid");
        assert_eq!(
            endpoints.url("/api/chat/session?page=2").as_str(),
            "https://example.cn/site/api/chat/session?page=2"
        );
        assert_eq!(
            endpoints.url("/api/chat/session/493004").as_str(),
            "https://example.cn/site/api/chat/session/493004"
        );
        assert_eq!(
            endpoints.chat_referer(),
            "https://example.cn/chat?_userMenuKey=chat"
        );
    }

    #[test]
    fn rejects_unusable_values() {
        for base_url in ["", "ai.aurod.cn", "ftp://ai.aurod.cn", "https://x/?a=1"] {
            let config = UpstreamConfig {
                base_url: base_url.into(),
                ..Default::default()
            };
            assert!(config.endpoints().is_err(), "{base_url:?} accepted");
        }
        let config = UpstreamConfig {
            app_version: " ".into(),
            ..Default::default()
        };
        assert!(config.endpoints().is_err());
        let config = UpstreamConfig {
            request_timeout: Duration::ZERO,
            ..Default::default()
        };
        assert!(config.endpoints().is_err());
    }
}
