// Generated from src-tauri (commands/names.rs, events.rs and the Rust types they name) by
// src-tauri/src/bindings.rs; do not edit.
// Regenerate with `TAIJI_UPDATE_BINDINGS=1 cargo test -p taiji-desktop bindings`.

import type { Channel } from '@tauri-apps/api/core';

/**
 * Payload of [`ACCOUNT_STATE`].
 */
export type AccountStateEvent = { 
/**
 * The configured account name.
 */
account: string | null, 
/**
 * Its login state.
 */
login: TokenState, 
/**
 * Where the background sign-in stands ("signing in", "site unreachable since …").
 */
sign_in: SignInState, };

/**
 * The account after a sign-in.
 */
export type AccountView = { 
/**
 * The account name signed in with.
 */
account: string | null, 
/**
 * Its login state.
 */
login: TokenState, 
/**
 * Where the background sign-in stands.
 */
sign_in: SignInState, };

/**
 * A snapshot of the admission state, published on every change.
 */
export type AdmissionGauges = { 
/**
 * Requests holding a permit.
 */
in_flight: number, 
/**
 * Requests waiting for a permit.
 */
queued: number, 
/**
 * The current limit.
 */
limit: number, };

/**
 * One key.
 */
export type ApiKeyView = { 
/**
 * The key's name, e.g. `cherry-studio`; the request log shows it.
 */
name: string, 
/**
 * The key itself.
 */
key: string, 
/**
 * When it was created or last regenerated (RFC 3339).
 */
created_at: string, };

/**
 * Every key, and whether one is required.
 */
export type ApiKeysView = { 
/**
 * Whether every `/v1` request must present a key.
 */
required: boolean, 
/**
 * The keys, in creation order.
 */
keys: Array<ApiKeyView>, };

/**
 * What the UI shows in its header.
 */
export type AppInfo = { name: string, version: string, };

/**
 * Payload of [`CHAT_CHANGED`].
 */
export type ChatChangedEvent = { 
/**
 * The conversation that changed; `None` when only the list did.
 */
conversation_id: string | null, };

/**
 * One message (one version of one position).
 */
export type ChatMessage = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its conversation.
 */
conversation_id: string, 
/**
 * Its place in the transcript; all versions of a turn share it.
 */
position: number, 
/**
 * 0-based; regenerating adds a version at the same position.
 */
version: number, 
/**
 * How many versions its position has.
 */
version_count: number, 
/**
 * Who wrote it.
 */
role: MessageRole, 
/**
 * The text (answers without `<think>`).
 */
content: string, 
/**
 * The text inside `<think>`, '' if none.
 */
reasoning: string, 
/**
 * User messages only.
 */
images: Array<ImageAttachment>, 
/**
 * Answers: the catalog model id used.
 */
model: string | null, 
/**
 * Answers: the label the upstream's final record reported.
 */
model_label: string | null, 
/**
 * Where it stands.
 */
status: MessageStatus, 
/**
 * Set when `status` is failed.
 */
error: TurnError | null, 
/**
 * Answers, when known.
 */
usage: ChatUsage | null, 
/**
 * RFC 3339, UTC.
 */
created_at: string, };

/**
 * What the UI receives while an answer is produced.
 */
export type ChatStreamEvent = { "event": "started", "data": { 
/**
 * The user message just stored.
 */
user_message: ChatMessage | null, 
/**
 * The answer being written (status streaming).
 */
assistant_message: ChatMessage, } } | { "event": "reasoning", "data": { 
/**
 * The new text.
 */
delta: string, } } | { "event": "text", "data": { 
/**
 * The new text.
 */
delta: string, } } | { "event": "usage", "data": ChatUsage } | { "event": "finished", "data": { 
/**
 * The stored answer.
 */
message: ChatMessage, } } | { "event": "stopped", "data": { 
/**
 * The stored answer.
 */
message: ChatMessage, } } | { "event": "failed", "data": { 
/**
 * The stored answer.
 */
message: ChatMessage, } };

/**
 * Tokens and points of one answer, from the upstream's final record.
 */
export type ChatUsage = { 
/**
 * Input tokens billed.
 */
prompt_tokens: number, 
/**
 * Output tokens.
 */
completion_tokens: number, 
/**
 * Both.
 */
total_tokens: number, 
/**
 * Points charged.
 */
points: number, };

/**
 * One day of the check-in calendar (`GET /api/gift_sign`).
 */
export type CheckInDay = { 
/**
 * The day checked in, "YYYY-MM-DD" (China time).
 */
ymd: string, 
/**
 * Points granted that day.
 */
integral: number, };

/**
 * A month's check-ins with the site's today, so a host can tell whether today is claimed.
 */
export type CheckInMonth = { 
/**
 * Today on the site's calendar ("YYYY-MM-DD", China time).
 */
today: string, 
/**
 * Whether today is among the month's check-ins.
 */
checked_in_today: boolean, 
/**
 * The year asked for.
 */
year: number, 
/**
 * The month asked for (1–12).
 */
month: number, 
/**
 * The days checked in, as the site listed them.
 */
days: Array<CheckInDay>, };

/**
 * The answer of a successful claim (`POST /api/gift_sign`).
 */
export type CheckInReward = { 
/**
 * Points granted (`data.integral`; 10 observed).
 */
integral: number, };

/**
 * Why a command failed, as the UI receives it.
 */
export type CommandError = { 
/**
 * What kind of failure, for the UI to branch on.
 */
kind: ErrorKind, 
/**
 * A sentence for the user.
 */
message: string, };

/**
 * The outcome of "check connection".
 */
export type ConnectionCheck = { 
/**
 * Whether the Taiji site answered.
 */
ok: boolean, 
/**
 * The origin checked.
 */
origin: string, 
/**
 * The proxy used, password redacted.
 */
proxy: string, 
/**
 * What went wrong, when it did.
 */
error: string | null, };

/**
 * A conversation with its transcript (the selected version of each position).
 */
export type Conversation = { 
/**
 * As in the list.
 */
summary: ConversationSummary, 
/**
 * The system prompt ('' for none).
 */
system_prompt: string, 
/**
 * The selected version of each position, by position.
 */
messages: Array<ChatMessage>, 
/**
 * Estimated tokens of the transcript the next turn would send.
 */
context_tokens: number, 
/**
 * Whether it is long enough to offer "start a new chat with a summary".
 */
context_long: boolean, };

/**
 * A conversation in the list.
 */
export type ConversationSummary = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its title ('' until the first message).
 */
title: string, 
/**
 * The catalog model id it talks to.
 */
model: string | null, 
/**
 * RFC 3339, UTC.
 */
created_at: string, 
/**
 * RFC 3339, UTC.
 */
updated_at: string, 
/**
 * Messages shown (selected versions).
 */
message_count: number, 
/**
 * Points of every answer ever received in it (all versions).
 */
total_points: number, 
/**
 * Tokens of every answer ever received in it (all versions).
 */
total_tokens: number, 
/**
 * For search results: an excerpt around the match.
 */
snippet: string | null, };

/**
 * Where credentials are kept, as data the UI words in its own language.
 */
export type CredentialsView = { 
/**
 * `keychain` or `file`.
 */
backend: 'keychain' | 'file', 
/**
 * The file's path for the `file` backend, e.g. `/home/me/.local/share/…/credentials.json`.
 */
path: string | null, };

/**
 * Requests of one model on one day.
 */
export type DailyModelStats = { 
/**
 * The day as `YYYY-MM-DD` in the offset the caller asked for.
 */
day: string, 
/**
 * The model id.
 */
model: string, 
/**
 * Requests started that day.
 */
requests: number, 
/**
 * Of those, the ones that failed.
 */
errors: number, 
/**
 * Sum of prompt tokens.
 */
prompt_tokens: number, 
/**
 * Sum of completion tokens.
 */
completion_tokens: number, 
/**
 * Sum of total tokens.
 */
total_tokens: number, 
/**
 * Sum of points deducted.
 */
points: number, };

/**
 * The life cycle of a request: `Queued` → `Streaming` → `Done` | `Failed` | `Cancelled`.
 */
export type EntryStatus = "queued" | "streaming" | "done" | "failed" | "cancelled";

/**
 * What kind of failure an [`UpstreamError`] is. This is what callers branch on.
 */
export type ErrorClass = "invalid_credentials" | "login_expired" | "quota_exhausted" | "input_too_long" | "unknown_session" | "rate_limited" | "upstream" | "transport" | "malformed";

/**
 * The kinds of [`CommandError`] (serialised in snake_case).
 */
export type ErrorKind = "not_signed_in" | "invalid_credentials" | "network" | "upstream" | "invalid" | "not_found" | "gateway" | "storage" | "unsupported" | "internal" | "quota" | "login_expired" | "model_refused_images" | "too_many_images" | "image_too_large" | "conversation_not_found" | "busy";

/**
 * The export formats.
 */
export type ExportFormat = "csv" | "json";

/**
 * Payload of [`GATEWAY_STATE`].
 */
export type GatewayStateEvent = { 
/**
 * The derived status.
 */
status: GatewayStatus, 
/**
 * The base URL clients use, while listening.
 */
url: string | null, 
/**
 * Whether demo mode is on (the built-in simulator, not the real account).
 */
demo: boolean, };

/**
 * What the gateway is doing, as the tray icon and the UI show it.
 */
export type GatewayStatus = { "state": "running" } | { "state": "needs_login" } | { "state": "stopped" } | { "state": "error", 
/**
 * Why, in words for the user.
 */
message: string, };

/**
 * An image sent with a user message, kept with it.
 */
export type ImageAttachment = { 
/**
 * The file name the user attached.
 */
name: string, 
/**
 * Its MIME type, e.g. `image/png`.
 */
mime: string, 
/**
 * `data:<mime>;base64,...`.
 */
data_url: string, };

/**
 * One stored request.
 */
export type LogEntry = { 
/**
 * The entry's id.
 */
id: string, 
/**
 * When the request arrived (RFC 3339 in JSON).
 */
started_at: string, 
/**
 * Who sent it.
 */
source: RequestSource, 
/**
 * The endpoint path.
 */
endpoint: string, 
/**
 * The model (resolved id once known).
 */
model: string, 
/**
 * Whether the client asked for a stream.
 */
stream: boolean, 
/**
 * Where the request is in its life cycle.
 */
status: EntryStatus, 
/**
 * The HTTP status the client received.
 */
http_status: number | null, 
/**
 * A short machine-readable error class.
 */
error_class: string | null, 
/**
 * A human-readable error message.
 */
error_message: string | null, 
/**
 * Time spent waiting for a concurrency slot.
 */
queue_wait_ms: number | null, 
/**
 * Time from arrival to the first token.
 */
first_token_ms: number | null, 
/**
 * Time from arrival to the end.
 */
duration_ms: number | null, 
/**
 * Input tokens billed.
 */
prompt_tokens: number | null, 
/**
 * Output tokens.
 */
completion_tokens: number | null, 
/**
 * Total tokens.
 */
total_tokens: number | null, 
/**
 * Points deducted.
 */
points: number | null, 
/**
 * The prompt preview, when previews were enabled.
 */
prompt_preview: string | null, 
/**
 * The reply preview, when previews were enabled.
 */
reply_preview: string | null, };

/**
 * Which entries to return. Empty fields match everything.
 */
export type LogFilter = { 
/**
 * Entries that started at or after this time.
 */
from?: string, 
/**
 * Entries that started before this time.
 */
to?: string, 
/**
 * The exact model id (case-insensitive).
 */
model?: string, 
/**
 * Any of these statuses.
 */
statuses?: Array<EntryStatus>, 
/**
 * The API surface (`openai`, `anthropic`, `chat`, ...).
 */
api?: string, 
/**
 * The API key name.
 */
key_name?: string, 
/**
 * A case-insensitive substring of the id, endpoint, model, key name, user agent, error class
 * or message, or the previews.
 */
text?: string, };

/**
 * One page of entries, newest first.
 */
export type LogPage = { 
/**
 * The entries of this page.
 */
entries: Array<LogEntry>, 
/**
 * How many entries match the filter in total.
 */
total: number, 
/**
 * The 0-based page number.
 */
page: number, 
/**
 * The page size used (after clamping to 1..=[`MAX_PAGE_SIZE`]).
 */
page_size: number, };

/**
 * Who wrote a message.
 */
export type MessageRole = "user" | "assistant";

/**
 * Where a message stands.
 */
export type MessageStatus = "complete" | "streaming" | "stopped" | "failed";

/**
 * One model of the account's catalog, deduplicated by [`ModelInfo::id`].
 */
export type ModelInfo = { 
/**
 * The upstream `value`: the id sent when creating a session and shown to API clients.
 * In 3.x catalogs this is the full `provider::model` string.
 */
id: string, 
/**
 * The display label (deliberately obfuscated upstream, e.g. "GT-5" for gpt-5).
 */
label: string, 
/**
 * The UI group (`attr.tag` in 2.x, the provider name in 3.x), e.g. "ChatGPT", "联网模型".
 */
group: string, 
/**
 * Points charged per message, parsed from `attr.integral` ("300000积分" → 300000) when present.
 */
price_points: number | null, 
/**
 * The human-readable price text as the site shows it.
 */
price_text: string, 
/**
 * Whether the model accepts image input (`attr.multimodal`, or 3.x `capabilities.imageInput`).
 */
multimodal: boolean, 
/**
 * Whether the model reasons visibly (thinking variants, `thinkModel`, 3.x `capabilities.thinking`).
 */
thinking: boolean, 
/**
 * Whether the model generates images (its output is markdown image links).
 */
image_generation: boolean, 
/**
 * Free-text note from the catalog.
 */
note: string, 
/**
 * The reasoning levels the model accepts as `reasoningEffort` (3.x `capabilities.reasoningEfforts`);
 * empty for 2.x catalogs and for models without levels, which refuse the field.
 */
reasoning_efforts: Array<string>, };

/**
 * The catalog as the models view shows it.
 */
export type ModelsView = { 
/**
 * Models in catalog order.
 */
models: Array<ModelInfo>, 
/**
 * The site's default model id.
 */
default_model: string | null, };

/**
 * The desktop app's notifications, each switchable. A file written before they existed gets
 * these defaults (all on).
 */
export type NotificationSettings = { 
/**
 * When the sign-in at start fails (wrong password, site unreachable).
 */
sign_in_failure: boolean, 
/**
 * When the gateway stops because of an error (not when the user stops it).
 */
gateway_error: boolean, 
/**
 * When the points balance falls below [`Self::low_points_threshold`].
 */
low_points: boolean, 
/**
 * The balance under which points count as low.
 */
low_points_threshold: number, };

/**
 * The account's points: the sum of `usable` over plans that have not expired.
 */
export type PointsBalance = { 
/**
 * Remaining points.
 */
points: number, 
/**
 * Every plan, expired ones included.
 */
plans: Array<PointsPlan>, };

/**
 * One points plan of `GET /api/user_plan`.
 */
export type PointsPlan = { 
/**
 * Plan name.
 */
name: string, 
/**
 * Points still usable.
 */
usable: number, 
/**
 * Points the plan started with.
 */
total: number, 
/**
 * Points spent from it (`use`).
 */
use: number, 
/**
 * Points it grants each day (`eachDay`; 0 for a one-off plan).
 */
eachDay: number, 
/**
 * Expiry time as the server wrote it.
 */
expire: string | null, 
/**
 * Whether the plan has expired (`isExpire`, a boolean or 0/1).
 */
isExpire: boolean, };

/**
 * Whether previews of prompts and replies are stored, and their size cap. Off by default: a
 * prompt can contain anything the user would not want on disk.
 */
export type PreviewPolicy = { 
/**
 * Whether previews are stored.
 */
enabled: boolean, 
/**
 * The most bytes (UTF-8) kept of each preview.
 */
max_bytes: number, };

/**
 * Where a request came from; recorded in the request log and shown in the UI.
 */
export type RequestSource = { 
/**
 * Which surface received it: "openai", "anthropic", "chat" (built-in window), "cli".
 */
api: string, 
/**
 * The name of the API key that authorised it, if any.
 */
key_name: string | null, 
/**
 * The client's user agent, if any.
 */
user_agent: string | null, };

/**
 * Limits on the history; the oldest entries go first when any limit is exceeded.
 */
export type RetentionPolicy = { 
/**
 * Entries older than this many days are deleted.
 */
max_age_days: number, 
/**
 * At most this many entries are kept.
 */
max_rows: number, 
/**
 * The database may use at most this many mebibytes.
 */
max_mb: number, };

/**
 * A change to the settings; absent fields stay as they are.
 */
export type SettingsPatch = { concurrency?: number, port?: number, host?: string, lan_mode?: boolean, previews?: PreviewPolicy, retention?: RetentionPolicy, aliases?: { [key in string]: string }, 
/**
 * `system`, `off` or a proxy URL. The redacted form the view shows means "unchanged", so a
 * form saved as it was shown never replaces the stored password with `***`.
 */
upstream_proxy?: string, upstream_discovery?: boolean, 
/**
 * The whole notifications section.
 */
notifications?: NotificationSettings, };

/**
 * The settings the UI shows (API keys have their own commands).
 */
export type SettingsView = { 
/**
 * How many chat requests may run upstream at once.
 */
concurrency: number, 
/**
 * The listen address.
 */
host: string, 
/**
 * The listen port.
 */
port: number, 
/**
 * Whether the gateway may listen beyond this computer.
 */
lan_mode: boolean, 
/**
 * Whether a key is required (shown here because LAN mode depends on it).
 */
keys_required: boolean, 
/**
 * Whether prompt and reply previews are stored in the request log, and their size cap.
 */
previews: PreviewPolicy, 
/**
 * How much request history is kept.
 */
retention: RetentionPolicy, 
/**
 * Requested model name → catalog model id.
 */
aliases: { [key in string]: string }, 
/**
 * The Taiji site in use.
 */
upstream_base_url: string, 
/**
 * The `x-app-version` sent to it.
 */
upstream_app_version: string, 
/**
 * Whether the site is looked for again (from the stable entry) when it moves.
 */
upstream_discovery: boolean, 
/**
 * The upstream proxy (`system`, `off` or a URL), its user name and password shown as `***`.
 */
upstream_proxy: string, 
/**
 * Which desktop notifications are on, and the low-points threshold.
 */
notifications: NotificationSettings, };

/**
 * Where the core stands with signing in to the site.
 */
export type SignInState = { "state": "on_demand" } | { "state": "no_account" } | { "state": "signing_in", 
/**
 * When this started.
 */
since: string, } | { "state": "unreachable", 
/**
 * When the site stopped answering.
 */
since: string, 
/**
 * When the next attempt is due.
 */
next_attempt_at: string, 
/**
 * Failed attempts so far.
 */
failures: number, 
/**
 * The last failure, in words (never a secret).
 */
reason: string, } | { "state": "signed_in", 
/**
 * When the sign-in succeeded.
 */
since: string, } | { "state": "wrong_password", 
/**
 * The site's message.
 */
message: string, };

/**
 * One change (or failed attempt) of the site address or version.
 */
export type SiteEvent = { 
/**
 * What happened.
 */
kind: SiteEventKind, 
/**
 * In words, e.g. "the Taiji site moved from https://a to https://b".
 */
message: string, 
/**
 * When.
 */
at: string, };

/**
 * The kind of a [`SiteEvent`].
 */
export type SiteEventKind = "moved" | "version_updated" | "failed";

/**
 * Where the client talks to, for the UI, `status` and `/health`, and what last changed it.
 */
export type SiteStatus = { 
/**
 * The origin in use.
 */
base_url: string, 
/**
 * The `x-app-version` in use.
 */
app_version: string, 
/**
 * Whether the client looks for the site when it moves.
 */
discovery: boolean, 
/**
 * The proxy setting, password redacted.
 */
proxy: string, 
/**
 * The latest discovery or version event, if any happened in this run.
 */
last_event: SiteEvent | null, };

/**
 * Everything the status view shows.
 */
export type StatusView = { 
/**
 * Running, needs login, stopped, or error with its message.
 */
gateway: GatewayStatus, 
/**
 * The base URL clients use while listening, e.g. `http://127.0.0.1:8760`.
 */
url: string | null, 
/**
 * The configured account name (not a secret).
 */
account: string | null, 
/**
 * The account's login state.
 */
login: TokenState, 
/**
 * Where the background sign-in stands ("signing in", "site unreachable since …").
 */
sign_in: SignInState, 
/**
 * Requests in flight and queued, and the limit.
 */
gauges: AdmissionGauges, 
/**
 * Where the password and token are kept.
 */
credentials: CredentialsView, 
/**
 * The data directory (settings, request log).
 */
data_dir: string, 
/**
 * Whether demo mode is on; `account`, `login` and `sign_in` are then the demo's.
 */
demo: boolean, 
/**
 * The Taiji site in use (it may have moved), its version, the redacted proxy, the latest change.
 */
site: SiteStatus, };

/**
 * The login state, for the UI and the tray.
 */
export type TokenState = { "state": "needs_login" } | { "state": "logging_in" } | { "state": "logged_in", 
/**
 * The `userId` claim.
 */
user_id: number | null, 
/**
 * The `exp` claim.
 */
expires_at: string | null, } | { "state": "invalid_credentials", 
/**
 * The site's message.
 */
message: string, } | { "state": "login_failed", 
/**
 * What kind of failure.
 */
class: ErrorClass, 
/**
 * The error message.
 */
message: string, };

/**
 * Why an answer failed, for the UI: a kind to branch on and the message as the upstream gave it.
 */
export type TurnError = { 
/**
 * `quota`, `login_expired`, `network`, `not_signed_in`, `upstream`, `internal`, ...
 */
kind: string, 
/**
 * A sentence (upstream Chinese messages as they are).
 */
message: string, };

/**
 * A language the UI and the tray speak.
 */
export type UiLanguage = "zh-CN" | "en";

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

/** What each command takes (`args`, snake_case as the shell reads them) and answers (`ok`). */
export interface Commands {
  app_info: { args: Record<string, never>; ok: AppInfo };
  status: { args: Record<string, never>; ok: StatusView };
  login: { args: { account: string; password: string }; ok: AccountView };
  logout: { args: Record<string, never>; ok: null };
  enter_demo: { args: Record<string, never>; ok: StatusView };
  leave_demo: { args: Record<string, never>; ok: StatusView };
  start_gateway: { args: Record<string, never>; ok: StatusView };
  stop_gateway: { args: Record<string, never>; ok: StatusView };
  list_api_keys: { args: Record<string, never>; ok: ApiKeysView };
  add_api_key: { args: { name: string }; ok: ApiKeyView };
  regenerate_api_key: { args: { name: string }; ok: ApiKeyView };
  remove_api_key: { args: { name: string }; ok: ApiKeysView };
  set_keys_required: { args: { required: boolean }; ok: ApiKeysView };
  get_settings: { args: Record<string, never>; ok: SettingsView };
  update_settings: { args: { patch: SettingsPatch }; ok: SettingsView };
  check_connection: { args: Record<string, never>; ok: ConnectionCheck };
  list_models: { args: { refresh: boolean }; ok: ModelsView };
  query_request_log: { args: { filter: LogFilter; page: number; page_size: number }; ok: LogPage };
  export_request_log: { args: { format: ExportFormat; filter?: LogFilter | null; path: string }; ok: string };
  aggregates: { args: { filter?: LogFilter | null; utc_offset_minutes: number }; ok: Array<DailyModelStats> };
  set_ui_language: { args: { language: UiLanguage }; ok: null };
  autostart: { args: Record<string, never>; ok: boolean };
  set_autostart: { args: { enabled: boolean }; ok: boolean };
  points_balance: { args: Record<string, never>; ok: PointsBalance };
  check_in_calendar: { args: { year?: number | null; month?: number | null }; ok: CheckInMonth };
  check_in: { args: Record<string, never>; ok: CheckInReward };
  chat_list_conversations: { args: { query?: string | null }; ok: Array<ConversationSummary> };
  chat_create_conversation: { args: { model?: string | null; system_prompt?: string | null }; ok: Conversation };
  chat_get_conversation: { args: { id: string }; ok: Conversation };
  chat_rename_conversation: { args: { id: string; title: string }; ok: ConversationSummary };
  chat_set_conversation_model: { args: { id: string; model: string }; ok: ConversationSummary };
  chat_set_system_prompt: { args: { id: string; system_prompt: string }; ok: Conversation };
  chat_delete_conversation: { args: { id: string }; ok: null };
  chat_export_conversation: { args: { id: string; path: string }; ok: null };
  chat_send: { args: { conversation_id: string; content: string; images: Array<ImageAttachment>; on_event: Channel<ChatStreamEvent> }; ok: null };
  chat_regenerate: { args: { conversation_id: string; message_id: string; on_event: Channel<ChatStreamEvent> }; ok: null };
  chat_edit_and_resend: { args: { conversation_id: string; message_id: string; content: string; images: Array<ImageAttachment>; on_event: Channel<ChatStreamEvent> }; ok: null };
  chat_retry: { args: { conversation_id: string; message_id: string; on_event: Channel<ChatStreamEvent> }; ok: null };
  chat_stop: { args: { conversation_id: string }; ok: null };
  chat_select_version: { args: { conversation_id: string; message_id: string; version: number }; ok: Conversation };
  chat_delete_message: { args: { conversation_id: string; message_id: string }; ok: Conversation };
  chat_summarize_into_new: { args: { conversation_id: string }; ok: Conversation };
  get_chat_shortcut: { args: Record<string, never>; ok: string | null };
  set_chat_shortcut: { args: { shortcut?: string | null }; ok: null };
}

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

/** The payload of each event. */
export interface EventPayloads {
  'gateway-state': GatewayStateEvent;
  'account-state': AccountStateEvent;
  'admission-gauges': AdmissionGauges;
  'request-log-entry': LogEntry;
  'request-log-resync': null;
  'settings-changed': SettingsView;
  'chat-changed': ChatChangedEvent;
}
