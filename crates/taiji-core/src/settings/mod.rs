//! The one typed settings document of Taiji Gateway and its store.
//!
//! [`Settings`] holds everything a user can change: the upstream site, the local listener, who may
//! use it (API keys, LAN mode), concurrency, pacing, model aliases, request-log retention and the
//! privacy of previews. Every field has a default (`#[serde(default)]` everywhere), so an older or
//! partial file still loads. Credentials are deliberately *not* here: they live in
//! [`crate::credentials`].
//!
//! The document is stored as `settings.json` in a data directory chosen by the caller (the desktop
//! shell passes its app-data path, the CLI `--data-dir` or [`default_data_dir`]); core never decides
//! the path itself. [`SettingsStore`] loads, validates, migrates, persists atomically and publishes
//! changes on a `tokio::sync::watch` channel so running components apply them live.

mod error;
mod migrate;
mod store;
mod validate;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::api_keys::ApiKeys;
use crate::request_log::{PreviewPolicy, RetentionPolicy};

pub use error::{SettingsError, ValidationError};
pub use migrate::CURRENT_SCHEMA_VERSION;
pub use store::{SETTINGS_FILE_NAME, SettingsStore};

/// The upstream origin used when nothing else is configured: the last known one, the fallback of
/// discovery.
pub const DEFAULT_UPSTREAM_BASE_URL: &str = crate::upstream::DEFAULT_BASE_URL;
/// The `x-app-version` sent upstream when nothing else is configured.
pub const DEFAULT_APP_VERSION: &str = crate::upstream::DEFAULT_APP_VERSION;
/// The loopback address the gateway binds by default.
pub const DEFAULT_LISTEN_HOST: &str = "127.0.0.1";
/// The port the gateway binds by default.
pub const DEFAULT_LISTEN_PORT: u16 = 8760;

/// The whole settings document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The version of this document's shape; see [`CURRENT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Where the Taiji site is.
    pub upstream: UpstreamSettings,
    /// Where the local gateway listens.
    pub listen: ListenSettings,
    /// Who may use the local endpoint.
    pub access: AccessSettings,
    /// How many chat requests may run upstream at once (the dispatcher's admission limit).
    pub max_concurrent: u32,
    /// Smoothing of upstream calls (a token bucket per account).
    pub pacing: PacingSettings,
    /// Requested model name → catalog model id, matched case-insensitively by the resolver.
    pub model_aliases: BTreeMap<String, String>,
    /// What the request log keeps and for how long.
    pub request_log: RequestLogSettings,
    /// Where image URLs in requests may be downloaded from.
    pub images: ImageSettings,
    /// The Prometheus endpoint.
    pub metrics: MetricsSettings,
    /// Which desktop notifications the app shows.
    pub notifications: NotificationSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            schema_version: CURRENT_SCHEMA_VERSION,
            upstream: UpstreamSettings::default(),
            listen: ListenSettings::default(),
            access: AccessSettings::default(),
            max_concurrent: 3,
            pacing: PacingSettings::default(),
            model_aliases: default_model_aliases(),
            request_log: RequestLogSettings::default(),
            images: ImageSettings::default(),
            metrics: MetricsSettings::default(),
            notifications: NotificationSettings::default(),
        }
    }
}

impl Settings {
    /// Checks every field and returns all problems at once, each naming its field and the reason.
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate::validate(self)
    }
}

/// The upstream site. `Debug` shows the proxy redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpstreamSettings {
    /// The site origin, e.g. `https://ai.txg2024.xyz` (the domain changes over time; with
    /// [`Self::discovery`] on, a found new origin is written here).
    pub base_url: String,
    /// The front-end version sent as `x-app-version` (updated from the site when it refuses it).
    pub app_version: String,
    /// Whether to look for the site (entry page, known origins) when `base_url` stops answering.
    pub discovery: bool,
    /// The stable entry page whose `dd` points at the current origin.
    pub entry_url: String,
    /// Origins tried after the entry's answer.
    pub known_origins: Vec<String>,
    /// `system` (the environment's proxy), `off`, or an `http://`, `https://` or `socks5://` URL, for
    /// every upstream call and image download. Credentials in the URL are shown redacted everywhere.
    pub proxy: String,
}

impl Default for UpstreamSettings {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_UPSTREAM_BASE_URL.to_owned(),
            app_version: DEFAULT_APP_VERSION.to_owned(),
            discovery: true,
            entry_url: crate::upstream::DEFAULT_ENTRY_URL.to_owned(),
            known_origins: crate::upstream::KNOWN_ORIGINS
                .iter()
                .map(|&origin| origin.to_owned())
                .collect(),
            proxy: crate::upstream::proxy::SYSTEM.to_owned(),
        }
    }
}

impl std::fmt::Debug for UpstreamSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamSettings")
            .field("base_url", &self.base_url)
            .field("app_version", &self.app_version)
            .field("discovery", &self.discovery)
            .field("entry_url", &self.entry_url)
            .field("known_origins", &self.known_origins)
            .field("proxy", &crate::upstream::proxy::redact_text(&self.proxy))
            .finish()
    }
}

/// The local listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListenSettings {
    /// An IP address or `localhost`. Anything but loopback requires LAN mode and API keys.
    pub host: String,
    /// The TCP port; 0 picks any free port.
    pub port: u16,
}

impl Default for ListenSettings {
    fn default() -> Self {
        Self {
            host: DEFAULT_LISTEN_HOST.to_owned(),
            port: DEFAULT_LISTEN_PORT,
        }
    }
}

/// The IP address a listen host names: `localhost` or an IP address (IPv6 with or without
/// brackets); `None` for anything else. The one parser of `listen.host`, for validation and for
/// the gateway's bind.
pub fn listen_ip(host: &str) -> Option<IpAddr> {
    let host = host.trim();
    if host.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// Who may use the local endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessSettings {
    /// Whether every `/v1` request must present one of [`Self::api_keys`].
    pub api_keys_required: bool,
    /// Whether the gateway may be bound to a non-loopback address and accept any `Host` header.
    pub lan_mode: bool,
    /// The keys client apps use; generated on first run. Their `Debug` is redacted.
    pub api_keys: ApiKeys,
    /// Web page origins (`https://chat.example`) whose browser requests are served. Empty by
    /// default: any other request with an `Origin` header is refused, so a web page cannot spend
    /// the account's points.
    pub allowed_origins: Vec<String>,
}

impl AccessSettings {
    /// The LAN rule: the gateway may always listen on loopback; on any other address (reachable
    /// from other machines) only in LAN mode with API keys required.
    pub fn allows_listening_on(&self, ip: IpAddr) -> bool {
        ip.is_loopback() || (self.lan_mode && self.api_keys_required)
    }
}

impl Default for AccessSettings {
    fn default() -> Self {
        Self {
            api_keys_required: true,
            lan_mode: false,
            api_keys: ApiKeys::default(),
            allowed_origins: Vec::new(),
        }
    }
}

/// A token bucket for upstream calls: `burst` calls may go at once, then one every
/// `60 / requests_per_minute` seconds. The defaults equal the dispatcher's own
/// (`dispatch::PacingConfig`: burst 6, two calls a second); [`PacingSettings::per_second`] gives its
/// rate unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PacingSettings {
    /// Whether pacing is applied at all.
    pub enabled: bool,
    /// The sustained rate of upstream calls.
    pub requests_per_minute: u32,
    /// How many calls may go without waiting after a quiet period.
    pub burst: u32,
}

impl Default for PacingSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            requests_per_minute: 120,
            burst: 6,
        }
    }
}

impl PacingSettings {
    /// The sustained rate in calls per second (the dispatcher's unit).
    pub fn per_second(&self) -> f64 {
        f64::from(self.requests_per_minute) / 60.0
    }
}

/// What the request log keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RequestLogSettings {
    /// Limits on age, row count and database size.
    pub retention: RetentionPolicy,
    /// Whether prompt and reply previews are stored, and how long they may be.
    pub previews: PreviewPolicy,
}

/// Image downloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ImageSettings {
    /// Whether image URLs may point at this machine or the local network (loopback, private,
    /// link-local and unique-local addresses). Off by default: a request's author chooses the URL
    /// and the gateway fetches it from inside the user's network.
    pub allow_private_hosts: bool,
}

/// The Prometheus endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MetricsSettings {
    /// Whether `/metrics` answers (behind the API key, like the APIs). Off by default.
    pub enabled: bool,
}

/// The desktop app's notifications, each switchable. A file written before they existed gets
/// these defaults (all on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotificationSettings {
    /// When the sign-in at start fails (wrong password, site unreachable).
    pub sign_in_failure: bool,
    /// When the gateway stops because of an error (not when the user stops it).
    pub gateway_error: bool,
    /// When the points balance falls below [`Self::low_points_threshold`].
    pub low_points: bool,
    /// The balance under which points count as low.
    pub low_points_threshold: u64,
}

/// The default low-points threshold: about one image-model message (100 000 points, §6).
pub const DEFAULT_LOW_POINTS_THRESHOLD: u64 = 100_000;

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            sign_in_failure: true,
            gateway_error: true,
            low_points: true,
            low_points_threshold: DEFAULT_LOW_POINTS_THRESHOLD,
        }
    }
}

/// The default aliases for the model names Claude Code asks for.
///
/// Claude Code sends Anthropic ids that change with every release (2.1.332 defaults to
/// `claude-opus-5-5`; others send `claude-sonnet-4-5-20250929`, `claude-haiku-4-5-20251001`,
/// `claude-sonnet-4-6[1m]`). The resolver first looks for the named model on the site (so
/// `claude-sonnet-4-6[1m]` is the site's `claude-sonnet-4-6`), then falls back to the alias of the
/// id's family, one of these three (see `model_resolver`):
/// - `sonnet` → the site's `claude-sonnet-4-6` (taiji-protocol.md §3.3);
/// - `haiku` → the site's cheap default `gpt-4.1-mini`: Claude Code uses Haiku for frequent small
///   background tasks;
/// - `opus` → also `claude-sonnet-4-6`, deliberately not the site's `claude-opus-4-6`: that costs
///   1 000 000 points a message, and Claude Code sends Opus ids by default and many messages per
///   task. Asking for `claude-opus-4-6` by name still gets it, as does pointing this alias at it.
///
/// `claude-haiku-4-5` is listed too, only so that Claude Code's model picker, which offers only
/// ids containing "claude", can offer the cheap model. Users change or remove any of these in the
/// settings; an alias whose target is not in the catalog fails resolution with a clear error.
pub fn default_model_aliases() -> BTreeMap<String, String> {
    [
        ("sonnet", "claude-sonnet-4-6"),
        ("opus", "claude-sonnet-4-6"),
        ("haiku", "gpt-4.1-mini"),
        ("claude-haiku-4-5", "gpt-4.1-mini"),
    ]
    .into_iter()
    .map(|(from, to)| (from.to_owned(), to.to_owned()))
    .collect()
}

/// The platform's per-user data directory for Taiji Gateway (for the CLI's default `--data-dir`),
/// e.g. `~/.local/share/taiji-gateway` on Linux. `None` when the platform has no home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "Taiji", "taiji-gateway").map(|dirs| dirs.data_dir().to_path_buf())
}
