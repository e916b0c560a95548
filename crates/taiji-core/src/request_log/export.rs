//! Export of the entries matching a filter as CSV (one flat row per entry, via the `csv` crate) or
//! as a JSON array of [`LogEntry`]. Rows are streamed from the database to the writer one at a time,
//! so exporting the whole history does not hold it in memory. Oldest entries come first, as in a
//! spreadsheet.

use std::io::Write;

use rusqlite::Connection;
use serde::Serialize;

use super::query::{LogFilter, Where};
use super::rows::{ENTRY_COLUMNS, entry_from_row};
use super::{LogEntry, RequestLogError};

/// The flat CSV shape of one entry.
#[derive(Serialize)]
struct CsvRow<'a> {
    id: &'a str,
    started_at: String,
    api: &'a str,
    key_name: Option<&'a str>,
    user_agent: Option<&'a str>,
    endpoint: &'a str,
    model: &'a str,
    stream: bool,
    status: &'static str,
    http_status: Option<u16>,
    error_class: Option<&'a str>,
    error_message: Option<&'a str>,
    queue_wait_ms: Option<u64>,
    first_token_ms: Option<u64>,
    duration_ms: Option<u64>,
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    total_tokens: Option<u64>,
    points: Option<i64>,
    prompt_preview: Option<&'a str>,
    reply_preview: Option<&'a str>,
}

impl<'a> CsvRow<'a> {
    fn new(entry: &'a LogEntry) -> Self {
        Self {
            id: &entry.id,
            started_at: entry
                .started_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            api: &entry.source.api,
            key_name: entry.source.key_name.as_deref(),
            user_agent: entry.source.user_agent.as_deref(),
            endpoint: &entry.endpoint,
            model: &entry.model,
            stream: entry.stream,
            status: entry.status.as_str(),
            http_status: entry.http_status,
            error_class: entry.error_class.as_deref(),
            error_message: entry.error_message.as_deref(),
            queue_wait_ms: entry.queue_wait_ms,
            first_token_ms: entry.first_token_ms,
            duration_ms: entry.duration_ms,
            prompt_tokens: entry.prompt_tokens,
            completion_tokens: entry.completion_tokens,
            total_tokens: entry.total_tokens,
            points: entry.points,
            prompt_preview: entry.prompt_preview.as_deref(),
            reply_preview: entry.reply_preview.as_deref(),
        }
    }
}

/// Calls `each` for every matching entry, oldest first.
fn for_each_entry(
    conn: &Connection,
    filter: &LogFilter,
    mut each: impl FnMut(&LogEntry) -> Result<(), RequestLogError>,
) -> Result<u64, RequestLogError> {
    let Where { sql, values } = filter.to_where();
    let mut statement = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM requests {sql} ORDER BY started_at_ms ASC, rowid ASC"
    ))?;
    let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        each(&entry_from_row(row)?)?;
        count += 1;
    }
    Ok(count)
}

/// Writes the matching entries as CSV with a header row; returns how many were written.
pub(super) fn write_csv<W: Write>(
    conn: &Connection,
    filter: &LogFilter,
    writer: &mut W,
) -> Result<u64, RequestLogError> {
    let mut csv = csv::Writer::from_writer(writer);
    let count = for_each_entry(conn, filter, |entry| Ok(csv.serialize(CsvRow::new(entry))?))?;
    if count == 0 {
        // `serialize` writes the header with the first row; an empty export still gets one.
        csv.write_record(CSV_HEADER)?;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(count)
}

/// The CSV header, identical to what `serialize` derives from [`CsvRow`].
const CSV_HEADER: [&str; 21] = [
    "id",
    "started_at",
    "api",
    "key_name",
    "user_agent",
    "endpoint",
    "model",
    "stream",
    "status",
    "http_status",
    "error_class",
    "error_message",
    "queue_wait_ms",
    "first_token_ms",
    "duration_ms",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "points",
    "prompt_preview",
    "reply_preview",
];

/// Writes the matching entries as one JSON array; returns how many were written.
pub(super) fn write_json<W: Write>(
    conn: &Connection,
    filter: &LogFilter,
    writer: &mut W,
) -> Result<u64, RequestLogError> {
    let io = |error: std::io::Error| RequestLogError::Json(serde_json::Error::io(error));
    writer.write_all(b"[").map_err(io)?;
    let mut first = true;
    let count = for_each_entry(conn, filter, |entry| {
        if !first {
            writer.write_all(b",\n").map_err(io)?;
        }
        first = false;
        serde_json::to_writer(&mut *writer, entry)?;
        Ok(())
    })?;
    writer.write_all(b"]\n").map_err(io)?;
    writer.flush().map_err(io)?;
    Ok(count)
}
