//! Reading and changing the settings the UI edits. Changes are validated and saved by the core's
//! settings store and apply live; a new host or port moves the running listener, and when that
//! fails the stored address is put back and the old listener keeps serving.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use taiji_core::request_log::{PreviewPolicy, RetentionPolicy};
use taiji_core::settings::{ListenSettings, Settings};
use tauri::State;

use super::{CommandError, blocking, effective_now};
use crate::state::AppState;

/// How long to wait for the core to apply a saved change before moving the listener. The core
/// applies changes in a background task within milliseconds; the wait only matters because the
/// listener checks LAN mode against the applied settings.
const APPLY_WAIT: Duration = Duration::from_secs(2);

/// The settings the UI shows (API keys have their own commands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
        }
    }
}

/// A change to the settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsPatch {
    pub concurrency: Option<u32>,
    pub port: Option<u16>,
    pub host: Option<String>,
    pub lan_mode: Option<bool>,
    pub previews: Option<PreviewPolicy>,
    pub retention: Option<RetentionPolicy>,
    pub aliases: Option<BTreeMap<String, String>>,
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
    SettingsView::from(&effective_now(&state.core))
}

/// Validates, saves and applies `patch`. A host or port change moves the listener first-bind-then-
/// stop; if the new address cannot be bound, the stored address is restored and the error returned.
#[tauri::command(rename_all = "snake_case")]
pub async fn update_settings(
    state: State<'_, AppState>,
    patch: SettingsPatch,
) -> Result<SettingsView, CommandError> {
    let core = &state.core;
    let store = core.settings_store().clone();
    let before: ListenSettings = store.get().listen;
    let mut applied = core.subscribe_settings();
    let saved = blocking(move || store.update(|settings| patch.apply_to(settings))).await?;
    let moved = saved.listen != before;
    let expected = core.overrides().apply(saved);

    if moved {
        let ready = applied.wait_for(|now| now.listen == expected.listen && now.access == expected.access);
        if tokio::time::timeout(APPLY_WAIT, ready).await.is_err() {
            tracing::warn!("the core did not apply the new settings in time; moving the listener anyway");
        }
        if let Err(error) = state
            .move_gateway(&expected.listen.host, expected.listen.port)
            .await
        {
            let store = core.settings_store().clone();
            let restore = before.clone();
            if let Err(revert) = blocking(move || store.update(|settings| settings.listen = restore)).await {
                tracing::error!(%revert, "could not restore the previous listen address");
            }
            return Err(error.into());
        }
    }
    Ok(SettingsView::from(&effective_now(core)))
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
    fn a_patch_with_an_unknown_field_is_refused() {
        let result = serde_json::from_value::<SettingsPatch>(serde_json::json!({ "api_keys": [] }));
        assert!(result.is_err());
    }
}
