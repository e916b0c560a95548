// Desktop integration: the tray's language and the window title, starting at login, the clipboard
// and the save dialog.
import { LogicalSize } from '@tauri-apps/api/dpi';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { writeText } from '@tauri-apps/plugin-clipboard-manager';
import { save } from '@tauri-apps/plugin-dialog';

import { call } from './client';
import type { UiLanguage } from './types';

/** Tells the shell the UI's language so the tray menu speaks it too. */
export async function setUiLanguage(language: UiLanguage): Promise<void> {
  await call('set_ui_language', { language });
}

/** Titles the main window (the title bar, the task switcher) in the UI's language. */
export async function setWindowTitle(title: string): Promise<void> {
  await getCurrentWindow().setTitle(title);
}

export interface WindowSize {
  width: number;
  height: number;
}

/** Resizes the main window (logical pixels; the shell keeps it above its minimum size). */
export async function setWindowSize(size: WindowSize): Promise<void> {
  await getCurrentWindow().setSize(new LogicalSize(size.width, size.height));
}

/** Calls `handler` with the window's logical size after each resize; resolves to a function that
 * stops listening. Outside the shell there is no window: nothing is ever called. */
export async function onWindowResized(handler: (size: WindowSize) => void): Promise<() => void> {
  try {
    const window = getCurrentWindow();
    return await window.onResized(({ payload }) => {
      void window.scaleFactor().then((factor) => {
        const logical = payload.toLogical(factor);
        handler({ width: Math.round(logical.width), height: Math.round(logical.height) });
      });
    });
  } catch {
    return () => undefined;
  }
}

/** Whether the app starts at login; rejects with kind `unsupported` where that is not available. */
export function getAutostart(): Promise<boolean> {
  return call('autostart');
}

/** Turns starting at login on or off; resolves to what the system has afterwards. */
export function setAutostart(enabled: boolean): Promise<boolean> {
  return call('set_autostart', { enabled });
}

/** Puts `text` on the system clipboard. */
export function copyToClipboard(text: string): Promise<void> {
  return writeText(text);
}

/** Asks where to save a file; `null` when the user cancels. */
export function chooseSavePath(title: string, defaultPath: string, extension: string): Promise<string | null> {
  return save({ title, defaultPath, filters: [{ name: extension.toUpperCase(), extensions: [extension] }] });
}
