import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { answer, apiKeys, KEY_CHERRY, KEY_DEFAULT, mockClipboard, renderView } from './fixtures';
import { emit, invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { KeysView } = await import('../src/views/KeysView');

function row(name: string): HTMLElement {
  const header = screen.getByRole('rowheader', { name });
  const element = header.closest('tr');
  if (element === null) throw new Error(`no row for ${name}`);
  return element;
}

describe('KeysView', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('shows keys masked, reveals and copies them', async () => {
    const writeText = mockClipboard();
    answer({ list_api_keys: apiKeys() });
    renderView(<KeysView />);
    await screen.findByRole('rowheader', { name: 'default' });

    const shown = screen.getByTestId('key-default');
    expect(shown.textContent).not.toBe(KEY_DEFAULT);
    expect(shown.textContent?.endsWith(KEY_DEFAULT.slice(-4))).toBe(true);
    expect(document.body.textContent).not.toContain(KEY_CHERRY);

    fireEvent.click(within(row('default')).getByRole('button', { name: 'Show default' }));
    expect(screen.getByTestId('key-default').textContent).toBe(KEY_DEFAULT);
    fireEvent.click(within(row('default')).getByRole('button', { name: 'Hide default' }));
    expect(screen.getByTestId('key-default').textContent).not.toBe(KEY_DEFAULT);

    fireEvent.click(within(row('cherry')).getByRole('button', { name: 'Copy cherry' }));
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith(KEY_CHERRY));
  });

  it('adds a key and shows a refused name inline', async () => {
    let keys = apiKeys();
    answer({
      list_api_keys: () => keys,
      add_api_key: (args) => {
        if (args?.['name'] === 'cherry') throw { kind: 'invalid', message: 'an API key named `cherry` already exists' };
        const added = { name: String(args?.['name']), key: 'tj-newnewnewnewnewnewnewnewnewnew12', created_at: '2026-02-01T00:00:00Z' };
        keys = { ...keys, keys: [...keys.keys, added] };
        return added;
      },
    });
    renderView(<KeysView />);
    const form = await screen.findByRole('form', { name: 'Add a key' });
    fireEvent.change(within(form).getByPlaceholderText('e.g. cherry-studio'), { target: { value: 'cherry' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add key' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('already exists');

    fireEvent.change(within(form).getByPlaceholderText('e.g. cherry-studio'), { target: { value: 'claude-code' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add key' }));
    expect(await screen.findByRole('rowheader', { name: 'claude-code' })).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith('add_api_key', { name: 'claude-code' });
  });

  it('regenerates only after confirming', async () => {
    answer({
      list_api_keys: apiKeys(),
      regenerate_api_key: { name: 'cherry', key: 'tj-x', created_at: '2026-02-01T00:00:00Z' },
    });
    renderView(<KeysView />);
    await screen.findByRole('rowheader', { name: 'cherry' });
    fireEvent.click(within(row('cherry')).getByRole('button', { name: 'Regenerate' }));
    expect(invoke).not.toHaveBeenCalledWith('regenerate_api_key', expect.anything());
    fireEvent.click(within(row('cherry')).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(row('cherry')).getByRole('button', { name: 'Regenerate' }));
    fireEvent.click(within(row('cherry')).getByRole('button', { name: 'Yes' }));
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith('regenerate_api_key', { name: 'cherry' }));
    expect(await screen.findByText('“cherry” has a new key.')).toBeTruthy();
  });

  it('does not offer removing the last key while keys are required', async () => {
    answer({ list_api_keys: apiKeys({ keys: apiKeys().keys.slice(0, 1) }) });
    renderView(<KeysView />);
    await screen.findByRole('rowheader', { name: 'default' });
    expect((within(row('default')).getByRole('button', { name: 'Remove' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/This is the last key/)).toBeTruthy();
  });

  it('removes a key after confirming and shows a refusal from the shell', async () => {
    answer({
      list_api_keys: apiKeys(),
      remove_api_key: () => {
        throw { kind: 'invalid', message: 'invalid settings: access.api_keys: API keys are required but none exists' };
      },
    });
    renderView(<KeysView />);
    await screen.findByRole('rowheader', { name: 'cherry' });
    fireEvent.click(within(row('cherry')).getByRole('button', { name: 'Remove' }));
    fireEvent.click(within(row('cherry')).getByRole('button', { name: 'Yes' }));
    expect((await screen.findByRole('alert')).textContent).toContain('API keys are required');
  });

  it('switches the key requirement and shows why it is refused', async () => {
    answer({
      list_api_keys: apiKeys(),
      set_keys_required: () => {
        throw { kind: 'invalid', message: 'access.lan_mode: LAN mode requires API keys' };
      },
    });
    renderView(<KeysView />);
    const toggle = await screen.findByRole('switch', { name: 'Require an API key' });
    expect((toggle as HTMLInputElement).checked).toBe(true);
    fireEvent.click(toggle);
    expect((await screen.findByRole('alert')).textContent).toContain('LAN mode requires API keys');
    expect(invoke).toHaveBeenCalledWith('set_keys_required', { required: false });
  });

  it('reloads when the settings change elsewhere', async () => {
    let keys = apiKeys();
    answer({ list_api_keys: () => keys });
    renderView(<KeysView />);
    await screen.findByRole('rowheader', { name: 'cherry' });
    keys = apiKeys({ keys: keys.keys.slice(0, 1) });
    emit('settings-changed', {});
    await vi.waitFor(() => expect(screen.queryByRole('rowheader', { name: 'cherry' })).toBeNull());
  });
});
