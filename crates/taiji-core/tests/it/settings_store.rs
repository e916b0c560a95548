//! Integration tests of the settings document and its store: first run, restart, corrupt files,
//! migration from the version-0 shape, validation messages, live publication and API keys. Every
//! test works in its own temporary data directory.

use std::path::Path;

use serde_json::json;
use taiji_core::api_keys::FIRST_KEY_NAME;
use taiji_core::settings::{
    CURRENT_SCHEMA_VERSION, NotificationSettings, SETTINGS_FILE_NAME, Settings, SettingsError, SettingsStore,
};

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("settings file exists")).expect("valid JSON")
}

#[test]
fn first_run_writes_defaults_and_one_generated_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SettingsStore::open(dir.path()).expect("opens");
    let settings = store.get();
    assert_eq!(settings.upstream.base_url, "https://ai.txg2024.xyz");
    assert!(settings.upstream.discovery);
    assert_eq!(settings.upstream.entry_url, "https://www.taijiai666.com");
    assert_eq!(settings.upstream.app_version, "3.4.0");
    assert_eq!(settings.listen.host, "127.0.0.1");
    assert_eq!(settings.listen.port, 8760);
    assert!(settings.access.api_keys_required);
    assert!(!settings.access.lan_mode);
    assert_eq!(settings.max_concurrent, 3);
    assert!(settings.pacing.enabled);
    assert_eq!(settings.request_log.retention.max_age_days, 30);
    assert_eq!(settings.request_log.retention.max_rows, 100_000);
    assert_eq!(settings.request_log.retention.max_mb, 200);
    assert!(!settings.request_log.previews.enabled);
    assert_eq!(settings.request_log.previews.max_bytes, 2048);
    assert_eq!(settings.schema_version, CURRENT_SCHEMA_VERSION);

    assert_eq!(settings.access.api_keys.len(), 1);
    let key = settings.access.api_keys.get(FIRST_KEY_NAME).expect("first key");
    assert!(key.secret.expose().starts_with("tj-"));
    assert!(store.path().exists());
    assert!(store.moved_aside().is_none());
}

#[cfg(unix)]
#[test]
fn the_settings_file_and_data_dir_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().expect("temp dir");
    let dir = parent.path().join("data");
    let store = SettingsStore::open(&dir).expect("opens");
    let file_mode = std::fs::metadata(store.path())
        .expect("file")
        .permissions()
        .mode();
    let dir_mode = std::fs::metadata(&dir).expect("dir").permissions().mode();
    assert_eq!(file_mode & 0o777, 0o600);
    assert_eq!(dir_mode & 0o777, 0o700);
}

#[test]
fn restart_keeps_settings_and_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (first_key, added) = {
        let store = SettingsStore::open(dir.path()).expect("opens");
        store
            .update(|settings| {
                settings.max_concurrent = 7;
                settings.listen.port = 9999;
                settings
                    .model_aliases
                    .insert("sonnet".to_owned(), "claude-sonnet-4-6".to_owned());
            })
            .expect("valid update");
        let added = store.add_api_key("cherry-studio").expect("added");
        let first = store.get().access.api_keys.get(FIRST_KEY_NAME).cloned();
        (first.expect("first key"), added)
    };
    let reopened = SettingsStore::open(dir.path()).expect("reopens");
    let settings = reopened.get();
    assert_eq!(settings.max_concurrent, 7);
    assert_eq!(settings.listen.port, 9999);
    assert_eq!(settings.model_aliases["sonnet"], "claude-sonnet-4-6");
    let keys = &settings.access.api_keys;
    assert_eq!(keys.len(), 2, "no new key is generated on restart");
    assert_eq!(keys.verify(first_key.secret.expose()), Some(FIRST_KEY_NAME));
    assert_eq!(keys.verify(added.secret.expose()), Some("cherry-studio"));
}

#[test]
fn a_corrupt_file_is_moved_aside_and_defaults_apply() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(SETTINGS_FILE_NAME);
    std::fs::write(&path, b"{ this is not json").expect("write garbage");

    let store = SettingsStore::open(dir.path()).expect("recovers instead of failing");
    let aside = store
        .moved_aside()
        .expect("reports where the file went")
        .to_path_buf();
    let aside_name = aside.file_name().expect("name").to_string_lossy().into_owned();
    assert!(aside_name.starts_with("settings.json.corrupt-"), "{aside_name}");
    assert_eq!(std::fs::read(&aside).expect("kept"), b"{ this is not json");
    assert_eq!(store.get().max_concurrent, Settings::default().max_concurrent);
    assert_eq!(
        store.get().access.api_keys.len(),
        1,
        "a fresh key protects the endpoint"
    );
    // The replacement is a valid document again.
    assert_eq!(read_json(&path)["schema_version"], CURRENT_SCHEMA_VERSION);
}

#[test]
fn a_wrongly_typed_or_invalid_file_is_also_recovered() {
    for content in [
        json!({ "schema_version": 1, "max_concurrent": "many" }),
        json!({ "schema_version": 1, "listen": { "host": "0.0.0.0" }, "access": { "lan_mode": false } }),
        json!([1, 2, 3]),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(SETTINGS_FILE_NAME);
        std::fs::write(&path, content.to_string()).expect("write");
        let store = SettingsStore::open(dir.path()).expect("recovers");
        assert!(store.moved_aside().is_some(), "{content}");
        assert_eq!(store.get().listen.host, "127.0.0.1");
    }
}

#[test]
fn a_partial_file_keeps_defaults_for_missing_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join(SETTINGS_FILE_NAME),
        json!({ "schema_version": 1, "max_concurrent": 5, "some_future_field": true }).to_string(),
    )
    .expect("write");
    let store = SettingsStore::open(dir.path()).expect("opens");
    assert!(store.moved_aside().is_none());
    assert_eq!(store.get().max_concurrent, 5);
    assert_eq!(store.get().listen.port, 8760);
}

#[test]
fn a_hand_written_file_without_a_version_keeps_what_it_says() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(SETTINGS_FILE_NAME);
    std::fs::write(&path, r#"{"pacing":{"enabled":false},"max_concurrent":3}"#).expect("write");
    let store = SettingsStore::open(dir.path()).expect("opens");
    let settings = store.get();
    assert!(store.moved_aside().is_none());
    assert!(!settings.pacing.enabled, "what the person wrote is kept");
    assert_eq!(settings.max_concurrent, 3);
    let defaults = Settings::default();
    assert_eq!(
        settings.pacing.requests_per_minute,
        defaults.pacing.requests_per_minute
    );
    assert_eq!(
        settings.listen, defaults.listen,
        "the rest is filled with defaults"
    );
    assert_eq!(settings.schema_version, CURRENT_SCHEMA_VERSION);
    assert!(
        !dir.path().join("settings.json.v0-backup").exists(),
        "nothing was migrated, so nothing is backed up"
    );
    let on_disk = read_json(&path);
    assert_eq!(on_disk["pacing"]["enabled"], false);
}

#[test]
fn a_version_zero_document_is_migrated_and_backed_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(SETTINGS_FILE_NAME);
    let old_key = "tj-OldPrototypeKey0123456789abcdef";
    let old = json!({
        "api_base": "https://ai.avuuq.cn",
        "app_version": "2.14.0",
        "host": "127.0.0.1",
        "port": 8800,
        "max_concurrent": 5,
        "api_key": old_key,
        "require_api_key": true,
        "model_map": { "claude-sonnet-4-5": "claude-sonnet-4-6" },
        "log_max_days": 14
    });
    std::fs::write(&path, old.to_string()).expect("write v0");

    let store = SettingsStore::open(dir.path()).expect("migrates");
    let settings = store.get();
    assert_eq!(settings.schema_version, CURRENT_SCHEMA_VERSION);
    assert_eq!(settings.upstream.base_url, "https://ai.avuuq.cn");
    assert_eq!(settings.upstream.app_version, "2.14.0");
    assert_eq!(settings.listen.port, 8800);
    assert_eq!(settings.max_concurrent, 5);
    assert_eq!(settings.request_log.retention.max_age_days, 14);
    assert_eq!(
        settings
            .model_aliases
            .get("claude-sonnet-4-5")
            .map(String::as_str),
        Some("claude-sonnet-4-6")
    );
    assert_eq!(settings.access.api_keys.len(), 1);
    assert_eq!(settings.access.api_keys.verify(old_key), Some("default"));

    // The migrated document is written back in the new shape, and the old one is kept.
    let on_disk = read_json(&path);
    assert_eq!(on_disk["schema_version"], CURRENT_SCHEMA_VERSION);
    assert_eq!(on_disk["upstream"]["base_url"], "https://ai.avuuq.cn");
    let backup = dir.path().join("settings.json.v0-backup");
    assert_eq!(read_json(&backup), old);
}

#[test]
fn stored_settings_with_the_old_default_site_move_to_todays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(SETTINGS_FILE_NAME);
    let v1 = json!({"schema_version": 1, "upstream": {"base_url": "https://ai.aurod.cn", "app_version": "2.16.0"},
                    "listen": {"port": 8801}});
    std::fs::write(&path, v1.to_string()).expect("write v1");
    let settings = SettingsStore::open(dir.path()).expect("migrates").get();
    assert_eq!(settings.upstream.base_url, "https://ai.txg2024.xyz");
    assert_eq!(settings.upstream.app_version, "3.4.0");
    assert!(settings.upstream.discovery);
    assert_eq!(settings.listen.port, 8801);
    assert_eq!(read_json(&path)["upstream"]["base_url"], "https://ai.txg2024.xyz");

    // An origin the user chose stays, and so does its version.
    let dir = tempfile::tempdir().expect("temp dir");
    let custom = json!({"schema_version": 1, "upstream": {"base_url": "https://taiji.example.org", "app_version": "2.16.0"}});
    std::fs::write(dir.path().join(SETTINGS_FILE_NAME), custom.to_string()).expect("write v1");
    let settings = SettingsStore::open(dir.path()).expect("migrates").get();
    assert_eq!(settings.upstream.base_url, "https://taiji.example.org");
    assert_eq!(settings.upstream.app_version, "2.16.0");
    assert!(!settings.upstream.discovery);
}

#[test]
fn validation_names_the_field_and_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SettingsStore::open(dir.path()).expect("opens");

    let error = store
        .update(|settings| settings.listen.host = "0.0.0.0".to_owned())
        .expect_err("LAN bind without LAN mode is refused");
    let SettingsError::Invalid(invalid) = &error else {
        panic!("expected a validation error, got {error}");
    };
    assert!(invalid.mentions("listen.host"), "{error}");
    let message = error.to_string();
    assert!(message.contains("listen.host"), "{message}");
    assert!(message.contains("access.lan_mode"), "{message}");

    let error = store
        .update(|settings| {
            settings.access.lan_mode = true;
            settings.access.api_keys_required = false;
        })
        .expect_err("LAN mode without keys is refused")
        .to_string();
    assert!(error.contains("access.lan_mode"), "{error}");

    let error = store
        .update(|settings| {
            settings.max_concurrent = 0;
            settings.upstream.base_url = "ftp://example.com".to_owned();
            settings.request_log.retention.max_rows = 5;
        })
        .expect_err("several problems")
        .to_string();
    for field in [
        "max_concurrent",
        "upstream.base_url",
        "request_log.retention.max_rows",
    ] {
        assert!(error.contains(field), "{field} missing in: {error}");
    }
    assert!(error.contains("between 1 and 64"), "{error}");

    // A rejected update changes nothing, in memory or on disk.
    assert_eq!(store.get().max_concurrent, 3);
    assert_eq!(read_json(store.path())["max_concurrent"], 3);
}

#[test]
fn lan_mode_with_keys_allows_a_lan_bind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SettingsStore::open(dir.path()).expect("opens");
    let settings = store
        .update(|settings| {
            settings.access.lan_mode = true;
            settings.listen.host = "0.0.0.0".to_owned();
        })
        .expect("LAN mode with keys is fine");
    assert_eq!(settings.listen.host, "0.0.0.0");
}

#[test]
fn no_key_is_allowed_on_loopback_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SettingsStore::open(dir.path()).expect("opens");
    let removing_last = store.remove_api_key(FIRST_KEY_NAME);
    assert!(
        removing_last
            .expect_err("the last required key cannot go")
            .to_string()
            .contains("access.api_keys")
    );
    store
        .update(|settings| settings.access.api_keys_required = false)
        .expect("no key on loopback is allowed");
    store.remove_api_key(FIRST_KEY_NAME).expect("now it can go");
    assert!(store.get().access.api_keys.is_empty());
    // And a restart does not silently re-create it while keys are not required.
    let reopened = SettingsStore::open(dir.path()).expect("reopens");
    assert!(reopened.get().access.api_keys.is_empty());
}

#[tokio::test]
async fn changes_are_published_live() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SettingsStore::open(dir.path()).expect("opens");
    let mut live = store.subscribe();
    assert_eq!(live.borrow_and_update().max_concurrent, 3);

    let updater = store.clone();
    let writer = tokio::task::spawn_blocking(move || {
        updater.update(|settings| {
            settings.max_concurrent = 6;
            settings.pacing.enabled = false;
        })
    });
    live.changed().await.expect("a change arrives");
    let seen = live.borrow_and_update().clone();
    assert_eq!(seen.max_concurrent, 6);
    assert!(!seen.pacing.enabled);
    writer.await.expect("joined").expect("updated");

    // A rejected update publishes nothing.
    assert!(store.update(|settings| settings.max_concurrent = 0).is_err());
    assert!(!live.has_changed().expect("store alive"));
}

#[test]
fn regenerating_a_key_invalidates_the_old_one_and_persists() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SettingsStore::open(dir.path()).expect("opens");
    let old = store
        .get()
        .access
        .api_keys
        .get(FIRST_KEY_NAME)
        .cloned()
        .expect("first key");
    let new = store.regenerate_api_key(FIRST_KEY_NAME).expect("regenerated");
    assert_ne!(old.secret, new.secret);
    let reopened = SettingsStore::open(dir.path()).expect("reopens");
    let keys = reopened.get().access.api_keys;
    assert_eq!(keys.verify(old.secret.expose()), None);
    assert_eq!(keys.verify(new.secret.expose()), Some(FIRST_KEY_NAME));
    assert!(matches!(
        store.regenerate_api_key("nope"),
        Err(SettingsError::ApiKey(_))
    ));
}

#[test]
fn default_aliases_map_claude_code_names() {
    let aliases = Settings::default().model_aliases;
    // The family aliases that every Claude id without a site model falls back to; Opus is
    // deliberately not the site's 1 000 000-point Opus.
    assert_eq!(
        aliases.get("sonnet").map(String::as_str),
        Some("claude-sonnet-4-6")
    );
    assert_eq!(aliases.get("opus").map(String::as_str), Some("claude-sonnet-4-6"));
    assert_eq!(aliases.get("haiku").map(String::as_str), Some("gpt-4.1-mini"));
}

#[test]
fn default_data_dir_is_a_named_directory() {
    // Only the name is checked: the test must not create anything under the real home.
    if let Some(dir) = taiji_core::settings::default_data_dir() {
        assert!(
            dir.to_string_lossy().contains("taiji-gateway"),
            "{}",
            dir.display()
        );
    }
}

#[test]
fn notifications_default_on_and_a_partial_section_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(SETTINGS_FILE_NAME);
    std::fs::write(&path, json!({ "schema_version": 1 }).to_string()).expect("write");
    let store = SettingsStore::open(dir.path()).expect("opens");
    assert_eq!(store.get().notifications, NotificationSettings::default());
    assert!(store.get().notifications.low_points);
    drop(store);

    std::fs::write(
        &path,
        json!({ "schema_version": 1, "notifications": { "low_points": false, "low_points_threshold": 5 } })
            .to_string(),
    )
    .expect("write");
    let store = SettingsStore::open(dir.path()).expect("opens");
    assert!(store.moved_aside().is_none());
    let notifications = store.get().notifications;
    assert!(!notifications.low_points);
    assert_eq!(notifications.low_points_threshold, 5);
    assert!(notifications.sign_in_failure && notifications.gateway_error);

    let mut settings = Settings::default();
    settings.notifications.low_points_threshold = u64::MAX;
    let error = settings.validate().expect_err("absurd threshold");
    assert!(error.mentions("notifications.low_points_threshold"), "{error}");
}
