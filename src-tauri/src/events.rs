//! Events the shell emits to the UI (and listens to itself): names and payloads in one place.
//!
//! The UI mirrors these in `ui/src/api/`; a rename here must be made there too.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::{AppState, GatewayStatus};

/// Emitted whenever the gateway status changes; the payload is [`GatewayStateEvent`].
pub const GATEWAY_STATE: &str = "gateway-state";

/// Payload of [`GATEWAY_STATE`]. An object rather than a bare string so fields (such as the
/// listening address) can be added later without breaking listeners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayStateEvent {
    pub status: GatewayStatus,
}

/// Flips the gateway status in [`AppState`] and tells every listener (the UI and the tray).
pub fn toggle_gateway<R: Runtime>(app: &AppHandle<R>) -> GatewayStatus {
    let status = app.state::<AppState>().toggle_gateway();
    tracing::info!(status = status.label(), "gateway status changed");
    if let Err(error) = app.emit(GATEWAY_STATE, GatewayStateEvent { status }) {
        // The state itself changed; only the notification failed, so the next change or a
        // `gateway_state` call will bring listeners back in line.
        tracing::warn!(%error, "could not emit the gateway status");
    }
    status
}
