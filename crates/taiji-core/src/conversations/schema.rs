//! The conversation database file, its connection settings and its versioned migrations.
//!
//! The schema version lives in `PRAGMA user_version`; each entry of [`MIGRATIONS`] moves it one
//! version up (opening, WAL mode and migrating are [`crate::sqlite`]'s). Foreign keys are on:
//! deleting a conversation deletes its messages and their images.

use std::path::Path;

use rusqlite::Connection;

use super::ConversationError;
use crate::sqlite::Database;

/// The database's file name inside the data directory.
pub const DATABASE_FILE_NAME: &str = "conversations.sqlite3";

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

/// Opens the connection (a 0600 file, WAL, foreign keys) and migrates the schema.
pub(super) fn open(path: &Path) -> Result<Connection, ConversationError> {
    let database = Database {
        path,
        name: "the conversation database",
        pragmas: &[("foreign_keys", "ON")],
        migrations: MIGRATIONS,
    };
    Ok(database.open()?)
}
