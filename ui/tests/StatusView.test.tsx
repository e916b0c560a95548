import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { answer, mockClipboard, statusSnapshot } from './fixtures';
import { emit, invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { App } = await import('../src/App');

/** Waits until the first status snapshot is rendered. */
async function loaded(): Promise<void> {
  await screen.findByRole('region', { name: 'Taiji account' });
}

function gatewayCard(): HTMLElement {
  return screen.getByRole('region', { name: 'Gateway' });
}

function accountCard(): HTMLElement {
  return screen.getByRole('region', { name: 'Taiji account' });
}

describe('StatusView', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('shows the client URLs and copies them', async () => {
    const writeText = mockClipboard();
    answer({ app_info: { name: 'Taiji Gateway', version: '1.0.0' }, status: statusSnapshot({ url: 'http://127.0.0.1:9123' }) });
    render(<App />);
    await loaded();
    expect(await within(gatewayCard()).findByText('http://127.0.0.1:9123/v1')).toBeTruthy();
    expect(within(gatewayCard()).getByText('ANTHROPIC_BASE_URL=http://127.0.0.1:9123')).toBeTruthy();

    fireEvent.click(within(gatewayCard()).getByRole('button', { name: 'Copy OpenAI base URL' }));
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith('http://127.0.0.1:9123/v1'));
    fireEvent.click(within(gatewayCard()).getByRole('button', { name: 'Copy Claude Code' }));
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith('ANTHROPIC_BASE_URL=http://127.0.0.1:9123'));
    expect(await within(gatewayCard()).findAllByText('Copied')).toBeTruthy();
  });

  it('shows the Taiji site in use and its latest move', async () => {
    const site = {
      base_url: 'https://ai.example-new.xyz',
      app_version: '3.5.0',
      discovery: true,
      proxy: 'system',
      last_event: {
        kind: 'moved' as const,
        message: 'the Taiji site moved from https://ai.txg2024.xyz to https://ai.example-new.xyz',
        at: '2026-11-29T21:00:00Z',
      },
    };
    answer({ app_info: { name: 'Taiji Gateway', version: '1.0.0' }, status: statusSnapshot({ site }) });
    render(<App />);
    await loaded();
    const line = await screen.findByText(/the Taiji site moved from/);
    expect(line.textContent).toContain('https://ai.example-new.xyz');
    expect(line.textContent).toContain('3.5.0');
  });

  it('shows a start error and the message when the port is taken', async () => {
    answer({
      app_info: { name: 'Taiji Gateway', version: '1.0.0' },
      status: statusSnapshot({ gateway: { state: 'error', message: 'port 8760 is in use on 127.0.0.1' }, url: null }),
      start_gateway: () => {
        throw { kind: 'gateway', message: 'port 8760 is in use on 127.0.0.1 (port 8761 is free)' };
      },
    });
    render(<App />);
    await loaded();
    expect(await within(gatewayCard()).findByText('Error')).toBeTruthy();
    expect(within(gatewayCard()).getByText('port 8760 is in use on 127.0.0.1')).toBeTruthy();

    fireEvent.click(within(gatewayCard()).getByRole('button', { name: 'Start gateway' }));
    expect(await within(gatewayCard()).findByText(
        'The gateway cannot listen there. port 8760 is in use on 127.0.0.1 (port 8761 is free)',
      )).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith('start_gateway');
  });

  it('stops a listening gateway and shows what the command answers', async () => {
    answer({
      app_info: { name: 'Taiji Gateway', version: '1.0.0' },
      status: statusSnapshot({ gateway: { state: 'running' }, account: 'me' }),
      stop_gateway: statusSnapshot({ gateway: { state: 'stopped' }, url: null, account: 'me' }),
    });
    render(<App />);
    await loaded();
    fireEvent.click(await within(gatewayCard()).findByRole('button', { name: 'Stop gateway' }));
    expect(await within(gatewayCard()).findByText('Stopped')).toBeTruthy();
    expect(within(gatewayCard()).getByRole('button', { name: 'Start gateway' })).toBeTruthy();
  });

  it('signs in, showing a wrong password inline, then the account', async () => {
    const attempts: unknown[] = [];
    answer({
      app_info: { name: 'Taiji Gateway', version: '1.0.0' },
      status: statusSnapshot(),
      login: (args) => {
        attempts.push(args);
        if (args?.['password'] !== 'right') throw { kind: 'invalid_credentials', message: 'the upstream rejected the login: 账号或密码错误' };
        return { account: '13800000000', login: { state: 'needs_login' } };
      },
    });
    render(<App />);
    await loaded();
    const form = await within(accountCard()).findByRole('form', { name: 'Sign in' });
    fireEvent.change(within(form).getByLabelText('Account'), { target: { value: '13800000000' } });
    fireEvent.change(within(form).getByLabelText('Password'), { target: { value: 'wrong' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Sign in' }));
    expect(await within(form).findByRole('alert')).toHaveProperty('textContent', 'Wrong account or password.');

    fireEvent.change(within(form).getByLabelText('Password'), { target: { value: 'right' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Sign in' }));
    await vi.waitFor(() => expect(attempts).toHaveLength(2));
    expect(attempts[1]).toEqual({ account: '13800000000', password: 'right' });

    act(() => emit('account-state', { account: '13800000000', login: { state: 'needs_login' } }));
    act(() => emit('gateway-state', { status: { state: 'running' }, url: 'http://127.0.0.1:8760' }));
    expect(within(accountCard()).getByText('13800000000')).toBeTruthy();
    expect(within(accountCard()).getByRole('button', { name: 'Sign out' })).toBeTruthy();
    expect(within(gatewayCard()).getByText('Running')).toBeTruthy();
  });

  it('tries the app without an account in demo mode, labelled DEMO, and leaves it again', async () => {
    answer({
      app_info: { name: 'Taiji Gateway', version: '1.0.0' },
      status: statusSnapshot({ gateway: { state: 'needs_login' } }),
      enter_demo: () =>
        statusSnapshot({ gateway: { state: 'running' }, account: '13800000000', demo: true }),
      leave_demo: () => statusSnapshot({ gateway: { state: 'needs_login' }, demo: false }),
    });
    render(<App />);
    await loaded();
    expect(screen.queryByText('DEMO')).toBeNull();

    fireEvent.click(within(accountCard()).getByRole('button', { name: 'Try without an account' }));
    const demoCard = await screen.findByRole('region', { name: 'Demo mode DEMO' });
    expect(within(demoCard).getByRole('button', { name: 'Leave demo mode' })).toBeTruthy();
    expect(screen.getAllByText('DEMO').length).toBeGreaterThanOrEqual(2);
    expect(within(demoCard).getByText('Demo account 13800000000 (simulator)')).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Sign in' })).toBeNull();

    fireEvent.click(within(demoCard).getByRole('button', { name: 'Leave demo mode' }));
    expect(await screen.findByRole('button', { name: 'Try without an account' })).toBeTruthy();
    expect(screen.queryByText('DEMO')).toBeNull();
  });

  it('says since when the site is unreachable while the app signs in in the background', async () => {
    answer({
      app_info: { name: 'Taiji Gateway', version: '1.0.0' },
      status: statusSnapshot({ account: '13800000000' }),
    });
    render(<App />);
    await loaded();
    const next = new Date(Date.now() + 30_000).toISOString();
    act(() =>
      emit('account-state', {
        account: '13800000000',
        login: { state: 'login_failed', class: 'transport', message: 'connection refused' },
        sign_in: { state: 'unreachable', since: '2026-01-02T03:04:05Z', next_attempt_at: next, failures: 3, reason: 'connection refused' },
      }),
    );
    expect(await within(accountCard()).findByText(/The Taiji site has been unreachable since .*; next try in \d+ s/)).toBeTruthy();

    act(() =>
      emit('account-state', {
        account: '13800000000',
        login: { state: 'logged_in', user_id: 1, expires_at: null },
        sign_in: { state: 'signed_in', since: '2026-01-02T03:05:00Z' },
      }),
    );
    expect(within(accountCard()).queryByText(/unreachable/)).toBeNull();
  });

  it('explains a network failure while signing in', async () => {
    answer({
      app_info: { name: 'Taiji Gateway', version: '1.0.0' },
      status: statusSnapshot(),
      login: () => {
        throw { kind: 'network', message: 'connection refused' };
      },
    });
    render(<App />);
    await loaded();
    const form = await within(accountCard()).findByRole('form', { name: 'Sign in' });
    fireEvent.change(within(form).getByLabelText('Account'), { target: { value: 'me' } });
    fireEvent.change(within(form).getByLabelText('Password'), { target: { value: 'pw' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Sign in' }));
    expect((await within(form).findByRole('alert')).textContent).toMatch(/Could not reach the Taiji site/);
  });

  it('says plainly when credentials are kept in a private file, and signs out', async () => {
    answer({
      app_info: { name: 'Taiji Gateway', version: '1.0.0' },
      status: statusSnapshot({ account: 'me', gateway: { state: 'running' } }),
      logout: null,
    });
    render(<App />);
    await loaded();
    expect(await within(accountCard()).findByText(/kept in a private file/)).toBeTruthy();
    expect(within(accountCard()).getByText('/home/me/.local/share/cn.taiji.gateway/credentials.json')).toBeTruthy();
    fireEvent.click(within(accountCard()).getByRole('button', { name: 'Sign out' }));
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith('logout'));
  });

  it('shows live gauges', async () => {
    answer({ app_info: { name: 'Taiji Gateway', version: '1.0.0' }, status: statusSnapshot() });
    render(<App />);
    await loaded();
    const gauges = await screen.findByRole('region', { name: 'Requests' });
    act(() => emit('admission-gauges', { in_flight: 2, queued: 5, limit: 3 }));
    expect(within(gauges).getByText('In flight').nextElementSibling?.textContent).toBe('2');
    expect(within(gauges).getByText('Queued').nextElementSibling?.textContent).toBe('5');
    expect(within(gauges).getByText('Limit').nextElementSibling?.textContent).toBe('3');
  });

  it('says the status is unavailable when the shell does not answer', async () => {
    invoke.mockRejectedValue(new Error('no shell'));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    render(<App />);
    expect(await within(gatewayCard()).findByText('Unavailable')).toBeTruthy();
  });
});
