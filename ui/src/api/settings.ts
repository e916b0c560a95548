// Settings: read, change (validated and applied live by the core), and their change events.
import type { UnlistenFn } from '@tauri-apps/api/event';

import { call, subscribe } from './client';
import { SETTINGS_CHANGED_EVENT } from './events';
import type { ConnectionCheck, Settings, SettingsPatch } from './types';

export function getSettings(): Promise<Settings> {
  return call('get_settings');
}

export function updateSettings(patch: SettingsPatch): Promise<Settings> {
  return call('update_settings', { patch });
}

/** One cheap call to the Taiji site through the configured proxy; no credentials, no points. */
export function checkConnection(): Promise<ConnectionCheck> {
  return call('check_connection');
}

export function onSettingsChanged(handler: (settings: Settings) => void): Promise<UnlistenFn> {
  return subscribe(SETTINGS_CHANGED_EVENT, handler);
}
