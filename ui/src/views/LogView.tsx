// The request log: a live, filterable, paginated table of requests with a detail panel per row,
// and CSV / JSON export to a file the user picks (the shell writes it).
import { useQuery, useQueryClient, type Query } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import {
  chooseSavePath,
  ENTRY_STATUSES,
  exportRequestLog,
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
import { CopyButton } from '../components/CopyButton';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';
import { Table } from '../components/Table';
import { commandError, queryKeys } from '../hooks/queries';
import { useShellEvent } from '../hooks/useShellEvent';
import { describeError } from '../i18n';
import { curlCommand } from '../lib/curl';
import { formatDuration, formatLogTime, formatNumber } from '../lib/format';

export const PAGE_SIZE = 50;
/** How long typing in a filter, or a burst of live changes, settles before the page reloads. */
const SETTLE_MS = 250;
/** Where "copy as curl" points when the gateway's address is not known (its default). */
const DEFAULT_BASE_URL = 'http://127.0.0.1:8760';

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

function sameFilter(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The cached page with `entry` replaced, or the page unchanged when it does not show it. */
function replaceEntry(page: LogPage | undefined, entry: LogEntry): LogPage | undefined {
  if (page === undefined || !page.entries.some((row) => row.id === entry.id)) return page;
  return { ...page, entries: page.entries.map((row) => (row.id === entry.id ? entry : row)) };
}

export function LogView() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [filters, setFilters] = useState<Filters>({ model: '', status: '', text: '' });
  const [appliedFilter, setAppliedFilter] = useState<LogFilter>({});
  const [page, setPage] = useState(0);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Filters apply after typing settles, and always from the first page.
  useEffect(() => {
    const timer = setTimeout(() => {
      const next = toLogFilter(filters);
      if (!sameFilter(next, appliedFilter)) {
        setAppliedFilter(next);
        setPage(0);
      }
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [filters, appliedFilter]);

  const key = queryKeys.logPage(appliedFilter, page);
  const log = useQuery({
    queryKey: key,
    queryFn: () => queryRequestLog(appliedFilter, page, PAGE_SIZE),
    // While the next page of the same filter loads, the current one stays; a new filter shows
    // "loading" instead, so a page never appears under a filter it does not match.
    placeholderData: (previous: LogPage | undefined, previousQuery: Query<LogPage> | undefined) =>
      previousQuery !== undefined && sameFilter(previousQuery.queryKey[2], appliedFilter) ? previous : undefined,
  });
  const data = log.data ?? null;
  const loadError = commandError(log.error);

  useEffect(
    () => () => {
      if (reloadTimer.current !== null) clearTimeout(reloadTimer.current);
    },
    [],
  );
  const scheduleReload = () => {
    if (reloadTimer.current !== null) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      void client.invalidateQueries({ queryKey: queryKeys.log });
    }, SETTLE_MS);
  };

  // A change to a shown entry is written into the cache in place; a new entry reloads the pages
  // (the total and the order come from the log itself), once a burst settles.
  useShellEvent(onRequestLogEntry, (entry) => {
    const shown = data?.entries.some((row) => row.id === entry.id) ?? false;
    client.setQueriesData<LogPage>({ queryKey: queryKeys.log }, (cached) => replaceEntry(cached, entry));
    if (!shown) scheduleReload();
  });
  useShellEvent(onRequestLogResync, scheduleReload);

  const exportAs = (format: ExportFormat) => {
    setNotice(null);
    setFailure(null);
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    chooseSavePath(t('log.exportTitle'), `taiji-request-log-${stamp}.${format}`, format)
      .then((path) => {
        if (path === null) return;
        setNotice(t('log.exporting'));
        return exportRequestLog(format, appliedFilter, path).then((saved) => setNotice(t('common.savedTo', { path: saved })));
      })
      .catch((error: unknown) => {
        setNotice(null);
        setFailure(`${t('log.exportFailed')} ${describeError(toCommandError(error))}`);
      });
  };

  const models = useMemo(() => [...new Set(data?.entries.map((entry) => entry.model) ?? [])].sort(), [data]);
  const filtered = appliedFilter.model !== undefined || appliedFilter.statuses !== undefined || appliedFilter.text !== undefined;

  return (
    <section className="page page-wide" aria-labelledby="log-heading">
      <div className="row spread">
        <h2 id="log-heading" className="page-title">
          {t('log.heading')} <span className="live-dot" title={t('log.live')} aria-label={t('log.live')} />
        </h2>
        <div className="row">
          <button type="button" className="button small secondary" onClick={() => exportAs('csv')}>
            {t('log.exportCsv')}
          </button>
          <button type="button" className="button small secondary" onClick={() => exportAs('json')}>
            {t('log.exportJson')}
          </button>
        </div>
      </div>

      <div className="filters" role="search">
        <Field label={t('log.filterModel')}>
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
        </Field>
        <Field label={t('log.filterStatus')}>
          <select
            className="input"
            value={filters.status}
            onChange={(event) => setFilters({ ...filters, status: event.target.value as EntryStatus | '' })}
          >
            <option value="">{t('log.allStatuses')}</option>
            {ENTRY_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`log.statuses.${status}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('log.filterText')} grow>
          <input
            className="input"
            type="search"
            placeholder={t('log.searchPlaceholder')}
            value={filters.text}
            onChange={(event) => setFilters({ ...filters, text: event.target.value })}
          />
        </Field>
      </div>

      <ErrorNote message={failure ?? (loadError === null ? null : describeError(loadError))} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}

      {data === null ? (
        loadError === null && <p className="muted">{t('common.loading')}</p>
      ) : data.entries.length === 0 ? (
        <p className="empty">{filtered ? t('log.emptyFiltered') : t('log.empty')}</p>
      ) : (
        <>
          <Table
            className="log-table"
            columns={[
              { label: t('log.time') },
              { label: t('log.source') },
              { label: t('log.endpoint') },
              { label: t('log.model') },
              { label: t('log.status') },
              { label: t('log.tokens'), numeric: true },
              { label: t('log.points'), numeric: true },
              { label: t('log.duration'), numeric: true },
              { label: t('log.details'), hidden: true },
            ]}
          >
            {data.entries.map((entry) => (
              <LogRow
                key={entry.id}
                entry={entry}
                open={open === entry.id}
                onToggle={() => setOpen(open === entry.id ? null : entry.id)}
              />
            ))}
          </Table>
          <Pagination page={data.page} pageSize={data.page_size} total={data.total} onPage={setPage} />
        </>
      )}
    </section>
  );
}

/** The number of columns, for the error line and the detail panel under an entry. */
const COLUMNS = 9;

function LogRow({ entry, open, onToggle }: { entry: LogEntry; open: boolean; onToggle: () => void }) {
  const { t } = useTranslation();
  const source = entry.source.key_name ?? entry.source.api;
  const sourceDetail = [entry.source.api, entry.source.user_agent].filter((part) => part !== null).join(' · ');
  const tokens =
    entry.prompt_tokens === null && entry.completion_tokens === null
      ? formatNumber(entry.total_tokens)
      : `${formatNumber(entry.prompt_tokens)} / ${formatNumber(entry.completion_tokens)}`;
  const error =
    entry.error_message === null ? null : `${entry.error_class ?? ''}${entry.error_class ? ': ' : ''}${entry.error_message}`;
  const detailId = `log-detail-${entry.id}`;
  return (
    <>
      <tr data-testid="log-row" data-status={entry.status} className={error === null ? undefined : 'has-error'}>
        <td title={entry.started_at}>{formatLogTime(entry.started_at)}</td>
        <td title={sourceDetail}>{source}</td>
        <td>
          <code>{entry.endpoint}</code>
          {entry.stream && <span className="tag">SSE</span>}
        </td>
        <td>{entry.model || t('common.none')}</td>
        <td>
          <span className="pill" data-status={entry.status}>
            {t(`log.statuses.${entry.status}`)}
          </span>
          {entry.http_status !== null && <span className="muted small"> {entry.http_status}</span>}
        </td>
        <td className="num">{tokens}</td>
        <td className="num">{formatNumber(entry.points)}</td>
        <td className="num">{formatDuration(entry.duration_ms)}</td>
        <td>
          <button
            type="button"
            className="button small secondary"
            aria-expanded={open}
            aria-controls={open ? detailId : undefined}
            onClick={onToggle}
          >
            {t('log.details')}
          </button>
        </td>
      </tr>
      {error !== null && (
        <tr className="error-row">
          <td colSpan={COLUMNS}>
            <span className="visually-hidden">{t('log.error')}: </span>
            {error}
          </td>
        </tr>
      )}
      {open && (
        <tr className="detail-row">
          <td colSpan={COLUMNS}>
            <LogDetail id={detailId} entry={entry} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Everything the log kept about one request, and "copy as curl". */
export function LogDetail({ id, entry }: { id: string; entry: LogEntry }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const status = client.getQueryData<{ url: string | null }>(queryKeys.status);
  const curl = curlCommand(entry, status?.url ?? DEFAULT_BASE_URL);
  const fields: [string, string][] = [
    [t('log.requestId'), entry.id],
    [t('log.api'), entry.source.api],
    [t('log.userAgent'), entry.source.user_agent ?? t('common.none')],
    [t('log.httpStatus'), entry.http_status === null ? t('common.none') : String(entry.http_status)],
    [t('log.stream'), entry.stream ? t('common.yes') : t('common.no')],
    [t('log.queueWait'), formatDuration(entry.queue_wait_ms)],
    [t('log.firstToken'), formatDuration(entry.first_token_ms)],
    [t('log.duration'), formatDuration(entry.duration_ms)],
    [t('log.promptTokens'), formatNumber(entry.prompt_tokens)],
    [t('log.completionTokens'), formatNumber(entry.completion_tokens)],
    [t('log.totalTokens'), formatNumber(entry.total_tokens)],
    [t('log.points'), formatNumber(entry.points)],
  ];
  return (
    <section id={id} className="log-detail" aria-label={t('log.detailHeading')}>
      <dl className="detail-grid">
        {fields.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {entry.error_message !== null && (
        <div className="detail-block">
          <h4>{t('log.error')}</h4>
          {entry.error_class !== null && (
            <p className="muted small">
              {t('log.errorClass')}: <code>{entry.error_class}</code>
            </p>
          )}
          <pre className="preview">{entry.error_message}</pre>
        </div>
      )}
      {entry.prompt_preview === null && entry.reply_preview === null ? (
        <p className="muted small">{t('log.previewsOff')}</p>
      ) : (
        <>
          {entry.prompt_preview !== null && (
            <div className="detail-block">
              <h4>{t('log.promptPreview')}</h4>
              <pre className="preview">{entry.prompt_preview}</pre>
            </div>
          )}
          {entry.reply_preview !== null && (
            <div className="detail-block">
              <h4>{t('log.replyPreview')}</h4>
              <pre className="preview">{entry.reply_preview}</pre>
            </div>
          )}
        </>
      )}
      <div className="row">
        <CopyButton value={curl} text={t('log.copyCurl')} />
        <span className="muted small">{t('log.curlHint')}</span>
      </div>
    </section>
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
  const { t } = useTranslation();
  const from = total === 0 ? 0 : page * pageSize + 1;
  const to = Math.min(total, (page + 1) * pageSize);
  return (
    <nav className="row pagination" aria-label={t('log.pages')}>
      <span className="muted">{t('log.pageInfo', { from: formatNumber(from), to: formatNumber(to), total: formatNumber(total) })}</span>
      <button type="button" className="button small secondary" disabled={page === 0} onClick={() => onPage(page - 1)}>
        {t('log.previous')}
      </button>
      <button type="button" className="button small secondary" disabled={to >= total} onClick={() => onPage(page + 1)}>
        {t('log.next')}
      </button>
    </nav>
  );
}
