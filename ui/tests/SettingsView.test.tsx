import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Settings, SettingsPatch } from '../src/api';
import { answer, last, settings, renderView } from './fixtures';
import { invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { SettingsView } = await import('../src/views/SettingsView');

/** A shell whose update applies the patch, unless `refuse` says why not. */
function fakeSettings(refuse: (patch: SettingsPatch) => string | null = () => null) {
  let current: Settings = settings();
  const patches: SettingsPatch[] = [];
  answer({
    get_settings: () => current,
    update_settings: (args) => {
      const patch = args?.['patch'] as SettingsPatch;
      patches.push(patch);
      const refusal = refuse(patch);
      if (refusal !== null) throw { kind: 'gateway', message: refusal };
      current = { ...current, ...patch };
      return current;
    },
    get_chat_shortcut: () => shortcut,
    set_chat_shortcut: (args) => {
      const next = args?.['shortcut'] as string | null;
      if (next === 'Nonsense') throw { kind: 'invalid', message: 'cannot use the shortcut `Nonsense`' };
      shortcut = next;
      return null;
    },
  });
  return patches;
}

let shortcut: string | null = null;

function card(name: string): HTMLElement {
  return screen.getByRole('form', { name });
}

describe('SettingsView', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('saves concurrency on its own', async () => {
    const patches = fakeSettings();
    renderView(<SettingsView />);
    const concurrency = await screen.findByLabelText('Requests at once');
    expect((concurrency as HTMLInputElement).value).toBe('3');
    fireEvent.change(concurrency, { target: { value: '6' } });
    fireEvent.click(within(card('Concurrency')).getByRole('button', { name: 'Save' }));
    expect(await within(card('Concurrency')).findByText('Saved')).toBeTruthy();
    expect(patches).toEqual([{ concurrency: 6 }]);
  });

  it('validates numbers inline and never shows "Saved" next to a value that differs from the saved one', async () => {
    const patches = fakeSettings();
    renderView(<SettingsView />);
    const concurrency = await screen.findByLabelText('Requests at once');
    const save = within(card('Concurrency')).getByRole('button', { name: 'Save' }) as HTMLButtonElement;

    fireEvent.change(concurrency, { target: { value: '65' } });
    expect(within(card('Concurrency')).getByRole('alert').textContent).toBe('Enter a whole number from 1 to 64.');
    expect(save.disabled).toBe(true);

    fireEvent.change(concurrency, { target: { value: '5' } });
    expect(within(card('Concurrency')).queryByRole('alert')).toBeNull();
    fireEvent.click(save);
    expect(await within(card('Concurrency')).findByText('Saved')).toBeTruthy();

    // Editing again (to something invalid, then valid but different) takes "Saved" away.
    fireEvent.change(concurrency, { target: { value: '0' } });
    expect(within(card('Concurrency')).queryByText('Saved')).toBeNull();
    fireEvent.change(concurrency, { target: { value: '7' } });
    expect(within(card('Concurrency')).queryByText('Saved')).toBeNull();
    // Back to the saved value: it is saved, and says so.
    fireEvent.change(concurrency, { target: { value: '5' } });
    expect(within(card('Concurrency')).getByText('Saved')).toBeTruthy();
    expect(patches).toEqual([{ concurrency: 5 }]);

    fireEvent.change(screen.getByLabelText('At most (requests)'), { target: { value: '1.5' } });
    expect(within(card('History')).getByRole('alert').textContent).toBe('Enter a whole number of at least 100.');
  });

  it('shows large numbers with thousands separators beside their inputs, in both languages', async () => {
    fakeSettings();
    renderView(<SettingsView />);
    const rows = await screen.findByLabelText('At most (requests)');
    expect((rows as HTMLInputElement).value).toBe('100000');
    const hint = document.getElementById(rows.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toBe('100,000');
    const threshold = screen.getByLabelText('Low-points threshold');
    fireEvent.change(threshold, { target: { value: '2500000' } });
    expect(document.getElementById(threshold.getAttribute('aria-describedby') ?? '')?.textContent).toBe('2,500,000');
    // Small numbers and ports need no grouping.
    expect(screen.getByLabelText('Requests at once').getAttribute('aria-describedby')).toBeNull();
    fireEvent.change(screen.getByLabelText('Keep for (days)'), { target: { value: '9999' } });
    expect(screen.getByText('9,999')).toBeTruthy();

    const { changeLanguage } = await import('../src/i18n');
    await changeLanguage('zh-CN', false);
    try {
      const zhRows = await screen.findByLabelText('最多请求数');
      expect(document.getElementById(zhRows.getAttribute('aria-describedby') ?? '')?.textContent).toBe('100,000');
    } finally {
      await changeLanguage('en', false);
    }
  });

  it('turns start at login on and off from Settings, or says it is not available', async () => {
    let enabled = false;
    answer({
      get_settings: settings(),
      autostart: () => enabled,
      set_autostart: (args) => {
        enabled = args?.['enabled'] === true;
        return enabled;
      },
    });
    renderView(<SettingsView />);
    const toggle = await screen.findByRole('switch', { name: 'Start Taiji Gateway when I log in' });
    await vi.waitFor(() => expect((toggle as HTMLInputElement).disabled).toBe(false));
    fireEvent.click(toggle);
    await vi.waitFor(() => expect((toggle as HTMLInputElement).checked).toBe(true));
    expect(invoke).toHaveBeenCalledWith('set_autostart', { enabled: true });
    cleanup();

    answer({
      get_settings: settings(),
      autostart: () => {
        throw { kind: 'unsupported', message: 'starting at login is not available here' };
      },
    });
    renderView(<SettingsView />);
    expect(await screen.findByText('Starting at login is not available on this system.')).toBeTruthy();
  });

  it('shows a failed move of the listener next to the address and keeps the draft', async () => {
    const patches = fakeSettings((patch) => (patch.port === 8761 ? 'port 8761 is in use on 127.0.0.1' : null));
    renderView(<SettingsView />);
    const port = await screen.findByLabelText('Port');
    fireEvent.change(port, { target: { value: '8761' } });
    fireEvent.click(within(card('Address')).getByRole('button', { name: 'Save' }));
    expect((await within(card('Address')).findByRole('alert')).textContent).toBe(
      'The gateway cannot listen there. port 8761 is in use on 127.0.0.1',
    );
    expect((screen.getByLabelText('Port') as HTMLInputElement).value).toBe('8761');
    expect(patches).toEqual([{ host: '127.0.0.1', port: 8761 }]);
    expect(screen.queryByRole('alert', { name: /Concurrency/ })).toBeNull();
  });

  it('turns LAN mode on with a warning, showing a refusal inline', async () => {
    fakeSettings(() => 'LAN mode requires API keys');
    renderView(<SettingsView />);
    expect(await screen.findByText(/other devices on your network can reach the gateway/)).toBeTruthy();
    fireEvent.click(screen.getByRole('switch', { name: 'Allow other devices on the network' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The gateway cannot listen there. LAN mode requires API keys');
    expect(invoke).toHaveBeenCalledWith('update_settings', { patch: { lan_mode: true } });
  });

  it('saves previews and retention', async () => {
    const patches = fakeSettings();
    renderView(<SettingsView />);
    fireEvent.click(await screen.findByRole('switch', { name: /Keep previews/ }));
    fireEvent.click(within(card('Privacy')).getByRole('button', { name: 'Save' }));
    await within(card('Privacy')).findByText('Saved');
    fireEvent.change(screen.getByLabelText('Keep for (days)'), { target: { value: '7' } });
    fireEvent.click(within(card('History')).getByRole('button', { name: 'Save' }));
    await within(card('History')).findByText('Saved');
    expect(patches).toEqual([
      { previews: { enabled: true, max_bytes: 2048 } },
      { retention: { max_age_days: 7, max_rows: 100000, max_mb: 200 } },
    ]);
  });

  it('edits model aliases: change, add and remove rows', async () => {
    const patches = fakeSettings();
    renderView(<SettingsView />);
    const aliases = await screen.findByRole('form', { name: 'Model aliases' });
    expect((within(aliases).getByLabelText('Alias 1') as HTMLInputElement).value).toBe('claude-sonnet-4-5');
    fireEvent.change(within(aliases).getByLabelText('Model id 1'), { target: { value: 'gpt-5-all' } });
    fireEvent.click(within(aliases).getByRole('button', { name: 'Add alias' }));
    fireEvent.change(within(aliases).getByLabelText('Alias 2'), { target: { value: 'fast' } });
    fireEvent.change(within(aliases).getByLabelText('Model id 2'), { target: { value: 'gpt-4.1-mini' } });
    fireEvent.click(within(aliases).getByRole('button', { name: 'Save' }));
    await within(aliases).findByText('Saved');
    expect(last(patches)).toEqual({ aliases: { 'claude-sonnet-4-5': 'gpt-5-all', fast: 'gpt-4.1-mini' } });

    fireEvent.click(within(aliases).getByRole('button', { name: 'Remove claude-sonnet-4-5' }));
    fireEvent.click(within(aliases).getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(last(patches)).toEqual({ aliases: { fast: 'gpt-4.1-mini' } }));
  });

  it('saves the proxy, shows the site and checks the connection', async () => {
    const patches: SettingsPatch[] = [];
    answer({
      get_settings: settings(),
      update_settings: (args) => {
        const patch = args?.['patch'] as SettingsPatch;
        patches.push(patch);
        return { ...settings(), ...patch };
      },
      check_connection: () => ({
        ok: false,
        origin: 'https://ai.txg2024.xyz',
        proxy: 'socks5://***:***@127.0.0.1:1080',
        error: 'proxy refused',
      }),
    });
    renderView(<SettingsView />);
    const upstream = await screen.findByRole('form', { name: 'Taiji site and proxy' });
    expect(upstream.textContent).toContain('https://ai.txg2024.xyz');
    expect(upstream.textContent).toContain('3.4.0');
    fireEvent.change(within(upstream).getByLabelText('Proxy'), { target: { value: ' socks5://u:p@127.0.0.1:1080 ' } });
    fireEvent.click(within(upstream).getByRole('button', { name: 'Save' }));
    expect(await within(upstream).findByText('Saved')).toBeTruthy();
    expect(last(patches)).toEqual({ upstream_proxy: 'socks5://u:p@127.0.0.1:1080', upstream_discovery: true });
    fireEvent.click(within(upstream).getByRole('button', { name: 'Check connection' }));
    expect((await within(upstream).findByText(/Cannot reach the site/)).textContent).toContain('proxy refused');
  });
  it('sets, refuses and clears the chat window\'s global shortcut', async () => {
    shortcut = null;
    fakeSettings();
    renderView(<SettingsView />);
    const form = await screen.findByRole('form', { name: 'Chat shortcut' });
    const input = within(form).getByLabelText('Global shortcut that opens the chat window') as HTMLInputElement;
    await waitFor(() => expect(input.disabled).toBe(false));
    fireEvent.change(input, { target: { value: 'Nonsense' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('Nonsense');
    fireEvent.change(input, { target: { value: ' Alt+K ' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText('Saved')).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith('set_chat_shortcut', { shortcut: 'Alt+K' });
    fireEvent.click(within(form).getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(input.value).toBe(''));
    expect(invoke).toHaveBeenCalledWith('set_chat_shortcut', { shortcut: null });
  });
});
