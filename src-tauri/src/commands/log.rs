//! The request log: a page of entries, an export, and per-day totals.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use taiji_core::request_log::{DailyModelStats, LogFilter, LogPage};
use tauri::State;
use time::UtcOffset;

use super::{CommandError, ErrorKind};
use crate::state::AppState;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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

/// Writes the entries matching `filter` as CSV or JSON (oldest first) to `path`, the file the user
/// chose in the save dialog, and answers the path. The file is streamed from the log by the shell,
/// never shipped over IPC as one string; it is written beside its final name and renamed into
/// place, so a failed export leaves no half file.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_request_log(
    state: State<'_, AppState>,
    format: ExportFormat,
    filter: Option<LogFilter>,
    path: PathBuf,
) -> Result<PathBuf, CommandError> {
    let core = state.active_core();
    let log = core.request_log();
    let filter = filter.unwrap_or_default();
    let partial = partial_path(&path)?;
    let file = create_private(&partial).map_err(|error| storage(&partial, &error))?;
    let writer = BufWriter::new(file);
    let written = match format {
        ExportFormat::Csv => log.export_csv(filter, writer).await,
        ExportFormat::Json => log.export_json(filter, writer).await,
    };
    let file = written.map_err(CommandError::from).and_then(|writer| {
        writer
            .into_inner()
            .map_err(|error| storage(&partial, error.error()))
    });
    put_in_place(file, &partial, &path)?;
    Ok(path)
}

/// Ends an export written to `partial`: flushes it to disk and renames it to `path`; when writing
/// or any of that fails, `partial` is removed, so a failed export leaves no half file.
pub(super) fn put_in_place(
    written: Result<std::fs::File, CommandError>,
    partial: &Path,
    path: &Path,
) -> Result<(), CommandError> {
    let finished = written
        .and_then(|file| file.sync_all().map_err(|error| storage(partial, &error)))
        .and_then(|()| std::fs::rename(partial, path).map_err(|error| storage(path, &error)));
    if finished.is_err() {
        let _ignored = std::fs::remove_file(partial);
    }
    finished
}

/// Creates (or truncates) `path` readable by the user only: an export holds account activity and,
/// with previews on, prompts.
pub(super) fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// `report.csv` → `report.csv.part`, in the same folder so the final rename stays on one disk.
pub(super) fn partial_path(path: &Path) -> Result<PathBuf, CommandError> {
    let Some(name) = path.file_name() else {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            format!("{} is not a file name", path.display()),
        ));
    };
    let mut partial = name.to_os_string();
    partial.push(".part");
    Ok(path.with_file_name(partial))
}

pub(super) fn storage(path: &Path, error: &std::io::Error) -> CommandError {
    CommandError::new(
        ErrorKind::Storage,
        format!("could not write {}: {error}", path.display()),
    )
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
