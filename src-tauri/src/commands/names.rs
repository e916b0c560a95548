// Every `#[tauri::command]` in this folder, in one place: `build.rs` includes this file to generate
// an `allow-<command>` permission for each, and the shell re-exports it as `commands::COMMANDS` (a
// test checks that the capability grants every one). Plain comments only: `build.rs` `include!`s it.

/// Every command name.
pub const COMMANDS: &[&str] = &[
    "app_info",
    "status",
    "login",
    "logout",
    "enter_demo",
    "leave_demo",
    "start_gateway",
    "stop_gateway",
    "list_api_keys",
    "add_api_key",
    "regenerate_api_key",
    "remove_api_key",
    "set_keys_required",
    "get_settings",
    "update_settings",
    "check_connection",
    "list_models",
    "query_request_log",
    "export_request_log",
    "aggregates",
    "set_ui_language",
    "autostart",
    "set_autostart",
    "points_balance",
    "check_in_calendar",
    "check_in",
];
