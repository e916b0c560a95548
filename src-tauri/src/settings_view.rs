//! [`SettingsView`], the settings as the UI shows them: the answer of the settings commands and
//! the payload of the `settings-changed` event (apart from both, so that `commands` and `events`
//! need not import each other).

use std::collections::BTreeMap;

use serde::Serialize;
use taiji_core::request_log::{PreviewPolicy, RetentionPolicy};
use taiji_core::settings::{NotificationSettings, Settings};
use taiji_core::upstream::proxy::redact_text;

/// The settings the UI shows (API keys have their own commands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SettingsView {
    /// How many chat requests may run upstream at once.
    pub concurrency: u32,
    /// The listen address.
    pub host: String,
    /// The listen port.
    pub port: u16,
    /// Whether the gateway may listen beyond this computer.
    pub lan_mode: bool,
    /// Whether a key is required (shown here because LAN mode depends on it).
    pub keys_required: bool,
    /// Whether prompt and reply previews are stored in the request log, and their size cap.
    pub previews: PreviewPolicy,
    /// How much request history is kept.
    pub retention: RetentionPolicy,
    /// Requested model name → catalog model id.
    pub aliases: BTreeMap<String, String>,
    /// The Taiji site in use.
    pub upstream_base_url: String,
    /// The `x-app-version` sent to it.
    pub upstream_app_version: String,
    /// Whether the site is looked for again (from the stable entry) when it moves.
    pub upstream_discovery: bool,
    /// The upstream proxy (`system`, `off` or a URL), its user name and password shown as `***`.
    pub upstream_proxy: String,
    /// Which desktop notifications are on, and the low-points threshold.
    pub notifications: NotificationSettings,
}

impl From<&Settings> for SettingsView {
    fn from(settings: &Settings) -> Self {
        Self {
            concurrency: settings.max_concurrent,
            host: settings.listen.host.clone(),
            port: settings.listen.port,
            lan_mode: settings.access.lan_mode,
            keys_required: settings.access.api_keys_required,
            previews: settings.request_log.previews,
            retention: settings.request_log.retention,
            aliases: settings.model_aliases.clone(),
            upstream_base_url: settings.upstream.base_url.clone(),
            upstream_app_version: settings.upstream.app_version.clone(),
            upstream_discovery: settings.upstream.discovery,
            upstream_proxy: redact_text(&settings.upstream.proxy),
            notifications: settings.notifications.clone(),
        }
    }
}
