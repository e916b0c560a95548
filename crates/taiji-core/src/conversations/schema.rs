//! The conversation database file, its connection settings and its versioned migrations.
//!
//! The schema version lives in `PRAGMA user_version`; each entry of [`MIGRATIONS`] moves it one
//! version up inside a transaction (the `rusqlite_migration` crate does the same, but its releases
//! pin an older `rusqlite` than the workspace's, and two bundled SQLites cannot link into one
//! binary). WAL mode, a busy timeout and foreign keys (deleting a conversation deletes its
//! messages and their images).

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::ConversationError;

/// The database's file name inside the data directory.
pub const DATABASE_FILE_NAME: &str = "conversations.sqlite3";

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Migration `n` (0-based) brings the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[
    // Version 1: conversations, messages (positions with versions, one selected), images.
    "CREATE TABLE conversations (
        id            TEXT PRIMARY KEY NOT NULL,
        title         TEXT NOT NULL DEFAULT '',
        model         TEXT,
        system_prompt TEXT NOT NULL DEFAULT '',
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
    );
    CREATE INDEX conversations_updated ON conversations (updated_at_ms);
    CREATE TABLE messages (
        id                TEXT PRIMARY KEY NOT NULL,
        conversation_id   TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        position          INTEGER NOT NULL,
        version           INTEGER NOT NULL,
        selected          INTEGER NOT NULL,
        role              TEXT NOT NULL,
        content           TEXT NOT NULL DEFAULT '',
        reasoning         TEXT NOT NULL DEFAULT '',
        model             TEXT,
        model_label       TEXT,
        status            TEXT NOT NULL,
        error_kind        TEXT,
        error_message     TEXT,
        prompt_tokens     INTEGER,
        completion_tokens INTEGER,
        total_tokens      INTEGER,
        points            INTEGER,
        created_at_ms     INTEGER NOT NULL
    );
    CREATE INDEX messages_conversation ON messages (conversation_id, position, version);
    CREATE INDEX messages_status ON messages (status);
    CREATE TABLE images (
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        ordinal    INTEGER NOT NULL,
        name       TEXT NOT NULL,
        mime       TEXT NOT NULL,
        data_url   TEXT NOT NULL,
        PRIMARY KEY (message_id, ordinal)
    );",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens the connection (a 0600 file), applies the connection settings and migrates the schema.
pub(super) fn open(path: &Path) -> Result<Connection, ConversationError> {
    create_private_file(path)?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "the conversation database could not switch to WAL mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut conn)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        private(crate::fs::make_private_file(Path::new(&side)), path)?;
    }
    Ok(conn)
}

fn create_private_file(path: &Path) -> Result<(), ConversationError> {
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

fn private(result: std::io::Result<()>, path: &Path) -> Result<(), ConversationError> {
    result.map_err(|source| ConversationError::Io {
        path: path.to_owned(),
        source,
    })
}

fn migrate(conn: &mut Connection) -> Result<(), ConversationError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(ConversationError::NewerSchema {
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
        tracing::info!(version, "migrated the conversation schema");
    }
    Ok(())
}
