import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { answer, apiKeys, catalog, settings, statusSnapshot } from './fixtures';
import { emit, invoke, listen, resetTauriMocks, unlistened } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

// Imported after the mocks so the API layer binds to them.
const { App } = await import('../src/App');

function answerAll(): void {
  answer({
    app_info: { name: 'Taiji Gateway', version: '9.8.7' },
    status: statusSnapshot(),
    list_api_keys: apiKeys(),
    query_request_log: { entries: [], total: 0, page: 0, page_size: 50 },
    list_models: catalog(),
    get_settings: settings(),
  });
}

describe('App', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('shows the version and the gateway status in the header', async () => {
    answerAll();
    render(<App />);
    expect(await screen.findByText('v9.8.7')).toBeTruthy();
    const header = screen.getByRole('banner');
    expect(within(header).getByRole('heading', { level: 1 }).textContent).toBe('Taiji Gateway');
    expect(await within(header).findByText('Sign-in needed')).toBeTruthy();

    act(() => emit('gateway-state', { status: { state: 'running' }, url: 'http://127.0.0.1:8760' }));
    expect(within(header).getByText('Running')).toBeTruthy();
  });

  it('switches between the five views', async () => {
    answerAll();
    render(<App />);
    const nav = screen.getByRole('navigation', { name: 'Sections' });
    for (const [button, heading] of [
      ['API keys', 'API keys'],
      ['Request log', 'Request log'],
      ['Models', 'Models'],
      ['Settings', 'Settings'],
    ] as const) {
      act(() => within(nav).getByRole('button', { name: button }).click());
      expect(await screen.findByRole('heading', { level: 2, name: new RegExp(heading) })).toBeTruthy();
      expect(within(nav).getByRole('button', { name: button }).getAttribute('aria-current')).toBe('page');
    }
    act(() => within(nav).getByRole('button', { name: 'Status' }).click());
    expect(await screen.findByRole('region', { name: 'Gateway' })).toBeTruthy();
  });

  it('stops listening to shell events when unmounted', async () => {
    answerAll();
    const { unmount } = render(<App />);
    await screen.findByText('v9.8.7');
    await vi.waitFor(() => expect(listen).toHaveBeenCalledWith('admission-gauges', expect.any(Function)));
    const subscribed = listen.mock.calls.length;
    unmount();
    await vi.waitFor(() => expect(unlistened.count).toBe(subscribed));
  });
});
