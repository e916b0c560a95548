import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { invoke, emit, listen, listeners, resetTauriMocks, unlistened } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

// Imported after the mocks so the API layer binds to them.
const { App } = await import('../src/App');

function answerCommands(gatewayState: unknown = 'stopped'): void {
  invoke.mockImplementation(async (cmd: string) => {
    switch (cmd) {
      case 'app_info':
        return { name: 'Taiji Gateway', version: '9.8.7' };
      case 'gateway_state':
        return gatewayState;
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
}

function gatewayCard(): HTMLElement {
  return screen.getByRole('region', { name: 'Gateway' });
}

describe('App', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('shows the version the shell reports', async () => {
    answerCommands();
    render(<App />);
    expect(await screen.findByText('v9.8.7')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Taiji Gateway');
  });

  it('shows the initial gateway status from the gateway_state command', async () => {
    answerCommands('stopped');
    render(<App />);
    expect(await within(gatewayCard()).findByText('Stopped')).toBeTruthy();
  });

  it('follows gateway-state events', async () => {
    answerCommands('stopped');
    render(<App />);
    await within(gatewayCard()).findByText('Stopped');
    expect(listeners.get('gateway-state')?.size).toBe(1);

    act(() => emit('gateway-state', { status: 'running' }));
    expect(within(gatewayCard()).getByText('Running')).toBeTruthy();
    expect(within(gatewayCard()).getByRole('status').dataset['tone']).toBe('running');

    act(() => emit('gateway-state', { status: 'needs_login' }));
    expect(within(gatewayCard()).getByText('Sign-in needed')).toBeTruthy();
  });

  it('lets an event win over a slower initial query', async () => {
    let answer: (status: string) => void = () => undefined;
    invoke.mockImplementation(async (cmd: string) =>
      cmd === 'gateway_state' ? new Promise((resolve) => (answer = resolve)) : { name: 'Taiji Gateway', version: '1.0.0' },
    );
    render(<App />);
    await screen.findByText('v1.0.0');

    act(() => emit('gateway-state', { status: 'running' }));
    await act(async () => answer('stopped'));
    expect(within(gatewayCard()).getByText('Running')).toBeTruthy();
  });

  it('says the status is unavailable when the shell does not answer', async () => {
    invoke.mockRejectedValue(new Error('no shell'));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    render(<App />);
    expect(await within(gatewayCard()).findByText('Unavailable')).toBeTruthy();
  });

  it('stops listening when unmounted', async () => {
    answerCommands();
    const { unmount } = render(<App />);
    await within(gatewayCard()).findByText('Stopped');
    unmount();
    await vi.waitFor(() => expect(unlistened.count).toBe(1));
    expect(listeners.get('gateway-state')?.size).toBe(0);
  });

  it('keeps sign-in disabled until account login exists', async () => {
    answerCommands();
    render(<App />);
    const button = await screen.findByRole('button', { name: 'Sign in' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows a placeholder for sections that are not built yet', async () => {
    answerCommands();
    render(<App />);
    act(() => screen.getByRole('button', { name: /Request log/ }).click());
    expect(screen.getByRole('heading', { level: 2, name: 'Request log' })).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Gateway' })).toBeNull();
  });
});
