//! Reading and changing the settings the UI edits. The core validates, saves and applies a change
//! and answers with the settings in effect; a new host or port then moves the running listener,
//! and when that fails the stored address is put back and the old listener keeps serving.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use taiji_core::request_log::{PreviewPolicy, RetentionPolicy};
use taiji_core::settings::{NotificationSettings, Settings};
use taiji_core::upstream::proxy::redact_text;
use tauri::State;

use super::CommandError;
pub use crate::settings_view::SettingsView;
use crate::state::AppState;

/// A change to the settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
#[serde(default, deny_unknown_fields)]
pub struct SettingsPatch {
    pub concurrency: Option<u32>,
    pub port: Option<u16>,
    pub host: Option<String>,
    pub lan_mode: Option<bool>,
    pub previews: Option<PreviewPolicy>,
    pub retention: Option<RetentionPolicy>,
    pub aliases: Option<BTreeMap<String, String>>,
    /// `system`, `off` or a proxy URL. The redacted form the view shows means "unchanged", so a
    /// form saved as it was shown never replaces the stored password with `***`.
    pub upstream_proxy: Option<String>,
    pub upstream_discovery: Option<bool>,
    /// The whole notifications section.
    pub notifications: Option<NotificationSettings>,
}

impl SettingsPatch {
    /// Writes the given fields into `settings`.
    pub fn apply_to(self, settings: &mut Settings) {
        if let Some(concurrency) = self.concurrency {
            settings.max_concurrent = concurrency;
        }
        if let Some(port) = self.port {
            settings.listen.port = port;
        }
        if let Some(host) = self.host {
            settings.listen.host = host.trim().to_owned();
        }
        if let Some(lan_mode) = self.lan_mode {
            settings.access.lan_mode = lan_mode;
        }
        if let Some(previews) = self.previews {
            settings.request_log.previews = previews;
        }
        if let Some(retention) = self.retention {
            settings.request_log.retention = retention;
        }
        if let Some(proxy) = self.upstream_proxy {
            let proxy = proxy.trim().to_owned();
            if proxy != redact_text(&settings.upstream.proxy) {
                settings.upstream.proxy = proxy;
            }
        }
        if let Some(discovery) = self.upstream_discovery {
            settings.upstream.discovery = discovery;
        }
        if let Some(notifications) = self.notifications {
            settings.notifications = notifications;
        }
        if let Some(aliases) = self.aliases {
            settings.model_aliases = aliases
                .into_iter()
                .map(|(from, to)| (from.trim().to_owned(), to.trim().to_owned()))
                .collect();
        }
    }
}

/// The settings now.
#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> SettingsView {
    SettingsView::from(&state.core.settings())
}

/// Validates, saves and applies `patch`. A host or port change moves the listener first-bind-then-
/// stop; if the new address cannot be bound, the stored address is restored and the error returned.
#[tauri::command(rename_all = "snake_case")]
pub async fn update_settings(
    state: State<'_, AppState>,
    patch: SettingsPatch,
) -> Result<SettingsView, CommandError> {
    let core = &state.core;
    let before = core.settings().listen;
    let stored_before = core.settings_store().get().listen;
    let applied = core
        .update_settings(move |settings| patch.apply_to(settings))
        .await?;
    if applied.listen != before
        && let Err(error) = state
            .move_gateway(&applied.listen.host, applied.listen.port)
            .await
    {
        if let Err(revert) = core
            .update_settings(move |settings| settings.listen = stored_before)
            .await
        {
            tracing::error!(%revert, "could not restore the previous listen address");
        }
        return Err(error.into());
    }
    Ok(SettingsView::from(&applied))
}

/// The outcome of "check connection".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConnectionCheck {
    /// Whether the Taiji site answered.
    pub ok: bool,
    /// The origin checked.
    pub origin: String,
    /// The proxy used, password redacted.
    pub proxy: String,
    /// What went wrong, when it did.
    pub error: Option<String>,
}

/// "Check connection": one cheap call to the site through the configured proxy (no credentials).
#[tauri::command]
pub async fn check_connection(state: State<'_, AppState>) -> Result<ConnectionCheck, CommandError> {
    let site = state.core.site().borrow().clone();
    let result = state.core.check_connection().await;
    Ok(ConnectionCheck {
        ok: result.is_ok(),
        origin: site.base_url,
        proxy: site.proxy,
        error: result.err().map(|error| error.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_changes_only_the_fields_it_names() {
        let mut settings = Settings::default();
        let patch: SettingsPatch =
            serde_json::from_value(serde_json::json!({ "concurrency": 7, "host": " localhost " }))
                .expect("patch parses");
        patch.apply_to(&mut settings);
        assert_eq!(settings.max_concurrent, 7);
        assert_eq!(settings.listen.host, "localhost");
        assert_eq!(settings.listen.port, Settings::default().listen.port);
        assert_eq!(settings.model_aliases, Settings::default().model_aliases);
    }

    #[test]
    fn a_patch_replaces_the_notifications_section() {
        let mut settings = Settings::default();
        let patch: SettingsPatch = serde_json::from_value(serde_json::json!({
            "notifications": { "low_points": false, "low_points_threshold": 500 }
        }))
        .expect("patch parses");
        patch.apply_to(&mut settings);
        assert!(!settings.notifications.low_points);
        assert_eq!(settings.notifications.low_points_threshold, 500);
        assert!(
            settings.notifications.sign_in_failure,
            "unnamed switches keep their default"
        );
        let view = SettingsView::from(&settings);
        assert_eq!(view.notifications, settings.notifications);
    }

    #[test]
    fn the_redacted_proxy_saved_back_keeps_the_password() {
        let mut settings = Settings::default();
        settings.upstream.proxy = "socks5://u:secret@127.0.0.1:1080".to_owned();
        let shown = SettingsView::from(&settings).upstream_proxy;
        assert_eq!(shown, "socks5://***:***@127.0.0.1:1080");
        SettingsPatch {
            upstream_proxy: Some(shown),
            ..SettingsPatch::default()
        }
        .apply_to(&mut settings);
        assert_eq!(settings.upstream.proxy, "socks5://u:secret@127.0.0.1:1080");
        SettingsPatch {
            upstream_proxy: Some("off".to_owned()),
            ..SettingsPatch::default()
        }
        .apply_to(&mut settings);
        assert_eq!(settings.upstream.proxy, "off");
    }

    #[test]
    fn a_patch_with_an_unknown_field_is_refused() {
        let result = serde_json::from_value::<SettingsPatch>(serde_json::json!({ "api_keys": [] }));
        assert!(result.is_err());
    }
}
