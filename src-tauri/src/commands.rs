//! The `#[tauri::command]` functions the UI calls through `invoke` (wrapped in `ui/src/api/`).
//!
//! Commands are thin adapters over [`AppState`]; each one is listed in `build.rs` so that
//! `capabilities/default.json` can grant it explicitly.

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::state::{AppState, GatewayStatus};

/// What the UI shows in its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

/// The product name and version, from `tauri.conf.json` and the crate version.
#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> AppInfo {
    let package = app.package_info();
    AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
    }
}

/// The current gateway status, so the UI can render before the first `gateway-state` event.
#[tauri::command]
pub fn gateway_state(state: State<'_, AppState>) -> GatewayStatus {
    state.gateway_status()
}

/// The invoke handler with every command above.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![app_info, gateway_state]
}
