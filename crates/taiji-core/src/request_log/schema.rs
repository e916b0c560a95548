//! The database file, its connection settings and its schema migrations.
//!
//! The schema version lives in `PRAGMA user_version`; each entry of [`MIGRATIONS`] moves the schema
//! one version up inside a transaction. The database runs in WAL mode (readers never block the
//! writer) with a busy timeout, and is created with `auto_vacuum = INCREMENTAL` so that retention
//! can hand freed pages back to the file system without a full `VACUUM`.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::RequestLogError;

/// The database's file name inside the data directory.
pub const DATABASE_FILE_NAME: &str = "request-log.sqlite3";

/// How long a connection waits for a lock before reporting `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
    create_private_file(path)?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Only effective before the first table exists, which is exactly when it is needed.
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "the request log could not switch to WAL mode");
    }
    // In WAL mode NORMAL is durable against application crashes and much faster than FULL.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(&mut conn)?;
    // SQLite gives the WAL and shared-memory files the database's mode, but files left by an
    // older version may still be world-readable.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        private(crate::fs::make_private_file(Path::new(&side)), path)?;
    }
    Ok(conn)
}

/// Creates the database file readable only by the user before SQLite opens it (SQLite would
/// create it with the umask's mode, usually 0644), or tightens an existing one.
fn create_private_file(path: &Path) -> Result<(), RequestLogError> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    private(options.open(path).map(drop), path)?;
    private(crate::fs::make_private_file(path), path)
}

fn private(result: std::io::Result<()>, path: &Path) -> Result<(), RequestLogError> {
    result.map_err(|source| RequestLogError::Io {
        path: path.to_owned(),
        source,
    })
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

fn migrate(conn: &mut Connection) -> Result<(), RequestLogError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(RequestLogError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let applied = usize::try_from(found).unwrap_or(0);
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "migrated the request log schema");
    }
    Ok(())
}
