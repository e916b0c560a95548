// Generated from src-tauri (commands/names.rs and events.rs) by src-tauri/src/bindings.rs; do not edit.
// Regenerate with `TAIJI_UPDATE_BINDINGS=1 cargo test -p taiji-desktop bindings`.

/** Every command the shell offers (`invoke` names). */
export const COMMANDS = [
  'app_info',
  'status',
  'login',
  'logout',
  'enter_demo',
  'leave_demo',
  'start_gateway',
  'stop_gateway',
  'list_api_keys',
  'add_api_key',
  'regenerate_api_key',
  'remove_api_key',
  'set_keys_required',
  'get_settings',
  'update_settings',
  'check_connection',
  'list_models',
  'query_request_log',
  'export_request_log',
  'aggregates',
  'set_ui_language',
  'autostart',
  'set_autostart',
  'points_balance',
  'check_in_calendar',
  'check_in',
] as const;

export type Command = (typeof COMMANDS)[number];

/** Every event the shell emits to the UI, by its constant name in events.rs. */
export const EVENTS = {
  GATEWAY_STATE: 'gateway-state',
  ACCOUNT_STATE: 'account-state',
  GAUGES: 'admission-gauges',
  REQUEST_LOG_ENTRY: 'request-log-entry',
  REQUEST_LOG_RESYNC: 'request-log-resync',
  SETTINGS_CHANGED: 'settings-changed',
} as const;
