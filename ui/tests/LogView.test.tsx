import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { LogEntry, LogFilter } from '../src/api';
import { answer, last, logEntry } from './fixtures';
import { emit, invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { LogView } = await import('../src/views/LogView');

/** A fake log: the shell's query over `rows`, newest first, recording every filter it was asked. */
function fakeLog(rows: LogEntry[]) {
  const queries: { filter: LogFilter; page: number; page_size: number }[] = [];
  answer({
    query_request_log: (args) => {
      const query = args as unknown as { filter: LogFilter; page: number; page_size: number };
      queries.push(query);
      const matching = rows.filter(
        (row) =>
          (query.filter.model === undefined || row.model === query.filter.model) &&
          (query.filter.statuses === undefined || query.filter.statuses.includes(row.status)) &&
          (query.filter.text === undefined || JSON.stringify(row).includes(query.filter.text)),
      );
      const start = query.page * query.page_size;
      return { entries: matching.slice(start, start + query.page_size), total: matching.length, page: query.page, page_size: query.page_size };
    },
    export_request_log: (args) => (args?.['format'] === 'csv' ? 'id,started_at\nreq-1,2026' : '[]'),
  });
  return queries;
}

function rowOf(text: string): HTMLElement {
  const row = screen.getByText(text).closest('tr');
  if (row === null) throw new Error(`no row with ${text}`);
  return row;
}

describe('LogView', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('says so when there are no requests yet', async () => {
    fakeLog([]);
    render(<LogView />);
    expect(await screen.findByText(/No requests yet/)).toBeTruthy();
  });

  it('shows entries with source, model, status, tokens, points, duration and error', async () => {
    fakeLog([
      logEntry(),
      logEntry({
        id: 'req-2',
        model: 'gpt-4o',
        status: 'failed',
        http_status: 429,
        error_class: 'rate_limited',
        error_message: 'too many requests',
        source: { api: 'anthropic', key_name: 'claude-code', user_agent: null },
        endpoint: '/v1/messages',
      }),
    ]);
    render(<LogView />);
    await screen.findByText('gpt-4o');
    const done = rowOf('gpt-4.1-mini');
    expect(within(done).getByText('Done')).toBeTruthy();
    expect(within(done).getByText('12 / 34')).toBeTruthy();
    expect(within(done).getByText('300')).toBeTruthy();
    expect(within(done).getByText('1.53 s')).toBeTruthy();
    const failed = rowOf('gpt-4o');
    expect(within(failed).getByText('claude-code')).toBeTruthy();
    expect(within(failed).getByText('Failed')).toBeTruthy();
    const errorLine = failed.nextElementSibling as HTMLElement;
    expect(errorLine.textContent).toBe('Error: rate_limited: too many requests');
    expect(done.nextElementSibling?.textContent).not.toContain('Error');
  });

  it('updates a shown entry live and reloads the first page for a new one', async () => {
    const rows = [logEntry({ status: 'streaming', http_status: null, duration_ms: null, points: null })];
    const queries = fakeLog(rows);
    render(<LogView />);
    const table = await screen.findByRole('table');
    expect(within(table).getByText('Streaming')).toBeTruthy();

    act(() => emit('request-log-entry', logEntry({ status: 'done', points: 777 })));
    expect(within(table).getByText('Done')).toBeTruthy();
    expect(within(table).getByText('777')).toBeTruthy();

    const before = queries.length;
    rows.unshift(logEntry({ id: 'req-9', model: 'deepseek-reasoner', status: 'queued' }));
    act(() => emit('request-log-entry', rows[0]));
    expect(await screen.findByText('deepseek-reasoner')).toBeTruthy();
    expect(queries.length).toBeGreaterThan(before);
  });

  it('filters by status, model and text', async () => {
    const queries = fakeLog([logEntry(), logEntry({ id: 'req-2', model: 'gpt-4o', status: 'failed' })]);
    render(<LogView />);
    await screen.findByText('gpt-4o');

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    await vi.waitFor(() => expect(screen.queryByText('gpt-4.1-mini')).toBeNull());
    expect(last(queries)?.filter).toEqual({ statuses: ['failed'] });

    fireEvent.change(screen.getByLabelText('Model'), { target: { value: 'gpt-4.1-mini' } });
    expect(await screen.findByText('No requests match these filters.')).toBeTruthy();
    expect(last(queries)?.filter).toEqual({ model: 'gpt-4.1-mini', statuses: ['failed'] });

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'curl' } });
    await vi.waitFor(() => expect(last(queries)?.filter).toEqual({ model: 'gpt-4.1-mini', text: 'curl' }));
    expect(await screen.findByText('gpt-4.1-mini')).toBeTruthy();
  });

  it('pages through the log', async () => {
    const rows = Array.from({ length: 60 }, (_, index) => logEntry({ id: `req-${index}`, model: `model-${index}` }));
    const queries = fakeLog(rows);
    render(<LogView />);
    expect(await screen.findByText('1–50 of 60')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('51–60 of 60')).toBeTruthy();
    expect(screen.getByText('model-55')).toBeTruthy();
    expect(last(queries)?.page).toBe(1);
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('exports CSV and JSON as a file download', async () => {
    fakeLog([logEntry()]);
    const createObjectURL = vi.fn(() => 'blob:log');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    render(<LogView />);
    await screen.findByText('gpt-4.1-mini');

    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByText(/Saving taiji-request-log-.*\.csv/)).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith('export_request_log', { format: 'csv', filter: {} });
    const blob = (createObjectURL.mock.calls[0] as unknown as [Blob])[0];
    expect(await blob.text()).toBe('id,started_at\nreq-1,2026');
    expect(click).toHaveBeenCalledTimes(1);

    act(() => emit('download-finished', { path: '/home/me/Downloads/taiji-request-log.csv', success: true }));
    expect(screen.getByText('Saved to /home/me/Downloads/taiji-request-log.csv')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    expect(await screen.findByText(/Saving taiji-request-log-.*\.json/)).toBeTruthy();
    act(() => emit('download-finished', { path: null, success: false }));
    expect(screen.getByRole('alert').textContent).toBe('The export could not be saved.');
  });
});
