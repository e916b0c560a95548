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

/// Creates the main window from its `tauri.conf.json` entry.
pub fn create_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(app, &config)?.build()
}

/// Opens the main window (tray click, "Open" item, second launch): creates it if it was closed or
/// never made, otherwise un-minimises it; then shows and focuses it.
///
/// The work runs on a task, not in the caller: the callers are tray and single-instance handlers
/// on the event loop, and creating a webview from there deadlocks on Windows (WebView2).
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = open_main(&app) {
            tracing::warn!(%error, "could not open the main window");
        }
    });
}

/// [`show_main`]'s work, on the calling thread; returns the window.
pub fn open_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let window = match app.get_webview_window(MAIN) {
        Some(window) => window,
        None => create_main(app)?,
    };
    // Each step can fail only if the window is being destroyed; the others are still worth trying.
    for (step, result) in [
        ("unminimize", window.unminimize()),
        ("show", window.show()),
        ("focus", window.set_focus()),
    ] {
        if let Err(error) = result {
            tracing::warn!(%error, step, "could not bring the main window forward");
        }
    }
    Ok(window)
}

/// Opens the chat window (tray "Open chat", the global shortcut) on a task, like [`show_main`].
pub fn show_chat<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = open_chat(&app) {
            tracing::warn!(%error, "could not open the chat window");
        }
    });
}

/// [`show_chat`]'s work: the chat window exists only while shown, like the main window (closing it
/// destroys it), and is made from the main window's configuration with its own label, URL and title.
pub fn open_chat<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let window = match app.get_webview_window(CHAT) {
        Some(window) => window,
        None => {
            let mut config = app
                .config()
                .app
                .windows
                .iter()
                .find(|window| window.label == MAIN)
                .cloned()
                .ok_or_else(|| tauri::Error::WindowNotFound)?;
            config.label = CHAT.to_owned();
            config.url = tauri::WebviewUrl::App(CHAT_URL.into());
            config.width = 900.0;
            config.height = 720.0;
            config.title = "Taiji Gateway · Chat".to_owned();
            WebviewWindowBuilder::from_config(app, &config)?.build()?
        }
    };
    for (step, result) in [
        ("unminimize", window.unminimize()),
        ("show", window.show()),
        ("focus", window.set_focus()),
    ] {
        if let Err(error) = result {
            tracing::warn!(%error, step, "could not bring the chat window forward");
        }
    }
    Ok(window)
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
