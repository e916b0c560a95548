// Typed wrappers for the shell's app-level commands (src-tauri/src/commands.rs).
import { invoke } from '@tauri-apps/api/core';

/** Mirrors `commands::AppInfo`. */
export interface AppInfo {
  name: string;
  version: string;
}

/** The product name and version the desktop shell reports. */
export function getAppInfo(): Promise<AppInfo> {
  return invoke<AppInfo>('app_info');
}
