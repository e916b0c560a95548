//! [`UpstreamConfig`]: where the Taiji site is and how patient to be with it. The site's origin and
//! front-end version move over time (taiji-protocol.md §1), so both are plain configuration that can
//! be replaced at runtime through [`super::UpstreamClient::set_config`].

use std::time::Duration;

use reqwest::Url;
use serde::{Deserialize, Serialize};

/// The default origin (the one every capture in taiji-protocol.md was taken against).
pub const DEFAULT_BASE_URL: &str = "https://ai.aurod.cn";
/// The default `x-app-version` (the newest version seen on the default origin).
pub const DEFAULT_APP_VERSION: &str = "2.16.0";

/// Connection settings of one upstream client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpstreamConfig {
    /// The site origin, e.g. `https://ai.aurod.cn`; the API lives under `<base_url>/api/...`.
    pub base_url: String,
    /// The front-end version sent as `x-app-version` on every call.
    pub app_version: String,
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
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            stream_idle_timeout: Duration::from_secs(300),
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
    /// `base_url` without a trailing slash.
    api_root: String,
    /// `scheme://host[:port]`, sent as `origin`.
    pub(crate) origin: String,
}

impl Endpoints {
    /// The absolute URL of an API path such as `/api/chat/tmpl`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_root)
    }

    /// The `referer` the web UI sends from its chat page.
    pub(crate) fn chat_referer(&self) -> String {
        format!("{}/chat?_userMenuKey=chat", self.origin)
    }

    /// The `referer` the web UI sends from its login page.
    pub(crate) fn auth_referer(&self) -> String {
        format!("{}/auth", self.origin)
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
        Ok(Endpoints {
            api_root: url.as_str().trim_end_matches('/').to_owned(),
            origin: url.origin().ascii_serialization(),
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
            endpoints.url("/api/chat/tmpl"),
            "https://ai.aurod.cn/api/chat/tmpl"
        );
        assert_eq!(endpoints.origin, "https://ai.aurod.cn");
        assert_eq!(
            endpoints.chat_referer(),
            "https://ai.aurod.cn/chat?_userMenuKey=chat"
        );
        assert_eq!(endpoints.auth_referer(), "https://ai.aurod.cn/auth");
    }

    #[test]
    fn base_url_with_port_and_trailing_slash() {
        let config = UpstreamConfig {
            base_url: "http://127.0.0.1:9000/".into(),
            ..Default::default()
        };
        let endpoints = config.endpoints().expect("valid");
        assert_eq!(
            endpoints.url("/api/user/info"),
            "http://127.0.0.1:9000/api/user/info"
        );
        assert_eq!(endpoints.origin, "http://127.0.0.1:9000");
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
