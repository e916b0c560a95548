// Links from answers open in the system browser (the opener plugin), never inside the app's window.
import { openUrl } from '@tauri-apps/plugin-opener';

/** Opens an http(s) URL in the system's browser. */
export function openExternal(url: string): Promise<void> {
  return openUrl(url);
}
