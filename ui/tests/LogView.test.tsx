import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { LogEntry, LogFilter } from '../src/api';
import { answer, last, logEntry, mockClipboard, renderView } from './fixtures';
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
    renderView(<LogView />);
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
    renderView(<LogView />);
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
    renderView(<LogView />);
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
    renderView(<LogView />);
    await screen.findByText('gpt-4o');

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    await vi.waitFor(() => expect(last(queries)?.filter).toEqual({ statuses: ['failed'] }));
    // The page of the old filter is not shown under the new one, not even while it loads.
    expect(screen.queryByText('gpt-4.1-mini')).toBeNull();
    expect(await screen.findByText('gpt-4o')).toBeTruthy();

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
    renderView(<LogView />);
    expect(await screen.findByText('1–50 of 60')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('51–60 of 60')).toBeTruthy();
    expect(screen.getByText('model-55')).toBeTruthy();
    expect(last(queries)?.page).toBe(1);
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('exports CSV and JSON to the file chosen in the save dialog, written by the shell', async () => {
    const rows = [logEntry()];
    const exports: unknown[] = [];
    let chosen: string | null = '/home/me/taiji.csv';
    answer({
      query_request_log: { entries: rows, total: 1, page: 0, page_size: 50 },
      'plugin:dialog|save': () => chosen,
      export_request_log: (args) => {
        exports.push(args);
        if (args?.['format'] === 'json') throw { kind: 'storage', message: 'could not write /home/me/taiji.json: disk full' };
        return args?.['path'];
      },
    });
    renderView(<LogView />);
    await screen.findByText('gpt-4.1-mini');

    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByText('Saved to /home/me/taiji.csv')).toBeTruthy();
    // The shell gets the path and writes the file; no export text comes back over IPC.
    expect(exports).toEqual([{ format: 'csv', filter: {}, path: '/home/me/taiji.csv' }]);

    chosen = null;
    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledTimes(4));
    expect(exports).toHaveLength(1);

    chosen = '/home/me/taiji.json';
    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The export could not be saved. A file could not be read or written. could not write /home/me/taiji.json: disk full',
    );
  });

  it('opens a detail panel with timings, tokens, points, the error, previews and a curl without the key', async () => {
    const writeText = mockClipboard();
    fakeLog([
      logEntry({
        id: 'req-7',
        status: 'failed',
        error_class: 'quota_exhausted',
        error_message: '积分不足',
        queue_wait_ms: 40,
        first_token_ms: 900,
        duration_ms: 12_345,
        prompt_tokens: 1200,
        completion_tokens: 3400,
        total_tokens: 4600,
        points: 12_000,
        prompt_preview: "it's hi",
        reply_preview: 'hello',
      }),
    ]);
    renderView(<LogView />);
    await screen.findByText('gpt-4.1-mini');
    expect(screen.queryByRole('region', { name: 'Request details' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Details' }));
    const panel = screen.getByRole('region', { name: 'Request details' });
    for (const text of ['req-7', '40 ms', '900 ms', '12.3 s', '1,200', '3,400', '4,600', '12,000', 'quota_exhausted', "it's hi", 'hello']) {
      expect(within(panel).getAllByText(text).length, text).toBeGreaterThan(0);
    }
    expect(within(panel).getByText('积分不足')).toBeTruthy();

    fireEvent.click(within(panel).getByRole('button', { name: 'Copy as curl' }));
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledTimes(1));
    const curl = String(writeText.mock.calls[0]?.[0]);
    expect(curl).toContain("'http://127.0.0.1:8760/v1/chat/completions'");
    expect(curl).toContain('Authorization: Bearer $TAIJI_API_KEY');
    expect(curl).toContain(`"content":"it'\\''s hi"`);
    expect(curl).not.toMatch(/tj-[A-Za-z0-9]/);

    fireEvent.click(screen.getByRole('button', { name: 'Details' }));
    expect(screen.queryByRole('region', { name: 'Request details' })).toBeNull();
  });

  it('says when no previews were kept', async () => {
    fakeLog([logEntry()]);
    renderView(<LogView />);
    await screen.findByText('gpt-4.1-mini');
    fireEvent.click(screen.getByRole('button', { name: 'Details' }));
    expect(screen.getByText(/No previews were kept/)).toBeTruthy();
  });
});
