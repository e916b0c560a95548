// Every `#[tauri::command]` in this folder, in one place, with what the UI sends and gets back:
// `module::command(argument: Type, ...) -> Success;` where the arguments are the ones the UI passes
// (not `State` or `AppHandle`) and `Success` is the `Ok` type (`()` when there is none). The
// `commands!` macro that reads this list is defined twice: `build.rs` takes the names from it (an
// `allow-<command>` permission for each), and `commands/mod.rs` the invoke handler, `COMMANDS` and,
// for the bindings test, each command's TypeScript signature (`ui/src/api/generated/`). A
// `tauri::ipc::Channel<T>` argument is written `crate::ts_types::Channel<T>`.
// Plain comments only: both `include!` it.

commands! {
    app::app_info() -> AppInfo;
    app::status() -> StatusView;
    account::login(account: String, password: String) -> AccountView;
    account::logout() -> ();
    demo::enter_demo() -> StatusView;
    demo::leave_demo() -> StatusView;
    gateway::start_gateway() -> StatusView;
    gateway::stop_gateway() -> StatusView;
    keys::list_api_keys() -> ApiKeysView;
    keys::add_api_key(name: String) -> ApiKeyView;
    keys::regenerate_api_key(name: String) -> ApiKeyView;
    keys::remove_api_key(name: String) -> ApiKeysView;
    keys::set_keys_required(required: bool) -> ApiKeysView;
    settings::get_settings() -> SettingsView;
    settings::update_settings(patch: SettingsPatch) -> SettingsView;
    settings::check_connection() -> ConnectionCheck;
    models::list_models(refresh: bool) -> ModelsView;
    log::query_request_log(filter: LogFilter, page: u32, page_size: u32) -> LogPage;
    log::export_request_log(format: ExportFormat, filter: Option<LogFilter>, path: PathBuf) -> PathBuf;
    log::aggregates(filter: Option<LogFilter>, utc_offset_minutes: i32) -> Vec<DailyModelStats>;
    desktop::set_ui_language(language: UiLanguage) -> ();
    desktop::autostart() -> bool;
    desktop::set_autostart(enabled: bool) -> bool;
    overview::points_balance() -> PointsBalance;
    overview::check_in_calendar(year: Option<i32>, month: Option<u8>) -> CheckInMonth;
    overview::check_in() -> CheckInReward;
    chat::chat_list_conversations(query: Option<String>) -> Vec<ConversationSummary>;
    chat::chat_create_conversation(model: Option<String>, system_prompt: Option<String>) -> Conversation;
    chat::chat_get_conversation(id: String) -> Conversation;
    chat::chat_rename_conversation(id: String, title: String) -> ConversationSummary;
    chat::chat_set_conversation_model(id: String, model: String) -> ConversationSummary;
    chat::chat_set_system_prompt(id: String, system_prompt: String) -> Conversation;
    chat::chat_delete_conversation(id: String) -> ();
    chat::chat_export_conversation(id: String, path: PathBuf) -> ();
    chat::chat_send(conversation_id: String, content: String, images: Vec<ImageAttachment>, on_event: crate::ts_types::Channel<ChatStreamEvent>) -> ();
    chat::chat_regenerate(conversation_id: String, message_id: String, on_event: crate::ts_types::Channel<ChatStreamEvent>) -> ();
    chat::chat_edit_and_resend(conversation_id: String, message_id: String, content: String, images: Vec<ImageAttachment>, on_event: crate::ts_types::Channel<ChatStreamEvent>) -> ();
    chat::chat_retry(conversation_id: String, message_id: String, on_event: crate::ts_types::Channel<ChatStreamEvent>) -> ();
    chat::chat_stop(conversation_id: String) -> ();
    chat::chat_select_version(conversation_id: String, message_id: String, version: u32) -> Conversation;
    chat::chat_delete_message(conversation_id: String, message_id: String) -> Conversation;
    chat::chat_summarize_into_new(conversation_id: String) -> Conversation;
    chat::get_chat_shortcut() -> Option<String>;
    chat::set_chat_shortcut(shortcut: Option<String>) -> ();
}
