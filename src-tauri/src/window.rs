//! The main window: creating it (with its download handling), bringing it back from the tray and
//! hiding it instead of closing.
//!
//! The window is created here rather than by Tauri from `tauri.conf.json` (where it has
//! `"create": false`) because only the builder can attach a download handler: the UI saves
//! request-log exports through a Blob link, and without a handler the webview would drop the file
//! in whatever the working directory happens to be.

use std::path::{Path, PathBuf};

use tauri::webview::DownloadEvent;
use tauri::{AppHandle, Emitter, Manager, Runtime, Webview, WebviewWindowBuilder, Window, WindowEvent};

use crate::events::{DOWNLOAD_FINISHED, DownloadFinishedEvent};

/// The label of the one window, as declared in `tauri.conf.json` and `capabilities/default.json`.
pub const MAIN: &str = "main";

/// Creates the main window from its `tauri.conf.json` entry, saving downloads to the user's
/// Downloads folder (or the home folder where there is none).
pub fn create_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(app, &config)?
        .on_download(on_download)
        .build()?;
    Ok(())
}

fn on_download<R: Runtime>(webview: Webview<R>, event: DownloadEvent<'_>) -> bool {
    match event {
        DownloadEvent::Requested { destination, .. } => {
            let folder = webview
                .path()
                .download_dir()
                .ok()
                .filter(|dir| dir.is_dir())
                .or_else(|| webview.path().home_dir().ok());
            if let (Some(folder), Some(name)) = (folder, destination.file_name()) {
                *destination = unused_path(&folder, Path::new(name));
            }
            tracing::info!(path = %destination.display(), "saving a download");
            true
        }
        DownloadEvent::Finished { path, success, .. } => {
            // Exports hold prompts and account activity: readable by the user only.
            #[cfg(unix)]
            if let Some(path) = path.as_deref().filter(|_| success) {
                use std::os::unix::fs::PermissionsExt;
                if let Err(error) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
                    tracing::warn!(%error, "could not make the download private");
                }
            }
            let payload = DownloadFinishedEvent {
                path: path.map(|path| path.display().to_string()),
                success,
            };
            if let Err(error) = webview.emit(DOWNLOAD_FINISHED, payload) {
                tracing::warn!(%error, "could not tell the UI where the download went");
            }
            true
        }
        _ => true,
    }
}

/// `folder/name`, or `folder/stem (n).ext` when that exists already, so nothing is overwritten.
fn unused_path(folder: &Path, name: &Path) -> PathBuf {
    let candidate = folder.join(name);
    if !candidate.exists() {
        return candidate;
    }
    let stem = name
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = name
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (1..)
        .map(|n| folder.join(format!("{stem} ({n}){extension}")))
        .find(|path| !path.exists())
        .unwrap_or(candidate)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_never_overwrite_an_existing_file() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let name = Path::new("log.csv");
        assert_eq!(unused_path(dir.path(), name), dir.path().join("log.csv"));
        std::fs::write(dir.path().join("log.csv"), "a").expect("write");
        std::fs::write(dir.path().join("log (1).csv"), "b").expect("write");
        assert_eq!(unused_path(dir.path(), name), dir.path().join("log (2).csv"));
    }
}
