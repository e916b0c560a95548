//! Desktop-only commands: the UI's language for the tray, and starting at login.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::{AutoLaunchManager, ManagerExt as _};

use super::{CommandError, ErrorKind};
use crate::tray;
use crate::ui_language::UiLanguage;

/// The UI switched (or first chose) its language; the tray follows it.
#[tauri::command(rename_all = "snake_case")]
pub fn set_ui_language<R: Runtime>(app: AppHandle<R>, language: UiLanguage) {
    tray::set_language(&app, language);
    crate::notify::set_language(&app, language);
}

/// Whether the app starts when the user logs in.
#[tauri::command(rename_all = "snake_case")]
pub fn autostart<R: Runtime>(app: AppHandle<R>) -> Result<bool, CommandError> {
    ensure_autostart(&app)?;
    app.autolaunch().is_enabled().map_err(autostart_error)
}

/// Turns starting at login on or off and answers what the system has afterwards; the tray's check
/// mark follows.
#[tauri::command(rename_all = "snake_case")]
pub fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<bool, CommandError> {
    ensure_autostart(&app)?;
    let autolaunch = app.autolaunch();
    let result = if enabled {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    let now = autolaunch.is_enabled().unwrap_or(false);
    tray::show_autostart(&app, now);
    result.map_err(autostart_error)?;
    Ok(now)
}

/// The autostart plugin is absent on the mock runtime (tests) and where login items are unknown.
fn ensure_autostart<R: Runtime>(app: &AppHandle<R>) -> Result<(), CommandError> {
    if app.try_state::<AutoLaunchManager>().is_some() {
        Ok(())
    } else {
        Err(CommandError::new(
            ErrorKind::Unsupported,
            "starting at login is not available here",
        ))
    }
}

fn autostart_error(error: impl std::fmt::Display) -> CommandError {
    CommandError::new(ErrorKind::Storage, error.to_string())
}
