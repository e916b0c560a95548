//! [`ConversationError`]: why a conversation-store operation failed.

use std::path::PathBuf;

/// A failed conversation-store operation.
#[derive(Debug, thiserror::Error)]
pub enum ConversationError {
    /// No conversation has this id.
    #[error("conversation `{0}` not found")]
    NotFound(String),
    /// No message of this conversation has this id (or version).
    #[error("message `{0}` not found in this conversation")]
    MessageNotFound(String),
    /// The operation does not apply to this message (e.g. regenerating a user message).
    #[error("{0}")]
    Invalid(String),
    /// The database file was written by a newer version of the app.
    #[error("the conversation database has schema version {found}; this version supports up to {supported}")]
    NewerSchema {
        /// The version found.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// The data directory or the file could not be created or made private.
    #[error("cannot prepare {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("conversation database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The blocking task did not finish (the runtime is shutting down).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::sqlite::OpenError> for ConversationError {
    fn from(error: crate::sqlite::OpenError) -> Self {
        use crate::sqlite::OpenError;
        match error {
            OpenError::Io { path, source } => Self::Io { path, source },
            OpenError::NewerSchema { found, supported } => Self::NewerSchema { found, supported },
            OpenError::Sqlite(error) => Self::Sqlite(error),
        }
    }
}
