//! Mapping between [`LogEntry`] and rows of the `requests` table, and between timestamps and the
//! integer milliseconds stored in the database (integers sort, compare and group cheaply).

use std::sync::LazyLock;

use rusqlite::{Connection, OptionalExtension, Row};
use time::OffsetDateTime;

use super::{EntryStatus, LogEntry, RequestLogError};
use crate::chat::RequestSource;

/// The columns selected for a [`LogEntry`], in the order [`entry_from_row`] reads them.
pub(super) const ENTRY_COLUMNS: &str = "id, started_at_ms, api, key_name, user_agent, endpoint, \
     model, stream, status, http_status, error_class, error_message, queue_wait_ms, \
     first_token_ms, duration_ms, prompt_tokens, completion_tokens, total_tokens, points, \
     prompt_preview, reply_preview";

/// Milliseconds since the Unix epoch.
pub(super) fn to_ms(time: OffsetDateTime) -> i64 {
    i64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The inverse of [`to_ms`]; out-of-range values clamp to the epoch rather than failing a query.
pub(super) fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Reads an optional non-negative integer column.
fn unsigned(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<u64>> {
    Ok(row
        .get::<_, Option<i64>>(index)?
        .and_then(|value| u64::try_from(value).ok()))
}

/// Reads one row selected with [`ENTRY_COLUMNS`].
pub(super) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<LogEntry> {
    let status: String = row.get(8)?;
    let status = EntryStatus::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            8,
            rusqlite::types::Type::Text,
            format!("unknown status `{status}`").into(),
        )
    })?;
    Ok(LogEntry {
        id: row.get(0)?,
        started_at: from_ms(row.get(1)?),
        source: RequestSource {
            api: row.get(2)?,
            key_name: row.get(3)?,
            user_agent: row.get(4)?,
        },
        endpoint: row.get(5)?,
        model: row.get(6)?,
        stream: row.get(7)?,
        status,
        http_status: row
            .get::<_, Option<i64>>(9)?
            .and_then(|value| u16::try_from(value).ok()),
        error_class: row.get(10)?,
        error_message: row.get(11)?,
        queue_wait_ms: unsigned(row, 12)?,
        first_token_ms: unsigned(row, 13)?,
        duration_ms: unsigned(row, 14)?,
        prompt_tokens: unsigned(row, 15)?,
        completion_tokens: unsigned(row, 16)?,
        total_tokens: unsigned(row, 17)?,
        points: row.get(18)?,
        prompt_preview: row.get(19)?,
        reply_preview: row.get(20)?,
    })
}

/// Reads the entry with this id.
pub(super) fn load_entry(conn: &Connection, id: &str) -> Result<LogEntry, RequestLogError> {
    // Written and prepared once per connection: the writer reads an entry back after its writes
    // whenever the UI listens.
    static SELECT_ENTRY: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {ENTRY_COLUMNS} FROM requests WHERE id = ?1"));
    conn.prepare_cached(&SELECT_ENTRY)?
        .query_row([id], entry_from_row)
        .optional()?
        .ok_or_else(|| RequestLogError::NotFound(id.to_owned()))
}

/// Converts an unsigned count for storage; SQLite integers are signed 64-bit.
pub(super) fn to_sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
