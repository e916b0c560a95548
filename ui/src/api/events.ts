// Event names, from the copy generated out of `src-tauri/src/events.rs` (./generated/shell.ts).
import { EVENTS } from './generated/shell';

export const GATEWAY_STATE_EVENT = EVENTS.GATEWAY_STATE;
export const ACCOUNT_STATE_EVENT = EVENTS.ACCOUNT_STATE;
export const GAUGES_EVENT = EVENTS.GAUGES;
export const REQUEST_LOG_ENTRY_EVENT = EVENTS.REQUEST_LOG_ENTRY;
export const REQUEST_LOG_RESYNC_EVENT = EVENTS.REQUEST_LOG_RESYNC;
export const SETTINGS_CHANGED_EVENT = EVENTS.SETTINGS_CHANGED;
