// The request log: a live, filterable, paginated table of requests, with CSV and JSON export.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import {
  ENTRY_STATUSES,
  exportRequestLog,
  onDownloadFinished,
  onRequestLogEntry,
  onRequestLogResync,
  queryRequestLog,
  toCommandError,
  type EntryStatus,
  type ExportFormat,
  type LogEntry,
  type LogFilter,
  type LogPage,
} from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { useShellEvent } from '../hooks/useShellEvent';
import { t } from '../i18n';
import { saveTextFile } from '../lib/browser';
import { formatDuration, formatLogTime, formatNumber } from '../lib/format';

export const PAGE_SIZE = 50;
/** How long typing in a filter, or a burst of live changes, settles before the page reloads. */
const SETTLE_MS = 250;

interface Filters {
  model: string;
  status: EntryStatus | '';
  text: string;
}

function toLogFilter(filters: Filters): LogFilter {
  const filter: LogFilter = {};
  if (filters.model.trim() !== '') filter.model = filters.model.trim();
  if (filters.status !== '') filter.statuses = [filters.status];
  if (filters.text.trim() !== '') filter.text = filters.text.trim();
  return filter;
}

function matches(entry: LogEntry, filters: Filters): boolean {
  return (
    (filters.model.trim() === '' || entry.model.toLowerCase() === filters.model.trim().toLowerCase()) &&
    (filters.status === '' || entry.status === filters.status)
  );
}

export function LogView() {
  const [filters, setFilters] = useState<Filters>({ model: '', status: '', text: '' });
  const [appliedFilter, setAppliedFilter] = useState<LogFilter>({});
  const [page, setPage] = useState(0);
  const [data, setData] = useState<LogPage | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Filters apply after typing settles, and always from the first page.
  useEffect(() => {
    const timer = setTimeout(() => {
      const next = toLogFilter(filters);
      setAppliedFilter((current) => {
        if (JSON.stringify(current) === JSON.stringify(next)) return current;
        setPage(0);
        return next;
      });
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [filters]);

  const load = useCallback(() => {
    queryRequestLog(appliedFilter, page, PAGE_SIZE).then(
      (next) => {
        setData(next);
        setFailure(null);
      },
      (error: unknown) => setFailure(toCommandError(error).message),
    );
  }, [appliedFilter, page]);
  useEffect(load, [load]);

  const scheduleReload = useCallback(() => {
    if (reloadTimer.current !== null) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      load();
    }, SETTLE_MS);
  }, [load]);
  useEffect(
    () => () => {
      if (reloadTimer.current !== null) clearTimeout(reloadTimer.current);
    },
    [],
  );

  // A change to a shown entry is applied in place; a new entry that belongs on the first page
  // reloads it (the total and the order come from the log itself).
  useShellEvent(onRequestLogEntry, (entry) => {
    const shown = data?.entries.some((row) => row.id === entry.id) ?? false;
    if (shown) {
      setData((current) =>
        current === null
          ? current
          : { ...current, entries: current.entries.map((row) => (row.id === entry.id ? entry : row)) },
      );
    } else if (page === 0 && matches(entry, filters)) {
      scheduleReload();
    }
  });
  useShellEvent(onRequestLogResync, scheduleReload);
  // The shell saves the file and says where (or that it failed).
  useShellEvent(onDownloadFinished, (event) => {
    if (event.success) {
      setNotice(t.log.exported(event.path ?? ''));
    } else {
      setNotice(null);
      setFailure(t.log.exportFailed);
    }
  });

  const exportAs = (format: ExportFormat) => {
    setNotice(null);
    exportRequestLog(format, appliedFilter).then(
      (text) => {
        const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
        const name = `taiji-request-log-${stamp}.${format}`;
        saveTextFile(text, name, format === 'csv' ? 'text/csv' : 'application/json');
        setNotice(t.log.exporting(name));
      },
      (error: unknown) => setFailure(toCommandError(error).message),
    );
  };

  const models = useMemo(() => [...new Set(data?.entries.map((entry) => entry.model) ?? [])].sort(), [data]);
  const filtered = appliedFilter.model !== undefined || appliedFilter.statuses !== undefined || appliedFilter.text !== undefined;

  return (
    <section className="page page-wide" aria-labelledby="log-heading">
      <div className="row spread">
        <h2 id="log-heading" className="page-title">
          {t.log.heading} <span className="live-dot" title={t.log.live} aria-label={t.log.live} />
        </h2>
        <div className="row">
          <button type="button" className="button small secondary" onClick={() => exportAs('csv')}>
            {t.log.exportCsv}
          </button>
          <button type="button" className="button small secondary" onClick={() => exportAs('json')}>
            {t.log.exportJson}
          </button>
        </div>
      </div>

      <div className="filters" role="search">
        <label className="field">
          <span>{t.log.filterModel}</span>
          <input
            className="input"
            list="log-models"
            value={filters.model}
            onChange={(event) => setFilters({ ...filters, model: event.target.value })}
          />
          <datalist id="log-models">
            {models.map((model) => (
              <option key={model} value={model} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>{t.log.filterStatus}</span>
          <select
            className="input"
            value={filters.status}
            onChange={(event) => setFilters({ ...filters, status: event.target.value as EntryStatus | '' })}
          >
            <option value="">{t.log.allStatuses}</option>
            {ENTRY_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t.log.statuses[status]}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>{t.log.filterText}</span>
          <input
            className="input"
            type="search"
            placeholder={t.log.searchPlaceholder}
            value={filters.text}
            onChange={(event) => setFilters({ ...filters, text: event.target.value })}
          />
        </label>
      </div>

      <ErrorNote message={failure} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}

      {data === null ? (
        failure === null && <p className="muted">{t.common.loading}</p>
      ) : data.entries.length === 0 ? (
        <p className="empty">{filtered ? t.log.emptyFiltered : t.log.empty}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table log-table">
              <thead>
                <tr>
                  <th scope="col">{t.log.time}</th>
                  <th scope="col">{t.log.source}</th>
                  <th scope="col">{t.log.endpoint}</th>
                  <th scope="col">{t.log.model}</th>
                  <th scope="col">{t.log.status}</th>
                  <th scope="col" className="num">
                    {t.log.tokens}
                  </th>
                  <th scope="col" className="num">
                    {t.log.points}
                  </th>
                  <th scope="col" className="num">
                    {t.log.duration}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.entries.map((entry) => (
                  <LogRow key={entry.id} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={data.page} pageSize={data.page_size} total={data.total} onPage={setPage} />
        </>
      )}
    </section>
  );
}

/** The number of columns, for the error line under a failed entry. */
const COLUMNS = 8;

function LogRow({ entry }: { entry: LogEntry }) {
  const source = entry.source.key_name ?? entry.source.api;
  const sourceDetail = [entry.source.api, entry.source.user_agent].filter((part) => part !== null).join(' · ');
  const tokens =
    entry.prompt_tokens === null && entry.completion_tokens === null
      ? formatNumber(entry.total_tokens)
      : `${formatNumber(entry.prompt_tokens)} / ${formatNumber(entry.completion_tokens)}`;
  const error =
    entry.error_message === null ? null : `${entry.error_class ?? ''}${entry.error_class ? ': ' : ''}${entry.error_message}`;
  return (
    <>
      <tr data-status={entry.status} className={error === null ? undefined : 'has-error'}>
        <td title={entry.started_at}>{formatLogTime(entry.started_at)}</td>
        <td title={sourceDetail}>{source}</td>
        <td>
          <code>{entry.endpoint}</code>
          {entry.stream && <span className="tag">SSE</span>}
        </td>
        <td>{entry.model || t.common.none}</td>
        <td>
          <span className="pill" data-status={entry.status}>
            {t.log.statuses[entry.status]}
          </span>
          {entry.http_status !== null && <span className="muted small"> {entry.http_status}</span>}
        </td>
        <td className="num">{tokens}</td>
        <td className="num">{formatNumber(entry.points)}</td>
        <td className="num">{formatDuration(entry.duration_ms)}</td>
      </tr>
      {error !== null && (
        <tr className="error-row">
          <td colSpan={COLUMNS}>
            <span className="visually-hidden">{t.log.error}: </span>
            {error}
          </td>
        </tr>
      )}
    </>
  );
}

function Pagination({
  page,
  pageSize,
  total,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const from = total === 0 ? 0 : page * pageSize + 1;
  const to = Math.min(total, (page + 1) * pageSize);
  return (
    <nav className="row pagination" aria-label="Pages">
      <span className="muted">{t.log.pageInfo(from, to, total)}</span>
      <button type="button" className="button small secondary" disabled={page === 0} onClick={() => onPage(page - 1)}>
        {t.log.previous}
      </button>
      <button
        type="button"
        className="button small secondary"
        disabled={to >= total}
        onClick={() => onPage(page + 1)}
      >
        {t.log.next}
      </button>
    </nav>
  );
}
