//! Errors of the request log.

use std::path::PathBuf;

/// Why a request-log operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RequestLogError {
    /// SQLite reported an error.
    #[error("request log database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    Io {
        /// The directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The database was written by a newer build with a schema this build does not know.
    #[error("the request log database has schema version {found}, newer than this build's {supported}")]
    NewerSchema {
        /// The version on disk.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// No entry has this id.
    #[error("no request log entry has the id {0}")]
    NotFound(String),
    /// The writer thread has stopped (it only stops when the log is dropped, or after a panic).
    #[error("the request log writer has stopped")]
    Closed,
    /// Writing CSV failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing JSON failed.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A group of writes could not be committed (the disk is full, or the file went away); none of
    /// them was stored.
    #[error("could not save to the request log: {0}")]
    Commit(String),
    /// A stored value could not be read back (e.g. an unknown status name).
    #[error("corrupt request log row: {0}")]
    CorruptRow(String),
}

impl From<crate::sqlite::OpenError> for RequestLogError {
    fn from(error: crate::sqlite::OpenError) -> Self {
        use crate::sqlite::OpenError;
        match error {
            OpenError::Io { path, source } => Self::Io { path, source },
            OpenError::NewerSchema { found, supported } => Self::NewerSchema { found, supported },
            OpenError::Sqlite(error) => Self::Sqlite(error),
        }
    }
}
