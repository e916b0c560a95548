//! The shell's managed state ([`AppState`]) and the gateway status it tracks.
//!
//! Tauri hands one `AppState` to commands, the tray and setup through `app.state()`, so there is no
//! global mutable state. For now the gateway status is an in-memory flag flipped from the tray; once
//! the gateway from `taiji-core` is wired in, this struct will hold its handle and the status will
//! follow the gateway's own status channel.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// What the gateway is doing, as the tray icon and the UI show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayStatus {
    /// Serving requests on localhost.
    Running,
    /// Not listening; the user stopped it or it has not been started.
    Stopped,
    /// Listening, but the Taiji account must sign in before requests can succeed.
    NeedsLogin,
    /// Could not start or failed while running.
    Error,
}

impl GatewayStatus {
    /// The status the "Gateway running" toggle leads to: anything but running starts the gateway.
    pub fn toggled(self) -> Self {
        match self {
            Self::Running => Self::Stopped,
            Self::Stopped | Self::NeedsLogin | Self::Error => Self::Running,
        }
    }

    /// A short human label, used in the tray tooltip.
    pub fn label(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Stopped => "stopped",
            Self::NeedsLogin => "sign-in needed",
            Self::Error => "error",
        }
    }
}

/// Everything the desktop shell keeps between events; managed by Tauri.
#[derive(Debug)]
pub struct AppState {
    gateway: Mutex<GatewayStatus>,
}

impl Default for AppState {
    fn default() -> Self {
        // The gateway is not started automatically yet, so the honest initial status is "stopped".
        Self {
            gateway: Mutex::new(GatewayStatus::Stopped),
        }
    }
}

impl AppState {
    /// The current gateway status.
    pub fn gateway_status(&self) -> GatewayStatus {
        *self
            .gateway
            .lock()
            .expect("gateway status lock poisoned: a holder panicked")
    }

    /// Flips the gateway between running and stopped and returns the new status.
    pub fn toggle_gateway(&self) -> GatewayStatus {
        let mut status = self
            .gateway
            .lock()
            .expect("gateway status lock poisoned: a holder panicked");
        *status = status.toggled();
        *status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_stopped_and_toggles_between_running_and_stopped() {
        let state = AppState::default();
        assert_eq!(state.gateway_status(), GatewayStatus::Stopped);
        assert_eq!(state.toggle_gateway(), GatewayStatus::Running);
        assert_eq!(state.gateway_status(), GatewayStatus::Running);
        assert_eq!(state.toggle_gateway(), GatewayStatus::Stopped);
    }

    #[test]
    fn toggling_from_a_problem_state_starts_the_gateway() {
        assert_eq!(GatewayStatus::NeedsLogin.toggled(), GatewayStatus::Running);
        assert_eq!(GatewayStatus::Error.toggled(), GatewayStatus::Running);
    }

    #[test]
    fn serialises_as_the_snake_case_names_the_ui_expects() {
        let names: Vec<String> = [
            GatewayStatus::Running,
            GatewayStatus::Stopped,
            GatewayStatus::NeedsLogin,
            GatewayStatus::Error,
        ]
        .iter()
        .map(|status| serde_json::to_string(status).expect("a unit enum serialises"))
        .collect();
        assert_eq!(
            names,
            [r#""running""#, r#""stopped""#, r#""needs_login""#, r#""error""#]
        );
    }
}
