//! Events the shell emits to the UI (and the tray listens to): names and payloads in one place.
//!
//! The UI mirrors these in `ui/src/api/events.ts`; a rename here must be made there too. Payloads
//! are objects so fields can be added later without breaking listeners.

use serde::{Deserialize, Serialize};
use taiji_core::account::TokenState;
use taiji_core::runtime::SignInState;

use crate::status::GatewayStatus;

/// The gateway status changed (or was re-announced); payload [`GatewayStateEvent`].
pub const GATEWAY_STATE: &str = "gateway-state";

/// The account, its login state or the background sign-in changed; payload [`AccountStateEvent`].
pub const ACCOUNT_STATE: &str = "account-state";

/// The admission gauges changed; payload `taiji_core::dispatch::AdmissionGauges`
/// (`{in_flight, queued, limit}`).
pub const GAUGES: &str = "admission-gauges";

/// A request-log entry was created or changed; payload `taiji_core::request_log::LogEntry`.
pub const REQUEST_LOG_ENTRY: &str = "request-log-entry";

/// The request log fell behind and skipped changes; the UI should reload its page. No payload.
pub const REQUEST_LOG_RESYNC: &str = "request-log-resync";

/// The settings changed; payload [`crate::commands::SettingsView`].
pub const SETTINGS_CHANGED: &str = "settings-changed";

/// A conversation of the built-in chat (or the list) changed, in either window; payload
/// [`ChatChangedEvent`].
pub const CHAT_CHANGED: &str = "chat-changed";

/// Every event the UI listens to, by constant name; `bindings.rs` generates the UI's copy from it.
pub const ALL: &[(&str, &str)] = &[
    ("GATEWAY_STATE", GATEWAY_STATE),
    ("ACCOUNT_STATE", ACCOUNT_STATE),
    ("GAUGES", GAUGES),
    ("REQUEST_LOG_ENTRY", REQUEST_LOG_ENTRY),
    ("REQUEST_LOG_RESYNC", REQUEST_LOG_RESYNC),
    ("SETTINGS_CHANGED", SETTINGS_CHANGED),
    ("CHAT_CHANGED", CHAT_CHANGED),
];

/// Payload of [`GATEWAY_STATE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct ChatChangedEvent {
    /// The conversation that changed; `None` when only the list did.
    pub conversation_id: Option<String>,
}
