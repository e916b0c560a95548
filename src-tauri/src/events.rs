//! Events the shell emits to the UI (and the tray listens to): names and payloads in one place.
//!
//! Each event is declared once, with its payload type, in the `events!` list below; the UI's names
//! and payload types are generated from it (`crate::bindings`). Payloads are objects so fields can
//! be added later without breaking listeners.

use serde::{Deserialize, Serialize};
use taiji_core::account::TokenState;
#[cfg(test)]
use taiji_core::dispatch::AdmissionGauges;
#[cfg(test)]
use taiji_core::request_log::LogEntry;
use taiji_core::runtime::SignInState;

#[cfg(test)]
use crate::settings_view::SettingsView;
use crate::status::GatewayStatus;

/// Declares each event's name constant and payload, [`ALL`], and for the bindings test `payloads`.
macro_rules! events {
    ($($(#[$doc:meta])* $name:ident = $event:literal => $payload:ty;)*) => {
        $($(#[$doc])* pub const $name: &str = $event;)*

        /// Every event the UI listens to, by constant name; `bindings.rs` generates the UI's copy
        /// from it.
        pub const ALL: &[(&str, &str)] = &[$((stringify!($name), $name)),*];

        /// Every event's TypeScript payload type, its types declared in `types`.
        #[cfg(test)]
        pub(crate) fn payloads(types: &mut crate::ts_types::Declarations) -> Vec<(&'static str, String)> {
            vec![$(($name, types.name::<$payload>())),*]
        }
    };
}

events! {
    /// The gateway status changed (or was re-announced).
    GATEWAY_STATE = "gateway-state" => GatewayStateEvent;
    /// The account, its login state or the background sign-in changed.
    ACCOUNT_STATE = "account-state" => AccountStateEvent;
    /// The admission gauges changed (`{in_flight, queued, limit}`).
    GAUGES = "admission-gauges" => AdmissionGauges;
    /// A request-log entry was created or changed.
    REQUEST_LOG_ENTRY = "request-log-entry" => LogEntry;
    /// The request log fell behind and skipped changes; the UI should reload its page. No payload.
    REQUEST_LOG_RESYNC = "request-log-resync" => ();
    /// The settings changed.
    SETTINGS_CHANGED = "settings-changed" => SettingsView;
    /// A conversation of the built-in chat (or the list) changed, in either window.
    CHAT_CHANGED = "chat-changed" => ChatChangedEvent;
}

/// Payload of [`GATEWAY_STATE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct GatewayStateEvent {
    /// The derived status.
    pub status: GatewayStatus,
    /// The base URL clients use, while listening.
    pub url: Option<String>,
    /// Whether demo mode is on (the built-in simulator, not the real account).
    #[serde(default)]
    pub demo: bool,
}

/// Payload of [`ACCOUNT_STATE`].
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AccountStateEvent {
    /// The configured account name.
    pub account: Option<String>,
    /// Its login state.
    pub login: TokenState,
    /// Where the background sign-in stands ("signing in", "site unreachable since …").
    pub sign_in: SignInState,
}

/// Payload of [`CHAT_CHANGED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChatChangedEvent {
    /// The conversation that changed; `None` when only the list did.
    pub conversation_id: Option<String>,
}
