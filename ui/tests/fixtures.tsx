// Sample payloads shaped like the shell's, and a helper that answers commands from a table.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { vi } from 'vitest';

import type { ApiKeys, LogEntry, ModelCatalog, Settings, StatusSnapshot } from '../src/api';
import { invoke } from './tauriMocks';

type Handler = (args: Record<string, unknown> | undefined) => unknown;

let clipboard: ((text: string) => Promise<void>) | null = null;

/** Commands every test may see without asking for them: the tray's language and the clipboard plugin. */
const BUILT_IN: Record<string, Handler> = {
  set_ui_language: () => null,
  'plugin:clipboard-manager|write_text': (args) => clipboard?.(String(args?.['text'])) ?? null,
};

/** Answers each command with its handler's result (rejecting when the handler throws). */
export function answer(handlers: Record<string, Handler | object | string | null>): void {
  invoke.mockImplementation(async (cmd: string, args?: unknown) => {
    const handler = cmd in handlers ? handlers[cmd] : BUILT_IN[cmd];
    if (handler === undefined) throw new Error(`unexpected command ${cmd}`);
    return typeof handler === 'function' ? (handler as Handler)(args as Record<string, unknown> | undefined) : handler;
  });
}

/** Makes the clipboard plugin's `write_text` a spy. */
export function mockClipboard() {
  const writeText = vi.fn<(text: string) => Promise<void>>().mockResolvedValue(undefined);
  clipboard = writeText;
  return writeText;
}

/** Renders a view inside a fresh query client set up like the app's (src/hooks/queries.ts; not
 * imported here, so that importing the fixtures does not load the API before the test's mocks). */
export function renderView(view: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
  return render(<QueryClientProvider client={client}>{view}</QueryClientProvider>);
}

export function statusSnapshot(overrides: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    gateway: { state: 'needs_login' },
    url: 'http://127.0.0.1:8760',
    account: null,
    login: { state: 'needs_login' },
    sign_in: { state: 'no_account' },
    gauges: { in_flight: 0, queued: 0, limit: 3 },
    credentials: {
      backend: 'file',
      path: '/home/me/.local/share/cn.taiji.gateway/credentials.json',
    },
    data_dir: '/home/me/.local/share/cn.taiji.gateway',
    demo: false,
    site: {
      base_url: 'https://ai.txg2024.xyz',
      app_version: '3.4.0',
      discovery: true,
      proxy: 'system',
      last_event: null,
    },
    ...overrides,
  };
}

export const KEY_DEFAULT = 'tj-AAAAbbbbCCCCddddEEEEffffGGGGhhhh';
export const KEY_CHERRY = 'tj-cherrycherrycherrycherrycherry1';

export function apiKeys(overrides: Partial<ApiKeys> = {}): ApiKeys {
  return {
    required: true,
    keys: [
      { name: 'default', key: KEY_DEFAULT, created_at: '2026-01-02T03:04:05Z' },
      { name: 'cherry', key: KEY_CHERRY, created_at: '2026-01-03T03:04:05Z' },
    ],
    ...overrides,
  };
}

export function logEntry(overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    id: 'req-1',
    started_at: '2026-01-02T03:04:05Z',
    source: { api: 'openai', key_name: 'default', user_agent: 'curl/8' },
    endpoint: '/v1/chat/completions',
    model: 'gpt-4.1-mini',
    stream: true,
    status: 'done',
    http_status: 200,
    error_class: null,
    error_message: null,
    queue_wait_ms: 0,
    first_token_ms: 120,
    duration_ms: 1530,
    prompt_tokens: 12,
    completion_tokens: 34,
    total_tokens: 46,
    points: 300,
    prompt_preview: null,
    reply_preview: null,
    ...overrides,
  };
}

export function catalog(): ModelCatalog {
  const model = (id: string, label: string, group: string, extra: Partial<ModelCatalog['models'][number]> = {}) => ({
    id,
    label,
    group,
    price_points: 300,
    price_text: '300积分',
    multimodal: false,
    thinking: false,
    image_generation: false,
    note: '',
    reasoning_efforts: [],
    ...extra,
  });
  return {
    models: [
      model('gpt-4.1-mini', 'GT-4.1 mini', 'ChatGPT'),
      model('gpt-4o', 'GT-4o', 'ChatGPT', { multimodal: true }),
      model('deepseek-reasoner', 'DS-R1', 'DeepSeek', { thinking: true, price_points: null, price_text: '免费' }),
    ],
    default_model: 'gpt-4.1-mini',
  };
}

export function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    concurrency: 3,
    host: '127.0.0.1',
    port: 8760,
    lan_mode: false,
    keys_required: true,
    previews: { enabled: false, max_bytes: 2048 },
    retention: { max_age_days: 30, max_rows: 100000, max_mb: 200 },
    aliases: { 'claude-sonnet-4-5': 'claude-sonnet-4-6' },
    upstream_base_url: 'https://ai.txg2024.xyz',
    upstream_app_version: '3.4.0',
    upstream_discovery: true,
    upstream_proxy: 'system',
    notifications: { sign_in_failure: true, gateway_error: true, low_points: true, low_points_threshold: 100_000 },
    ...overrides,
  };
}

/** The last element (the app targets ES2021, which has no `Array.prototype.at`). */
export function last<T>(items: readonly T[]): T | undefined {
  return items[items.length - 1];
}
