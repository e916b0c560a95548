//! The request log: a page of entries, an export, and per-day totals.

use serde::Deserialize;
use taiji_core::request_log::{DailyModelStats, LogFilter, LogPage};
use tauri::State;
use time::UtcOffset;

use super::{CommandError, ErrorKind};
use crate::state::AppState;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON array.
    Json,
}

/// One page (0-based) of the entries matching `filter`, newest first, with the total count. In
/// demo mode the demo's own log (the real one is never written by the demo).
#[tauri::command(rename_all = "snake_case")]
pub async fn query_request_log(
    state: State<'_, AppState>,
    filter: LogFilter,
    page: u32,
    page_size: u32,
) -> Result<LogPage, CommandError> {
    Ok(state
        .active_core()
        .request_log()
        .query(filter, page, page_size)
        .await?)
}

/// The entries matching `filter` as CSV or JSON text (oldest first); the UI saves it as a file.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_request_log(
    state: State<'_, AppState>,
    format: ExportFormat,
    filter: Option<LogFilter>,
) -> Result<String, CommandError> {
    let core = state.active_core();
    let log = core.request_log();
    let filter = filter.unwrap_or_default();
    let bytes = match format {
        ExportFormat::Csv => log.export_csv(filter, Vec::new()).await?,
        ExportFormat::Json => log.export_json(filter, Vec::new()).await?,
    };
    String::from_utf8(bytes).map_err(|error| CommandError::new(ErrorKind::Internal, error.to_string()))
}

/// Per-day, per-model totals of the entries matching `filter`. Days are counted in the UI's time
/// zone, given as minutes east of UTC (the negation of JavaScript's `getTimezoneOffset()`).
#[tauri::command(rename_all = "snake_case")]
pub async fn aggregates(
    state: State<'_, AppState>,
    filter: Option<LogFilter>,
    utc_offset_minutes: i32,
) -> Result<Vec<DailyModelStats>, CommandError> {
    let offset = UtcOffset::from_whole_seconds(utc_offset_minutes.saturating_mul(60)).map_err(|error| {
        CommandError::new(ErrorKind::Invalid, format!("invalid time zone offset: {error}"))
    })?;
    Ok(state
        .active_core()
        .request_log()
        .aggregates(filter.unwrap_or_default(), offset)
        .await?)
}
