//! The main window: creating it, bringing it back from the tray and hiding it instead of closing.
//!
//! The window is created here, during setup, from its `tauri.conf.json` entry (which has
//! `"create": false`), after the core is open. Request-log exports do not go through the webview's
//! downloads: the UI asks for a path in the save dialog and the shell writes the file
//! (`commands::log::export_request_log`).

use tauri::{AppHandle, Manager, Runtime, WebviewWindowBuilder, Window, WindowEvent};

/// The label of the one window, as declared in `tauri.conf.json` and `capabilities/default.json`.
pub const MAIN: &str = "main";

/// Creates the main window from its `tauri.conf.json` entry.
pub fn create_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(app, &config)?.build()?;
    Ok(())
}

/// Shows, un-minimises and focuses the main window (tray click, "Open" item, second launch).
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window(MAIN) else {
        tracing::warn!("the main window is gone; nothing to show");
        return;
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
}

/// Window event hook: closing the main window hides it, so the app (and later the gateway) keeps
/// running in the tray. Quitting is an explicit tray action.
pub fn hide_on_close<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event
        && window.label() == MAIN
    {
        api.prevent_close();
        if let Err(error) = window.hide() {
            tracing::warn!(%error, "could not hide the main window");
        }
    }
}
