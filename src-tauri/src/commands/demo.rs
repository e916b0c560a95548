//! Demo mode from the UI: "Try without an account" in the sign-in view, and leaving it again.

use std::time::Duration;

use tauri::State;

use super::{CommandError, ErrorKind, StatusView};
use crate::demo::DemoError;
use crate::state::AppState;

/// How long leaving demo mode waits for the demo's running requests to end.
const LEAVE_GRACE: Duration = Duration::from_secs(5);

/// Switches the gateway to the built-in simulator and its demo account (see [`crate::demo`]).
#[tauri::command]
pub async fn enter_demo(state: State<'_, AppState>) -> Result<StatusView, CommandError> {
    state.enter_demo().await?;
    Ok(StatusView::collect(&state))
}

/// Puts the gateway back on the real account.
#[tauri::command]
pub async fn leave_demo(state: State<'_, AppState>) -> Result<StatusView, CommandError> {
    state.leave_demo(LEAVE_GRACE).await;
    Ok(StatusView::collect(&state))
}

impl From<DemoError> for CommandError {
    fn from(error: DemoError) -> Self {
        match error {
            DemoError::Core(core) => Self::from(core),
            DemoError::Simulator(_) => Self::new(ErrorKind::Internal, error.to_string()),
        }
    }
}
