// The shell's payload types, generated from the Rust types (./generated/shell.ts, never edited by
// hand). A few carry a UI name here because the generated one is also a view's component name
// (`StatusView`, `SettingsView`) or reads better in the views; new payloads are imported from the
// generated file under their Rust names.
import type {
  AccountView,
  AdmissionGauges,
  ApiKeysView,
  ApiKeyView,
  CredentialsView,
  EntryStatus,
  GatewayStatus,
  ModelsView,
  SettingsView,
  StatusView,
} from './generated/shell';

export type {
  AccountStateEvent,
  AppInfo,
  ConnectionCheck,
  DailyModelStats,
  EntryStatus,
  ExportFormat,
  GatewayStateEvent,
  GatewayStatus,
  LogEntry,
  LogFilter,
  LogPage,
  ModelInfo,
  PreviewPolicy,
  RequestSource,
  RetentionPolicy,
  SettingsPatch,
  SignInState,
  SiteEvent,
  SiteStatus,
  TokenState,
  UiLanguage,
} from './generated/shell';

/** `commands::StatusView`: everything the status view shows. */
export type StatusSnapshot = StatusView;
/** `commands::SettingsView`. */
export type Settings = SettingsView;
/** `commands::AccountView` (the same shape as the `account-state` event). */
export type AccountState = AccountView;
export type ApiKey = ApiKeyView;
export type ApiKeys = ApiKeysView;
export type ModelCatalog = ModelsView;
export type Gauges = AdmissionGauges;
export type CredentialsInfo = CredentialsView;
export type GatewayState = GatewayStatus['state'];

/** Every request status, in life-cycle order (`EntryStatus::ALL`). */
export const ENTRY_STATUSES: readonly EntryStatus[] = ['queued', 'streaming', 'done', 'failed', 'cancelled'];
