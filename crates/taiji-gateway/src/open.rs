//! Opening the client core from the command line's global options, and signing in when the
//! environment carries credentials. Every subcommand starts here.

use std::path::PathBuf;

use taiji_core::runtime::{Core, CoreOptions, SettingsOverrides};

use crate::cli::GlobalArgs;
use crate::error::CliError;

/// The environment variables `serve` (and the other commands) sign in with.
pub const ACCOUNT_ENV: &str = "TAIJI_ACCOUNT";
/// See [`ACCOUNT_ENV`].
pub const PASSWORD_ENV: &str = "TAIJI_PASSWORD";

/// The data directory: `--data-dir` / `TAIJI_DATA_DIR`, else the platform default.
pub fn data_dir(global: &GlobalArgs) -> Result<PathBuf, CliError> {
    match &global.data_dir {
        Some(dir) => Ok(dir.clone()),
        None => taiji_core::settings::default_data_dir().ok_or(CliError::NoDataDir),
    }
}

/// Opens the core with the global options and `overrides` (the caller's own flags) applied.
pub async fn open_core(global: &GlobalArgs, mut overrides: SettingsOverrides) -> Result<Core, CliError> {
    overrides.upstream_base_url = non_empty(global.api_base.clone());
    overrides.app_version = non_empty(global.app_version.clone());
    overrides.upstream_proxy = non_empty(global.upstream_proxy.clone());
    let options = CoreOptions {
        data_dir: data_dir(global)?,
        credential_backend: global.credential_store.into(),
        overrides,
        demo: false,
    };
    let upstream = options.overrides.upstream_base_url.clone().unwrap_or_default();
    let core = Core::open(options)
        .await
        .map_err(|error| CliError::from_core(error, &upstream))?;
    if let Some(moved) = core.settings_store().moved_aside() {
        eprintln!(
            "warning: the settings file was unreadable and was moved to {}; using defaults",
            moved.display()
        );
    }
    Ok(core)
}

/// Credentials from `TAIJI_ACCOUNT` / `TAIJI_PASSWORD`, when both are set and non-empty.
pub fn env_credentials() -> Option<(String, String)> {
    let account = non_empty(std::env::var(ACCOUNT_ENV).ok())?;
    let password = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty())?;
    Some((account.trim().to_owned(), password))
}

/// Makes sure the core can talk to the site as some account: signs in with the environment's
/// credentials when given (for this run only; they are not stored), otherwise checks the stored
/// ones by logging in now, so a wrong password or an unreachable site is reported at once rather
/// than on the first request.
pub async fn sign_in(core: &Core) -> Result<(), CliError> {
    let upstream = core.settings().upstream.base_url;
    if let Some((account, password)) = env_credentials() {
        return core
            .sign_in(&account, &password, false)
            .await
            .map_err(|error| CliError::from_core(error, &upstream));
    }
    if !core.has_credentials() {
        return Err(CliError::NotSignedIn);
    }
    core.account()
        .ensure_logged_in()
        .await
        .map_err(|error| CliError::from_upstream(&error, &upstream))
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}
