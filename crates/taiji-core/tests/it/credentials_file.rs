//! Integration tests of the credential store's file backend. The backend is forced to `File` so the
//! tests never touch a real keychain, and every test uses its own temporary data directory.

use taiji_core::credentials::{
    BackendChoice, CREDENTIALS_FILE_NAME, CredentialBackend, CredentialError, CredentialStore, Credentials,
};
use taiji_core::secret::Secret;
use taiji_core::settings::SettingsStore;

const PASSWORD: &str = "pw-Never-Print-Me-7731";
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.token-Never-Print-Me.sig";

fn credentials() -> Credentials {
    Credentials {
        account: "alice@example.com".to_owned(),
        password: Secret::new(PASSWORD),
        token: Some(Secret::new(TOKEN)),
    }
}

#[test]
fn the_file_backend_says_where_it_stores() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = CredentialStore::open(dir.path(), BackendChoice::File).expect("opens");
    let expected = dir.path().join(CREDENTIALS_FILE_NAME);
    assert_eq!(
        store.backend(),
        &CredentialBackend::File {
            path: expected.clone()
        }
    );
    assert_eq!(
        store.backend().to_string(),
        format!("stored in a file readable only by you: {}", expected.display())
    );
}

#[test]
fn save_load_survives_a_restart_and_clear_wipes_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = CredentialStore::open(dir.path(), BackendChoice::File).expect("opens");
        assert_eq!(store.load().expect("loads"), None);
        store.save(&credentials()).expect("saves");
    }
    let store = CredentialStore::open(dir.path(), BackendChoice::File).expect("reopens");
    assert_eq!(store.load().expect("loads"), Some(credentials()));

    store
        .save_token(Some(Secret::new("new-token")))
        .expect("token replaced");
    let loaded = store.load().expect("loads").expect("present");
    assert_eq!(loaded.token.as_ref().map(Secret::expose), Some("new-token"));
    assert_eq!(loaded.password.expose(), PASSWORD);

    store.clear().expect("logout");
    assert_eq!(store.load().expect("loads"), None);
    assert!(!dir.path().join(CREDENTIALS_FILE_NAME).exists());
    store.clear().expect("a second logout is fine");
}

#[cfg(unix)]
#[test]
fn the_file_is_created_readable_only_by_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = CredentialStore::open(dir.path(), BackendChoice::File).expect("opens");
    store.save(&credentials()).expect("saves");
    let mode = std::fs::metadata(dir.path().join(CREDENTIALS_FILE_NAME))
        .expect("file exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // No temporary file was left behind with looser permissions.
    let others: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|entry| entry.expect("entry").file_name())
        .filter(|name| name != CREDENTIALS_FILE_NAME)
        .collect();
    assert!(others.is_empty(), "{others:?}");
}

#[test]
fn debug_output_never_shows_the_password_or_token() {
    let printed = format!("{:?} {:#?}", credentials(), Some(credentials()));
    assert!(!printed.contains(PASSWORD), "{printed}");
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(printed.contains("alice@example.com"));
}

#[test]
fn a_corrupt_file_is_an_error_that_does_not_quote_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join(CREDENTIALS_FILE_NAME),
        format!(r#"{{"account": 5, "password": "{PASSWORD}""#),
    )
    .expect("write");
    let store = CredentialStore::open(dir.path(), BackendChoice::File).expect("opens");
    let error = store.load().expect_err("unreadable");
    assert!(matches!(error, CredentialError::Corrupt(_)));
    let message = format!("{error} {error:?}");
    assert!(!message.contains(PASSWORD), "{message}");
}

#[test]
fn credentials_never_reach_the_settings_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = SettingsStore::open(dir.path()).expect("settings");
    let store = CredentialStore::open(dir.path(), BackendChoice::File).expect("credentials");
    store.save(&credentials()).expect("saves");
    settings
        .update(|settings| settings.max_concurrent = 4)
        .expect("settings saved after credentials");
    let document = std::fs::read_to_string(settings.path()).expect("settings file");
    assert!(!document.contains(PASSWORD));
    assert!(!document.contains(TOKEN));
    assert!(!document.contains("alice@example.com"));
}
