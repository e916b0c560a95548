//! Retention: deletes the oldest entries beyond the age, row-count and size limits, then gives the
//! freed pages back to the file system (incremental vacuum plus a truncating WAL checkpoint), so
//! the database never grows without bound. Pending session deletions are never touched here: they
//! are the dispatcher's to-do list, not history.

use serde::Serialize;
use time::OffsetDateTime;

use super::RequestLogError;
use super::rows::{to_ms, to_sql_int};
use super::writer::WriterState;

/// What one retention pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Entries older than the age limit.
    pub by_age: u64,
    /// Entries beyond the row limit.
    pub by_count: u64,
    /// Entries deleted to get under the size limit.
    pub by_size: u64,
}

impl RetentionReport {
    /// All entries deleted.
    pub fn total(&self) -> u64 {
        self.by_age + self.by_count + self.by_size
    }
}

const MS_PER_DAY: i64 = 86_400_000;

/// Applies the current policy as of `now`.
pub(super) fn enforce_retention(
    state: &mut WriterState,
    now: OffsetDateTime,
) -> Result<RetentionReport, RequestLogError> {
    let policy = state.retention;
    let conn = &state.conn;
    let mut report = RetentionReport::default();

    let cutoff = to_ms(now).saturating_sub(i64::from(policy.max_age_days) * MS_PER_DAY);
    report.by_age = conn.execute("DELETE FROM requests WHERE started_at_ms < ?1", [cutoff])? as u64;

    report.by_count = conn.execute(
        "DELETE FROM requests WHERE rowid IN (
             SELECT rowid FROM requests ORDER BY started_at_ms DESC, rowid DESC
             LIMIT -1 OFFSET ?1)",
        [to_sql_int(policy.max_rows)],
    )? as u64;

    let max_bytes = policy.max_mb.saturating_mul(1024 * 1024);
    while used_bytes(conn)? > max_bytes {
        let rows: i64 = conn.query_row("SELECT COUNT(*) FROM requests", [], |row| row.get(0))?;
        if rows <= 0 {
            break;
        }
        // A tenth at a time converges quickly without overshooting by much.
        let batch = (rows / 10).max(1);
        report.by_size += conn.execute(
            "DELETE FROM requests WHERE rowid IN (
                 SELECT rowid FROM requests ORDER BY started_at_ms ASC, rowid ASC LIMIT ?1)",
            [batch],
        )? as u64;
    }

    if report.total() > 0 {
        // The pragma frees pages as it is stepped, so it must be stepped to the end.
        let mut vacuum = conn.prepare("PRAGMA incremental_vacuum")?;
        let mut steps = vacuum.query([])?;
        while steps.next()?.is_some() {}
        // A checkpoint copies the WAL into the main file and truncates the WAL, so the freed space
        // really leaves the disk. A busy reader may keep it from completing; the next pass retries.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        tracing::info!(
            by_age = report.by_age,
            by_count = report.by_count,
            by_size = report.by_size,
            "request log retention deleted old entries"
        );
    }
    Ok(report)
}

/// The bytes the database's live pages occupy (free pages excluded).
fn used_bytes(conn: &rusqlite::Connection) -> Result<u64, RequestLogError> {
    let page_count: i64 = conn.pragma_query_value(None, "page_count", |row| row.get(0))?;
    let free_pages: i64 = conn.pragma_query_value(None, "freelist_count", |row| row.get(0))?;
    let page_size: i64 = conn.pragma_query_value(None, "page_size", |row| row.get(0))?;
    Ok(u64::try_from((page_count - free_pages).max(0) * page_size).unwrap_or(0))
}
