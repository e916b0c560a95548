//! [`CommandError`]: what every command fails with. It reaches the UI as `{kind, message}`: the
//! kind lets the UI choose how to show it (an inline "wrong password" vs a network hint), the
//! message is a sentence for the user. Messages come from the core's own errors, which never carry
//! a password, token or API key.

use serde::Serialize;
use taiji_core::api_keys::ApiKeyError;
use taiji_core::gateway::GatewayError;
use taiji_core::request_log::RequestLogError;
use taiji_core::runtime::{ChatError, CoreError};
use taiji_core::settings::SettingsError;
use taiji_core::upstream::{ErrorClass, UpstreamError};

/// Why a command failed, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[error("{message}")]
pub struct CommandError {
    /// What kind of failure, for the UI to branch on.
    pub kind: ErrorKind,
    /// A sentence for the user.
    pub message: String,
}

/// The kinds of [`CommandError`] (serialised in snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The account must sign in first.
    NotSignedIn,
    /// The site rejected the account or password.
    InvalidCredentials,
    /// The site could not be reached.
    Network,
    /// The site answered with an error.
    Upstream,
    /// The input was refused (an empty name, a duplicate key name, a setting out of range, keys
    /// turned off while reachable from the LAN, ...).
    Invalid,
    /// The named thing (API key, model) does not exist.
    NotFound,
    /// The gateway could not listen (port in use, address not on this machine).
    Gateway,
    /// The settings, credentials or request log could not be read or written.
    Storage,
    /// The feature is not available on this system (e.g. starting at login).
    Unsupported,
    /// A bug.
    Internal,
    /// The built-in chat: the account's points are used up.
    Quota,
    /// The built-in chat: the site's login expired and signing in again failed.
    LoginExpired,
    /// The built-in chat: images for a model without image input.
    ModelRefusedImages,
    /// The built-in chat: more images than one message may carry.
    TooManyImages,
    /// The built-in chat: an image over the size limit.
    ImageTooLarge,
    /// The built-in chat: no conversation has that id.
    ConversationNotFound,
    /// The built-in chat: the conversation already has an answer streaming.
    Busy,
}

impl CommandError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// A background task failed (panicked or was cancelled).
    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::Internal, error.to_string())
    }
}

impl From<CoreError> for CommandError {
    fn from(error: CoreError) -> Self {
        let kind = match &error {
            CoreError::NotSignedIn => ErrorKind::NotSignedIn,
            CoreError::MissingCredentials | CoreError::Prompt(_) => ErrorKind::Invalid,
            CoreError::Invalid(_) | CoreError::Settings(_) => ErrorKind::Invalid,
            CoreError::SettingsStore(error) => return Self::from_settings(error),
            CoreError::Credentials(_) | CoreError::RequestLog(_) | CoreError::Conversations(_) => {
                ErrorKind::Storage
            }
            CoreError::Upstream(error) => upstream_kind(error),
            CoreError::Resolve(_) => ErrorKind::NotFound,
            CoreError::Internal(_) => ErrorKind::Internal,
        };
        Self::new(kind, error.to_string())
    }
}

impl From<ChatError> for CommandError {
    fn from(error: ChatError) -> Self {
        let kind = match error.kind() {
            "conversation_not_found" => ErrorKind::ConversationNotFound,
            "not_found" => ErrorKind::NotFound,
            "storage" => ErrorKind::Storage,
            "model_refused_images" => ErrorKind::ModelRefusedImages,
            "too_many_images" => ErrorKind::TooManyImages,
            "image_too_large" => ErrorKind::ImageTooLarge,
            "not_signed_in" => ErrorKind::NotSignedIn,
            "busy" => ErrorKind::Busy,
            "quota" => ErrorKind::Quota,
            "login_expired" => ErrorKind::LoginExpired,
            "network" => ErrorKind::Network,
            "upstream" => ErrorKind::Upstream,
            "invalid" => ErrorKind::Invalid,
            _ => ErrorKind::Internal,
        };
        Self::new(kind, error.to_string())
    }
}

impl From<SettingsError> for CommandError {
    fn from(error: SettingsError) -> Self {
        Self::from_settings(&error)
    }
}

impl CommandError {
    fn from_settings(error: &SettingsError) -> Self {
        let kind = match error {
            SettingsError::Invalid(_) => ErrorKind::Invalid,
            SettingsError::ApiKey(ApiKeyError::NotFound(_)) => ErrorKind::NotFound,
            SettingsError::ApiKey(_) => ErrorKind::Invalid,
            SettingsError::Io { .. } | SettingsError::Serialize(_) => ErrorKind::Storage,
        };
        Self::new(kind, error.to_string())
    }
}

impl From<GatewayError> for CommandError {
    fn from(error: GatewayError) -> Self {
        Self::new(ErrorKind::Gateway, error.to_string())
    }
}

impl From<RequestLogError> for CommandError {
    fn from(error: RequestLogError) -> Self {
        Self::new(ErrorKind::Storage, error.to_string())
    }
}

fn upstream_kind(error: &UpstreamError) -> ErrorKind {
    match error.class() {
        ErrorClass::InvalidCredentials => ErrorKind::InvalidCredentials,
        ErrorClass::Transport => ErrorKind::Network,
        ErrorClass::LoginExpired
        | ErrorClass::QuotaExhausted
        | ErrorClass::InputTooLong
        | ErrorClass::UnknownSession
        | ErrorClass::RateLimited
        | ErrorClass::Upstream
        | ErrorClass::Malformed => ErrorKind::Upstream,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_kind_and_message() {
        let error = CommandError::new(ErrorKind::InvalidCredentials, "the upstream rejected the login");
        assert_eq!(
            serde_json::to_value(&error).expect("serialises"),
            serde_json::json!({
                "kind": "invalid_credentials",
                "message": "the upstream rejected the login"
            })
        );
        assert_eq!(error.to_string(), "the upstream rejected the login");
    }

    #[test]
    fn core_errors_map_to_the_kinds_the_ui_branches_on() {
        let rejected = CoreError::Upstream(UpstreamError::InvalidCredentials {
            msg: String::from("账号或密码错误"),
        });
        let error = CommandError::from(rejected);
        assert_eq!(error.kind, ErrorKind::InvalidCredentials);
        assert!(error.message.contains("账号或密码错误"), "{}", error.message);

        assert_eq!(
            CommandError::from(CoreError::NotSignedIn).kind,
            ErrorKind::NotSignedIn
        );
        assert_eq!(
            CommandError::from(CoreError::MissingCredentials).kind,
            ErrorKind::Invalid
        );
        let unknown_key = SettingsError::ApiKey(ApiKeyError::NotFound(String::from("cherry")));
        assert_eq!(CommandError::from(unknown_key).kind, ErrorKind::NotFound);
        let duplicate = CoreError::SettingsStore(SettingsError::ApiKey(ApiKeyError::DuplicateName(
            String::from("cherry"),
        )));
        assert_eq!(CommandError::from(duplicate).kind, ErrorKind::Invalid);
    }

    #[test]
    fn a_busy_port_is_a_gateway_error_naming_the_port() {
        let error = CommandError::from(GatewayError::AddrInUse {
            addr: "127.0.0.1:8760".parse().expect("address"),
            suggestion: None,
        });
        assert_eq!(error.kind, ErrorKind::Gateway);
        assert!(error.message.contains("8760"), "{}", error.message);
    }
}
