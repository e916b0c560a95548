import { beforeEach, describe, expect, it, vi } from 'vitest';

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

  it('getGatewayStatus invokes the gateway_state command', async () => {
    invoke.mockResolvedValue('running');
    await expect(api.getGatewayStatus()).resolves.toBe('running');
    expect(invoke).toHaveBeenCalledWith('gateway_state');
  });

  it('onGatewayState listens to gateway-state and passes on the status only', async () => {
    const seen: string[] = [];
    await api.onGatewayState((status) => seen.push(status));
    expect(listen).toHaveBeenCalledWith('gateway-state', expect.any(Function));

    emit('gateway-state', { status: 'error' });
    emit('something-else', { status: 'running' });
    expect(seen).toEqual(['error']);
  });
});
