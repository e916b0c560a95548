// The Chat view in the main window's navigation, and alone in the shell's chat window (`#chat`).
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { FakeChannel, FakeChatCore } from './chatFake';
import { apiKeys, settings, statusSnapshot } from './fixtures';
import { invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke, Channel: FakeChannel }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { App } = await import('../src/App');

function shell(): FakeChatCore {
  const core = new FakeChatCore({
    app_info: { name: 'Taiji Gateway', version: '9.8.7' },
    status: statusSnapshot(),
    list_api_keys: apiKeys(),
    get_settings: settings(),
  });
  core.add('Weekend plans', [{ role: 'user', content: 'Any ideas?' }]);
  return core;
}

describe('chat window', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
    window.location.hash = '';
  });

  it('is a section of the main window', async () => {
    shell();
    render(<App />);
    const nav = screen.getByRole('navigation', { name: 'Sections' });
    act(() => within(nav).getByRole('button', { name: 'Chat' }).click());
    expect(await screen.findByRole('heading', { level: 2, name: 'Weekend plans' }, { timeout: 5000 })).toBeTruthy();
    expect(within(nav).getByRole('button', { name: 'Chat' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows only the Chat view in the #chat window', async () => {
    window.location.hash = '#chat';
    shell();
    render(<App initialSection="keys" />);
    expect(await screen.findByRole('heading', { level: 2, name: 'Weekend plans' }, { timeout: 5000 })).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Sections' })).toBeNull();
    // Nor the main window's header.
    expect(screen.queryByRole('heading', { level: 1 })).toBeNull();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeTruthy();
  });

  it('titles the #chat window as the chat, in the UI language', async () => {
    window.location.hash = '#chat';
    shell();
    const { changeLanguage } = await import('../src/i18n');
    await changeLanguage('zh-CN', false);
    expect(document.title).toBe('太极网关 · 对话');
    window.location.hash = '';
    await changeLanguage('en', false);
    expect(document.title).toBe('Taiji Gateway');
  });
});
