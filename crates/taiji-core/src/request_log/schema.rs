//! The database file, its connection settings and its schema migrations.
//!
//! The schema version lives in `PRAGMA user_version`; each entry of [`MIGRATIONS`] moves the schema
//! one version up (opening, WAL mode and migrating are [`crate::sqlite`]'s). The database is
//! created with `auto_vacuum = INCREMENTAL` so that retention can hand freed pages back to the
//! file system without a full `VACUUM`.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::RequestLogError;
use crate::sqlite::{BUSY_TIMEOUT, Database};

/// The database's file name inside the data directory.
pub const DATABASE_FILE_NAME: &str = "request-log.sqlite3";

/// Migration `n` (0-based) brings the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[
    // Version 1: requests and the dispatcher's pending session deletions.
    "CREATE TABLE requests (
        id                TEXT PRIMARY KEY NOT NULL,
        started_at_ms     INTEGER NOT NULL,
        updated_at_ms     INTEGER NOT NULL,
        api               TEXT NOT NULL,
        key_name          TEXT,
        user_agent        TEXT,
        endpoint          TEXT NOT NULL,
        model             TEXT NOT NULL,
        stream            INTEGER NOT NULL,
        status            TEXT NOT NULL,
        http_status       INTEGER,
        error_class       TEXT,
        error_message     TEXT,
        queue_wait_ms     INTEGER,
        first_token_ms    INTEGER,
        duration_ms       INTEGER,
        prompt_tokens     INTEGER,
        completion_tokens INTEGER,
        total_tokens      INTEGER,
        points            INTEGER,
        prompt_preview    TEXT,
        reply_preview     TEXT
    );
    CREATE INDEX requests_started_at ON requests (started_at_ms);
    CREATE INDEX requests_model ON requests (model, started_at_ms);
    CREATE INDEX requests_status ON requests (status, started_at_ms);
    CREATE TABLE pending_deletions (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id         TEXT NOT NULL,
        account            TEXT NOT NULL,
        created_at_ms      INTEGER NOT NULL,
        attempts           INTEGER NOT NULL DEFAULT 0,
        last_error         TEXT,
        next_attempt_at_ms INTEGER NOT NULL
    );",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens the read-write connection, applies the connection settings and migrates the schema.
pub(super) fn open_writer(path: &Path) -> Result<Connection, RequestLogError> {
    let database = Database {
        path,
        name: "the request log",
        // Only effective before the first table exists, which is exactly when it is needed.
        pragmas: &[("auto_vacuum", "INCREMENTAL")],
        migrations: MIGRATIONS,
    };
    Ok(database.open()?)
}

/// Opens a read-only connection for queries and exports, which run beside the writer.
pub(super) fn open_reader(path: &Path) -> Result<Connection, RequestLogError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}
