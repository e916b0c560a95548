import { beforeEach, describe, expect, it, vi } from 'vitest';

import { preferences } from './storeMock';
import { emit, invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const api = await import('../src/api');

describe('api', () => {
  beforeEach(() => {
    resetTauriMocks();
  });

  it('getAppInfo invokes the app_info command', async () => {
    invoke.mockResolvedValue({ name: 'Taiji Gateway', version: '0.1.0' });
    await expect(api.getAppInfo()).resolves.toEqual({ name: 'Taiji Gateway', version: '0.1.0' });
    expect(invoke).toHaveBeenCalledWith('app_info');
  });

  it('passes snake_case arguments the shell expects', async () => {
    invoke.mockResolvedValue({ entries: [], total: 0, page: 2, page_size: 25 });
    await api.queryRequestLog({ model: 'gpt-4o' }, 2, 25);
    expect(invoke).toHaveBeenCalledWith('query_request_log', { filter: { model: 'gpt-4o' }, page: 2, page_size: 25 });

    invoke.mockResolvedValue({});
    await api.updateSettings({ port: 9000 });
    expect(invoke).toHaveBeenLastCalledWith('update_settings', { patch: { port: 9000 } });

    await api.login('13800000000', 'secret');
    expect(invoke).toHaveBeenLastCalledWith('login', { account: '13800000000', password: 'secret' });
  });

  it('turns a shell rejection into a CommandError with kind and message', async () => {
    invoke.mockRejectedValue({ kind: 'invalid_credentials', message: 'the upstream rejected the login' });
    const error = await api.login('a', 'b').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(api.CommandError);
    expect(error).toMatchObject({ kind: 'invalid_credentials', message: 'the upstream rejected the login' });
  });

  it('calls a failure to reach the shell unavailable', async () => {
    invoke.mockRejectedValue(new Error('no IPC'));
    await expect(api.getStatus()).rejects.toMatchObject({ kind: 'unavailable', message: 'no IPC' });
  });

  it('onGatewayState listens to gateway-state and passes the payload on', async () => {
    const seen: unknown[] = [];
    await api.onGatewayState((event) => seen.push(event.status.state));
    expect(listen).toHaveBeenCalledWith('gateway-state', expect.any(Function));

    emit('gateway-state', { status: { state: 'error', message: 'port in use' }, url: null });
    emit('something-else', { status: { state: 'running' }, url: null });
    expect(seen).toEqual(['error']);
  });

  it('reads back saved preferences and drops values of the wrong shape', async () => {
    await api.savePreference('language', 'zh-CN');
    await api.savePreference('theme', 'dark');
    await api.savePreference('windowSize', { width: 900, height: 640 });
    await expect(api.loadPreferences()).resolves.toEqual({ language: 'zh-CN', theme: 'dark', windowSize: { width: 900, height: 640 } });
    preferences().set('theme', 'purple');
    preferences().set('windowSize', { width: -1, height: 'tall' });
    await expect(api.loadPreferences()).resolves.toEqual({ language: 'zh-CN' });
  });
});
