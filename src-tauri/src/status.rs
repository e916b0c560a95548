//! The gateway status the tray and the UI show, and how it is derived from reality: whether the
//! listener is up ([`ListenerState`]) and whether the Taiji account can sign in (credentials and
//! the account's [`TokenState`]).

use serde::{Deserialize, Serialize};
use taiji_core::account::TokenState;

/// What the shell's listener is doing. Kept by [`crate::state::AppState`] and published on a
/// watch channel, so every change reaches the tray and the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ListenerState {
    /// Serving at `url`, the base URL clients on this computer use.
    Listening {
        /// E.g. `http://127.0.0.1:8760`.
        url: String,
    },
    /// Not listening because the user stopped it (or the app is quitting).
    Stopped,
    /// Not listening because starting or moving the listener failed.
    Failed {
        /// Why, in words for the user (e.g. "port 8760 is in use on 127.0.0.1 …").
        message: String,
    },
}

impl ListenerState {
    /// Whether the gateway accepts connections.
    pub fn is_listening(&self) -> bool {
        matches!(self, Self::Listening { .. })
    }

    /// The base URL while listening.
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Listening { url } => Some(url),
            Self::Stopped | Self::Failed { .. } => None,
        }
    }
}

/// What the gateway is doing, as the tray icon and the UI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum GatewayStatus {
    /// Listening, with an account that can sign in: requests can succeed.
    Running,
    /// Listening, but there are no credentials or the site rejected them.
    NeedsLogin,
    /// Not listening; the user stopped it.
    Stopped,
    /// Could not start (e.g. the port is in use) or could not move.
    Error {
        /// Why, in words for the user.
        message: String,
    },
}

impl GatewayStatus {
    /// Derives the status from the listener and the account.
    ///
    /// A configured account whose token is merely missing or expired counts as signed in: the
    /// core signs in again lazily on the next request. Only a rejection of the credentials
    /// themselves needs the user.
    pub fn derive(listener: &ListenerState, has_credentials: bool, token: &TokenState) -> Self {
        match listener {
            ListenerState::Stopped => Self::Stopped,
            ListenerState::Failed { message } => Self::Error {
                message: message.clone(),
            },
            ListenerState::Listening { .. } => {
                if has_credentials && !matches!(token, TokenState::InvalidCredentials { .. }) {
                    Self::Running
                } else {
                    Self::NeedsLogin
                }
            }
        }
    }

    /// Which of the four tray icons stands for this status.
    pub fn kind(&self) -> StatusKind {
        match self {
            Self::Running => StatusKind::Running,
            Self::NeedsLogin => StatusKind::NeedsLogin,
            Self::Stopped => StatusKind::Stopped,
            Self::Error { .. } => StatusKind::Error,
        }
    }

    /// A short human description, used in the tray tooltip.
    pub fn describe(&self) -> String {
        match self {
            Self::Running => String::from("running"),
            Self::NeedsLogin => String::from("sign-in needed"),
            Self::Stopped => String::from("stopped"),
            Self::Error { message } => format!("error: {message}"),
        }
    }
}

/// The status without its details: what picks the tray icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// See [`GatewayStatus::Running`].
    Running,
    /// See [`GatewayStatus::NeedsLogin`].
    NeedsLogin,
    /// See [`GatewayStatus::Stopped`].
    Stopped,
    /// See [`GatewayStatus::Error`].
    Error,
}

#[cfg(test)]
mod tests {
    use taiji_core::upstream::ErrorClass;

    use super::*;

    fn listening() -> ListenerState {
        ListenerState::Listening {
            url: String::from("http://127.0.0.1:8760"),
        }
    }

    fn logged_in() -> TokenState {
        TokenState::LoggedIn {
            user_id: Some(7),
            expires_at: None,
        }
    }

    #[test]
    fn listening_with_credentials_is_running_even_before_the_first_login() {
        assert_eq!(
            GatewayStatus::derive(&listening(), true, &logged_in()),
            GatewayStatus::Running
        );
        assert_eq!(
            GatewayStatus::derive(&listening(), true, &TokenState::NeedsLogin),
            GatewayStatus::Running
        );
        let network_trouble = TokenState::LoginFailed {
            class: ErrorClass::Transport,
            message: String::from("connection refused"),
        };
        assert_eq!(
            GatewayStatus::derive(&listening(), true, &network_trouble),
            GatewayStatus::Running
        );
    }

    #[test]
    fn listening_without_usable_credentials_needs_login() {
        assert_eq!(
            GatewayStatus::derive(&listening(), false, &TokenState::NeedsLogin),
            GatewayStatus::NeedsLogin
        );
        let rejected = TokenState::InvalidCredentials {
            message: String::from("wrong password"),
        };
        assert_eq!(
            GatewayStatus::derive(&listening(), true, &rejected),
            GatewayStatus::NeedsLogin
        );
    }

    #[test]
    fn a_listener_that_is_not_up_wins_over_the_account() {
        assert_eq!(
            GatewayStatus::derive(&ListenerState::Stopped, true, &logged_in()),
            GatewayStatus::Stopped
        );
        let failed = ListenerState::Failed {
            message: String::from("port 8760 is in use on 127.0.0.1"),
        };
        assert_eq!(
            GatewayStatus::derive(&failed, false, &TokenState::NeedsLogin),
            GatewayStatus::Error {
                message: String::from("port 8760 is in use on 127.0.0.1")
            }
        );
    }

    #[test]
    fn serialises_with_a_state_tag_the_ui_switches_on() {
        let json = |status: &GatewayStatus| serde_json::to_value(status).expect("serialises");
        assert_eq!(
            json(&GatewayStatus::Running),
            serde_json::json!({ "state": "running" })
        );
        assert_eq!(
            json(&GatewayStatus::NeedsLogin),
            serde_json::json!({ "state": "needs_login" })
        );
        assert_eq!(
            json(&GatewayStatus::Stopped),
            serde_json::json!({ "state": "stopped" })
        );
        assert_eq!(
            json(&GatewayStatus::Error {
                message: String::from("boom")
            }),
            serde_json::json!({ "state": "error", "message": "boom" })
        );
    }

    #[test]
    fn describe_includes_the_error_message() {
        let status = GatewayStatus::Error {
            message: String::from("port 8760 is in use"),
        };
        assert_eq!(status.describe(), "error: port 8760 is in use");
        assert_eq!(GatewayStatus::NeedsLogin.describe(), "sign-in needed");
    }
}
