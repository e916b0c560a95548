// UI-only preferences (language, theme, last view, window size, first-run guide done) in the store plugin's file
// (`ui-preferences.json` in the app's data folder). Product settings stay in the core
// (`getSettings` / `updateSettings`); these never reach it.
import { load, type Store } from '@tauri-apps/plugin-store';

export type Theme = 'system' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

export interface Preferences {
  language?: string;
  theme?: Theme;
  lastView?: string;
  windowSize?: { width: number; height: number };
  /** Whether the first-run guide (sign in → set up a client → done) was finished or dismissed. */
  firstRunDone?: boolean;
}

function isSize(value: unknown): value is { width: number; height: number } {
  const size = value as { width?: unknown; height?: unknown } | null | undefined;
  return typeof size?.width === 'number' && typeof size.height === 'number' && size.width > 0 && size.height > 0;
}

const FILE = 'ui-preferences.json';
let store: Promise<Store> | null = null;

function open(): Promise<Store> {
  store ??= load(FILE, { autoSave: true, defaults: {} });
  return store;
}

/** The saved preferences; empty when none are saved or the store cannot be read (e.g. outside the shell). */
export async function loadPreferences(): Promise<Preferences> {
  try {
    const opened = await open();
    const [language, theme, lastView, windowSize, firstRunDone] = await Promise.all([
      opened.get<string>('language'),
      opened.get<Theme>('theme'),
      opened.get<string>('lastView'),
      opened.get<unknown>('windowSize'),
      opened.get<unknown>('firstRunDone'),
    ]);
    const preferences: Preferences = {};
    if (typeof language === 'string') preferences.language = language;
    if (theme !== undefined && THEMES.includes(theme)) preferences.theme = theme;
    if (typeof lastView === 'string') preferences.lastView = lastView;
    if (isSize(windowSize)) preferences.windowSize = windowSize;
    if (typeof firstRunDone === 'boolean') preferences.firstRunDone = firstRunDone;
    return preferences;
  } catch (error) {
    console.warn('could not read the UI preferences', error);
    return {};
  }
}

/** Saves one preference; a failure is logged, never shown (the choice still applies now). */
export async function savePreference<K extends keyof Preferences>(key: K, value: NonNullable<Preferences[K]>): Promise<void> {
  try {
    await (await open()).set(key, value);
  } catch (error) {
    console.warn('could not save a UI preference', error);
  }
}

const CHAT_LAST_MODEL = 'chat_last_model';

/** The model last chosen in the chat (a catalog id), or `null`. */
export async function loadChatLastModel(): Promise<string | null> {
  try {
    const model = await (await open()).get<unknown>(CHAT_LAST_MODEL);
    return typeof model === 'string' && model !== '' ? model : null;
  } catch (error) {
    console.warn('could not read the UI preferences', error);
    return null;
  }
}

/** Remembers the model last chosen in the chat; a failure is logged, never shown. */
export async function saveChatLastModel(model: string): Promise<void> {
  try {
    await (await open()).set(CHAT_LAST_MODEL, model);
  } catch (error) {
    console.warn('could not save a UI preference', error);
  }
}
