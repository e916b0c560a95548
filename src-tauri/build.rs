//! Build script: generates the Tauri context and the permissions for our own commands.

/// Every `#[tauri::command]` in `src/commands/` (the same list as `commands::COMMANDS`; a test
/// checks that the capability grants each one).
const COMMANDS: &[&str] = &[
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

fn main() {
    // Listing the app's commands makes tauri-build generate an `allow-<command>` permission for
    // each, so `capabilities/default.json` can grant exactly those and nothing more.
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message is what cargo shows.
        panic!("tauri-build failed: {error:#}");
    }
}
