// Runs before every test file: the store plugin is replaced by an in-memory fake (the real one
// needs the shell), and every test starts in English with the light theme.
import { notifyManager } from '@tanstack/react-query';
import { beforeEach, vi } from 'vitest';

import { stores } from './storeMock';

vi.mock('@tauri-apps/plugin-store', () => import('./storeMock'));

// TanStack Query batches cache notifications into a later tick; delivering them at once lets a
// test's `act(() => emit(...))` see the shell event's effect right after it, as users do.
notifyManager.setScheduler((callback) => callback());

beforeEach(async () => {
  // Emptied, not dropped: the UI keeps the store it loaded for the whole run.
  for (const store of stores.values()) store.clear();
  const { i18n } = await import('../src/i18n');
  await i18n.changeLanguage('en');
  document.documentElement.lang = 'en';
  delete document.documentElement.dataset['theme'];
});
