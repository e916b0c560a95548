//! [`ProxySetting`]: how the gateway reaches the Taiji site and the image URLs it downloads — directly,
//! through the environment's proxy (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), or through one
//! `http://`, `https://` or `socks5://` (`socks5h://`: names resolved by the proxy) proxy URL. Credentials
//! (user name and password) in a proxy URL are secrets: [`ProxySetting::redacted`] is the only form
//! that is shown or logged.

use std::fmt;

use reqwest::{ClientBuilder, Url};

use super::config::InvalidConfig;

/// The setting's text for "use the environment's proxy".
pub const SYSTEM: &str = "system";
/// The setting's text for "connect directly".
pub const OFF: &str = "off";

/// How upstream connections are made.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum ProxySetting {
    /// The proxy the environment names, if any (reqwest's own rules, `NO_PROXY` honoured).
    #[default]
    System,
    /// Direct connections, whatever the environment says.
    Off,
    /// Every connection through this proxy.
    Url(Url),
}

impl ProxySetting {
    /// Reads the setting's text: `""`/`off`/`none`/`direct`, `system`, or a proxy URL.
    pub fn parse(text: &str) -> Result<Self, InvalidConfig> {
        let text = text.trim();
        match text.to_ascii_lowercase().as_str() {
            "" | OFF | "none" | "direct" => return Ok(Self::Off),
            SYSTEM => return Ok(Self::System),
            _ => {}
        }
        // The message names the proxy only in redacted form: the text may hold a password.
        let url = Url::parse(text).map_err(|_| {
            InvalidConfig(format!(
                "proxy {:?} is not a URL (use http://, https:// or socks5://host:port, \"system\" or \"off\")",
                redact_text(text)
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
            return Err(InvalidConfig(format!(
                "proxy scheme `{}` is not supported (use http, https, socks5 or socks5h)",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(InvalidConfig("the proxy URL names no host".to_owned()));
        }
        Ok(Self::Url(url))
    }

    /// Applies the setting to an HTTP client under construction.
    pub fn apply(&self, builder: ClientBuilder) -> Result<ClientBuilder, InvalidConfig> {
        Ok(match self {
            Self::System => builder,
            Self::Off => builder.no_proxy(),
            Self::Url(url) => builder.proxy(self.url_proxy(url)?),
        })
    }

    /// The proxy connections go through under this setting, for a client that must know it (image
    /// downloads check the host themselves when a proxy connects). `System` reads the environment
    /// (`HTTPS_PROXY`, `ALL_PROXY`, `HTTP_PROXY`, lower case too, with `NO_PROXY`).
    pub fn proxy(&self) -> Result<Option<reqwest::Proxy>, InvalidConfig> {
        match self {
            Self::System => Ok(environment_proxy()),
            Self::Off => Ok(None),
            Self::Url(url) => self.url_proxy(url).map(Some),
        }
    }

    fn url_proxy(&self, url: &Url) -> Result<reqwest::Proxy, InvalidConfig> {
        reqwest::Proxy::all(url.clone())
            .map_err(|_| InvalidConfig(format!("cannot use the proxy {}", self.redacted())))
    }

    /// The setting for display and logs: a user name and password in the URL become `***`.
    pub fn redacted(&self) -> String {
        match self {
            Self::System => SYSTEM.to_owned(),
            Self::Off => OFF.to_owned(),
            Self::Url(url) => redact_url(url),
        }
    }
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxySetting({})", self.redacted())
    }
}

impl fmt::Display for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The environment's proxy, the first of `HTTPS_PROXY`, `ALL_PROXY`, `HTTP_PROXY` (lower case too)
/// that is set, with `NO_PROXY` honoured.
fn environment_proxy() -> Option<reqwest::Proxy> {
    let url = [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ]
    .iter()
    .find_map(|name| std::env::var(name).ok().filter(|value| !value.trim().is_empty()))?;
    reqwest::Proxy::all(url.trim())
        .ok()
        .map(|proxy| proxy.no_proxy(reqwest::NoProxy::from_env()))
}

/// A proxy setting's text with any password replaced by `***`, also when it does not parse as a URL.
pub fn redact_text(text: &str) -> String {
    match Url::parse(text.trim()) {
        Ok(url) if url.has_host() => redact_url(&url),
        // Without a URL structure, anything before an `@` may be credentials.
        _ => match text.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => text.to_owned(),
        },
    }
}

fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    if !shown.username().is_empty() {
        let _ = shown.set_username("***");
    }
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.as_str().trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(ProxySetting::parse("").unwrap(), ProxySetting::Off);
        assert_eq!(ProxySetting::parse(" Off ").unwrap(), ProxySetting::Off);
        assert_eq!(ProxySetting::parse("system").unwrap(), ProxySetting::System);
        for url in [
            "http://127.0.0.1:8080",
            "https://proxy.example:443",
            "socks5://127.0.0.1:1080",
            "socks5h://user:pw@127.0.0.1:1080",
        ] {
            assert!(
                matches!(ProxySetting::parse(url).unwrap(), ProxySetting::Url(_)),
                "{url}"
            );
        }
        for bad in ["ftp://x:21", "127.0.0.1:8080x", "socks4://h:1", "http://"] {
            assert!(ProxySetting::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let proxy = ProxySetting::parse("socks5://alice:s3cret@127.0.0.1:1080").unwrap();
        assert_eq!(proxy.redacted(), "socks5://***:***@127.0.0.1:1080");
        assert!(!proxy.redacted().contains("alice"));
        assert!(!format!("{proxy:?} {proxy}").contains("s3cret"));
        let error = ProxySetting::parse("http://bob:hunter2@").unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert!(!redact_text("bob:hunter2@host:1").contains("hunter2"));
    }
}
