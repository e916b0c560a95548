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
  'chat_list_conversations',
  'chat_create_conversation',
  'chat_get_conversation',
  'chat_rename_conversation',
  'chat_set_conversation_model',
  'chat_set_system_prompt',
  'chat_delete_conversation',
  'chat_export_conversation',
  'chat_send',
  'chat_regenerate',
  'chat_edit_and_resend',
  'chat_retry',
  'chat_stop',
  'chat_select_version',
  'chat_delete_message',
  'chat_summarize_into_new',
  'get_chat_shortcut',
  'set_chat_shortcut',
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
  CHAT_CHANGED: 'chat-changed',
} as const;
