//! The `#[tauri::command]` functions the UI calls through `invoke` (wrapped in `ui/src/api/`), one
//! file per domain. Commands are thin adapters over [`crate::state::AppState`] and the core: they
//! convert arguments, call one core operation and shape the answer; every one is listed once, with
//! its arguments and answer, in `names.rs`, from which come the invoke handler, [`COMMANDS`] (which
//! `build.rs` also reads, so that `capabilities/default.json` can grant each explicitly) and the
//! UI's typed signatures (`crate::bindings`).
//!
//! Every fallible command returns [`CommandError`], which the UI receives as `{kind, message}`.
//! Arguments are snake_case on both sides (`rename_all = "snake_case"`), like the payloads.

mod account;
mod app;
mod chat;
mod demo;
mod desktop;
mod error;
mod gateway;
mod keys;
mod log;
mod models;
mod overview;
mod settings;

#[cfg(test)]
use std::path::PathBuf;

#[cfg(test)]
use taiji_core::conversations::{ChatStreamEvent, Conversation, ConversationSummary, ImageAttachment};
#[cfg(test)]
use taiji_core::request_log::{DailyModelStats, LogFilter, LogPage};
#[cfg(test)]
use taiji_core::runtime::CheckInMonth;
#[cfg(test)]
use taiji_core::upstream::{CheckInReward, PointsBalance};
use tauri::Runtime;

#[cfg(test)]
use crate::ui_language::UiLanguage;

pub use account::AccountView;
pub use app::{AppInfo, CredentialsView, StatusView};
pub use error::{CommandError, ErrorKind};
pub use keys::{ApiKeyView, ApiKeysView};
pub use log::ExportFormat;
pub use models::ModelsView;
pub use settings::{ConnectionCheck, SettingsPatch, SettingsView};

/// Expands the list in `names.rs` into [`COMMANDS`], [`handler`] and, for the bindings test,
/// `signatures` (`build.rs` has its own `commands!` that takes only the names).
macro_rules! commands {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ok:ty;)*) => {
        /// Every command name.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler with every command.
        pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Every command's TypeScript signature, its types declared in `types`.
        #[cfg(test)]
        pub(crate) fn signatures(types: &mut crate::ts_types::Declarations) -> Vec<crate::ts_types::Signature> {
            vec![$(crate::ts_types::Signature {
                name: stringify!($name),
                args: vec![$(types.argument::<$ty>(stringify!($arg))),*],
                ok: types.name::<$ok>(),
            }),*]
        }
    };
}

include!("names.rs");
