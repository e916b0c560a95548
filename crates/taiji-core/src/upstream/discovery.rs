//! Finding the Taiji site when it moves, as its own front end does (taiji-protocol.md §1), and reading
//! the front-end version it currently expects.
//!
//! - [`discover`]: GET the stable entry (`https://www.taijiai666.com`), follow at most [`MAX_HOPS`]
//!   redirects and `dd` pointers (`window.aiSiteInfo={"dd":"…"}`: strip five characters from each end,
//!   base64-decode to a host name, continue at that host with the same scheme), and return the origin
//!   of the page that points nowhere further.
//! - [`probe`]: whether an origin answers the Taiji API (an unauthenticated `GET /api/chat/tmpl` must
//!   come back as the `{code, …}` JSON envelope). No origin is adopted, and no credentials are sent to
//!   it, before it passes.
//! - [`detect_app_version`]: the version the site's front end sends as `x-app-version`. Assumption
//!   (the protocol notes do not show the bundle): the site's HTML loads its JS bundle from `<script
//!   src>`, and the bundle sets the header either to a literal (`"X-App-Version":"3.4.0"`) or to a
//!   constant defined in the same bundle (`"X-App-Version":Re` … `Re="3.4.0"`); a version written into
//!   the HTML itself (`appVersion:"3.4.0"`) is accepted too.
//!
//! Every fetch here is bounded (hops, body sizes, timeouts) and carries no credentials.

use std::sync::LazyLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use regex::Regex;
use reqwest::header::{ACCEPT, LOCATION};
use reqwest::{Client, Url};

use super::error::UpstreamError;
use super::response::{ResponseMeta, decode_body};

/// Redirects plus `dd` pointers followed from the entry before giving up (as the site's front end).
pub const MAX_HOPS: usize = 6;
/// The largest entry or site page read.
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// The largest JS bundle read while looking for the version.
const MAX_BUNDLE_BYTES: usize = 8 * 1024 * 1024;
/// How many of the page's scripts are searched for the version.
const MAX_BUNDLES: usize = 4;
const HTML_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

static DD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""dd"\s*:\s*"([A-Za-z0-9+/=_-]+)""#).expect("valid regex"));
static HOST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$").expect("valid regex"));
static SCRIPT_SRC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<script[^>]*\bsrc\s*=\s*["']([^"']+)["']"#).expect("valid regex"));
static HEADER_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)["']?x-app-version["']?\]?\s*[:=,]\s*["'](\d+\.\d+(?:\.\d+){0,2})["']"#)
        .expect("valid regex")
});
static HEADER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)["']?x-app-version["']?\s*:\s*([A-Za-z_$][A-Za-z0-9_$]*)"#).expect("valid regex")
});
static APP_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bapp_?version["']?\s*[:=]\s*["'](\d+\.\d+(?:\.\d+){0,2})["']"#).expect("valid regex")
});

/// Why discovery found nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not find the Taiji site: {0}")]
pub struct DiscoveryError(pub String);

/// The host a page's `dd` points at (`host` or `host:port`), if it has a well-formed one.
pub fn decode_dd(html: &str) -> Option<String> {
    let encoded = DD.captures(html)?.get(1)?.as_str();
    let inner = encoded.get(5..encoded.len().checked_sub(5)?)?;
    let bytes = STANDARD.decode(inner).ok()?;
    let host = String::from_utf8(bytes).ok()?;
    HOST.is_match(&host).then(|| host.to_ascii_lowercase())
}

/// Follows the entry page to the site's current origin (`scheme://host[:port]`).
pub async fn discover(http: &Client, entry: &str, timeout: Duration) -> Result<String, DiscoveryError> {
    let mut url = Url::parse(entry.trim())
        .map_err(|e| DiscoveryError(format!("the entry address {entry:?} is not a URL: {e}")))?;
    for _ in 0..=MAX_HOPS {
        let response = http
            .get(url.clone())
            .header(ACCEPT, HTML_ACCEPT)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| DiscoveryError(format!("{}: {e}", origin_of(&url))))?;
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    DiscoveryError(format!("{} redirected without a Location", origin_of(&url)))
                })?;
            url = url
                .join(location)
                .map_err(|e| DiscoveryError(format!("bad redirect target {location:?}: {e}")))?;
            continue;
        }
        if !response.status().is_success() {
            return Err(DiscoveryError(format!(
                "{} answered HTTP {}",
                origin_of(&url),
                response.status().as_u16()
            )));
        }
        let page = read_limited(response, MAX_PAGE_BYTES)
            .await
            .map_err(|e| DiscoveryError(format!("{}: {e}", origin_of(&url))))?;
        let here = host_port(&url);
        match decode_dd(&page) {
            Some(host) if host != here => {
                url = Url::parse(&format!("{}://{host}/", url.scheme()))
                    .map_err(|e| DiscoveryError(format!("the entry points at {host:?}: {e}")))?;
            }
            _ => return Ok(origin_of(&url)),
        }
    }
    Err(DiscoveryError(format!(
        "more than {MAX_HOPS} redirects from the entry"
    )))
}

/// Whether `origin` answers the Taiji API: an unauthenticated catalog call must come back as the JSON
/// envelope (success or a business error such as "登录已过期"), not as a page or a failure.
pub async fn probe(
    http: &Client,
    origin: &str,
    app_version: &str,
    timeout: Duration,
) -> Result<(), UpstreamError> {
    let response = http
        .get(format!("{}/api/chat/tmpl", origin.trim_end_matches('/')))
        .header(ACCEPT, "application/json, text/plain, */*")
        .header("x-app-version", app_version.trim())
        .header("x-locale", "zh-CN")
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| UpstreamError::transport("checking a Taiji address", e))?;
    let meta = ResponseMeta::new(response.status(), response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| UpstreamError::transport("checking a Taiji address", e))?;
    match decode_body(&meta, &body) {
        Ok(_) | Err(UpstreamError::Api { .. }) => Ok(()),
        Err(error) => Err(error),
    }
}

/// The front-end version the site at `origin` sends as `x-app-version`, read from its HTML and the
/// same-origin scripts it loads.
pub async fn detect_app_version(
    http: &Client,
    origin: &str,
    timeout: Duration,
) -> Result<String, DiscoveryError> {
    let base = Url::parse(&format!("{}/", origin.trim_end_matches('/')))
        .map_err(|e| DiscoveryError(format!("{origin:?} is not a URL: {e}")))?;
    let page = fetch_text(http, &base, MAX_PAGE_BYTES, timeout).await?;
    if let Some(version) = version_in(&page) {
        return Ok(version);
    }
    let scripts = SCRIPT_SRC
        .captures_iter(&page)
        .filter_map(|c| base.join(c.get(1)?.as_str()).ok())
        // Only the site's own scripts: a CDN's bundle is not the site's front end.
        .filter(|url| url.origin() == base.origin())
        .take(MAX_BUNDLES);
    for script in scripts {
        let Ok(code) = fetch_text(http, &script, MAX_BUNDLE_BYTES, timeout).await else {
            continue;
        };
        if let Some(version) = version_in(&code) {
            return Ok(version);
        }
    }
    Err(DiscoveryError(format!(
        "{origin} does not show its front-end version"
    )))
}

/// The version in a page or bundle: a literal header value, a header set from a constant, or an
/// `appVersion` literal.
pub fn version_in(text: &str) -> Option<String> {
    if let Some(c) = HEADER_LITERAL.captures(text) {
        return Some(c[1].to_owned());
    }
    if let Some(c) = HEADER_NAME.captures(text) {
        let name = regex::escape(&c[1]);
        let definition = Regex::new(&format!(
            r#"(?:^|[^A-Za-z0-9_$]){name}\s*=\s*["'](\d+\.\d+(?:\.\d+){{0,2}})["']"#
        ))
        .ok()?;
        if let Some(d) = definition.captures(text) {
            return Some(d[1].to_owned());
        }
    }
    APP_VERSION.captures(text).map(|c| c[1].to_owned())
}

async fn fetch_text(
    http: &Client,
    url: &Url,
    limit: usize,
    timeout: Duration,
) -> Result<String, DiscoveryError> {
    let response = http
        .get(url.clone())
        .header(ACCEPT, "*/*")
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| DiscoveryError(format!("{}: {e}", origin_of(url))))?;
    if !response.status().is_success() {
        return Err(DiscoveryError(format!(
            "{} answered HTTP {}",
            url.path(),
            response.status().as_u16()
        )));
    }
    read_limited(response, limit)
        .await
        .map_err(|e| DiscoveryError(format!("{}: {e}", origin_of(url))))
}

async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<String, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(format!("the page is larger than {} MB", limit / (1024 * 1024)));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dd_is_decoded_as_the_front_end_does() {
        let dd = format!("abcde{}vwxyz", STANDARD.encode("ai.txg2024.xyz"));
        let page = format!(r#"<script>window.aiSiteInfo={{"dd":"{dd}"}};</script>"#);
        assert_eq!(decode_dd(&page).as_deref(), Some("ai.txg2024.xyz"));
        let loopback = format!(
            r#"window.aiSiteInfo = {{ "dd" : "12345{}67890" }}"#,
            STANDARD.encode("127.0.0.1:9000")
        );
        assert_eq!(decode_dd(&loopback).as_deref(), Some("127.0.0.1:9000"));
        // Not a host: a path, a scheme, garbage, too short.
        for bad in ["evil.com/x", "http://x", "a b"] {
            let page = format!(r#""dd":"abcde{}vwxyz""#, STANDARD.encode(bad));
            assert_eq!(decode_dd(&page), None, "{bad}");
        }
        assert_eq!(decode_dd(r#""dd":"abc""#), None);
        assert_eq!(decode_dd("<html>no pointer</html>"), None);
    }

    #[test]
    fn versions_are_found_in_the_shapes_bundles_use() {
        assert_eq!(
            version_in(r#"headers:{"X-App-Version":"3.4.0"}"#).as_deref(),
            Some("3.4.0")
        );
        assert_eq!(
            version_in(r#"h["x-app-version"]="3.5.1""#).as_deref(),
            Some("3.5.1")
        );
        assert_eq!(
            version_in(r#"const Re="3.4.0";const ie=x.create({headers:{"X-App-Version":Re}})"#).as_deref(),
            Some("3.4.0")
        );
        assert_eq!(
            version_in(r#"window.__APP__={appVersion:"3.6.2"}"#).as_deref(),
            Some("3.6.2")
        );
        assert_eq!(version_in("var a=1;"), None);
    }
}
