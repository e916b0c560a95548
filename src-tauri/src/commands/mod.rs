//! The `#[tauri::command]` functions the UI calls through `invoke` (wrapped in `ui/src/api/`), one
//! file per domain. Commands are thin adapters over [`crate::state::AppState`] and the core: they
//! convert arguments, call one core operation and shape the answer; every one is listed in
//! `build.rs` so that `capabilities/default.json` can grant it explicitly.
//!
//! Every fallible command returns [`CommandError`], which the UI receives as `{kind, message}`.
//! Arguments are snake_case on both sides (`rename_all = "snake_case"`), like the payloads.

mod account;
mod app;
mod error;
mod gateway;
mod keys;
mod log;
mod models;
mod settings;

use taiji_core::runtime::Core;
use taiji_core::settings::Settings;
use tauri::Runtime;

pub use account::AccountView;
pub use app::{AppInfo, CredentialsView, StatusView};
pub use error::{CommandError, ErrorKind};
pub use keys::{ApiKeyView, ApiKeysView};
pub use log::ExportFormat;
pub use models::ModelsView;
pub use settings::{SettingsPatch, SettingsView};

/// Every command name, as `build.rs` lists them (kept here too so a test can check both agree).
pub const COMMANDS: &[&str] = &[
    "app_info",
    "status",
    "login",
    "logout",
    "start_gateway",
    "stop_gateway",
    "list_api_keys",
    "add_api_key",
    "regenerate_api_key",
    "remove_api_key",
    "set_keys_required",
    "get_settings",
    "update_settings",
    "list_models",
    "query_request_log",
    "export_request_log",
    "aggregates",
];

/// The invoke handler with every command.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        app::status,
        account::login,
        account::logout,
        gateway::start_gateway,
        gateway::stop_gateway,
        keys::list_api_keys,
        keys::add_api_key,
        keys::regenerate_api_key,
        keys::remove_api_key,
        keys::set_keys_required,
        settings::get_settings,
        settings::update_settings,
        models::list_models,
        log::query_request_log,
        log::export_request_log,
        log::aggregates,
    ]
}

/// Runs blocking work (the settings store's file I/O) off the async threads.
async fn blocking<T, E>(work: impl FnOnce() -> Result<T, E> + Send + 'static) -> Result<T, CommandError>
where
    T: Send + 'static,
    E: Into<CommandError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(CommandError::internal)?
        .map_err(Into::into)
}

/// The effective settings as of the last store write: `core.settings()` catches up with a write
/// a moment later (a background task applies it), but an answer to the UI must show the write.
fn effective_now(core: &Core) -> Settings {
    core.overrides().apply(core.settings_store().get())
}
