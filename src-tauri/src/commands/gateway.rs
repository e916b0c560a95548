//! Starting and stopping the local gateway from the UI (the tray does the same through
//! [`crate::tray`]).

use tauri::{AppHandle, Runtime, State};

use super::{CommandError, StatusView};
use crate::state::AppState;
use crate::tray::{self, Switching};

/// Starts the gateway on the configured address; a busy port comes back as a `gateway` error (and
/// shows as the Error status).
#[tauri::command]
pub async fn start_gateway<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<StatusView, CommandError> {
    tray::show_switching(&app, Some(Switching::On));
    let started = state.start_gateway().await;
    tray::show_switching(&app, None);
    started?;
    Ok(StatusView::collect(&state))
}

/// Stops the gateway; running streams end with a "shutting down" error.
#[tauri::command]
pub async fn stop_gateway<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<StatusView, CommandError> {
    tray::show_switching(&app, Some(Switching::Off));
    let stopped = state.stop_gateway().await;
    tray::show_switching(&app, None);
    stopped?;
    Ok(StatusView::collect(&state))
}
