//! The API keys client apps use for the local endpoint, and whether one is required. The UI shows
//! the key values masked, with reveal and copy; the values never go anywhere else.

use serde::Serialize;
use taiji_core::api_keys::ApiKey;
use taiji_core::settings::Settings;
use tauri::State;
use time::format_description::well_known::Rfc3339;

use super::CommandError;
use crate::state::AppState;

/// One key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ApiKeyView {
    /// The key's name, e.g. `cherry-studio`; the request log shows it.
    pub name: String,
    /// The key itself.
    pub key: String,
    /// When it was created or last regenerated (RFC 3339).
    pub created_at: String,
}

impl From<&ApiKey> for ApiKeyView {
    fn from(key: &ApiKey) -> Self {
        Self {
            name: key.name.clone(),
            key: key.secret.expose().to_owned(),
            // Formatting a valid UTC timestamp as RFC 3339 only fails for years beyond 9999.
            created_at: key.created_at.format(&Rfc3339).unwrap_or_default(),
        }
    }
}

/// Every key, and whether one is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ApiKeysView {
    /// Whether every `/v1` request must present a key.
    pub required: bool,
    /// The keys, in creation order.
    pub keys: Vec<ApiKeyView>,
}

impl From<&Settings> for ApiKeysView {
    fn from(settings: &Settings) -> Self {
        Self {
            required: settings.access.api_keys_required,
            keys: settings.access.api_keys.iter().map(ApiKeyView::from).collect(),
        }
    }
}

/// Every key and whether one is required.
#[tauri::command]
pub fn list_api_keys(state: State<'_, AppState>) -> ApiKeysView {
    ApiKeysView::from(&state.core.settings())
}

/// Adds a key named `name` with a generated value and returns it.
#[tauri::command(rename_all = "snake_case")]
pub async fn add_api_key(state: State<'_, AppState>, name: String) -> Result<ApiKeyView, CommandError> {
    let (key, _) = state
        .core
        .change_settings(move |store| store.add_api_key(&name))
        .await?;
    Ok(ApiKeyView::from(&key))
}

/// Gives the named key a new value; the old one stops working at once.
#[tauri::command(rename_all = "snake_case")]
pub async fn regenerate_api_key(
    state: State<'_, AppState>,
    name: String,
) -> Result<ApiKeyView, CommandError> {
    let (key, _) = state
        .core
        .change_settings(move |store| store.regenerate_api_key(&name))
        .await?;
    Ok(ApiKeyView::from(&key))
}

/// Removes the named key. The settings refuse removing the last key while keys are required.
#[tauri::command(rename_all = "snake_case")]
pub async fn remove_api_key(state: State<'_, AppState>, name: String) -> Result<ApiKeysView, CommandError> {
    let ((), applied) = state
        .core
        .change_settings(move |store| store.remove_api_key(&name).map(|_| ()))
        .await?;
    Ok(ApiKeysView::from(&applied))
}

/// Requires (or stops requiring) a key. The settings refuse turning keys off unless the gateway
/// is bound to loopback and LAN mode is off.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_keys_required(
    state: State<'_, AppState>,
    required: bool,
) -> Result<ApiKeysView, CommandError> {
    let applied = state
        .core
        .update_settings(move |settings| settings.access.api_keys_required = required)
        .await?;
    Ok(ApiKeysView::from(&applied))
}
