// Mirrors of the shell's payloads (src-tauri/src/commands/*.rs, src-tauri/src/events.rs and the
// taiji-core types they carry). Field names are snake_case, exactly as serde writes them.

/** `commands::AppInfo`. */
export interface AppInfo {
  name: string;
  version: string;
}

/** `status::GatewayStatus`. */
export type GatewayStatus =
  | { state: 'running' }
  | { state: 'needs_login' }
  | { state: 'stopped' }
  | { state: 'error'; message: string };

export type GatewayState = GatewayStatus['state'];

/** `taiji_core::account::TokenState`. */
export type TokenState =
  | { state: 'needs_login' }
  | { state: 'logging_in' }
  | { state: 'logged_in'; user_id: number | null; expires_at: string | null }
  | { state: 'invalid_credentials'; message: string }
  | { state: 'login_failed'; class: string; message: string };

/** `taiji_core::runtime::SignInState`: where the background sign-in stands. */
export type SignInState =
  | { state: 'on_demand' }
  | { state: 'no_account' }
  | { state: 'signing_in'; since: string }
  | { state: 'unreachable'; since: string; next_attempt_at: string; failures: number; reason: string }
  | { state: 'signed_in'; since: string }
  | { state: 'wrong_password'; message: string };

/** `taiji_core::dispatch::AdmissionGauges`. */
export interface Gauges {
  in_flight: number;
  queued: number;
  limit: number;
}

/** `commands::CredentialsView`. */
export interface CredentialsInfo {
  backend: 'keychain' | 'file';
  /** The credentials file, for the `file` backend. */
  path: string | null;
}

/** `commands::StatusView`. */
export interface StatusSnapshot {
  gateway: GatewayStatus;
  url: string | null;
  account: string | null;
  login: TokenState;
  sign_in?: SignInState | undefined;
  gauges: Gauges;
  credentials: CredentialsInfo;
  data_dir: string;
  /** Demo mode: `account`, `login` and `sign_in` are then the built-in simulator's. */
  demo?: boolean | undefined;
  site: SiteStatus;
}

/** `taiji_core::upstream::SiteStatus`: the Taiji site in use and its latest change. */
export interface SiteStatus {
  base_url: string;
  app_version: string;
  discovery: boolean;
  proxy: string;
  last_event: { kind: 'moved' | 'version_updated' | 'failed'; message: string; at: string } | null;
}

/** `events::GatewayStateEvent`. */
export interface GatewayStateEvent {
  status: GatewayStatus;
  url: string | null;
  demo?: boolean | undefined;
}

/** `events::AccountStateEvent` and `commands::AccountView`. */
export interface AccountState {
  account: string | null;
  login: TokenState;
  sign_in?: SignInState | undefined;
}

/** `commands::ApiKeyView`. */
export interface ApiKey {
  name: string;
  key: string;
  created_at: string;
}

/** `commands::ApiKeysView`. */
export interface ApiKeys {
  required: boolean;
  keys: ApiKey[];
}

/** `taiji_core::request_log::PreviewPolicy`. */
export interface PreviewPolicy {
  enabled: boolean;
  max_bytes: number;
}

/** `taiji_core::request_log::RetentionPolicy`. */
export interface RetentionPolicy {
  max_age_days: number;
  max_rows: number;
  max_mb: number;
}

/** `commands::SettingsView`. */
export interface Settings {
  concurrency: number;
  host: string;
  port: number;
  lan_mode: boolean;
  keys_required: boolean;
  previews: PreviewPolicy;
  retention: RetentionPolicy;
  aliases: Record<string, string>;
  upstream_base_url: string;
  upstream_app_version: string;
  upstream_discovery: boolean;
  /** `system`, `off` or a proxy URL with its user name and password shown as `***`. */
  upstream_proxy: string;
}

/** `commands::ConnectionCheck`: the outcome of "check connection". */
export interface ConnectionCheck {
  ok: boolean;
  origin: string;
  proxy: string;
  error: string | null;
}

/** `commands::SettingsPatch`: absent fields stay as they are. */
export interface SettingsPatch {
  concurrency?: number;
  port?: number;
  host?: string;
  lan_mode?: boolean;
  previews?: PreviewPolicy;
  retention?: RetentionPolicy;
  aliases?: Record<string, string>;
  upstream_proxy?: string;
  upstream_discovery?: boolean;
}

/** `taiji_core::model::ModelInfo`. */
export interface ModelInfo {
  id: string;
  label: string;
  group: string;
  price_points: number | null;
  price_text: string;
  multimodal: boolean;
  thinking: boolean;
  image_generation: boolean;
  note: string;
}

/** `commands::ModelsView`. */
export interface ModelCatalog {
  models: ModelInfo[];
  default_model: string | null;
}

/** `taiji_core::request_log::EntryStatus`. */
export type EntryStatus = 'queued' | 'streaming' | 'done' | 'failed' | 'cancelled';

export const ENTRY_STATUSES: readonly EntryStatus[] = ['queued', 'streaming', 'done', 'failed', 'cancelled'];

/** `taiji_core::chat::RequestSource`. */
export interface RequestSource {
  api: string;
  key_name: string | null;
  user_agent: string | null;
}

/** `taiji_core::request_log::LogEntry`. */
export interface LogEntry {
  id: string;
  started_at: string;
  source: RequestSource;
  endpoint: string;
  model: string;
  stream: boolean;
  status: EntryStatus;
  http_status: number | null;
  error_class: string | null;
  error_message: string | null;
  queue_wait_ms: number | null;
  first_token_ms: number | null;
  duration_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  points: number | null;
  prompt_preview: string | null;
  reply_preview: string | null;
}

/** `taiji_core::request_log::LogFilter` (the fields the UI uses). */
export interface LogFilter {
  model?: string;
  statuses?: EntryStatus[];
  text?: string;
}

/** `taiji_core::request_log::LogPage`. */
export interface LogPage {
  entries: LogEntry[];
  total: number;
  page: number;
  page_size: number;
}

/** `taiji_core::request_log::DailyModelStats`. */
export interface DailyModelStats {
  day: string;
  model: string;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  points: number;
}

export type ExportFormat = 'csv' | 'json';

