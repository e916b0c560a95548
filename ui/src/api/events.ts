// Event names, as `src-tauri/src/events.rs` defines them. A rename there must be made here too.
export const GATEWAY_STATE_EVENT = 'gateway-state';
export const ACCOUNT_STATE_EVENT = 'account-state';
export const GAUGES_EVENT = 'admission-gauges';
export const REQUEST_LOG_ENTRY_EVENT = 'request-log-entry';
export const REQUEST_LOG_RESYNC_EVENT = 'request-log-resync';
export const SETTINGS_CHANGED_EVENT = 'settings-changed';
