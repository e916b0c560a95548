//! `status`: who is signed in, whether the login works, where the data lives, and a summary of the
//! settings. With credentials (stored, or in `TAIJI_ACCOUNT`/`TAIJI_PASSWORD`) it signs in once so
//! the login state is current; a failure is shown in the report rather than as an error, because
//! reporting it is the command's job.

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use taiji_core::account::TokenState;
use taiji_core::runtime::{Core, SettingsOverrides};
use taiji_core::settings::Settings;
use taiji_core::upstream::SiteStatus;
use time::format_description::well_known::Rfc3339;

use super::{out, with_core};
use crate::cli::{GlobalArgs, StatusArgs};
use crate::error::{CliError, one_line};
use crate::open::{data_dir, open_core, sign_in};

/// How long the login check may take before the state is reported as it is.
const LOGIN_CHECK_TIMEOUT: Duration = Duration::from_secs(20);

/// `taiji-gateway status`.
pub async fn run(global: &GlobalArgs, args: &StatusArgs) -> Result<(), CliError> {
    let data_dir = data_dir(global)?;
    let core = open_core(global, SettingsOverrides::default()).await?;
    with_core(core, async |core| {
        // A failed check is part of the report, not an error of the command.
        let login_error = match tokio::time::timeout(LOGIN_CHECK_TIMEOUT, sign_in(core)).await {
            Ok(Ok(())) | Ok(Err(CliError::NotSignedIn)) => None,
            Ok(Err(error)) => Some(error.to_string()),
            Err(_) => Some(format!(
                "the Taiji site did not answer within {} s",
                LOGIN_CHECK_TIMEOUT.as_secs()
            )),
        };
        let connection = match tokio::time::timeout(LOGIN_CHECK_TIMEOUT, core.check_connection()).await {
            Ok(Ok(origin)) => Ok(origin),
            Ok(Err(error)) => Err(one_line(&error.to_string())),
            Err(_) => Err(format!("no answer within {} s", LOGIN_CHECK_TIMEOUT.as_secs())),
        };
        let status = core.status();
        let settings = core.settings();
        let settings_file = core.settings_store().path().to_path_buf();
        if args.json {
            let document = json!({
                "account": status.account,
                "login": status.login,
                "login_error": login_error,
                "data_dir": data_dir,
                "settings_file": settings_file,
                "credential_store": core.credential_backend().to_string(),
                "settings": settings_summary_json(&settings),
                "site": status.site,
                "connection": match &connection {
                    Ok(origin) => json!({"ok": true, "origin": origin}),
                    Err(error) => json!({"ok": false, "error": error}),
                },
            });
            let text = serde_json::to_string_pretty(&document)
                .map_err(|e| CliError::Other(format!("internal error: {e}")))?;
            out(&format!("{text}\n"))
        } else {
            out(&text_report(
                core,
                &status.login,
                &status.site,
                &connection,
                &data_dir,
                &settings_file,
                &settings,
            ))
        }
    })
    .await
}

fn text_report(
    core: &Core,
    login: &TokenState,
    site: &SiteStatus,
    connection: &Result<String, String>,
    data_dir: &Path,
    settings_file: &Path,
    settings: &Settings,
) -> String {
    let account = core
        .signed_in_as()
        .borrow()
        .clone()
        .unwrap_or_else(|| "nobody (run `taiji-gateway login`)".to_owned());
    let keys = &settings.access.api_keys;
    let key_names: Vec<&str> = keys.iter().map(|key| key.name.as_str()).collect();
    let keys_line = if settings.access.api_keys_required {
        format!("required; {} key(s): {}", keys.len(), key_names.join(", "))
    } else {
        "not required (loopback only)".to_owned()
    };
    [
        format!("signed in as:     {account}"),
        format!("login:            {}", login_text(login)),
        format!("data directory:   {}", data_dir.display()),
        format!("settings file:    {}", settings_file.display()),
        format!("credentials:      {}", core.credential_backend()),
        format!(
            "taiji site:       {} (app version {})",
            site.base_url, site.app_version
        ),
        format!(
            "discovery:        {}",
            if site.discovery {
                format!("on, from {}", settings.upstream.entry_url)
            } else {
                "off (the address is pinned)".to_owned()
            }
        ),
        format!("upstream proxy:   {}", site.proxy),
        format!(
            "connection:       {}",
            match connection {
                Ok(origin) => format!("ok ({origin} answers)"),
                Err(error) => format!("failed: {error}"),
            }
        ),
        format!(
            "listen:           {}:{}",
            settings.listen.host, settings.listen.port
        ),
        format!("api keys:         {keys_line}"),
        format!("lan mode:         {}", on_off(settings.access.lan_mode)),
        format!("max concurrent:   {}", settings.max_concurrent),
        format!(
            "pacing:           {}",
            if settings.pacing.enabled {
                format!(
                    "{} requests/minute, burst {}",
                    settings.pacing.requests_per_minute, settings.pacing.burst
                )
            } else {
                "off".to_owned()
            }
        ),
        format!("model aliases:    {}", settings.model_aliases.len()),
    ]
    .into_iter()
    .chain(
        site.last_event
            .as_ref()
            .map(|event| format!("site change:      {}", one_line(&event.message))),
    )
    .collect::<Vec<_>>()
    .iter()
    .map(|line| format!("{line}\n"))
    .collect()
}

fn login_text(state: &TokenState) -> String {
    match state {
        TokenState::NeedsLogin => "not logged in yet".to_owned(),
        TokenState::LoggingIn => "logging in".to_owned(),
        TokenState::LoggedIn { expires_at, .. } => match expires_at {
            Some(at) => match at.format(&Rfc3339) {
                Ok(at) => format!("logged in (token valid until {at})"),
                Err(_) => "logged in".to_owned(),
            },
            None => "logged in".to_owned(),
        },
        TokenState::InvalidCredentials { message } => {
            format!(
                "the site rejected the account or password ({})",
                one_line(message)
            )
        }
        TokenState::LoginFailed { class, message } => {
            format!("login failed ({class}): {}", one_line(message))
        }
    }
}

fn on_off(flag: bool) -> &'static str {
    if flag { "on" } else { "off" }
}

/// The settings without secrets: key names, never keys.
fn settings_summary_json(settings: &Settings) -> serde_json::Value {
    json!({
        "upstream": {
            "base_url": settings.upstream.base_url,
            "app_version": settings.upstream.app_version,
            "discovery": settings.upstream.discovery,
            "entry_url": settings.upstream.entry_url,
            "proxy": taiji_core::upstream::proxy::redact_text(&settings.upstream.proxy),
        },
        "listen": { "host": settings.listen.host, "port": settings.listen.port },
        "api_keys_required": settings.access.api_keys_required,
        "api_key_names": settings.access.api_keys.iter().map(|k| k.name.clone()).collect::<Vec<_>>(),
        "lan_mode": settings.access.lan_mode,
        "max_concurrent": settings.max_concurrent,
        "pacing": {
            "enabled": settings.pacing.enabled,
            "requests_per_minute": settings.pacing.requests_per_minute,
            "burst": settings.pacing.burst,
        },
        "model_aliases": settings.model_aliases,
    })
}
