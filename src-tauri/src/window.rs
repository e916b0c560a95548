//! The main window and the chat window: created on demand, destroyed when closed.
//!
//! The window is built from its `tauri.conf.json` entry (which has `"create": false`): during setup
//! after the core is open, unless the app was started with [`HIDDEN_FLAG`] (the start-at-login
//! entry), and again whenever the user opens it from the tray or launches the app a second time.
//! Closing the window destroys it, webview and all, so the app hidden in the tray costs only the
//! shell, the core and the gateway; the UI keeps nothing that must survive (its preferences are in
//! the store plugin's file and everything else comes from the shell when it starts).
//! Request-log exports do not go through the webview's downloads: the UI asks for a path in the
//! save dialog and the shell writes the file (`commands::log::export_request_log`).

use tauri::utils::config::WindowConfig;
use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WebviewWindowBuilder};

/// The label of the main window, as declared in `tauri.conf.json` and `capabilities/default.json`.
pub const MAIN: &str = "main";

/// The label of the chat window (granted in `capabilities/default.json` like the main window).
pub const CHAT: &str = "chat";

/// The chat window's page: the UI renders only the Chat view for this hash.
pub const CHAT_URL: &str = "index.html#chat";

/// The command-line flag that starts the app in the tray without a window.
pub const HIDDEN_FLAG: &str = "--hidden";

/// The arguments the start-at-login entry launches the app with: hidden in the tray.
pub const AUTOSTART_ARGS: &[&str] = &[HIDDEN_FLAG];

/// Whether a launch with these arguments (program name first, as `std::env::args` gives them)
/// starts hidden.
pub fn starts_hidden<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> bool {
    args.into_iter().skip(1).any(|arg| arg.as_ref() == HIDDEN_FLAG)
}

/// The main window's `tauri.conf.json` entry, which the chat window is made from too.
fn main_config<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WindowConfig> {
    app.config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)
}

/// Creates the main window from its `tauri.conf.json` entry.
pub fn create_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    WebviewWindowBuilder::from_config(app, &main_config(app)?)?.build()
}

/// Creates the chat window from the main window's entry with its own label, URL, size and title.
fn create_chat<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let mut config = main_config(app)?;
    config.label = CHAT.to_owned();
    config.url = tauri::WebviewUrl::App(CHAT_URL.into());
    config.width = 900.0;
    config.height = 720.0;
    config.title = "Taiji Gateway · Chat".to_owned();
    WebviewWindowBuilder::from_config(app, &config)?.build()
}

/// The window `label`, made by `create` if it was closed or never made, then un-minimised, shown
/// and focused.
fn bring_forward<R: Runtime>(
    app: &AppHandle<R>,
    label: &str,
    create: fn(&AppHandle<R>) -> tauri::Result<WebviewWindow<R>>,
) -> tauri::Result<WebviewWindow<R>> {
    let window = match app.get_webview_window(label) {
        Some(window) => window,
        None => create(app)?,
    };
    // Each step can fail only if the window is being destroyed; the others are still worth trying.
    for (step, result) in [
        ("unminimize", window.unminimize()),
        ("show", window.show()),
        ("focus", window.set_focus()),
    ] {
        if let Err(error) = result {
            tracing::warn!(%error, step, window = label, "could not bring a window forward");
        }
    }
    Ok(window)
}

/// Runs `open` on a task, not in the caller: the callers are tray, shortcut and single-instance
/// handlers on the event loop, and creating a webview from there deadlocks on Windows (WebView2).
fn open_on_task<R: Runtime>(
    app: &AppHandle<R>,
    label: &'static str,
    open: fn(&AppHandle<R>) -> tauri::Result<WebviewWindow<R>>,
) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = open(&app) {
            tracing::warn!(%error, window = label, "could not open a window");
        }
    });
}

/// Opens the main window (tray click, "Open" item, second launch) on a task: creates it if it was
/// closed or never made, otherwise un-minimises it; then shows and focuses it.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    open_on_task(app, MAIN, open_main);
}

/// [`show_main`]'s work, on the calling thread; returns the window.
pub fn open_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    bring_forward(app, MAIN, create_main)
}

/// Opens the chat window (tray "Open chat", the global shortcut) on a task, like [`show_main`].
pub fn show_chat<R: Runtime>(app: &AppHandle<R>) {
    open_on_task(app, CHAT, open_chat);
}

/// [`show_chat`]'s work: the chat window exists only while shown, like the main window (closing it
/// destroys it), and is made from the main window's configuration.
pub fn open_chat<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    bring_forward(app, CHAT, create_chat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hidden_flag_after_the_program_name_starts_hidden() {
        assert!(starts_hidden(["taiji-desktop", "--hidden"]));
        assert!(starts_hidden(
            std::iter::once("taiji-desktop").chain(AUTOSTART_ARGS.iter().copied())
        ));
        assert!(!starts_hidden(["taiji-desktop"]));
        assert!(!starts_hidden(["--hidden"]));
        assert!(!starts_hidden(["taiji-desktop", "--hidden-not"]));
    }
}
