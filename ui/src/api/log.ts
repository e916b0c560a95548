// The request log: pages, exports, per-day totals, and live entry events.
import type { UnlistenFn } from '@tauri-apps/api/event';

import { call, subscribe } from './client';
import { REQUEST_LOG_ENTRY_EVENT, REQUEST_LOG_RESYNC_EVENT } from './events';
import type { DailyModelStats, ExportFormat, LogEntry, LogFilter, LogPage } from './types';

export function queryRequestLog(filter: LogFilter, page: number, pageSize: number): Promise<LogPage> {
  return call('query_request_log', { filter, page, page_size: pageSize });
}

/** Writes the matching entries as CSV or JSON to `path` (the shell writes the file); resolves to the path. */
export function exportRequestLog(format: ExportFormat, filter: LogFilter, path: string): Promise<string> {
  return call('export_request_log', { format, filter, path });
}

/** Per-day, per-model totals, with days in this computer's time zone. */
export function getAggregates(filter: LogFilter = {}): Promise<DailyModelStats[]> {
  return call('aggregates', { filter, utc_offset_minutes: -new Date().getTimezoneOffset() });
}

export function onRequestLogEntry(handler: (entry: LogEntry) => void): Promise<UnlistenFn> {
  return subscribe(REQUEST_LOG_ENTRY_EVENT, handler);
}

/** The shell skipped changes (it fell behind); reload what is shown. */
export function onRequestLogResync(handler: (payload: null) => void): Promise<UnlistenFn> {
  return subscribe(REQUEST_LOG_RESYNC_EVENT, handler);
}

