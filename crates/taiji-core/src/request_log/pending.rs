//! The dispatcher's persistent to-do list of upstream sessions whose deletion failed. Each failed
//! attempt pushes the next try back exponentially (30 s, 1 min, 2 min, … capped at one hour), and
//! the list survives restarts because it lives in the same database as the history. Rows leave the
//! table only through [`super::RequestLog::remove_pending_deletion`] (never through retention).

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::RequestLogError;
use super::rows::{from_ms, to_ms};

/// The wait after the first failed attempt; it doubles with each further failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(30);
/// The longest wait between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// An upstream session that still has to be deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingDeletion {
    /// The row id, used to remove or update the entry.
    pub id: i64,
    /// The upstream session id (as text: 2.x ids are numbers, other versions may differ).
    pub session_id: String,
    /// The account that owns the session (its login name, not a credential).
    pub account: String,
    /// When the deletion was first recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// How many attempts have failed so far.
    pub attempts: u32,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When the next attempt is due.
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
}

impl PendingDeletion {
    /// Whether the next attempt is due at `now`.
    pub fn is_due(&self, now: OffsetDateTime) -> bool {
        self.next_attempt_at <= now
    }
}

/// The wait before the attempt that follows `attempts` failures.
pub fn deletion_backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    FIRST_BACKOFF.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

const COLUMNS: &str = "id, session_id, account, created_at_ms, attempts, last_error, next_attempt_at_ms";

fn from_row(row: &Row<'_>) -> rusqlite::Result<PendingDeletion> {
    Ok(PendingDeletion {
        id: row.get(0)?,
        session_id: row.get(1)?,
        account: row.get(2)?,
        created_at: from_ms(row.get(3)?),
        attempts: row.get(4)?,
        last_error: row.get(5)?,
        next_attempt_at: from_ms(row.get(6)?),
    })
}

fn load(conn: &Connection, id: i64) -> Result<Option<PendingDeletion>, RequestLogError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM pending_deletions WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

/// Records a session to delete; it is due at once.
pub(super) fn add(
    conn: &Connection,
    session_id: &str,
    account: &str,
    now: OffsetDateTime,
) -> Result<PendingDeletion, RequestLogError> {
    conn.execute(
        "INSERT INTO pending_deletions (session_id, account, created_at_ms, next_attempt_at_ms)
         VALUES (?1, ?2, ?3, ?3)",
        params![session_id, account, to_ms(now)],
    )?;
    let id = conn.last_insert_rowid();
    load(conn, id)?.ok_or_else(|| RequestLogError::NotFound(id.to_string()))
}

/// Every pending deletion, the most overdue first.
pub(super) fn list(conn: &Connection) -> Result<Vec<PendingDeletion>, RequestLogError> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM pending_deletions ORDER BY next_attempt_at_ms ASC, id ASC"
    ))?;
    let rows = statement.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Removes a pending deletion (it succeeded, or the session is known to be gone).
pub(super) fn remove(conn: &Connection, id: i64) -> Result<bool, RequestLogError> {
    Ok(conn.execute("DELETE FROM pending_deletions WHERE id = ?1", [id])? > 0)
}

/// Records a failed attempt and schedules the next one; `None` when the id is unknown.
pub(super) fn record_attempt(
    conn: &Connection,
    id: i64,
    error: &str,
    now: OffsetDateTime,
) -> Result<Option<PendingDeletion>, RequestLogError> {
    let Some(current) = load(conn, id)? else {
        return Ok(None);
    };
    let attempts = current.attempts.saturating_add(1);
    let next = now + deletion_backoff(attempts);
    conn.execute(
        "UPDATE pending_deletions SET attempts = ?2, last_error = ?3, next_attempt_at_ms = ?4
         WHERE id = ?1",
        params![id, attempts, error, to_ms(next)],
    )?;
    load(conn, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(deletion_backoff(1), Duration::from_secs(30));
        assert_eq!(deletion_backoff(2), Duration::from_secs(60));
        assert_eq!(deletion_backoff(3), Duration::from_secs(120));
        assert_eq!(deletion_backoff(50), MAX_BACKOFF);
    }
}
