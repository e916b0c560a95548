//! The Taiji Gateway desktop shell: wiring only. One `taiji_core::runtime::Core` does the work;
//! the modules here connect it to Tauri:
//! - [`lifecycle`]: opening the core at startup, starting the gateway and building the tray;
//! - [`state`]: the managed [`state::AppState`] (the core and the listener);
//! - [`status`]: the gateway status and how it is derived;
//! - [`demo`]: demo mode, a second core against the built-in simulator;
//! - [`commands`]: the thin `#[tauri::command]` adapters the UI invokes;
//! - `bindings` and `ts_types` (tests only): the UI's generated copy of the commands, events and
//!   their types, and the declarations it is made of;
//! - [`events`] and [`forward`]: the core's live channels, forwarded to the UI as events;
//! - [`tray`] and [`window`]: the tray icon and the main and chat windows' behaviour;
//! - [`shortcut`]: the global shortcut that opens the chat window;
//! - [`ui_language`]: the UI's language as the shell knows it, and the tray's labels in it;
//! - [`notify`]: desktop notifications (sign-in failure, gateway error, low points).
//!
//! `run()` is what `main.rs` calls. [`build_app`] is generic over the Tauri runtime so a unit test
//! can build the real app (config, capabilities, commands, core, gateway) on the mock runtime.

#[cfg(test)]
mod bindings;
pub mod commands;
pub mod demo;
pub mod events;
pub mod forward;
pub mod lifecycle;
pub mod notify;
pub mod settings_view;
pub mod shortcut;
pub mod state;
pub mod status;
pub mod tray;
#[cfg(test)]
mod ts_types;
pub mod ui_language;
pub mod window;

use tauri::{App, AppHandle, Builder, Context, RunEvent, Runtime};
use tauri_plugin_autostart::MacosLauncher;
use tracing_subscriber::EnvFilter;

use crate::lifecycle::Startup;

/// Starts the desktop app and blocks until the user quits from the tray.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    init_tracing();
    let builder = Builder::default()
        // Must be the first plugin: a second launch hands over to the running app and exits
        // before anything else (window, tray, core) is created.
        // A second launch opens the window, unless it is the start-at-login entry's (`--hidden`),
        // which has nothing to show when the app is already running.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            if !window::starts_hidden(&args) {
                window::show_main(app);
            }
        }))
        // The login entry starts the app hidden in the tray (see `window::HIDDEN_FLAG`).
        .plugin(tauri_plugin_autostart::init(
            MacosLauncher::LaunchAgent,
            Some(window::AUTOSTART_ARGS.to_vec()),
        ))
        // UI-only preferences (language, theme, last view, window size) live in the store plugin's file; the
        // product settings stay in the core's settings.json.
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        // The save dialog picks where a request-log export goes; the shell writes the file.
        .plugin(tauri_plugin_dialog::init())
        // Sign-in failure, gateway error and low points (see `notify`).
        .plugin(tauri_plugin_notification::init())
        // Links in chat answers open in the system browser (granted for http(s) URLs only).
        .plugin(tauri_plugin_opener::init())
        // The user's shortcut that opens the chat window (see `shortcut`).
        .plugin(shortcut::plugin());
    match build_app(builder, tauri::generate_context!(), Startup::from_env()) {
        Ok(app) => app.run(keep_running_in_tray),
        Err(error) => {
            tracing::error!(%error, "Taiji Gateway could not start");
            std::process::exit(1);
        }
    }
}

/// Builds the app on any runtime: commands, window behaviour, and (at startup) the core, the
/// managed state, the event forwarders, the tray and the gateway. Platform plugins are added by
/// the caller, since the mock runtime has no session bus or login items to talk to.
pub fn build_app<R: Runtime>(
    builder: Builder<R>,
    context: Context<R>,
    startup: Startup,
) -> tauri::Result<App<R>> {
    builder
        .invoke_handler(commands::handler())
        .setup(move |app| lifecycle::setup(app, startup))
        .build(context)
}

/// Run-event hook: closing the window destroys it (see [`window`]), and with no window left the app
/// lives on in the tray; only an explicit exit (tray "Quit", which passes an exit code) ends it.
fn keep_running_in_tray<R: Runtime>(_app: &AppHandle<R>, event: RunEvent) {
    if let RunEvent::ExitRequested { api, code: None, .. } = event {
        api.prevent_exit();
    }
}

/// Logs to stderr; `RUST_LOG` overrides the default filter.
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,taiji_desktop_lib=debug,taiji_core=debug"));
    if let Err(error) = tracing_subscriber::fmt().with_env_filter(filter).try_init() {
        eprintln!("logging is unavailable: {error}");
    }
}

#[cfg(test)]
mod tests;
