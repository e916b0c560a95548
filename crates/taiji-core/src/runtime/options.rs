//! What [`super::Core::open`] takes ([`CoreOptions`], [`SettingsOverrides`]) and what the core's
//! own operations can fail with ([`CoreError`]).

use std::path::PathBuf;

use time::OffsetDateTime;

use crate::api_keys::{ApiKey, ApiKeys};
use crate::conversations::ConversationError;
use crate::credentials::{BackendChoice, CredentialError};
use crate::model_resolver::ResolveError;
use crate::prompt::PromptError;
use crate::request_log::RequestLogError;
use crate::secret::Secret;
use crate::settings::{Settings, SettingsError, ValidationError};
use crate::upstream::UpstreamError;

/// How to open the core.
#[derive(Debug, Clone)]
pub struct CoreOptions {
    /// Where settings, the request log and (without a keychain) credentials live.
    pub data_dir: PathBuf,
    /// Keychain, private file, or automatic choice.
    pub credential_backend: BackendChoice,
    /// This run's overrides of the stored settings.
    pub overrides: SettingsOverrides,
    /// Whether this core runs the demo (the built-in simulator and its demo account): reported
    /// by `/health`, the status and the model list, so it is never mistaken for a real account.
    pub demo: bool,
}

impl CoreOptions {
    /// Options for `data_dir` with automatic credential storage and no overrides.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            credential_backend: BackendChoice::Auto,
            overrides: SettingsOverrides::default(),
            demo: false,
        }
    }
}

/// Settings given for this run only (command-line flags, environment variables). They are
/// applied on top of every stored snapshot and never written to the settings file.
#[derive(Debug, Clone, Default)]
pub struct SettingsOverrides {
    /// The Taiji site origin. Pins it: discovery is off for this run.
    pub upstream_base_url: Option<String>,
    /// The upstream proxy (`system`, `off` or a proxy URL).
    pub upstream_proxy: Option<String>,
    /// The `x-app-version` to send.
    pub app_version: Option<String>,
    /// The listen address.
    pub listen_host: Option<String>,
    /// The listen port (0 = any free port).
    pub listen_port: Option<u16>,
    /// The concurrency limit.
    pub max_concurrent: Option<u32>,
    /// API keys that replace the stored ones for this run, named `cli-1`, `cli-2`, ...
    pub api_keys: Option<Vec<Secret>>,
    /// Whether keys are required.
    pub api_keys_required: Option<bool>,
    /// Whether binding to a non-loopback address is allowed.
    pub lan_mode: Option<bool>,
    /// Whether `/metrics` answers.
    pub metrics_enabled: Option<bool>,
}

impl SettingsOverrides {
    /// `settings` with these overrides applied.
    pub fn apply(&self, mut settings: Settings) -> Settings {
        if let Some(url) = &self.upstream_base_url {
            settings.upstream.base_url = url.clone();
            // An origin given for this run is where the user wants to go, not a starting point.
            settings.upstream.discovery = false;
        }
        if let Some(proxy) = &self.upstream_proxy {
            settings.upstream.proxy = proxy.clone();
        }
        if let Some(version) = &self.app_version {
            settings.upstream.app_version = version.clone();
        }
        if let Some(host) = &self.listen_host {
            settings.listen.host = host.clone();
        }
        if let Some(port) = self.listen_port {
            settings.listen.port = port;
        }
        if let Some(limit) = self.max_concurrent {
            settings.max_concurrent = limit;
        }
        if let Some(keys) = &self.api_keys {
            let keys = keys
                .iter()
                .enumerate()
                .map(|(index, secret)| ApiKey {
                    name: format!("cli-{}", index + 1),
                    secret: secret.clone(),
                    created_at: OffsetDateTime::now_utc(),
                })
                .collect();
            settings.access.api_keys = ApiKeys::from_keys(keys);
        }
        if let Some(required) = self.api_keys_required {
            settings.access.api_keys_required = required;
        }
        if let Some(lan) = self.lan_mode {
            settings.access.lan_mode = lan;
        }
        if let Some(enabled) = self.metrics_enabled {
            settings.metrics.enabled = enabled;
        }
        settings
    }
}

/// Why a core operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// No account is configured yet.
    #[error("not signed in: sign in to your Taiji account first (taiji-gateway login, or the app's window)")]
    NotSignedIn,
    /// An empty account or password was given.
    #[error("an account and a password are required")]
    MissingCredentials,
    /// The settings (stored plus overrides) are invalid.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A setting could not be applied.
    #[error("invalid settings: {0}")]
    Settings(String),
    /// Reading or writing the settings failed.
    #[error(transparent)]
    SettingsStore(#[from] SettingsError),
    /// The credential store failed.
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    /// The request log failed.
    #[error(transparent)]
    RequestLog(#[from] RequestLogError),
    /// The built-in chat's conversation store failed.
    #[error(transparent)]
    Conversations(#[from] ConversationError),
    /// The upstream failed or refused.
    #[error(transparent)]
    Upstream(UpstreamError),
    /// The requested model is not in the catalog.
    #[error(transparent)]
    Resolve(ResolveError),
    /// The conversation cannot be sent (images, limits).
    #[error(transparent)]
    Prompt(PromptError),
    /// A bug (a background task failed).
    #[error("internal error: {0}")]
    Internal(String),
}
