//! App-level commands: the product name and version, and the one status snapshot the UI renders
//! before the first events arrive.

use serde::Serialize;
use taiji_core::account::TokenState;
use taiji_core::credentials::CredentialBackend;
use taiji_core::dispatch::AdmissionGauges;
use taiji_core::runtime::SignInState;
use taiji_core::upstream::SiteStatus;
use tauri::{AppHandle, Runtime, State};

use crate::state::AppState;
use crate::status::GatewayStatus;

/// What the UI shows in its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

/// Everything the status view shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatusView {
    /// Running, needs login, stopped, or error with its message.
    pub gateway: GatewayStatus,
    /// The base URL clients use while listening, e.g. `http://127.0.0.1:8760`.
    pub url: Option<String>,
    /// The configured account name (not a secret).
    pub account: Option<String>,
    /// The account's login state.
    pub login: TokenState,
    /// Where the background sign-in stands ("signing in", "site unreachable since …").
    pub sign_in: SignInState,
    /// Requests in flight and queued, and the limit.
    pub gauges: AdmissionGauges,
    /// Where the password and token are kept.
    pub credentials: CredentialsView,
    /// The data directory (settings, request log).
    pub data_dir: String,
    /// Whether demo mode is on; `account`, `login` and `sign_in` are then the demo's.
    pub demo: bool,
    /// The Taiji site in use (it may have moved), its version, the redacted proxy, the latest change.
    pub site: SiteStatus,
}

/// Where credentials are kept, as data the UI words in its own language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CredentialsView {
    /// `keychain` or `file`.
    #[cfg_attr(test, ts(type = "'keychain' | 'file'"))]
    pub backend: &'static str,
    /// The file's path for the `file` backend, e.g. `/home/me/.local/share/…/credentials.json`.
    pub path: Option<String>,
}

impl From<&CredentialBackend> for CredentialsView {
    fn from(backend: &CredentialBackend) -> Self {
        match backend {
            CredentialBackend::Keychain => Self {
                backend: "keychain",
                path: None,
            },
            CredentialBackend::File { path } => Self {
                backend: "file",
                path: Some(path.display().to_string()),
            },
        }
    }
}

impl StatusView {
    /// A snapshot of `state` now.
    pub fn collect(state: &AppState) -> Self {
        let core = state.active_core().status();
        Self {
            gateway: state.gateway_status(),
            url: state.listener().url().map(str::to_owned),
            account: core.account,
            login: core.login,
            sign_in: core.sign_in,
            gauges: core.requests,
            credentials: CredentialsView::from(state.core.credential_backend()),
            data_dir: state.data_dir().display().to_string(),
            demo: state.is_demo(),
            site: core.site,
        }
    }
}

/// The product name and version, from `tauri.conf.json` and the crate version.
#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> AppInfo {
    let package = app.package_info();
    AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
    }
}

/// The current status: gateway, account, gauges, credential storage, data directory.
#[tauri::command]
pub fn status(state: State<'_, AppState>) -> StatusView {
    StatusView::collect(&state)
}
