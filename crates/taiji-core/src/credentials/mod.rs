//! The user's Taiji account, password and current token, kept out of the settings file, the logs
//! and the request log.
//!
//! [`CredentialStore`] keeps them in the OS keychain (macOS Keychain, Windows Credential Manager,
//! the Secret Service on Linux desktops) where one answers, and otherwise in `credentials.json` in
//! the data directory, created readable only by the user (0600 from the first byte). Which one is
//! used is decided once, at open, by a short probe with a time limit (a missing or locked Secret
//! Service must not hang startup); [`CredentialStore::backend`] says which so the UI and CLI can
//! tell the user plainly. Tests force the file backend so they never touch a real keychain.
//!
//! All calls do blocking I/O (D-Bus, Keychain, files); async callers use `spawn_blocking`. The
//! store is cheap to clone for that purpose.

mod file;
mod keychain;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::secret::Secret;
pub use file::CREDENTIALS_FILE_NAME;

/// A login: the account name, its password and, once logged in, the session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The account name (phone number, e-mail or user name). Not a secret; shown in the UI.
    pub account: String,
    /// The password. Redacted in `Debug`.
    pub password: Secret,
    /// The current JWT, if logged in. Redacted in `Debug`.
    #[serde(default)]
    pub token: Option<Secret>,
}

/// Where credentials are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialBackend {
    /// The operating system's keychain.
    Keychain,
    /// A file readable only by the user.
    File {
        /// The file's path.
        path: PathBuf,
    },
}

impl fmt::Display for CredentialBackend {
    /// A sentence fragment for the UI and CLI, e.g. "stored in the system keychain".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Keychain => f.write_str("stored in the system keychain"),
            Self::File { path } => write!(f, "stored in a file readable only by you: {}", path.display()),
        }
    }
}

/// Which backend to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// The keychain if the probe finds one that answers in time, otherwise the file.
    #[default]
    Auto,
    /// The keychain, without probing (fails later if there is none).
    Keychain,
    /// The file, never touching the keychain (headless servers, tests).
    File,
}

/// Why a credential operation failed. Never contains a password or token.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The keychain refused or failed.
    #[error("the system keychain failed: {0}")]
    Keychain(String),
    /// The credentials file or the data directory could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Stored credentials could not be understood (their content is deliberately not shown).
    #[error("the stored credentials in {0} are unreadable; log in again")]
    Corrupt(String),
}

/// How long the keychain probe may take before the file backend is used instead.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The credential store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    backend: CredentialBackend,
    file: file::CredentialFile,
}

impl CredentialStore {
    /// Opens the store for `data_dir`, choosing the backend as `choice` says. Blocking: the `Auto`
    /// probe may take up to a few seconds when a Secret Service is slow to answer.
    pub fn open(data_dir: &Path, choice: BackendChoice) -> Result<Self, CredentialError> {
        crate::fs::create_private_dir(data_dir).map_err(|source| CredentialError::Io {
            action: "create",
            path: data_dir.to_path_buf(),
            source,
        })?;
        let file = file::CredentialFile::new(data_dir);
        let use_keychain = match choice {
            BackendChoice::File => false,
            BackendChoice::Keychain => true,
            BackendChoice::Auto => keychain::probe(PROBE_TIMEOUT),
        };
        let backend = if use_keychain {
            CredentialBackend::Keychain
        } else {
            CredentialBackend::File {
                path: file.path().to_path_buf(),
            }
        };
        tracing::info!(backend = %backend, "credential store opened");
        Ok(Self {
            inner: Arc::new(Inner { backend, file }),
        })
    }

    /// Where credentials are kept.
    pub fn backend(&self) -> &CredentialBackend {
        &self.inner.backend
    }

    /// The stored credentials, if any. With the keychain backend, credentials left in the file by
    /// an earlier headless run are moved into the keychain.
    pub fn load(&self) -> Result<Option<Credentials>, CredentialError> {
        match &self.inner.backend {
            CredentialBackend::File { .. } => self.inner.file.load(),
            CredentialBackend::Keychain => {
                if let Some(credentials) = keychain::load()? {
                    return Ok(Some(credentials));
                }
                let Some(credentials) = self.inner.file.load()? else {
                    return Ok(None);
                };
                keychain::save(&credentials)?;
                self.inner.file.remove()?;
                tracing::info!("moved stored credentials from the file into the system keychain");
                Ok(Some(credentials))
            }
        }
    }

    /// Stores `credentials`, replacing what was there.
    pub fn save(&self, credentials: &Credentials) -> Result<(), CredentialError> {
        match &self.inner.backend {
            CredentialBackend::File { .. } => self.inner.file.save(credentials),
            CredentialBackend::Keychain => keychain::save(credentials),
        }
    }

    /// Replaces only the token (after a login or re-login); does nothing when nothing is stored.
    pub fn save_token(&self, token: Option<Secret>) -> Result<(), CredentialError> {
        match self.load()? {
            Some(mut credentials) => {
                credentials.token = token;
                self.save(&credentials)
            }
            None => Ok(()),
        }
    }

    /// Logout: wipes the credentials from the file and, with the keychain backend, from the
    /// keychain too. Succeeds when nothing was stored.
    pub fn clear(&self) -> Result<(), CredentialError> {
        if self.inner.backend == CredentialBackend::Keychain {
            keychain::clear()?;
        }
        self.inner.file.remove()
    }
}
