//! The `#[tauri::command]` functions the UI calls through `invoke` (wrapped in `ui/src/api/`), one
//! file per domain. Commands are thin adapters over [`crate::state::AppState`] and the core: they
//! convert arguments, call one core operation and shape the answer; every one is listed in
//! `names.rs`, which `build.rs` includes so that `capabilities/default.json` can grant each
//! explicitly.
//!
//! Every fallible command returns [`CommandError`], which the UI receives as `{kind, message}`.
//! Arguments are snake_case on both sides (`rename_all = "snake_case"`), like the payloads.

mod account;
mod app;
mod chat;
mod demo;
mod desktop;
mod error;
mod gateway;
mod keys;
mod log;
mod models;
mod names;
mod settings;

use tauri::Runtime;

pub use account::AccountView;
pub use app::{AppInfo, CredentialsView, StatusView};
pub use error::{CommandError, ErrorKind};
pub use keys::{ApiKeyView, ApiKeysView};
pub use log::ExportFormat;
pub use models::ModelsView;
pub use names::COMMANDS;
pub use settings::{ConnectionCheck, SettingsPatch, SettingsView};

/// The invoke handler with every command.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        app::status,
        account::login,
        account::logout,
        demo::enter_demo,
        demo::leave_demo,
        gateway::start_gateway,
        gateway::stop_gateway,
        keys::list_api_keys,
        keys::add_api_key,
        keys::regenerate_api_key,
        keys::remove_api_key,
        keys::set_keys_required,
        settings::get_settings,
        settings::update_settings,
        settings::check_connection,
        models::list_models,
        log::query_request_log,
        log::export_request_log,
        log::aggregates,
        desktop::set_ui_language,
        desktop::autostart,
        desktop::set_autostart,
        chat::chat_list_conversations,
        chat::chat_create_conversation,
        chat::chat_get_conversation,
        chat::chat_rename_conversation,
        chat::chat_set_conversation_model,
        chat::chat_set_system_prompt,
        chat::chat_delete_conversation,
        chat::chat_export_conversation,
        chat::chat_send,
        chat::chat_regenerate,
        chat::chat_edit_and_resend,
        chat::chat_retry,
        chat::chat_stop,
        chat::chat_select_version,
        chat::chat_delete_message,
        chat::chat_summarize_into_new,
        chat::get_chat_shortcut,
        chat::set_chat_shortcut,
    ]
}
