//! The file backend: `credentials.json` in the data directory, for machines without a keychain.
//! It is written atomically through a temporary file that `tempfile` creates with mode 0600, so
//! the secret is never readable by others, not even between creation and a `chmod`. On Windows
//! the file inherits the ACL of the user's profile directory.

use std::path::{Path, PathBuf};

use super::{CredentialError, Credentials};

/// The credentials file's name inside the data directory.
pub const CREDENTIALS_FILE_NAME: &str = "credentials.json";

#[derive(Debug)]
pub(super) struct CredentialFile {
    path: PathBuf,
}

impl CredentialFile {
    pub(super) fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join(CREDENTIALS_FILE_NAME),
        }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn load(&self) -> Result<Option<Credentials>, CredentialError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.io("read", source)),
        };
        warn_if_readable_by_others(&self.path);
        // The parser's message is dropped on purpose: it may quote part of the file.
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| CredentialError::Corrupt(self.path.display().to_string()))
    }

    pub(super) fn save(&self, credentials: &Credentials) -> Result<(), CredentialError> {
        let bytes = serde_json::to_vec(credentials)
            .map_err(|_| CredentialError::Corrupt(self.path.display().to_string()))?;
        crate::fs::write_atomically(&self.path, &bytes).map_err(|source| self.io("write", source))
    }

    pub(super) fn remove(&self) -> Result<(), CredentialError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(self.io("remove", source)),
        }
    }

    fn io(&self, action: &'static str, source: std::io::Error) -> CredentialError {
        CredentialError::Io {
            action,
            path: self.path.clone(),
            source,
        }
    }
}

/// A file someone made readable to others (e.g. copied with a loose umask) still loads, but the
/// user is told.
#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path)
        && metadata.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %path.display(),
            "the credentials file is readable by other users; run `chmod 600` on it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}
