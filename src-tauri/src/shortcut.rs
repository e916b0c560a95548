//! The chat window's global shortcut, which the user sets in Settings: kept in
//! `<data dir>/chat-shortcut.json` (a desktop preference, not a product setting of the core),
//! registered with the global-shortcut plugin at startup and whenever it changes. Pressing it
//! opens (or brings forward) the chat window. No shortcut is set until the user picks one, so the
//! app never takes a key combination another program uses.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcut, Shortcut, ShortcutState};

use crate::window;

/// The file the shortcut is kept in, inside the data directory.
pub const FILE_NAME: &str = "chat-shortcut.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    shortcut: Option<String>,
}

/// Why a shortcut was refused.
#[derive(Debug, thiserror::Error)]
pub enum ShortcutError {
    /// Not an accelerator, or the system refused it (another app has it).
    #[error("cannot use the shortcut `{shortcut}`: {reason}")]
    Invalid {
        /// What the user typed.
        shortcut: String,
        /// Why.
        reason: String,
    },
    /// The file could not be written.
    #[error("cannot save the shortcut: {0}")]
    Storage(#[from] std::io::Error),
}

/// The global-shortcut plugin, registered by `run()` (the mock runtime has no key grabs).
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new().build()
}

/// The stored shortcut, if any.
pub fn load(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(FILE_NAME)).ok()?;
    serde_json::from_str::<Stored>(&text)
        .ok()?
        .shortcut
        .filter(|shortcut| !shortcut.trim().is_empty())
}

fn save(dir: &Path, shortcut: Option<&str>) -> std::io::Result<()> {
    let stored = Stored {
        shortcut: shortcut.map(str::to_owned),
    };
    let text = serde_json::to_string_pretty(&stored).map_err(std::io::Error::other)?;
    let path = dir.join(FILE_NAME);
    let partial = dir.join(format!("{FILE_NAME}.partial"));
    // Readable by the user only, like every file of the app's data directory.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(&partial)?, text.as_bytes())?;
    std::fs::rename(&partial, &path)
}

fn parse(shortcut: &str) -> Result<Shortcut, ShortcutError> {
    shortcut
        .parse::<Shortcut>()
        .map_err(|error| ShortcutError::Invalid {
            shortcut: shortcut.to_owned(),
            reason: error.to_string(),
        })
}

fn register<R: Runtime>(keys: &GlobalShortcut<R>, shortcut: &str) -> Result<(), ShortcutError> {
    keys.on_shortcut(parse(shortcut)?, |app, _shortcut, event| {
        if event.state == ShortcutState::Pressed {
            window::show_chat(app);
        }
    })
    .map_err(|error| ShortcutError::Invalid {
        shortcut: shortcut.to_owned(),
        reason: error.to_string(),
    })
}

/// Sets (or with `None` or blank clears) the shortcut: checks and registers the new one before
/// storing it; on failure the old one stays in effect.
pub fn set<R: Runtime>(app: &AppHandle<R>, dir: &Path, shortcut: Option<&str>) -> Result<(), ShortcutError> {
    let shortcut = shortcut.map(str::trim).filter(|s| !s.is_empty());
    if let Some(shortcut) = shortcut {
        parse(shortcut)?;
    }
    let previous = load(dir);
    if let Some(keys) = app.try_state::<GlobalShortcut<R>>() {
        if let Some(previous) = previous.as_deref()
            && let Ok(previous) = parse(previous)
            && let Err(error) = keys.unregister(previous)
        {
            tracing::warn!(%error, "could not release the previous chat shortcut");
        }
        if let Some(shortcut) = shortcut
            && let Err(error) = register(&keys, shortcut)
        {
            if let Some(previous) = previous.as_deref()
                && let Err(error) = register(&keys, previous)
            {
                tracing::warn!(%error, "could not restore the previous chat shortcut");
            }
            return Err(error);
        }
    }
    save(dir, shortcut)?;
    Ok(())
}

/// Registers the stored shortcut at startup (a failure is logged: another app may hold it now).
pub fn restore<R: Runtime>(app: &AppHandle<R>, dir: &Path) {
    let (Some(shortcut), Some(keys)) = (load(dir), app.try_state::<GlobalShortcut<R>>()) else {
        return;
    };
    if let Err(error) = register(&keys, &shortcut) {
        tracing::warn!(%error, "the chat shortcut is not available");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accelerators_parse_and_nonsense_is_refused() {
        assert!(parse("CommandOrControl+Shift+Space").is_ok());
        assert!(parse("Alt+K").is_ok());
        assert!(matches!(
            parse("Shift+Nonsense"),
            Err(ShortcutError::Invalid { .. })
        ));
    }

    #[test]
    fn the_stored_shortcut_round_trips() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(load(dir.path()), None);
        save(dir.path(), Some("Alt+K")).expect("save");
        assert_eq!(load(dir.path()).as_deref(), Some("Alt+K"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        save(dir.path(), None).expect("save");
        assert_eq!(load(dir.path()), None);
    }
}
