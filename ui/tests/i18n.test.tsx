import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { answer, apiKeys, catalog, settings, statusSnapshot } from './fixtures';
import { preferences } from './storeMock';
import { invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { App } = await import('../src/App');
const { changeLanguage, describeError, initialLanguage, languageFromLocale } = await import('../src/i18n');
const { CommandError } = await import('../src/api');
const { changeTheme } = await import('../src/theme');
const { en } = await import('../src/locales/en');
const { zhCN } = await import('../src/locales/zh-CN');

function answerAll(): void {
  answer({
    app_info: { name: 'Taiji Gateway', version: '1.2.3' },
    status: statusSnapshot(),
    list_api_keys: apiKeys(),
    query_request_log: { entries: [], total: 0, page: 0, page_size: 50 },
    list_models: catalog(),
    get_settings: settings(),
    autostart: () => true,
  });
}

/** Every key path of a catalog, e.g. `log.statuses.done`. */
function keyPaths(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) =>
    typeof child === 'object' && child !== null ? keyPaths(child as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

describe('languages', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('picks Simplified Chinese for any Chinese locale and English otherwise, unless one was saved', () => {
    expect(languageFromLocale('zh-CN')).toBe('zh-CN');
    expect(languageFromLocale('zh-Hans-SG')).toBe('zh-CN');
    expect(languageFromLocale('zh-TW')).toBe('zh-CN');
    expect(languageFromLocale('en-US')).toBe('en');
    expect(languageFromLocale('de')).toBe('en');
    expect(languageFromLocale(undefined)).toBe('en');
    expect(initialLanguage('zh-CN')).toBe('zh-CN');
    expect(initialLanguage('fr')).toBe(languageFromLocale(navigator.language));
  });

  it('has the same keys, each translated, in both catalogs', () => {
    expect(keyPaths(zhCN).sort()).toEqual(keyPaths(en).sort());
    const english = new Map(keyPaths(en).map((path) => [path, path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], en)]));
    const untranslated = keyPaths(zhCN).filter((path) => {
      const value = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], zhCN);
      return value === english.get(path) && /[a-z]{4,}/.test(String(value)) && !path.startsWith('languages.');
    });
    // Names and placeholders that stay as they are in Chinese.
    expect(untranslated.sort()).toEqual(['app.version', 'settings.proxyPlaceholder', 'status.claudeCode']);
  });

  it('renders in Chinese and switches to English live from Settings, telling the tray and saving the choice', async () => {
    answerAll();
    await act(() => changeLanguage('zh-CN', false));
    render(<App />);
    const nav = screen.getByRole('navigation', { name: '栏目' });
    expect(within(nav).getByRole('button', { name: '请求日志' })).toBeTruthy();
    fireEvent.click(within(nav).getByRole('button', { name: '设置' }));
    expect(await screen.findByRole('heading', { name: '设置', level: 2 })).toBeTruthy();
    expect(screen.getByRole('heading', { name: '语言与外观' })).toBeTruthy();

    fireEvent.change(screen.getByLabelText('语言'), { target: { value: 'en' } });
    expect(await screen.findByRole('heading', { name: 'Settings', level: 2 })).toBeTruthy();
    expect(within(screen.getByRole('navigation', { name: 'Sections' })).getByRole('button', { name: 'Request log' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('en');
    await vi.waitFor(() => expect(preferences().get('language')).toBe('en'));
    expect(invoke).toHaveBeenCalledWith('set_ui_language', { language: 'en' });
  });

  it('translates a command error by its kind and keeps the site’s own words', () => {
    expect(describeError(new CommandError('network', 'connection refused'))).toBe('Could not reach the Taiji site. connection refused');
    expect(describeError(new CommandError('upstream', '积分不足，请充值'))).toBe('积分不足，请充值');
    void changeLanguage('zh-CN', false);
    expect(describeError(new CommandError('gateway', 'port 8760 is in use'))).toBe('网关无法在该地址上监听。 port 8760 is in use');
    expect(describeError(new CommandError('not_signed_in', ''))).toBe('请先登录太极账号。');
  });
});

describe('theme', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('switches between light and dark from Settings and remembers it', async () => {
    answerAll();
    render(<App initialSection="settings" />);
    const theme = await screen.findByLabelText('Theme');
    fireEvent.change(theme, { target: { value: 'dark' } });
    expect(document.documentElement.dataset['theme']).toBe('dark');
    fireEvent.change(theme, { target: { value: 'light' } });
    expect(document.documentElement.dataset['theme']).toBe('light');
    await vi.waitFor(() => expect(preferences().get('theme')).toBe('light'));
  });

  it('follows the system while "system" is chosen', async () => {
    let listener: (() => void) | null = null;
    const query = { matches: true, addEventListener: (_: string, fn: () => void) => (listener = fn), removeEventListener: vi.fn() };
    vi.stubGlobal('matchMedia', () => query);
    await changeTheme('system', false);
    expect(document.documentElement.dataset['theme']).toBe('dark');
    query.matches = false;
    (listener as (() => void) | null)?.();
    expect(document.documentElement.dataset['theme']).toBe('light');
    await changeTheme('dark', false);
    expect(query.removeEventListener).toHaveBeenCalled();
    vi.unstubAllGlobals();
  });

  it('opens the view the user had open last, and remembers the next one', async () => {
    answerAll();
    render(<App initialSection="models" />);
    expect(await screen.findByRole('heading', { name: 'Models', level: 2 })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'API keys' }));
    await vi.waitFor(() => expect(preferences().get('lastView')).toBe('keys'));
  });
});
