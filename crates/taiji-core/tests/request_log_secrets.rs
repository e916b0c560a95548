//! Secrets (password, token, API keys) never appear in the request-log database, its CSV and JSON
//! exports, or the tracing output, even when every component is used the way the gateway uses it
//! and even when code carelessly logs the credential and settings types with `Debug`.
//!
//! This binary holds a single test because it installs a global tracing subscriber (the request
//! log's writer thread logs from its own thread, which a thread-local subscriber would miss).

use std::io::Write;
use std::sync::{Arc, Mutex};

use taiji_core::chat::{RequestSource, Usage};
use taiji_core::credentials::{BackendChoice, CredentialStore, Credentials};
use taiji_core::request_log::{
    EntryPatch, FailureClass, LogFilter, NewEntry, PreviewPolicy, RequestLog, RequestLogOptions,
    RetentionPolicy,
};
use taiji_core::secret::Secret;
use taiji_core::settings::{SETTINGS_FILE_NAME, SettingsStore};
use taiji_core::upstream::ErrorClass;

const PASSWORD: &str = "pw-Secret-Canary-4242";
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.token-Canary-9191.sig";

/// A `MakeWriter` that appends everything to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("capture lock")).into_owned()
    }
}

fn read_all(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_database_exports_or_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let dir = tempfile::tempdir().expect("temp dir");

    // Settings and keys, as on first run plus one key per client app.
    let settings = SettingsStore::open(dir.path()).expect("settings");
    let cherry = settings.add_api_key("cherry").expect("key");
    let claude = settings.add_api_key("claude-code").expect("key");
    let first = settings
        .get()
        .access
        .api_keys
        .get("default")
        .cloned()
        .expect("first key");
    let keys = [
        first.secret.expose().to_owned(),
        cherry.secret.expose().to_owned(),
        claude.secret.expose().to_owned(),
    ];

    // Credentials in the file backend, with a careless Debug log of them and of the settings.
    let credentials = CredentialStore::open(dir.path(), BackendChoice::File).expect("credentials");
    let login = Credentials {
        account: "alice@example.com".to_owned(),
        password: Secret::new(PASSWORD),
        token: None,
    };
    credentials.save(&login).expect("saved");
    credentials
        .save_token(Some(Secret::new(TOKEN)))
        .expect("token saved");
    let loaded = credentials.load().expect("loads").expect("present");
    tracing::info!(credentials = ?loaded, settings = ?settings.get(), "careless debug log");
    tracing::info!(key = ?cherry, "careless key log");

    // A rejected settings change that involves a key must not echo it either.
    let rejected = settings
        .update(|settings| {
            settings.access.api_keys =
                taiji_core::api_keys::ApiKeys::from_keys(vec![taiji_core::api_keys::ApiKey {
                    name: "short".to_owned(),
                    secret: Secret::new("tj-short canary"),
                    created_at: time::OffsetDateTime::now_utc(),
                }]);
        })
        .expect_err("too short and has a space");
    tracing::warn!(error = %rejected, "settings rejected");
    assert!(!rejected.to_string().contains("tj-short canary"));

    // The request log, fed as the gateway would: key names from verification, previews on.
    let log = RequestLog::open_with(
        dir.path(),
        RequestLogOptions {
            retention: RetentionPolicy::default(),
            previews: PreviewPolicy {
                enabled: true,
                max_bytes: 2048,
            },
            ..RequestLogOptions::default()
        },
    )
    .expect("log");
    let api_keys = settings.get().access.api_keys;
    for (index, presented) in keys.iter().enumerate() {
        let key_name = api_keys.verify(presented).map(str::to_owned);
        assert!(key_name.is_some());
        let mut entry = NewEntry::new(
            RequestSource {
                api: "openai".to_owned(),
                key_name,
                user_agent: Some("OpenAI/JS 5.0".to_owned()),
            },
            "/v1/chat/completions",
            "gpt-4.1-mini",
            index % 2 == 0,
        );
        entry.prompt_preview = Some(format!("user prompt number {index}"));
        let id = log.begin(entry).await.expect("begins");
        let patch = if index == 0 {
            EntryPatch::failed(
                Some(502),
                FailureClass::Upstream(ErrorClass::LoginExpired),
                "登录已过期，请重新登录",
                20,
            )
        } else {
            EntryPatch {
                reply_preview: Some("a reply".to_owned()),
                ..EntryPatch::done(
                    200,
                    20,
                    Some(Usage {
                        prompt_tokens: 5,
                        completion_tokens: 5,
                        total_tokens: 10,
                        points: 100,
                    }),
                )
            }
        };
        log.update(&id, patch).await.expect("updates");
    }
    log.add_pending_deletion("462993", &login.account)
        .await
        .expect("pending");
    log.enforce_retention_now().await.expect("retention");

    let csv = log
        .export_csv(LogFilter::default(), Vec::new())
        .await
        .expect("csv");
    let json = log
        .export_json(LogFilter::default(), Vec::new())
        .await
        .expect("json");
    assert!(contains(&csv, "cherry"), "the key name is logged");
    assert!(contains(&json, "claude-code"), "the key name is logged");

    let db_path = log.path().to_path_buf();
    let mut database = read_all(&db_path);
    database.extend(read_all(&db_path.with_extension("sqlite3-wal")));
    assert!(
        contains(&database, "user prompt number 1"),
        "the database was read"
    );
    let settings_file = read_all(&dir.path().join(SETTINGS_FILE_NAME));
    let logs = capture.text();
    assert!(logs.contains("careless debug log"), "tracing was captured");
    assert!(logs.contains("settings rejected"), "tracing was captured");

    let mut secrets: Vec<&str> = keys.iter().map(String::as_str).collect();
    secrets.extend([PASSWORD, TOKEN, "tj-short canary"]);
    for secret in secrets {
        assert!(!contains(&database, secret), "secret in the database");
        assert!(!contains(&csv, secret), "secret in the CSV export");
        assert!(!contains(&json, secret), "secret in the JSON export");
        assert!(!logs.contains(secret), "secret in the tracing output");
    }
    for secret in [PASSWORD, TOKEN] {
        assert!(
            !contains(&settings_file, secret),
            "credential in the settings file"
        );
    }
}
