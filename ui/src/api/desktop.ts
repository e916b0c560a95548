// Desktop integration: the tray's language and the window title, starting at login, the clipboard
// and the save dialog.
import { getCurrentWindow } from '@tauri-apps/api/window';
import { writeText } from '@tauri-apps/plugin-clipboard-manager';
import { save } from '@tauri-apps/plugin-dialog';

import { call } from './client';

/** Tells the shell the UI's language so the tray menu speaks it too. */
export function setUiLanguage(language: string): Promise<void> {
  return call<void>('set_ui_language', { language });
}

/** Titles the main window (the title bar, the task switcher) in the UI's language. */
export async function setWindowTitle(title: string): Promise<void> {
  await getCurrentWindow().setTitle(title);
}

/** Whether the app starts at login; rejects with kind `unsupported` where that is not available. */
export function getAutostart(): Promise<boolean> {
  return call<boolean>('autostart');
}

/** Turns starting at login on or off; resolves to what the system has afterwards. */
export function setAutostart(enabled: boolean): Promise<boolean> {
  return call<boolean>('set_autostart', { enabled });
}

/** Puts `text` on the system clipboard. */
export function copyToClipboard(text: string): Promise<void> {
  return writeText(text);
}

/** Asks where to save a file; `null` when the user cancels. */
export function chooseSavePath(title: string, defaultPath: string, extension: string): Promise<string | null> {
  return save({ title, defaultPath, filters: [{ name: extension.toUpperCase(), extensions: [extension] }] });
}
