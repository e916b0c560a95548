//! The keychain backend, through the `keyring` crate: one entry (service `taiji-gateway`, user
//! `credentials`) holding the credentials as JSON, so account, password and token change together.
//!
//! [`probe`] decides at runtime whether a keychain is usable. On Linux the Secret Service lives on
//! the D-Bus session bus, which headless machines often lack, and a present but locked or stalled
//! service can block a call for a long time; so the probe first checks that a session bus exists
//! at all, then asks for a non-existent entry on a helper thread and gives up after a time limit.
//! A probe thread that is still stuck is left behind (it holds nothing) rather than blocking
//! startup.

use std::sync::mpsc;
use std::time::Duration;

use super::{CredentialError, Credentials};

const SERVICE: &str = "taiji-gateway";
const USER: &str = "credentials";
/// The probe looks this entry up; it is never written, so the lookup is harmless everywhere.
const PROBE_USER: &str = "availability-probe";

/// Whether the platform keychain answers within `timeout`.
pub(super) fn probe(timeout: Duration) -> bool {
    if !platform_has_keychain() {
        tracing::info!("no system keychain on this platform or session; using the file backend");
        return false;
    }
    let (report, outcome) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keychain-probe".to_owned())
        .spawn(move || {
            let result = keyring::Entry::new(SERVICE, PROBE_USER).and_then(|entry| entry.get_password());
            let usable = matches!(result, Ok(_) | Err(keyring::Error::NoEntry));
            if let Err(error) = &result
                && !usable
            {
                tracing::info!(error = %describe(error), "the system keychain is not usable");
            }
            // The receiver may have given up already.
            let _ = report.send(usable);
        });
    if spawned.is_err() {
        return false;
    }
    outcome.recv_timeout(timeout).unwrap_or_else(|_| {
        tracing::warn!(
            timeout_secs = timeout.as_secs(),
            "the system keychain did not answer in time; using the file backend"
        );
        false
    })
}

/// Which platforms have a keychain this build can use. On Linux and the BSDs that needs a D-Bus
/// session bus; `keyring` would otherwise try to autolaunch one.
fn platform_has_keychain() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) {
        let explicit = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
        let standard = std::env::var_os("XDG_RUNTIME_DIR")
            .map(|dir| std::path::Path::new(&dir).join("bus").exists())
            .unwrap_or(false);
        return explicit || standard;
    }
    // Elsewhere `keyring` falls back to an in-memory mock that would silently forget everything.
    false
}

fn entry() -> Result<keyring::Entry, CredentialError> {
    keyring::Entry::new(SERVICE, USER).map_err(|error| CredentialError::Keychain(describe(&error)))
}

pub(super) fn load() -> Result<Option<Credentials>, CredentialError> {
    match entry()?.get_password() {
        Ok(json) => serde_json::from_str(&json)
            .map(Some)
            .map_err(|_| CredentialError::Corrupt("the system keychain".to_owned())),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(error) => Err(CredentialError::Keychain(describe(&error))),
    }
}

pub(super) fn save(credentials: &Credentials) -> Result<(), CredentialError> {
    let json = serde_json::to_string(credentials)
        .map_err(|_| CredentialError::Corrupt("the system keychain".to_owned()))?;
    entry()?
        .set_password(&json)
        .map_err(|error| CredentialError::Keychain(describe(&error)))
}

pub(super) fn clear() -> Result<(), CredentialError> {
    match entry()?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(error) => Err(CredentialError::Keychain(describe(&error))),
    }
}

/// A description of a keychain error that can never include stored bytes (`BadEncoding` carries
/// them, and `Ambiguous` carries whole credentials).
fn describe(error: &keyring::Error) -> String {
    match error {
        keyring::Error::PlatformFailure(inner) => format!("platform failure: {inner}"),
        keyring::Error::NoStorageAccess(inner) => {
            format!("access denied or keychain locked: {inner}")
        }
        keyring::Error::NoEntry => "no entry".to_owned(),
        keyring::Error::BadEncoding(_) => "the stored value is not UTF-8".to_owned(),
        keyring::Error::TooLong(attribute, limit) => {
            format!("{attribute} is longer than the keychain's limit of {limit}")
        }
        keyring::Error::Invalid(attribute, reason) => format!("{attribute} is invalid: {reason}"),
        keyring::Error::Ambiguous(_) => "more than one matching entry exists".to_owned(),
        _ => "unknown keychain error".to_owned(),
    }
}
