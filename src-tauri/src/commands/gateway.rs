//! Starting and stopping the local gateway from the UI (the tray does the same through
//! [`crate::tray`]).

use tauri::State;

use super::{CommandError, StatusView};
use crate::state::AppState;

/// Starts the gateway on the configured address; a busy port comes back as a `gateway` error (and
/// shows as the Error status).
#[tauri::command]
pub async fn start_gateway(state: State<'_, AppState>) -> Result<StatusView, CommandError> {
    state.start_gateway().await?;
    Ok(StatusView::collect(&state))
}

/// Stops the gateway; running streams end with a "shutting down" error.
#[tauri::command]
pub async fn stop_gateway(state: State<'_, AppState>) -> Result<StatusView, CommandError> {
    state.stop_gateway().await?;
    Ok(StatusView::collect(&state))
}
