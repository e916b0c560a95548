//! [`SettingsStore`]: loads `settings.json` from the data directory, migrates and validates it,
//! persists every change atomically and publishes it on a `tokio::sync::watch` channel.
//!
//! Loading never fails because of the file's *content*: a file that is not JSON, cannot be migrated,
//! has fields of the wrong type or does not validate is moved aside as
//! `settings.json.corrupt-<timestamp>` with a warning, and defaults are used. Only an unusable data
//! directory (cannot be created, read or written) is an error. On first run, and whenever keys are
//! required but none exists, a key named [`crate::api_keys::FIRST_KEY_NAME`] is generated.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;
use time::macros::format_description;
use tokio::sync::watch;

use super::migrate::{CURRENT_SCHEMA_VERSION, migrate};
use super::{Settings, SettingsError};
use crate::api_keys::{ApiKey, FIRST_KEY_NAME};
use crate::fs::{create_private_dir, write_atomically};

/// The settings document's file name inside the data directory.
pub const SETTINGS_FILE_NAME: &str = "settings.json";

/// The shared settings: a snapshot to read, an update that validates and persists, and a channel
/// to watch. Cheap to clone; all clones share one document.
#[derive(Clone)]
pub struct SettingsStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// Holds the current document; its receivers are the live subscribers.
    current: watch::Sender<Settings>,
    /// Serialises updates so two concurrent read-modify-write cycles cannot lose one another.
    update_lock: Mutex<()>,
    /// Where an unreadable file was moved on open, so the UI/CLI can tell the user.
    moved_aside: Option<PathBuf>,
}

impl std::fmt::Debug for SettingsStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingsStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl SettingsStore {
    /// Opens (or creates) the settings document in `data_dir`, creating the directory if needed.
    ///
    /// This does small blocking file I/O; call it at startup (or inside `spawn_blocking`).
    pub fn open(data_dir: &Path) -> Result<Self, SettingsError> {
        create_private_dir(data_dir).map_err(|error| SettingsError::io("create", data_dir, error))?;
        let path = data_dir.join(SETTINGS_FILE_NAME);
        let (mut settings, mut needs_save, moved_aside) = match std::fs::read(&path) {
            Ok(bytes) => match parse(&bytes) {
                Ok(Parsed {
                    settings,
                    from_version,
                    generated_key,
                }) => {
                    let migrated = from_version < CURRENT_SCHEMA_VERSION;
                    if migrated {
                        keep_backup(&path, from_version);
                        tracing::info!(
                            from_version,
                            to_version = CURRENT_SCHEMA_VERSION,
                            "migrated the settings document"
                        );
                    }
                    (settings, migrated || generated_key, None)
                }
                Err(reason) => {
                    let aside = move_aside(&path)?;
                    tracing::warn!(
                        path = %path.display(),
                        moved_to = %aside.display(),
                        %reason,
                        "the settings file could not be used; it was moved aside and defaults apply"
                    );
                    (Settings::default(), true, Some(aside))
                }
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => (Settings::default(), true, None),
            Err(error) => return Err(SettingsError::io("read", &path, error)),
        };
        if ensure_first_key(&mut settings)? {
            needs_save = true;
        }
        if needs_save {
            save(&path, &settings)?;
        }
        let (current, _) = watch::channel(settings);
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                current,
                update_lock: Mutex::new(()),
                moved_aside,
            }),
        })
    }

    /// A snapshot of the current settings.
    pub fn get(&self) -> Settings {
        self.inner.current.borrow().clone()
    }

    /// A receiver that sees every published change (and the current value at once).
    pub fn subscribe(&self) -> watch::Receiver<Settings> {
        self.inner.current.subscribe()
    }

    /// The path of the settings file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Where an unusable settings file was moved when this store was opened, if that happened.
    pub fn moved_aside(&self) -> Option<&Path> {
        self.inner.moved_aside.as_deref()
    }

    /// Applies `change` to a copy of the settings, validates the result, writes it atomically and
    /// only then publishes it. On any error nothing is written or published. Does small blocking
    /// file I/O.
    pub fn update(&self, change: impl FnOnce(&mut Settings)) -> Result<Settings, SettingsError> {
        self.try_update(|settings| {
            change(settings);
            Ok(())
        })
        .map(|((), settings)| settings)
    }

    /// Like [`Self::update`] for a change that can itself fail or has a result to hand back.
    pub fn try_update<T>(
        &self,
        change: impl FnOnce(&mut Settings) -> Result<T, SettingsError>,
    ) -> Result<(T, Settings), SettingsError> {
        let _serialised = self
            .inner
            .update_lock
            .lock()
            .expect("the settings update lock is never held across a panic");
        let mut next = self.get();
        let output = change(&mut next)?;
        next.schema_version = CURRENT_SCHEMA_VERSION;
        next.validate()?;
        if next != *self.inner.current.borrow() {
            save(&self.inner.path, &next)?;
            self.inner.current.send_replace(next.clone());
            tracing::info!(path = %self.inner.path.display(), "settings saved");
        }
        Ok((output, next))
    }

    /// Adds an API key with a generated secret and returns it.
    pub fn add_api_key(&self, name: &str) -> Result<ApiKey, SettingsError> {
        self.try_update(|settings| Ok(settings.access.api_keys.add(name)?))
            .map(|(key, _)| key)
    }

    /// Gives the named key a new secret (the old one stops working at once) and returns it.
    pub fn regenerate_api_key(&self, name: &str) -> Result<ApiKey, SettingsError> {
        self.try_update(|settings| Ok(settings.access.api_keys.regenerate(name)?))
            .map(|(key, _)| key)
    }

    /// Removes the named key. Removing the last key while keys are required is refused.
    pub fn remove_api_key(&self, name: &str) -> Result<ApiKey, SettingsError> {
        self.try_update(|settings| Ok(settings.access.api_keys.remove(name)?))
            .map(|(key, _)| key)
    }
}

struct Parsed {
    settings: Settings,
    from_version: u32,
    /// Whether a first key had to be generated (the document needs saving).
    generated_key: bool,
}

/// Generates the first key when keys are required but none exists (first run, a recovered file,
/// or a hand-written file without keys): the endpoint must never be open without one. Returns
/// whether a key was generated.
fn ensure_first_key(settings: &mut Settings) -> Result<bool, SettingsError> {
    if settings.access.api_keys_required && settings.access.api_keys.is_empty() {
        settings.access.api_keys.add(FIRST_KEY_NAME)?;
        return Ok(true);
    }
    Ok(false)
}

/// Turns the file's bytes into valid settings, or says why that is impossible.
fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| format!("not valid JSON: {error}"))?;
    let migrated = migrate(value)?;
    let mut settings: Settings = serde_json::from_value(migrated.value).map_err(|error| {
        format!(
            "a field has the wrong type: {}",
            redact_quoted(&error.to_string())
        )
    })?;
    // A document from a newer build loads with this build's version; see `migrate`.
    settings.schema_version = CURRENT_SCHEMA_VERSION;
    let generated_key = ensure_first_key(&mut settings).map_err(|error| error.to_string())?;
    settings.validate().map_err(|error| error.to_string())?;
    Ok(Parsed {
        settings,
        from_version: migrated.from_version,
        generated_key,
    })
}

/// Replaces every quoted value in a parser message with `…`: serde quotes the offending value
/// (`invalid type: string "tj-…", expected …`), and that value may be an API key.
fn redact_quoted(message: &str) -> String {
    let mut redacted = String::with_capacity(message.len());
    let mut parts = message.split('"');
    if let Some(first) = parts.next() {
        redacted.push_str(first);
    }
    for (index, part) in parts.enumerate() {
        // Even indexes are inside quotes, odd ones outside again.
        if index % 2 == 0 {
            redacted.push_str("\"…\"");
        } else {
            redacted.push_str(part);
        }
    }
    redacted
}

fn save(path: &Path, settings: &Settings) -> Result<(), SettingsError> {
    let mut bytes = serde_json::to_vec_pretty(settings).map_err(SettingsError::Serialize)?;
    bytes.push(b'\n');
    write_atomically(path, &bytes).map_err(|error| SettingsError::io("write", path, error))
}

/// Renames an unusable file to `<name>.corrupt-<UTC timestamp>` (with a counter if that exists).
fn move_aside(path: &Path) -> Result<PathBuf, SettingsError> {
    let stamp = OffsetDateTime::now_utc()
        .format(format_description!("[year][month][day]T[hour][minute][second]Z"))
        .unwrap_or_else(|_| "unknown-time".to_owned());
    let base = format!("{}.corrupt-{stamp}", path.display());
    let mut target = PathBuf::from(&base);
    let mut counter = 1;
    while target.exists() {
        target = PathBuf::from(format!("{base}-{counter}"));
        counter += 1;
    }
    std::fs::rename(path, &target).map_err(|error| SettingsError::io("move aside", path, error))?;
    Ok(target)
}

/// Keeps a copy of a document before migrating it, so a downgrade can go back to it. Failing to
/// keep the copy is not a reason to refuse to start.
fn keep_backup(path: &Path, from_version: u32) {
    let backup = PathBuf::from(format!("{}.v{from_version}-backup", path.display()));
    if let Err(error) = std::fs::copy(path, &backup) {
        tracing::warn!(%error, backup = %backup.display(), "could not keep a copy of the old settings");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_redacted_from_parser_messages() {
        let message = r#"invalid type: string "tj-secret", expected a sequence at line 1"#;
        assert_eq!(
            redact_quoted(message),
            r#"invalid type: string "…", expected a sequence at line 1"#
        );
        assert_eq!(redact_quoted("no quotes"), "no quotes");
    }

    #[test]
    fn concurrent_updates_are_not_lost() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SettingsStore::open(dir.path()).expect("opens");
        std::thread::scope(|scope| {
            for index in 0..8 {
                let store = store.clone();
                scope.spawn(move || {
                    store
                        .update(|settings| {
                            settings
                                .model_aliases
                                .insert(format!("alias-{index}"), "gpt-4.1-mini".to_owned());
                        })
                        .expect("updates");
                });
            }
        });
        let aliases = store.get().model_aliases;
        assert!((0..8).all(|index| aliases.contains_key(&format!("alias-{index}"))));
    }
}
