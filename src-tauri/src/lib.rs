//! The Taiji Gateway desktop shell: wiring only. Plugins, managed state, commands, the tray and the
//! window lifecycle live in their own modules; this file puts them together.
//!
//! `run()` is what `main.rs` calls. [`build_app`] is generic over the Tauri runtime so a unit test
//! can build the real app (config, capabilities, commands, state) on the mock runtime.

pub mod commands;
pub mod events;
pub mod state;
pub mod tray;
pub mod window;

use tauri::{App, AppHandle, Builder, Context, RunEvent, Runtime};
use tauri_plugin_autostart::MacosLauncher;
use tracing_subscriber::EnvFilter;

use crate::state::AppState;

/// Starts the desktop app and blocks until the user quits from the tray.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    init_tracing();
    let builder = Builder::default()
        // Must be the first plugin: a second launch hands over to the running app and exits
        // before anything else (window, tray) is created.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show_main(app)
        }))
        .plugin(tauri_plugin_autostart::init(MacosLauncher::LaunchAgent, None));
    match build_app(builder, tauri::generate_context!()) {
        Ok(app) => app.run(keep_running_in_tray),
        Err(error) => {
            tracing::error!(%error, "Taiji Gateway could not start");
            std::process::exit(1);
        }
    }
}

/// Builds the app on any runtime: managed state, commands, window behaviour, and (at startup) the
/// tray. Platform plugins are added by the caller, since the mock runtime has no session bus or
/// login items to talk to.
pub fn build_app<R: Runtime>(builder: Builder<R>, context: Context<R>) -> tauri::Result<App<R>> {
    builder
        .manage(AppState::default())
        .invoke_handler(commands::handler())
        .on_window_event(window::hide_on_close)
        .setup(|app| {
            tray::create(app.handle())?;
            Ok(())
        })
        .build(context)
}

/// Run-event hook: with the window hidden (or even destroyed) the app lives on in the tray; only an
/// explicit exit (tray "Quit", which passes an exit code) ends it.
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
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;
    use tauri::{Listener, WebviewWindow, WebviewWindowBuilder};

    use super::*;
    use crate::events::{GATEWAY_STATE, GatewayStateEvent};
    use crate::state::GatewayStatus;

    /// Builds the real app (our tauri.conf.json and capabilities) on the mock runtime, with the main
    /// window from the config.
    fn mock_app() -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app =
            build_app(mock_builder(), tauri::generate_context!()).expect("app builds on the mock runtime");
        let config = app
            .config()
            .app
            .windows
            .first()
            .expect("tauri.conf.json declares a window")
            .clone();
        let window = WebviewWindowBuilder::from_config(&app, &config)
            .and_then(|b| b.build())
            .expect("main window");
        (app, window)
    }

    /// Calls a command the way the UI does, so the capability check applies.
    fn invoke(
        window: &WebviewWindow<MockRuntime>,
        cmd: &str,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("static URL"),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(window, request).map(|body| body.deserialize().expect("JSON response"))
    }

    #[test]
    fn main_window_may_call_app_info_and_gets_name_and_version() {
        let (_app, window) = mock_app();
        assert_eq!(window.label(), window::MAIN);
        assert_eq!(
            invoke(&window, "app_info"),
            Ok(serde_json::json!({ "name": "Taiji Gateway", "version": env!("CARGO_PKG_VERSION") }))
        );
    }

    #[test]
    fn toggling_the_gateway_emits_the_event_and_changes_what_the_command_reports() {
        let (app, window) = mock_app();
        assert_eq!(invoke(&window, "gateway_state"), Ok(serde_json::json!("stopped")));

        let (tx, rx) = mpsc::channel();
        app.listen_any(GATEWAY_STATE, move |event| {
            let _ = tx.send(event.payload().to_owned());
        });
        assert_eq!(events::toggle_gateway(app.handle()), GatewayStatus::Running);

        let payload = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("gateway-state event emitted");
        let event: GatewayStateEvent = serde_json::from_str(&payload).expect("payload shape");
        assert_eq!(event.status, GatewayStatus::Running);
        assert_eq!(invoke(&window, "gateway_state"), Ok(serde_json::json!("running")));
    }
}
